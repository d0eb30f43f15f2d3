// An in-memory stand-in for @flk/registry's wire codec (unit tests only): the same Confluent wire
// format and Avro schemas, with fixed schema ids instead of a registry. Held to the real codec's
// conformance suite (@flk/registry/conformance; fake-codec.test.ts): same reasons, same order of
// checks, decodePcsSync included.
import { AvroBoundsError, boundedType, loadSchema, RegistryUnavailableError, type DecodeResult } from '@flk/registry';
import type { ProcessorCodec } from '../processor.js';

export const FAKE_PCS_SCHEMA_ID = 1;
export const FAKE_VERDICT_SCHEMA_ID = 2;
/** The real codec's default maxMessageBytes. */
export const FAKE_MAX_MESSAGE_BYTES = 1_048_576;

export interface FakeCodec extends ProcessorCodec {
  encodePcs(record: object): Buffer;
  decodeVerdict(message: Buffer): Record<string, unknown>;
  /** While set, decodePcs throws RegistryUnavailableError (as the real codec does when the registry is down). */
  registryDown: boolean;
}

export function createFakeCodec(opts: { maxMessageBytes?: number } = {}): FakeCodec {
  const maxBytes = opts.maxMessageBytes ?? FAKE_MAX_MESSAGE_BYTES;
  const pcs = boundedType(loadSchema('pcs-v1.avsc'));
  const verdict = boundedType(loadSchema('verdict-v1.avsc'));
  const frame = (id: number, body: Buffer): Buffer => {
    const out = Buffer.alloc(5 + body.length);
    out.writeInt32BE(id, 1);
    body.copy(out, 5);
    return out;
  };
  // The real codec's order: empty, oversized, header, schema id, body.
  const decodeNow = (message: Buffer | null): DecodeResult<Record<string, unknown>> => {
    if (message === null || message.length === 0) return { ok: false, reason: 'malformed:empty' };
    if (message.length > maxBytes) return { ok: false, reason: 'malformed:oversized' };
    if (message.length < 5 || message[0] !== 0) return { ok: false, reason: 'malformed:wire_magic' };
    if (message.readInt32BE(1) !== FAKE_PCS_SCHEMA_ID) return { ok: false, reason: 'malformed:unknown_schema_id' };
    try {
      const { value, offset } = pcs.decode(message, 5);
      if (offset !== message.length) return { ok: false, reason: offset < 0 ? 'malformed:avro_truncated' : 'malformed:avro_trailing_bytes' };
      return { ok: true, value: value as Record<string, unknown>, schemaId: FAKE_PCS_SCHEMA_ID };
    } catch (err) {
      return { ok: false, reason: err instanceof AvroBoundsError ? 'malformed:avro_length' : 'malformed:avro' };
    }
  };
  const codec: FakeCodec = {
    registryDown: false,
    encodePcs: (record) => frame(FAKE_PCS_SCHEMA_ID, pcs.toBuffer({ sig: null, tenant_id: null, key_id: null, ...record })),
    encodeVerdict: (v) => frame(FAKE_VERDICT_SCHEMA_ID, verdict.toBuffer(v)),
    decodeVerdict: (m) => verdict.fromBuffer(m.subarray(5)) as Record<string, unknown>,
    async decodePcs(message) {
      if (codec.registryDown) throw new RegistryUnavailableError('schema registry: down (fake)');
      return decodeNow(message);
    },
    // Every id is "cached" (there is no registry), except while the registry is down: then the
    // caller must go through decodePcs, which throws, as with the real codec on an uncached id.
    decodePcsSync: (message) => (codec.registryDown ? undefined : decodeNow(message)),
  };
  return codec;
}

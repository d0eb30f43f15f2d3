import avsc from 'avsc';

// avsc trusts the block counts it reads: an array or map that claims 2^29 items in a 40-byte
// message makes it allocate and loop 2^29 times (a hang, then an out-of-memory crash). Every item
// of every array and map in our schemas takes at least one byte on the wire, so a block count
// larger than the bytes left is a lie; these types refuse it before allocating anything.
export class AvroBoundsError extends Error {
  override readonly name = 'AvroBoundsError';
}

interface Tap { buf: Buffer; pos: number; readLong(): number; skipLong(): void; readString(): string }
interface ReadableType { _read(tap: Tap): unknown }

function readBlockCount(tap: Tap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong(); // block size in bytes, unused
  }
  if (n > tap.buf.length - tap.pos) throw new AvroBoundsError(`block of ${n} items in ${tap.buf.length - tap.pos} bytes`);
  return n;
}

function boundedArrayRead(this: { itemsType: ReadableType }, tap: Tap): unknown[] {
  const out: unknown[] = [];
  let n: number;
  while ((n = readBlockCount(tap))) while (n--) out.push(this.itemsType._read(tap));
  return out;
}

function boundedMapRead(this: { valuesType: ReadableType }, tap: Tap): Record<string, unknown> {
  // Null prototype: a map key like "__proto__" must stay data.
  const out: Record<string, unknown> = Object.create(null);
  let n: number;
  while ((n = readBlockCount(tap))) {
    while (n--) {
      const key = tap.readString();
      out[key] = this.valuesType._read(tap);
    }
  }
  return out;
}

type Schema = avsc.Schema;
type TypeCtor = new (schema: Schema, opts: avsc.ForSchemaOptions) => avsc.Type;
const avscTypes = (avsc as unknown as { types: Record<'ArrayType' | 'MapType', TypeCtor> }).types;

// avsc freezes type instances, so the bounded readers live on subclass prototypes.
class BoundedArrayType extends avscTypes.ArrayType {}
class BoundedMapType extends avscTypes.MapType {}
(BoundedArrayType.prototype as unknown as { _read: unknown })._read = boundedArrayRead;
(BoundedMapType.prototype as unknown as { _read: unknown })._read = boundedMapRead;

/** avsc `typeHook` that swaps arrays and maps for the bounded readers (also given to the registry client). */
export const typeHook = (schema: Schema, opts: avsc.ForSchemaOptions): avsc.Type | undefined => {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const kind = (schema as { type?: unknown }).type;
  if (kind === 'array') return new BoundedArrayType(schema, opts);
  if (kind === 'map') return new BoundedMapType(schema, opts);
  return undefined;
};

/** An avsc Type whose arrays and maps refuse block counts the buffer cannot hold. */
export function boundedType(schema: Schema | string): avsc.Type {
  const parsed: Schema = typeof schema === 'string' ? JSON.parse(schema) : schema;
  return avsc.Type.forSchema(parsed, { typeHook, wrapUnions: 'auto' });
}

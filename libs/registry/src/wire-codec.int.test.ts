// The real wire codec against the real schema registry (SCHEMA_REGISTRY_URL from the global
// setup), held to the same conformance suite as the verifier's fake codec.
import { randomBytes } from 'node:crypto';
import { runPcsCodecConformance } from './testing/codec-conformance.js';
import { createWireCodec } from './wire-codec.js';

const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const MAX = 64 * 1024;

runPcsCodecConformance('the wire codec on the schema registry', async () => {
  // Fresh subjects per codec: nothing shared with other tests' registrations.
  const topic = `conformance-${randomBytes(4).toString('hex')}`;
  const codec = createWireCodec({ registryUrl: REGISTRY_URL, pcsSubject: `${topic}.submitted-value`, verdictSubject: `${topic}.verdicts-value`, maxMessageBytes: MAX, negativeCacheMs: 60_000 });
  await codec.init();
  return { codec, maxMessageBytes: MAX };
});

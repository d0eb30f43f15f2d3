import { runPcsCodecConformance } from '@flk/registry/conformance';
import { createFakeCodec, FAKE_MAX_MESSAGE_BYTES } from './fake-codec.js';

runPcsCodecConformance('the verifier\'s fake codec', () => ({ codec: createFakeCodec(), maxMessageBytes: FAKE_MAX_MESSAGE_BYTES }));

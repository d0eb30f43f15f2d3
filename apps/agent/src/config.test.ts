import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { createKeyRing, signingDigest, type SignedFields } from '@flk/pcs';
import { TEST_KEYS } from '@flk/pcs/testing';
import { loadConfig } from './config.js';

const digestOf = () => signingDigest({ pcs_id: 'a', merkle_root: 'b', epoch: 1, shard_id: 's', D_hat: 1, coh_star: 0.5, r: 0.5, budget: 0.5 } as SignedFields);

describe('agent config', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081',
      submittedTopic: 'pcs.submitted',
      signAlg: 'none',
      signer: undefined,
      window: { maxEvents: 1000, maxSpanMs: 0, epochStart: 1 },
      seed: 42,
      batchSize: 100,
      retry: { maxAttempts: 8, initialDelayMs: 200, maxDelayMs: 10_000, multiplier: 2 },
    });
  });

  test('hmac signs with the first key of the ring', () => {
    const c = loadConfig({ PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: ` ${TEST_KEYS.hmacKey} ,older` });
    const sig = c.signer!.sign(digestOf());
    expect(createKeyRing({ alg: 'hmac', hmacKeys: [TEST_KEYS.hmacKey] }).verify(digestOf(), sig)).toBe(true);
  });

  test('ed25519', () => {
    const c = loadConfig({ PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PRIV_B64: TEST_KEYS.ed25519PrivB64 });
    expect(createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64] }).verify(digestOf(), c.signer!.sign(digestOf()))).toBe(true);
  });

  test('every problem at once, keys never echoed', () => {
    let err: unknown;
    try {
      loadConfig({ PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PRIV_B64: 'c2VjcmV0LXZhbHVl', AGENT_WINDOW_EVENTS: '0', AGENT_RETRY_INITIAL_MS: '500', AGENT_RETRY_MAX_MS: '100', KAFKA_BROKERS: ' , ' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PCS_ED25519_PRIV_B64', 'AGENT_RETRY_MAX_MS', 'KAFKA_BROKERS', 'AGENT_WINDOW_EVENTS']);
    expect((err as Error).message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  test('hmac without a key', () => {
    expect(() => loadConfig({ PCS_SIGN_ALG: 'hmac' })).toThrow(/PCS_HMAC_KEY: required/);
    expect(() => loadConfig({ PCS_SIGN_ALG: 'rsa' })).toThrow(/PCS_SIGN_ALG/);
  });
});

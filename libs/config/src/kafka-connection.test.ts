import { describe, expect, test } from '@jest/globals';
import { ConfigError, describeKafkaConnection, EnvReader, readKafkaConnection, type Env } from './index.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};
const files = (map: Record<string, string>) => (path: string): string => {
  const text = map[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

function read(env: Env, readFile: (path: string) => string = noFile, opts?: { defaultBrokers?: string[] }) {
  const r = new EnvReader(env);
  return r.done(readKafkaConnection(r, readFile, opts));
}

function problemsOf(env: Env, readFile: (path: string) => string = noFile): string[] {
  try {
    read(env, readFile);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('readKafkaConnection', () => {
  test('defaults: the local stack, plain TCP, no SASL', () => {
    expect(read({})).toEqual({ brokers: ['127.0.0.1:9092'], ssl: false });
    expect(read({}, noFile, { defaultBrokers: ['kafka:9092'] }).brokers).toEqual(['kafka:9092']);
  });

  test('brokers are host:port, every bad one named', () => {
    expect(read({ KAFKA_BROKERS: ' a:1 , b.example:9093 ' }).brokers).toEqual(['a:1', 'b.example:9093']);
    expect(problemsOf({ KAFKA_BROKERS: 'nohost,c:2,d:x' })).toEqual(["KAFKA_BROKERS: 'nohost' is not host:port", "KAFKA_BROKERS: 'd:x' is not host:port"]);
    expect(problemsOf({ KAFKA_BROKERS: ' , ' })).toEqual(['KAFKA_BROKERS: at least one host:port']);
  });

  test('KAFKA_SSL alone: TLS with the system CAs', () => {
    expect(read({ KAFKA_SSL: 'true' }).ssl).toBe(true);
    expect(read({ KAFKA_SSL: 'off' }).ssl).toBe(false);
    expect(problemsOf({ KAFKA_SSL: 'maybe' })).toEqual(['KAFKA_SSL: expected true or false, got "maybe"']);
  });

  test('a CA file implies TLS and is read through the injected readFile', () => {
    const seen: string[] = [];
    const readFile = (path: string) => {
      seen.push(path);
      return files({ '/etc/flk/kafka-ca/ca.crt': PEM })(path);
    };
    expect(read({ KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt' }, readFile).ssl).toEqual({ ca: PEM });
    expect(seen).toEqual(['/etc/flk/kafka-ca/ca.crt']);
  });

  test('an unreadable CA file is a problem naming the variable and the path', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/missing/ca.crt' })).toEqual(['KAFKA_SSL_CA_FILE: cannot read /missing/ca.crt']);
  });

  test('SASL: mechanism, username and password', () => {
    const c = read({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: ' flk ', KAFKA_SASL_PASSWORD: ' p@ss ' });
    // The password is taken verbatim (r.secret); the username is trimmed like every other value.
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'flk', password: ' p@ss ' });
    // Without a mechanism the credentials are not used (as in the verifier).
    expect(read({ KAFKA_SASL_USERNAME: 'flk', KAFKA_SASL_PASSWORD: 'x' }).sasl).toBeUndefined();
  });

  test('SASL without a password (or a username) names both variables', () => {
    const expected = 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM';
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'flk' })).toEqual([expected]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'x' })).toEqual([expected]);
  });

  test('an unknown mechanism is a problem; the password never appears in a message', () => {
    let err: unknown;
    try {
      read({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'flk', KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_BROKERS: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    expect(message).toContain('KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512, got "gssapi"');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).not.toContain('hunter2-secret');
  });

  test('problems are collected with the rest of the app’s', () => {
    const r = new EnvReader({ HTTP_PORT: 'x', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL_CA_FILE: '/nope' });
    r.int('HTTP_PORT', 1);
    readKafkaConnection(r, noFile);
    expect(() => r.done(null)).toThrow(/HTTP_PORT.*\n.*KAFKA_SSL_CA_FILE.*\n.*KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/s);
  });
});

describe('describeKafkaConnection', () => {
  test('no CA text, no credentials', () => {
    const d = describeKafkaConnection({ brokers: ['a:1'], ssl: { ca: PEM }, sasl: { mechanism: 'scram-sha-256', username: 'flk', password: 'hunter2' } });
    expect(d).toEqual({ brokers: ['a:1'], kafkaSsl: true, kafkaSasl: 'scram-sha-256' });
    expect(describeKafkaConnection({ brokers: ['a:1'], ssl: false })).toEqual({ brokers: ['a:1'], kafkaSsl: false, kafkaSasl: 'none' });
  });
});

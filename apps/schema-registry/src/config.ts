// The registry's configuration, read from the environment once at start-up with @flk/config; a bad
// value stops the process (exit 1) with a message naming every bad variable.
import { readFileSync } from 'node:fs';
import { EnvReader, readKafkaConnection, type Env, type KafkaConnection } from '@flk/config';
import { parseBasicAuthUsers, type BasicAuthUsers } from './basic-auth.js';
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RegistryConfig {
  readonly port: number;
  readonly host: string;
  readonly brokers: string[];
  /** KAFKA_SSL / KAFKA_SSL_CA_FILE (a CA file implies TLS). */
  readonly ssl: KafkaConnection['ssl'];
  /** KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD. */
  readonly sasl?: KafkaConnection['sasl'];
  readonly clientId: string;
  readonly topic: string;
  readonly createTopic: boolean;
  readonly defaultCompatibility: CompatibilityLevel;
  readonly maxBodyBytes: number;
  readonly initTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: `name:password` lines; absent = no authentication. */
  readonly basicAuthUsers?: BasicAuthUsers;
}

export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RegistryConfig {
  const r = new EnvReader(env);
  const port = r.int('SCHEMA_REGISTRY_PORT', 8081, { min: 0, max: 65535 });
  const host = r.string('SCHEMA_REGISTRY_HOST', '127.0.0.1');
  const kafka = readKafkaConnection(r, readFile);
  const clientId = r.string('SCHEMA_REGISTRY_CLIENT_ID', 'flk-schema-registry');
  const topic = r.string('SCHEMA_REGISTRY_TOPIC', '_schemas');
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) r.problem(`SCHEMA_REGISTRY_TOPIC: not a valid topic name: ${JSON.stringify(topic)}`);
  const createTopic = r.bool('SCHEMA_REGISTRY_CREATE_TOPIC', true);
  const levelText = r.string('SCHEMA_REGISTRY_COMPATIBILITY', 'BACKWARD');
  const defaultCompatibility = parseCompatibilityLevel(levelText);
  if (defaultCompatibility === undefined) {
    r.problem(`SCHEMA_REGISTRY_COMPATIBILITY: expected one of ${COMPATIBILITY_LEVELS.join(', ')}, got ${JSON.stringify(levelText)}`);
  }
  let basicAuthUsers: BasicAuthUsers | undefined;
  const usersFile = r.optionalString('SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE');
  if (usersFile !== undefined) {
    let text: string | undefined;
    try {
      text = readFile(usersFile);
    } catch {
      r.problem(`SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: cannot read ${usersFile}`);
    }
    if (text !== undefined) {
      const parsed = parseBasicAuthUsers(text);
      for (const p of parsed.problems) r.problem(`SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE (${usersFile}): ${p}`);
      basicAuthUsers = parsed.users;
    }
  }
  const config: RegistryConfig = {
    ...(basicAuthUsers === undefined ? {} : { basicAuthUsers }),
    port,
    host,
    ...kafka,
    clientId,
    topic,
    createTopic,
    defaultCompatibility: defaultCompatibility ?? 'BACKWARD',
    maxBodyBytes: r.int('SCHEMA_REGISTRY_MAX_BODY_BYTES', 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    initTimeoutMs: r.int('SCHEMA_REGISTRY_INIT_TIMEOUT_MS', 120_000, { min: 1000, max: 3_600_000 }),
    writeTimeoutMs: r.int('SCHEMA_REGISTRY_WRITE_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
    shutdownTimeoutMs: r.int('SCHEMA_REGISTRY_SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return r.done(config);
}

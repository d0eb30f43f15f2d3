// FLK's local schema registry: the Confluent REST subset on SCHEMA_REGISTRY_PORT (8081), state in
// the compacted Kafka topic `_schemas`. Start: `npx tsx --conditions=@flk/source
// apps/schema-registry/src/main.ts`; healthy when `GET /` answers 200 `{}` (only after the state
// has caught up with the topic). SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0.
// Production does not run this: SCHEMA_REGISTRY_URL points at a real registry (docs/schema-registry.md).
import type { AddressInfo } from 'node:net';
import { ConfigError, describeKafkaConnection } from '@flk/config';
import { pino } from 'pino';
import { createAvroEngine } from './avro.js';
import { loadConfig, type RegistryConfig } from './config.js';
import { createApi, createRegistryServer } from './http.js';
import { startKafkaLog, type KafkaLog } from './kafka-log.js';
import { Registry } from './registry.js';
import { RegistryState } from './state.js';

function readConfig(): RegistryConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`schema-registry: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const config = readConfig();
const logger = pino({ level: config.logLevel, base: { service: 'schema-registry', pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
const started = Date.now();

let kafkaLog: KafkaLog | undefined;
let server: ReturnType<typeof createRegistryServer> | undefined;
let registry: Registry | undefined;
let stopping: Promise<never> | undefined;

function shutdown(code: number, reason: string): Promise<never> {
  stopping ??= (async () => {
    logger.info({ reason }, 'shutting down');
    const deadline = Date.now() + config.shutdownTimeoutMs;
    if (server) {
      const s = server;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      await withTimeout(closed, Math.max(1, deadline - Date.now()), 'closing connections').catch(() => s.closeAllConnections());
    }
    if (registry) await withTimeout(registry.drain(), Math.max(1, deadline - Date.now()), 'in-flight writes').catch(() => undefined);
    await kafkaLog?.close();
    logger.info({ code }, 'stopped');
    process.exit(code);
  })();
  return stopping;
}

process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));
process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
process.on('unhandledRejection', (err) => {
  logger.error({ err }, 'unhandled rejection');
  void shutdown(1, 'unhandled rejection');
});
process.on('uncaughtException', (err) => {
  logger.error({ err }, 'uncaught exception');
  void shutdown(1, 'uncaught exception');
});

try {
  logger.info({ ...describeKafkaConnection(config), topic: config.topic, port: config.port, host: config.host, defaultCompatibility: config.defaultCompatibility, basicAuthUsers: config.basicAuthUsers?.size ?? 0 }, 'starting');
  const state = new RegistryState(createAvroEngine(), { defaultCompatibility: config.defaultCompatibility });
  kafkaLog = await withTimeout(
    startKafkaLog({
      brokers: config.brokers,
      ssl: config.ssl,
      sasl: config.sasl,
      clientId: config.clientId,
      topic: config.topic,
      createTopic: config.createTopic,
      writeTimeoutMs: config.writeTimeoutMs,
      logger,
      kafkaLogLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? 'info' : 'warn',
      apply: (record) => state.apply(record),
      onFatal: (err) => {
        logger.error({ err }, 'the schema log reader stopped');
        void shutdown(1, 'schema log reader stopped');
      },
    }),
    config.initTimeoutMs,
    'connecting to Kafka',
  );
  // Serve nothing before the state has caught up with everything already in the topic.
  await kafkaLog.catchUp(Math.max(1000, config.initTimeoutMs - (Date.now() - started)));
  registry = new Registry(state, kafkaLog);
  const s = createRegistryServer(createApi(registry), { logger, maxBodyBytes: config.maxBodyBytes, basicAuthUsers: config.basicAuthUsers });
  s.requestTimeout = 60_000;
  s.headersTimeout = 30_000;
  server = s;
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(config.port, config.host, () => {
      s.off('error', reject);
      resolve();
    });
  });
  const { port } = s.address() as AddressInfo;
  logger.info({ port, host: config.host, url: `http://${config.host}:${port}`, ...state.stats(), startupMs: Date.now() - started }, 'schema registry ready');
} catch (err) {
  logger.error({ err }, 'start-up failed');
  await shutdown(1, 'start-up failed');
}

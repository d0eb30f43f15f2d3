// Wiring: config + logger in, a running gateway out. Every adapter is created here; the HTTP logic
// is in server.ts, the reply routing in replies.ts, the batching producer in producer.ts.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backoffDelay, createKafkaClient, topicPartitions } from '@flk/kafka';
import { createOpsHandler } from '@flk/ops-http';
import { isRetriable, type Logger } from '@flk/pcs';
import { createRedisClient, createRedisDedupStore, redisTargetOptions } from '@flk/redis';
import { createWireCodec } from '@flk/registry';
import { describeConfig, type GatewayConfig } from './config.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { createSubmitProducer } from './producer.js';
import { createRateLimiter } from './rate-limit.js';
import { createReplyRouter, type ReplyRouter } from './replies.js';
import { createGatewayHandler } from './server.js';

/** The single source of the API, served at /openapi.yaml (two levels above src/ and dist/). */
export const OPENAPI_URL = new URL('../../../schemas/gateway-openapi.yaml', import.meta.url);

export interface GatewayApp {
  readonly metrics: GatewayMetrics;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  reloadKeyRing(why: string): boolean;
}

const KEYRING_POLL_MS = 1_000;
const READY_POLL_MS = 2_000;

async function untilUp<T>(what: string, fn: () => Promise<T>, logger: Logger, stopped: () => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err) || stopped()) throw err;
      const delayMs = backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 });
      logger.warn({ dependency: what, attempt, delayMs, err: (err as Error).message }, 'dependency unavailable at start-up, retrying');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

export async function createGatewayApp(config: GatewayConfig, { logger }: { logger: Logger }): Promise<GatewayApp> {
  const metrics = createGatewayMetrics();
  const checks: Record<'kafka' | 'redis' | 'registry' | 'replies', string> = { kafka: 'connecting', redis: 'connecting', registry: 'connecting', replies: 'connecting' };
  const setCheck = (dep: keyof typeof checks, ok: boolean, detail = 'unavailable') => {
    const was = checks[dep];
    checks[dep] = ok ? 'ok' : detail;
    if (dep !== 'replies') metrics.dependency(dep, ok);
    if ((was === 'ok') !== ok && was !== 'connecting') logger[ok ? 'info' : 'warn']({ dependency: dep, ok }, ok ? 'dependency up' : 'dependency down');
  };
  let started = false;

  const kafka = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ssl: config.kafka.ssl,
    sasl: config.kafka.sasl,
    logger,
    // A request the broker does not answer within the ack timeout is a 503 anyway.
    requestTimeoutMs: Math.max(config.ackTimeoutMs, 1_000),
    connectionTimeoutMs: Math.min(config.ackTimeoutMs, 3_000),
    retry: { retries: 2, initialRetryTimeMs: 100, maxRetryTimeMs: 500 },
    logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? 'debug' : 'warn',
  });
  const codec = createWireCodec({ registryUrl: config.schemaRegistryUrl, registryAuth: config.registryAuth, pcsSubject: `${config.topics.submitted}-value`, verdictSubject: `${config.topics.verdicts}-value`, logger });
  const redis = createRedisClient({ ...redisTargetOptions(config.redis.connection), connectionName: 'flk-gateway', logger });
  const store = createRedisDedupStore({ client: redis, keyPrefix: config.redis.keyPrefix, onRoundTrip: ({ ok }) => setCheck('redis', ok) });
  const producer = createSubmitProducer({
    kafka,
    topic: config.topics.submitted,
    ackTimeoutMs: config.ackTimeoutMs,
    maxBatch: config.maxProduceBatch,
    logger,
    onRequest: ({ records, seconds, ok }) => {
      metrics.produceRequest(records, seconds, ok);
      setCheck('kafka', ok);
    },
  });
  let replies: ReplyRouter | undefined;

  let decideConfig = config.decide;
  const reloadKeyRing = (why: string): boolean => {
    if (config.reloadDecideConfig === undefined) return false;
    try {
      decideConfig = config.reloadDecideConfig();
      logger.info({ why, keys: decideConfig.tenants?.keys.length ?? 0 }, 'key ring reloaded');
      return true;
    } catch (err) {
      logger.error({ why, code: (err as { code?: unknown }).code, err: (err as Error).message }, 'key ring reload refused; the previous ring stays in force');
      return false;
    }
  };
  const onRingFile = (cur: { mtimeMs: number; size: number; ino: number }, prev: { mtimeMs: number; size: number; ino: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) reloadKeyRing('file changed');
  };

  const ops = createOpsHandler({
    metrics: metrics.registry,
    basicAuth: config.http.basicAuth,
    readiness: () => {
      const ready = started && Object.values(checks).every((c) => c === 'ok');
      return { ready, checks: { ...checks, started: started ? 'yes' : 'no' } };
    },
  });
  const openapi = readFileSync(OPENAPI_URL, 'utf8');
  const limiter = createRateLimiter(config.rateLimits);
  // The router exists only after start(); until then submissions get no reply key (→ 202).
  const repliesPort: ReplyRouter = {
    start: async () => {},
    stop: async () => {},
    expect: (deadline) => replies?.expect(deadline) ?? null,
    owned: () => replies?.owned() ?? [],
    waiting: () => replies?.waiting() ?? 0,
  };
  const handler = createGatewayHandler({
    producer,
    replies: repliesPort,
    store,
    codec,
    limiter,
    auth: config.auth,
    decideConfig: () => decideConfig,
    metrics,
    logger,
    openapi,
    ops,
    maxBodyBytes: config.maxBodyBytes,
    verdictTimeoutMs: config.verdictTimeoutMs,
  });
  const server: Server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopping = false;
  let pollTimer: NodeJS.Timeout | undefined;

  return {
    metrics,
    port,
    reloadKeyRing,
    async start() {
      logger.info(describeConfig(config), 'starting gateway');
      const stopped = () => stopping;
      await untilUp('registry', () => codec.init(), logger, stopped);
      setCheck('registry', true);
      await untilUp('redis', () => store.checkServer(), logger, stopped);
      setCheck('redis', true);
      await untilUp('kafka', () => producer.connect(), logger, stopped);
      setCheck('kafka', true);
      const partitions = await untilUp('kafka', () => topicPartitions(kafka, config.topics.replies), logger, stopped);
      if (partitions === null) throw new Error(`the replies topic ${config.topics.replies} does not exist (PCS_REPLIES_TOPIC); create it (infra/local/topics.mjs, helm values topics)`);
      replies = createReplyRouter({
        kafka,
        topic: config.topics.replies,
        groupId: config.groupId,
        replicaId: config.replicaId,
        partitions,
        sessionTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        logger,
        onEvent: (e) => {
          if (e.type === 'unmatched') metrics.unmatched();
          else if (e.type === 'assigned') metrics.replyPartitions(e.partitions.length);
          else setCheck('kafka', e.ok);
        },
      });
      const r = replies;
      await untilUp('kafka', () => r.start(), logger, stopped);
      if (config.signing.keyringFile !== undefined) watchFile(config.signing.keyringFile, { interval: KEYRING_POLL_MS, persistent: false }, onRingFile);
      // /ready: the reply partitions are part of readiness (a replica without any answers 202 only).
      pollTimer = setInterval(() => {
        setCheck('replies', r.owned().length > 0, 'no partitions assigned');
        if (!producer.healthy()) setCheck('kafka', false);
        void redis.ping().then(() => setCheck('redis', true), () => setCheck('redis', false));
      }, READY_POLL_MS);
      pollTimer.unref();
      const t0 = Date.now();
      while (r.owned().length === 0 && Date.now() - t0 < config.sessionTimeoutMs * 2 && !stopping) await new Promise((res) => setTimeout(res, 50));
      setCheck('replies', r.owned().length > 0, 'no partitions assigned');
      started = true;
      logger.info({ port, replyPartitions: r.owned() }, 'gateway running');
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      started = false;
      clearInterval(pollTimer);
      if (config.signing.keyringFile !== undefined) unwatchFile(config.signing.keyringFile, onRingFile);
      // Stop taking requests, let those in flight finish (they wait at most the verdict timeout).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, config.verdictTimeoutMs + 500))]);
      server.closeAllConnections();
      await replies?.stop();
      await producer.close();
      await redis.close();
      logger.info({}, 'gateway stopped');
    },
  };
}

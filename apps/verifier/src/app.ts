// Wiring: config + logger in, a running verifier out. Every adapter is created here and nowhere
// else; the batch logic lives in processor.ts, the consume/produce loop in @flk/kafka.
import { readdirSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { isRetriable, systemClock, type Logger } from '@flk/pcs';
import { startOpsServer, type OpsServer } from '@flk/ops-http';
import { createWireCodec } from '@flk/registry';
import { createRedisClient, createRedisDedupStore, redisTargetOptions, type RedisConnection } from '@flk/redis';
import {
  backoffDelay,
  createKafkaClient,
  createTransactionalConsumer,
  createTransactionalOutputs,
  requireLogAppendTime,
  topicPartitions,
  type ConsumerEvent,
  type TransactionalConsumer,
} from '@flk/kafka';
import { viewOf, type PolicySet } from '@flk/policy';
import { describeConfig, type VerifierConfig } from './config.js';
import { loadPolicySet } from './policies.js';
import { createVerifierMetrics, type VerifierMetrics } from './metrics.js';
import { createBatchProcessor, type RecordOutcome } from './processor.js';
import { createReadiness, dependencyOf, type ReadinessTracker } from './readiness.js';

export interface VerifierApp {
  readonly metrics: VerifierMetrics;
  readonly readiness: ReadinessTracker;
  /** Port of the ops server (useful when HTTP_PORT=0). */
  readonly httpPort: number;
  /** Connects everything (retrying retriable failures) and starts consuming. */
  start(): Promise<void>;
  /** Graceful: finish and commit the chunk in progress, leave the group, disconnect. */
  stop(): Promise<void>;
  /** Re-reads the key ring file now (SIGHUP); a bad file is refused and the ring in force kept. */
  reloadKeyRing(why: string): boolean;
  /** Re-reads VERIFIER_POLICY_PATH now (SIGHUP, file change); a bad set is refused and the set in force kept. */
  reloadPolicies(why: string): boolean;
}

const KEYRING_POLL_MS = 1_000;

const REDIS_PING_MS = 5_000;

/** Retries `fn` while it fails with a retriable error (jittered backoff); rethrows anything else. */
async function untilUp<T>(what: string, fn: () => Promise<T>, opts: { logger: Logger; maxMs: number; stopped: () => boolean; onFail: (err: unknown) => void }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err) || opts.stopped()) throw err;
      opts.onFail(err);
      const delayMs = backoffDelay(attempt, { initialMs: 200, maxMs: opts.maxMs });
      opts.logger.warn({ dependency: what, attempt, delayMs, code: (err as { code?: unknown }).code, err: (err as Error).message }, 'dependency unavailable at start-up, retrying');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

export interface VerifierAppOptions {
  logger: Logger;
  /** A non-retriable error stopped consumption: the caller should stop the app and exit non-zero. */
  onFatal: (err: unknown) => void;
}

export async function createVerifierApp(config: VerifierConfig, { logger, onFatal }: VerifierAppOptions): Promise<VerifierApp> {
  const metrics = createVerifierMetrics();
  // The policy set in force: replaced whole by a good reload, read once per batch (like the ring).
  let policies: PolicySet = config.policy.set;
  let policiesLoadedAt = new Date().toISOString();
  const policySource = config.policy.path ?? 'env (PCS_TOL_*, PCS_BUDGET_*)';
  metrics.policyLoad('ok', policies);
  const readiness = createReadiness((dep, ok) => {
    metrics.dependency(dep, ok);
    logger[ok ? 'info' : 'warn']({ dependency: dep, ok }, ok ? 'dependency up' : 'dependency down');
  });
  const ops: OpsServer = await startOpsServer({
    port: config.http.port,
    host: config.http.host,
    metrics: metrics.registry,
    // /ready says whether signatures are checked (PCS_SIGN_ALG=none is a visible choice, not a default).
    readiness: () => {
      const r = readiness.snapshot();
      return { ...r, checks: { ...r.checks, signatures: config.decide.signatures ? 'checked' : 'NOT CHECKED (PCS_SIGN_ALG=none)' } };
    },
    basicAuth: config.http.basicAuth,
    routes: {
      paths: ['/policy'],
      handle: async () => ({ status: 200, body: JSON.stringify(viewOf(policies, { loadedAt: policiesLoadedAt, source: policySource })) }),
    },
  });

  const redis: RedisConnection = createRedisClient({ ...redisTargetOptions(config.redis.connection), connectionName: 'flk-verifier', logger });
  const dedup = createRedisDedupStore({
    client: redis,
    keyPrefix: config.redis.keyPrefix,
    // A verdict is committed only after its claim reached REDIS_WAIT_REPLICAS replicas.
    wait: config.redis.connection.wait,
    onRoundTrip: ({ op, seconds, ok }) => {
      metrics.redisRoundTrip(op, seconds, ok);
      readiness.set('redis', ok);
    },
  });
  const codec = createWireCodec({
    registryUrl: config.schemaRegistryUrl,
    registryAuth: config.registryAuth,
    pcsSubject: `${config.topics.submitted}-value`,
    verdictSubject: `${config.topics.verdicts}-value`,
    logger,
  });
  const kafka = createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ssl: config.kafka.ssl,
    sasl: config.kafka.sasl,
    logger,
    logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? 'debug' : 'info',
  });
  const outputs = createTransactionalOutputs({
    kafka,
    transactionalIdPrefix: config.transactionalIdPrefix,
    transactionTimeoutMs: config.transactionTimeoutMs,
    logger,
    onTransaction: ({ seconds, ok }) => metrics.kafkaTransaction(seconds, ok),
  });
  // The decision configuration in force: replaced whole by a successful ring reload, read once per
  // batch, so every record is decided under exactly one ring.
  let decideConfig = config.decide;
  metrics.signatureChecks(config.decide.signatures);
  if (config.signing.keyringFile !== undefined) metrics.keyRing('ok', config.decide.tenants?.keys.length ?? 0);
  if (!config.decide.signatures) logger.warn({ signAlg: 'none' }, 'PCS_SIGN_ALG=none: signatures are NOT checked; every record is unauthenticated');
  const reloadKeyRing = (why: string): boolean => {
    if (config.reloadDecideConfig === undefined) return false;
    try {
      decideConfig = config.reloadDecideConfig();
      metrics.keyRing('ok', decideConfig.tenants?.keys.length ?? 0);
      logger.info({ why, keys: decideConfig.tenants?.keys.length ?? 0, tenants: decideConfig.tenants?.tenants.length ?? 0 }, 'key ring reloaded');
      return true;
    } catch (err) {
      // The message names the entry, never a secret.
      metrics.keyRing('refused', null);
      logger.error({ why, code: (err as { code?: unknown }).code, err: (err as Error).message }, 'key ring reload refused; the previous ring stays in force');
      return false;
    }
  };
  const onRingFile = (cur: { mtimeMs: number; size: number; ino: number }, prev: { mtimeMs: number; size: number; ino: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) reloadKeyRing('file changed');
  };
  if (config.signing.keyringFile !== undefined) watchFile(config.signing.keyringFile, { interval: KEYRING_POLL_MS, persistent: false }, onRingFile);

  const reloadPolicies = (why: string): boolean => {
    if (config.policy.path === undefined) return false;
    try {
      const next = loadPolicySet(config.policy.path);
      if (next.digest === policies.digest) return true;
      const from = policies.digest;
      policies = next;
      policiesLoadedAt = new Date().toISOString();
      metrics.policyLoad('ok', policies);
      logger.info({ why, from, to: next.digest, global: `${next.global.document.id}@${next.global.document.version}`, tenants: next.tenants.size }, 'policy set reloaded');
      return true;
    } catch (err) {
      // Every violation is named by path (FlkPolicyError's message); the running set stays.
      metrics.policyLoad('refused', policies);
      logger.error({ why, code: (err as { code?: unknown }).code, err: (err as Error).message, inForce: policies.digest }, 'policy set reload refused; the previous set stays in force');
      return false;
    }
  };
  // A directory is polled through its documents' mtimes: watchFile on a directory sees entries added or removed only.
  let policyPoll: NodeJS.Timeout | undefined;
  if (config.policy.path !== undefined) {
    let last = policyStamp(config.policy.path);
    policyPoll = setInterval(() => {
      const now = policyStamp(config.policy.path!);
      if (now !== last) {
        last = now;
        reloadPolicies('file changed');
      }
    }, KEYRING_POLL_MS);
    policyPoll.unref();
  }

  // Set at start-up once the replies topic is known to exist: a transaction writing to a missing
  // topic would fail and be retried forever, so without the topic reply headers are ignored.
  let repliesTopic: string | undefined;
  const processBatch = createBatchProcessor({
    codec,
    dedup,
    decideConfig: () => decideConfig,
    policies: () => policies,
    clock: systemClock,
    dedupTtlSeconds: config.dedupTtlSeconds,
    topics: {
      verdicts: config.topics.verdicts,
      dlq: config.topics.dlq,
      get replies() {
        return repliesTopic;
      },
    },
    logger,
    onDecide: (s) => metrics.decision(s),
  });

  // Outcomes of the chunk in flight per partition; counted only once its transaction committed.
  const inFlight = new Map<number, RecordOutcome[]>();
  let stopping = false;
  let assignedPartitions: number[] = [];
  let consumer: TransactionalConsumer | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  const onEvent = (e: ConsumerEvent): void => {
    switch (e.type) {
      case 'committed': {
        metrics.lag(e.topic, e.partition, e.lag);
        const outcomes = inFlight.get(e.partition) ?? [];
        inFlight.delete(e.partition);
        metrics.committed(outcomes);
        let rejected = 0;
        let duplicates = 0;
        let dlq = 0;
        for (const o of outcomes) {
          if (o.status === 'rejected') rejected++;
          if (o.duplicate) duplicates++;
          if (o.dlq) dlq++;
          if (o.status === 'rejected' || o.duplicate) {
            logger.debug({ pcs_id: o.pcsId, topic: e.topic, partition: e.partition, offset: o.offset, status: o.status, reason: o.reason, duplicate: o.duplicate, dlq: o.dlq }, 'verdict');
          }
        }
        const summary = { topic: e.topic, partition: e.partition, firstOffset: e.firstOffset, lastOffset: e.lastOffset, records: e.records, lag: e.lag, rejected, duplicates, dlq };
        // One line per committed chunk that holds anything unusual; per-record lines at debug.
        if (rejected + duplicates > 0) logger.info(summary, 'batch committed with rejected or duplicate verdicts');
        else logger.debug(summary, 'batch committed');
        break;
      }
      case 'retry': {
        inFlight.delete(e.partition);
        metrics.retry(e.code);
        const dep = dependencyOf({ code: e.code });
        if (dep) readiness.set(dep, false, e.code);
        break;
      }
      case 'assigned':
        for (const p of assignedPartitions) if (!e.partitions.includes(p)) metrics.forgetPartition(e.topic, p);
        assignedPartitions = e.partitions;
        readiness.setOutputsReady(false);
        logger.info({ topic: e.topic, partitions: e.partitions }, 'partitions assigned');
        break;
      case 'outputs_ready':
        readiness.setOutputsReady(true);
        logger.info({ topic: e.topic, partitions: e.partitions }, 'transactional producers ready');
        break;
      case 'skipped':
        metrics.skipped();
        break;
      case 'kafka':
        readiness.set('kafka', e.ok);
        break;
      case 'crash':
        logger.warn({ err: e.message, restart: e.restart }, 'kafka consumer crashed');
        break;
    }
  };

  return {
    metrics,
    readiness,
    httpPort: ops.port,

    async start() {
      const stopped = () => stopping;
      const onFail = (err: unknown) => {
        const dep = dependencyOf(err);
        if (dep) readiness.set(dep, false, (err as { code: string }).code);
      };
      logger.info(describeConfig(config), 'starting verifier');
      const { version } = await untilUp('redis', () => dedup.checkServer(), { logger, maxMs: config.retryMaxMs, stopped, onFail });
      readiness.set('redis', true);
      logger.info({ redisVersion: version }, 'redis ready');
      await untilUp('registry', () => codec.init(), { logger, maxMs: config.retryMaxMs, stopped, onFail });
      readiness.set('registry', true);
      // Fail closed on a topic whose timestamps the producer chooses (§7.4).
      await untilUp('kafka', () => requireLogAppendTime(kafka, config.topics.submitted), { logger, maxMs: config.retryMaxMs, stopped, onFail });
      const replyPartitions = await untilUp('kafka', () => topicPartitions(kafka, config.topics.replies), { logger, maxMs: config.retryMaxMs, stopped, onFail });
      if (replyPartitions === null) logger.warn({ topic: config.topics.replies }, 'replies topic missing: verdict copies for the HTTP gateway are off (gateway requests will time out to 202)');
      else repliesTopic = config.topics.replies;

      consumer = createTransactionalConsumer({
        kafka,
        outputs,
        groupId: config.groupId,
        topic: config.topics.submitted,
        logger,
        maxRecordsPerTransaction: config.maxBatchRecords,
        partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
        maxBytesPerPartition: config.maxBytesPerPartition,
        maxWaitTimeMs: config.fetchMaxWaitMs,
        sessionTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        backoff: { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs },
        onEvent,
        onFatal,
        process: async (batch, ctx) => {
          const t0 = performance.now();
          try {
            const res = await processBatch(batch, ctx);
            inFlight.set(batch.partition, res.outcomes);
            metrics.batchProcessed(batch.records.length, (performance.now() - t0) / 1000);
            readiness.set('registry', true);
            return res.messages;
          } catch (err) {
            onFail(err);
            throw err;
          }
        },
      });
      const c = consumer;
      await untilUp('kafka', () => c.start(), { logger, maxMs: config.retryMaxMs, stopped, onFail });
      readiness.set('kafka', true);
      readiness.setStarted(true);
      pingTimer = setInterval(() => {
        redis.ping().then(
          () => readiness.set('redis', true),
          (err: unknown) => readiness.set('redis', false, (err as { code?: string }).code ?? 'unavailable'),
        );
      }, REDIS_PING_MS);
      pingTimer.unref();
      logger.info({ topic: config.topics.submitted, groupId: config.groupId }, 'verifier running');
    },

    reloadKeyRing,
    reloadPolicies,

    async stop() {
      if (stopping) return;
      stopping = true;
      if (config.signing.keyringFile !== undefined) unwatchFile(config.signing.keyringFile, onRingFile);
      readiness.setStarted(false);
      clearInterval(pingTimer);
      clearInterval(policyPoll);
      await consumer?.stop();
      await redis.close();
      await ops.close();
      logger.info({}, 'verifier stopped');
    },
  };
}

/** Size + mtime of the policy file, or of every entry of the directory: changes when any document does. */
function policyStamp(path: string): string {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return `${st.size}:${st.mtimeMs}:${st.ino}`;
    return readdirSync(path)
      .sort()
      .map((f) => {
        try {
          const e = statSync(join(path, f));
          return `${f}:${e.size}:${e.mtimeMs}:${e.ino}`;
        } catch {
          return `${f}:gone`;
        }
      })
      .join('|');
  } catch {
    return 'missing';
  }
}

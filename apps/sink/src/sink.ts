import { AUDIT_ERROR_CODES, type AuditEvent, FlkAuditError, openAuditLog } from '@flk/audit';
import { startOpsServer } from '@flk/ops-http';
import type { Logger } from '@flk/pcs';
import { backoffDelay } from '@flk/kafka';
import { createWireCodec } from '@flk/registry';
import type { SinkConfig } from './config.js';
import { type ConsumerState, createVerdictConsumer, isKafkaError, type VerdictConsumerHandlers } from './consumer.js';
import { createSinkMetrics, verdictFacts } from './metrics.js';
import { createBatchProcessor, planSeeks, type SinkEvent } from './processor.js';

// Wiring: audit log + consumer + decoder + metrics + ops HTTP. Start-up order: ops server (so
// /health answers at once; /ready stays 503 until the group is joined), audit log (lock, tail,
// torn-tail repair), then in the background (retrying while Kafka is unreachable) the group's
// committed offsets and the consumer. On each assignment the partitions the log is ahead on are
// sought to the log's last offset + 1 (see planSeeks).

export interface RunningSink {
  /** Graceful stop: finish the batch in progress (append, fsync, commit), leave the group, close. */
  stop(): Promise<void>;
  /** Resolves when the sink must exit on its own (a fatal error), with the reason; then exit without stop(). */
  readonly fatal: Promise<Error>;
  readonly httpPort: number;
}

function auditEventLog(logger: Logger, e: AuditEvent): void {
  if (e.type === 'segment_created') logger.info({ segment: e.segment }, 'audit segment created');
  else if (e.type === 'torn_tail_truncated') logger.warn({ segment: e.segment, bytes: e.bytes, savedAs: e.savedAs }, 'audit: torn last line truncated (crash mid-write); bytes saved aside');
  else if (e.type === 'stale_lock_replaced') logger.warn({ pid: e.pid }, 'audit: lock of a dead process taken over');
  else logger.error({ error: e.message }, 'audit write failed');
}

export async function startSink(config: SinkConfig, logger: Logger): Promise<RunningSink> {
  const metrics = createSinkMetrics();
  const status: { kafka: ConsumerState | 'starting'; registry: 'ok' | 'unreachable'; audit: 'opening' | 'ok' | 'failed' } = {
    kafka: 'starting',
    registry: 'ok',
    audit: 'opening',
  };
  let failFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (failFatal = resolve));

  const ops = await startOpsServer({
    port: config.httpPort,
    metrics: metrics.registry,
    basicAuth: config.metricsAuth,
    readiness: () => ({
      ready: status.kafka === 'joined' && status.registry === 'ok' && status.audit === 'ok',
      checks: { kafka: status.kafka, registry: status.registry, audit: status.audit },
    }),
  });
  logger.info({ port: ops.port }, 'ops server listening (/health /ready /metrics)');

  let audit;
  try {
    audit = await openAuditLog({ dir: config.auditDir, segmentMaxBytes: config.auditSegmentBytes, onEvent: (e) => auditEventLog(logger, e) });
  } catch (err) {
    await ops.close();
    throw err;
  }
  status.audit = 'ok';
  logger.info({ dir: config.auditDir, lines: audit.nextSeq, positions: audit.positions() }, 'audit log open');

  const codec = createWireCodec({ registryUrl: config.registryUrl, registryAuth: config.registryAuth, pcsSubject: 'pcs.submitted-value', verdictSubject: 'pcs.verdicts-value', logger });
  const consumer = createVerdictConsumer({
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl,
    clientId: config.clientId,
    groupId: config.groupId,
    topic: config.verdictsTopic,
    sessionTimeoutMs: config.sessionTimeoutMs,
    logger,
  });

  const onEvent = (e: SinkEvent) => {
    switch (e.type) {
      case 'batch_logged':
        logger.debug({ topic: e.topic, partition: e.partition, lines: e.lines, skipped: e.skipped, firstOffset: e.firstOffset, lastOffset: e.lastOffset }, 'batch logged');
        break;
      case 'batch_already_logged':
        logger.info({ topic: e.topic, partition: e.partition, skipped: e.skipped, lastLogged: e.lastLogged, seekTo: e.seekTo }, 'batch already in the audit log, skipped');
        break;
      case 'undecodable':
        logger.warn({ topic: e.topic, partition: e.partition, offset: e.offset, reason: e.reason }, 'undecodable verdict message logged with its error');
        break;
      case 'registry_unavailable':
        status.registry = 'unreachable';
        logger.warn({ attempt: e.attempt, delayMs: e.delayMs, error: e.message }, 'schema registry unavailable, retrying');
        break;
      case 'registry_recovered':
        status.registry = 'ok';
        logger.info({}, 'schema registry reachable again');
        break;
    }
  };
  const processor = createBatchProcessor({ audit, decoder: codec, observe: (v) => metrics.observe(verdictFacts(v)), onEvent });

  // The group's committed offsets as last known: read once at start, then our own commits.
  let committed = new Map<number, string>();
  let stopping = false;
  let wake: () => void = () => undefined;
  const handlers: VerdictConsumerHandlers = {
    onAssigned(assigned) {
      logger.info({ assigned }, 'partitions assigned');
      for (const s of planSeeks(assigned, (t, p) => audit.lastOffset(t, p), (t, p) => (t === config.verdictsTopic ? committed.get(p) : undefined))) {
        logger.info({ topic: s.topic, partition: s.partition, offset: s.offset, committed: committed.get(s.partition) ?? null }, 'resuming after the audit log\'s last offset');
        consumer.seek(s.topic, s.partition, s.offset);
      }
    },
    async onBatch(batch, control) {
      try {
        await processor.handle(batch, {
          ...control,
          async commit(offset) {
            await control.commit(offset);
            committed.set(batch.partition, String(BigInt(offset) + 1n));
          },
        });
      } catch (err) {
        // Kafka errors (a commit refused during a rebalance, a lost connection...) go back to
        // kafkajs, which re-joins and re-delivers; what is already in the log is skipped then.
        if (isKafkaError(err)) throw err;
        // Anything else (the audit writer failed, a bug) must not be retried in a loop: exit.
        if (err instanceof FlkAuditError && err.code === AUDIT_ERROR_CODES.WRITE_FAILED) status.audit = 'failed';
        failFatal(err instanceof Error ? err : new Error(String(err)));
        await new Promise(() => undefined); // hold the partition, commit nothing, until the process exits
      }
    },
    onState(state, detail) {
      status.kafka = state;
      if (state === 'crashed') {
        logger.error({ error: detail?.error, restart: detail?.restart }, 'consumer crashed');
        if (!detail?.restart && !stopping) failFatal(new Error(`consumer crashed: ${detail?.error ?? 'unknown'}`));
      } else logger.info({ state }, 'consumer state');
    },
  };

  // Kafka may not be there yet: keep trying (not ready meanwhile) until it is, or until stop().
  const connecting = (async () => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        committed = await consumer.committedOffsets();
        logger.info({ groupId: config.groupId, committed: Object.fromEntries(committed) }, 'group offsets read');
        if (stopping) return;
        await consumer.start(handlers);
        return;
      } catch (err) {
        status.kafka = 'unreachable';
        const delayMs = backoffDelay(attempt, { initialMs: 500, maxMs: 10_000 });
        logger.warn({ error: (err as Error).message, attempt, delayMs }, 'kafka unavailable at start-up, retrying');
        await consumer.stop().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delayMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  })();

  return {
    httpPort: ops.port,
    fatal,
    async stop() {
      if (stopping) return;
      stopping = true;
      wake();
      await connecting;
      await consumer.stop().catch((err: Error) => logger.error({ error: err.message }, 'consumer stop failed'));
      await audit.close();
      await ops.close();
      logger.info({ lines: audit.nextSeq, lastHash: audit.lastHash }, 'sink stopped');
    },
  };
}

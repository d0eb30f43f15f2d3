import { AUDIT_ERROR_CODES, AuditCheckpointMismatchError, type AuditEvent, type Checkpointer, createCheckpointer, FlkAuditError, openAuditLog, verifyAuditDir } from '@flk/audit';
import { startOpsServer } from '@flk/ops-http';
import type { Logger } from '@flk/pcs';
import { backoffDelay } from '@flk/kafka';
import { createWireCodec } from '@flk/registry';
import type { SinkConfig } from './config.js';
import { type ConsumerState, createVerdictConsumer, isKafkaError, type VerdictConsumerHandlers } from './consumer.js';
import { createSinkMetrics, verdictFacts } from './metrics.js';
import { AUDIT_PATHS, auditRoutes, type AuditApiSource } from './audit-api.js';
import { checkAgainstCheckpoint, createCheckpointChannel } from './checkpoints.js';
import { createSinkBatchHandler, planSeeks, type SinkEvent } from './processor.js';

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
  else if (e.type === 'tree_repaired') logger.warn({ from: e.from, size: e.size }, 'audit: stored subtree hashes were missing or wrong from this leaf on, rebuilt from the log');
  else logger.error({ error: e.message }, 'audit write failed');
}

export async function startSink(config: SinkConfig, logger: Logger): Promise<RunningSink> {
  const metrics = createSinkMetrics();
  const status: { kafka: ConsumerState | 'starting'; registry: 'ok' | 'unreachable'; audit: 'opening' | 'ok' | 'failed' | 'disk_full' } = {
    kafka: 'starting',
    registry: 'ok',
    audit: 'opening',
  };
  let failFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (failFatal = resolve));

  // /audit/* answers 503 until the audit log is open (api.source set below).
  const api: { source?: AuditApiSource } = {};
  const ops = await startOpsServer({
    port: config.httpPort,
    metrics: metrics.registry,
    basicAuth: config.metricsAuth,
    routes: {
      paths: AUDIT_PATHS,
      handle: (path, q) => (api.source ? auditRoutes(api.source).handle(path, q) : Promise.resolve({ status: 503, body: '{"error":"audit_not_open","message":"the audit log is not open yet"}', contentType: 'application/json' })),
    },
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

  // Checkpoints: created once the last published one has been read back and the log extends it.
  const cpConfig = config.checkpoint;
  const channel = cpConfig
    ? createCheckpointChannel({ brokers: config.brokers, clientId: config.clientId, ssl: config.ssl, sasl: config.sasl, topic: cpConfig.topic, origin: cpConfig.origin, logger })
    : undefined;
  let checkpointer: Checkpointer | undefined;
  api.source = { tree: audit.tree, latest: () => checkpointer?.latest(), checkpoints: cpConfig !== undefined };
  const auditLog = audit;
  async function startCheckpoints(): Promise<void> {
    if (!cpConfig || !channel || checkpointer) return;
    const note = await channel.readLast();
    let last;
    if (note !== undefined) {
      const c = checkAgainstCheckpoint(note, cpConfig.key, cpConfig.origin, auditLog.tree);
      if (!c.ok) {
        let where = '';
        if (c.mismatch.reason === 'rewritten') {
          // The chain may point at the first changed line (a rewrite that re-chained everything cannot be located).
          const v = await verifyAuditDir(config.auditDir);
          if (!v.ok) where = `; the hash chain breaks at ${v.segment} line ${v.line} (${v.reason})`;
        }
        throw new AuditCheckpointMismatchError(`audit log ${config.auditDir} is inconsistent with the last checkpoint published to ${cpConfig.topic}: ${c.mismatch.message}${where}`, c.mismatch.reason, c.mismatch.logSize, c.mismatch.checkpointSize);
      }
      last = c.checkpoint;
      logger.info({ size: last.size, logSize: auditLog.tree.size }, 'audit log extends the last published checkpoint');
    } else logger.info({ topic: cpConfig.topic, origin: cpConfig.origin }, 'no checkpoint published yet for this origin');
    checkpointer = createCheckpointer({
      tree: auditLog.tree,
      key: cpConfig.key,
      origin: cpConfig.origin,
      every: cpConfig.every,
      intervalMs: cpConfig.intervalMs,
      last,
      publish: (cp) => channel.publish(cp),
      onEvent: (e) => {
        if (e.type === 'checkpoint_published') logger.debug({ size: e.size }, 'audit checkpoint published');
        else logger.warn({ size: e.size, error: e.message }, 'audit checkpoint publish failed; retried at the next trigger');
      },
    });
    checkpointer.appended(); // entries logged since the last checkpoint (or before the first) get one soon
  }

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
      case 'audit_disk_full':
        status.audit = 'disk_full';
        metrics.auditDiskFull(true);
        logger.error({ attempt: e.attempt, delayMs: e.delayMs, error: e.message }, 'audit disk full: not committing, retrying the batch when space is back');
        break;
      case 'audit_space_back':
        status.audit = 'ok';
        metrics.auditDiskFull(false);
        logger.info({ attempts: e.attempts }, 'audit disk has room again: batch logged');
        break;
      case 'registry_recovered':
        status.registry = 'ok';
        logger.info({}, 'schema registry reachable again');
        break;
    }
  };
  const checkpointedAudit = {
    lastOffset: audit.lastOffset,
    append: async (entries: Parameters<typeof audit.append>[0]) => {
      await auditLog.append(entries);
      checkpointer?.appended();
    },
  };
  const processor = createSinkBatchHandler({ audit: checkpointedAudit, decoder: codec, observe: (v) => metrics.observe(verdictFacts(v)), onEvent });

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
        await startCheckpoints();
        committed = await consumer.committedOffsets();
        logger.info({ groupId: config.groupId, committed: Object.fromEntries(committed) }, 'group offsets read');
        if (stopping) return;
        await consumer.start(handlers);
        return;
      } catch (err) {
        if (err instanceof AuditCheckpointMismatchError) {
          // Refuse to run on this log: nothing is consumed or appended (docs/audit.md).
          status.audit = 'failed';
          failFatal(err);
          return;
        }
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
      if (checkpointer) {
        // The last word: a checkpoint of everything logged, before the log closes.
        checkpointer.stop();
        await checkpointer.flush();
      }
      await channel?.close();
      await audit.close();
      await ops.close();
      logger.info({ lines: audit.nextSeq, lastHash: audit.lastHash }, 'sink stopped');
    },
  };
}

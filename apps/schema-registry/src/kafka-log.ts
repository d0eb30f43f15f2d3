// SchemaLog on a compacted, single-partition Kafka topic (`_schemas`), as Confluent's registry
// stores its state:
// - every write is produced with acks=all by an idempotent producer, and is acknowledged to the
//   caller only when the broker has acknowledged it AND this process has read it back and applied
//   it (so the state only ever changes in log order, through one path);
// - the state is rebuilt at start-up by reading the topic from the beginning; `sync()` (used at
//   start-up and before each write) produces a NOOP marker and waits until it has been read, which
//   proves everything before it has been applied, whatever compaction removed in between;
// - kafkajs has no manual partition assignment, so the reader is a consumer in a group of its own
//   (unique per process) that never commits offsets: each start reads from offset 0.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
// kafkajs is CommonJS; node's ESM loader detects only some of its named exports, so use the default.
import kafkajs, { type Consumer, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { KafkaConnection } from '@flk/config';
import { errors, StoreError } from './errors.js';
import type { Logger } from './logger.js';
import { decodeRecord, encodeRecord, type LogRecord } from './records.js';
import type { SchemaLog } from './registry.js';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  /** TLS (true: the system CAs; { ca }: this PEM) and SASL, as read by @flk/config's readKafkaConnection. */
  readonly ssl?: KafkaConnection['ssl'];
  readonly sasl?: KafkaConnection['sasl'];
  readonly clientId: string;
  readonly topic: string;
  /** Create the topic (compacted, 1 partition) when it does not exist. */
  readonly createTopic: boolean;
  /** Longest wait for a write (produce + read back) before answering 50002. */
  readonly writeTimeoutMs: number;
  readonly logger: Logger;
  readonly kafkaLogLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Applies one record to the state; returns a warning for records that contradict it. */
  readonly apply: (record: LogRecord) => string | undefined;
  /** The reader stopped for good: the state can no longer follow the log. */
  readonly onFatal: (err: Error) => void;
}

export interface KafkaLog extends SchemaLog {
  /** sync() with its own time limit: the start-up catch-up reads the whole topic first. */
  catchUp(timeoutMs: number): Promise<void>;
  /** Offset of the last record applied (-1 before the first). */
  readonly appliedOffset: bigint;
  close(): Promise<void>;
}

const { ConfigResourceTypes, Kafka, logLevel: KafkaLogLevel, Partitioners } = kafkajs;

const KAFKA_LEVELS = { error: KafkaLogLevel.ERROR, warn: KafkaLogLevel.WARN, info: KafkaLogLevel.INFO, debug: KafkaLogLevel.DEBUG };

/** kafkajs log lines as structured lines of the injected logger. */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, timestamp: _t, logger: _l, ...extra } = log;
      const line = { component: 'kafkajs', ...extra };
      if (level <= KafkaLogLevel.ERROR) logger.error(line, message);
      else if (level === KafkaLogLevel.WARN) logger.warn(line, message);
      else if (level === KafkaLogLevel.INFO) logger.info(line, message);
      else logger.debug(line, message);
    };
}

interface Waiter {
  offset: bigint;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Connects, checks (or creates) the topic and starts reading; call sync() before serving. */
export async function startKafkaLog(opts: KafkaLogOptions): Promise<KafkaLog> {
  const { topic, logger } = opts;
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    ssl: typeof opts.ssl === 'object' ? { ca: opts.ssl.ca } : (opts.ssl ?? false),
    sasl: opts.sasl === undefined ? undefined : ({ ...opts.sasl } as SASLOptions),
    logLevel: KAFKA_LEVELS[opts.kafkaLogLevel],
    logCreator: kafkaLogCreator(logger),
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
  });

  const admin = kafka.admin();
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let applied = -1n;
  let closed = false;
  const waiters = new Set<Waiter>();

  const rejectAll = (err: Error): void => {
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    waiters.clear();
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    rejectAll(errors.storeError('the registry is shutting down'));
    await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), admin.disconnect()]);
  };

  try {
    await admin.connect();
    await ensureTopic();

    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent producer retries without limit (kafkajs' default for it); a write that takes
      // too long is answered 50002 by the write timeout instead.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    await producer.connect();

    const groupId = `${opts.clientId}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 1000 });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (closed) return;
      if (payload.restart) {
        logger.warn({ err: payload.error }, 'schema log reader crashed; kafkajs restarts it');
        return;
      }
      const err = errors.storeError(`schema log reader stopped: ${message(payload.error)}`, payload.error);
      rejectAll(err);
      opts.onFatal(err);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message: m }) => {
        const offset = BigInt(m.offset);
        // After a reader restart kafkajs reads from the beginning again: apply each offset once.
        if (offset <= applied) return;
        const decoded = decodeRecord(m.key === null ? null : m.key.toString('utf8'), m.value === null ? null : m.value.toString('utf8'));
        if (!decoded.ok) {
          logger.warn({ topic, offset: m.offset, reason: decoded.reason }, 'skipping unreadable schema log record');
        } else {
          const warning = opts.apply(decoded.record);
          if (warning !== undefined) logger.warn({ topic, offset: m.offset }, warning);
        }
        applied = offset;
        for (const w of waiters) {
          if (w.offset <= applied) {
            clearTimeout(w.timer);
            waiters.delete(w);
            w.resolve();
          }
        }
      },
    });
  } catch (err) {
    await close();
    throw err instanceof StoreError ? err : errors.storeError(`cannot start the schema log on ${topic}: ${message(err)}`, err);
  }

  async function ensureTopic(): Promise<void> {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      if (!opts.createTopic) throw errors.storeError(`topic ${topic} does not exist`);
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      logger.info({ topic }, 'created the schema log topic');
    }
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = meta.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) throw errors.storeError(`topic ${topic} must have exactly 1 partition, it has ${partitions}`);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== 'compact') throw errors.storeError(`topic ${topic} must have cleanup.policy=compact, it has ${policy ?? 'none'}`);
  }

  const waitApplied = (offset: bigint, timeoutMs: number, what: string): Promise<void> => {
    if (offset <= applied) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        offset,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(w);
          reject(errors.storeTimeout(`${what}: not read back from ${topic} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiters.add(w);
    });
  };

  /** Produces and resolves with the offset of the last record, within the write timeout. */
  const produce = async (messages: { key: string; value: string | null }[], deadline: number): Promise<bigint> => {
    if (closed || !producer) throw errors.storeError('the registry is shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(errors.storeTimeout(`write to ${topic} not acknowledged in time`)), Math.max(0, deadline - Date.now()));
    });
    try {
      const meta = await Promise.race([
        producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition: 0 })) }),
        timeout,
      ]);
      const base = meta[0]?.baseOffset;
      if (base === undefined) throw errors.storeError(`write to ${topic} returned no offset`);
      return BigInt(base) + BigInt(messages.length - 1);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw errors.storeError(`Error while writing to ${topic}: ${message(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
  };

  const syncWithin = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const offset = await produce([encodeRecord({ type: 'noop' })], deadline);
    await waitApplied(offset, Math.max(1, deadline - Date.now()), 'catch-up marker');
  };

  return {
    get appliedOffset() {
      return applied;
    },
    async append(records) {
      const deadline = Date.now() + opts.writeTimeoutMs;
      const last = await produce(records.map(encodeRecord), deadline);
      await waitApplied(last, Math.max(1, deadline - Date.now()), 'write');
    },
    sync() {
      return syncWithin(opts.writeTimeoutMs);
    },
    catchUp(timeoutMs) {
      return syncWithin(timeoutMs);
    },
    close,
  };
}

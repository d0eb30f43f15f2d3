import kafkajs, { type Consumer, type EachBatchPayload } from 'kafkajs';
import { createKafkaClient, type KafkaClient, type KafkaClientOptions, type RecordBatch } from '@flk/kafka';
import type { Logger } from '@flk/pcs';
import type { BatchControl } from './processor.js';

// The sink's Kafka consumer: kafkajs behind a small surface. Plain group consumer with
// read_committed (kafkajs' default, so aborted verifier transactions are never seen), manual
// offset commits only (autoCommit off: an offset is committed after its audit line is durable),
// one partition batch at a time (audit appends are sequential anyway).

export interface VerdictConsumerOptions {
  brokers: readonly string[];
  clientId: string;
  /** TLS (true: the system CAs) and SASL, as read by @flk/config's readKafkaConnection. */
  ssl?: KafkaClientOptions['ssl'];
  sasl?: KafkaClientOptions['sasl'];
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  logger: Logger;
}

export type ConsumerState = 'connecting' | 'unreachable' | 'joined' | 'rebalancing' | 'crashed' | 'stopped';

export interface VerdictConsumerHandlers {
  /** Synchronously on every assignment, before the first fetch: the place to seek. */
  onAssigned(assigned: Array<{ topic: string; partitions: number[] }>): void;
  onBatch(batch: RecordBatch, control: BatchControl): Promise<void>;
  onState(state: ConsumerState, detail?: { error?: string; restart?: boolean }): void;
}

export interface VerdictConsumer {
  /** The group's committed offset per partition of the topic ('-1' when none). */
  committedOffsets(): Promise<Map<number, string>>;
  /** Connects, subscribes and runs; may be called again after a failed start (listeners are added once). */
  start(handlers: VerdictConsumerHandlers): Promise<void>;
  seek(topic: string, partition: number, offset: string): void;
  /** Leaves the group after the batch in progress (kafkajs waits for it). */
  stop(): Promise<void>;
}

export function createVerdictConsumer(opts: VerdictConsumerOptions): VerdictConsumer {
  const kafka: KafkaClient = createKafkaClient({
    brokers: opts.brokers,
    clientId: opts.clientId,
    ssl: opts.ssl,
    sasl: opts.sasl,
    logger: opts.logger,
    logLevel: 'warn',
  });
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: Math.max(1000, Math.floor(opts.sessionTimeoutMs / 10)),
    // readUncommitted stays false (read_committed).
  });

  let listening = false;

  return {
    async committedOffsets() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const res = await admin.fetchOffsets({ groupId: opts.groupId, topics: [opts.topic] });
        return new Map((res.find((t) => t.topic === opts.topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
      } finally {
        await admin.disconnect();
      }
    },

    async start(h) {
      if (!listening) {
        listening = true;
        const { GROUP_JOIN, CRASH, REBALANCING, STOP } = consumer.events;
        consumer.on(GROUP_JOIN, (e) => {
          const assignment = e.payload.memberAssignment as Record<string, number[]>;
          h.onAssigned(Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions: [...partitions] })));
          h.onState('joined');
        });
        consumer.on(REBALANCING, () => h.onState('rebalancing'));
        consumer.on(CRASH, (e) => h.onState('crashed', { error: e.payload.error.message, restart: e.payload.restart }));
        consumer.on(STOP, () => h.onState('stopped'));
      }
      h.onState('connecting');
      await consumer.connect();
      await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (p: EachBatchPayload) => {
          const { batch } = p;
          const control: BatchControl = {
            isRunning: () => p.isRunning() && !p.isStale(),
            heartbeat: () => p.heartbeat(),
            async commit(offset) {
              // resolveOffset of the batch's last message also steps over a trailing transaction
              // marker (kafkajs resolves batch.lastOffset() then).
              p.resolveOffset(offset);
              await p.commitOffsetsIfNecessary(p.uncommittedOffsets());
            },
            seek: (offset) => consumer.seek({ topic: batch.topic, partition: batch.partition, offset }),
          };
          await h.onBatch(
            {
              topic: batch.topic,
              partition: batch.partition,
              records: batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null, timestamp: m.timestamp, headers: m.headers })),
            },
            control,
          );
        },
      });
    },

    seek(topic, partition, offset) {
      consumer.seek({ topic, partition, offset });
    },

    async stop() {
      await consumer.disconnect();
    },
  };
}

/** Errors raised by kafkajs itself (its consumer knows how to recover from them). */
export function isKafkaError(err: unknown): boolean {
  return err instanceof kafkajs.KafkaJSError; // kafkajs is CommonJS: its error classes are not named ESM exports
}

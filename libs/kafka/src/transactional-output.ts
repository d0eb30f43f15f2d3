// One transactional producer per input partition (transactionalId = <prefix>-<topic>-<partition>),
// the pre-KIP-447 fencing pattern: whoever owns input partition p owns that id, so a new owner's
// InitProducerId fences the previous one and aborts (or waits out) its open transaction. Each
// `commit` is one transaction: output messages + the consumer group's input offset.
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '@flk/pcs';
import { silentLogger } from '@flk/pcs';
import type { KafkaClient } from './client.js';
import { KafkaProgrammerError, toKafkaError } from './errors.js';
import { FastDefaultPartitioner } from './partitioner.js';

export interface OutputMessage {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

export interface InputOffset {
  consumerGroupId: string;
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1), as a decimal string. */
  offset: string;
}

export interface PartitionOutput {
  readonly transactionalId: string;
  /**
   * Sends `messages` and commits `offset` for the group in ONE transaction. On any failure the
   * transaction is aborted (best effort), this producer is discarded (the next `acquire` creates a
   * fresh one, which bumps the epoch and resets sequence numbers) and a typed error is thrown.
   */
  commit(messages: readonly OutputMessage[], offset: InputOffset): Promise<void>;
}

export interface TransactionalOutputsOptions {
  kafka: KafkaClient;
  transactionalIdPrefix: string;
  /** Broker-side limit of an open transaction; an open transaction blocks read_committed readers. Default 10 000. */
  transactionTimeoutMs?: number;
  logger?: Logger;
  /** Typed event for metrics: duration of one transaction (send + offsets + commit). */
  onTransaction?: (event: { topic: string; partition: number; messages: number; seconds: number; ok: boolean }) => void;
}

export interface TransactionalOutputs {
  /**
   * The output for input partition (topic, partition). `fresh` is true when a producer was just
   * created (InitProducerId done: any earlier owner is fenced and its transaction finished), i.e.
   * when the caller must re-read the committed offset before processing.
   */
  acquire(topic: string, partition: number): Promise<{ output: PartitionOutput; fresh: boolean }>;
  /** Disconnects the producer of a partition this process no longer owns. */
  release(topic: string, partition: number): Promise<void>;
  closeAll(): Promise<void>;
}

export function transactionalIdFor(prefix: string, topic: string, partition: number): string {
  return `${prefix}-${topic}-${partition}`;
}

/**
 * Bytes (keys + values + headers, estimated) one produce request of a transaction carries at most.
 * kafkajs puts all messages for one partition of one request into one record batch, which the broker
 * refuses beyond the topic's max.message.bytes (1 MiB by default): a refused transaction is retried
 * forever, so large outputs (e.g. several big DLQ entries) are split over several requests of the
 * same transaction instead. Typical chunks (a few hundred small verdicts) stay one request.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

function messageBytes(m: OutputMessage): number {
  let n = 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + v.length + 8;
  return n;
}

/** Consecutive runs of `messages` of at most `maxBytes` each (a single bigger message is a run of its own). */
export function splitBySize(messages: readonly OutputMessage[], maxBytes: number): OutputMessage[][] {
  const out: OutputMessage[][] = [];
  let cur: OutputMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const b = messageBytes(m);
    if (cur.length > 0 && bytes + b > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function groupByTopic(messages: readonly OutputMessage[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const m of messages) {
    let list = byTopic.get(m.topic);
    if (!list) byTopic.set(m.topic, (list = []));
    list.push({ key: m.key, value: m.value, headers: m.headers });
  }
  return [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
}

export function createTransactionalOutputs(opts: TransactionalOutputsOptions): TransactionalOutputs {
  const logger = opts.logger ?? silentLogger;
  const timeout = opts.transactionTimeoutMs ?? 10_000;
  const onTxn = opts.onTransaction ?? (() => {});
  const producers = new Map<string, Promise<{ producer: Producer; output: PartitionOutput }>>();
  let closed = false;

  const disconnect = (producer: Producer): Promise<void> => producer.disconnect().catch(() => {});

  async function discard(id: string, producer: Producer): Promise<void> {
    const current = producers.get(id);
    if (current) {
      const entry = await current.catch(() => undefined);
      if (entry?.producer === producer) producers.delete(id);
    }
    await disconnect(producer);
  }

  async function create(id: string, topic: string, partition: number): Promise<{ producer: Producer; output: PartitionOutput }> {
    const producer = opts.kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: timeout,
      allowAutoTopicCreation: false,
      createPartitioner: FastDefaultPartitioner, // = kafkajs' DefaultPartitioner, cheaper (partitioner.ts)
      // Short first retry: right after EndTxn the coordinator answers CONCURRENT_TRANSACTIONS until
      // the markers are written (a few ms); the Java client also retries that after ~20 ms.
      retry: { retries: 8, initialRetryTime: 20, maxRetryTime: 2000 },
    });
    try {
      await producer.connect();
      // The fence. kafkajs's connect() only fetches a non-transactional (idempotent) producer id;
      // the transactional InitProducerId — the one that bumps the epoch of `id`, so the previous
      // owner can no longer commit, and finishes that owner's open transaction — runs at the
      // first transaction(). Left there, it ran after the caller had re-read the committed offset
      // (the cluster drill: an old owner committed a chunk after the new owner had read the
      // offset before it, and the chunk was answered twice). An empty transaction aborted sends
      // no EndTxn, so this is InitProducerId alone.
      await (await producer.transaction()).abort();
    } catch (err) {
      await disconnect(producer);
      throw toKafkaError(err, `init producer ${id}`);
    }
    logger.info({ component: 'kafka', transactionalId: id, topic, partition }, 'transactional producer ready');

    const output: PartitionOutput = {
      transactionalId: id,
      async commit(messages, offset) {
        if (offset.topic !== topic || offset.partition !== partition) {
          throw new KafkaProgrammerError(`output ${id} cannot commit offsets of ${offset.topic}/${offset.partition}`);
        }
        const t0 = performance.now();
        let txn: Awaited<ReturnType<Producer['transaction']>> | undefined;
        try {
          txn = await producer.transaction();
          for (const part of splitBySize(messages, MAX_REQUEST_BYTES)) await txn.sendBatch({ topicMessages: groupByTopic(part), acks: -1 });
          await txn.sendOffsets({
            consumerGroupId: offset.consumerGroupId,
            topics: [{ topic, partitions: [{ partition, offset: offset.offset }] }],
          });
          await txn.commit();
          onTxn({ topic, partition, messages: messages.length, seconds: (performance.now() - t0) / 1000, ok: true });
        } catch (err) {
          onTxn({ topic, partition, messages: messages.length, seconds: (performance.now() - t0) / 1000, ok: false });
          const typed = toKafkaError(err, `transaction ${id}`);
          if (txn?.isActive()) await txn.abort().catch(() => {});
          // After a failed transaction the producer's sequence numbers and epoch are suspect: a
          // fresh producer (new epoch) is the only state kafkajs recovers from reliably.
          await discard(id, producer);
          logger.warn({ component: 'kafka', transactionalId: id, code: typed.code, err: typed.message }, 'transaction aborted');
          throw typed;
        }
      },
    };
    return { producer, output };
  }

  return {
    async acquire(topic, partition) {
      if (closed) throw new KafkaProgrammerError('transactional outputs used after closeAll()');
      const id = transactionalIdFor(opts.transactionalIdPrefix, topic, partition);
      const existing = producers.get(id);
      if (existing) {
        try {
          return { output: (await existing).output, fresh: false };
        } catch {
          // creation failed earlier; fall through and try again
        }
      }
      const pending = create(id, topic, partition);
      producers.set(id, pending);
      try {
        return { output: (await pending).output, fresh: true };
      } catch (err) {
        if (producers.get(id) === pending) producers.delete(id);
        throw err;
      }
    },

    async release(topic, partition) {
      const id = transactionalIdFor(opts.transactionalIdPrefix, topic, partition);
      const pending = producers.get(id);
      if (!pending) return;
      producers.delete(id);
      const entry = await pending.catch(() => undefined);
      if (entry) await disconnect(entry.producer);
    },

    async closeAll() {
      closed = true;
      const all = [...producers.values()];
      producers.clear();
      await Promise.all(all.map(async (p) => {
        const entry = await p.catch(() => undefined);
        if (entry) await disconnect(entry.producer);
      }));
    },
  };
}

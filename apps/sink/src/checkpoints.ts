import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import {
  AUDIT_ERROR_CODES,
  FlkAuditError,
  type NodeSource,
  type NoteSignerKey,
  parseVerifierKey,
  MerkleReader,
  verifyCheckpointNote,
  type SignedCheckpoint,
} from '@flk/audit';
import { createKafkaClient, type KafkaClientOptions } from '@flk/kafka';
import type { Logger } from '@flk/pcs';

// The sink's checkpoints on Kafka (docs/audit.md): published to a compacted topic
// (pcs.audit.checkpoints), the record key being the checkpoint's origin, so the topic keeps the
// newest checkpoint of every log forever. At start-up the newest one is read back and the log on
// disk must extend it; the topic is the witness outside the audit directory that makes a cut-off
// tail or a rewritten log visible.

export interface CheckpointChannelOptions {
  brokers: readonly string[];
  clientId: string;
  ssl?: KafkaClientOptions['ssl'];
  sasl?: KafkaClientOptions['sasl'];
  topic: string;
  origin: string;
  logger: Logger;
}

export interface CheckpointChannel {
  /** The newest checkpoint note published for our origin, or undefined when there is none. */
  readLast(): Promise<string | undefined>;
  publish(cp: SignedCheckpoint): Promise<void>;
  close(): Promise<void>;
}

const READ_TIMEOUT_MS = 30_000;

export function createCheckpointChannel(opts: CheckpointChannelOptions): CheckpointChannel {
  const kafka = createKafkaClient({ brokers: opts.brokers, clientId: opts.clientId, ssl: opts.ssl, sasl: opts.sasl, logger: opts.logger, logLevel: 'warn' });
  let producer: Producer | null = null;
  return {
    async readLast() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(opts.topic);
        const ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
        if (ends.size === 0) return undefined;
        // A throw-away group that commits nothing: kafkajs reads only through a group.
        const groupId = `${opts.clientId}.checkpoint-reader.${randomBytes(6).toString('hex')}`;
        const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
        let last: { offset: bigint; note: string } | undefined;
        try {
          await consumer.connect();
          await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new FlkAuditError(AUDIT_ERROR_CODES.CORRUPT, `${opts.topic}: could not read to the end within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
            const remaining = new Map(ends);
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  const key = message.key?.toString('utf8');
                  if (key === opts.origin && message.value) {
                    // One partition holds one origin's records in order (keyed); keep the newest.
                    const off = BigInt(message.offset);
                    if (!last || off > last.offset) last = { offset: off, note: message.value.toString('utf8') };
                  }
                  const end = remaining.get(partition);
                  if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
                  if (remaining.size === 0) {
                    clearTimeout(timer);
                    resolve();
                  }
                },
              })
              .catch(reject);
          });
        } finally {
          await consumer.disconnect().catch(() => undefined);
          await admin.deleteGroups([groupId]).catch(() => undefined);
        }
        return last?.note;
      } finally {
        await admin.disconnect();
      }
    },
    async publish(cp) {
      if (!producer) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
      }
      await producer.send({ topic: opts.topic, acks: -1, messages: [{ key: opts.origin, value: cp.note }] });
    },
    async close() {
      await producer?.disconnect().catch(() => undefined);
      producer = null;
    },
  };
}

/** Where the log on disk disagrees with the last published checkpoint (null: it extends it). */
export interface CheckpointMismatch {
  reason: 'truncated' | 'rewritten' | 'foreign_signature';
  /** Entries in the log now. */
  logSize: number;
  /** Entries the checkpoint covers. */
  checkpointSize: number;
  message: string;
}

/**
 * Checks the log's tree against the last published checkpoint: signed by our key, for our origin,
 * and the log holds at least its entries and its first `size` entries hash to its root.
 */
export function checkAgainstCheckpoint(note: string, key: NoteSignerKey, origin: string, tree: NodeSource & { readonly size: number }): { ok: true; checkpoint: SignedCheckpoint } | { ok: false; mismatch: CheckpointMismatch } {
  const v = verifyCheckpointNote(note, parseVerifierKey(key.text), origin);
  if (!v.ok) {
    return { ok: false, mismatch: { reason: 'foreign_signature', logSize: tree.size, checkpointSize: -1, message: `the last published checkpoint for ${origin} does not verify with this sink's key: ${v.problem}` } };
  }
  const cp = v.checkpoint;
  if (tree.size < cp.size) {
    return { ok: false, mismatch: { reason: 'truncated', logSize: tree.size, checkpointSize: cp.size, message: `the log holds ${tree.size} entries, the last published checkpoint covers ${cp.size}: entries ${tree.size}..${cp.size - 1} are missing (truncated)` } };
  }
  const root = new MerkleReader(tree).root(cp.size);
  if (!Buffer.from(root).equals(Buffer.from(cp.root))) {
    return {
      ok: false,
      mismatch: { reason: 'rewritten', logSize: tree.size, checkpointSize: cp.size, message: `the first ${cp.size} entries of the log hash to ${Buffer.from(root).toString('hex')}, the last published checkpoint says ${Buffer.from(cp.root).toString('hex')} (rewritten)` },
    };
  }
  return { ok: true, checkpoint: { size: cp.size, root: cp.root, note } };
}

// The gateway's submission producer: idempotent (acks = all in-sync replicas), one produce request
// in flight at a time, and every submission that arrives while one is in flight goes into the next
// request. kafkajs sends one request per send() call, so per-request sends would cap the gateway
// at ~1/latency requests per second; batching concurrent submissions keeps one round trip of
// latency and scales with load (a batch is whatever queued during the previous round trip).
//
// Each submission has a deadline (GATEWAY_KAFKA_ACK_TIMEOUT_MS): past it the caller gets
// KafkaAckTimeoutError (→ 503) whether or not its request is still in flight. A submission whose
// deadline passed before it was sent is never sent. One that was sent may still be written after
// the 503: the client's retry is then a duplicate, answered with the stored verdict (dedup by
// pcs_id) — the gateway never acknowledges a record the broker has not acknowledged.
import type { IHeaders, Producer } from 'kafkajs';
import { FastDefaultPartitioner, KafkaUnavailableError, toKafkaError, type KafkaClient } from '@flk/kafka';
import type { Logger } from '@flk/pcs';

/** The broker did not acknowledge in time (retriable: the client may resubmit; → 503). */
export class KafkaAckTimeoutError extends KafkaUnavailableError {
  constructor(ms: number) {
    super(`kafka: no acknowledgement within ${ms} ms`);
  }
}

export interface Submission {
  key: string;
  value: Buffer;
  headers: IHeaders;
}

export interface SubmitProducer {
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged the record (acks=all); rejects with a retriable FlkKafkaError otherwise. */
  send(s: Submission): Promise<void>;
  close(): Promise<void>;
  /** False after a failed request until one succeeds. */
  healthy(): boolean;
}

export interface SubmitProducerOptions {
  kafka: KafkaClient;
  topic: string;
  ackTimeoutMs: number;
  maxBatch: number;
  logger: Logger;
  onRequest?: (e: { records: number; seconds: number; ok: boolean }) => void;
}

interface Pending {
  s: Submission;
  deadline: number;
  done: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export function createSubmitProducer(opts: SubmitProducerOptions): SubmitProducer {
  const newProducer = (): Producer =>
    opts.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: FastDefaultPartitioner, // murmur2 of pcs_id, as the agents and SDKs
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    });
  let producer: Producer | null = null;
  let connected: Promise<void> | null = null;
  let queue: Pending[] = [];
  let sending = false;
  let ok = true;
  let closed = false;

  const ensureConnected = (): Promise<void> => {
    if (producer === null) producer = newProducer();
    const p = producer;
    connected ??= p.connect().catch((err: unknown) => {
      connected = null;
      throw toKafkaError(err, 'producer connect');
    });
    return connected;
  };

  // A failed request may leave kafkajs' idempotent producer with sequence numbers the broker no
  // longer agrees with: start over with a new producer id (the next request re-connects).
  const discard = () => {
    const p = producer;
    producer = null;
    connected = null;
    void p?.disconnect().catch(() => {});
  };

  const flush = async (): Promise<void> => {
    if (sending || closed) return;
    sending = true;
    try {
      while (queue.length > 0) {
        const now = Date.now();
        const live = queue.filter((p) => !p.done && p.deadline > now);
        const batch = live.slice(0, opts.maxBatch);
        queue = live.slice(opts.maxBatch);
        if (batch.length === 0) continue;
        const t0 = performance.now();
        try {
          await ensureConnected();
          await producer!.send({
            topic: opts.topic,
            acks: -1,
            timeout: opts.ackTimeoutMs,
            messages: batch.map((p) => ({ key: p.s.key, value: p.s.value, headers: p.s.headers })),
          });
          ok = true;
          opts.onRequest?.({ records: batch.length, seconds: (performance.now() - t0) / 1000, ok: true });
          for (const p of batch) finish(p, null);
        } catch (err) {
          ok = false;
          opts.onRequest?.({ records: batch.length, seconds: (performance.now() - t0) / 1000, ok: false });
          const e = toKafkaError(err, `produce to ${opts.topic}`);
          opts.logger.warn({ code: e.code, err: e.message, records: batch.length }, 'produce request failed');
          discard();
          for (const p of batch) finish(p, e);
        }
      }
    } finally {
      sending = false;
    }
  };

  const finish = (p: Pending, err: Error | null) => {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (err === null) p.resolve();
    else p.reject(err);
  };

  return {
    connect: ensureConnected,
    healthy: () => ok,
    send(s) {
      if (closed) return Promise.reject(new KafkaUnavailableError('kafka: producer closed'));
      return new Promise<void>((resolve, reject) => {
        const p: Pending = { s, deadline: Date.now() + opts.ackTimeoutMs, done: false, resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
        p.timer = setTimeout(() => finish(p, new KafkaAckTimeoutError(opts.ackTimeoutMs)), opts.ackTimeoutMs);
        queue.push(p);
        void flush();
      });
    },
    async close() {
      closed = true;
      const err = new KafkaUnavailableError('kafka: producer closed');
      for (const p of queue) finish(p, err);
      queue = [];
      await producer?.disconnect().catch(() => {});
    },
  };
}

// The transport ceiling: the same consume → produce loop as the verifier, with the same kafkajs
// client, consumer and batching settings, and no work (each input record is copied to the output
// topic as is). Run as its own process by bench/run.ts, one mode per run:
//   txn    @flk/kafka's createTransactionalConsumer + createTransactionalOutputs: exactly the
//          verifier's machinery (one transaction per chunk: records + input offsets), minus
//          decode / decide / Redis.
//   plain  a kafkajs consumer (same options) and one idempotent producer: sendBatch per chunk,
//          then commitOffsets — at-least-once, what the loop costs without transactions.
//   platformatic-plain  the same plain loop on @platformatic/kafka 1.x (stream consumer, chunks of
//          the same size, idempotent producer acks=all, offsets committed per chunk): is kafkajs
//          the ceiling?
// Settings come from the environment (BENCH_*), set by run.ts from the same values it gives the
// verifier.
import { createKafkaClient, createTransactionalConsumer, createTransactionalOutputs, FastDefaultPartitioner, type OutputMessage } from '@flk/kafka';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const mode = env('BENCH_MODE');
const input = env('BENCH_IN');
const output = env('BENCH_OUT');
const groupId = env('BENCH_GROUP');
const maxRecords = Number(env('BENCH_MAX_BATCH', '500'));
const concurrency = Number(env('BENCH_CONCURRENCY', '3'));
const maxBytesPerPartition = Number(env('BENCH_MAX_BYTES', '1048576'));
const maxWaitTimeMs = Number(env('BENCH_MAX_WAIT_MS', '500'));
const kafka = createKafkaClient({ brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), clientId: `${groupId}-loop`, logLevel: 'error' });

let stop: () => Promise<void> = async () => {};

async function runTxn(): Promise<void> {
  const outputs = createTransactionalOutputs({ kafka, transactionalIdPrefix: groupId, transactionTimeoutMs: 10_000 });
  const consumer = createTransactionalConsumer({
    kafka,
    outputs,
    groupId,
    topic: input,
    maxRecordsPerTransaction: maxRecords,
    partitionsConsumedConcurrently: concurrency,
    maxBytesPerPartition,
    maxWaitTimeMs,
    onFatal: (err) => {
      process.stderr.write(`loop: fatal ${(err as Error)?.message}\n`);
      process.exit(1);
    },
    process: async (batch) => batch.records.map((r): OutputMessage => ({ topic: output, key: r.key, value: r.value })),
  });
  await consumer.start();
  stop = () => consumer.stop();
}

async function runPlain(): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: FastDefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, maxBytesPerPartition, maxWaitTimeInMs: maxWaitTimeMs, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const msgs = batch.messages;
      for (let i = 0; i < msgs.length && isRunning() && !isStale(); i += maxRecords) {
        const chunk = msgs.slice(i, i + maxRecords);
        const last = chunk[chunk.length - 1]!.offset;
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: output, messages: chunk.map((m) => ({ key: m.key, value: m.value })) }] });
        const next = (BigInt(i + chunk.length >= msgs.length ? batch.lastOffset() : last) + 1n).toString();
        await consumer.commitOffsets([{ topic: input, partition: batch.partition, offset: next }]);
        resolveOffset(last);
        await heartbeat();
      }
    },
  });
  stop = async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

async function runPlatformaticPlain(): Promise<void> {
  const { Consumer, Producer } = await import('@platformatic/kafka');
  const bootstrapBrokers = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
  const producer = new Producer({ clientId: `${groupId}-p`, bootstrapBrokers, idempotent: true, acks: -1 });
  const consumer = new Consumer({ groupId, clientId: `${groupId}-c`, bootstrapBrokers, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  const stream = await consumer.consume({
    topics: [input],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    isolationLevel: 1, // READ_COMMITTED, like the verifier
    maxBytesPerPartition,
    maxWaitTime: maxWaitTimeMs,
  });
  type Msg = { key: Buffer; value: Buffer; partition: number; commit(): Promise<void> };
  let buf: Msg[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    if (flushing || buf.length === 0) return;
    flushing = true;
    stream.pause();
    const chunk = buf;
    buf = [];
    await producer.send({ messages: chunk.map((m) => ({ topic: output, key: m.key, value: m.value })) });
    const last = new Map<number, Msg>();
    for (const m of chunk) last.set(m.partition, m);
    await Promise.all([...last.values()].map((m) => m.commit()));
    flushing = false;
    stream.resume();
  };
  (stream as unknown as NodeJS.EventEmitter).on('data', (m: Msg) => {
    buf.push(m);
    if (buf.length >= maxRecords) void flush();
  });
  const timer = setInterval(() => void flush(), 20);
  stop = async () => {
    clearInterval(timer);
    await stream.close();
    await consumer.close();
    await producer.close();
  };
}

process.once('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
await (mode === 'txn' ? runTxn() : mode === 'plain' ? runPlain() : mode === 'platformatic-plain' ? runPlatformaticPlain() : Promise.reject(new Error(`unknown BENCH_MODE ${mode}`)));
process.stdout.write('loop: running\n');

// What the drills need from the stack: fresh topics, producing, reading a topic back with
// read_committed, consumer-group progress, Redis key counts, and FLK services as child processes
// whose output goes to a per-run log file (kept for the secrets grep), signalled only by their pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders } from 'kafkajs';
import { createRedisClient, type RedisConnection } from '@flk/redis';

export const ENV: {
  brokers: string;
  registry: string;
  redis: string;
  /** Set by the cluster drill (host:port,…): Redis through Sentinel instead of `redis`. */
  sentinels?: string;
  sentinelName?: string;
  /** 3 on the 3-broker stack: the drill's topics get what production's pcs.* topics have. */
  replicationFactor: number;
} = {
  brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  registry: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081',
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6390',
  replicationFactor: 1,
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function kafkaClient(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: ENV.brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, maxRetryTime: 5000 } });
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  compact?: boolean;
  maxMessageBytes?: number;
}

export async function createTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    timeout: 30_000,
    topics: specs.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      replicationFactor: ENV.replicationFactor,
      configEntries: [
        // With RF 3 a write is acknowledged by 2 replicas at least, as on the stack's pcs.* topics.
        ...(ENV.replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }, { name: 'unclean.leader.election.enable', value: 'false' }] : []),
        // Input-like topics stamp the broker's append time (contract §7.4: the verifier's `now`).
        ...(s.compact ? [{ name: 'cleanup.policy', value: 'compact' }] : [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]),
        ...(s.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(s.maxMessageBytes) }] : []),
      ],
    })),
  });
}

export interface OutMessage {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
  /** Set it for big keys: kafkajs' default partitioner hashes keys in time quadratic in their size (100 KB ≈ 1 s). */
  partition?: number;
}

/**
 * Sends `messages` with an idempotent producer in chunks, retrying a failed chunk (a broker
 * restart) until `deadline`; a retried chunk may land twice, which the drills count as inputs.
 */
export async function produceAll(kafka: Kafka, topic: string, messages: Iterable<OutMessage>, opts: { chunk?: number; maxChunkBytes?: number; pace?: (sent: number) => Promise<void>; deadline?: number; onRetry?: (err: Error) => void } = {}): Promise<number> {
  const chunk = opts.chunk ?? 500;
  const maxBytes = opts.maxChunkBytes ?? 512 * 1024;
  let producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let sent = 0;
  const flush = async (batch: OutMessage[]) => {
    for (;;) {
      try {
        await producer.send({ topic, acks: -1, messages: batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })) });
        sent += batch.length;
        return;
      } catch (err) {
        opts.onRetry?.(err as Error);
        if (opts.deadline !== undefined && Date.now() > opts.deadline) throw err;
        await producer.disconnect().catch(() => {});
        await sleep(1000);
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect().catch(() => {});
      }
    }
  };
  try {
    let batch: OutMessage[] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
      if (batch.length > 0 && (batch.length >= chunk || bytes + size > maxBytes)) {
        await flush(batch);
        batch = [];
        bytes = 0;
        await opts.pace?.(sent);
      }
      batch.push(m);
      bytes += size;
    }
    if (batch.length > 0) await flush(batch);
  } finally {
    await producer.disconnect().catch(() => {});
  }
  return sent;
}

export interface ReadRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

function headerStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

/** High watermarks per partition (read_committed readers stop at the last stable offset, which is ≤). */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offs = await admin.fetchTopicOffsets(topic);
  return new Map(offs.map((o) => [o.partition, BigInt(o.high)]));
}

/**
 * Reads `topic` from the beginning with read_committed until `done(records)` holds and nothing more
 * arrived for `settleMs`, or `timeoutMs` passed.
 */
export async function readAll(kafka: Kafka, topic: string, opts: { groupId: string; done: (recs: readonly ReadRecord[]) => boolean; timeoutMs: number; settleMs?: number; maxBytesPerPartition?: number }): Promise<ReadRecord[]> {
  const settle = opts.settleMs ?? 2000;
  const consumer = kafka.consumer({ groupId: opts.groupId, readUncommitted: false, maxWaitTimeInMs: 250, maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1048576, maxBytes: 16 * 1048576 });
  const out: ReadRecord[] = [];
  // A rejoin of this reader (its coordinator moved after a broker fault) delivers again what it
  // read since its last auto-commit. One record per partition and offset: a re-delivery is not a
  // duplicate verdict record.
  const seen = new Set<string>();
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const at = `${batch.partition}:${m.offset}`;
          if (seen.has(at)) continue;
          seen.add(at);
          out.push({ partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: headerStrings(m.headers) });
        }
        if (batch.messages.length > 0) last = Date.now();
      },
    });
    const deadline = Date.now() + opts.timeoutMs;
    while (Date.now() < deadline) {
      if (opts.done(out) && Date.now() - last >= settle) break;
      await sleep(200);
    }
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return out;
}

/** Total lag of `groupId` on `topic` (uncommitted = the whole partition), or null when unknown. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number | null> {
  try {
    const [ends, committed] = await Promise.all([endOffsets(admin, topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    let lag = 0n;
    for (const p of committed[0]?.partitions ?? []) {
      const end = ends.get(p.partition) ?? 0n;
      const c = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
      lag += end > c ? end - c : 0n;
    }
    return Number(lag);
  } catch {
    return null;
  }
}

export function redisClient(): RedisConnection {
  if (ENV.sentinels !== undefined) {
    const sentinels = ENV.sentinels.split(',').map((hp) => {
      const i = hp.lastIndexOf(':');
      return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
    });
    return createRedisClient({ sentinel: { sentinels, name: ENV.sentinelName ?? 'flk' }, connectionName: 'flk-chaos' });
  }
  return createRedisClient({ url: ENV.redis, connectionName: 'flk-chaos' });
}

/**
 * Runs `fn` until it succeeds, while it fails with a retriable error (typed errors' `retriable`),
 * for up to `attempts` tries `delayMs` apart. The drills inject the faults their own clients then
 * meet: a Sentinel failover closes the drill's Redis connection, a broker SIGKILL fails the
 * registry's next write once.
 */
export async function retrying<T>(what: string, fn: () => Promise<T>, log: (line: string) => void, { attempts = 30, delayMs = 2_000 } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { retriable?: unknown })?.retriable !== true || attempt >= attempts) throw err;
      log(`${what}: ${(err as Error).message}; retrying`);
      await sleep(delayMs);
    }
  }
}

/** Counts (or deletes) a run's dedup keys. A failed scan starts over: a SCAN cursor belongs to one server. */
export async function scanKeys(redis: RedisConnection, prefix: string, del = false, log: (line: string) => void = () => {}): Promise<number> {
  return retrying(`${del ? 'deleting' : 'counting'} Redis keys`, async () => {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = (await redis.call('SCAN', [cursor, 'MATCH', `${prefix}flk:pcs:*`, 'COUNT', 2000])) as [string, string[]];
      cursor = next;
      n += keys.length;
      if (del && keys.length > 0) await redis.call('UNLINK', keys);
    } while (cursor !== '0');
    return n;
  }, log);
}

// ── services ────────────────────────────────────────────────────────────────────────────────────

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Service {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Exit code, the signal name, or undefined while running. */
  status(): number | string | undefined;
  exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  kill(): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string } | null>;
}

/** `node --conditions=@flk/source --import tsx <entry>` (one process: a signal reaches the app itself), output appended to `log`. */
export function startService(name: string, entry: string, env: NodeJS.ProcessEnv, log: string, cwd: string, port: number): Service {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['--conditions=@flk/source', '--import', 'tsx', entry], { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not be started`);
  let st: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve((st = code ?? sig ?? 'unknown'))));
  const get = async (path: string, headers: Record<string, string> = {}) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(3000) });
      return { status: res.status, body: await res.text() };
    } catch {
      return null;
    }
  };
  return {
    name,
    port,
    pid: child.pid,
    child,
    status: () => st,
    exited,
    signal: (sig) => {
      if (st === undefined) child.kill(sig);
    },
    async stop(graceMs = 20_000) {
      if (st !== undefined) return st;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const c = await exited;
      clearTimeout(t);
      return c;
    },
    async kill() {
      if (st !== undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
    async waitReady(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (st !== undefined) throw new Error(`${name} exited (${st}) before it was ready:\n${tail(log)}`);
        if ((await get('/ready'))?.status === 200) return;
        await sleep(250);
      }
      throw new Error(`${name} not ready after ${Math.round(timeoutMs / 1000)} s:\n${tail(log)}`);
    },
    get,
  };
}

export function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    ${l.slice(0, 400)}`).join('\n');
  } catch {
    return '    (no log)';
  }
}

/** The parent's environment without FLK settings that would leak into the services. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PCS_|AGENT_|VERIFIER_|SINK_|AUDIT_|METRICS_|REDIS_KEY_PREFIX$|HTTP_PORT$|HTTP_HOST$|DEDUP_TTL_SECONDS$|KAFKA_CLIENT_ID$|LOG_LEVEL$|FLK_CHAOS)/.test(k)) continue;
    env[k] = v;
  }
  const out: NodeJS.ProcessEnv = { ...env, KAFKA_BROKERS: ENV.brokers, SCHEMA_REGISTRY_URL: ENV.registry, REDIS_URL: ENV.redis, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  if (ENV.sentinels !== undefined) {
    // A service given both REDIS_URL and REDIS_SENTINELS refuses to start: Sentinel only.
    delete out.REDIS_URL;
    out.REDIS_SENTINELS = ENV.sentinels;
    out.REDIS_SENTINEL_NAME = ENV.sentinelName ?? 'flk';
  }
  return out;
}

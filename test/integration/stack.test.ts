// The local real-services stack itself (infra/local/stack.sh, started by test/global-setup.js):
// Kafka interoperates with a second, independent client (kcat/librdkafka) byte for byte, and Redis
// keeps its data across a restart through its append-only file. Each test uses a random topic or
// key and removes it afterwards. (The schema registry test belongs to apps/schema-registry.)
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel, type Admin } from 'kafkajs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stackSh = join(repo, 'infra', 'local', 'stack.sh');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6390';

const rand = () => randomBytes(6).toString('hex');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command, feeding `input` to its stdin; rejects unless it exits 0. */
function run(cmd: string, args: string[], input = '', timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr}`));
    });
    child.stdin.end(input);
  });
}

interface Rec {
  key: string;
  value: string;
}

// Keys and values exercise UTF-8, spaces and JSON punctuation; no tab or newline, which are kcat's
// key and message delimiters on the producing side.
function records(n: number, tag: string): Rec[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `pcs-${tag}-${String(i).padStart(3, '0')}`,
    value: JSON.stringify({ i, tag, text: 'ünïcødé ✓ 証明 "quoted" back\\slash', pad: 'x'.repeat(i * 37) }),
  }));
}

const byKey = (a: Rec, b: Rec) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

describe('kafka (KRaft, single node)', () => {
  const kafka = new Kafka({ clientId: 'flk-stack-test', brokers: brokers.split(','), logLevel: logLevel.WARN });
  let admin: Admin;
  const topics: string[] = [];

  async function newTopic(partitions: number): Promise<string> {
    const topic = `flk-test-stack-${rand()}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
    topics.push(topic);
    return topic;
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  test('the stack created its topics', async () => {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: ['pcs.submitted', 'pcs.verdicts', 'pcs.dlq', '_schemas'] });
    expect(meta.map((t) => t.name).sort()).toEqual(['_schemas', 'pcs.dlq', 'pcs.submitted', 'pcs.verdicts']);
    expect(meta.find((t) => t.name === '_schemas')?.partitions).toHaveLength(1);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: ['pcs.verdicts', '_schemas'].map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['cleanup.policy'] })),
    });
    for (const r of configs.resources) {
      expect(r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
    }
  });

  test('kcat produces, kafkajs consumes the same keys and values', async () => {
    const topic = await newTopic(3);
    const sent = records(50, rand());
    await run('kcat', ['-P', '-b', brokers, '-t', topic, '-K', '\\t'], sent.map((r) => `${r.key}\t${r.value}\n`).join(''));

    const consumer = kafka.consumer({ groupId: `flk-test-stack-${rand()}` });
    const got: Rec[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${got.length}/${sent.length} records in 60 s`)), 60_000);
        consumer
          .run({
            eachMessage: async ({ message }) => {
              got.push({ key: message.key?.toString('utf8') ?? '<null>', value: message.value?.toString('utf8') ?? '<null>' });
              if (got.length >= sent.length) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    expect(got.sort(byKey)).toEqual([...sent].sort(byKey));
  });

  test('kafkajs produces, kcat consumes the same keys and values', async () => {
    const topic = await newTopic(3);
    const sent = records(50, rand());
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: sent.map((r) => ({ key: r.key, value: r.value })) });
    } finally {
      await producer.disconnect();
    }

    // -e: exit at the end of every partition; -J: one JSON envelope per message (exact strings).
    const { stdout } = await run('kcat', ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-J']);
    const got = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { key: string | null; payload: string | null })
      .map((m) => ({ key: m.key ?? '<null>', value: m.payload ?? '<null>' }));
    expect(got.sort(byKey)).toEqual([...sent].sort(byKey));
  });
});

describe('redis (appendonly)', () => {
  const keys: string[] = [];

  async function withRedis<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
    try {
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }

  afterAll(async () => {
    if (keys.length > 0) await withRedis((r) => r.del(...keys));
  });

  test('AOF is on with the documented fsync policy', async () => {
    const [, appendonly] = (await withRedis((r) => r.config('GET', 'appendonly'))) as string[];
    const [, fsync] = (await withRedis((r) => r.config('GET', 'appendfsync'))) as string[];
    expect(appendonly).toBe('yes');
    expect(['everysec', 'always']).toContain(fsync);
  });

  test.each([
    ['a clean restart (SIGTERM)', []],
    ['a crash (SIGKILL)', ['--kill']],
  ])('a key written before %s is still there after it', async (_what, flags) => {
    const key = `flk:test:stack:${rand()}`;
    const value = `written before restart ✓ ${rand()}`;
    keys.push(key);
    await withRedis((r) => r.set(key, value));

    await run('bash', [stackSh, 'restart-redis', ...flags], '', 60_000);

    expect(await withRedis((r) => r.get(key))).toBe(value);
  });
});

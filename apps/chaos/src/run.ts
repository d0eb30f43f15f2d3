// One drill run: a run id, its directory (.flk/chaos/<run>/: service logs, audit log), fresh names
// (topics, groups, Redis key prefix), a random signing key, and an undo stack run at the end.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import type { RedisConnection } from '@flk/redis';
import { kafkaClient, redisClient } from './infra.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Run {
  id: string;
  dir: string;
  kafka: Kafka;
  admin: Admin;
  redis: RedisConnection;
  /** HMAC key of this run (random; never printed or logged). */
  hmacKey: string;
  log: (line: string) => void;
  defer(what: string, fn: () => Promise<unknown>): void;
  cleanup(): Promise<void>;
}

export async function startRun(kind: string, log: (line: string) => void, baseDir = join(ROOT, '.flk', 'chaos')): Promise<Run> {
  const d = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const id = `${kind}-${d}-${randomBytes(3).toString('hex')}`;
  const dir = join(baseDir, id);
  mkdirSync(dir, { recursive: true });
  const kafka = kafkaClient(`flk-chaos-${id}`);
  const admin = kafka.admin();
  await admin.connect();
  const redis = redisClient();
  const undo: { what: string; fn: () => Promise<unknown> }[] = [];
  let cleaned: Promise<void> | undefined;
  return {
    id,
    dir,
    kafka,
    admin,
    redis,
    hmacKey: randomBytes(32).toString('base64url'),
    log,
    defer: (what, fn) => void undo.push({ what, fn }),
    cleanup: () =>
      (cleaned ??= (async () => {
        while (undo.length > 0) {
          const u = undo.pop()!;
          try {
            await u.fn();
          } catch (err) {
            log(`cleanup: ${u.what}: ${(err as Error).message}`);
          }
        }
        await admin.disconnect().catch(() => {});
        await redis.close().catch(() => {});
      })()),
  };
}

/** Log files of the run (`*.log` in its directory) that contain the run's HMAC key in any spelling. */
export function logsWithKey(run: Run): { files: number; leaks: string[] } {
  const raw = Buffer.from(run.hmacKey, 'utf8');
  const forms = [run.hmacKey, raw.toString('base64'), raw.toString('hex')];
  const files = readdirSync(run.dir).filter((f) => f.endsWith('.log'));
  const leaks = files.filter((f) => {
    const text = readFileSync(join(run.dir, f), 'utf8');
    return forms.some((k) => text.includes(k));
  });
  return { files: files.length, leaks };
}

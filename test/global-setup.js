// Jest globalSetup of the integration project: brings up the real local stack (Kafka KRaft, Redis,
// schema registry) with infra/local/stack.sh and hands its addresses to the tests through env vars
// (KAFKA_BROKERS, REDIS_URL, SCHEMA_REGISTRY_URL). The stack is left running afterwards so that a
// re-run starts in about a second; `npm run stack:down` stops it (.ci/run does so at the end).
//
// FLK_STACK_EXTERNAL=1: use services that are already running elsewhere; nothing is started, and
// the three env vars must then be set by the caller (defaults: the stack's own ports).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const stackSh = join(repo, 'infra', 'local', 'stack.sh');

// The first run on a fresh machine installs apt packages and downloads the Kafka jars.
const UP_TIMEOUT_MS = 20 * 60 * 1000;

function stackEnv() {
  const res = spawnSync('bash', [stackSh, 'env'], { cwd: repo, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`stack.sh env failed: ${res.stderr}`);
  return Object.fromEntries(
    res.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

export default async function globalSetup() {
  if (process.env.FLK_STACK_EXTERNAL !== '1') {
    process.stdout.write('\n');
    // FLK_STACK_REDIS=sentinel: the Redis failover tests need the Sentinel group too (~3 s, idle otherwise).
    const res = spawnSync('bash', [stackSh, 'up'], { cwd: repo, stdio: 'inherit', timeout: UP_TIMEOUT_MS, env: { ...process.env, FLK_STACK_REDIS: process.env.FLK_STACK_REDIS ?? 'sentinel' } });
    if (res.error) throw new Error(`infra/local/stack.sh up: ${res.error.message}`);
    if (res.status !== 0) throw new Error(`infra/local/stack.sh up exited with ${res.status ?? res.signal}`);
  }
  // One source of truth for the addresses (the ports are configurable): stack.sh itself, which
  // derives them from KAFKA_PORT, REDIS_PORT, SCHEMA_REGISTRY_PORT. With FLK_STACK_EXTERNAL=1,
  // addresses already in the environment win.
  for (const [name, value] of Object.entries(stackEnv())) {
    if (process.env.FLK_STACK_EXTERNAL !== '1' || process.env[name] === undefined) process.env[name] = value;
  }
}

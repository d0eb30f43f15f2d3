// Verifier child processes for integration tests, started the way operators start them, but with
// `node --import tsx` directly (not npx/tsx's own CLI, which forks a second process) so a SIGKILL
// really kills the verifier.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { STACK, sleep, waitFor } from './names.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

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

export interface ChildApp {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process printed (pino JSON lines), for assertions and failure reports. */
  output(): string;
  logLines(): Array<Record<string, unknown>>;
  /** The last `n` log lines as `time level component msg`, repeats folded, plus the exit status: for failure reports. */
  digest(n?: number): string;
  exited(): Promise<number | null>;
  waitReady(timeoutMs?: number): Promise<void>;
  metrics(): Promise<string>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL, no cleanup: a crash. */
  kill(): Promise<void>;
}

export interface VerifierEnv {
  submitted: string;
  verdicts: string;
  dlq: string;
  /** The gateway's reply topic (PCS_REPLIES_TOPIC); unset: the verifier's default, pcs.replies. */
  replies?: string;
  groupId: string;
  redisKeyPrefix: string;
  hmacKey: string;
  extra?: Record<string, string>;
}

export async function startVerifier(name: string, env: VerifierEnv): Promise<ChildApp> {
  const port = await freePort();
  return startNodeApp(name, 'apps/verifier/src/main.ts', port, {
    KAFKA_BROKERS: STACK.brokers.join(','),
    REDIS_URL: STACK.redisUrl,
    SCHEMA_REGISTRY_URL: STACK.registryUrl,
    PCS_SUBMITTED_TOPIC: env.submitted,
    PCS_VERDICTS_TOPIC: env.verdicts,
    PCS_DLQ_TOPIC: env.dlq,
    ...(env.replies ? { PCS_REPLIES_TOPIC: env.replies } : {}),
    VERIFIER_GROUP_ID: env.groupId,
    REDIS_KEY_PREFIX: env.redisKeyPrefix,
    PCS_SIGN_ALG: 'hmac',
    PCS_HMAC_KEY: env.hmacKey,
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    KAFKA_CLIENT_ID: name,
    // Short group timeouts: a killed member's partitions move on within seconds.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...env.extra,
  });
}

export interface GatewayEnv {
  submitted: string;
  verdicts: string;
  replies: string;
  redisKeyPrefix: string;
  /** Reply consumer group shared by the replicas of one test. */
  groupId: string;
  extra?: Record<string, string>;
}

/** An HTTP gateway (apps/gateway) for a fixture's topics; `url(path)` addresses it. */
export async function startGateway(name: string, env: GatewayEnv): Promise<ChildApp & { url(path: string): string }> {
  const port = await freePort();
  const app = await startNodeApp(name, 'apps/gateway/src/main.ts', port, {
    KAFKA_BROKERS: STACK.brokers.join(','),
    REDIS_URL: STACK.redisUrl,
    SCHEMA_REGISTRY_URL: STACK.registryUrl,
    PCS_SUBMITTED_TOPIC: env.submitted,
    PCS_VERDICTS_TOPIC: env.verdicts,
    PCS_REPLIES_TOPIC: env.replies,
    REDIS_KEY_PREFIX: env.redisKeyPrefix,
    GATEWAY_GROUP_ID: env.groupId,
    GATEWAY_REPLICA_ID: name,
    GATEWAY_PORT: String(port),
    GATEWAY_HOST: '127.0.0.1',
    KAFKA_CLIENT_ID: name,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...env.extra,
  });
  return Object.assign(app, { url: (path: string) => `http://127.0.0.1:${port}${path}` });
}

export async function startNodeApp(name: string, entry: string, port: number, env: Record<string, string>): Promise<ChildApp> {
  const child = spawn(process.execPath, ['--conditions=@flk/source', '--import', 'tsx', entry], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? null : 0))));
  let exitCode: number | null | undefined;
  void exit.then((c) => (exitCode = c));
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  const app: ChildApp = {
    name,
    port,
    child,
    output: () => out,
    logLines: () =>
      out.split('\n').flatMap((l) => {
        try {
          return l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    digest(n = 40) {
      const lines: string[] = [];
      for (const j of app.logLines()) {
        const err = typeof j.err === 'string' ? j.err : typeof (j.err as { message?: unknown } | undefined)?.message === 'string' ? (j.err as { message: string }).message : '';
        const line = `${String(j.level)} ${String(j.component ?? '')} ${String(j.msg ?? '')}${err ? `: ${err}` : ''}`.slice(0, 240);
        if (lines.length > 0 && lines[lines.length - 1]!.endsWith(line)) continue;
        lines.push(`${new Date(Number(j.time) || String(j.time)).toISOString().slice(11, 23)} ${line}`);
      }
      const status = exitCode === undefined ? 'running' : `exited ${exitCode}`;
      return `--- ${name} (${status}), last ${Math.min(n, lines.length)} of ${lines.length} log lines ---\n${lines.slice(-n).join('\n')}`;
    },
    exited: () => exit,
    async waitReady(timeoutMs = 60_000) {
      await waitFor(`${name} /ready`, async () => {
        if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode}:\n${out.slice(-4000)}`);
        const res = await fetch(url('/ready')).catch(() => null);
        return res?.status === 200;
      }, { timeoutMs, intervalMs: 200 }).catch((err: Error) => {
        throw new Error(`${err.message}\n--- ${name} output ---\n${out.slice(-4000)}`);
      });
    },
    async metrics() {
      return (await fetch(url('/metrics'))).text();
    },
    async stop(graceMs = 20_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (exitCode !== undefined) return;
      child.kill('SIGKILL');
      await exit;
      await sleep(10);
    },
  };
  return app;
}

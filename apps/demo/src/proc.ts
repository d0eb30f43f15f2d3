// Child processes of the demo: FLK services started from their TypeScript sources (tsx), logs to
// files, readiness by HTTP, and a stop that only ever signals the pid the demo itself started.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Service {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/** Runs `node --import tsx --conditions=@flk/source <main>` with stdout+stderr appended to `log`. */
export function startService(name: string, main: string, env: NodeJS.ProcessEnv, log: string, cwd: string): Service {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', main], { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  if (child.pid === undefined) throw new Error(`${name}: could not be started`);
  return { name, pid: child.pid, log, child, exited };
}

/** Polls `url` until it answers 200; fails early when the service exits. */
export async function waitReady(svc: Service, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | string | undefined;
  void svc.exited.then((c) => (gone = c));
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`${svc.name} exited (${gone}) during start-up:\n${tail(svc.log)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`${svc.name} not ready at ${url} after ${Math.round(timeoutMs / 1000)}s:\n${tail(svc.log)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; only the pid this demo spawned. */
export async function stopService(svc: Service, graceMs = 20_000): Promise<number | string> {
  if (svc.child.exitCode === null && svc.child.signalCode === null) {
    svc.child.kill('SIGTERM');
    const timer = setTimeout(() => svc.child.kill('SIGKILL'), graceMs);
    const code = await svc.exited;
    clearTimeout(timer);
    return code;
  }
  return svc.exited;
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
  } catch {
    return '    (no log)';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `p` does or after `ms`, whichever comes first; leaves no timer behind. */
export async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** `preferred` when nothing listens on it, else a free port the OS picks. */
export async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(null));
      srv.listen(port, '0.0.0.0', () => {
        const addr = srv.address();
        const got = typeof addr === 'object' && addr !== null ? addr.port : null;
        srv.close(() => resolve(got));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? preferred;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; `echo` forwards its output lines, indented, while it runs. */
export function runCommand(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; echo?: (line: string) => void; input?: string }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const echo = (chunk: string) => {
      if (!opts.echo) return;
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) opts.echo(p);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      echo(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      echo(d.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending && opts.echo) opts.echo(pending);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

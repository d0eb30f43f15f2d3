// Runs a drill of apps/chaos (`npm run chaos -- <args> --json`) as a child process and returns its
// JSON report, exit code and progress output (stderr).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ChaosRun<R> {
  code: number | null;
  report: R | null;
  stderr: string;
}

export function runChaos<R>(args: readonly string[], timeoutMs: number): Promise<ChaosRun<R>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@flk/source', '--import', 'tsx', 'apps/chaos/src/main.ts', ...args, '--json'], {
      cwd: REPO,
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      process.stderr.write(d);
    });
    // SIGTERM lets the drill clean up (topics, groups, keys, its child processes).
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      resolve({ code, report: line ? (JSON.parse(line) as R) : null, stderr: err });
    });
  });
}

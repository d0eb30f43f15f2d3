import { open, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLockedError } from './errors.js';

// One writer per audit directory: two writers would fork the hash chain. The lock is a file
// holding the owner's pid, created exclusively. A lock left by a dead process (SIGKILL, crash) is
// taken over; "dead" is judged by process.kill(pid, 0) on this host, and the lock is also taken
// over when it names our own pid (a container restarted with the same pid). Limits: a pid reused
// by an unrelated live process blocks start-up until the lock file is removed by hand; writers on
// different hosts sharing a network volume are not detected.

export const LOCK_FILE = 'audit.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DirLock {
  release(): Promise<void>;
}

// Directories this process holds: our own pid in a lock file is stale only if we do not hold it.
const heldHere = new Set<string>();

export async function acquireLock(dir: string, onStale: (pid: number) => void): Promise<DirLock> {
  const path = join(await realpath(dir), LOCK_FILE);
  const mine = `${process.pid}\n`;
  if (heldHere.has(path)) throw new AuditLockedError(`${path} is held by this process`, process.pid);
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(mine);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const text = await readFile(path, 'utf8').catch(() => '');
    const pid = Number.parseInt(text.trim(), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new AuditLockedError(`${path} is held by live process ${pid}`, pid);
    }
    onStale(Number.isSafeInteger(pid) ? pid : -1);
    await writeFile(path, mine);
  }
  heldHere.add(path);
  return {
    async release() {
      if (!heldHere.delete(path)) return;
      const text = await readFile(path, 'utf8').catch(() => '');
      if (text === mine) await unlink(path).catch(() => undefined);
    },
  };
}

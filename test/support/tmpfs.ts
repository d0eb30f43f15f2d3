// A small tmpfs of its own for disk-full tests (we run as root locally and in CI). mount(8) refused
// is an error that says so, never a skipped test.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly dir: string;
  /** Bytes a non-root writer could still write (statfs bavail × bsize). */
  free(): Promise<number>;
  /** Fills the filesystem with a file until only `leaveBytes` are free; returns its path. */
  fill(leaveBytes: number, name?: string): Promise<string>;
  unmount(): Promise<void>;
}

export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'flk-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mount -t tmpfs refused (disk-full tests need root): ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message}`);
  }
  const free = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    async fill(leaveBytes, name = 'filler') {
      const path = join(dir, name);
      await writeFile(path, Buffer.alloc(Math.max(0, (await free()) - leaveBytes)));
      return path;
    },
    async unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

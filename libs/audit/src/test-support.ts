import { afterEach } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntryInput } from './format.js';

// Shared by the audit unit tests (not exported from the package).

export async function tmpDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flk-audit-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A fresh temporary directory per call, all removed after each test of the calling file. */
export function freshDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeDir));
  });
  return async () => {
    const d = await tmpDir();
    dirs.push(d);
    return d;
  };
}

/** A verdict-like entry; the content only has to be JSON. */
export function entry(partition: number, offset: number, i = offset, topic = 'pcs.verdicts'): AuditEntryInput {
  return {
    topic,
    partition,
    offset: String(offset),
    key: `pcs-${partition}-${offset}`,
    verdict: {
      pcs_id: `${i}`.padStart(64, 'a'),
      status: i % 3 === 0 ? 'accepted' : i % 3 === 1 ? 'escalated' : 'rejected',
      reasons: i % 3 === 1 ? ['d_hat_mismatch'] : [],
      recomputed_D_hat: 1.41 + i / 1000,
      tenant_id: i % 2 ? 'tenant-ü' : null,
      source: { topic: 'pcs.submitted', partition, offset: String(offset * 2) },
    },
    error: null,
  };
}

/** Segment file names in order, with their bytes. */
export async function readSegments(dir: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  const names = (await readdir(dir)).filter((n) => /^audit-\d{20}\.jsonl$/.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(dir, name)) })));
}

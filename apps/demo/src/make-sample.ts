// Writes the deterministic sample event stream (sample.ts) as JSON Lines.
//
//   npx tsx apps/demo/src/make-sample.ts [--out FILE|-] [--shards 4] [--events-per-shard 1000]
//                                        [--window 1000] [--seed 42] [--bad-lines 0] [--tenant acme]
//
// test/fixtures/sample-stream.jsonl is this script's output with its defaults.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { sampleStream, type SampleOptions } from './sample.js';

export const SAMPLE_DEFAULTS: SampleOptions = { shards: 4, eventsPerShard: 1000, window: 1000, seed: 42, badLines: 0, tenant: 'acme' };

/** Writes the stream to `out` ('-' = stdout); resolves with the number of lines. */
export async function writeSample(out: string, opts: SampleOptions): Promise<number> {
  const stream = out === '-' ? process.stdout : createWriteStream(out);
  let lines = 0;
  let buf = '';
  for (const line of sampleStream(opts)) {
    buf += `${line}\n`;
    lines++;
    if (buf.length > 1 << 16) {
      if (!stream.write(buf)) await once(stream, 'drain');
      buf = '';
    }
  }
  if (buf.length > 0) stream.write(buf);
  if (stream !== process.stdout) {
    stream.end();
    await once(stream, 'finish');
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '-' },
      shards: { type: 'string' },
      'events-per-shard': { type: 'string' },
      window: { type: 'string' },
      seed: { type: 'string' },
      'bad-lines': { type: 'string' },
      tenant: { type: 'string' },
    },
    strict: true,
  });
  const int = (v: string | undefined, d: number, name: string, min: number) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const opts: SampleOptions = {
    shards: int(values.shards, SAMPLE_DEFAULTS.shards, 'shards', 1),
    eventsPerShard: int(values['events-per-shard'], SAMPLE_DEFAULTS.eventsPerShard, 'events-per-shard', 1),
    window: int(values.window, SAMPLE_DEFAULTS.window, 'window', 1),
    seed: int(values.seed, SAMPLE_DEFAULTS.seed, 'seed', 0),
    badLines: int(values['bad-lines'], 0, 'bad-lines', 0),
    ...(values.tenant !== '' ? { tenant: values.tenant ?? SAMPLE_DEFAULTS.tenant } : {}),
  };
  const n = await writeSample(values.out ?? '-', opts);
  if (values.out !== '-') process.stderr.write(`make-sample: wrote ${n} lines to ${values.out}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`make-sample: ${(err as Error).message}\n`);
    process.exit(2);
  });
}

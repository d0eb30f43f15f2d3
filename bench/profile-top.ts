// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and self time by
// area (kafkajs, avsc, ioredis, @noble, libs/pcs, ...). Usage:
//   npx tsx bench/profile-top.ts bench/results/profiles/<name>.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
const file = process.argv[2];
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

export function area(url: string, fn: string): string {
  if (!url) return fn === '(garbage collector)' ? 'GC' : fn === '(idle)' ? 'idle' : fn === '(program)' ? 'program (native/V8)' : `native: ${fn}`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const l = /\/(libs|apps)\/([^/]+)\//.exec(url);
  if (l) return `${l[1]}/${l[2]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  return url.replace(/^.*\//, '');
}

const fnSelf = new Map<string, number>();
const areaSelf = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(libs|apps)\//, '$1/')}:${lineNumber + 1}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  const a = area(url, functionName);
  areaSelf.set(a, (areaSelf.get(a) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by area:');
for (const [a, us] of [...areaSelf].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${a}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of [...fnSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);

// Inclusive time of selected functions (a sample counts once per function even under recursion).
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const INTERESTING = (process.env.PROFILE_FUNCS ?? 'processBatch,decide,signingDigest,validatePcs,signalReasons,verify,claimMany,decodePcs,encodeVerdict,commit,sendBatch,eachBatch,parse,decode,encode,stringify,exec,observe').split(',');
const incl = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    const name = f.functionName;
    if (INTERESTING.includes(name)) {
      const key = `${name}  ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(libs|apps)\//, '$1/')}:${f.lineNumber + 1}`;
      if (!seen.has(key)) {
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + us);
      }
    }
  }
}
console.log('\ninclusive time of selected functions:');
for (const [k, us] of [...incl].sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`  ${pct(us)}  ${k}`);

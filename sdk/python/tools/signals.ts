// Reads JSON [{points, seed, data_b64, scales}] on stdin and prints, per input, one JSON line with the
// TS core's coh_star / v_star (as IEEE bits), r (bits), N_j and D_hat: the reference for the
// Python property test (tests/test_property.py).
import { compressibility, computeCoherence, computeDHat, countBoxes } from '@flk/pcs';

const bits = (x: number): string => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
};
const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const inputs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ points: number[][]; seed: number; data_b64: string; scales: number[] }>;
for (const i of inputs) {
  const { coh_star, v_star } = computeCoherence(i.points, i.seed);
  const N_j = countBoxes(i.points, i.scales);
  process.stdout.write(`${JSON.stringify({ coh: bits(coh_star), v: v_star.map(bits), r: bits(compressibility(Buffer.from(i.data_b64, 'base64'))), N_j, D_hat: bits(computeDHat(i.scales, N_j)) })}\n`);
}

// A hand-written SVG chart: produce→verdict latency percentiles (log scale) against offered load.
export interface LatencyPoint {
  offeredRate: number;
  fraction: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const SERIES: Array<{ key: 'p50' | 'p95' | 'p99' | 'max'; color: string; dash?: string }> = [
  { key: 'p50', color: '#1f77b4' },
  { key: 'p95', color: '#ff7f0e' },
  { key: 'p99', color: '#d62728' },
  { key: 'max', color: '#7f7f7f', dash: '4 3' },
];

export function latencyChart(points: readonly LatencyPoint[], opts: { title: string; targetMs?: number; subtitle?: string }): string {
  const W = 720, H = 420, L = 70, R = 120, T = 50, B = 60;
  const pw = W - L - R, ph = H - T - B;
  const xs = points.map((p) => p.offeredRate);
  const xMax = Math.max(1, ...xs) * 1.1;
  const values = points.flatMap((p) => SERIES.map((s) => p[s.key])).filter((v) => v > 0);
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...values)))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...values, opts.targetMs ?? 0))));
  const x = (v: number) => L + (v / xMax) * pw;
  const y = (v: number) => T + ph - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="22" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  if (opts.subtitle) out.push(`<text x="${L}" y="38" fill="#555">${esc(opts.subtitle)}</text>`);
  for (let d = yMin; d <= yMax; d *= 10) {
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${y(d) + 4}" text-anchor="end">${d >= 1 ? d : d.toFixed(1)} ms</text>`);
  }
  const step = Math.pow(10, Math.floor(Math.log10(xMax / 2)));
  for (let v = 0; v <= xMax; v += step) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${T + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${T + ph + 16}" text-anchor="middle">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">offered load (records/s); labels: fraction of the measured drain throughput</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (opts.targetMs) {
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${y(opts.targetMs)}" y2="${y(opts.targetMs)}" stroke="#2ca02c" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${L + pw + 6}" y="${y(opts.targetMs) + 4}" fill="#2ca02c">p99 target ${opts.targetMs} ms</text>`);
  }
  for (const s of SERIES) {
    const pts = points.map((p) => `${x(p.offeredRate).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    for (const p of points) out.push(`<circle cx="${x(p.offeredRate).toFixed(1)}" cy="${y(p[s.key]).toFixed(1)}" r="3" fill="${s.color}"><title>${s.key} ${p[s.key].toFixed(1)} ms at ${Math.round(p.offeredRate)} records/s</title></circle>`);
  }
  points.forEach((p) => out.push(`<text x="${x(p.offeredRate)}" y="${T + ph - 6}" text-anchor="middle" fill="#555">${Math.round(p.fraction * 100)}%</text>`));
  SERIES.forEach((s, i) => {
    const ly = T + 10 + i * 18;
    out.push(`<line x1="${L + pw + 10}" x2="${L + pw + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${L + pw + 40}" y="${ly + 4}">${s.key}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Instants for §7 (v0.2): sent_at, key windows and the freshness `now`, as BigInt nanoseconds since
// the Unix epoch. Why not Date: sent_at carries up to 9 fraction digits and the contract compares to
// the nanosecond (a key window or the age bound can be decided by the 7th digit); Date keeps ms.

/** Nanoseconds since 1970-01-01T00:00:00Z (negative before). */
export type Instant = bigint;

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

/** §7.1: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, uppercase T and Z, UTC. */
const SENT_AT_V02 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
/** RFC 3339 date-time (key windows, `--now`): `t`/`z` allowed (§5.6 note), offsets ±HH:MM, ≤ 9 fraction digits. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function instantOf(parts: string[], offsetMinutes: number): Instant | null {
  const [y, mo, d, h, mi, s] = parts.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const dim = mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1]!;
  if (d > dim) return null;
  const seconds = daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offsetMinutes * 60;
  const frac = parts[6] ?? '';
  return BigInt(seconds) * NS_PER_S + (frac === '' ? 0n : BigInt(frac.padEnd(9, '0')));
}

/** The instant of a v0.2 `sent_at` (§7.1), or null when it is not of that exact form or not a real date. */
export function parseSentAt(s: string): Instant | null {
  const m = typeof s === 'string' ? SENT_AT_V02.exec(s) : null;
  return m === null ? null : instantOf(m.slice(1), 0);
}

/** The instant of an RFC 3339 date-time (offsets allowed, fraction ≤ 9 digits), or null. */
export function parseRfc3339(s: string): Instant | null {
  const m = typeof s === 'string' ? RFC3339.exec(s) : null;
  if (m === null) return null;
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return instantOf(m.slice(1, 8), offset);
}

/** Milliseconds since the epoch (a Kafka timestamp, Date.now()) as an Instant. */
export function instantFromMs(ms: number): Instant {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}

export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.trunc(seconds)) * NS_PER_S;
}

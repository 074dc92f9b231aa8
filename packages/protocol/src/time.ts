/**
 * Microsecond UTC timestamps in the wire format `2026-11-21T12:00:00.123456+00:00` (PROTOCOL section 2).
 * Isomorphic: uses `performance.timeOrigin + performance.now()` for sub-millisecond precision.
 */

/** Current wall-clock time in microseconds since the Unix epoch (float precision ~1 us). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * Formats microseconds since the Unix epoch as ISO-8601 UTC with six fractional digits and `+00:00`.
 * @param micros integer microseconds since 1970-01-01T00:00:00Z
 */
export function formatTimestamp(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const frac = String(Math.floor(micros - ms * 1000)).padStart(3, '0');
  const iso = new Date(ms).toISOString(); // 2026-11-21T12:00:00.123Z
  return `${iso.slice(0, 23)}${frac}+00:00`;
}

/**
 * Parses a wire timestamp (or any ISO-8601 string) to microseconds since the Unix epoch.
 * Keeps the microsecond digits that `Date.parse` would drop. Returns NaN when unparseable.
 */
export function parseTimestamp(ts: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(ts);
  if (!m) return Number.NaN;
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return base * 1000 + Number(frac);
}

/**
 * Local time for the dashboard's hour and weekday views, in SQL both engines run: a fixed offset
 * (`-03:00`) or an IANA zone (`Europe/Berlin`, with summer time). For a zone, the offsets in force over the
 * data's span are found here (Intl, no tables of our own) and written into the SQL as a CASE over the unix
 * time, so Athena and DuckDB shift each instant by the offset in force at that instant: exact, and plain
 * arithmetic on a bigint on either engine.
 */
import { parseUtcOffset } from '../../core/context-date';

export interface OffsetSegment {
  /** Unix seconds from which `offsetSeconds` applies (the first segment starts at -Infinity). */
  readonly from: number;
  readonly offsetSeconds: number;
}

/** Minutes for `±HH:MM`, `Z`, `UTC` style offsets; undefined for an IANA zone (the parser returns its name). */
function fixedOffsetMinutes(zone: string): number | undefined {
  try {
    const parsed = parseUtcOffset(zone);
    return typeof parsed === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** Throws a readable error when the text is neither an offset nor a zone Intl knows. */
export function checkTimeZone(zone: string): void {
  if (fixedOffsetMinutes(zone) !== undefined) return;
  try {
    formatter(zone);
  } catch {
    throw new Error(`invalid UTC offset or time zone "${zone}": expected an offset such as -03:00 or an IANA zone such as Europe/Berlin`);
  }
}

/** Seconds east of UTC in force at a unix time. */
export function offsetAt(zone: string, unixSeconds: number): number {
  const fixed = fixedOffsetMinutes(zone);
  if (fixed !== undefined) return fixed * 60;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(unixSeconds * 1000))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round(asUtc / 1000 - Math.floor(unixSeconds));
}

/** The offsets in force between two unix times (inclusive), with the instants they change. */
export function offsetSegments(zone: string, fromSeconds: number, toSeconds: number): OffsetSegment[] {
  const first = offsetAt(zone, fromSeconds);
  const segments: OffsetSegment[] = [{ from: -Infinity, offsetSeconds: first }];
  if (fixedOffsetMinutes(zone) !== undefined) return segments;
  const step = 6 * 3600; // zones change at most a few times a year, never twice within 6 hours
  let current = first;
  for (let t = fromSeconds; t < toSeconds + step; t += step) {
    const next = offsetAt(zone, t + step);
    if (next === current) continue;
    let lo = t;
    let hi = t + step; // offsetAt(lo) = current, offsetAt(hi) = next
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(zone, mid) === current) lo = mid;
      else hi = mid;
    }
    segments.push({ from: hi, offsetSeconds: next });
    current = next;
  }
  return segments;
}

/** SQL for the local wall-clock time of a unix-seconds column, as unix seconds (`col + offset`). */
export function localSecondsSql(column: string, segments: readonly OffsetSegment[]): string {
  if (segments.length === 1) return `(${column} + ${segments[0]!.offsetSeconds})`;
  const cases = segments.slice(1).map((s, i) => `WHEN ${column} < ${s.from} THEN ${segments[i]!.offsetSeconds}`);
  return `(${column} + CASE ${cases.join(' ')} ELSE ${segments.at(-1)!.offsetSeconds} END)`;
}

/**
 * The partition key: update -> `context_date` (YYYY-MM-DD in the configured UTC offset or IANA time zone).
 * This is the only place that decides an update's day; Firehose's JQ and every reader just read the
 * envelope's field. Also the local-time helpers for views in that zone (offset of an instant, SQL).
 */
import { classifyUpdate } from './update-kinds';

/**
 * The day boundary: minutes east of UTC for a fixed offset (`-03:00` is -180), or an IANA zone name
 * (`Europe/Berlin`) whose offset follows its summer time. Every function below takes either.
 */
export type DayZone = number | string;

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * Parses `-03:00`, `+05:30`, `+0000`, `Z` or `UTC` into minutes east of UTC, or an IANA zone name
 * (`Europe/Berlin`, `America/Sao_Paulo`) into its canonical name. Throws on anything else.
 */
export function parseUtcOffset(text: string): DayZone {
  const t = text.trim();
  if (t === 'Z' || t.toUpperCase() === 'UTC') return 0;
  const m = FIXED_OFFSET.exec(t);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[3]) > 59 || minutes > 14 * 60) throw new Error(`invalid UTC offset "${text}": out of range`);
    return m[1] === '-' ? -minutes : minutes;
  }
  // An IANA name has a letter and no sign or digit first (Intl alone also takes "+03" or "GMT+3").
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(t) && !/^(GMT|UTC|UT)[+-]/i.test(t)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
    } catch {
      // not a zone this Node knows: the message below
    }
  }
  throw new Error(`invalid UTC offset or time zone "${text}": expected ±HH:MM (e.g. -03:00) or an IANA zone (e.g. Europe/Berlin)`);
}

/** Formats minutes east of UTC as `±HH:MM`. */
export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The zone as configured: `-03:00` for a fixed offset, the IANA name otherwise. */
export const formatDayZone = (zone: DayZone): string => (typeof zone === 'number' ? formatUtcOffset(zone) : zone);

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets of whole UTC hours with no transition inside them, per zone: hour number -> offset ms. */
const hourCache = new Map<string, Map<number, number>>();
const HOURS_KEPT_PER_ZONE = 10_000;
// The last hour asked for: a burst of updates shares one, and the webhook asks for every request.
let lastZone = '';
let lastHour = Number.NaN;
let lastHourOffset = 0;

/** The offset of one instant in an IANA zone, from Intl (uncached), whole milliseconds. */
function intlOffsetMs(unixMs: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(unixMs)) p[part.type] = part.value;
  const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year);
  const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  // Date.UTC maps years 0-99 to 1900-1999.
  const wallMs = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
  const secondStart = Math.floor(unixMs / 1000) * 1000;
  return wallMs - secondStart;
}

/**
 * Offset of an instant in the zone, in milliseconds east of UTC. For an IANA zone it is cached per zone
 * and UTC hour: an hour whose start and end have the same offset has it throughout (transitions are
 * hours apart); the rare hour holding a transition is computed per call.
 */
export function zoneOffsetMs(unixMs: number, zone: DayZone): number {
  if (typeof zone === 'number') return zone * 60_000;
  const hour = Math.floor(unixMs / HOUR_MS);
  if (hour === lastHour && zone === lastZone) return lastHourOffset;
  let hours = hourCache.get(zone);
  if (!hours) {
    hours = new Map();
    hourCache.set(zone, hours);
  }
  let offset = hours.get(hour);
  if (offset === undefined) {
    const start = intlOffsetMs(hour * HOUR_MS, zone);
    const end = intlOffsetMs((hour + 1) * HOUR_MS - 1, zone);
    if (start !== end) return intlOffsetMs(unixMs, zone); // a transition inside this hour
    offset = start;
    if (hours.size >= HOURS_KEPT_PER_ZONE) hours.clear();
    hours.set(hour, offset);
  }
  lastZone = zone;
  lastHour = hour;
  lastHourOffset = offset;
  return offset;
}

/** Offset of an instant in the zone in seconds east of UTC (`-10800` for -03:00), for local-time views. */
export const zoneOffsetSeconds = (unixMs: number, zone: DayZone): number => Math.round(zoneOffsetMs(unixMs, zone) / 1000);

// The last day formatted: a burst's updates share one, and the webhook asks for every request.
let lastDayNumber = Number.NaN;
let lastDayText = '';

/** The calendar date (YYYY-MM-DD) of a unix-milliseconds instant in the given offset or zone. */
export function dateInOffset(unixMs: number, zone: DayZone): string {
  const local = unixMs + (typeof zone === 'number' ? zone * 60_000 : zoneOffsetMs(unixMs, zone));
  const day = Math.floor(local / DAY_MS);
  if (day !== lastDayNumber) {
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    lastDayNumber = day;
  }
  return lastDayText;
}

/**
 * The first instant (unix ms) of a calendar date in the zone: local midnight, or the first moment after
 * it when the clocks skipped midnight (a summer-time change at 00:00).
 */
export function startOfDayMs(date: string, zone: DayZone): number {
  const wallMidnight = Date.parse(`${date}T00:00:00Z`);
  if (typeof zone === 'number') return wallMidnight - zone * 60_000;
  // Midnight wall time minus the offset in force then (found in two steps, as the offset may change).
  let t = wallMidnight - zoneOffsetMs(wallMidnight, zone);
  t = wallMidnight - zoneOffsetMs(t, zone);
  // Skipped midnight, or the instant found is the day before's last hour: step to the day's first minute.
  while (dateInOffset(t, zone) < date) t += 60_000;
  while (dateInOffset(t - 60_000, zone) === date) t -= 60_000;
  return t;
}

/** SQL text of a string literal naming the zone for Athena's `at_timezone` (`'-03:00'`, `'Europe/Berlin'`). */
export const sqlZoneLiteral = (zone: DayZone): string => `'${formatDayZone(zone).replace(/'/g, "''")}'`;

/**
 * SQL (Athena engine v3, and the local engine, which defines `at_timezone` the same way) turning a
 * timestamp expression (UTC, e.g. `message_ts` or `from_unixtime("date")`) into the local time of the
 * zone, summer time included: hour(), day_of_week(), date() and date_format() of it are local.
 */
export function localTimeSql(timestampSql: string, zone: DayZone): string {
  return `at_timezone(CAST(${timestampSql} AS timestamp with time zone), ${sqlZoneLiteral(zone)})`;
}

/** 9999-12-31T23:59:59Z: the last instant whose date is written YYYY-MM-DD. */
const LAST_DATED_SECOND = 253_402_300_799;

/**
 * The update's own event time in unix seconds, from the kind table; undefined for kinds without a date,
 * for a date of 0 (Telegram's marker for an inaccessible message), and for a date no calendar day can
 * name (a fraction, or past year 9999): such an update is dated by its arrival instead of failing the
 * webhook, which Telegram would retry for 24 hours while holding the chat back.
 */
export function eventDateOf(update: Record<string, unknown>): number | undefined {
  const classified = classifyUpdate(update);
  if (!classified) return undefined;
  const seconds = classified.rule.eventDate(classified.payload);
  return seconds !== undefined && Number.isSafeInteger(seconds) && seconds > 0 && seconds <= LAST_DATED_SECOND ? seconds : undefined;
}

/** `context_date` of an update: its event date, else its arrival time, in the configured offset or zone. */
export function contextDateOf(update: Record<string, unknown> | undefined, receivedAtMs: number, zone: DayZone): string {
  const seconds = update ? eventDateOf(update) : undefined;
  return dateInOffset(seconds !== undefined ? seconds * 1000 : receivedAtMs, zone);
}

/**
 * The event time of an `export` record (a message of a Telegram Desktop export, DESIGN.md Raw record
 * kinds): the message's `date` in unix seconds, as the import normalised it; undefined when unusable.
 */
export function exportEventDateOf(message: { readonly date?: unknown } | undefined): number | undefined {
  const seconds = message?.date;
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0 && seconds <= LAST_DATED_SECOND ? seconds : undefined;
}

/** `context_date` of an `export` record: its message's date, else `receivedAtMs`, in the configured offset. */
export function contextDateOfExport(message: { readonly date?: unknown } | undefined, receivedAtMs: number, offsetMinutes: DayZone): string {
  const seconds = exportEventDateOf(message);
  return dateInOffset(seconds !== undefined ? seconds * 1000 : receivedAtMs, offsetMinutes);
}

/**
 * `context_date` of a `sample` record (a measurement the pipeline took): the day of its `at` (unix
 * seconds), else `receivedAtMs`, in the configured offset or zone.
 */
export function contextDateOfSample(sample: { readonly at?: unknown } | undefined, receivedAtMs: number, offsetMinutes: DayZone): string {
  const seconds = exportEventDateOf({ date: sample?.at });
  return dateInOffset(seconds !== undefined ? seconds * 1000 : receivedAtMs, offsetMinutes);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a YYYY-MM-DD calendar date (rejects 2024-02-30). */
export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Inclusive list of dates from `from` to `to`; throws on a reversed or invalid range. */
export function dateRange(from: string, to: string): string[] {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new Error(`invalid date range ${from}..${to}: expected YYYY-MM-DD`);
  if (from > to) throw new Error(`invalid date range: ${from} is after ${to}`);
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

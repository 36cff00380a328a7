/**
 * The partition key: update -> `context_date` (YYYY-MM-DD in the configured UTC offset). This is the only
 * place that decides an update's day; Firehose's JQ and every reader just read the envelope's field.
 */
import { classifyUpdate } from './update-kinds';

/** Parses `-03:00`, `+05:30`, `+0000`, `Z` or `UTC` into minutes east of UTC. */
export function parseUtcOffset(text: string): number {
  const t = text.trim();
  if (t === 'Z' || t.toUpperCase() === 'UTC') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(t);
  if (!m) throw new Error(`invalid UTC offset "${text}": expected ±HH:MM, e.g. -03:00`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59 || minutes > 14 * 60) throw new Error(`invalid UTC offset "${text}": out of range`);
  return m[1] === '-' ? -minutes : minutes;
}

/** Formats minutes east of UTC as `±HH:MM`. */
export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const DAY_MS = 86_400_000;
// The last day formatted: a burst's updates share one, and the webhook asks for every request.
let lastDayNumber = Number.NaN;
let lastDayText = '';

/** The calendar date (YYYY-MM-DD) of a unix-milliseconds instant in the given offset. */
export function dateInOffset(unixMs: number, offsetMinutes: number): string {
  const local = unixMs + offsetMinutes * 60_000;
  const day = Math.floor(local / DAY_MS);
  if (day !== lastDayNumber) {
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    lastDayNumber = day;
  }
  return lastDayText;
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

/** `context_date` of an update: its event date, else its arrival time, in the configured offset. */
export function contextDateOf(update: Record<string, unknown> | undefined, receivedAtMs: number, offsetMinutes: number): string {
  const seconds = update ? eventDateOf(update) : undefined;
  return dateInOffset(seconds !== undefined ? seconds * 1000 : receivedAtMs, offsetMinutes);
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
export function contextDateOfExport(message: { readonly date?: unknown } | undefined, receivedAtMs: number, offsetMinutes: number): string {
  const seconds = exportEventDateOf(message);
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

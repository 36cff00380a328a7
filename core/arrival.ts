/**
 * When a bare update (the original pipeline's bucket layout: no envelope, so no `received_at`) arrived,
 * as well as its object tells: an update kind with no date of its own (a callback query, a chat's
 * deleted business messages, ...) is otherwise undated (a NULL `event_ts`), or dated by whenever the
 * object was last copied (a file's mtime after `aws s3 sync`).
 *
 * 1. The object's name, when Firehose named it (`<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`, the
 *    time its buffer opened, in UTC).
 * 2. Else its last-modified time, when that falls on the day of its `context_date=` folder (a bucket
 *    written at the time); a copy made later names another day.
 * 3. Else the middle of the folder's day (12:00 in the zone), which stays on that day.
 * 4. Else (no such folder) its last-modified time.
 */
import { dateInOffset, isIsoDate, startOfDayMs, type DayZone } from './context-date';

const FIREHOSE_NAME = /-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]*$/;
const FOLDER_DATE = /(?:^|\/)context_date=(\d{4}-\d{2}-\d{2})\//;
const HALF_DAY_MS = 12 * 3_600_000;

/** The UTC time in a Firehose object name, or undefined when the name is not one. */
export function timeInObjectName(key: string): number | undefined {
  const m = FIREHOSE_NAME.exec(key);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // 2026-02-30 or 25:00 is not a time: Date.UTC would roll it over.
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === s ? ms : undefined;
}

/** The `context_date=` folder's day of a key, or undefined. */
export function folderDate(key: string): string | undefined {
  const d = FOLDER_DATE.exec(key)?.[1];
  return d !== undefined && isIsoDate(d) ? d : undefined;
}

/** The best arrival time (unix ms) of the updates of an object, by the rules above; `zone` is the day's (default UTC). */
export function objectArrivalMs(key: string, lastModifiedMs: number, zone: DayZone = 0): number {
  const named = timeInObjectName(key);
  if (named !== undefined) return named;
  const day = folderDate(key);
  if (day === undefined) return lastModifiedMs;
  if (Number.isFinite(lastModifiedMs) && dateInOffset(lastModifiedMs, zone) === day) return lastModifiedMs;
  return startOfDayMs(day, zone) + HALF_DAY_MS;
}

/**
 * What a replay reads, fixed before anything is sent: each day's objects in key order (S3's byte
 * order), the snapshot time `listedBefore` that leaves out objects written later (what the replay itself
 * causes Firehose to write), and the resume position a stopped replay continues after.
 */
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import { FIREHOSE_ERROR_PREFIX, isDataObjectKey, rawDayPrefix } from '../../schemas/layout';
import { errorOutputDate } from './error-output';
import { realClock, type Clock } from './rate-limiter';

export type ReplaySource = 'raw' | 'errors';

export interface DayPlan {
  readonly day: string;
  /** The day's objects in the snapshot, in key order (`compareKeys`). */
  readonly objects: readonly ObjectInfo[];
  /** The day's objects written after the snapshot's `listedBefore`: never replayed by this replay. */
  readonly leftOut: readonly ObjectInfo[];
}

/** A place in a unit (a day, a file): the `line`-th record line of object `key`. */
export interface Position {
  readonly key: string;
  readonly line: number;
}

/**
 * Where a replay continues within a day: after line `afterLine` of object `afterKey` (objects are
 * replayed in key order; `afterLine` counts the object's non-empty lines from 1, as skipped records
 * are listed). Everything up to it was acknowledged by the stream or skipped for a reason.
 */
export interface ResumePosition {
  readonly day: string;
  readonly afterKey: string;
  readonly afterLine: number;
}

/** Why a resume position cannot be used; nothing was sent. */
export type ResumeErrorCode = 'ResumeKeyNotFound' | 'ResumeObjectChanged' | 'ResumeDayMismatch';

/**
 * A resume position that does not fit the objects of its day: the key is gone, the object was rewritten
 * after the replay started, or it has fewer lines than the position. Never a silent restart.
 */
export class ResumeError extends Error {
  constructor(
    readonly code: ResumeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Object keys in S3's listing order: UTF-8 bytes (JavaScript's `<` compares UTF-16 units). */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Parses a snapshot time (`listedBefore`): an ISO instant in UTC, e.g. 2026-05-12T10:00:00.000Z. */
export function parseListedBefore(text: string): number {
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`listedBefore must be an ISO time in UTC such as 2026-05-12T10:00:00.000Z, got "${text}"`);
  return ms;
}

/**
 * A first run waits this long after taking its snapshot time before it sends anything, so whatever it
 * causes to be written carries a later time even where file times lag the clock by a tick (Linux may
 * stamp files with a coarse clock, up to 10 ms behind); Firehose's buffer interval does it on AWS.
 */
export const SNAPSHOT_GUARD_MS = 20;

/**
 * Lists what each day would replay, before anything is sent, in key order. With `listedBefore`,
 * objects written after it are set apart in `leftOut`.
 */
export async function planReplay(raw: ObjectStore, days: readonly string[], source: ReplaySource, listedBefore?: Date): Promise<DayPlan[]> {
  const byDay = new Map(days.map((d) => [d, [] as ObjectInfo[]]));
  if (source === 'raw') {
    for (const day of days) for await (const o of raw.list(rawDayPrefix(day))) if (isDataObjectKey(o.key)) byDay.get(day)!.push(o); // what the readers read, no more
  } else {
    // Error output: one listing for the whole range, grouped by the arrival date in the key.
    for await (const o of raw.list(FIREHOSE_ERROR_PREFIX)) {
      const date = errorOutputDate(o.key);
      if (date !== undefined) byDay.get(date)?.push(o);
    }
  }
  const limit = listedBefore?.getTime();
  return days.map((day) => {
    const all = byDay.get(day)!.sort((a, b) => compareKeys(a.key, b.key));
    if (limit === undefined) return { day, objects: all, leftOut: [] };
    return { day, objects: all.filter((o) => o.lastModified.getTime() <= limit), leftOut: all.filter((o) => o.lastModified.getTime() > limit) };
  });
}

/**
 * Takes the snapshot and lists the days: `listedBefore` is the given one (a resumption) or, on a first
 * run, the end of the millisecond the listing starts in (a file written earlier in that millisecond
 * carries its sub-millisecond time rounded up); a first run then waits SNAPSHOT_GUARD_MS before
 * anything is sent.
 */
export async function snapshotPlan(
  raw: ObjectStore,
  days: readonly string[],
  source: ReplaySource,
  options: { readonly listedBefore?: string; readonly wallClock?: Clock } = {},
): Promise<{ listedBefore: string; plans: DayPlan[] }> {
  const wall = options.wallClock ?? realClock;
  const at = options.listedBefore !== undefined ? parseListedBefore(options.listedBefore) : wall.now() + 1;
  if (at > wall.now() + 60_000) throw new Error(`listedBefore ${options.listedBefore} is in the future: it is the time the replay's first run started, which its stop printed`);
  const plans = await planReplay(raw, days, source, new Date(at));
  if (options.listedBefore === undefined) {
    const wait = at + SNAPSHOT_GUARD_MS - wall.now();
    if (wait > 0) await wall.sleep(wait);
  }
  return { listedBefore: new Date(at).toISOString(), plans };
}

/** Checks a resume position against the first day's plan before anything is sent. */
export function checkResume(resume: ResumePosition, plan: DayPlan | undefined, listedBefore: string | undefined): void {
  if (!plan || plan.day !== resume.day) {
    throw new ResumeError('ResumeDayMismatch', `the resume position is in ${resume.day}, but the range starts at ${plan?.day ?? '(no day)'}: resume with the range starting at ${resume.day}; nothing was sent`);
  }
  if (plan.objects.some((o) => o.key === resume.afterKey)) return;
  const changed = plan.leftOut.find((o) => o.key === resume.afterKey);
  if (changed) {
    throw new ResumeError(
      'ResumeObjectChanged',
      `cannot resume after ${resume.afterKey}:${resume.afterLine}: the object was written again at ${changed.lastModified.toISOString()}, after the replay started (${listedBefore}); nothing was sent. Start ${resume.day} again without a resume position (enrichment drops the duplicates)`,
    );
  }
  throw new ResumeError(
    'ResumeKeyNotFound',
    `cannot resume after ${resume.afterKey}:${resume.afterLine}: no such object among the ${plan.objects.length} object(s) of ${resume.day} (deleted, moved, or a key of another day or source?); nothing was sent. Check the key, or start ${resume.day} again without a resume position (enrichment drops the duplicates)`,
  );
}

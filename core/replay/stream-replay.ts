/**
 * `replay stream`: raw objects or Firehose error output, a day at a time, back onto the stream.
 *
 * - The objects of each day are listed first and replayed in key order (byte order, as S3 lists them).
 * - Snapshot: a replay, its first run and every resumption, only considers objects written no later than
 *   `listedBefore` (the first run's start, carried in the resume state); objects written after it, such
 *   as the ones Firehose writes from the replay's own records into the same day folder, are left out and
 *   counted, so a replay never reads back what it caused.
 * - Resume position: records are put in order, and after a stop the report names `{day, afterKey,
 *   afterLine}`, the last line of the last object such that every record up to it was acknowledged by
 *   the stream (or skipped for a reason, which a re-run would skip again). It never passes a record
 *   that was not acknowledged: a record that failed after its retries is after the position, so the
 *   resumption sends it again (it is also in the unsent list). Records acknowledged after the first
 *   unacknowledged one (the rest of the call it failed in) are sent again by the resumption too:
 *   `resendOnResume` counts them; enrichment keeps one row per update_id.
 * - Records are prepared by `prepareRecord` (envelopes as they are, bare updates wrapped, the rest
 *   skipped with a reason and counted, with samples naming object and line).
 * - Batches respect PutRecordBatch's limits, narrowed to one second's share of the quota; each call
 *   first takes its records, bytes and request from the rate limiter.
 * - Only failed entries are re-sent, with full-jitter backoff; a whole call that fails is retried when
 *   throttled or transient, and stops the replay when fatal. A record that has had all its attempts stops
 *   the replay too: what was read but not sent is returned (with update_ids), and the days after it are
 *   listed as not attempted. Resume from the reported position (enrichment keeps one row per update_id
 *   in any case).
 * - `shouldStop` is asked before every call (Ctrl-C, the Lambda's remaining time): the replay then ends
 *   cleanly, reporting the same way.
 */
import { objectArrivalMs } from '../arrival';
import type { DayZone } from '../context-date';
import type { Logger } from '../log';
import { objectRecords } from '../object-lines';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { Batcher, FIREHOSE_BATCH_LIMITS, limitsForRate, type BatchLimits } from './batches';
import { checkResume, compareKeys, ResumeError, snapshotPlan, type DayPlan, type Position, type ReplaySource, type ResumePosition } from './snapshot';

import { decodeErrorRecord, errorDocuments } from './error-output';
import { realClock, type Clock, type RateLimiter } from './rate-limiter';
import { byteLength, prepareRecord, type RecordKind } from './records';
import { countNoChat, NO_KIND, type NoChatCounts } from '../no-chat';
import { applyPolicyToLine } from '../privacy/raw-line';
import type { PrivacyPolicy } from '../privacy/policy';
import { backoffMs, classifyEntryError, classifyFailure, DEFAULT_RETRY_POLICY, type FailureClass, type RetryPolicy } from './retry-policy';

// The snapshot and resume position live in ./snapshot; their callers keep importing them from here.
export { checkResume, compareKeys, parseListedBefore, planReplay, ResumeError, SNAPSHOT_GUARD_MS, snapshotPlan } from './snapshot';
export type { DayPlan, Position, ReplaySource, ResumeErrorCode, ResumePosition } from './snapshot';

/** One record read from a source, or a reason it could not be read as one. */
export type SourceRecord =
  | { readonly key: string; readonly line: number; readonly text: string; readonly fallbackReceivedAtMs: number }
  | { readonly key: string; readonly line: number; readonly skip: string };

export interface Sample {
  readonly key: string;
  readonly line: number;
  readonly reason: string;
  readonly updateId?: number;
}

export interface UnsentRecord {
  readonly line: string;
  readonly key: string;
  readonly updateId?: number;
}

export interface DayReport {
  readonly day: string;
  objects: number;
  /** Records read (lines of raw objects, or error-output records). */
  records: number;
  /** Records prepared for the stream. */
  toSend: number;
  bytes: number;
  /** Records the stream accepted (or, in a dry run, would be sent). */
  sent: number;
  calls: number;
  /** Entries re-sent after a failed entry or a failed call. */
  resent: number;
  /** Calls that failed as a whole because of throttling. */
  throttled: number;
  kinds: Partial<Record<RecordKind, number>>;
  /** Records per context_date they were put for (the days to enrich once Firehose has delivered them). */
  contextDates: Record<string, number>;
  skipped: Record<string, number>;
  /** Updates with no chat, dropped as every path drops them (core/no-chat.ts), by kind; not samples. */
  noChat: NoChatCounts;
  /** The first skipped records, naming object and line. */
  samples: Sample[];
  /** Records read but not sent when the replay stopped. */
  unsent: UnsentRecord[];
  complete: boolean;
  /** Objects of the day written after the snapshot (`listedBefore`), left out; and the first keys. */
  leftOut: number;
  leftOutKeys: string[];
  /** When this run resumed the day: where it started, and what it passed over without reading it again. */
  resumed?: { readonly afterKey: string; readonly afterLine: number; objectsPassed: number };
  /**
   * When stopped: continue after this position (undefined: from the start of the unit). Every record
   * up to it was acknowledged (or skipped for a reason); the first record not acknowledged is after it.
   */
  resumeAfter?: Position;
  /** When stopped: records acknowledged after `resumeAfter`, which a resumption sends again. */
  resendOnResume: number;
}

export interface ReplayReport {
  readonly source: string;
  readonly dryRun: boolean;
  readonly days: DayReport[];
  /** Why the replay ended before the end of the range. */
  stopped?: { readonly day: string; readonly reason: string; readonly fatal: boolean };
  /** The snapshot: objects written after this time (ISO) were left out. Carried by every resumption. */
  listedBefore?: string;
  /** Where this run started (a resumption). */
  resumedFrom?: ResumePosition;
  /** When stopped part-way through a day: where to resume (absent: from the start of the stopped day). */
  resume?: ResumePosition;
  /** Days after the stop, not read at all. */
  notAttempted: string[];
  /** Time spent waiting for the rate limit. */
  rateWaitMs: number;
}

export interface ReplayDeps {
  readonly raw: ObjectStore;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly utcOffsetMinutes: DayZone;
  readonly limiter?: RateLimiter;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  readonly limits?: BatchLimits;
  /** Asked before every call; a reason (a string) ends the replay cleanly. */
  readonly shouldStop?: () => string | undefined;
  /** After each object is read to its end and its records handed to the batcher (progress). */
  readonly onObject?: (report: DayReport, key: string) => void;
  /** After each call settles (progress; tests interrupt a replay by throwing here). */
  readonly onBatch?: (report: DayReport) => void;
  /**
   * The real time, for the snapshot (`listedBefore`) only; default the system clock. Apart from `clock`,
   * which paces calls and backoff and which tests simulate.
   */
  readonly wallClock?: Clock;
  /**
   * The erasure register and data mode (core/privacy): records of erased people are skipped (`erased`),
   * erased people are taken out of other people's records, and records are made at least as strict as
   * the deployment's mode before they are put. Absent: every record as it is.
   */
  readonly privacy?: PrivacyPolicy;
}

export interface ReplayOptions {
  readonly dryRun?: boolean;
  /** The snapshot of the first run (ISO); absent on a first run, which takes the current time. */
  readonly listedBefore?: string;
  /** Continue the first day of the range after this position (its `day` must be the first day). */
  readonly resume?: ResumePosition;
}

export const MAX_SAMPLES = 20;

/**
 * The records of one object: lines of a raw object, or decoded error-output records. With `afterLine`
 * (a resumption inside this object), lines up to it are passed over without being decoded; an object
 * with fewer lines than that has changed, which is a ResumeError.
 */
export async function* objectSourceRecords(raw: ObjectStore, object: ObjectInfo, source: ReplaySource, afterLine = 0, zone: DayZone = 0): AsyncGenerator<SourceRecord> {
  const key = object.key;
  const written = object.lastModified.getTime();
  // A bare update's received_at: the object's name or folder day, not a later copy's mtime (core/arrival.ts).
  const arrived = source === 'raw' ? objectArrivalMs(key, written, zone) : written;
  let line = 0;
  for await (const text of objectRecords(await raw.read(key))) {
    line += 1;
    if (line <= afterLine) continue;
    if (source === 'raw') {
      yield { key, line, text, fallbackReceivedAtMs: arrived };
      continue;
    }
    for (const doc of errorDocuments(text)) {
      const decoded = decodeErrorRecord(doc);
      if (!decoded.ok) {
        yield { key, line, skip: decoded.reason };
        continue;
      }
      for (const t of decoded.lines) yield { key, line, text: t, fallbackReceivedAtMs: decoded.arrivalTimestamp ?? written };
    }
  }
  if (line < afterLine) {
    throw new ResumeError('ResumeObjectChanged', `cannot resume after ${key}:${afterLine}: the object has ${line} line(s) now, so it changed since the replay started; nothing was sent. Start again without a resume position (enrichment drops the duplicates)`);
  }
}

/** A day's report before anything is read. */
export const emptyDay = (day: string): DayReport => ({
  day,
  objects: 0,
  records: 0,
  toSend: 0,
  bytes: 0,
  sent: 0,
  calls: 0,
  resent: 0,
  throttled: 0,
  kinds: {},
  contextDates: {},
  skipped: {},
  noChat: {},
  samples: [],
  unsent: [],
  complete: false,
  leftOut: 0,
  leftOutKeys: [],
  resendOnResume: 0,
});

interface Item {
  readonly line: string;
  readonly bytes: number;
  readonly key: string;
  readonly updateId?: number;
  /** Order of the record among the records prepared in this run of the unit, from 0. */
  readonly seq: number;
  /** `seq` of the first record prepared from the same source line (error output holds several per line). */
  readonly lineFirstSeq: number;
  /** The last source line before this record's line (undefined: none in this run or before it). */
  readonly before?: Position;
}

type Stop = { readonly reason: string; readonly fatal: boolean };

const describe = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
};

/** Sends one batch, re-sending only failed entries, until all are in or the budget is spent. */
async function sendBatch(batch: Item[], deps: ReplayDeps, report: DayReport): Promise<{ failed: Item[]; stop?: Stop }> {
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  let pending = batch;
  for (let attempt = 1; ; attempt += 1) {
    await deps.limiter?.take(pending.length, pending.reduce((n, i) => n + i.bytes, 0));
    report.calls += 1;
    let failed: Item[];
    let failure: FailureClass;
    let why: string;
    try {
      const result = await deps.sink.putBatch(pending.map((i) => i.line));
      failed = result.failed.map((i) => pending[i]!).filter((i) => i !== undefined);
      why = result.errors[0] ?? 'failed entries';
      failure = classifyEntryError(why.split(':')[0]);
      if (failed.length > 0) deps.logger.warn('entries not accepted: re-sending only those', { event: 'replay_partial_failure', day: report.day, failed: failed.length, of: pending.length, first_error: why, attempt });
    } catch (error) {
      failure = classifyFailure(error);
      why = describe(error);
      failed = pending;
      if (failure === 'throttled') report.throttled += 1;
      deps.logger.warn(`PutRecordBatch failed (${failure})`, { event: 'replay_call_failed', day: report.day, error: why, attempt });
      if (failure === 'fatal') return { failed, stop: { reason: `the stream refused the call: ${why}`, fatal: true } };
    }
    report.sent += pending.length - failed.length;
    if (failed.length === 0) return { failed: [] };
    if (attempt >= policy.maxAttempts) {
      return { failed, stop: { reason: `${failed.length} record(s) still failing after ${attempt} attempts (${why})`, fatal: false } };
    }
    report.resent += failed.length;
    await clock.sleep(backoffMs(attempt, failure, random, policy));
    pending = failed;
  }
}

/**
 * Replays a stream of source records as one unit (a day, or a file of unsent lines). Returns the stop
 * when the replay cannot go on, and then sets `report.resumeAfter`: records go in order, batch after
 * batch, and a stop ends the unit, so every record before the first one not acknowledged (the first
 * failed entry of the last call, or the first record of the call not made) was acknowledged; the
 * position is the line before that record's line. `options.after` is where the unit was resumed.
 */
export async function replayRecords(records: AsyncIterable<SourceRecord>, report: DayReport, deps: ReplayDeps, options: { dryRun?: boolean; after?: Position } = {}): Promise<Stop | undefined> {
  const limits = limitsForRate(deps.limiter?.rate, deps.limits ?? FIREHOSE_BATCH_LIMITS);
  const batcher = new Batcher<Item>(limits);
  const skip = (key: string, line: number, reason: string, updateId?: number): void => {
    report.skipped[reason] = (report.skipped[reason] ?? 0) + 1;
    if (report.samples.length < MAX_SAMPLES) report.samples.push(updateId === undefined ? { key, line, reason } : { key, line, reason, updateId });
  };
  let stop: Stop | undefined;
  const sentBefore = report.sent;
  let seq = 0;
  let current: Position | undefined; // the source line being read
  let previous: Position | undefined = options.after; // the line before it
  let lineFirstSeq = 0;
  let firstUnsent: Item | undefined;
  const markUnsent = (items: readonly Item[]): void => {
    report.unsent.push(...items);
    for (const i of items) if (!firstUnsent || i.seq < firstUnsent.seq) firstUnsent = i;
  };
  const stopped = (s: Stop): Stop => {
    report.resumeAfter = firstUnsent ? firstUnsent.before : (current ?? options.after);
    // Acknowledged records at or after the first line not done: all records before it were acknowledged.
    report.resendOnResume = firstUnsent ? report.sent - sentBefore - firstUnsent.lineFirstSeq : 0;
    return s;
  };
  const send = async (batch: Item[]): Promise<void> => {
    const asked = deps.shouldStop?.();
    if (asked !== undefined) {
      stop = { reason: asked, fatal: false };
      markUnsent(batch);
      return;
    }
    if (options.dryRun) {
      report.calls += 1;
      report.sent += batch.length;
    } else {
      const r = await sendBatch(batch, deps, report);
      if (r.stop) {
        stop = r.stop;
        markUnsent(r.failed);
      }
    }
    deps.onBatch?.(report);
  };

  for await (const r of records) {
    if (!current || current.key !== r.key || current.line !== r.line) {
      if (current) previous = current;
      current = { key: r.key, line: r.line };
      lineFirstSeq = seq;
    }
    report.records += 1;
    if ('skip' in r) {
      skip(r.key, r.line, r.skip);
      continue;
    }
    let p = prepareRecord(r.text, r.fallbackReceivedAtMs, deps.utcOffsetMinutes, limits.maxRecordBytes);
    if (!p.ok && p.reason === 'no_chat') {
      countNoChat(report.noChat, p.kind ?? NO_KIND);
      continue;
    }
    if (!p.ok) {
      skip(r.key, r.line, p.reason, p.updateId);
      continue;
    }
    if (deps.privacy) {
      const outcome = applyPolicyToLine(p.line.slice(0, -1), deps.privacy);
      if (outcome.action === 'drop') {
        skip(r.key, r.line, 'erased', p.updateId);
        continue;
      }
      if (outcome.action === 'rewrite') {
        const line = `${outcome.line}\n`;
        p = { ...p, line, bytes: byteLength(line) };
      }
    }
    report.kinds[p.kind] = (report.kinds[p.kind] ?? 0) + 1;
    report.contextDates[p.contextDate] = (report.contextDates[p.contextDate] ?? 0) + 1;
    report.toSend += 1;
    report.bytes += p.bytes;
    const item: Item = { line: p.line, bytes: p.bytes, key: r.key, updateId: p.updateId, seq, lineFirstSeq, before: previous };
    seq += 1;
    const full = batcher.add(item, p.bytes);
    if (full) await send(full);
    if (stop) {
      markUnsent(batcher.drain() ?? []);
      return stopped(stop);
    }
  }
  const last = batcher.drain();
  if (last) await send(last);
  if (stop) return stopped(stop);
  report.complete = true;
  return undefined;
}

/**
 * Replays the planned days one after the other (Firehose limits active partitions: one day at a time).
 * With `options.resume`, the first day continues after that position: objects before its key are not
 * read, and the lines of its object up to `afterLine` are passed over. A position that does not fit the
 * plan is a ResumeError, thrown before anything is sent.
 */
export async function replayPlan(plans: readonly DayPlan[], source: ReplaySource, deps: ReplayDeps, options: ReplayOptions = {}): Promise<ReplayReport> {
  const resume = options.resume;
  if (resume) checkResume(resume, plans[0], options.listedBefore);
  const report: ReplayReport = { source, dryRun: options.dryRun ?? false, days: [], notAttempted: [], rateWaitMs: 0, listedBefore: options.listedBefore, ...(resume ? { resumedFrom: resume } : {}) };
  const leftOut = plans.reduce((n, p) => n + p.leftOut.length, 0);
  if (options.listedBefore !== undefined) {
    deps.logger.info(`snapshot ${options.listedBefore}: ${leftOut} object(s) written after it left out`, { event: 'replay_snapshot', source, listed_before: options.listedBefore, left_out: leftOut, resumed: resume !== undefined });
  }
  for (let i = 0; i < plans.length; i += 1) {
    const plan = plans[i]!;
    const day = emptyDay(plan.day);
    day.objects = plan.objects.length;
    day.leftOut = plan.leftOut.length;
    day.leftOutKeys = plan.leftOut.slice(0, MAX_SAMPLES).map((o) => o.key);
    const after = i === 0 ? resume : undefined;
    if (after) day.resumed = { afterKey: after.afterKey, afterLine: after.afterLine, objectsPassed: 0 };
    report.days.push(day);
    async function* records(): AsyncGenerator<SourceRecord> {
      for (const object of plan.objects) {
        if (after && compareKeys(object.key, after.afterKey) < 0) {
          day.resumed!.objectsPassed += 1;
          deps.onObject?.(day, object.key);
          continue;
        }
        yield* objectSourceRecords(deps.raw, object, source, after && object.key === after.afterKey ? after.afterLine : 0, deps.utcOffsetMinutes);
        deps.onObject?.(day, object.key);
      }
    }
    const stop = await replayRecords(records(), day, deps, { dryRun: options.dryRun, after: after ? { key: after.afterKey, line: after.afterLine } : undefined });
    deps.logger.info(`replayed ${plan.day} from ${source}`, { event: 'replay_day', source, ...day, samples: day.samples.length, unsent: day.unsent.length, dry_run: report.dryRun });
    if (stop) {
      report.stopped = { day: plan.day, ...stop };
      if (day.resumeAfter) report.resume = { day: plan.day, afterKey: day.resumeAfter.key, afterLine: day.resumeAfter.line };
      report.notAttempted = plans.slice(i + 1).map((p) => p.day);
      deps.logger.error(`replay stopped at ${plan.day}: ${stop.reason}`, {
        event: 'replay_stopped',
        day: plan.day,
        unsent: day.unsent.length,
        not_attempted: report.notAttempted.length,
        resume: report.resume,
        resend_on_resume: day.resendOnResume,
        listed_before: options.listedBefore,
      });
      break;
    }
  }
  report.rateWaitMs = deps.limiter?.waitedMs ?? 0;
  return report;
}

/**
 * Lists and replays a range of days: a first run takes the snapshot time now; a resumption passes the
 * first run's `listedBefore` (and usually `resume`).
 */
export async function replayDays(days: readonly string[], source: ReplaySource, deps: ReplayDeps, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { listedBefore, plans } = await snapshotPlan(deps.raw, days, source, { listedBefore: options.listedBefore, wallClock: deps.wallClock });
  return replayPlan(plans, source, deps, { ...options, listedBefore });
}

/** The context_dates a replay put records for, sorted: the days to enrich afterwards. */
export function affectedDays(report: ReplayReport): string[] {
  return [...new Set(report.days.flatMap((d) => Object.keys(d.contextDates)))].sort();
}

/** Totals over the days of a report. */
export function totals(report: ReplayReport): { objects: number; records: number; toSend: number; sent: number; skipped: number; unsent: number; calls: number; resent: number; bytes: number } {
  const t = { objects: 0, records: 0, toSend: 0, sent: 0, skipped: 0, unsent: 0, calls: 0, resent: 0, bytes: 0 };
  for (const d of report.days) {
    t.objects += d.objects;
    t.records += d.records;
    t.toSend += d.toSend;
    t.sent += d.sent;
    t.calls += d.calls;
    t.resent += d.resent;
    t.bytes += d.bytes;
    t.unsent += d.unsent.length;
    t.skipped += Object.values(d.skipped).reduce((n, v) => n + v, 0);
  }
  return t;
}

/**
 * `replay stream`: raw objects or Firehose error output, a day at a time, back onto the stream.
 *
 * - The objects of each day are listed first (a snapshot), so objects the replay itself causes to be
 *   written (Firehose delivers into the same day folders) are never read back.
 * - Records are prepared by `prepareRecord` (envelopes as they are, bare updates wrapped, the rest
 *   skipped with a reason and counted, with samples naming object and line).
 * - Batches respect PutRecordBatch's limits, narrowed to one second's share of the quota; each call
 *   first takes its records, bytes and request from the rate limiter.
 * - Only failed entries are re-sent, with full-jitter backoff; a whole call that fails is retried when
 *   throttled or transient, and stops the replay when fatal. A record that has had all its attempts stops
 *   the replay too: what was read but not sent is returned (with update_ids), and the days after it are
 *   listed as not attempted. Run it again: enrichment keeps one row per update_id.
 * - `shouldStop` is asked before every call (Ctrl-C, the Lambda's remaining time): the replay then ends
 *   cleanly, reporting the same way.
 */
import type { Logger } from '../log';
import { objectRecords } from '../object-lines';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { FIREHOSE_ERROR_PREFIX, rawDayPrefix } from '../../schemas/layout';
import { Batcher, FIREHOSE_BATCH_LIMITS, limitsForRate, type BatchLimits } from './batches';
import { decodeErrorRecord, errorDocuments, errorOutputDate } from './error-output';
import { realClock, type Clock, type RateLimiter } from './rate-limiter';
import { prepareRecord, type RecordKind } from './records';
import { backoffMs, classifyEntryError, classifyFailure, DEFAULT_RETRY_POLICY, type FailureClass, type RetryPolicy } from './retry-policy';

export type ReplaySource = 'raw' | 'errors';

/** One record read from a source, or a reason it could not be read as one. */
export type SourceRecord =
  | { readonly key: string; readonly line: number; readonly text: string; readonly fallbackReceivedAtMs: number }
  | { readonly key: string; readonly line: number; readonly skip: string };

export interface DayPlan {
  readonly day: string;
  readonly objects: readonly ObjectInfo[];
}

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
  /** The first skipped records, naming object and line. */
  samples: Sample[];
  /** Records read but not sent when the replay stopped. */
  unsent: UnsentRecord[];
  complete: boolean;
}

export interface ReplayReport {
  readonly source: string;
  readonly dryRun: boolean;
  readonly days: DayReport[];
  /** Why the replay ended before the end of the range. */
  stopped?: { readonly day: string; readonly reason: string; readonly fatal: boolean };
  /** Days after the stop, not read at all. */
  notAttempted: string[];
  /** Time spent waiting for the rate limit. */
  rateWaitMs: number;
}

export interface ReplayDeps {
  readonly raw: ObjectStore;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly utcOffsetMinutes: number;
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
}

export const MAX_SAMPLES = 20;

/** Lists what each day would replay: a snapshot taken before anything is sent. */
export async function planReplay(raw: ObjectStore, days: readonly string[], source: ReplaySource): Promise<DayPlan[]> {
  if (source === 'raw') {
    const plans: DayPlan[] = [];
    for (const day of days) {
      const objects: ObjectInfo[] = [];
      for await (const o of raw.list(rawDayPrefix(day))) objects.push(o);
      plans.push({ day, objects });
    }
    return plans;
  }
  // Error output: one listing for the whole range, grouped by the arrival date in the key.
  const wanted = new Map(days.map((d) => [d, [] as ObjectInfo[]]));
  for await (const o of raw.list(FIREHOSE_ERROR_PREFIX)) {
    const date = errorOutputDate(o.key);
    if (date !== undefined) wanted.get(date)?.push(o);
  }
  return days.map((day) => ({ day, objects: wanted.get(day)! }));
}

/** The records of one object: lines of a raw object, or decoded error-output records. */
export async function* objectSourceRecords(raw: ObjectStore, object: ObjectInfo, source: ReplaySource): AsyncGenerator<SourceRecord> {
  const key = object.key;
  const written = object.lastModified.getTime();
  let line = 0;
  for await (const text of objectRecords(await raw.read(key))) {
    line += 1;
    if (source === 'raw') {
      yield { key, line, text, fallbackReceivedAtMs: written };
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
}

const emptyDay = (day: string): DayReport => ({
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
  samples: [],
  unsent: [],
  complete: false,
});

interface Item {
  readonly line: string;
  readonly bytes: number;
  readonly key: string;
  readonly updateId?: number;
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
 * when the replay cannot go on.
 */
export async function replayRecords(records: AsyncIterable<SourceRecord>, report: DayReport, deps: ReplayDeps, options: { dryRun?: boolean } = {}): Promise<Stop | undefined> {
  const limits = limitsForRate(deps.limiter?.rate, deps.limits ?? FIREHOSE_BATCH_LIMITS);
  const batcher = new Batcher<Item>(limits);
  const skip = (key: string, line: number, reason: string, updateId?: number): void => {
    report.skipped[reason] = (report.skipped[reason] ?? 0) + 1;
    if (report.samples.length < MAX_SAMPLES) report.samples.push(updateId === undefined ? { key, line, reason } : { key, line, reason, updateId });
  };
  let stop: Stop | undefined;
  const send = async (batch: Item[]): Promise<void> => {
    const asked = deps.shouldStop?.();
    if (asked !== undefined) {
      stop = { reason: asked, fatal: false };
      report.unsent.push(...batch);
      return;
    }
    if (options.dryRun) {
      report.calls += 1;
      report.sent += batch.length;
    } else {
      const r = await sendBatch(batch, deps, report);
      if (r.stop) {
        stop = r.stop;
        report.unsent.push(...r.failed);
      }
    }
    deps.onBatch?.(report);
  };

  for await (const r of records) {
    report.records += 1;
    if ('skip' in r) {
      skip(r.key, r.line, r.skip);
      continue;
    }
    const p = prepareRecord(r.text, r.fallbackReceivedAtMs, deps.utcOffsetMinutes, limits.maxRecordBytes);
    if (!p.ok) {
      skip(r.key, r.line, p.reason, p.updateId);
      continue;
    }
    report.kinds[p.kind] = (report.kinds[p.kind] ?? 0) + 1;
    report.contextDates[p.contextDate] = (report.contextDates[p.contextDate] ?? 0) + 1;
    report.toSend += 1;
    report.bytes += p.bytes;
    const full = batcher.add({ line: p.line, bytes: p.bytes, key: r.key, updateId: p.updateId }, p.bytes);
    if (full) await send(full);
    if (stop) {
      report.unsent.push(...(batcher.drain() ?? []));
      return stop;
    }
  }
  const last = batcher.drain();
  if (last) await send(last);
  if (!stop) report.complete = true;
  return stop;
}

/** Replays the planned days one after the other (Firehose limits active partitions: one day at a time). */
export async function replayPlan(plans: readonly DayPlan[], source: ReplaySource, deps: ReplayDeps, options: { dryRun?: boolean } = {}): Promise<ReplayReport> {
  const report: ReplayReport = { source, dryRun: options.dryRun ?? false, days: [], notAttempted: [], rateWaitMs: 0 };
  for (let i = 0; i < plans.length; i += 1) {
    const plan = plans[i]!;
    const day = emptyDay(plan.day);
    day.objects = plan.objects.length;
    report.days.push(day);
    async function* records(): AsyncGenerator<SourceRecord> {
      for (const object of plan.objects) {
        yield* objectSourceRecords(deps.raw, object, source);
        deps.onObject?.(day, object.key);
      }
    }
    const stop = await replayRecords(records(), day, deps, options);
    deps.logger.info(`replayed ${plan.day} from ${source}`, { event: 'replay_day', source, ...day, samples: day.samples.length, unsent: day.unsent.length, dry_run: report.dryRun });
    if (stop) {
      report.stopped = { day: plan.day, ...stop };
      report.notAttempted = plans.slice(i + 1).map((p) => p.day);
      deps.logger.error(`replay stopped at ${plan.day}: ${stop.reason}`, { event: 'replay_stopped', day: plan.day, unsent: day.unsent.length, not_attempted: report.notAttempted.length });
      break;
    }
  }
  report.rateWaitMs = deps.limiter?.waitedMs ?? 0;
  return report;
}

/** Lists and replays a range of days. */
export async function replayDays(days: readonly string[], source: ReplaySource, deps: ReplayDeps, options: { dryRun?: boolean } = {}): Promise<ReplayReport> {
  return replayPlan(await planReplay(deps.raw, days, source), source, deps, options);
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

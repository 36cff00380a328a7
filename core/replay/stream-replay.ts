/**
 * `replay stream`: raw objects or Firehose error output of one day, back onto the stream. Envelopes go
 * as they are (they keep their context_date); bare updates (the original pipeline's layout) are wrapped;
 * anything else is reported and skipped. Batches respect PutRecordBatch's limits, only failed entries
 * are re-sent (backoff with full jitter, bounded by a retry budget), and a rate limiter keeps the replay
 * to a share of the stream's quota. Idempotent by design: enrichment keeps one row per update_id.
 */
import { buildEnvelope } from '../envelope';
import type { Logger } from '../log';
import { objectRecords } from '../object-lines';
import { parseRawRecord } from '../raw-records';
import type { ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { FIREHOSE_ERROR_PREFIX, rawDayPrefix } from '../../schemas';
import { batchRecords, FIREHOSE_BATCH_LIMITS, type BatchLimits } from './batches';
import { decodeErrorOutputLine, errorDayPattern } from './error-output';
import { realClock, type Clock, type RateLimiter } from './rate-limiter';

export type ReplaySource = 'raw' | 'errors';

export interface ReplayDeps {
  readonly raw: ObjectStore;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly utcOffsetMinutes: number;
  readonly limiter?: RateLimiter;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Attempts per record before it counts as not sent. */
  readonly maxAttempts?: number;
  readonly limits?: BatchLimits;
  /** Called after each batch is settled (progress, tests interrupting a replay). */
  readonly onBatch?: (sent: number) => void;
}

export interface ReplaySummary {
  date: string;
  source: ReplaySource;
  objects: number;
  records: number;
  sent: number;
  retries: number;
  skipped: Record<string, number>;
  /** Lines that could not be sent within the retry budget, for a later retry. */
  unsent: string[];
  dryRun: boolean;
}

const encoder = new TextEncoder();
const sizeOf = (line: string): number => encoder.encode(line).length;

/** Turns one raw record into the line to put, or a reason to skip it. */
export function replayLine(text: string, lastModified: Date, utcOffsetMinutes: number): { line: string } | { skip: string } {
  const record = parseRawRecord(text);
  if (record.ok) {
    if (record.contextDate !== undefined) return { line: `${text}\n` };
    const body = JSON.stringify(record.update);
    return { line: buildEnvelope(body, { update: record.update }, lastModified.getTime(), utcOffsetMinutes).line };
  }
  if (record.reason === 'unparsed_envelope') return { line: `${text}\n` }; // kept as data, as the webhook kept it
  return { skip: record.reason };
}

async function* dayLines(date: string, source: ReplaySource, deps: ReplayDeps, summary: ReplaySummary): AsyncGenerator<string> {
  const skip = (reason: string) => (summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1);
  if (source === 'raw') {
    for await (const object of deps.raw.list(rawDayPrefix(date))) {
      summary.objects += 1;
      for await (const text of objectRecords(await deps.raw.read(object.key))) {
        summary.records += 1;
        const r = replayLine(text, object.lastModified, deps.utcOffsetMinutes);
        if ('line' in r) yield r.line;
        else skip(r.skip);
      }
    }
    return;
  }
  const pattern = errorDayPattern(date);
  for await (const object of deps.raw.list(FIREHOSE_ERROR_PREFIX)) {
    if (!pattern.test(object.key)) continue;
    summary.objects += 1;
    for await (const text of objectRecords(await deps.raw.read(object.key))) {
      summary.records += 1;
      const decoded = decodeErrorOutputLine(text);
      if (!decoded.ok) {
        skip(decoded.reason);
        continue;
      }
      const r = replayLine(decoded.line.trimEnd(), object.lastModified, deps.utcOffsetMinutes);
      if ('line' in r) yield r.line;
      else skip(r.skip);
    }
  }
}

/** Sends one batch, re-sending only failed entries, until all are in or the budget is spent. */
async function sendBatch(lines: string[], deps: ReplayDeps, summary: ReplaySummary): Promise<string[]> {
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const maxAttempts = deps.maxAttempts ?? 8;
  let pending = lines;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    await deps.limiter?.take(pending.length, pending.reduce((n, l) => n + sizeOf(l), 0));
    let failed: string[];
    try {
      const result = await deps.sink.putBatch(pending);
      failed = result.failed.map((i) => pending[i]!);
      if (result.errors.length) deps.logger.warn('some records were not accepted: re-sending them', { failed: failed.length, first_error: result.errors[0] });
    } catch (error) {
      // Throttling or a service error: the whole call failed.
      deps.logger.warn('PutRecordBatch failed: backing off', { error: (error as Error).name, message: (error as Error).message, attempt });
      failed = pending;
    }
    summary.sent += pending.length - failed.length;
    if (failed.length === 0) return [];
    if (attempt >= maxAttempts) return failed;
    summary.retries += failed.length;
    // Exponential backoff with full jitter.
    await clock.sleep(Math.floor(random() * Math.min(20_000, 100 * 2 ** attempt)));
    pending = failed;
  }
  return [];
}

export async function replayDay(date: string, source: ReplaySource, deps: ReplayDeps, options: { dryRun?: boolean } = {}): Promise<ReplaySummary> {
  const summary: ReplaySummary = { date, source, objects: 0, records: 0, sent: 0, retries: 0, skipped: {}, unsent: [], dryRun: options.dryRun ?? false };
  const limits = deps.limits ?? FIREHOSE_BATCH_LIMITS;
  let buffer: string[] = [];
  const flush = async () => {
    const { batches, oversized } = batchRecords(buffer, sizeOf, limits);
    buffer = [];
    if (oversized.length) summary.skipped.oversized = (summary.skipped.oversized ?? 0) + oversized.length;
    for (const batch of batches) {
      if (summary.dryRun) summary.sent += batch.length;
      else summary.unsent.push(...(await sendBatch(batch, deps, summary)));
      deps.onBatch?.(summary.sent);
    }
  };
  for await (const line of dayLines(date, source, deps, summary)) {
    buffer.push(line);
    if (buffer.length >= limits.maxRecords * 4) await flush();
  }
  await flush();
  deps.logger.info(`replayed ${date} from ${source}`, { event: 'replay_day', ...summary, unsent: summary.unsent.length });
  return summary;
}

/**
 * Replay Lambda, for operators without a laptop: puts the raw objects (or Firehose's error output) of a
 * range of days back onto the delivery stream, one day at a time, rate-limited to a share of the
 * stream's quota. Invoke it synchronously:
 *
 *   aws lambda invoke --function-name <ReplayFunctionName> --cli-binary-format raw-in-base64-out \
 *     --cli-read-timeout 900 --payload '{"mode":"stream","from":"2026-03-01","to":"2026-03-02","source":"errors"}' out.json
 *
 * Payload: `mode` "stream" (the only mode: enrichment replays invoke the enrichment Lambda with
 * {"date": D}); `from`, `to` (YYYY-MM-DD, inclusive); `source` "raw" (default) or "errors"; optional
 * `dryRun`, `share` (0 < share <= 1); and, to continue a replay, `listedBefore` (the first run's start,
 * ISO: objects written after it are left out, by every run of the replay) and `resume`
 * ({"day": from, "afterKey": K, "afterLine": N}: continue `from` after line N of object K).
 *
 * Answer: the per-day counts (`leftOut`: objects written after `listedBefore`), `listedBefore`, and
 * `enrichDays`: the context_dates the records were put for (invoke the enrichment Lambda with
 * {"date": D} for each once Firehose has delivered them). When the Lambda's time is nearly up it stops
 * between calls and answers with `"complete": false` and `next`, the payload to invoke again with: the
 * stopped day, the snapshot and the position after the last record Firehose acknowledged in order, so
 * nothing is sent twice and nothing is passed over. When records cannot be sent (retry budget spent, or
 * the stream refused the call) it fails, naming the counts, the first update_ids and that payload (which
 * sends the failed records again). A `resume` that does not fit the day's objects fails with
 * ResumeKeyNotFound / ResumeObjectChanged / ResumeDayMismatch before anything is sent.
 *
 * Environment: RAW_BUCKET, DELIVERY_STREAM_NAME, CONTEXT_UTC_OFFSET; optional REPLAY_SHARE (default 0.5),
 * REPLAY_QUOTA_RECORDS_PER_SECOND (100000), REPLAY_QUOTA_BYTES_PER_SECOND (1048576),
 * REPLAY_QUOTA_REQUESTS_PER_SECOND (1000), REPLAY_MAX_ATTEMPTS (8).
 * IAM: s3:ListBucket on the raw bucket, s3:GetObject on telegram/* and errors/*, firehose:PutRecordBatch
 * on the stream.
 */
import { loadPolicy } from '../core/privacy';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { dateRange, parseUtcOffset } from '../core/context-date';
import { createLogger, type Logger } from '../core/log';
import { DEFAULT_SHARE, FIREHOSE_DEFAULT_QUOTA, RateLimiter, shareOf } from '../core/replay/rate-limiter';
import { DEFAULT_RETRY_POLICY } from '../core/replay/retry-policy';
import { affectedDays, parseListedBefore, replayDays, totals, type ReplayDeps, type ReplaySource, type ResumePosition } from '../core/replay/stream-replay';
import { BATCH_JOB_BOUNDS, boundedRequests } from '../adapters/aws/bounded-requests';
import { FirehoseSink } from '../adapters/aws/firehose-sink';
import { S3ObjectStore } from '../adapters/aws/s3-store';
import type { ObjectStore } from '../ports/object-store';
import type { RecordSink } from '../ports/record-sink';

export interface ReplayEvent {
  readonly mode?: string;
  readonly from?: string;
  readonly to?: string;
  readonly source?: string;
  readonly dryRun?: boolean;
  readonly share?: number;
  /** The first run's snapshot time (ISO), from a `next`. */
  readonly listedBefore?: string;
  /** Where to continue `from`, from a `next`. */
  readonly resume?: { readonly day?: unknown; readonly afterKey?: unknown; readonly afterLine?: unknown };
}

/** The payload to invoke again with. */
export interface ReplayNext {
  mode: 'stream';
  from: string;
  to: string;
  source: ReplaySource;
  listedBefore: string;
  resume?: ResumePosition;
  dryRun?: true;
  share?: number;
}

export interface ReplayAnswer {
  readonly complete: boolean;
  readonly source: ReplaySource;
  readonly dryRun: boolean;
  readonly days: Array<{ day: string; objects: number; leftOut: number; records: number; sent: number; skipped: Record<string, number>; complete: boolean }>;
  readonly totals: ReturnType<typeof totals>;
  /** The context_dates the records were put for: invoke the enrichment Lambda with {"date": D} for each, once Firehose has delivered. */
  readonly enrichDays: string[];
  /** The snapshot: objects written after it were left out (pass it on, as `next` does). */
  readonly listedBefore: string;
  /** When incomplete: the payload to invoke again with. */
  readonly next?: ReplayNext;
  readonly stopped?: string;
  /** When incomplete: records acknowledged after the resume position, which `next` sends again. */
  readonly resendOnResume?: number;
}

/** Stop this long before the Lambda's time-out: a call with its backoff fits in it. */
export const TIME_MARGIN_MS = 90_000;
const OUT_OF_TIME = 'the Lambda is running out of time';

export interface ReplayHandlerDeps {
  readonly raw: ObjectStore;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly clock?: ReplayDeps['clock'];
  readonly random?: () => number;
  /** The real time for the snapshot (tests); default the system clock. */
  readonly wallClock?: ReplayDeps['wallClock'];
}

const numberEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

/** Validates the payload; throws a message naming what is wrong and what is expected. */
export function parseReplayEvent(event: ReplayEvent): { days: string[]; source: ReplaySource; dryRun: boolean; share?: number; listedBefore?: string; resume?: ResumePosition } {
  const mode = event.mode ?? 'stream';
  if (mode === 'enrich') throw new Error('mode "enrich": invoke the enrichment Lambda with {"date": "YYYY-MM-DD"} per day, or run `tgpipe replay enrich`');
  if (mode !== 'stream') throw new Error(`unknown mode "${mode}": expected {"mode":"stream","from":"YYYY-MM-DD","to":"YYYY-MM-DD","source":"raw"|"errors"}`);
  if (typeof event.from !== 'string' || typeof event.to !== 'string') throw new Error('"from" and "to" (YYYY-MM-DD) are required');
  const days = dateRange(event.from, event.to);
  const source = event.source ?? 'raw';
  if (source !== 'raw' && source !== 'errors') throw new Error(`"source" is "raw" or "errors", got "${source}"`);
  if (event.share !== undefined && !(typeof event.share === 'number' && event.share > 0 && event.share <= 1)) throw new Error('"share" is a number in (0, 1]');
  let listedBefore: string | undefined;
  if (event.listedBefore !== undefined) {
    if (typeof event.listedBefore !== 'string') throw new Error('"listedBefore" is an ISO time in UTC, as a "next" gives it');
    parseListedBefore(event.listedBefore);
    listedBefore = event.listedBefore;
  }
  let resume: ResumePosition | undefined;
  if (event.resume !== undefined) {
    const r = event.resume;
    if (typeof r !== 'object' || r === null) throw new Error('"resume" is {"day": "YYYY-MM-DD", "afterKey": "...", "afterLine": N}, as a "next" gives it');
    if (listedBefore === undefined) throw new Error('"resume" needs "listedBefore", the first run\'s snapshot: pass the "next" of the stopped run as it is');
    if (r.day !== event.from) throw new Error(`"resume.day" must be "from" (${event.from}), got ${JSON.stringify(r.day)}`);
    if (typeof r.afterKey !== 'string' || r.afterKey === '') throw new Error('"resume.afterKey" is the key of an object of that day');
    if (typeof r.afterLine !== 'number' || !Number.isSafeInteger(r.afterLine) || r.afterLine < 1) throw new Error('"resume.afterLine" is a line number, 1 or more');
    resume = { day: event.from, afterKey: r.afterKey, afterLine: r.afterLine };
  }
  return { days, source, dryRun: event.dryRun === true, share: event.share, listedBefore, resume };
}

export function createReplayHandler(deps: ReplayHandlerDeps) {
  return async (event: ReplayEvent, context?: { getRemainingTimeInMillis?: () => number }): Promise<ReplayAnswer> => {
    const { days, source, dryRun, share, listedBefore, resume } = parseReplayEvent(event);
    const env = deps.env;
    const quota = {
      recordsPerSecond: numberEnv(env, 'REPLAY_QUOTA_RECORDS_PER_SECOND', FIREHOSE_DEFAULT_QUOTA.recordsPerSecond),
      bytesPerSecond: numberEnv(env, 'REPLAY_QUOTA_BYTES_PER_SECOND', FIREHOSE_DEFAULT_QUOTA.bytesPerSecond),
      requestsPerSecond: numberEnv(env, 'REPLAY_QUOTA_REQUESTS_PER_SECOND', FIREHOSE_DEFAULT_QUOTA.requestsPerSecond),
    };
    const rate = shareOf(quota, share ?? numberEnv(env, 'REPLAY_SHARE', DEFAULT_SHARE));
    const remaining = context?.getRemainingTimeInMillis?.bind(context);
    const report = await replayDays(
      days,
      source,
      {
        raw: deps.raw,
        sink: deps.sink,
        logger: deps.logger,
        utcOffsetMinutes: parseUtcOffset(env.CONTEXT_UTC_OFFSET ?? '-03:00'),
        limiter: new RateLimiter(rate, deps.clock),
        clock: deps.clock,
        random: deps.random,
        retry: { maxAttempts: numberEnv(env, 'REPLAY_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts) },
        shouldStop: () => (remaining && remaining() < TIME_MARGIN_MS ? OUT_OF_TIME : undefined),
        wallClock: deps.wallClock,
        // The erasure register (and no-text, which needs no key) apply to every record put back.
        privacy: await loadPolicy(deps.raw, { mode: env.DATA_MODE === 'no-text' ? 'no-text' : 'full' }),
      },
      { dryRun, listedBefore, resume },
    );
    const snapshot = report.listedBefore!;
    const next: ReplayNext | undefined = report.stopped
      ? {
          mode: 'stream',
          from: report.stopped.day,
          to: days.at(-1)!,
          source,
          listedBefore: snapshot,
          ...(report.resume ? { resume: report.resume } : {}),
          ...(dryRun ? { dryRun: true as const } : {}),
          ...(share !== undefined ? { share } : {}),
        }
      : undefined;
    const stoppedDay = report.days.at(-1);
    const answer: ReplayAnswer = {
      complete: !report.stopped,
      source,
      dryRun,
      days: report.days.map((d) => ({ day: d.day, objects: d.objects, leftOut: d.leftOut, records: d.records, sent: d.sent, skipped: d.skipped, complete: d.complete })),
      totals: totals(report),
      enrichDays: affectedDays(report),
      listedBefore: snapshot,
      ...(report.stopped ? { stopped: report.stopped.reason, next, resendOnResume: stoppedDay?.resendOnResume ?? 0 } : {}),
    };
    if (report.stopped && report.stopped.reason !== OUT_OF_TIME) {
      const unsent = report.days.flatMap((d) => d.unsent);
      const ids = unsent.filter((u) => u.updateId !== undefined).slice(0, 10).map((u) => u.updateId);
      // Message text is never logged: counts and update_ids only.
      throw new Error(
        `replay stopped at ${report.stopped.day}: ${report.stopped.reason}; ${unsent.length} record(s) not sent (update_ids ${ids.join(', ')}${unsent.length > ids.length ? ', ...' : ''}); ${report.notAttempted.length} later day(s) not attempted. Invoke again with ${JSON.stringify(answer.next)} (it sends the records not sent first)`,
      );
    }
    return answer;
  };
}

let production: ReturnType<typeof createReplayHandler> | undefined;

export const handler = async (event: ReplayEvent, context?: { getRemainingTimeInMillis?: () => number }): Promise<ReplayAnswer> => {
  if (!production) {
    const need = (name: string): string => {
      const v = process.env[name];
      if (!v) throw new Error(`${name} is not set`);
      return v;
    };
    production = createReplayHandler({
      raw: new S3ObjectStore(new S3Client({ requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), need('RAW_BUCKET')),
      // No SDK retries: the replay's own policy re-sends only the failed entries (a TimeoutError is
      // transient to it). Bounded, so a hung call cannot outlast the time margin and lose the position.
      sink: new FirehoseSink(new FirehoseClient({ maxAttempts: 1, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), need('DELIVERY_STREAM_NAME')),
      logger: createLogger({ service: 'replay' }),
      env: process.env,
    });
  }
  return production(event, context);
};

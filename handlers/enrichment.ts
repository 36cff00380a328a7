/**
 * Enrichment Lambda. Scheduled: D-1 of the scheduled time (not the clock: a retry may run hours later)
 * plus a look-back over late data. Backfills: `{ "date": "YYYY-MM-DD" }`, one day per invocation so each
 * day has its own 15 minutes; `{ "from", "to" }` only for a short range (at most MAX_RANGE_DAYS days,
 * built one after the other while time is left). Longer ranges are refused: `tgpipe replay enrich` fans
 * them out, one invocation per day with bounded concurrency. Every failure throws, so Lambda retries the
 * asynchronous (scheduled) invocation and then hands it to the on-failure destination.
 */
import { applyRetention, retentionFromEnv } from '../core/privacy/retention';
import { awsPrivacy } from '../adapters/aws/privacy';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { addDays, dateRange, isIsoDate, parseUtcOffset, type DayZone } from '../core/context-date';
import { emfFields } from '../core/metrics';
import { enrichDay, enrichWithLookback, previousDay, type DaySummary, type EnrichDeps } from '../core/enrich';
import { repairCatalog, type CatalogRepairSummary } from '../core/enrich/catalog-repair';
import { createLogger } from '../core/log';
import { BATCH_JOB_BOUNDS, boundedRequests } from '../adapters/aws/bounded-requests';
import { AthenaCatalog } from '../adapters/aws/athena-catalog';
import { S3ObjectStore } from '../adapters/aws/s3-store';

/** The longest `{from, to}` range one invocation builds; longer ranges are refused with a hint. */
export const MAX_RANGE_DAYS = 3;

export interface EnrichmentEvent {
  /** Scheduler: `{"source":"schedule","time":"<aws.scheduler.scheduled-time>"}`; EventBridge rules also carry `time`. */
  readonly source?: string;
  readonly time?: string;
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  /** Explicit days are rebuilt even when unchanged unless `force` is false. */
  readonly force?: boolean;
  /**
   * Register the partitions of the built days of `date` or `from`..`to` and rebuild nothing (a catalog
   * that lost them: a recreated table, a new stack over kept buckets). Any range length: it is a listing
   * and a few Athena statements.
   */
  readonly catalogOnly?: boolean;
  readonly lookbackDays?: number;
}

export type EnrichmentPlan =
  | { readonly kind: 'scheduled'; readonly date: string; readonly lookbackDays: number }
  | { readonly kind: 'day'; readonly date: string; readonly force: boolean }
  | { readonly kind: 'range'; readonly days: readonly string[]; readonly force: boolean }
  | { readonly kind: 'catalog'; readonly from: string; readonly to: string };

const REPLAY_HINT = 'invoke once per day with {"date": "YYYY-MM-DD"}, or run `tgpipe replay enrich --target aws --from D --to D` (one invocation per day, bounded concurrency)';

/** Decides what an invocation does; throws a clear error for an event it cannot serve. */
export function planEnrichment(event: EnrichmentEvent, offsetMinutes: DayZone, defaultLookback: number): EnrichmentPlan {
  if (event === null || typeof event !== 'object') throw new Error('unknown event: expected a scheduled event with "time", {"date": "YYYY-MM-DD"} or {"from", "to"}');
  if (event.catalogOnly === true) {
    const from = event.date ?? event.from;
    const to = event.date ?? event.to;
    if (from === undefined || to === undefined) throw new Error('a catalog-only repair needs "date", or "from" and "to" (YYYY-MM-DD)');
    dateRange(String(from), String(to)); // validates both and their order
    return { kind: 'catalog', from: String(from), to: String(to) };
  }
  if (event.date !== undefined) {
    if (typeof event.date !== 'string' || !isIsoDate(event.date)) throw new Error(`invalid date "${String(event.date)}": expected YYYY-MM-DD`);
    return { kind: 'day', date: event.date, force: event.force ?? true };
  }
  if (event.from !== undefined || event.to !== undefined) {
    if (event.from === undefined || event.to === undefined) throw new Error('a range needs both "from" and "to" (YYYY-MM-DD)');
    const days = dateRange(String(event.from), String(event.to));
    if (days.length > MAX_RANGE_DAYS) {
      throw new Error(`range ${event.from}..${event.to} has ${days.length} days; one invocation builds at most ${MAX_RANGE_DAYS}: ${REPLAY_HINT}`);
    }
    return { kind: 'range', days, force: event.force ?? true };
  }
  if (event.time !== undefined) {
    const at = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    if (Number.isNaN(at)) throw new Error(`invalid scheduled time "${String(event.time)}"`);
    const lookbackDays = event.lookbackDays ?? defaultLookback;
    if (!Number.isInteger(lookbackDays) || lookbackDays < 0) throw new Error(`invalid look-back "${String(lookbackDays)}": expected a whole number of days >= 0`);
    return { kind: 'scheduled', date: previousDay(at, offsetMinutes), lookbackDays };
  }
  throw new Error('unknown event: expected a scheduled event with "time", {"date": "YYYY-MM-DD"} or {"from", "to"}');
}

/** The part of Lambda's context the handler uses. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** Time kept in hand before starting another day of a range: at least this, or twice the slowest day so far. */
export const RANGE_MARGIN_MS = 60_000;

/** Reads the look-back setting: a whole number of days >= 0 (default 2). */
export function lookbackFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 2;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`LOOKBACK_DAYS="${value}": expected a whole number of days >= 0`);
  return n;
}

export async function runEnrichment(event: EnrichmentEvent, d: EnrichDeps, env: NodeJS.ProcessEnv = process.env, clock?: InvocationClock): Promise<DaySummary[]> {
  const plan = planEnrichment(event, parseUtcOffset(env.CONTEXT_UTC_OFFSET ?? '-03:00'), lookbackFromEnv(env.LOOKBACK_DAYS));
  if (plan.kind === 'catalog') throw new Error('a catalog-only event is answered by runCatalogRepair');
  if (plan.kind === 'day') return [await enrichDay(plan.date, d, { force: plan.force })];
  if (plan.kind === 'scheduled') {
    const days = await enrichWithLookback(plan.date, plan.lookbackDays, d);
    // Retention by context_date (README, Privacy), after the build: the first kept day counts back from D-1's next day.
    const retention = retentionFromEnv(env);
    if (retention.rawDays || retention.enrichedDays || retention.quarantineDays) {
      const catalog = d.catalog as Partial<{ dropPartition(table: string, day: string): Promise<void> }>;
      const r = await applyRetention(addDays(plan.date, 1), retention, { raw: d.raw, enriched: d.enriched, dropPartition: catalog.dropPartition?.bind(d.catalog) });
      d.logger.info('retention applied', { event: 'retention', kept_from: r.kept_from, raw_days: r.deleted.raw_days.length, raw_objects: r.deleted.raw_objects, enriched_days: r.deleted.enriched_days.length, error_objects: r.deleted.error_objects, old_versions: r.deleted.old_versions });
    }
    // The heartbeat the "EnrichmentDidNotRun" alarm watches: a day with nothing to build logs no
    // EnrichedLines, so only this line tells a quiet day from a schedule that stopped.
    d.logger.info(`scheduled enrichment of ${plan.date} done`, {
      event: 'scheduled_run',
      date: plan.date,
      days: days.map((s) => `${s.date}:${s.status}`),
      // EnrichmentHeartbeat is the alarm's metric (a deploy logs one too: handlers/deploy-heartbeat.ts).
      ...emfFields({ ScheduledEnrichmentRuns: { value: 1, unit: 'Count' }, EnrichmentHeartbeat: { value: 1, unit: 'Count' } }),
    });
    return days;
  }
  const done: DaySummary[] = [];
  let slowest = 0;
  for (const [i, day] of plan.days.entries()) {
    const left = clock?.getRemainingTimeInMillis();
    if (i > 0 && left !== undefined && left < Math.max(RANGE_MARGIN_MS, 2 * slowest)) {
      // Built days stay built (and are skipped as unchanged with force: false); name what is left.
      throw new Error(
        `stopped before ${day} with ${Math.round(left / 1000)} s left (slowest day took ${Math.round(slowest / 1000)} s); built: ${done.map((s) => s.date).join(', ')}; ` +
          `invoke again with {"from": "${day}", "to": "${plan.days.at(-1)}"}`,
      );
    }
    const started = Date.now();
    done.push(await enrichDay(day, d, { force: plan.force }));
    slowest = Math.max(slowest, Date.now() - started);
  }
  return done;
}

// Clients at module scope: created during the container's init, reused by every invocation.
const s3 = new S3Client({ requestHandler: boundedRequests(BATCH_JOB_BOUNDS) });
const athena = new AthenaClient({ requestHandler: boundedRequests(BATCH_JOB_BOUNDS) });
let deps: Promise<EnrichDeps> | undefined;

/** The stores and catalog, built at the first invocation (so a missing variable fails that invocation clearly). */
async function productionDeps(): Promise<EnrichDeps> {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const enrichedBucket = need('ENRICHED_BUCKET');
  return {
    raw: new S3ObjectStore(s3, need('RAW_BUCKET')),
    enriched: new S3ObjectStore(s3, enrichedBucket),
    catalog: new AthenaCatalog(athena, { workGroup: need('ATHENA_WORKGROUP'), database: need('GLUE_DATABASE') }),
    logger: createLogger({ service: 'enrichment' }),
    enrichedLocation: `s3://${enrichedBucket}`,
    privacy: await awsPrivacy(process.env),
  };
}

/** `{"catalogOnly": true, "from", "to"}` (or `"date"`): the partitions of the built days, nothing rebuilt. */
export async function runCatalogRepair(event: EnrichmentEvent, d: EnrichDeps): Promise<CatalogRepairSummary | undefined> {
  const plan = planEnrichment(event, 0, 0);
  return plan.kind === 'catalog' ? repairCatalog(plan.from, plan.to, d) : undefined;
}

export const handler = async (event: EnrichmentEvent, context?: Partial<InvocationClock>): Promise<{ days: DaySummary[]; catalog?: CatalogRepairSummary }> => {
  deps ??= productionDeps().catch((error) => {
    deps = undefined; // a failed start (a secret not readable yet) is tried again at the next invocation
    throw error;
  });
  const repaired = await runCatalogRepair(event, await deps);
  if (repaired) return { days: [], catalog: repaired };
  const clock = typeof context?.getRemainingTimeInMillis === 'function' ? (context as InvocationClock) : undefined;
  return { days: await runEnrichment(event, await deps, process.env, clock) };
};

/**
 * Enrichment Lambda. Scheduled: D-1 of the scheduled time (not the clock: a retry may run hours later)
 * plus a look-back over late data. Backfills: `{ "date": "YYYY-MM-DD" }`, one day per invocation so each
 * day has its own 15 minutes (`tgpipe replay enrich` fans a range out with bounded concurrency).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { isIsoDate, parseUtcOffset } from '../core/context-date';
import { enrichDay, enrichWithLookback, previousDay, type DaySummary, type EnrichDeps } from '../core/enrich';
import { createLogger } from '../core/log';
import { AthenaCatalog } from '../adapters/aws/athena-catalog';
import { S3ObjectStore } from '../adapters/aws/s3-store';

export interface EnrichmentEvent {
  /** Scheduler: `{"source":"schedule","time":"<aws.scheduler.scheduled-time>"}`; EventBridge rules also carry `time`. */
  readonly source?: string;
  readonly time?: string;
  readonly date?: string;
  readonly force?: boolean;
  readonly lookbackDays?: number;
}

export type EnrichmentPlan = { readonly kind: 'scheduled'; readonly date: string; readonly lookbackDays: number } | { readonly kind: 'day'; readonly date: string; readonly force: boolean };

/** Decides what an invocation does; throws a clear error for an event it cannot serve. */
export function planEnrichment(event: EnrichmentEvent, offsetMinutes: number, defaultLookback: number): EnrichmentPlan {
  if (event.date !== undefined) {
    if (!isIsoDate(event.date)) throw new Error(`invalid date "${event.date}": expected YYYY-MM-DD`);
    return { kind: 'day', date: event.date, force: event.force ?? true };
  }
  if ((event as { from?: string }).from !== undefined) {
    throw new Error('one day per invocation: invoke with {"date": "YYYY-MM-DD"} per day, or run `tgpipe replay enrich --from D --to D`');
  }
  if (event.time !== undefined) {
    const at = Date.parse(event.time);
    if (Number.isNaN(at)) throw new Error(`invalid scheduled time "${event.time}"`);
    return { kind: 'scheduled', date: previousDay(at, offsetMinutes), lookbackDays: event.lookbackDays ?? defaultLookback };
  }
  throw new Error('unknown event: expected a scheduled event with "time" or {"date": "YYYY-MM-DD"}');
}

let deps: EnrichDeps | undefined;

function productionDeps(): EnrichDeps {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const s3 = new S3Client({});
  const enrichedBucket = need('ENRICHED_BUCKET');
  return {
    raw: new S3ObjectStore(s3, need('RAW_BUCKET')),
    enriched: new S3ObjectStore(s3, enrichedBucket),
    catalog: new AthenaCatalog(new AthenaClient({}), { workGroup: need('ATHENA_WORKGROUP'), database: need('GLUE_DATABASE') }),
    logger: createLogger({ service: 'enrichment' }),
    enrichedLocation: `s3://${enrichedBucket}`,
  };
}

export async function runEnrichment(event: EnrichmentEvent, d: EnrichDeps, env: NodeJS.ProcessEnv = process.env): Promise<DaySummary[]> {
  const plan = planEnrichment(event, parseUtcOffset(env.CONTEXT_UTC_OFFSET ?? '-03:00'), Number(env.LOOKBACK_DAYS ?? 2));
  if (plan.kind === 'day') return [await enrichDay(plan.date, d, { force: plan.force })];
  return enrichWithLookback(plan.date, plan.lookbackDays, d);
}

export const handler = async (event: EnrichmentEvent): Promise<{ days: DaySummary[] }> => {
  deps ??= productionDeps();
  return { days: await runEnrichment(event, deps) };
};

/**
 * Retention by `context_date` (not by object age: a rebuilt day or an imported history would restart an
 * S3 lifecycle clock). Pure day arithmetic, and the job that deletes expired days from the stores; the
 * daily enrichment runs it on both faces (the Lambda after its build, `tgpipe serve`'s daily timer).
 */
import { addDays } from '../context-date';
import type { ObjectStore } from '../../ports/object-store';
import { ENRICHED_TABLES } from '../../schemas';
import { DAMAGED_PREFIX, enrichedDayPrefix, FIREHOSE_ERROR_PREFIX, manifestKey, quarantineKey, RAW_PREFIX } from '../../schemas/layout';
import type { VersionedStore } from './erase-job';

/** The last retention run's settings and first kept day per layer (read by the dashboard). */
export const RETENTION_STATUS_KEY = '_manifests/retention.json';

export interface RetentionSettings {
  /** Days kept per layer (0 or absent: forever). A day D is kept while D > today - days. */
  readonly rawDays?: number;
  readonly enrichedDays?: number;
  /** Quarantined lines and Firehose error output (by its arrival date). */
  readonly quarantineDays?: number;
}

/** The first day still kept when `days` are kept up to `today` (undefined: keep everything). */
export function firstKeptDay(today: string, days: number | undefined): string | undefined {
  if (!days || days <= 0) return undefined;
  return addDays(today, -(days - 1));
}

export const isExpired = (day: string, today: string, days: number | undefined): boolean => {
  const first = firstKeptDay(today, days);
  return first !== undefined && day < first;
};

/** Reads RETENTION_RAW_DAYS, RETENTION_ENRICHED_DAYS, RETENTION_QUARANTINE_DAYS. */
export function retentionFromEnv(env: NodeJS.ProcessEnv): RetentionSettings {
  const read = (name: string): number => {
    const v = env[name];
    if (v === undefined || v.trim() === '') return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}="${v}": expected a whole number of days (0 keeps forever)`);
    return n;
  };
  return { rawDays: read('RETENTION_RAW_DAYS'), enrichedDays: read('RETENTION_ENRICHED_DAYS'), quarantineDays: read('RETENTION_QUARANTINE_DAYS') };
}

export interface RetentionReport {
  /** What data each layer covers now: its first kept day (undefined: all kept). */
  readonly kept_from: { raw?: string; enriched?: string; quarantine?: string };
  readonly deleted: { raw_days: string[]; raw_objects: number; enriched_days: string[]; enriched_objects: number; error_objects: number; old_versions: number };
}

const versioned = (store: ObjectStore): VersionedStore | undefined =>
  typeof (store as Partial<VersionedStore>).deleteOldVersions === 'function' ? (store as unknown as VersionedStore) : undefined;

const dayIn = (key: string, field: string): string | undefined => new RegExp(`${field}=(\\d{4}-\\d{2}-\\d{2})/`).exec(key)?.[1];

async function deleteAll(store: ObjectStore, keys: string[]): Promise<number> {
  let versions = 0;
  for (const key of keys) {
    await store.delete(key);
    versions += (await versioned(store)?.deleteOldVersions(key)) ?? 0;
  }
  return versions;
}

export interface RetentionDeps {
  readonly raw: ObjectStore;
  readonly enriched: ObjectStore;
  /** Drops a table's partition (Glue, through Athena); locally nothing to do. */
  readonly dropPartition?: (table: string, day: string) => Promise<void>;
}

/** Deletes every expired day of every layer (objects, their old versions, the partitions). Idempotent. */
export async function applyRetention(today: string, settings: RetentionSettings, deps: RetentionDeps): Promise<RetentionReport> {
  const report: RetentionReport = {
    kept_from: { raw: firstKeptDay(today, settings.rawDays), enriched: firstKeptDay(today, settings.enrichedDays), quarantine: firstKeptDay(today, settings.quarantineDays) },
    deleted: { raw_days: [], raw_objects: 0, enriched_days: [], enriched_objects: 0, error_objects: 0, old_versions: 0 },
  };
  if (settings.rawDays) {
    const doomed: string[] = [];
    const days = new Set<string>();
    for await (const o of deps.raw.list(RAW_PREFIX)) {
      const day = dayIn(o.key, 'context_date');
      if (day && isExpired(day, today, settings.rawDays)) {
        doomed.push(o.key);
        days.add(day);
      }
    }
    // The originals `tgpipe repair` kept (and their notes) are raw data of their day: they go with it.
    for await (const o of deps.raw.list(`${DAMAGED_PREFIX}${RAW_PREFIX}`)) {
      const day = dayIn(o.key, 'context_date');
      if (day && isExpired(day, today, settings.rawDays)) doomed.push(o.key);
    }
    report.deleted.old_versions += await deleteAll(deps.raw, doomed);
    report.deleted.raw_objects = doomed.length;
    report.deleted.raw_days.push(...[...days].sort());
  }
  if (settings.quarantineDays) {
    const doomed: string[] = [];
    for await (const o of deps.raw.list(FIREHOSE_ERROR_PREFIX)) {
      const day = dayIn(o.key, 'date');
      if (day && isExpired(day, today, settings.quarantineDays)) doomed.push(o.key);
    }
    report.deleted.old_versions += await deleteAll(deps.raw, doomed);
    report.deleted.error_objects = doomed.length;
    const quarantined: string[] = [];
    for await (const o of deps.enriched.list('_quarantine/')) {
      const day = dayIn(o.key, 'context_date');
      if (day && isExpired(day, today, settings.quarantineDays)) quarantined.push(o.key);
    }
    report.deleted.old_versions += await deleteAll(deps.enriched, quarantined);
    report.deleted.error_objects += quarantined.length;
  }
  if (settings.enrichedDays) {
    const days = new Set<string>();
    for (const table of ENRICHED_TABLES) {
      for await (const o of deps.enriched.list(`${table.name}/`)) {
        const day = dayIn(o.key, 'context_date');
        if (day && isExpired(day, today, settings.enrichedDays)) days.add(day);
      }
    }
    for (const day of [...days].sort()) {
      const keys: string[] = [];
      for (const table of ENRICHED_TABLES) for await (const o of deps.enriched.list(enrichedDayPrefix(table.name, day))) keys.push(o.key);
      keys.push(manifestKey(day), quarantineKey(day));
      report.deleted.old_versions += await deleteAll(deps.enriched, keys);
      report.deleted.enriched_objects += keys.length - 2;
      for (const table of ENRICHED_TABLES) await deps.dropPartition?.(table.name, day);
      report.deleted.enriched_days.push(day);
    }
  }
  // For the dashboard and SQL readers: the period each layer covers now.
  await deps.enriched.write(RETENTION_STATUS_KEY, JSON.stringify({ applied_for: today, settings, kept_from: report.kept_from }), 'application/json');
  return report;
}

/**
 * Catalog-only repair (`tgpipe replay enrich --catalog-only`, the enrichment Lambda's
 * `{"catalogOnly": true, ...}`): registers the partition of every enriched day of a range that has its
 * Parquet file, and rebuilds nothing. For a catalog that lost its partitions: a dropped partition, a
 * recreated table, a new stack over kept (or copied) buckets. Idempotent (ADD IF NOT EXISTS).
 *
 * The files are the truth, not the manifests: each table's folder is listed once for the whole range
 * (one LIST per 1,000 days), and the partitions go to the catalog in batches.
 */
import { dateRange } from '../context-date';
import type { Logger } from '../log';
import type { PartitionCatalog, PartitionEntry } from '../../ports/catalog';
import type { ObjectStore } from '../../ports/object-store';
import { ENRICHED_TABLES, enrichedDayKey, enrichedDayPrefix, tablePrefix } from '../../schemas';

export interface CatalogRepairDeps {
  readonly enriched: ObjectStore;
  readonly catalog: PartitionCatalog;
  readonly logger: Logger;
  /** Root of the enriched bucket for partition LOCATIONs, as for the build (`s3://bucket` or a folder). */
  readonly enrichedLocation: string;
}

export interface CatalogRepairSummary {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  /** Per table: the days registered (those with a Parquet file). */
  readonly registered: Record<string, string[]>;
  /** Days of the range with no file in any table (never built, or nothing to build). */
  readonly withoutFiles: string[];
  readonly ms: number;
}

/** Registers the partitions of the enriched days in [from, to] that have their file. */
export async function repairCatalog(from: string, to: string, deps: CatalogRepairDeps): Promise<CatalogRepairSummary> {
  const started = performance.now();
  const days = dateRange(from, to);
  const wanted = new Set(days);
  const root = deps.enrichedLocation.replace(/\/$/, '');
  const registered: Record<string, string[]> = {};
  const withFiles = new Set<string>();
  for (const table of ENRICHED_TABLES) {
    const keys = new Map(days.map((d) => [enrichedDayKey(table.name, d), d]));
    const found: string[] = [];
    for await (const o of deps.enriched.list(tablePrefix(table.name))) {
      const day = keys.get(o.key);
      if (day !== undefined && wanted.has(day)) found.push(day);
    }
    found.sort();
    const entries: PartitionEntry[] = found.map((d) => ({ contextDate: d, location: `${root}/${enrichedDayPrefix(table.name, d)}` }));
    if (entries.length > 0) {
      if (deps.catalog.addPartitions) await deps.catalog.addPartitions(table.name, entries);
      else for (const e of entries) await deps.catalog.addPartition(table.name, e.contextDate, e.location);
    }
    registered[table.name] = found;
    for (const d of found) withFiles.add(d);
  }
  const summary: CatalogRepairSummary = {
    from,
    to,
    days: days.length,
    registered,
    withoutFiles: days.filter((d) => !withFiles.has(d)),
    ms: Math.round(performance.now() - started),
  };
  deps.logger.info(`catalog repaired for ${from}..${to}`, {
    event: 'catalog_repair',
    from,
    to,
    days: days.length,
    ...Object.fromEntries(Object.entries(registered).map(([t, d]) => [`registered_${t}`, d.length])),
    without_files: summary.withoutFiles.length,
    ms: summary.ms,
  });
  return summary;
}

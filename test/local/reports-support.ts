/**
 * Test datasets for the report tests, built through the pipeline's own contracts: updates -> raw envelope
 * lines (core/envelope, gzip JSON lines at the raw layout's keys) -> the daily enrichment (core/enrich) ->
 * Parquet under `<data>/enriched/`, which the DuckDB engine reads like Athena.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { rawDayPrefix } from '../../schemas';

export async function tempDataDir(prefix = 'tgpipe-reports-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Stores updates as the local Firehose would (one gzip JSON-lines object per context date) and enriches
 * every day they fall on. Returns the days.
 */
export async function buildDataset(dataDir: string, updates: object[], offsetMinutes: number, receivedAtMs = Date.now()): Promise<string[]> {
  const stores = localStores(dataDir);
  const byDay = new Map<string, string[]>();
  for (const update of updates) {
    const body = JSON.stringify(update);
    const envelope = buildEnvelope(body, parseUpdateBody(body), receivedAtMs, offsetMinutes);
    const lines = byDay.get(envelope.contextDate) ?? [];
    lines.push(envelope.line);
    byDay.set(envelope.contextDate, lines);
  }
  const days = [...byDay.keys()].sort();
  for (const day of days) {
    await stores.raw.write(`${rawDayPrefix(day)}test-${day}.json.gz`, gzipSync(byDay.get(day)!.join('')));
  }
  const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root };
  for (const day of days) await enrichDay(day, deps, { force: true });
  return days;
}

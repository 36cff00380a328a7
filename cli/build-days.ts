/** Builds enriched days on the local data folder, printing a line per day: `tgpipe enrich` and `ingest --enrich`. */
import { existsSync } from 'node:fs';
import { enrichDay, type DaySummary } from '../core/enrich';
import { localCatalog, localStores } from '../adapters/local/data-dir';
import { localEnrichPrivacy } from '../adapters/local/privacy';
import { cliLogger } from './logger';
import { addNoChat, describeNoChat, droppedNoChatPhrase, noChatTotal, type NoChatCounts } from '../core/no-chat';
import { progressBar } from './progress';
import type { CliIo } from './spec';

/**
 * One line per day (`cross_day=N` when some duplicates were updates the day before keeps), plus an
 * indented line for the next day when this run rebuilt it. Tolerates summaries of older Lambdas.
 */
export const formatSummary = (s: DaySummary): string =>
  `${s.date} ${s.status.padEnd(9)} objects=${s.objects} lines=${s.lines} telegram=${s.rows.telegram} events=${s.rows.telegram_events} duplicates=${s.duplicates}${s.cross_day_duplicates ? ` (cross_day=${s.cross_day_duplicates})` : ''} quarantined=${s.quarantined}${noChatTotal(s.no_chat) ? ` no_chat=${noChatTotal(s.no_chat)} (${describeNoChat(s.no_chat)})` : ''} ${s.ms}ms` +
  (s.next_day_rebuilt ? `\n  ${formatSummary(s.next_day_rebuilt)} (rebuilt after ${s.date}: the earlier day keeps an update delivered on both)` : '');

/**
 * Keeps each day's latest build for the totals: a day's build may rebuild the next day (its summary then
 * carries that rebuild), and a later build replaces an earlier one; an unchanged skip replaces nothing.
 */
export function recordBuild(byDate: Map<string, DaySummary>, s: DaySummary): void {
  if (s.status === 'built' || !byDate.has(s.date)) byDate.set(s.date, s);
  if (s.next_day_rebuilt) recordBuild(byDate, s.next_day_rebuilt);
}

export async function buildDays(days: readonly string[], dataDir: string, io: CliIo, options: { force: boolean; quiet: boolean }): Promise<void> {
  const bar = days.length > 1 ? progressBar(days.length, 'enrich') : undefined;
  const logger = cliLogger('enrich', 'warn', io, { beforeWrite: () => bar?.clear() });
  const stores = localStores(dataDir, { onSkipped: (path, why) => logger.warn(`${path} is ${why}`, { event: 'skipped_path', path }) });
  if (!existsSync(stores.raw.root)) {
    // Every day would be "empty" and the exit 0: a mistyped --data should not look like a quiet day.
    io.stderr(`warning: no raw folder at ${stores.raw.root} (is --data ${dataDir} the right folder?)\n`);
  }
  const deps = {
    raw: stores.raw,
    enriched: stores.enriched,
    catalog: localCatalog,
    logger,
    enrichedLocation: stores.enriched.root,
    privacy: await localEnrichPrivacy(stores.dataDir, io.env),
  };
  const built = new Map<string, DaySummary>();
  for (const [i, day] of days.entries()) {
    let s: DaySummary;
    try {
      s = await enrichDay(day, deps, { force: options.force });
    } catch (error) {
      bar?.done();
      const rest = days.length > 1 ? `; ${i} earlier day(s) built, re-run with --from ${day} --to ${days.at(-1)}` : '';
      throw new Error(`enrichment of ${day} failed: ${error instanceof Error ? error.message : String(error)}${rest}`, { cause: error });
    }
    recordBuild(built, s);
    if (!options.quiet) {
      bar?.clear();
      io.stdout(`${formatSummary(s)}\n`);
    }
    bar?.tick(day);
  }
  bar?.done();
  const totals = { telegram: 0, events: 0, quarantined: 0 };
  const noChat: NoChatCounts = {};
  for (const b of built.values()) {
    totals.telegram += b.rows.telegram;
    totals.events += b.rows.telegram_events;
    totals.quarantined += b.quarantined;
    addNoChat(noChat, b.no_chat);
  }
  const dropped = droppedNoChatPhrase(noChat);
  io.stdout(`${days.length} day(s): telegram=${totals.telegram} telegram_events=${totals.events} quarantined=${totals.quarantined}${dropped ? `, ${dropped}` : ''}\n`);
}

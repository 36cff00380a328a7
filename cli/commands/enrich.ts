/** `tgpipe enrich`: the daily enrichment on the local data folder (the same core as the Lambda). */
import { dateRange, isIsoDate } from '../../core/context-date';
import { enrichDay, type DaySummary } from '../../core/enrich';
import { createLogger } from '../../core/log';
import { existsSync } from 'node:fs';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { localEnrichPrivacy } from '../../adapters/local/privacy';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { progressBar } from '../progress';


/**
 * One line per day (`cross_day=N` when some duplicates were updates the day before keeps), plus an
 * indented line for the next day when this run rebuilt it. Tolerates summaries of older Lambdas.
 */
export const formatSummary = (s: DaySummary): string =>
  `${s.date} ${s.status.padEnd(9)} objects=${s.objects} lines=${s.lines} telegram=${s.rows.telegram} events=${s.rows.telegram_events} duplicates=${s.duplicates}${s.cross_day_duplicates ? ` (cross_day=${s.cross_day_duplicates})` : ''} quarantined=${s.quarantined} ${s.ms}ms` +
  (s.next_day_rebuilt ? `\n  ${formatSummary(s.next_day_rebuilt)} (rebuilt after ${s.date}: the earlier day keeps an update delivered on both)` : '');

/**
 * Keeps each day's latest build for the totals: a day's build may rebuild the next day (its summary then
 * carries that rebuild), and a later build replaces an earlier one; an unchanged skip replaces nothing.
 */
export function recordBuild(byDate: Map<string, DaySummary>, s: DaySummary): void {
  if (s.status === 'built' || !byDate.has(s.date)) byDate.set(s.date, s);
  if (s.next_day_rebuilt) recordBuild(byDate, s.next_day_rebuilt);
}

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  date?: string;
  from?: string;
  to?: string;
  force: boolean;
  quiet: boolean;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  let days: string[];
  if (values.date !== undefined) {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('give --date or --from/--to, not both');
    if (!isIsoDate(values.date)) throw new UsageError(`invalid --date "${values.date}": expected YYYY-MM-DD`);
    days = [values.date];
  } else if (values.from !== undefined && values.to !== undefined) {
    try {
      days = dateRange(values.from, values.to);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else if (values.from !== undefined) {
    throw new UsageError(`missing --to (the last day of the range from ${values.from})`);
  } else if (values.to !== undefined) {
    throw new UsageError(`missing --from (the first day of the range up to ${values.to})`);
  } else {
    throw new UsageError('missing --date D, or --from D --to D');
  }
  const stores = localStores(values.data);
  if (!existsSync(stores.raw.root)) {
    // Every day would be "empty" and the exit 0: a mistyped --data should not look like a quiet day.
    io.stderr(`warning: no raw folder at ${stores.raw.root} (is --data ${values.data} the right folder?)\n`);
  }
  const deps = {
    raw: stores.raw,
    enriched: stores.enriched,
    catalog: localCatalog,
    logger: createLogger({ service: 'enrich', level: 'warn', write: (l) => process.stderr.write(l) }),
    enrichedLocation: stores.enriched.root,
    privacy: await localEnrichPrivacy(stores.dataDir, io.env),
  };
  const bar = days.length > 1 ? progressBar(days.length, 'enrich') : undefined;
  const built = new Map<string, DaySummary>();
  for (const [i, day] of days.entries()) {
    let s: DaySummary;
    try {
      s = await enrichDay(day, deps, { force: values.force });
    } catch (error) {
      bar?.done();
      const rest = days.length > 1 ? `; ${i} earlier day(s) built, re-run with --from ${day} --to ${days.at(-1)}` : '';
      throw new Error(`enrichment of ${day} failed: ${error instanceof Error ? error.message : String(error)}${rest}`, { cause: error });
    }
    recordBuild(built, s);
    bar?.tick(day);
    if (!values.quiet) io.stdout(`${formatSummary(s)}\n`);
  }
  bar?.done();
  const totals = { telegram: 0, events: 0, quarantined: 0 };
  for (const b of built.values()) {
    totals.telegram += b.rows.telegram;
    totals.events += b.rows.telegram_events;
    totals.quarantined += b.quarantined;
  }
  io.stdout(`${days.length} day(s): telegram=${totals.telegram} telegram_events=${totals.events} quarantined=${totals.quarantined}\n`);
  return 0;
}


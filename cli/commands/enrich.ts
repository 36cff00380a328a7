/** `tgpipe enrich`: the daily enrichment on the local data folder (the same core as the Lambda). */
import { dateRange, isIsoDate } from '../../core/context-date';
import { enrichDay, type DaySummary } from '../../core/enrich';
import { createLogger } from '../../core/log';
import { existsSync } from 'node:fs';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DATA_OPTION, parseCommandArgs, UsageError, type Command } from '../command';
import { progressBar } from '../progress';

const HELP = `Usage: tgpipe enrich (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--data DIR] [--force]

Builds the enriched Parquet days (telegram, telegram_events) from the raw layer of the data folder:
reads every raw object of the day, drops duplicate update_ids, quarantines bad records under
_quarantine/, and writes one file per table and day. A day whose raw objects did not change since its
last build is skipped unless --force is given. Records that cannot be read are counted and kept
under _quarantine/; the day's other records are still written.

Options:
  --date D        one day
  --from D --to D an inclusive range, one day at a time
  --data DIR      data folder (default: ./data, or TGPIPE_DATA)
  --force         rebuild even unchanged days
  --quiet         print only the totals
`;

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

export const command: Command = {
  name: 'enrich',
  summary: 'build enriched Parquet days from the raw layer (local folders)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...DATA_OPTION,
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    });
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
    } else {
      throw new UsageError('missing --date D or --from D --to D');
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
  },
};

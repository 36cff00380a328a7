/** `tgpipe enrich`: the daily enrichment on the local data folder (the same core as the Lambda). */
import { dateRange, isIsoDate } from '../../core/context-date';
import { buildDays } from '../build-days';
import { UsageError, type CliIo, type OptionValues } from '../command';


export { formatSummary, recordBuild } from '../build-days';

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  date?: string;
  from?: string;
  to?: string;
  force: boolean;
  quiet: boolean;
}

/** The days of `--date D` or `--from D --to D` (a usage error otherwise). */
export function daysOption(values: { date?: string; from?: string; to?: string }): string[] {
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
  return days;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  const days = daysOption(values);
  await buildDays(days, values.data, io, { force: values.force, quiet: values.quiet });
  return 0;
}

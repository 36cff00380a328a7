/** `tgpipe report`: the analytics dashboard (dashboard/) as one self-contained HTML file that opens offline. */
import { join, resolve } from 'node:path';
import { DEFAULT_UTC_OFFSET } from '../../core/config';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { requireDataFolder } from '../files';

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  out?: string;
  'utc-offset'?: string;
  target: string;
  stack?: string;
  region?: string;
  workgroup?: string;
  database?: string;
}

export async function run(options: OptionValues, _positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  // A folder that does not exist is an error that says how to get data (not an empty report written
  // into a new ./data); a folder with nothing in it yet gets the dashboard's "what to do next" page.
  const aws = values.target === 'aws';
  if (aws && values.out === undefined) throw new UsageError('--target aws needs --out FILE (there is no data folder to write the report into)');
  if (!aws) requireDataFolder(values.data);
  const out = resolve(values.out ?? join(values.data, 'report.html'));
  const timeZone = values['utc-offset'] ?? (io.env.CONTEXT_UTC_OFFSET || DEFAULT_UTC_OFFSET);
  const { checkTimeZone } = await import('../../dashboard/build/zone');
  try {
    checkTimeZone(timeZone);
  } catch (error) {
    throw new UsageError(`${values['utc-offset'] !== undefined ? '--utc-offset' : 'CONTEXT_UTC_OFFSET'}: ${(error as Error).message}`);
  }
  const { writeDashboard } = await import('../../dashboard/build');
  if (aws) {
    // The same dashboard, from Athena: one line per statement (scan, cost) on stderr, and their sum.
    const { openAthena, describeTotals } = await import('../aws-athena');
    const athena = await openAthena(values, io);
    try {
      const started = performance.now();
      const bytes = await writeDashboard(athena, out, { timeZone });
      io.stdout(`report written to ${out} (${Math.round(bytes / 1024)} KiB, ${Math.round(performance.now() - started)} ms)\n`);
      io.stderr(`${describeTotals(athena)}\n`);
    } finally {
      await athena.close();
    }
    return 0;
  }
  const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
  const engine = await DuckDbEngine.open(values.data);
  try {
    const started = performance.now();
    const bytes = await writeDashboard(engine, out, { timeZone });
    io.stdout(`report written to ${out} (${Math.round(bytes / 1024)} KiB, ${Math.round(performance.now() - started)} ms)\n`);
  } finally {
    await engine.close();
  }
  return 0;
}

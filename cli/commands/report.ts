/** `tgpipe report`: every report as a chart in one self-contained HTML file (opens with no network). */
import { join, resolve } from 'node:path';
import { writeReport } from '../../local/report-html';
import { utcOffsetOption, type CliIo, type OptionValues } from '../command';


/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  out?: string;
  'utc-offset'?: string;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  const out = resolve(values.out ?? join(values.data, 'report.html'));
  const { text: utcOffset } = utcOffsetOption(values['utc-offset'], io.env);
  const bytes = await writeReport(values.data, out, { env: io.env, utcOffset });
  io.stdout(`report written to ${out} (${Math.round(bytes / 1024)} KiB)\n`);
  return 0;
}


/** `tgpipe report`: every report as a chart in one self-contained HTML file (opens with no network). */
import { join, resolve } from 'node:path';
import { writeReport } from '../../local/report-html';
import { DATA_OPTION, parseCommandArgs, utcOffsetOption, type Command } from '../command';

const HELP = `Usage: tgpipe report [--data DIR] [--out FILE.html] [--utc-offset OFF]

Runs every report in reports/ on the local engine (DuckDB answering as Athena) and writes one HTML file
with a chart or table per report, the data range and the time it was generated. Chart.js and the rows are
inlined: the file opens offline. Data of the generated demo group is marked DEMO.

Options:
  --data DIR         data folder (default ./data, or TGPIPE_DATA)
  --out FILE         output file (default DIR/report.html)
  --utc-offset OFF   offset of the local-time reports (default CONTEXT_UTC_OFFSET, -03:00)
`;

export const command: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report with a chart per report',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { ...DATA_OPTION, out: { type: 'string' }, 'utc-offset': { type: 'string' } });
    const out = resolve(values.out ?? join(values.data, 'report.html'));
    const { text: utcOffset } = utcOffsetOption(values['utc-offset'], io.env);
    const bytes = await writeReport(values.data, out, { env: io.env, utcOffset });
    io.stdout(`report written to ${out} (${Math.round(bytes / 1024)} KiB)\n`);
    return 0;
  },
};

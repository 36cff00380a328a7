/** `tgpipe report`: a self-contained HTML report with charts (opens with no network). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { renderReportPage } from '../../local/report-html';
import { DATA_OPTION, parseCommandArgs, type Command } from '../command';

const HELP = `Usage: tgpipe report [--data DIR] [--out FILE.html]

Runs every report in reports/ on the local engine and writes one self-contained HTML file with charts
(Chart.js and the data inlined: no network needed to open it).

Options:
  --data DIR      data folder (default ./data, or TGPIPE_DATA)
  --out FILE      output file (default DIR/report.html)
`;

export const command: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report with charts',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { ...DATA_OPTION, out: { type: 'string' } });
    const out = resolve(values.out ?? join(values.data, 'report.html'));
    const html = await renderReportPage(values.data, io.env);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
    io.stdout(`report written to ${out} (${Math.round(html.length / 1024)} KiB)\n`);
    return 0;
  },
};

/** `tgpipe query`: a named report or any Athena SQL over the local tables (DuckDB). */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../core/config';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { findReport, listReports, renderSql } from '../../local/reports';
import { DATA_OPTION, parseCommandArgs, UsageError, type Command } from '../command';

const HELP = `Usage: tgpipe query (NAME | --sql SQL | --file F) [--data DIR] [--format table|csv|json]
       tgpipe query --list

Runs a report from reports/ (see --list) or any SQL over the tables telegram, telegram_events and raw of
the data folder, on the local engine (DuckDB with Athena's functions; the same SQL runs on Athena).

Options:
  --sql SQL          a query
  --file F           a .sql file
  --data DIR         data folder (default ./data, or TGPIPE_DATA)
  --format FORMAT    table (default), csv or json
  --utc-offset OFF   offset for reports that use {{utc_offset_seconds}} (default CONTEXT_UTC_OFFSET)
  --list             list the reports
`;

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const csvCell = (v: unknown): string => {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function formatRows(rows: Record<string, unknown>[], format: string): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  if (format === 'csv') return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => [...cell(r[c])].length)));
  const line = (values: string[]) => values.map((v, i) => v + ' '.repeat(Math.max(0, widths[i]! - [...v].length))).join(' | ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map((r) => line(columns.map((c) => cell(r[c])))), `(${rows.length} rows)`].join('\n') + '\n';
}

export const command: Command = {
  name: 'query',
  summary: 'run a named report or any SQL on the local tables (DuckDB)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { ...DATA_OPTION, sql: { type: 'string' }, file: { type: 'string' }, format: { type: 'string', default: 'table' }, list: { type: 'boolean', default: false }, 'utc-offset': { type: 'string' } },
      true,
    );
    if (values.list) {
      for (const r of listReports()) io.stdout(`${r.name.padEnd(32)} ${r.title}\n`);
      return 0;
    }
    if (!['table', 'csv', 'json'].includes(values.format)) throw new UsageError(`unknown --format ${values.format}`);
    const given = [positionals.length > 0, values.sql !== undefined, values.file !== undefined].filter(Boolean).length;
    if (given !== 1 || positionals.length > 1) throw new UsageError('give one of: a report NAME, --sql SQL, --file F');
    let sql: string;
    if (values.sql !== undefined) sql = values.sql;
    else if (values.file !== undefined) sql = await readFile(values.file, 'utf8');
    else {
      const report = findReport(positionals[0]!);
      if (!report) throw new UsageError(`no report named "${positionals[0]}" (see tgpipe query --list)`);
      sql = report.sql;
    }
    const config = loadConfig(io.env, { utcOffset: values['utc-offset'] });
    const engine = await DuckDbEngine.open(values.data);
    try {
      io.stdout(formatRows(await engine.query(renderSql(sql, config.utcOffsetMinutes)), values.format));
    } finally {
      await engine.close();
    }
    return 0;
  },
};

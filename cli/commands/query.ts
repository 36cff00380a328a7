/** `tgpipe query`: a named report or any Athena SQL over the local tables, on the local engine (DuckDB). */
import { readFile } from 'node:fs/promises';
import { findReport, loadReports, renderReportSql } from '../../reports';
import { singleStatement } from '../../core/sql-statements';
import { didYouMean } from '../../core/suggest';
import { UsageError, utcOffsetOption, type CliIo, type OptionValues } from '../command';
import { describeFsError, requireDataFolder } from '../files';
import { displayWidth } from '../display-width';


const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const csvCell = (v: unknown): string => {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
/** Display width, counting code points (close enough for a terminal table). */
const width = displayWidth;

/** Rows as an aligned text table, CSV (RFC 4180 quoting, \n line ends) or a JSON array. */
export function formatRows(rows: Record<string, unknown>[], format: 'table' | 'csv' | 'json', columns = rows.length ? Object.keys(rows[0]!) : []): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') return `${[columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
  if (columns.length === 0) return '(0 rows)\n';
  const texts = rows.map((r) => columns.map((c) => cell(r[c]).replace(/[\r\n\t]/g, ' ')));
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(width(c), ...texts.map((t) => width(t[i]!))));
  const pad = (s: string, i: number) => (numeric[i] ? ' '.repeat(widths[i]! - width(s)) + s : s + ' '.repeat(widths[i]! - width(s)));
  const lines = [columns.map(pad).join(' | '), widths.map((w) => '-'.repeat(w)).join('-+-'), ...texts.map((t) => t.map(pad).join(' | '))];
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
}

/** Options as declared in cli/registry.ts. */
interface Values {
  data: string;
  sql?: string;
  file?: string;
  format: string;
  list: boolean;
  'utc-offset'?: string;
  explain: boolean;
  target: string;
  stack?: string;
  region?: string;
  workgroup?: string;
  database?: string;
}

export async function run(options: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  const values = options as unknown as Values;
  const format = values.format as 'table' | 'csv' | 'json';
  if (values.list) {
    const reports = loadReports().map((r) => ({ name: r.name, title: r.title }));
    if (format !== 'table') io.stdout(formatRows(reports, format, ['name', 'title']));
    else {
      const w = Math.max(...reports.map((r) => r.name.length));
      for (const r of reports) io.stdout(`${r.name.padEnd(w)}  ${r.title}\n`);
    }
    return 0;
  }
  const given = [positionals.length > 0, values.sql !== undefined, values.file !== undefined].filter(Boolean).length;
  if (given !== 1 || positionals.length > 1) throw new UsageError('give exactly one of: a report NAME, --sql SQL, --file F (or --list)');

  let sql: string;
  if (values.sql !== undefined) sql = values.sql;
  else if (values.file !== undefined) {
    try {
      sql = await readFile(values.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --file ${values.file}: ${describeFsError(error)}`);
    }
  } else {
    const report = findReport(positionals[0]!);
    if (!report) {
      const names = loadReports().map((r) => r.name);
      throw new UsageError(`no report named "${positionals[0]}"${didYouMean(positionals[0]!, names)} (tgpipe query --list names them)`);
    }
    sql = report.query;
  }
  // Only the offset matters here: a bad ALLOWED_CHAT_IDS in the environment is no reason to refuse a query.
  sql = renderReportSql(sql, { utcOffsetMinutes: utcOffsetOption(values['utc-offset'], io.env).minutes });

  try {
    singleStatement(sql); // no statement or several: a usage error, said before anything opens
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.target === 'aws') {
    if (values.explain) throw new UsageError('--explain shows the local engine\'s translation; on Athena the SQL runs as written');
    const { openAthena } = await import('../aws-athena');
    const athena = await openAthena(values, io);
    try {
      io.stdout(formatRows(await athena.query(sql), format));
    } finally {
      await athena.close();
    }
    return 0;
  }
  const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
  const engine = await DuckDbEngine.open(requireDataFolder(values.data));
  try {
    if (values.explain) {
      io.stdout(`${engine.translate(sql)}\n`);
      return 0;
    }
    const rows = await engine.query(sql);
    io.stdout(formatRows(rows, format));
  } finally {
    await engine.close();
  }
  return 0;
}


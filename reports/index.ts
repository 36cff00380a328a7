/**
 * The report catalogue: one Athena (engine v3) SQL file per report in this folder, named `NN_name.sql`
 * (NN orders the page; `name` is what `tgpipe query NAME` takes). Each file opens with a header of
 * `-- key: value` comment lines (any other `--` line continues the previous value), then a blank
 * line, then the query:
 *
 *   title, description, source    what the page shows
 *   chart                         bar | stacked | line | hbar | doughnut | heatmap | table
 *   x, y                          the label column and the value column(s), comma-separated
 *   series, series_label          pivot: one dataset per distinct value of the `series` column(s),
 *                                 named by `series_label`
 *   value                         heatmap cell value (x and y are its axes)
 *   sort                          `x`: order the chart by the label column ascending
 *
 * Placeholders `${name}` are filled by `renderReportSql` for every engine, Athena and local alike:
 * `${time_zone}` (CONTEXT_UTC_OFFSET as an SQL string, e.g. '-03:00' or 'Europe/Berlin', for
 * at_timezone) and `${utc_offset_seconds}` (its offset in seconds, e.g. -10800). A report without
 * placeholders runs as it is on the Athena console.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sqlZoneLiteral, zoneOffsetSeconds, type DayZone } from '../core/context-date';

/** The package's folder: above this module in the sources, and above the compiled CLI's chunks (dist/cli). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPORTS_DIR = join(packageRoot(import.meta.dirname), 'reports');

export type ChartType = 'bar' | 'stacked' | 'line' | 'hbar' | 'doughnut' | 'heatmap' | 'table';
const CHART_TYPES: readonly ChartType[] = ['bar', 'stacked', 'line', 'hbar', 'doughnut', 'heatmap', 'table'];

export interface ReportChart {
  readonly type: ChartType;
  readonly x?: string;
  readonly y: readonly string[];
  /** Columns whose values together name a dataset (pivot). */
  readonly series?: readonly string[];
  readonly seriesLabel?: string;
  readonly value?: string;
  readonly sort?: 'x';
}

export interface Report {
  /** `messages_per_day`: the file name without its order prefix and extension. */
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly source?: string;
  readonly chart: ReportChart;
  /** The query: the file after its header, exactly as written (placeholders not filled). */
  readonly query: string;
  /** Placeholder names the query uses. */
  readonly parameters: readonly string[];
}

const HEADER_KEYS = new Set(['title', 'description', 'source', 'chart', 'x', 'y', 'series', 'series_label', 'value', 'sort']);
const PLACEHOLDER = /\$\{([a-z_][a-z0-9_]*)\}/g;

/** Parses one report file. Throws naming the file when its header is incomplete or wrong. */
export function parseReport(file: string, text: string): Report {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const header: Record<string, string> = {};
  let key: string | undefined;
  let i = 0;
  for (; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (!line.startsWith('--')) break;
    const m = /^-- ([a-z_]+):\s*(.*)$/.exec(line);
    if (m && HEADER_KEYS.has(m[1]!)) {
      key = m[1]!;
      header[key] = m[2]!.trim();
    } else if (key) {
      header[key] = `${header[key]} ${line.replace(/^--\s*/, '').trim()}`.trim();
    }
  }
  while (i < lines.length && lines[i]!.trim() === '') i += 1;
  const query = lines.slice(i).join('\n').replace(/\s+$/, '');
  const fail = (why: string): never => {
    throw new Error(`reports/${file}: ${why}`);
  };
  if (!header.title) fail('no "-- title:" line');
  if (!query) fail('no query after the header');
  const type = (header.chart ?? 'table') as ChartType;
  if (!CHART_TYPES.includes(type)) fail(`chart "${header.chart}" is not one of ${CHART_TYPES.join(', ')}`);
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const chart: ReportChart = {
    type,
    x: header.x,
    y: list(header.y),
    ...(header.series ? { series: list(header.series) } : {}),
    seriesLabel: header.series_label,
    value: header.value,
    sort: header.sort === 'x' ? 'x' : undefined,
  };
  if (type !== 'table' && (!chart.x || (type === 'heatmap' ? !chart.value : chart.y.length === 0))) {
    fail(`chart ${type} needs "-- x:" and ${type === 'heatmap' ? '"-- y:" and "-- value:"' : '"-- y:"'}`);
  }
  const parameters = [...new Set([...query.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  return {
    name: file.replace(/^\d+_/, '').replace(/\.sql$/, ''),
    file,
    title: header.title!,
    description: header.description ?? '',
    ...(header.source ? { source: header.source } : {}),
    chart,
    query,
    parameters,
  };
}

/** Every report of the folder, in file order. */
export function loadReports(dir = REPORTS_DIR): Report[] {
  const reports = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseReport(f, readFileSync(join(dir, f), 'utf8')));
  const seen = new Set<string>();
  for (const r of reports) {
    if (seen.has(r.name)) throw new Error(`reports/: two reports are named "${r.name}"`);
    seen.add(r.name);
  }
  return reports;
}

/** A report by name (`messages_per_day`) or file name (`01_messages_per_day`, with or without `.sql`). */
export function findReport(name: string, dir = REPORTS_DIR): Report | undefined {
  const key = name.replace(/\.sql$/, '');
  return loadReports(dir).find((r) => r.name === key || r.file.replace(/\.sql$/, '') === key);
}

export interface ReportParameters {
  /** The configured offset or zone (PipelineConfig.utcOffsetMinutes): minutes east of UTC, or an IANA name. */
  readonly utcOffsetMinutes: DayZone;
  /** The instant whose offset `${utc_offset_seconds}` gives for an IANA zone (default: now). */
  readonly at?: number;
}

/**
 * The placeholder values, for Athena and the local engine alike: `${time_zone}`, the zone as an SQL
 * literal for `at_timezone` (local time with summer time: core/context-date.ts localTimeSql), and
 * `${utc_offset_seconds}`, one offset in seconds, exact for a fixed offset; for an IANA zone it is the
 * offset at `at` (now), so a report over months with summer time should use `${time_zone}`.
 */
export function reportParameterValues(p: ReportParameters): Record<string, string> {
  return { utc_offset_seconds: String(zoneOffsetSeconds(p.at ?? Date.now(), p.utcOffsetMinutes)), time_zone: sqlZoneLiteral(p.utcOffsetMinutes) };
}

/** Fills `${name}` placeholders; an unknown placeholder is an error, never left in the SQL. */
export function renderReportSql(sql: string, p: ReportParameters): string {
  const values = reportParameterValues(p);
  return sql.replace(PLACEHOLDER, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`unknown report placeholder \${${name}} (known: ${Object.keys(values).join(', ')})`);
    return v;
  });
}

/**
 * The report catalogue: `reports/*.sql`, each with a header (`-- title:`, `-- description:`, `-- chart:`).
 * The SQL is Athena's; `{{utc_offset_seconds}}` is the one placeholder, filled for both engines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPORTS_DIR = join(import.meta.dirname, '..', 'reports');

export interface Report {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** `line x y...`, `bar x y...`, `doughnut label value`, `heatmap row col value`, or `table`. */
  readonly chart: { readonly type: string; readonly columns: string[] };
  readonly sql: string;
}

export function parseReport(name: string, text: string): Report {
  const header = (key: string): string | undefined => new RegExp(`^--\\s*${key}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const [type = 'table', ...columns] = (header('chart') ?? 'table').split(/\s+/);
  return { name, title: header('title') ?? name, description: header('description') ?? '', chart: { type, columns }, sql: text };
}

export function listReports(dir = REPORTS_DIR): Report[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseReport(f.replace(/^\d+_/, '').replace(/\.sql$/, ''), readFileSync(join(dir, f), 'utf8')));
}

export function findReport(name: string, dir = REPORTS_DIR): Report | undefined {
  return listReports(dir).find((r) => r.name === name);
}

/** Fills the placeholders; the same text then runs on Athena and locally. */
export function renderSql(sql: string, utcOffsetMinutes: number): string {
  return sql.replaceAll('{{utc_offset_seconds}}', String(utcOffsetMinutes * 60));
}

/** `tgpipe query` and the report catalogue: listing, formats, the translation shown, refusals. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { loadReports, parseReport, renderReportSql } from '../../reports';
import { buildDataset } from './reports-support';

let dir: string;
async function tgpipe(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tgpipe-query-'));
  const chat = { id: -1005550001, title: 'CLI group', type: 'supergroup' };
  const from = { id: 7, is_bot: false, first_name: 'Zé, "o" Ana' };
  const date = Date.parse('2024-06-02T12:00:00Z') / 1000; // a Sunday
  await buildDataset(dir, [1, 2].map((n) => ({ update_id: n, message: { message_id: n, from, chat, date: date + n, text: `olá ${n}` } })), -180);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report catalogue', () => {
  it('every file parses, names are unique, placeholders are known', () => {
    const reports = loadReports();
    expect(reports.map((r) => r.name)).toEqual(expect.arrayContaining(['messages_per_day', 'activity_heatmap', 'joins_and_leaves_per_day']));
    for (const r of reports) expect(() => renderReportSql(r.query, { utcOffsetMinutes: -180 })).not.toThrow();
    expect(renderReportSql('SELECT ${utc_offset_seconds} AS s', { utcOffsetMinutes: -180 })).toBe('SELECT -10800 AS s');
    expect(() => renderReportSql('SELECT ${nope}', { utcOffsetMinutes: 0 })).toThrow(/unknown report placeholder/);
  });

  it('reads the header, continuation lines included, and rejects an incomplete one', () => {
    const r = parseReport('07_x.sql', '-- title: X\n-- description: first line\n--   second: line\n-- chart: bar\n-- x: a\n-- y: b, c\n\nSELECT 1 AS a\n');
    expect(r).toMatchObject({ name: 'x', title: 'X', description: 'first line second: line', chart: { type: 'bar', x: 'a', y: ['b', 'c'] }, query: 'SELECT 1 AS a' });
    expect(() => parseReport('08_y.sql', '-- chart: bar\n\nSELECT 1')).toThrow(/08_y.sql: no "-- title:"/);
    expect(() => parseReport('09_z.sql', '-- title: Z\n-- chart: pie\n\nSELECT 1')).toThrow(/chart "pie"/);
  });
});

describe('tgpipe query', () => {
  it('lists the reports', async () => {
    const r = await tgpipe('query', '--list');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(loadReports().length);
    expect(r.stdout).toMatch(/^messages_per_day\s+Messages per day$/m);
  });

  it('prints a table, CSV and JSON', async () => {
    const table = await tgpipe('query', 'messages_per_user', '--data', dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('user_id | user_first_name | message_amount');
    expect(table.stdout).toContain('(1 row)');
    const csv = await tgpipe('query', '--sql', 'SELECT user_first_name, count(1) AS n FROM telegram GROUP BY 1', '--data', dir, '--format', 'csv');
    expect(csv.stdout).toBe('user_first_name,n\n"Zé, ""o"" Ana",2\n');
    const file = join(dir, 'q.sql');
    await writeFile(file, 'SELECT EXTRACT(dow FROM context_date) AS d, count(1) AS n FROM telegram GROUP BY 1');
    const json = await tgpipe('query', '--file', file, '--data', dir, '--format', 'json');
    expect(JSON.parse(json.stdout)).toEqual([{ d: 7, n: 2 }]);
    // One day, one Parquet file: min/max of the partition column (a DuckDB 1.5 internal error, worked around).
    const range = await tgpipe('query', '--sql', 'SELECT min(context_date) AS a, max(context_date) AS b FROM telegram', '--data', dir, '--format', 'json');
    expect(range.stderr).toBe('');
    expect(JSON.parse(range.stdout)).toEqual([{ a: '2024-06-02', b: '2024-06-02' }]);
  });

  it('shows the DuckDB translation with --explain', async () => {
    const r = await tgpipe('query', 'messages_by_hour_weekday_week', '--explain', '--data', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('EXTRACT(isodow FROM parsed_date)');
    expect(r.stdout).toContain("strftime(from_unixtime(\"date\"), '%Y-%m-%d %H:%M:%S')");
  });

  it('refuses SQL it would answer differently from Athena, and bad usage', async () => {
    const refused = await tgpipe('query', '--sql', 'SELECT greatest(1, NULL) AS g', '--data', dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/greatest\(\).*refuses it rather than answer differently/);
    expect((await tgpipe('query', '--sql', 'SELECT 1', '--format', 'xml', '--data', dir)).code).toBe(2);
    expect((await tgpipe('query', 'messages_per_day', '--sql', 'SELECT 1', '--data', dir)).code).toBe(2);
    const missing = await tgpipe('query', '--file', join(dir, 'nope.sql'), '--data', dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --file .*: no such file or folder/);
  });
});

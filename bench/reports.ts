/**
 * The whole report suite (reports/*.sql, as `tgpipe query` and the HTML page run them) over ~1M rows on
 * the local engine (DuckDB with Athena's functions): total and per report. The data is the enrichment
 * benchmark's output for its largest day when it has one of at least `rows` messages; otherwise its
 * largest output is replicated over consecutive days (update ids, message ids and times shifted) up to
 * `rows`.
 *
 * Alone: `node --import tsx bench/reports.ts [--rows 1000000]`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '../adapters/local/duckdb-engine';
import { loadReports, renderReportSql } from '../reports';
import { round } from './lib/stats';

const OUT = join(import.meta.dirname, 'out');

/** Enriched outputs of the enrichment benchmark: `bench/out/day-N` folders with a telegram table. */
function enrichedDays(): Array<{ dir: string; messages: number }> {
  if (!existsSync(OUT)) return [];
  return readdirSync(OUT)
    .map((name) => ({ dir: join(OUT, name), messages: Number(/^day-(\d+)$/.exec(name)?.[1] ?? NaN) }))
    .filter((d) => Number.isFinite(d.messages) && existsSync(join(d.dir, 'enriched', 'telegram')))
    .sort((a, b) => a.messages - b.messages);
}

function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const day of readdirSync(dir)) {
    if (!day.startsWith('context_date=')) continue;
    for (const f of readdirSync(join(dir, day))) if (f.endsWith('.parquet')) out.push(join(dir, day, f));
  }
  return out;
}

/** A data folder with `rows` telegram rows: `copies` shifted copies of a smaller enriched day. */
async function replicate(source: { dir: string; messages: number }, rows: number): Promise<string> {
  const copies = Math.ceil(rows / source.messages);
  const target = join(OUT, `reports-${rows}`);
  const marker = join(target, `.complete-${source.messages}x${copies}`);
  if (existsSync(marker)) return target;
  await rm(target, { recursive: true, force: true });
  const files = parquetFiles(join(source.dir, 'enriched', 'telegram'));
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  try {
    const list = files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');
    for (let k = 0; k < copies; k += 1) {
      const day = new Date(Date.UTC(2026, 5, 1 + k)).toISOString().slice(0, 10);
      const folder = join(target, 'enriched', 'telegram', `context_date=${day}`);
      await mkdir(folder, { recursive: true });
      const shift = `INTERVAL ${k} DAY`;
      await con.run(
        `COPY (SELECT * REPLACE (update_id + ${k} * 1000000000 AS update_id, message_id + ${k} * 1000000000 AS message_id, date + ${k} * 86400 AS date, message_ts + ${shift} AS message_ts, received_at + ${shift} AS received_at) FROM read_parquet([${list}])) TO '${join(folder, 'part-00000.parquet')}' (FORMAT parquet)`,
      );
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await mkdir(join(target, 'raw'), { recursive: true });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(marker, '');
  return target;
}

export interface ReportsBenchResult {
  rows: number;
  source: string;
  /** Opening the engine, building the views and the first count(*). */
  openMs: number;
  totalMs: number;
  reports: Array<{ name: string; ms: number; rows: number }>;
  slowest: string;
}

export async function runReportsBench({ rows = 1_000_000 } = {}): Promise<ReportsBenchResult | { skipped: string }> {
  const days = enrichedDays();
  if (days.length === 0) return { skipped: 'no enrichment benchmark output in bench/out (run the enrichment section first)' };
  const big = days.find((d) => d.messages >= rows);
  const dataDir = big ? big.dir : await replicate(days.at(-1)!, rows);
  const source = big ? `enrichment benchmark output, ${big.messages} messages in one day` : `enrichment benchmark output of ${days.at(-1)!.messages} messages, replicated over ${Math.ceil(rows / days.at(-1)!.messages)} days`;
  let t = performance.now();
  const engine = await DuckDbEngine.open(dataDir, { threads: 2 });
  try {
    const [count] = await engine.query('SELECT count(*) AS n FROM telegram');
    const openMs = round(performance.now() - t, 1);
    const out: ReportsBenchResult['reports'] = [];
    const started = performance.now();
    for (const report of loadReports()) {
      t = performance.now();
      const result = await engine.query(renderReportSql(report.query, { utcOffsetMinutes: -180 }));
      out.push({ name: report.name, ms: round(performance.now() - t, 1), rows: result.length });
    }
    const totalMs = round(performance.now() - started, 1);
    const slowest = [...out].sort((a, b) => b.ms - a.ms)[0]!;
    return { rows: Number(count?.n ?? 0), source, openMs, totalMs, reports: out, slowest: `${slowest.name} ${slowest.ms} ms` };
  } finally {
    await engine.close();
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--rows');
  console.log(JSON.stringify(await runReportsBench({ rows: i > 0 ? Number(process.argv[i + 1]) : 1_000_000 }), null, 2));
}

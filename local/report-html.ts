/**
 * The HTML report: every report in reports/ run on the local engine, drawn with Chart.js. One
 * self-contained file (the library and the data are inlined), so it opens with no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadConfig } from '../core/config';
import { DuckDbEngine } from '../adapters/local/duckdb-engine';
import { DEMO_CHAT_ID } from './demo';
import { listReports, renderSql, type Report } from './reports';

export interface ReportResult {
  readonly report: Omit<Report, 'sql'>;
  readonly rows: Record<string, unknown>[];
  readonly error?: string;
}

export async function runReports(dataDir: string, utcOffsetMinutes: number): Promise<ReportResult[]> {
  const engine = await DuckDbEngine.open(dataDir);
  try {
    const results: ReportResult[] = [];
    for (const { sql, ...report } of listReports()) {
      try {
        results.push({ report, rows: await engine.query(renderSql(sql, utcOffsetMinutes)) });
      } catch (error) {
        results.push({ report, rows: [], error: (error as Error).message });
      }
    }
    return results;
  } finally {
    await engine.close();
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const CLIENT = `
const palette = ['#2563eb','#16a34a','#dc2626','#9333ea','#ea580c','#0891b2','#ca8a04','#db2777'];
for (const [i, r] of DATA.entries()) {
  const box = document.getElementById('r' + i);
  if (r.error) { box.insertAdjacentHTML('beforeend', '<p class="err">' + r.error.replace(/</g,'&lt;') + '</p>'); continue; }
  if (r.rows.length === 0) { box.insertAdjacentHTML('beforeend', '<p class="empty">No data yet.</p>'); continue; }
  const t = r.report.chart.type, cols = r.report.chart.columns;
  if (t === 'table' || !window.Chart) {
    const keys = Object.keys(r.rows[0]);
    const head = '<tr>' + keys.map(k => '<th>' + k + '</th>').join('') + '</tr>';
    const body = r.rows.slice(0, 200).map(row => '<tr>' + keys.map(k => '<td>' + String(row[k] ?? '').replace(/</g,'&lt;') + '</td>').join('') + '</tr>').join('');
    box.insertAdjacentHTML('beforeend', '<div class="scroll"><table>' + head + body + '</table></div>');
    continue;
  }
  const canvas = document.createElement('canvas');
  canvas.dataset.report = r.report.name;
  box.appendChild(canvas);
  let rows = r.rows;
  if (t === 'line' || (t === 'bar' && cols[0] === 'context_date')) rows = [...rows].sort((a, b) => String(a[cols[0]]).localeCompare(String(b[cols[0]])));
  if (t === 'heatmap') {
    const [rowKey, colKey, valKey] = cols;
    const names = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    const datasets = [1,2,3,4,5,6,7].map((d, k) => ({ label: names[d], backgroundColor: palette[k % palette.length],
      data: Array.from({ length: 24 }, (_, h) => rows.filter(x => Number(x[rowKey]) === d && Number(x[colKey]) === h).reduce((s, x) => s + Number(x[valKey]), 0)) }));
    new Chart(canvas, { type: 'bar', data: { labels: Array.from({ length: 24 }, (_, h) => h + 'h'), datasets }, options: { scales: { x: { stacked: true }, y: { stacked: true } } } });
    continue;
  }
  const labels = rows.map(x => String(x[cols[0]]));
  const datasets = cols.slice(1).map((c, k) => ({ label: c, data: rows.map(x => Number(x[c])), backgroundColor: t === 'doughnut' ? rows.map((_, j) => palette[j % palette.length]) : palette[k], borderColor: palette[k], tension: 0.2 }));
  new Chart(canvas, { type: t, data: { labels, datasets }, options: { animation: false, plugins: { legend: { display: datasets.length > 1 || t === 'doughnut' } } } });
}
`;

export function renderReportHtml(results: ReportResult[], meta: { generatedAt: string; demo: boolean; range: string; offset: string }): string {
  const require = createRequire(import.meta.url);
  const chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  const sections = results
    .map((r, i) => `<section id="r${i}"><h2>${escapeHtml(r.report.title)}</h2><p class="desc">${escapeHtml(r.report.description)}</p></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Telegram group analytics${meta.demo ? ' (DEMO)' : ''}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f8fafc;color:#0f172a}
header{background:#0f172a;color:#fff;padding:1.2rem 2rem}header p{margin:.3rem 0 0;color:#cbd5e1}
.demo{background:#f59e0b;color:#000;padding:.5rem 2rem;font-weight:600}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:1rem;padding:1rem 2rem}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:1rem}h2{font-size:1.05rem;margin:0}
.desc{color:#475569;font-size:.9rem}.scroll{max-height:320px;overflow:auto}table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{border-bottom:1px solid #e2e8f0;padding:.25rem .5rem;text-align:left}.err{color:#b91c1c}.empty{color:#64748b}
</style></head><body>
<header><h1>Telegram group analytics</h1><p>Generated ${escapeHtml(meta.generatedAt)} · data ${escapeHtml(meta.range)} · day boundary UTC${escapeHtml(meta.offset)}</p></header>
${meta.demo ? '<div class="demo">DEMO DATA: a generated sample group, not a real chat. Point Telegram at the webhook or ingest your own updates to replace it.</div>' : ''}
<main>${sections}</main>
<script>${chartJs}</script>
<script>const DATA = ${scriptJson(results)};${CLIENT}</script>
</body></html>
`;
}

/** The report page: what `GET /` serves and `tgpipe report` writes. */
export async function renderReportPage(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadConfig(env);
  const results = await runReports(dataDir, config.utcOffsetMinutes);
  const engine = await DuckDbEngine.open(dataDir);
  let range = 'none yet';
  let demo = false;
  try {
    const [r] = await engine.query('SELECT min(context_date) AS first, max(context_date) AS last, count_if(chat_id = ' + DEMO_CHAT_ID + ') AS demo_rows FROM telegram');
    if (r?.first) range = `${r.first} to ${r.last}`;
    demo = Number(r?.demo_rows ?? 0) > 0;
  } finally {
    await engine.close();
  }
  return renderReportHtml(results, { generatedAt: new Date().toISOString(), demo, range, offset: config.utcOffset });
}

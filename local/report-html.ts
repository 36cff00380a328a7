/**
 * The HTML report: every report in reports/ run on a query engine and drawn as a chart (Chart.js) or a
 * table, in one self-contained file: the library, the styles and the rows are inlined, so the file opens
 * offline and can be mailed around. `tgpipe report` writes it; the local server's `GET /` serves it
 * (`renderReportPage`). Data from the demo generator is marked DEMO in the title and a banner.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DuckDbEngine } from '../adapters/local/duckdb-engine';
import { DEFAULT_UTC_OFFSET } from '../core/config';
import { formatUtcOffset, parseUtcOffset } from '../core/context-date';
import type { QueryEngine } from '../ports/catalog';
import { loadReports, renderReportSql, type Report, type ReportChart } from '../reports';
import { DEMO_CHAT_ID, DEMO_TITLE_PREFIX } from './demo';

export interface ReportRun {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly source?: string;
  readonly chart: ReportChart;
  /** The SQL as run (placeholders filled). */
  readonly sql: string;
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
  readonly error?: string;
  readonly ms: number;
}

export interface ReportMeta {
  readonly generatedAt: string;
  readonly utcOffset: string;
  readonly firstDay: string | null;
  readonly lastDay: string | null;
  readonly messages: number;
  readonly events: number;
  readonly chats: Array<{ chat_id: number | string; chat_title: string | null; messages: number; demo: boolean }>;
  /** Every chat in the data is the generated demo group. */
  readonly demo: boolean;
  /** Some chat in the data is the generated demo group. */
  readonly includesDemo: boolean;
}

/** Runs every report; one failing report is shown with its error and does not stop the others. */
export async function runReports(engine: QueryEngine, utcOffsetMinutes: number, reports: readonly Report[] = loadReports()): Promise<ReportRun[]> {
  const runs: ReportRun[] = [];
  for (const report of reports) {
    const started = performance.now();
    let sql = report.query;
    try {
      sql = renderReportSql(report.query, { utcOffsetMinutes });
      const rows = await engine.query(sql);
      runs.push({ ...describe(report), sql, columns: rows.length ? Object.keys(rows[0]!) : [], rows, ms: Math.round(performance.now() - started) });
    } catch (error) {
      runs.push({ ...describe(report), sql, columns: [], rows: [], error: (error as Error).message, ms: Math.round(performance.now() - started) });
    }
  }
  return runs;
}

const describe = (r: Report) => ({ name: r.name, title: r.title, description: r.description, ...(r.source ? { source: r.source } : {}), chart: r.chart });

const isDemoChat = (id: unknown, title: unknown): boolean => Number(id) === DEMO_CHAT_ID || (typeof title === 'string' && title.startsWith(DEMO_TITLE_PREFIX));

/** Range, counts and chats of the data, through the same engine (Athena SQL). */
export async function reportMeta(engine: QueryEngine, utcOffsetMinutes: number, now = new Date()): Promise<ReportMeta> {
  const [m] = await engine.query('SELECT min(context_date) AS first_day, max(context_date) AS last_day, count(1) AS messages FROM telegram');
  const [e] = await engine.query('SELECT min(context_date) AS first_day, max(context_date) AS last_day, count(1) AS events FROM telegram_events');
  const chatRows = await engine.query(
    'SELECT chat_id, max_by(chat_title, "date") AS chat_title, count(1) AS messages FROM telegram GROUP BY chat_id ORDER BY messages DESC, chat_id',
  );
  const days = [m?.first_day, m?.last_day, e?.first_day, e?.last_day].filter((d): d is string => typeof d === 'string').sort();
  const chats = chatRows.map((c) => ({
    chat_id: c.chat_id as number | string,
    chat_title: (c.chat_title as string | null) ?? null,
    messages: Number(c.messages),
    demo: isDemoChat(c.chat_id, c.chat_title),
  }));
  return {
    generatedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    utcOffset: formatUtcOffset(utcOffsetMinutes),
    firstDay: days[0] ?? null,
    lastDay: days[days.length - 1] ?? null,
    messages: Number(m?.messages ?? 0),
    events: Number(e?.events ?? 0),
    chats,
    demo: chats.length > 0 && chats.every((c) => c.demo),
    includesDemo: chats.some((c) => c.demo),
  };
}

let chartJsSource: string | undefined;
/** Chart.js's UMD build, read once; the source-map comment is dropped (nothing to fetch offline). */
function chartJs(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    chartJsSource = readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '').replace(/<\/script/gi, '<\\/script');
  }
  return chartJsSource;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const STYLE = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--card:#fff;--bg:#f1f5f9;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--ink);color:#fff;padding:20px 32px}
header h1{margin:0;font-size:22px;font-weight:650}
header .chats{margin-top:4px;font-size:15px;color:#e2e8f0}
header dl{display:flex;flex-wrap:wrap;gap:6px 28px;margin:12px 0 0;font-size:13px;color:#cbd5e1}
header dt{display:inline;color:#94a3b8}header dd{display:inline;margin:0 0 0 6px;color:#fff}
.demo{padding:10px 32px;font-weight:600;color:#422006;background:repeating-linear-gradient(135deg,#fbbf24 0 18px,#fcd34d 18px 36px);border-bottom:1px solid #d97706}
.demo strong{letter-spacing:.08em}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));grid-auto-flow:dense;gap:16px;padding:20px 32px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;min-width:0}
section.wide{grid-column:1/-1}
section h2{margin:0;font-size:16px}
section .desc{margin:4px 0 12px;color:var(--muted);font-size:13px}
.chart{position:relative;height:300px}
.err{color:#b91c1c;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px}
.empty{color:var(--muted);font-style:italic}
.scroll{max-height:340px;overflow:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;background:#f8fafc;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
details{margin-top:10px;font-size:12.5px}summary{cursor:pointer;color:var(--muted)}
pre{background:#f8fafc;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;font-size:12px}
table.heat td{text-align:center;min-width:22px;padding:5px 2px;border:1px solid #fff;font-size:11px}
table.heat th{text-align:center;font-weight:500;color:var(--muted);background:#fff;position:static}
footer{padding:0 32px 28px;color:var(--muted);font-size:12px}
@media (max-width:600px){main{grid-template-columns:1fr;padding:12px}header{padding:16px}}
`;

/** Runs in the page: draws each report from the inlined rows. Kept plain ES2019 for any browser. */
const CLIENT = String.raw`
(function () {
  var PALETTE = ['#2563eb','#16a34a','#dc2626','#9333ea','#ea580c','#0891b2','#ca8a04','#db2777','#4f46e5','#65a30d','#0d9488','#64748b'];
  var MAX_SERIES = 10;
  var WEEKDAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
  function text(v) { return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v); }
  function num(v) { return v === null || v === undefined ? null : Number(v); }
  function cmp(a, b) { var x = num(a), y = num(b); if (x !== null && y !== null && !isNaN(x) && !isNaN(y) && typeof a === 'number') return x - y; return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0; }
  function table(run, limit) {
    var rows = run.rows.slice(0, limit);
    var head = '<tr>' + run.columns.map(function (c) { return '<th>' + esc(c) + '</th>'; }).join('') + '</tr>';
    var body = rows.map(function (r) {
      return '<tr>' + run.columns.map(function (c) { var v = r[c]; return '<td class="' + (typeof v === 'number' ? 'num' : '') + '" data-column="' + esc(c) + '">' + esc(text(v)) + '</td>'; }).join('') + '</tr>';
    }).join('');
    var more = run.rows.length > limit ? '<p class="empty">First ' + limit + ' of ' + run.rows.length + ' rows.</p>' : '';
    return '<div class="scroll"><table class="rows">' + head + body + '</table></div>' + more;
  }
  function labelsOf(rows, x, sort) {
    var seen = [], index = {};
    rows.forEach(function (r) { var k = text(r[x]); if (!(k in index)) { index[k] = seen.length; seen.push(r[x]); } });
    if (sort) seen.sort(cmp);
    return seen;
  }
  function datasetsOf(run) {
    var ch = run.chart, rows = run.rows;
    var labels = labelsOf(rows, ch.x, ch.sort === 'x');
    var pos = {}; labels.forEach(function (l, i) { pos[text(l)] = i; });
    if (!ch.series) {
      return { labels: labels, datasets: ch.y.map(function (y) {
        var data = labels.map(function () { return null; });
        rows.forEach(function (r) { data[pos[text(r[ch.x])]] = num(r[y]); });
        return { label: y, data: data };
      }) };
    }
    var y = ch.y[0], groups = {}, order = [];
    function seriesKey(r) { return ch.series.map(function (c) { return text(r[c]); }).join(' / '); }
    rows.forEach(function (r) {
      var k = seriesKey(r);
      if (!(k in groups)) { groups[k] = { key: k, label: text(r[ch.seriesLabel || ch.series[0]]), total: 0, data: labels.map(function () { return null; }) }; order.push(k); }
      var g = groups[k], v = num(r[y]);
      g.data[pos[text(r[ch.x])]] = v; g.total += v || 0;
    });
    var all = order.map(function (k) { return groups[k]; }).sort(function (a, b) { return b.total - a.total; });
    var shown = all.slice(0, MAX_SERIES).map(function (g) { return { label: g.label || '(none)', seriesKey: g.key, data: g.data }; });
    return { labels: labels, datasets: shown, hidden: all.length - shown.length };
  }
  function heatmap(run, box) {
    var ch = run.chart, max = 0, cells = {};
    run.rows.forEach(function (r) { var v = num(r[ch.value]) || 0; cells[r[ch.y] + ':' + r[ch.x]] = v; if (v > max) max = v; });
    var html = '<div class="scroll" style="max-height:none"><table class="heat"><tr><th></th>';
    for (var h = 0; h < 24; h++) html += '<th>' + h + '</th>';
    html += '</tr>';
    for (var d = 1; d <= 7; d++) {
      html += '<tr><th>' + WEEKDAYS[d] + '</th>';
      for (var hh = 0; hh < 24; hh++) {
        var v = cells[d + ':' + hh] || 0, a = max ? Math.sqrt(v / max) : 0;
        html += '<td data-y="' + d + '" data-x="' + hh + '" data-value="' + v + '" title="' + WEEKDAYS[d] + ' ' + hh + ':00 — ' + v + '" style="background:rgba(37,99,235,' + (v ? 0.08 + 0.92 * a : 0).toFixed(3) + ');color:' + (a > 0.55 ? '#fff' : '#0f172a') + '">' + (v || '') + '</td>';
      }
      html += '</tr>';
    }
    box.insertAdjacentHTML('beforeend', html + '</table></div>');
  }
  RUNS.forEach(function (run, i) {
    var box = document.getElementById('report-' + run.name);
    var body = box.querySelector('.body');
    if (run.error) { body.innerHTML = '<p class="err">' + esc(run.error) + '</p>'; return; }
    if (run.rows.length === 0) { body.innerHTML = '<p class="empty">No data yet.</p>'; return; }
    var ch = run.chart;
    if (ch.type === 'table') { body.innerHTML = table(run, 500); return; }
    if (ch.type === 'heatmap') { heatmap(run, body); return; }
    var wrap = document.createElement('div'); wrap.className = 'chart';
    var canvas = document.createElement('canvas'); canvas.setAttribute('data-report', run.name);
    wrap.appendChild(canvas); body.appendChild(wrap);
    var d = datasetsOf(run);
    var type = ch.type === 'stacked' || ch.type === 'hbar' ? 'bar' : ch.type;
    d.datasets.forEach(function (ds, k) {
      var color = PALETTE[k % PALETTE.length];
      if (type === 'doughnut') { ds.backgroundColor = d.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; }); ds.borderColor = '#fff'; }
      else { ds.backgroundColor = type === 'line' ? color : color + 'cc'; ds.borderColor = color; ds.borderWidth = type === 'line' ? 2 : 0; ds.pointRadius = 2; ds.tension = 0.15; ds.spanGaps = false; }
    });
    var integers = d.datasets.every(function (ds) { return ds.data.every(function (v) { return v === null || Math.round(v) === v; }); });
    var valueAxis = { stacked: ch.type === 'stacked', beginAtZero: true, ticks: integers ? { precision: 0 } : {} };
    var labelAxis = { stacked: ch.type === 'stacked', grid: { display: false } };
    var scales = type === 'doughnut' ? {} : ch.type === 'hbar' ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    new Chart(canvas, {
      type: type,
      data: { labels: d.labels.map(text), datasets: d.datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: ch.type === 'hbar' ? 'y' : 'x',
        interaction: { mode: type === 'doughnut' ? 'nearest' : 'index', intersect: false },
        plugins: { legend: { display: d.datasets.length > 1 || type === 'doughnut', position: type === 'doughnut' ? 'right' : 'top', labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
    if (d.hidden) body.insertAdjacentHTML('beforeend', '<p class="empty">Top ' + d.datasets.length + ' series shown; ' + d.hidden + ' more in the data below.</p>');
  });
})();
`;

/** The page for a set of runs: charts and tables, the data inlined. */
export function buildReportHtml(runs: readonly ReportRun[], meta: ReportMeta): string {
  const title = `${meta.demo ? 'DEMO — ' : ''}Telegram group analytics`;
  const chatNames = meta.chats.length
    ? meta.chats.map((c) => `${escapeHtml(c.chat_title ?? String(c.chat_id))}${c.demo ? ' <small>(demo)</small>' : ''}`).join(' · ')
    : 'no messages yet';
  const range = meta.firstDay ? `${meta.firstDay} to ${meta.lastDay}` : 'no data yet';
  const banner = meta.includesDemo
    ? `<div class="demo" id="demo-banner"><strong>DEMO DATA</strong> — ${meta.demo ? 'everything below is' : 'this report includes'} a generated sample group, not a real chat. Point your bot's webhook (or <code>tgpipe ingest</code>) at real updates; a new data folder starts without it.</div>`
    : '';
  const sections = runs
    .map((run) => {
      const wide = run.chart.type === 'heatmap' || run.chart.type === 'table' || run.chart.type === 'stacked' || run.chart.series !== undefined;
      const data = run.chart.type === 'table' || run.error ? '' : `<details><summary>Data (${run.rows.length} rows)</summary><div class="data"></div></details>`;
      return `<section id="report-${escapeHtml(run.name)}" data-report="${escapeHtml(run.name)}"${wide ? ' class="wide"' : ''}>
<h2>${escapeHtml(run.title)}</h2>
<p class="desc">${escapeHtml(run.description)}${run.source ? ` <em>${escapeHtml(run.source)}.</em>` : ''}</p>
<div class="body"></div>
${data}
<details><summary>SQL (<code>reports/${escapeHtml(run.name)}</code>, ${run.ms} ms)</summary><pre>${escapeHtml(run.sql)}</pre></details>
</section>`;
    })
    .join('\n');
  const fillData = `document.querySelectorAll('section[data-report]').forEach(function (s) {
  var d = s.querySelector('.data'); if (!d) return;
  var run = RUNS.filter(function (r) { return r.name === s.getAttribute('data-report'); })[0];
  s.querySelector('details').addEventListener('toggle', function once() {
    if (d.childElementCount) return;
    var cols = run.columns, rows = run.rows.slice(0, 1000);
    var esc = function (v) { return String(v === null || v === undefined ? '' : v).replace(/[&<>]/g, function (c) { return {'&':'&amp;','<':'&lt;','>':'&gt;'}[c]; }); };
    d.innerHTML = '<div class="scroll"><table><tr>' + cols.map(function (c) { return '<th>' + esc(c) + '</th>'; }).join('') + '</tr>' +
      rows.map(function (r) { return '<tr>' + cols.map(function (c) { return '<td>' + esc(r[c]) + '</td>'; }).join('') + '</tr>'; }).join('') + '</table></div>';
  });
});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tgpipe report">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body${meta.demo ? ' data-demo="true"' : ''}>
<header>
<h1>${meta.demo ? 'DEMO — ' : ''}Telegram group analytics</h1>
<div class="chats">${chatNames}</div>
<dl>
<div><dt>Data</dt><dd id="data-range">${escapeHtml(range)}</dd></div>
<div><dt>Messages</dt><dd>${meta.messages.toLocaleString('en-US')}</dd></div>
<div><dt>Other updates</dt><dd>${meta.events.toLocaleString('en-US')}</dd></div>
<div><dt>Day boundary</dt><dd>UTC${escapeHtml(meta.utcOffset)}</dd></div>
<div><dt>Generated</dt><dd id="generated-at">${escapeHtml(meta.generatedAt)}</dd></div>
</dl>
</header>
${banner}
<main>
${sections}
</main>
<footer>Each chart is a SQL file in <code>reports/</code> that runs unchanged on Athena and on the local DuckDB engine. Hours in the seed's reports are UTC; the weekday-and-hour map uses the day boundary's offset.</footer>
<script>${chartJs()}</script>
<script>var RUNS = ${scriptJson(runs)};</script>
<script>${CLIENT}
${fillData}</script>
</body>
</html>
`;
}

export interface ReportPageOptions {
  /** `-03:00`; default CONTEXT_UTC_OFFSET, else -03:00. */
  readonly utcOffset?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An open engine to use (not closed); otherwise one is opened on the data folder and closed. */
  readonly engine?: QueryEngine;
}

/** The report page of a data folder: what `GET /` serves and `tgpipe report` writes. */
export async function renderReportPage(dataDir: string, options: ReportPageOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const offsetMinutes = parseUtcOffset(options.utcOffset ?? (env.CONTEXT_UTC_OFFSET || DEFAULT_UTC_OFFSET));
  const engine = options.engine ?? (await DuckDbEngine.open(dataDir));
  try {
    const meta = await reportMeta(engine, offsetMinutes);
    const runs = await runReports(engine, offsetMinutes);
    return buildReportHtml(runs, meta);
  } finally {
    if (!options.engine) await engine.close();
  }
}

/** Writes the report page to a file; returns its size in bytes. */
export async function writeReport(dataDir: string, out: string, options: ReportPageOptions = {}): Promise<number> {
  const html = await renderReportPage(dataDir, options);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  return Buffer.byteLength(html);
}

/**
 * `tgpipe report`: every report runs on the local engine, and the HTML file opens in headless Chromium
 * with no network and no console errors, its charts holding the numbers `tgpipe query` gives.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { main } from '../../cli/main';
import { demoUpdates } from '../../local/demo';
import { renderReportPage } from '../../local/report-html';
import { loadReports, renderReportSql } from '../../reports';
import { buildDataset, tempDataDir } from './reports-support';

const OFFSET = -180;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function tgpipe(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CONTEXT_UTC_OFFSET: '-03:00' } });
  return { code, stdout, stderr };
}

interface OpenedPage {
  readonly page: Page;
  readonly errors: string[];
  readonly requests: string[];
}

async function openPage(browser: Browser, file: string): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, errors, requests };
}

describe('tgpipe report', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let engine: DuckDbEngine;
  let html: string;
  let opened: OpenedPage;
  const out = () => join(dir, 'out', 'report.html');

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDataDir('tgpipe-report-'));
    const { updates } = demoUpdates({ endDate: '2024-06-09', days: 8, messagesPerDay: 30, burst: 120, offsetMinutes: OFFSET });
    await buildDataset(dir, updates, OFFSET);
    engine = await DuckDbEngine.open(dir);
    const r = await tgpipe('report', '--data', dir, '--out', out());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(out());
    html = readFileSync(out(), 'utf8');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    opened = await openPage(browser, out());
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.close();
    await cleanup?.();
  });

  it('runs every report in reports/ on the local engine, with the columns its chart names', async () => {
    const reports = loadReports();
    expect(reports.length).toBeGreaterThanOrEqual(14);
    for (const report of reports) {
      const rows = await engine.query(renderReportSql(report.query, { utcOffsetMinutes: OFFSET }));
      expect(rows.length, report.name).toBeGreaterThan(0);
      const columns = Object.keys(rows[0]!);
      const named = [report.chart.x, ...report.chart.y, ...(report.chart.series ?? []), report.chart.seriesLabel, report.chart.value].filter((c): c is string => !!c);
      expect(columns, report.name).toEqual(expect.arrayContaining(named));
    }
  });

  it('writes one self-contained file: Chart.js and the data inline, nothing fetched', () => {
    expect(existsSync(out())).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\(\s*['"]?https?:/i);
    expect(html).toContain('Chart.js v4');
    expect(opened.requests).toEqual([]);
  });

  it('opens in Chromium with no console errors', async () => {
    await opened.page.waitForFunction("document.querySelectorAll('canvas[data-report]').length > 0");
    expect(opened.errors).toEqual([]);
    const errorsShown = await opened.page.locator('.err').count();
    expect(errorsShown).toBe(0);
  });

  it('is marked DEMO, with the generated time and the data range', async () => {
    const { page } = opened;
    expect(await page.title()).toMatch(/^DEMO/);
    expect(await page.locator('#demo-banner').textContent()).toMatch(/DEMO DATA/);
    const [range] = await engine.query(
      'SELECT min(d) AS first_day, max(d) AS last_day FROM (SELECT context_date AS d FROM telegram UNION ALL SELECT context_date AS d FROM telegram_events) t',
    );
    expect(await page.locator('#data-range').textContent()).toBe(`${range!.first_day} to ${range!.last_day}`);
    const generated = Date.parse(String(await page.locator('#generated-at').textContent()));
    expect(Math.abs(Date.now() - generated)).toBeLessThan(10 * 60_000);
  });

  it('draws every chart with the numbers tgpipe query gives', async () => {
    const { page } = opened;
    let charts = 0;
    for (const report of loadReports()) {
      const q = await tgpipe('query', report.name, '--data', dir, '--format', 'json');
      expect(q.code, q.stderr).toBe(0);
      const rows = JSON.parse(q.stdout) as Record<string, unknown>[];
      const section = page.locator(`section[data-report="${report.name}"]`);
      const { chart } = report;

      if (chart.type === 'table') {
        const cells = await section.locator('table.rows tr').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
        expect(cells.length, report.name).toBe(Math.min(rows.length, 500));
        // Ties are unordered in SQL: compare as multisets.
        const canonical = (list: unknown[][]) => list.map((r) => JSON.stringify(r)).sort();
        expect(canonical(cells), report.name).toEqual(canonical(rows.map((r) => Object.values(r).map((v) => (v === null ? '' : String(v))))));
        continue;
      }
      if (chart.type === 'heatmap') {
        const cells = await section.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => [Number(td.getAttribute('data-y')), Number(td.getAttribute('data-x')), Number(td.getAttribute('data-value'))]));
        expect(cells.length).toBe(7 * 24);
        const drawn = new Map(cells.map(([y, x, v]) => [`${y}:${x}`, v]));
        for (const r of rows) expect(drawn.get(`${r[chart.y[0]!]}:${r[chart.x!]}`), report.name).toBe(Number(r[chart.value!]));
        expect([...drawn.values()].reduce((a, b) => a! + b!, 0)).toBe(rows.reduce((n, r) => n + Number(r[chart.value!]), 0));
        continue;
      }

      charts += 1;
      const data = await section.locator('canvas').evaluate((canvas) => {
        const c = (globalThis as unknown as { Chart: { getChart(el: unknown): { data: { labels: unknown[]; datasets: Array<{ label: string; data: unknown[]; seriesKey?: string }> } } } }).Chart.getChart(canvas);
        return { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data, seriesKey: d.seriesKey })) };
      });
      const xs = [...new Set(rows.map((r) => String(r[chart.x!])))];
      expect([...data.labels].map(String).sort(), report.name).toEqual([...xs].sort());
      if (chart.sort === 'x') expect(data.labels.map(String), report.name).toEqual([...xs].sort());
      const at = (label: unknown) => data.labels.map(String).indexOf(String(label));
      if (!chart.series) {
        expect(data.datasets.map((d) => d.label), report.name).toEqual(chart.y);
        for (const r of rows) for (const y of chart.y) expect(data.datasets.find((d) => d.label === y)!.data[at(r[chart.x!])], `${report.name} ${y}`).toBe(r[y] === null ? null : Number(r[y]));
      } else {
        const keyOf = (r: Record<string, unknown>) => chart.series!.map((c) => (r[c] === null ? '' : String(r[c]))).join(' / ');
        const series = new Set(rows.map(keyOf));
        expect(data.datasets.length, report.name).toBe(Math.min(10, series.size));
        for (const d of data.datasets) {
          const mine = rows.filter((r) => keyOf(r) === d.seriesKey);
          expect(mine.length, `${report.name} ${d.label}`).toBeGreaterThan(0);
          expect(d.label).toBe(String(mine[0]![chart.seriesLabel ?? chart.series![0]!]));
          const y = chart.y[0]!;
          for (const r of mine) expect(d.data[at(r[chart.x!])], `${report.name} ${d.label}`).toBe(r[y] === null ? null : Number(r[y]));
          expect(d.data.filter((v) => v !== null).length).toBe(mine.filter((r) => r[y] !== null).length);
        }
      }
    }
    expect(charts).toBeGreaterThanOrEqual(10);
  });

  it('reads plainly for real data and for an empty folder: no DEMO mark, no errors', async () => {
    const real = await tempDataDir('tgpipe-report-real-');
    const empty = await tempDataDir('tgpipe-report-empty-');
    try {
      const chat = { id: -1001112223334, title: 'Book club', type: 'supergroup' };
      const from = { id: 42, is_bot: false, first_name: 'Rita' };
      const date = Date.parse('2024-06-05T15:00:00Z') / 1000;
      await buildDataset(real.dir, [1, 2, 3].map((n) => ({ update_id: n, message: { message_id: n, from, chat, date: date + n, text: `msg ${n}` } })), OFFSET);
      const page = await renderReportPage(real.dir, { utcOffset: '-03:00' });
      expect(page).not.toContain('demo-banner');
      expect(page).toContain('<title>Telegram group analytics</title>');
      expect(page).toContain('Book club');

      const r = await tgpipe('report', '--data', empty.dir);
      expect(r.code).toBe(0);
      const file = join(empty.dir, 'report.html');
      const opened = await openPage(browser, file);
      await opened.page.waitForFunction("document.querySelectorAll('.empty').length > 0");
      expect(opened.errors).toEqual([]);
      expect(await opened.page.locator('#data-range').textContent()).toBe('no data yet');
      expect(await opened.page.locator('.err').count()).toBe(0);
      await opened.page.close();
    } finally {
      await real.cleanup();
      await empty.cleanup();
    }
  });
});

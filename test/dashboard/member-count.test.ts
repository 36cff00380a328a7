/**
 * The Members view's member count in real Chromium: `sample` raw records (what the watchdog and tgpipe
 * serve write) through the real enrichment and `tgpipe report`; the chart's points equal each chat's
 * last sample of the day carried forward, computed here from the Parquet files with DuckDB. Without
 * samples, the card says how to enable them.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStores } from '../../adapters/local/data-dir';
import { main } from '../../cli/main';
import { sampleLine } from '../../core/member-count';
import { rawDayPrefix } from '../../schemas';
import { buildDataset, tempDataDir } from '../local/reports-support';

// Browser globals inside page.evaluate callbacks (typechecked without the DOM library).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const OFFSET = -180;
const A = -1002000000001;
const B = -1002000000002;
const DAYS = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05'];
const noon = (day: string, hour = 15) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);

const messages = (): object[] =>
  DAYS.flatMap((day, d) =>
    [A, B].map((chat, c) => ({
      update_id: 1000 + d * 10 + c,
      message: { message_id: 10 + d, from: { id: 500 + c, is_bot: false, first_name: `M${c}` }, chat: { id: chat, type: 'supergroup', title: c ? 'Beta' : 'Alpha' }, date: noon(day) / 1000, text: 'hi' },
    })),
  );

/** [day, chat, count, hour UTC]: two samples on a day (the later one counts), days without one carried. */
const SAMPLES: Array<[string, number, number, number]> = [
  ['2026-04-01', A, 100, 13],
  ['2026-04-01', A, 102, 18],
  ['2026-04-02', B, 40, 15],
  ['2026-04-04', A, 97, 15],
];

async function report(dir: string): Promise<string> {
  const out = join(dir, 'report.html');
  let stderr = '';
  const code = await main(['report', '--data', dir, '--out', out], { stdout: () => {}, stderr: (t) => (stderr += t), env: { CONTEXT_UTC_OFFSET: '-03:00' } });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return out;
}

async function membersView(browser: Browser, file: string, hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`file://${file}${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

/** The member-count chart's points as [day, count]. */
const chartPoints = (page: Page) =>
  page.evaluate(() => {
    const chart = window.tgpipeDashboard.charts().get('member-count');
    const data = chart.getOption().series[0].data as Array<[number, number | null]>;
    return data.map(([ms, n]) => [new Date(ms).toISOString().slice(0, 10), n]);
  });

describe('member count over time in Chromium', () => {
  let browser: Browser;
  let withSamples: { dir: string; cleanup: () => Promise<void> };
  let without: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    withSamples = await tempDataDir('tgpipe-member-count-');
    without = await tempDataDir('tgpipe-member-count-none-');
    const raw = localStores(withSamples.dir).raw;
    for (const day of DAYS) {
      const lines = SAMPLES.filter(([d]) => d === day).map(([, chat, count, hour]) => sampleLine({ kind: 'member_count', chat_id: chat, count, at: noon(day, hour) / 1000 }, noon(day, hour), OFFSET).line);
      if (lines.length) await raw.write(`${rawDayPrefix(day)}samples-${day}.json.gz`, gzipSync(lines.join('')));
    }
    await buildDataset(withSamples.dir, messages(), OFFSET);
    await buildDataset(without.dir, messages(), OFFSET);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await withSamples?.cleanup();
    await without?.cleanup();
  });

  it('draws each chat\'s latest sample per day, carried forward, summed over the chats; a chat filter shows its own', async () => {
    // The test's own computation: DuckDB on the Parquet files, then carry forward per chat.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const rows = (
      await con.runAndReadAll(
        `SELECT CAST(context_date AS VARCHAR) AS day, chat_id, arg_max(member_count, event_date) AS n
         FROM read_parquet('${join(withSamples.dir, 'enriched', 'telegram_events')}/*/*.parquet', hive_partitioning = true)
         WHERE event_kind = 'member_count' GROUP BY ALL`,
      )
    ).getRowObjectsJson() as Array<{ day: string; chat_id: string; n: string }>;
    con.closeSync();
    db.closeSync();
    expect(rows).toHaveLength(3);
    const expected = (chats: number[]) => {
      const latest = new Map<number, number>();
      return DAYS.map((day) => {
        for (const r of rows) if (r.day === day && chats.includes(Number(r.chat_id))) latest.set(Number(r.chat_id), Number(r.n));
        return [day, latest.size ? [...latest.values()].reduce((a, b) => a + b, 0) : null];
      });
    };
    expect(expected([A, B]).map(([, n]) => n)).toEqual([102, 142, 142, 137, 137]);

    const file = await report(withSamples.dir);
    const { page, errors } = await membersView(browser, file, '#view=members&range=all');
    expect(await page.locator('[data-card="member-count"] canvas').count()).toBe(1);
    expect(await chartPoints(page)).toEqual(expected([A, B]));
    const chats = await page.evaluate(() => (window.tgpipeDashboard.data.chats as Array<{ ids: string[] }>).map((c) => c.ids[0]));
    const before = await page.evaluate(() => window.tgpipeDashboard.renders);
    await page.selectOption('select[name=chat]', String(chats.indexOf(String(B))));
    await page.waitForFunction((n) => window.tgpipeDashboard.renders > n, before);
    expect((await chartPoints(page)).filter(([, n]) => n !== null)).toEqual(expected([B]).filter(([, n]) => n !== null));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a phone at night: the current view\'s tab is scrolled into its bar; an empty folder names no range and shows commands as code', async () => {
    const file = await report(withSamples.dir);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true });
    await page.goto(`file://${file}#view=conversation&range=all`);
    await page.waitForSelector('body[data-ready="true"]');
    const tab = await page.locator('nav.views button.active').boundingBox();
    expect(tab!.x).toBeGreaterThanOrEqual(0);
    expect(tab!.x + tab!.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    const empty = await tempDataDir('tgpipe-member-count-empty-');
    try {
      const out = await report(empty.dir);
      await page.goto(`file://${out}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.locator('#data-range').textContent()).toMatch(/^No data yet · day boundary -03:00/);
      expect(await page.locator('#empty-state code').allTextContents()).toEqual(expect.arrayContaining(['tgpipe ingest FILE', 'tgpipe serve --demo', 'TELEGRAM_BOT_TOKEN']));
    } finally {
      await empty.cleanup();
      await page.close();
    }
  });

  it('without samples the card says how to enable them, and draws no empty chart', async () => {
    const file = await report(without.dir);
    const { page, errors } = await membersView(browser, file, '#view=members&range=all');
    const card = page.locator('[data-card="member-count"]');
    expect(await card.locator('canvas').count()).toBe(0);
    expect(await card.textContent()).toContain('TELEGRAM_BOT_TOKEN');
    // The joins chart is still there.
    expect(await page.locator('[data-card="joins"] canvas').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});

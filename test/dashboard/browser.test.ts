/**
 * The dashboard in real Chromium: `tgpipe report` on data it has not seen (test/dashboard/fixture.ts through
 * the real enrichment), opened from the file with the network cut. Every view renders with data and for an
 * empty folder; each filter changes the numbers to what DuckDB computes straight from the Parquet files
 * (not through the dashboard's SQL or code); dark mode, Portuguese, no console errors; the XSS names,
 * titles and texts run nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { buildDataset, tempDataDir } from '../local/reports-support';
import { BASIC_ID, FORUM_ID, MEMBERS, OFFSET_MINUTES, SUPER_ID, XSS, fixtureUpdates } from './fixture';

// Browser globals inside page.evaluate callbacks (this file is typechecked without the DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const location: any;
declare const getComputedStyle: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWS = ['overview', 'activity', 'members', 'hours', 'people', 'content', 'reactions', 'conversation', 'topics', 'analysts'];
/** Service messages, as this test defines them (what people did not write). */
const SERVICE = ['new_chat_members', 'left_chat_member', 'migrate_to_chat_id', 'migrate_from_chat_id', 'forum_topic_created'];

async function tgpipe(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CONTEXT_UTC_OFFSET: '-03:00' } });
  return { code, stdout, stderr };
}

/** DuckDB straight on the Parquet files: the test's own computation. */
async function parquetSql(dir: string) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  const read = (t: string) => `read_parquet('${join(dir, 'enriched', t)}/*/*.parquet', hive_partitioning = true, union_by_name = true)`;
  await con.run(`CREATE VIEW m AS SELECT * FROM ${read('telegram')}`);
  await con.run(`CREATE VIEW e AS SELECT * FROM ${read('telegram_events')}`);
  return {
    async rows(sql: string): Promise<Record<string, unknown>[]> {
      return (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    },
    async one(sql: string): Promise<number> {
      const r = (await con.runAndReadAll(sql)).getRowsJson()[0]![0];
      return Number(r ?? 0);
    },
    close() {
      con.closeSync();
      db.closeSync();
    },
  };
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(browser: Browser, file: string, options: { hash?: string; colorScheme?: 'light' | 'dark'; locale?: string; width?: number; query?: string } = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1300, height: 900 }, colorScheme: options.colorScheme ?? 'light', locale: options.locale ?? 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}${options.query ?? ''}${options.hash ?? ''}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors, requests };
}

const kpis = (page: Page) =>
  page.$$eval('[data-kpi]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-kpi'), e.getAttribute('data-value') === '' ? null : Number(e.getAttribute('data-value'))])));

async function renderedCount(page: Page): Promise<number> {
  return Number(await page.evaluate(() => document.body.dataset.renders));
}

/** Changes a control and waits for the page to redraw. */
async function change(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await renderedCount(page);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.renders) > n, before);
}

describe('dashboard in Chromium', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let file: string;
  let html: string;
  let sql: Awaited<ReturnType<typeof parquetSql>>;
  let lastDay: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDataDir('tgpipe-dashboard-'));
    await buildDataset(dir, fixtureUpdates(), OFFSET_MINUTES);
    file = join(dir, 'out', 'dashboard.html');
    const r = await tgpipe('report', '--data', dir, '--out', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    html = readFileSync(file, 'utf8');
    sql = await parquetSql(dir);
    lastDay = String((await sql.rows('SELECT CAST(max(context_date) AS VARCHAR) AS d FROM (SELECT context_date FROM m UNION ALL SELECT context_date FROM e)'))[0]!.d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    sql?.close();
    await cleanup?.();
  });

  it('is one self-contained file: nothing fetched, no markup from the data', async () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|<img[^>]|url\(\s*['"]?https?:/i);
    expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
    // The corpus is in the data, but never as markup: the JSON escapes every < and >.
    for (const x of XSS.filter((s) => s.includes('<'))) expect(html.includes(x), x).toBe(false);
    expect(html.match(/<\/script>/g)!.length).toBe(2);
    const { page, requests, errors } = await open(browser, file);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('renders every view with data, with no console errors, and runs none of the XSS corpus', async () => {
    const { page, errors } = await open(browser, file, { hash: '#view=overview&range=all' });
    for (const view of VIEWS) {
      await change(page, () => page.click(`nav button[data-view="${view}"]`));
      const main = page.locator(`main[data-view="${view}"]`);
      expect(await main.locator('section.card').count(), view).toBeGreaterThan(0);
      if (view !== 'analysts') expect(await main.locator('canvas').count(), view).toBeGreaterThan(0);
      // A part this data lacks (member counts, terms) says so; only the analysts' SQL details show the engine's error.
      expect(await main.evaluate((el) => [...el.querySelectorAll('.err')].filter((e) => !e.closest('details.sql')).length), view).toBe(0);
    }
    // A day without messages (the fixture leaves one a week quiet): every view says so instead of failing.
    await page.evaluate(() => (location.hash = '#view=overview&range=custom&from=2024-03-04&to=2024-03-04'));
    await page.waitForFunction(() => document.querySelector('#period')?.textContent?.includes('1 days'));
    for (const view of VIEWS) {
      await change(page, () => page.click(`nav button[data-view="${view}"]`));
      const main = page.locator(`main[data-view="${view}"]`);
      expect(await main.locator('section.card').count(), `${view}, empty day`).toBeGreaterThan(0);
      expect(await main.evaluate((el) => [...el.querySelectorAll('.err')].filter((e) => !e.closest('details.sql')).length), view).toBe(0);
    }
    await change(page, () => page.click('nav button[data-view="overview"]'));
    expect((await kpis(page)).messages).toBe(0);
    await page.evaluate(() => (location.hash = '#view=overview&range=all'));
    // A member page for each XSS-named member, and every chat.
    for (const m of MEMBERS.slice(0, 7)) {
      const index = await page.evaluate((id) => (window.tgpipeDashboard.data as { members: Array<{ id: string }> }).members.findIndex((x) => x.id === id), String(m.id));
      await change(page, () => page.selectOption('select[name=member]', String(index)));
      await change(page, () => page.click('nav button[data-view="people"]'));
      expect(await page.locator('[data-card="member"] h2').textContent()).toContain(m.first_name);
      await change(page, () => page.click('nav button[data-view="reactions"]'));
      await change(page, () => page.click('nav button[data-view="conversation"]'));
    }
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('img, iframe, svg script, script[src]').count()).toBe(0);
    // The texts are shown as text: the corpus appears literally on the page.
    await change(page, () => page.selectOption('select[name=member]', '-1'));
    await change(page, () => page.click('nav button[data-view="reactions"]'));
    const shown = await page.locator('main').textContent();
    expect(XSS.some((x) => shown!.includes(x))).toBe(true);
    expect(await page.title()).toContain(XSS[1]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('each filter changes the overview to what DuckDB computes from the Parquet files', async () => {
    const { page, errors } = await open(browser, file, { hash: '#view=overview&range=all' });
    const data = await page.evaluate(() => window.tgpipeDashboard.data as { chats: Array<{ ids: string[]; title: string }>; members: Array<{ id: string }> });
    // The basic group and its supergroup are one chat in the filter.
    const club = data.chats.findIndex((c) => c.ids.includes(String(SUPER_ID)));
    expect(data.chats[club]!.ids.sort()).toEqual([String(BASIC_ID), String(SUPER_ID)].sort());
    const forum = data.chats.findIndex((c) => c.ids.includes(String(FORUM_ID)));
    expect(data.chats.length).toBe(2);

    const expected = async (from: string, to: string, chatIds: number[] | null, member: number | null) => {
      const where = [`context_date BETWEEN DATE '${from}' AND DATE '${to}'`];
      if (chatIds) where.push(`chat_id IN (${chatIds.join(', ')})`);
      const people = [...where, `message_kind NOT IN (${SERVICE.map((s) => `'${s}'`).join(', ')})`];
      if (member !== null) people.push(`user_id = ${member}`);
      const messages = await sql.one(`SELECT count(*) FROM m WHERE ${people.join(' AND ')}`);
      const active = await sql.one(`SELECT count(DISTINCT user_id) FROM m WHERE ${people.join(' AND ')}`);
      const media = await sql.one(`SELECT count(*) FROM m WHERE ${people.join(' AND ')} AND message_kind IN ('photo', 'sticker', 'voice')`);
      // Joins: the fixture sends each join both ways (service message and chat_member): once per day and chat.
      const joinRows = await sql.rows(
        `SELECT context_date, chat_id, sum(new_chat_member_count) AS s FROM m WHERE ${where.join(' AND ')} AND message_kind = 'new_chat_members' GROUP BY ALL`,
      );
      const memberJoins = await sql.rows(
        `SELECT context_date, chat_id, count(*) FILTER (WHERE old_status = 'left' AND new_status = 'member') AS j, count(*) FILTER (WHERE old_status = 'member' AND new_status = 'left') AS l FROM e WHERE ${where.join(' AND ')} AND event_kind = 'chat_member' GROUP BY ALL`,
      );
      const key = (r: Record<string, unknown>) => `${r.context_date}:${r.chat_id}`;
      const joinsPerKey = new Map<string, number>();
      for (const r of joinRows) joinsPerKey.set(key(r), Number(r.s));
      for (const r of memberJoins) joinsPerKey.set(key(r), Math.max(joinsPerKey.get(key(r)) ?? 0, Number(r.j)));
      const joins = [...joinsPerKey.values()].reduce((a, b) => a + b, 0);
      const leaves = memberJoins.reduce((a, r) => a + Number(r.l), 0);
      // Reactions: what each message_reaction adds (new minus old), counted in plain JS.
      const reactionRows = await sql.rows(
        `SELECT e.reactions_old AS o, e.reactions_new AS n, t.user_id AS author FROM e LEFT JOIN m t ON t.chat_id = e.chat_id AND t.message_id = e.message_id WHERE ${where.map((w) => w.replace(/\b(context_date|chat_id)\b/g, 'e.$1')).join(' AND ')} AND e.event_kind = 'message_reaction'`,
      );
      let reactions = 0;
      for (const r of reactionRows) {
        if (member !== null && Number(r.author) !== member) continue;
        const old = JSON.parse(String(r.o)) as string[];
        reactions += (JSON.parse(String(r.n)) as string[]).filter((x) => !old.includes(x)).length;
      }
      const counted = await sql.rows(
        `SELECT e.chat_id, e.message_id, e.update_id, e.reaction_counts AS c, CAST(e.context_date AS VARCHAR) AS d, t.user_id AS author FROM e LEFT JOIN m t ON t.chat_id = e.chat_id AND t.message_id = e.message_id WHERE e.event_kind = 'message_reaction_count' ORDER BY e.update_id`,
      );
      const last = new Map<string, Record<string, number>>();
      for (const r of counted) {
        const k = `${r.chat_id}:${r.message_id}`;
        const now = JSON.parse(String(r.c)) as Record<string, number>;
        const before = last.get(k) ?? {};
        last.set(k, now);
        if (String(r.d) < from || String(r.d) > to || (chatIds && !chatIds.includes(Number(r.chat_id))) || (member !== null && Number(r.author) !== member)) continue;
        for (const [emoji, n] of Object.entries(now)) reactions += Math.max(0, n - (before[emoji] ?? 0));
      }
      return { messages, active, joins, leaves, reactions, mediaShare: messages ? media / messages : null };
    };
    const shift = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    const check = async (label: string, from: string, to: string, chatIds: number[] | null, member: number | null) => {
      const shown = await kpis(page);
      const want = await expected(from, to, chatIds, member);
      expect(shown.messages, label).toBe(want.messages);
      expect(shown.active, label).toBe(want.active);
      expect(shown.reactions, label).toBe(want.reactions);
      expect(shown.mediaShare ?? null, label).toBeCloseTo(want.mediaShare ?? 0, 10);
      if (member === null) {
        expect(shown.joins, label).toBe(want.joins);
        expect(shown.leaves, label).toBe(want.leaves);
      }
      // The previous period of the same length, as the change is computed against.
      const len = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
      const before = await expected(shift(from, -len), shift(from, -1), chatIds, member);
      const previous = await page.$$eval('[data-kpi]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-kpi'), e.getAttribute('data-previous')])));
      if (previous.messages !== '') expect(Number(previous.messages), `${label} previous`).toBe(before.messages);
      return want;
    };
    const first = String((await sql.rows('SELECT CAST(min(context_date) AS VARCHAR) AS d FROM m'))[0]!.d);

    const all = await check('all time', first, lastDay, null, null);
    expect(all.messages).toBeGreaterThan(500);

    await change(page, () => page.selectOption('select[name=range]', '30d'));
    const last30 = await check('last 30 days', shift(lastDay, -29), lastDay, null, null);
    expect(last30.messages).toBeLessThan(all.messages);

    await change(page, () => page.selectOption('select[name=chat]', String(club)));
    const clubWant = await check('30 days, the migrated group', shift(lastDay, -29), lastDay, [BASIC_ID, SUPER_ID], null);
    await change(page, () => page.selectOption('select[name=chat]', String(forum)));
    const forumWant = await check('30 days, the forum', shift(lastDay, -29), lastDay, [FORUM_ID], null);
    expect(clubWant.messages + forumWant.messages).toBe(last30.messages);

    // A custom range across the migration day, both ids of the group.
    await change(page, () => page.selectOption('select[name=chat]', String(club)));
    await change(page, () => page.fill('input[name=from]', '2024-03-20'));
    await change(page, () => page.fill('input[name=to]', '2024-04-20'));
    expect(await page.inputValue('select[name=range]')).toBe('custom');
    await check('custom range, migrated group', '2024-03-20', '2024-04-20', [BASIC_ID, SUPER_ID], null);

    const rita = data.members.findIndex((x) => x.id === '7001');
    await change(page, () => page.selectOption('select[name=member]', String(rita)));
    await check('custom range, migrated group, one member', '2024-03-20', '2024-04-20', [BASIC_ID, SUPER_ID], 7001);
    await change(page, () => page.selectOption('select[name=chat]', '-1'));
    await check('custom range, every chat, one member', '2024-03-20', '2024-04-20', null, 7001);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the leaderboard, the weekday x hour map, kinds and topics follow the filters too', async () => {
    const { page, errors } = await open(browser, file, { hash: '#view=people&range=all' });
    const leaderboard = async () =>
      page.$$eval('[data-card="leaderboard"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const people = `message_kind NOT IN (${SERVICE.map((s) => `'${s}'`).join(', ')})`;
    const want = await sql.rows(
      `SELECT user_id, count(*) AS n, count(DISTINCT context_date) AS days, count(text) AS texts, sum(length(text)) AS chars FROM m WHERE ${people} GROUP BY user_id ORDER BY n DESC, user_id`,
    );
    const rows = await leaderboard();
    expect(rows.length).toBe(want.length);
    const fmt = new Intl.NumberFormat('en-US');
    rows.forEach((r, i) => {
      expect(r[2], `row ${i} messages`).toBe(fmt.format(Number(want[i]!.n)));
      expect(r[4], `row ${i} active days`).toBe(fmt.format(Number(want[i]!.days)));
    });

    // Weekday x hour (local time, -03:00) of one chat in a custom range, summed by the chart.
    const data = await page.evaluate(() => window.tgpipeDashboard.data as { chats: Array<{ ids: string[] }> });
    const forum = data.chats.findIndex((c) => c.ids.includes(String(FORUM_ID)));
    await page.evaluate((chat) => (location.hash = `#view=hours&range=custom&from=2024-03-10&to=2024-04-05&chat=${chat}`), forum);
    await page.waitForSelector('main[data-view="hours"] canvas');
    const cells = await page.evaluate(() => {
      const chart = window.tgpipeDashboard!.charts().get('heatmap')!;
      return (chart.getOption() as { series: Array<{ data: Array<[number, number, number]> }> }).series[0]!.data;
    });
    const grid = await sql.rows(
      `SELECT isodow(to_timestamp(date - 10800)) AS wd, hour(to_timestamp(date - 10800)) AS h, count(*) AS n FROM m WHERE ${people} AND chat_id = ${FORUM_ID} AND context_date BETWEEN DATE '2024-03-10' AND DATE '2024-04-05' GROUP BY ALL`,
    );
    const drawn = new Map(cells.map(([h, wd, n]) => [`${wd + 1}:${h}`, n]));
    for (const g of grid) expect(drawn.get(`${g.wd}:${g.h}`), `${g.wd}:${g.h}`).toBe(Number(g.n));
    expect(cells.reduce((s, c) => s + c[2], 0)).toBe(grid.reduce((s, g) => s + Number(g.n), 0));

    // Message kinds in the same selection.
    await page.evaluate(() => (location.hash = location.hash.replace('view=hours', 'view=content')));
    await page.waitForSelector('main[data-view="content"] canvas');
    const kinds = await page.evaluate(() => {
      const o = window.tgpipeDashboard!.charts().get('kinds')!.getOption() as { series: Array<{ data: number[] }> };
      return o.series[0]!.data.reduce((a, b) => a + b, 0);
    });
    expect(kinds).toBe(await sql.one(`SELECT count(*) FROM m WHERE chat_id = ${FORUM_ID} AND context_date BETWEEN DATE '2024-03-10' AND DATE '2024-04-05'`));

    // Topics of the forum, named from forum_topic_created.
    await page.evaluate(() => (location.hash = location.hash.replace('view=content', 'view=topics')));
    await page.waitForSelector('main[data-view="topics"] canvas');
    const topics = await page.evaluate(() => {
      const o = window.tgpipeDashboard!.charts().get('topics')!.getOption() as { yAxis: Array<{ data: string[] }>; series: Array<{ data: number[] }> };
      return { names: o.yAxis[0]!.data, counts: o.series[0]!.data };
    });
    const perTopic = await sql.rows(
      `SELECT CASE WHEN is_topic_message THEN message_thread_id END AS t, count(*) AS n FROM m WHERE chat_id = ${FORUM_ID} AND context_date BETWEEN DATE '2024-03-10' AND DATE '2024-04-05' GROUP BY ALL`,
    );
    expect([...topics.counts].sort((a, b) => a - b)).toEqual(perTopic.map((r) => Number(r.n)).sort((a, b) => a - b));
    expect(topics.names).toContain('General');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('follows the system dark mode, has a toggle, and speaks Brazilian Portuguese', async () => {
    const dark = await open(browser, file, { colorScheme: 'dark', hash: '#view=activity' });
    expect(await dark.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe('rgb(244, 246, 250)');
    await change(dark.page, () => dark.page.selectOption('select[name=theme]', 'light'));
    expect(await dark.page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(dark.errors).toEqual([]);
    await dark.page.context().close();

    const pt = await open(browser, file, { locale: 'pt-BR', hash: '#view=overview&range=all' });
    expect(await pt.page.locator('nav button[data-view="overview"]').textContent()).toBe('Visão geral');
    expect(await pt.page.evaluate(() => document.documentElement.lang)).toBe('pt-BR');
    const messages = (await kpis(pt.page)).messages!;
    const tile = await pt.page.locator('[data-kpi="messages"] .tile-value').textContent();
    expect(tile).toBe(new Intl.NumberFormat('pt-BR').format(messages));
    await change(pt.page, () => pt.page.selectOption('select[name=lang]', 'en'));
    expect(await pt.page.locator('nav button[data-view="overview"]').textContent()).toBe('Overview');
    expect(pt.errors).toEqual([]);
    await pt.page.context().close();

    const flag = await open(browser, file, { locale: 'en-US', query: '?lang=pt-BR' });
    expect(await flag.page.locator('nav button[data-view="people"]').textContent()).toBe('Pessoas');
    await flag.page.context().close();
  });

  it('an empty data folder shows what to do next', async () => {
    const empty = await tempDataDir('tgpipe-dashboard-empty-');
    try {
      const out = join(empty.dir, 'report.html');
      const r = await tgpipe('report', '--data', empty.dir, '--out', out);
      expect(r.code).toBe(0);
      const { page, errors } = await open(browser, out);
      const steps = await page.locator('#empty-state').textContent();
      expect(steps).toMatch(/tgpipe ingest/);
      expect(steps).toMatch(/tgpipe import result\.json/);
      expect(steps).toMatch(/tgpipe chats/);
      expect(await page.locator('#data-range').textContent()).toMatch(/^No data yet · day boundary /);
      expect(await page.locator('canvas').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await empty.cleanup();
    }
  });
});

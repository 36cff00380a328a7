/**
 * The dashboard at scale: a year of a large group (default 1,000,000 messages from 1,000 members in 3
 * chats, 200,000 events), written straight to enriched Parquet by DuckDB (the enrichment's own speed is
 * the enrichment section's business), then: the build on the local engine (SQL + page), the HTML's size,
 * and in headless Chromium the first full render and a filter change (chat, member, period), each the
 * median of a few runs.
 *
 * Alone: `node --import tsx bench/dashboard.ts [--messages 1000000]`.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '../adapters/local/duckdb-engine';
import { buildDashboardDetailed } from '../dashboard/build';
import { webBundle } from '../dashboard/build/bundle';
import { median, round } from './lib/stats';

// Browser globals inside page.evaluate callbacks (typechecked without the DOM library).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const requestAnimationFrame: any;

const OUT = join(import.meta.dirname, 'out');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface DashboardBenchOptions {
  readonly messages?: number;
  readonly members?: number;
  readonly events?: number;
  readonly chats?: number;
}

export interface DashboardBenchResult {
  messages: number;
  events: number;
  members: number;
  chats: number;
  generateMs: number;
  /** esbuild bundling of dashboard/web, once per process. */
  bundleMs: number;
  /** SQL on the local engine and the page assembly, bundle warm. */
  buildMs: number;
  /** CPU time of the build (this process and DuckDB's threads): what it costs when the machine is shared. */
  buildCpuMs: number;
  queriesMs: number;
  slowestFact: string;
  htmlBytes: number;
  dataBytes: number;
  /** Navigation start to the first full render (parse, data, the overview drawn), median. */
  firstRenderMs: number;
  filterChangeMs: Record<string, number>;
  worstFilterChangeMs: number;
}

const TEXTS = ['bom dia pessoal', 'alguém tem o link da reunião?', 'ok', 'kkkkkk', 'Привет всем', '今天的数据看起来不错', 'let us ship it', 'the dashboard is up, please check the numbers before the call at 3pm', 'https://example.org/docs #release', '@ana pode revisar?'];

/** Writes the synthetic year as Parquet under `<dir>/enriched/` (cached by its sizes). */
export async function ensureDashboardData(dir: string, o: Required<DashboardBenchOptions>): Promise<void> {
  const marker = join(dir, `.complete-${o.messages}-${o.members}-${o.events}-${o.chats}`);
  if (existsSync(marker)) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'raw'), { recursive: true });
  await mkdir(join(dir, 'enriched'), { recursive: true });
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const raw = await db.connect();
  const con = {
    run: async (sql: string) => {
      const t0 = performance.now();
      await raw.run(sql);
      if (process.env.BENCH_VERBOSE) console.error(`  generate: ${sql.slice(0, 40).replace(/\s+/g, ' ')}... ${Math.round(performance.now() - t0)} ms`);
    },
    closeSync: () => raw.closeSync(),
  };
  const start = Date.parse('2025-01-01T03:00:00Z') / 1000; // local midnight at -03:00
  const span = 365 * 86_400;
  const texts = `[${TEXTS.map((t) => `'${t.replace(/'/g, "''")}'`).join(', ')}]`;
  const chatIds = Array.from({ length: o.chats }, (_, i) => -1001000000000 - i);
  try {
    await con.run(`CREATE TABLE base AS
      SELECT i,
        ${start} + CAST(floor(i * ${span}.0 / ${o.messages}) AS BIGINT) + CAST(hash(i + 1) % 600 AS BIGINT) AS date,
        -- Zipf-like senders (density ~ 1/rank): a few write most, most write little.
        LEAST(${o.members}, CAST(floor(exp((hash(i + 99999999) % 1000000) / 1000000.0 * ln(${o.members}))) AS BIGINT)) AS rank,
        CAST(hash(i + 7777777) % 100 AS INTEGER) AS roll,
        CAST(hash(i + 5555555) % 10 AS INTEGER) AS chat_roll,
        CAST(hash(i + 3333333) % 50 AS BIGINT) AS back,
        CAST(hash(i + 1111111) % 100 AS INTEGER) AS reply_roll
      FROM range(${o.messages}) t(i)`);
    await con.run(`CREATE TABLE msgs AS
      SELECT i + 1 AS message_id, i + 1 AS update_id, date, 100000 + rank AS user_id, 'User ' || rank AS user_first_name,
        CASE WHEN rank % 3 = 0 THEN 'user' || rank END AS user_username,
        ['pt-br', 'en', 'es', 'ru', 'de', NULL][1 + CAST(rank % 6 AS INTEGER)] AS user_language_code,
        [${chatIds.join(', ')}][1 + CAST((rank + chat_roll) % ${o.chats} AS INTEGER)] AS chat_id,
        CASE WHEN roll < 75 THEN 'text' WHEN roll < 85 THEN 'photo' WHEN roll < 90 THEN 'sticker' WHEN roll < 94 THEN 'voice' WHEN roll < 97 THEN 'video' WHEN roll < 99 THEN 'document' ELSE 'new_chat_members' END AS message_kind,
        -- The message replied to, if any (a plain equality: DuckDB hash-joins it; a condition on one side in
        -- the ON clause made it a nested loop, minutes at 1M rows).
        CASE WHEN reply_roll < 20 THEN i - 1 - back END AS reply_i, i
      FROM base`);
    await con.run(`CREATE TABLE telegram AS
      SELECT m.message_id, m.update_id, m.user_id, false AS user_is_bot, m.user_first_name, m.user_username, m.user_language_code,
        m.chat_id, 'supergroup' AS chat_type, 'Group ' || (-1001000000000 - m.chat_id) AS chat_title, (m.chat_id = ${chatIds.at(-1)}) AS chat_is_forum,
        m.date, to_timestamp(m.date) AS message_ts, m.message_kind,
        CASE WHEN m.message_kind = 'text' THEN ${texts}[1 + CAST(m.i % ${TEXTS.length} AS INTEGER)] END AS text,
        CASE WHEN m.message_kind = 'text' THEN length(${texts}[1 + CAST(m.i % ${TEXTS.length} AS INTEGER)]) END AS text_length,
        CASE WHEN m.message_kind = 'new_chat_members' THEN 1 END AS new_chat_member_count,
        CASE WHEN r.message_id IS NOT NULL THEN r.message_id END AS reply_to_message_id,
        CASE WHEN r.message_id IS NOT NULL THEN r.user_id END AS reply_to_user_id,
        r.message_id IS NOT NULL AS is_reply,
        CASE WHEN m.chat_id = ${chatIds.at(-1)} AND m.i % 4 > 0 THEN 1 + m.i % 12 END AS message_thread_id,
        (m.chat_id = ${chatIds.at(-1)} AND m.i % 4 > 0) AS is_topic_message,
        CAST(to_timestamp(m.date - 10800) AS DATE) AS context_date
      FROM msgs m
      LEFT JOIN msgs r ON r.i = m.reply_i AND r.chat_id = m.chat_id`);
    const reactions = Math.round(o.events * 0.75);
    const edits = Math.round(o.events * 0.2);
    const members = o.events - reactions - edits;
    await con.run(`CREATE TABLE telegram_events AS
      SELECT 10000000 + e.i AS update_id, 'message_reaction' AS event_kind, t.date + 60 + e.i % 3000 AS event_date, t.chat_id,
        100000 + LEAST(${o.members}, CAST(floor(exp((hash(e.i + 424242) % 1000000) / 1000000.0 * ln(${o.members}))) AS BIGINT)) AS actor_user_id,
        'User' AS actor_first_name, t.message_id, '[]' AS reactions_old,
        ['["👍"]', '["❤"]', '["🔥"]', '["😂"]', '["🎉"]', '["👍","🔥"]'][1 + CAST(hash(e.i) % 6 AS INTEGER)] AS reactions_new,
        CAST(NULL AS VARCHAR) AS old_status, CAST(NULL AS VARCHAR) AS new_status, CAST(NULL AS BIGINT) AS member_user_id,
        CAST(to_timestamp(t.date + 60 + e.i % 3000 - 10800) AS DATE) AS context_date
      FROM range(${reactions}) e(i) JOIN telegram t ON t.message_id = 1 + CAST(hash(e.i + 31337) % ${o.messages} AS BIGINT)
      UNION ALL
      SELECT 20000000 + e.i, 'edited_message', t.date + 30, t.chat_id, t.user_id, 'User', t.message_id, NULL, NULL, NULL, NULL, NULL,
        CAST(to_timestamp(t.date + 30 - 10800) AS DATE)
      FROM range(${edits}) e(i) JOIN telegram t ON t.message_id = 1 + CAST(hash(e.i + 4242) % ${o.messages} AS BIGINT)
      UNION ALL
      SELECT 30000000 + e.i, 'chat_member', ${start} + CAST(e.i * ${span}.0 / ${members} AS BIGINT), [${chatIds.join(', ')}][1 + CAST(e.i % ${o.chats} AS INTEGER)],
        100000 + e.i % ${o.members}, 'User', NULL, NULL, NULL,
        CASE WHEN e.i % 3 = 0 THEN 'member' ELSE 'left' END, CASE WHEN e.i % 3 = 0 THEN 'left' ELSE 'member' END, 100000 + e.i % ${o.members},
        CAST(to_timestamp(${start} + CAST(e.i * ${span}.0 / ${members} AS BIGINT) - 10800) AS DATE)
      FROM range(${members}) e(i)`);
    for (const table of ['telegram', 'telegram_events']) {
      await con.run(`COPY ${table} TO '${join(dir, 'enriched', table)}' (FORMAT parquet, PARTITION_BY (context_date), FILENAME_PATTERN 'part-{i}')`);
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await writeFile(marker, '');
}

export async function runDashboardBench(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult> {
  const o = { messages: 1_000_000, members: 1_000, events: 200_000, chats: 3, ...options };
  const dir = join(OUT, `dashboard-${o.messages}`);
  let t = performance.now();
  await ensureDashboardData(dir, o);
  const generateMs = round(performance.now() - t, 0);

  t = performance.now();
  await webBundle();
  const bundleMs = round(performance.now() - t, 0);

  t = performance.now();
  const cpu = process.cpuUsage();
  const engine = await DuckDbEngine.open(dir, { threads: 2 });
  let built;
  try {
    built = await buildDashboardDetailed(engine, { timeZone: '-03:00' });
  } finally {
    await engine.close();
  }
  const buildMs = round(performance.now() - t, 0);
  const used = process.cpuUsage(cpu);
  const buildCpuMs = round((used.user + used.system) / 1000, 0);
  const slowest = [...built.data.facts].sort((a, b) => b.ms - a.ms)[0]!;
  const file = join(dir, 'dashboard.html');
  await writeFile(file, built.html);
  const dataBytes = Buffer.byteLength(built.html.slice(built.html.indexOf('id="tgpipe-data"'), built.html.indexOf('</script>', built.html.indexOf('id="tgpipe-data"'))));

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const firsts: number[] = [];
  const changes: Record<string, number[]> = { chat: [], member: [], period: [], 'people view': [] };
  const errors: string[] = [];
  try {
    for (let run = 0; run < 3; run += 1) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}#view=overview&range=all`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      firsts.push(await page.evaluate(() => Number(document.body.dataset.readyAt)));
      // A filter change: the event, the page's sums and every chart redrawn, to the next frame painted.
      const timed = (name: string, action: string) =>
        page.evaluate(
          ([script]) =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              new Function(script!)();
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
            }),
          [action],
        ).then((ms) => changes[name]!.push(ms));
      const select = (name: string, value: string) => `const s = document.querySelector('select[name=${name}]'); s.value = '${value}'; s.dispatchEvent(new Event('change'));`;
      await timed('chat', select('chat', '1'));
      await timed('member', select('member', '5'));
      await timed('period', select('range', '30d'));
      await timed('people view', `document.querySelector('nav button[data-view="people"]').click();`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  const filterChangeMs = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, round(median(v), 0)]));
  return {
    messages: built.data.totals.messages,
    events: built.data.totals.events,
    members: built.data.members.length,
    chats: built.data.chats.length,
    generateMs,
    bundleMs,
    buildMs,
    buildCpuMs,
    queriesMs: built.ms.queries,
    slowestFact: `${slowest.name} ${slowest.ms} ms`,
    htmlBytes: Buffer.byteLength(built.html),
    dataBytes,
    firstRenderMs: round(median(firsts), 0),
    filterChangeMs,
    worstFilterChangeMs: Math.max(...Object.values(filterChangeMs)),
  };
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--messages');
  const messages = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
  const r = await runDashboardBench({ messages, events: Math.round(messages / 5) });
  const mib = (b: number) => `${round(b / 1024 / 1024, 2)} MiB`;
  console.log(`build on the local engine: ${r.buildMs} ms, CPU ${r.buildCpuMs} ms (bar <= 10,000 ms) | SQL ${r.queriesMs} ms, slowest ${r.slowestFact}; bundling once ${r.bundleMs} ms`);
  console.log(`HTML: ${mib(r.htmlBytes)} (bar <= 4 MiB) | data ${mib(r.dataBytes)}`);
  console.log(`first full render: ${r.firstRenderMs} ms (bar <= 2,000 ms)`);
  console.log(`filter change: worst ${r.worstFilterChangeMs} ms (bar <= 200 ms) | ${Object.entries(r.filterChangeMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  console.log(JSON.stringify(r, null, 2));
}

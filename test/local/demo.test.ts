/**
 * The demo group `npm start` shows on a fresh clone: generated, handed to the real ingest path (the
 * webhook's checks and envelope, the local Firehose), enriched, and read back with SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine, RAW_TABLE } from '../../adapters/local/duckdb-engine';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { dateInOffset } from '../../core/context-date';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { isUpdate } from '../../core/update-kinds';
import { DEMO_CHAT_ID, DEMO_MESSAGE_KINDS, DEMO_TITLE_PREFIX, DEMO_UPDATE_KINDS, demoUpdates, ensureDemoData } from '../../local/demo';
import { ingestUpdates } from '../../local/ingest';
import { findReport, renderReportSql } from '../../reports';
import { tempDataDir } from './reports-support';
import { startServe } from '../support/serve-process';

const OFFSET = -180;

describe('demo data', () => {
  it('is deterministic, Bot API shaped, in the demo chat, and ends yesterday by default', () => {
    const a = demoUpdates({ endDate: '2024-06-09', offsetMinutes: OFFSET });
    expect(demoUpdates({ endDate: '2024-06-09', offsetMinutes: OFFSET })).toEqual(a);
    expect(a.updates.every((u) => isUpdate(u))).toBe(true);
    const ids = a.updates.map((u) => (u as { update_id: number }).update_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(a.days.length).toBeGreaterThanOrEqual(14);
    expect(a.days.at(-1)).toBe('2024-06-09');

    const now = Date.now();
    const yesterday = dateInOffset(now - 86_400_000, OFFSET);
    const small = demoUpdates({ days: 2, messagesPerDay: 5, burst: 0, offsetMinutes: OFFSET });
    expect(small.days.at(-1)).toBe(yesterday);
    const text = JSON.stringify(small.updates);
    const dates = [...text.matchAll(/"(?:date|edit_date)":(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...dates) * 1000).toBeLessThan(now); // nothing in the future
  });

  describe('through the ingest path, enriched', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let engine: DuckDbEngine;
    let generated: { generated: boolean; updates: number; days: string[] };
    let counts: { accepted: number; ignored: number; noChat: Record<string, number>; failed: number };

    beforeAll(async () => {
      ({ dir, cleanup } = await tempDataDir('tgpipe-demo-'));
      const stores = localStores(dir);
      const logger = memoryLogger();
      const sink = new LocalFirehose(stores.raw.root);
      const deps = { secret: 'demo-secret', allowedChatIds: new Set([DEMO_CHAT_ID]), utcOffsetMinutes: OFFSET, sink, logger };
      generated = await ensureDemoData(dir, async (updates) => (counts = await ingestUpdates(updates, deps)), { offsetMinutes: OFFSET, endDate: '2024-06-09' });
      await sink.close();
      const enrichDeps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root };
      for (const day of generated.days) await enrichDay(day, enrichDeps, { force: true });
      engine = await DuckDbEngine.open(dir);
    });
    afterAll(async () => {
      await engine?.close();
      await cleanup?.();
    });

    it('every update is accepted by the webhook rules and stored once', async () => {
      expect(generated.generated).toBe(true);
      expect(counts).toEqual({ accepted: generated.updates, ignored: 0, noChat: {}, failed: 0 });
      const [raw] = await engine.query(`SELECT count(1) AS n, count(DISTINCT json_extract_scalar("update", '$.update_id')) AS ids FROM ${RAW_TABLE}`);
      expect(raw).toEqual({ n: generated.updates, ids: generated.updates });
      const [rows] = await engine.query('SELECT (SELECT count(1) FROM telegram) + (SELECT count(1) FROM telegram_events) AS n');
      expect(rows!.n).toBe(generated.updates);
    });

    it('holds every message kind and update kind it promises, over several days, from several users', async () => {
      const kinds = (await engine.query('SELECT DISTINCT message_kind FROM telegram')).map((r) => r.message_kind);
      expect(kinds).toEqual(expect.arrayContaining([...DEMO_MESSAGE_KINDS]));
      const events = (await engine.query('SELECT DISTINCT event_kind FROM telegram_events')).map((r) => r.event_kind);
      expect(events).toEqual(expect.arrayContaining(DEMO_UPDATE_KINDS.filter((k) => k !== 'message')));
      const [summary] = await engine.query(
        `SELECT count(DISTINCT context_date) AS days, count(DISTINCT user_id) AS users, count_if(is_reply) AS replies,
                max(chat_title) AS title, count(DISTINCT chat_id) AS chats, min(chat_id) AS chat_id FROM telegram`,
      );
      expect(summary!.days).toBeGreaterThanOrEqual(14);
      expect(summary!.users).toBeGreaterThanOrEqual(5);
      expect(summary!.replies).toBeGreaterThan(10);
      expect(String(summary!.title).startsWith(DEMO_TITLE_PREFIX)).toBe(true);
      expect(summary).toMatchObject({ chats: 1, chat_id: DEMO_CHAT_ID });
    });

    it('has a burst of a few hundred messages within one minute', async () => {
      const [burst] = await engine.query('SELECT max(n) AS n FROM (SELECT "date" / 60 AS minute, count(1) AS n FROM telegram GROUP BY 1) t');
      expect(burst!.n).toBeGreaterThanOrEqual(200);
    });

    it('gives every report something to show', async () => {
      for (const name of ['joins_and_leaves_per_day', 'edits_and_reactions_per_day', 'replies_per_day', 'most_replied_users']) {
        const rows = await engine.query(renderReportSql(findReport(name)!.query, { utcOffsetMinutes: OFFSET }));
        expect(rows.length, name).toBeGreaterThan(0);
      }
      const joins = await engine.query(findReport('joins_and_leaves_per_day')!.query);
      expect(joins.reduce((n, r) => n + Number(r.joins), 0)).toBeGreaterThan(0);
      expect(joins.reduce((n, r) => n + Number(r.leaves), 0)).toBeGreaterThan(0);
    });

    it('is generated only into a folder without raw data', async () => {
      let called = false;
      const again = await ensureDemoData(dir, async () => (called = true));
      expect(again).toEqual({ generated: false, updates: 0, days: [] });
      expect(called).toBe(false);
    });
  });
});

describe('tgpipe serve --demo (the real process)', () => {
  it('generates the demo group even when ALLOWED_CHAT_IDS names other chats, and keeps that allow-list live', async () => {
    const { dir, cleanup } = await tempDataDir('tgpipe-demo-serve-');
    const serve = await startServe(dir, ['--demo'], { ALLOWED_CHAT_IDS: '-100777', CONTEXT_UTC_OFFSET: '-03:00', TELEGRAM_WEBHOOK_SECRET: 'demo_Secret-1' });
    try {
      const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { sink: { puts: number } };
      const { updates } = demoUpdates({ offsetMinutes: OFFSET });
      expect(health.sink.puts).toBe(updates.length);
      const engine = await DuckDbEngine.open(localStores(dir).dataDir);
      try {
        const [row] = await engine.query(`SELECT count(*) AS n, min(chat_id) AS chat FROM telegram`);
        expect(Number(row!.n)).toBeGreaterThan(100);
        expect(Number(row!.chat)).toBe(DEMO_CHAT_ID);
      } finally {
        await engine.close();
      }
      // The server itself still drops the demo chat: only -100777 is allowed there.
      const post = await fetch(`${serve.url}/webhook`, {
        method: 'POST',
        headers: { 'x-telegram-bot-api-secret-token': 'demo_Secret-1', 'content-type': 'application/json' },
        body: JSON.stringify(updates[0]),
      });
      expect(await post.json()).toMatchObject({ ok: true, message: 'ignored: chat not allowed' });
    } finally {
      await serve.stop();
      await cleanup();
    }
  });
});

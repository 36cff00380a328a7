/**
 * Drill: a burst over 40 keep-alive connections while the local sink fails 10% of appends at random; the
 * sender retries 5xx as Telegram does. After enrichment: 0 lost, 0 duplicate rows. N is bounded for CI
 * (DRILL_UPDATES, default 5,000); `DRILL_UPDATES=100000 npx vitest run test/drills` runs the full drill.
 */
import { Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { post, startServe } from '../support/serve-process';

const N = Number(process.env.DRILL_UPDATES ?? 5_000);
const SECRET = 'drill_secret_0123456789';
const CHAT = -1001987654321;
let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'drill-')); });
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('burst with a failing sink', () => {
  it(`${N} updates, 40 connections, 10% of appends failing: 0 lost, 0 duplicates`, async () => {
    const server = await startServe(dir, ['--fail-rate', '0.1'], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' });
    const agent = new Agent({ keepAlive: true, maxSockets: 40 });
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    let next = 0;
    let retries = 0;
    const deadline = Date.now() + 240_000;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const body = JSON.stringify({ update_id: 5_000_000 + i, message: { message_id: i + 1, from: { id: 100 + (i % 9), is_bot: false, first_name: 'D' }, chat: { id: CHAT, type: 'supergroup' }, date: 1780000000 + (i % 3600), text: `drill ${i}` } });
        // Telegram retries until it gets a 2xx.
        for (;;) {
          if (Date.now() > deadline) throw new Error('drill exceeded its time budget');
          const status = await post(server.url, body, headers, agent).catch(() => 0);
          if (status === 200) break;
          expect(status).toBe(503);
          retries += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    agent.destroy();
    expect(await server.stop()).toBe(0);
    expect(retries).toBeGreaterThan(0);

    const stores = localStores(dir);
    const days = new Set<string>();
    for await (const o of stores.raw.list('telegram/')) days.add(/context_date=([\d-]+)/.exec(o.key)![1]!);
    for (const day of days) await enrichDay(day, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root });
    const engine = await DuckDbEngine.open(dir);
    const [r] = await engine.query('SELECT count(*) AS n, count(DISTINCT update_id) AS d, min(update_id) AS lo, max(update_id) AS hi FROM telegram');
    await engine.close();
    expect(r).toEqual({ n: N, d: N, lo: 5_000_000, hi: 5_000_000 + N - 1 });
  }, 300_000);
});

/**
 * End to end on a real server process: fixtures and a burst posted with the secret, SIGKILL mid-burst,
 * restart, finish, enrich, query: every update that got a 200 is in its table exactly once.
 */
import { Agent } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { post, startServe } from '../support/serve-process';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';

const SECRET = 'crash_test_secret-0123456789';
const fixtures = loadFixtures();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serve-crash-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const burst = Array.from({ length: 3000 }, (_, i) =>
  JSON.stringify({ update_id: 1_000_000 + i, message: { message_id: 10_000 + i, from: { id: 42 + (i % 7), is_bot: false, first_name: `U${i % 7}` }, chat: { id: ALLOWED_CHATS[0], type: 'supergroup', title: 'Data Crew' }, date: 1773500000 + Math.floor(i / 10), text: `burst ${i} ✨` } }),
);

describe('tgpipe serve survives SIGKILL', () => {
  it('keeps every acknowledged update, once, through enrichment', async () => {
    const env = { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: ALLOWED_CHATS.join(','), CONTEXT_UTC_OFFSET: '-03:00' };
    const headers = { 'x-telegram-bot-api-secret-token': SECRET };
    const acked = new Set<number>();
    const updates = [...fixtures.map((f) => f.body), ...burst];

    let server = await startServe(dir, [], env);
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < updates.length) {
        const body = updates[next++]!;
        if (next === 1500 && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
        try {
          if ((await post(server.url, body, headers, agent)) === 200) acked.add(JSON.parse(body).update_id);
        } catch {
          // connection refused or reset by the kill: not acknowledged, Telegram would retry
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    agent.destroy();
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThan(500);

    // Restart (repairs a torn append) and deliver what was not acknowledged, as Telegram's retries would.
    server = await startServe(dir, [], env);
    const agent2 = new Agent({ keepAlive: true, maxSockets: 20 });
    const missing = updates.filter((b) => !acked.has(JSON.parse(b).update_id));
    await Promise.all(missing.map(async (body) => {
      if ((await post(server.url, body, headers, agent2)) === 200) acked.add(JSON.parse(body).update_id);
    }));
    agent2.destroy();
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(acked.size).toBe(updates.length);

    // Enrich every day present and check: each acknowledged update that belongs to an allowed chat is in its table once.
    const stores = localStores(dir);
    const days = new Set<string>();
    for await (const o of stores.raw.list('telegram/')) days.add(/context_date=([\d-]+)/.exec(o.key)![1]!);
    const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root };
    for (const day of [...days].sort()) await enrichDay(day, deps);
    const engine = await DuckDbEngine.open(dir);
    const rows = await engine.query(`SELECT update_id, count(*) AS n FROM (SELECT update_id FROM telegram UNION ALL SELECT update_id FROM telegram_events) GROUP BY update_id`);
    await engine.close();
    const counts = new Map(rows.map((r) => [Number(r.update_id), Number(r.n)]));
    const stored = updates.map((b) => JSON.parse(b)).filter((u) => {
      const f = fixtures.find((x) => x.update_id === u.update_id);
      return !f || (f.chat_id !== null && ALLOWED_CHATS.includes(f.chat_id));
    });
    for (const u of stored) expect(counts.get(u.update_id), `update ${u.update_id}`).toBe(1);
    expect(counts.size).toBe(stored.length);
    // The secret came from the environment, so none was generated and stored.
    expect(await readFile(join(dir, '.secret')).catch(() => undefined)).toBeUndefined();
  }, 180_000);
});

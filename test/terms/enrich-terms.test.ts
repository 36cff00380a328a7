import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { enrichedDayKey, rawDayPrefix } from '../../schemas';

const DAY = '2026-03-14';
const CHAT = -1001987654321;
let dir: string;
let stores: LocalStores;
const deps = () => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger('enrich'), enrichedLocation: stores.enriched.root });
const date = Date.parse(`${DAY}T15:00:00Z`) / 1000;
const line = (update: object) => {
  const body = JSON.stringify(update);
  return buildEnvelope(body, parseUpdateBody(body), date * 1000, -180).line;
};
const msg = (id: number, user: number, fields: object) => ({ update_id: id, message: { message_id: id, from: { id: user, is_bot: false, first_name: 'U' }, chat: { id: CHAT, type: 'supergroup', title: 'g' }, date, ...fields } });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'terms-'));
  stores = localStores(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('telegram_terms built by the enrichment', () => {
  it('counts the kept messages once (a redelivered update is not counted twice), read back through the local engine', async () => {
    const text = 'Bom dia #Reunião https://t.me/x 👍🏽';
    const entities = [
      { type: 'hashtag', offset: text.indexOf('#'), length: '#Reunião'.length },
      { type: 'url', offset: text.indexOf('https'), length: 'https://t.me/x'.length },
    ];
    const lines = [
      line(msg(1, 7, { text, entities })),
      line(msg(1, 7, { text, entities })), // the same update again: one row, counted once
      line(msg(2, 7, { text: 'bom bom DIA' })),
      line(msg(3, 8, { photo: [{ file_id: 'p', file_unique_id: 'u', width: 1, height: 1 }], caption: 'Привет @Someone_here' })),
      line(msg(4, 8, { sticker: { file_id: 's', file_unique_id: 'v', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } })),
      line({ update_id: 5, edited_message: { ...msg(5, 7, { text: 'edits are not counted', edit_date: date }).message } }),
    ];
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, lines.join(''));
    const summary = await enrichDay(DAY, deps());
    expect(summary.rows).toEqual({ telegram: 4, telegram_events: 1, telegram_terms: 7 });
    const engine = await DuckDbEngine.open(dir, { threads: 1 });
    try {
      const rows = await engine.query(
        `SELECT CAST(chat_id AS varchar) AS chat, user_id, term_kind, term, occurrences, messages, is_stop_word, context_date FROM telegram_terms ORDER BY user_id, term_kind, term`,
      );
      const got = rows.map((r) => [Number(r.user_id), r.term_kind, r.term, Number(r.occurrences), Number(r.messages), r.is_stop_word]);
      expect(got).toEqual([
        [7, 'domain', 't.me', 1, 1, false],
        [7, 'emoji', '👍🏽', 1, 1, false],
        [7, 'hashtag', '#reunião', 1, 1, false],
        [7, 'word', 'bom', 3, 2, true], // stopwords-iso's Portuguese list has "bom",
        [7, 'word', 'dia', 2, 2, true],
        [8, 'mention', '@someone_here', 1, 1, false],
        [8, 'word', 'привет', 1, 1, false],
      ]); // user 8's sticker has no text; user 7's edit is an event, not a message
      expect(new Set(rows.map((r) => r.chat))).toEqual(new Set([String(CHAT)]));
      expect(String(rows[0]!.context_date)).toContain(DAY);
    } finally {
      await engine.close();
    }
  });

  it('is rebuilt with its day; with term counting off the day has no terms file', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, line(msg(1, 7, { text: 'olá mundo' })));
    const key = join(stores.enriched.root, enrichedDayKey('telegram_terms', DAY));
    expect((await enrichDay(DAY, deps())).rows.telegram_terms).toBe(2);
    expect(existsSync(key)).toBe(true);
    expect((await enrichDay(DAY, deps(), { force: true, terms: false })).rows.telegram_terms).toBe(0);
    expect(existsSync(key)).toBe(false);
  });
});

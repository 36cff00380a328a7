import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay, enrichWithLookback, QUARANTINE_LOG_LIMIT } from '../../core/enrich';
import { flattenUpdate } from '../../core/flatten';
import { memoryLogger } from '../../core/log';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import type { ObjectStore } from '../../ports/object-store';
import { enrichedDayKey, glueColumns, manifestKey, quarantineKey, rawDayPrefix, telegramEventsTable, telegramTermsTable, telegramTable } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';

const DAY = '2026-03-14';
const fixtures = loadFixtures();
let dir: string;
let stores: LocalStores;
const deps = () => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger('enrich'), enrichedLocation: stores.enriched.root });
const envelope = (body: string, receivedAt = Date.parse(`${DAY}T15:00:00Z`)) => buildEnvelope(body, parseUpdateBody(body), receivedAt, -180).line;
const message = (id: number, text: string, chat = ALLOWED_CHATS[0]) =>
  JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 1000 + (id % 3), is_bot: false, first_name: `U${id % 3}` }, chat: { id: chat, type: 'supergroup', title: 'g' }, date: Date.parse(`${DAY}T15:00:00Z`) / 1000, text } });
const parquet = (table: string) => join(stores.enriched.root, enrichedDayKey(table, DAY));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enrich-'));
  stores = localStores(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('enrichDay on local folders', () => {
  it('dedupes across gzip and plain objects, envelopes and bare updates; quarantines bad lines; keeps the good ones', async () => {
    const prefix = rawDayPrefix(DAY);
    await stores.raw.write(`${prefix}a.json.gz`, gzipSync([message(1, 'olá 👋🏽 мир'), message(2, 'b'), message(3, 'c')].map((b) => envelope(b)).join('')));
    await stores.raw.write(`${prefix}b.json`, [envelope(message(2, 'b')), message(4, 'bare update'), 'not json {', envelope('garbage body'), '{"no":"update_id"}', ''].join('\n'));
    await stores.raw.write(`${prefix}c.json`, JSON.stringify(JSON.parse(message(5, 'pretty')), null, 2));
    const logger = memoryLogger();
    const s = await enrichDay(DAY, { ...deps(), logger });
    expect(s).toMatchObject({ status: 'built', objects: 3, lines: 9, rows: { telegram: 5, telegram_events: 0 }, duplicates: 1, quarantined: 3 });
    const rows = await duckQuery(`SELECT update_id, text, text_length, received_at FROM read_parquet('${parquet('telegram')}') ORDER BY update_id`);
    expect(rows.map((r) => r.update_id)).toEqual([1n, 2n, 3n, 4n, 5n].map(Number).map((n) => (typeof rows[0]!.update_id === 'bigint' ? BigInt(n) : n)));
    expect(rows[0]!.text).toBe('olá 👋🏽 мир');
    expect(Number(rows[0]!.text_length)).toBe([...'olá 👋🏽 мир'].length);
    expect(rows[3]!.received_at).toBeNull();
    const q = await duckQuery(`SELECT reason, object, line FROM read_json('${join(stores.enriched.root, quarantineKey(DAY))}', format='newline_delimited') ORDER BY line`);
    expect(q.map((r) => r.reason).sort()).toEqual(['not_an_update', 'not_json', 'unparsed_envelope']);
    const summaryLine = logger.lines.find((l) => l.event === 'enrich_day')!;
    expect(summaryLine).toMatchObject({ lines: 9, duplicates: 1, quarantined: 3, EnrichedMessages: 5 });
    expect(JSON.stringify(logger.lines)).not.toContain('bare update');
  });

  it('every fixture: table routing, the Parquet schema equals the Glue columns, values survive', async () => {
    const lines = fixtures.map((f) => envelope(f.body)).join('');
    await stores.raw.write(`${rawDayPrefix(DAY)}all.json`, lines);
    const s = await enrichDay(DAY, deps());
    const messages = fixtures.filter((f) => ['message', 'channel_post', 'business_message'].includes(f.kind));
    // Updates with no chat (poll_answer, inline_query, ...) are dropped as on the webhook, counted by kind.
    const chatless = fixtures.filter((f) => f.chat_id === null);
    expect(chatless.length).toBeGreaterThan(5);
    const byKind: Record<string, number> = {};
    for (const f of chatless) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    expect(s.no_chat).toEqual(byKind);
    expect(s.rows).toEqual({ telegram: messages.length, telegram_events: fixtures.length - messages.length - chatless.length, telegram_terms: expect.any(Number) });
    expect(s.rows.telegram_terms).toBeGreaterThan(0);
    for (const table of [telegramTable, telegramEventsTable, telegramTermsTable]) {
      const described = await duckQuery(`DESCRIBE SELECT * FROM read_parquet('${parquet(table.name)}', hive_partitioning = false)`);
      const duckType: Record<string, string> = { bigint: 'BIGINT', int: 'INTEGER', string: 'VARCHAR', boolean: 'BOOLEAN', double: 'DOUBLE', timestamp: 'TIMESTAMP' };
      expect(described.map((d) => [d.column_name, String(d.column_type).replace(/ WITH TIME ZONE$/, '')])).toEqual(glueColumns(table).map((c) => [c.name, duckType[c.type]]));
    }
    const texts = await duckQuery(`SELECT update_id::VARCHAR AS id, text, chat_id::VARCHAR AS chat FROM read_parquet('${parquet('telegram')}')`);
    for (const f of messages) {
      const got = texts.find((t) => t.id === String(f.update_id))!;
      const m = f.update[f.kind] as { text?: string; chat: { id: number } };
      expect(got.text).toBe(m.text ?? null);
      expect(got.chat).toBe(String(m.chat.id));
    }
  });

  it('every column of every fixture reads back from the Parquet (DuckDB) as flattened', async () => {
    const receivedAt = Date.parse(`${DAY}T15:00:00.250Z`);
    await stores.raw.write(`${rawDayPrefix(DAY)}all.json.gz`, gzipSync(fixtures.map((f) => envelope(f.body, receivedAt)).join('')));
    await enrichDay(DAY, deps());
    const norm = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v === undefined ? null : v);
    for (const table of [telegramTable, telegramEventsTable]) {
      const read = await duckQuery(`SELECT * FROM read_parquet('${parquet(table.name)}', hive_partitioning = false)`);
      const byId = new Map(read.map((r) => [norm(r.update_id), r]));
      const mine = fixtures.filter((f) => f.chat_id !== null).map((f) => flattenUpdate(f.update as never, receivedAt)).filter((r) => r.table === table.name);
      expect(read).toHaveLength(mine.length);
      for (const { row } of mine) {
        const got = byId.get(row.update_id ?? null)!;
        expect(got, `update ${String(row.update_id)}`).toBeDefined();
        for (const c of table.columns) expect(norm(got[c.name]), `${table.name}.${c.name} of update ${String(row.update_id)}`).toEqual(norm(row[c.name]));
      }
    }
  });

  it('an undated bare update (the original bucket layout) takes its event_ts from its object\'s name, else the middle of its folder\'s day', async () => {
    const click = (id: number) => JSON.stringify({ update_id: id, callback_query: { id: `c${id}`, from: { id: 1, is_bot: false, first_name: 'A' }, message: { message_id: 7, date: 1, chat: { id: ALLOWED_CHATS[0], type: 'supergroup' } }, chat_instance: '1', data: 'x' } });
    await stores.raw.write(`${rawDayPrefix(DAY)}TelegramRaw-1-${DAY}-18-30-05-0a1b.gz`, gzipSync(`${click(61)}\n`));
    await stores.raw.write(`${rawDayPrefix(DAY)}update-62.json`, click(62)); // written now: not on DAY
    const s = await enrichDay(DAY, deps());
    expect(s.rows.telegram_events).toBe(2);
    const rows = await duckQuery(`SELECT update_id::INT AS id, epoch_ms(event_ts)::BIGINT AS ts, received_at FROM read_parquet('${parquet('telegram_events')}') ORDER BY id`);
    expect(rows.map((r) => [r.id, Number(r.ts), r.received_at])).toEqual([
      [61, Date.parse(`${DAY}T18:30:05Z`), null],
      [62, Date.parse(`${DAY}T12:00:00Z`), null],
    ]);
  });

  it('logs each quarantined record by reason, object and line (never its text), up to a limit', async () => {
    const bad = Array.from({ length: QUARANTINE_LOG_LIMIT + 5 }, (_, i) => `secret text ${i} {`);
    await stores.raw.write(`${rawDayPrefix(DAY)}bad.json`, [envelope(message(1, 'ok')).trim(), ...bad].join('\n'));
    const logger = memoryLogger();
    const s = await enrichDay(DAY, { ...deps(), logger });
    expect(s).toMatchObject({ lines: bad.length + 1, quarantined: bad.length, rows: { telegram: 1 } });
    const one = logger.lines.filter((l) => l.event === 'quarantined_record');
    expect(one).toHaveLength(QUARANTINE_LOG_LIMIT);
    expect(one[0]).toMatchObject({ object: `${rawDayPrefix(DAY)}bad.json`, line: 2, reason: 'not_json', level: 'warn' });
    expect(logger.lines.find((l) => l.event === 'quarantine')).toMatchObject({ reasons: { not_json: bad.length }, not_logged_one_by_one: 5 });
    expect(JSON.stringify(logger.lines)).not.toContain('secret text');
    const kept = await duckQuery(`SELECT count(*)::INT AS n, min(line)::INT AS first FROM read_json('${join(stores.enriched.root, quarantineKey(DAY))}', format='newline_delimited')`);
    expect(kept[0]).toEqual({ n: bad.length, first: 2 });
  });

  it('keeps records whose envelope names another context_date in the folder\'s day, and says so', async () => {
    const other = buildEnvelope(message(7, 'late'), parseUpdateBody(message(7, 'late')), Date.parse(`${DAY}T15:00:00Z`), -180).line.replace(`"context_date":"${DAY}"`, '"context_date":"2026-03-13"');
    await stores.raw.write(`${rawDayPrefix(DAY)}o.json`, envelope(message(6, 'x')) + other);
    const logger = memoryLogger();
    expect((await enrichDay(DAY, { ...deps(), logger })).rows.telegram).toBe(2);
    expect(logger.lines.find((l) => l.event === 'enrich_day')).toMatchObject({ other_context_date: 1, other_context_dates: { '2026-03-13': 1 } });
  });

  it('reads objects ahead but keeps the listing order: the first copy of a duplicate in key order wins', async () => {
    const prefix = rawDayPrefix(DAY);
    for (const [name, text] of [['a', 'first'], ['b', 'second'], ['c', 'third']]) await stores.raw.write(`${prefix}${name}.json`, envelope(message(30, text!)) + envelope(message(name!.charCodeAt(0), name!)));
    const opened: string[] = [];
    // Later objects answer sooner, as S3 may.
    const slow: ObjectStore = Object.assign(Object.create(stores.raw) as ObjectStore, {
      read: async (key: string) => {
        opened.push(key);
        await new Promise((r) => setTimeout(r, key.endsWith('a.json') ? 60 : key.endsWith('b.json') ? 30 : 0));
        return stores.raw.read(key);
      },
    });
    const s = await enrichDay(DAY, { ...deps(), raw: slow });
    expect(s).toMatchObject({ lines: 6, duplicates: 2, rows: { telegram: 4 } });
    expect(opened).toHaveLength(3);
    const rows = await duckQuery(`SELECT text FROM read_parquet('${parquet('telegram')}') WHERE update_id = 30`);
    expect(rows).toEqual([{ text: 'first' }]);
  });

  it('a read that fails fails the day (naming nothing half-written) and leaves no stream open', async () => {
    const prefix = rawDayPrefix(DAY);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await stores.raw.write(`${prefix}${name}.json`, envelope(message(name.charCodeAt(0), name)));
    const broken: ObjectStore = Object.assign(Object.create(stores.raw) as ObjectStore, {
      read: async (key: string) => {
        if (key.endsWith('b.json')) throw new Error(`GetObject ${key}: AccessDenied`);
        return stores.raw.read(key);
      },
    });
    await expect(enrichDay(DAY, { ...deps(), raw: broken })).rejects.toThrow(/b\.json: AccessDenied/);
    expect(await stores.enriched.readSmall(enrichedDayKey('telegram', DAY))).toBeUndefined();
    expect(await stores.enriched.readSmall(manifestKey(DAY))).toBeUndefined();
  });

  it('a re-run gives the same rows; the look-back rebuilds only changed days; an empty day writes nothing', async () => {
    const prev = '2026-03-13';
    await stores.raw.write(`${rawDayPrefix(prev)}x.json`, envelope(message(10, 'x').replace(`"date":${Date.parse(`${DAY}T15:00:00Z`) / 1000}`, `"date":${Date.parse(`${prev}T15:00:00Z`) / 1000}`)));
    await stores.raw.write(`${rawDayPrefix(DAY)}y.json`, envelope(message(11, 'y')));
    const first = await enrichWithLookback(DAY, 2, deps());
    expect(first.map((s) => s.status)).toEqual(['empty', 'built', 'built']);
    const before = await duckQuery(`SELECT * FROM read_parquet('${parquet('telegram')}')`);
    const again = await enrichWithLookback(DAY, 2, deps());
    expect(again.map((s) => s.status)).toEqual(['empty', 'unchanged', 'unchanged']);
    await stores.raw.write(`${rawDayPrefix(prev)}late.json`, envelope(message(12, 'late')));
    const late = await enrichWithLookback(DAY, 2, deps());
    expect(late.map((s) => s.status)).toEqual(['empty', 'built', 'unchanged']);
    const forced = await enrichDay(DAY, deps(), { force: true });
    expect(forced.status).toBe('built');
    expect(await duckQuery(`SELECT * FROM read_parquet('${parquet('telegram')}')`)).toEqual(before);
    expect(await stores.enriched.readSmall(manifestKey('2026-03-12'))).toBeUndefined();
    expect(await stores.enriched.readSmall(enrichedDayKey('telegram', '2026-03-12'))).toBeUndefined();
  });

  it('a re-run with no events left removes the stale events file', async () => {
    const key = `${rawDayPrefix(DAY)}z.json`;
    const reaction = fixtures.find((f) => f.kind === 'message_reaction')!;
    await stores.raw.write(key, envelope(message(20, 'a')) + envelope(reaction.body));
    expect((await enrichDay(DAY, deps())).rows.telegram_events).toBe(1);
    await stores.raw.write(key, envelope(message(20, 'a')));
    expect((await enrichDay(DAY, deps())).rows.telegram_events).toBe(0);
    expect(await stores.enriched.readSmall(enrichedDayKey('telegram_events', DAY))).toBeUndefined();
  });
});

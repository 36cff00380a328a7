/**
 * A supergroup that was a basic group while the bot was in it: the bot's days hold the old group's
 * messages and both migration messages; the export holds the same old history with shifted ids and never
 * names the old group's id. Through the real CLI (ingest, import, enrich), DuckDB and the dashboard's
 * data: the old history lands under the old id the data folder knows, each message once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { MIGRATED_MESSAGES_ID_SHIFT } from '../../core/export/chat';
import { enrichedDayKey } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { accountExport, chatExport, dated } from '../support/tdesktop-export';

const DAY = '2026-03-16';
const T = Date.parse(`${DAY}T15:00:00Z`) / 1000;
const OLD_ID = -4055000999;
const SUPER_BARE = 1999000222;
const SUPER_ID = -1001999000222;
const S = MIGRATED_MESSAGES_ID_SHIFT;
const plain = (text: string) => ({ text, text_entities: [{ type: 'plain', text }] });

const exported = [
  { id: 1 + S, type: 'service', ...dated(T), actor: 'Ana', actor_id: 'user11', action: 'create_group', title: 'Club', members: ['Ana', 'Bo'], text: '', text_entities: [] },
  { id: 2 + S, type: 'message', ...dated(T + 60), from: 'Bo', from_id: 'user12', ...plain('old group, also live') },
  { id: 3 + S, type: 'message', ...dated(T + 120), from: 'Ana', from_id: 'user11', reply_to_message_id: 2 + S, ...plain('old group, export only') },
  { id: 4 + S, type: 'service', ...dated(T + 180), actor: 'Ana', actor_id: 'user11', action: 'migrate_to_supergroup', text: '', text_entities: [] },
  { id: 1, type: 'service', ...dated(T + 180), actor: 'Ana', actor_id: 'user11', action: 'migrate_from_group', title: 'Club', text: '', text_entities: [] },
  { id: 2, type: 'message', ...dated(T + 240), from: 'Bo', from_id: 'user12', ...plain('supergroup') },
];
const old = { id: OLD_ID, type: 'group', title: 'Club' };
const sg = { id: SUPER_ID, type: 'supergroup', title: 'Club' };
const ana = { id: 11, is_bot: false, first_name: 'Ana' };
const live = [
  { update_id: 7001, message: { message_id: 50, from: { id: 12, is_bot: false, first_name: 'Bo' }, chat: old, date: T + 60, text: 'old group, also live' } },
  { update_id: 7002, message: { message_id: 51, from: ana, chat: old, date: T + 180, migrate_to_chat_id: SUPER_ID } },
  { update_id: 7003, message: { message_id: 1, from: ana, chat: sg, date: T + 180, migrate_from_chat_id: OLD_ID } },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrated-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} as NodeJS.ProcessEnv });
  return { code, out: out.join(''), err: err.join('') };
}

describe('a migrated supergroup exported after the bot saw the migration', () => {
  it('stores the old history under the old group\'s id from the data folder\'s migration messages: each message once, one group in the dashboard', async () => {
    const data = join(dir, 'data');
    const updates = join(dir, 'live.jsonl');
    await writeFile(updates, live.map((u) => JSON.stringify(u)).join('\n'));
    expect((await cli(['ingest', updates, '-d', data, '--all-chats', '--utc-offset', '-03:00', '--enrich'])).code).toBe(0);
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'Club', type: 'public_supergroup', id: SUPER_BARE, messages: exported }));

    const run = await cli(['import', file, '-d', data, '--utc-offset', '-03:00', '--enrich', '-q']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`4 of the migrated basic group ${OLD_ID}, its id found in the data folder's migration messages`);
    expect(run.err).not.toContain('--migrated-from');

    const rows = await duckQuery(`SELECT chat_id, message_id, source, message_kind, text FROM read_parquet('${join(data, 'enriched', enrichedDayKey('telegram', DAY))}') ORDER BY date, source, message_id`);
    expect(rows.map((r) => [Number(r.chat_id), Number(r.message_id), r.source, r.message_kind])).toEqual([
      [OLD_ID, 1 + S, 'export', 'group_chat_created'],
      [OLD_ID, 50, 'bot', 'text'],
      [OLD_ID, 3 + S, 'export', 'text'],
      [SUPER_ID, 1, 'bot', 'migrate_from_chat_id'],
      [OLD_ID, 51, 'bot', 'migrate_to_chat_id'],
      [SUPER_ID, 2, 'export', 'text'],
    ]);

    const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
    const { collectDashboardData } = await import('../../dashboard/build');
    const engine = await DuckDbEngine.open(data, { threads: 1 });
    try {
      const dash = await collectDashboardData(engine, { timeZone: '-03:00' });
      expect(dash.chats.map((c) => [...c.ids].sort())).toEqual([[String(SUPER_ID), String(OLD_ID)].sort()]);
    } finally {
      await engine.close();
    }
  });

  it('--migrated-from still decides; a data folder that knows no migration leaves the history under the supergroup and says so', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'Club', type: 'public_supergroup', id: SUPER_BARE, messages: exported }));
    const given = await cli(['import', file, '-d', join(dir, 'a'), '--utc-offset', '-03:00', '--migrated-from', '-777', '--enrich', '-q']);
    expect(given.out).toContain(`(4 of the migrated basic group -777, ${DAY}..${DAY})`);
    expect((await duckQuery(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'a', 'enriched', enrichedDayKey('telegram', DAY))}') WHERE chat_id = -777`))[0]!.n).toBe(4n);
    const none = await cli(['import', file, '-d', join(dir, 'b'), '--utc-offset', '-03:00', '-q']);
    expect(none.code).toBe(0);
    expect(none.err).toContain('pass --migrated-from');
  });

  it('an account export with two migrated supergroups: --migrated-from goes to the first, the other keeps its history under its own id and is named', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, accountExport([{ name: 'Club', type: 'public_supergroup', id: SUPER_BARE, messages: exported }, { name: 'Other', type: 'private_supergroup', id: 1333000444, messages: exported }]));
    const data = join(dir, 'data');
    const run = await cli(['import', file, '-d', data, '--utc-offset', '-03:00', '--migrated-from', String(OLD_ID), '--enrich', '-q']);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('4 messages of the basic group supergroup -1001333000444 was migrated from are stored under the supergroup\'s id');
    expect(run.err).toContain('--chat -1001333000444 --migrated-from');
    const rows = await duckQuery(`SELECT chat_id, count(*) AS n FROM read_parquet('${join(data, 'enriched', enrichedDayKey('telegram', DAY))}') GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => [Number(r.chat_id), Number(r.n)])).toEqual([
      [SUPER_ID, 2],
      [-1001333000444, 6],
      [OLD_ID, 4],
    ]);
  });
});

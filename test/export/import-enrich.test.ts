import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { importExport } from '../../core/export/import';
import { memoryLogger } from '../../core/log';
import { runImport } from '../../cli/commands/import';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { enrichedDayKey, rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { accountExport, chatExport, dated } from '../support/tdesktop-export';

const OFFSET = -180;
const DAY = '2026-03-14';
// 12:00 at -03:00 on DAY.
const T = Date.parse(`${DAY}T15:00:00Z`) / 1000;
const SUPERGROUP = 1987654321;
const SUPERGROUP_ID = -1001987654321;

let dir: string;
let stores: LocalStores;
const deps = () => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger('enrich'), enrichedLocation: stores.enriched.root });
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} as NodeJS.ProcessEnv } };
};
async function* bytesOf(text: string, chunk = 4096): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
}
const rows = async (sql = 'SELECT * FROM t ORDER BY chat_id, message_id, source', day = DAY) =>
  duckQuery(sql.replace(/\bt\b/, `read_parquet('${join(stores.enriched.root, enrichedDayKey('telegram', day))}')`));

/** A live `message` update as the webhook would store it. */
async function live(key: string, updates: Array<{ update_id: number; message: Record<string, unknown> }>): Promise<void> {
  const lines = updates.map((u) => {
    const body = JSON.stringify(u);
    return buildEnvelope(body, parseUpdateBody(body), (u.message.date as number) * 1000 + 500, OFFSET).line;
  });
  await stores.raw.write(`${rawDayPrefix(DAY)}${key}`, lines.join(''));
}
const liveText = (updateId: number, messageId: number, userId: number, date: number, text: string, chat: Record<string, unknown> = { id: SUPERGROUP_ID, type: 'supergroup', title: 'G' }) => ({
  update_id: updateId,
  message: { message_id: messageId, from: { id: userId, is_bot: false, first_name: `U${userId}` }, chat, date, text },
});

const supergroupMessages = [
  { id: 10, type: 'message', ...dated(T), from: 'Ana', from_id: 'user11', text: 'first', text_entities: [{ type: 'plain', text: 'first' }] },
  { id: 11, type: 'message', ...dated(T + 60), from: 'Bo', from_id: 'user12', text: 'second (also received live)', text_entities: [] },
  { id: 12, type: 'message', ...dated(T + 120), from: 'Ana', from_id: 'user11', reply_to_message_id: 10, text: 'third', text_entities: [] },
];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-'));
  stores = localStores(join(dir, 'data'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('one history: export and live', () => {
  for (const order of ['live object before the export objects', 'live object after the export objects'] as const) {
    it(`a message in both is one row, the live one (${order})`, async () => {
      await importExport(bytesOf(chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages })), stores.raw, { utcOffsetMinutes: OFFSET });
      await live(order.includes('before') ? 'a-live.json' : 'z-live.json', [liveText(900, 11, 12, T + 60, 'second (also received live)'), liveText(901, 13, 12, T + 180, 'fourth, only live')]);
      const s = await enrichDay(DAY, deps());
      expect(s).toMatchObject({ rows: { telegram: 4 }, exported: 3, export_duplicates: 1, duplicates: 1 });
      const r = await rows('SELECT message_id, source, update_id, user_id, reply_to_message_id FROM t ORDER BY message_id');
      expect(r.map((x) => [Number(x.message_id), x.source])).toEqual([
        [10, 'export'],
        [11, 'bot'],
        [12, 'export'],
        [13, 'bot'],
      ]);
      expect(Number(r[2]!.reply_to_message_id)).toBe(10);
      expect(r[0]!.update_id).toBeNull();
    });
  }

  it('the live message wins also when it arrives after the import was built; the day is rebuilt with one row', async () => {
    await importExport(bytesOf(chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages })), stores.raw, { utcOffsetMinutes: OFFSET });
    expect((await enrichDay(DAY, deps())).rows.telegram).toBe(3);
    await live('live.json', [liveText(900, 11, 12, T + 60, 'second (also received live)')]);
    const s = await enrichDay(DAY, deps());
    expect(s).toMatchObject({ status: 'built', rows: { telegram: 3 }, export_duplicates: 1 });
    expect((await rows('SELECT source FROM t WHERE message_id = 11')).map((x) => x.source)).toEqual(['bot']);
  });

  it('re-importing the same file writes nothing and the day stays unchanged; a second copy of the file under another name counts once', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages }));
    const first = io();
    expect(await runImport({ files: [file], data: stores.dataDir, enrich: true, utcOffset: '-03:00' }, first.io)).toBe(0);
    const before = await rows();
    const listing = async () => {
      const keys: string[] = [];
      for await (const o of stores.raw.list('telegram/')) keys.push(`${o.key} ${o.etag}`);
      return keys;
    };
    const rawBefore = await listing();
    const again = io();
    expect(await runImport({ files: [file], data: stores.dataDir, enrich: true, utcOffset: '-03:00' }, again.io)).toBe(0);
    expect(again.out.join('')).toContain('1 of them already there, unchanged');
    expect(again.out.join('')).toMatch(/2026-03-14 unchanged/);
    expect(await listing()).toEqual(rawBefore);
    expect(await rows()).toEqual(before);
    // The same history in another export (a later, longer one) adds only what is new.
    const longer = join(dir, 'later.json');
    await writeFile(longer, chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: [...supergroupMessages, { id: 14, type: 'message', ...dated(T + 240), from: 'Bo', from_id: 'user12', text: 'new', text_entities: [] }] }));
    expect(await runImport({ files: [longer], data: stores.dataDir, enrich: true, utcOffset: '-03:00' }, io().io)).toBe(0);
    expect((await rows('SELECT message_id FROM t ORDER BY 1')).map((x) => Number(x.message_id))).toEqual([10, 11, 12, 14]);
  });

  it('basic group: export ids are the account\'s own, stored shifted; a live message matches by chat, sender, second and kind', async () => {
    const messages = [
      { id: 1, type: 'service', ...dated(T), actor: 'Ana', actor_id: 'user11', action: 'create_group', title: 'Small', members: ['Ana', 'Bo'] },
      { id: 2, type: 'message', ...dated(T + 60), from: 'Bo', from_id: 'user12', text: 'hi', text_entities: [] },
      { id: 3, type: 'message', ...dated(T + 120), from: 'Bo', from_id: 'user12', photo: 'p1.jpg', width: 1, height: 1, text: '', text_entities: [] },
      { id: 4, type: 'message', ...dated(T + 120), from: 'Bo', from_id: 'user12', photo: 'p2.jpg', width: 1, height: 1, text: '', text_entities: [] },
      { id: 5, type: 'message', ...dated(T + 180), from: 'Ana', from_id: 'user11', reply_to_message_id: 2, text: 'reply', text_entities: [] },
    ];
    await importExport(bytesOf(chatExport({ name: 'Small', type: 'private_group', id: 4055512345, messages })), stores.raw, { utcOffsetMinutes: OFFSET });
    const chat = { id: -4055512345, type: 'group', title: 'Small' };
    // The bot's own ids differ: it saw "hi" and one photo of the album.
    await live('live.json', [
      liveText(900, 77, 12, T + 60, 'hi', chat),
      { update_id: 901, message: { message_id: 78, from: { id: 12, is_bot: false, first_name: 'Bo' }, chat, date: T + 120, photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }] } },
    ]);
    const s = await enrichDay(DAY, deps());
    expect(s).toMatchObject({ rows: { telegram: 5 }, exported: 5, export_duplicates: 2 });
    const r = await rows('SELECT message_id, source, message_kind, reply_to_message_id, chat_type FROM t ORDER BY source, message_id');
    expect(r.map((x) => [Number(x.message_id), x.source, x.message_kind])).toEqual([
      [77, 'bot', 'text'],
      [78, 'bot', 'photo'],
      [-999999999, 'export', 'group_chat_created'],
      [-999999996, 'export', 'photo'],
      [-999999995, 'export', 'text'],
    ]);
    expect(Number(r[4]!.reply_to_message_id)).toBe(-999999998);
    expect(r.every((x) => x.chat_type === 'group')).toBe(true);
  });

  it('a supergroup migrated from a basic group: the old history goes to the old chat id given, and the migration links them', async () => {
    const messages = [
      { id: 5 - 1_000_000_000, type: 'message', ...dated(T), from: 'Ana', from_id: 'user11', text: 'in the old group', text_entities: [] },
      { id: 6 - 1_000_000_000, type: 'service', ...dated(T + 10), actor: 'Ana', actor_id: 'user11', action: 'migrate_to_supergroup' },
      { id: 1, type: 'service', ...dated(T + 10), actor: 'Ana', actor_id: 'user11', action: 'migrate_from_group', title: 'G' },
      { id: 2, type: 'message', ...dated(T + 20), from: 'Ana', from_id: 'user11', reply_to_message_id: 5 - 1_000_000_000, reply_to_peer_id: 'chat4055512345', text: 'in the supergroup', text_entities: [] },
    ];
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages }));
    const run = io();
    expect(await runImport({ files: [file], data: stores.dataDir, enrich: true, migratedFrom: '-4055512345', utcOffset: '-03:00' }, run.io)).toBe(0);
    expect(run.out.join('')).toContain('2 of the migrated basic group');
    const r = await rows('SELECT chat_id, chat_type, message_id, message_kind, migrate_to_chat_id, migrate_from_chat_id FROM t ORDER BY date, message_id');
    expect(r.map((x) => [Number(x.chat_id), x.chat_type, Number(x.message_id), x.message_kind])).toEqual([
      [-4055512345, 'group', -999999995, 'text'],
      [-4055512345, 'group', -999999994, 'migrate_to_chat_id'],
      [SUPERGROUP_ID, 'supergroup', 1, 'migrate_from_chat_id'],
      [SUPERGROUP_ID, 'supergroup', 2, 'text'],
    ]);
    expect(Number(r[1]!.migrate_to_chat_id)).toBe(SUPERGROUP_ID);
    expect(Number(r[2]!.migrate_from_chat_id)).toBe(-4055512345);
    // Without the old id: kept under the supergroup's id, with a note on how to place them.
    const other = io();
    await rm(stores.dataDir, { recursive: true, force: true });
    expect(await runImport({ files: [file], data: stores.dataDir, utcOffset: '-03:00' }, other.io)).toBe(0);
    expect(other.err.join('')).toContain('--migrated-from');
  });
});

describe('tgpipe import (runImport)', () => {
  it('an account export: groups and channels by default (also left ones), private chats only with --all-chats; prints the days to build', async () => {
    const file = join(dir, 'result.json');
    const later = T + 3 * 86400;
    await writeFile(
      file,
      accountExport(
        [
          { name: 'G', type: 'public_supergroup', id: SUPERGROUP, messages: supergroupMessages },
          { name: 'Friend', type: 'personal_chat', id: 55, messages: [{ id: 1, type: 'message', ...dated(T), from: 'F', from_id: 'user55', text: 'private', text_entities: [] }] },
        ],
        [{ name: 'News', type: 'public_channel', id: 777, messages: [{ id: 9, type: 'message', ...dated(later), from: 'News', from_id: 'channel777', author: 'Editor', text: 'post', text_entities: [] }] }],
      ),
    );
    const run = io();
    expect(await runImport({ files: [file], data: stores.dataDir, utcOffset: '-03:00' }, run.io)).toBe(0);
    const out = run.out.join('');
    expect(out).toContain('5 messages in 3 chats, 4 records');
    expect(out).toContain('chat 55 private "Friend": 1 messages, not imported');
    expect(out).toContain('chat -1000000000777 channel "News" (left): 1 messages, 1 records');
    expect(out).toContain('tgpipe enrich --data');
    expect(out).toMatch(/--from 2026-03-14 --to 2026-03-14\n.*--from 2026-03-17 --to 2026-03-17/);
    await enrichDay('2026-03-17', deps());
    const post = await rows('SELECT user_id, sender_chat_id, chat_type, update_kind, author_signature, source FROM t', '2026-03-17');
    expect(post).toEqual([{ user_id: null, sender_chat_id: -1000000000777n, chat_type: 'channel', update_kind: 'channel_post', author_signature: 'Editor', source: 'export' }]);
    const all = io();
    await runImport({ files: [file], data: stores.dataDir, allChats: true, utcOffset: '-03:00' }, all.io);
    expect(all.out.join('')).toContain('chat 55 private "Friend": 1 messages, 1 records');
    const only = io();
    await runImport({ files: [file], data: stores.dataDir, chat: '-1000000000777', utcOffset: '-03:00' }, only.io);
    expect(only.out.join('')).toContain('chat -1001987654321 supergroup "G": 3 messages, not imported');
  });

  it('a truncated file: what was read is stored, the damage is named, exit 1', async () => {
    const text = chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages });
    const cut = text.indexOf('"third"') + 3;
    const file = join(dir, 'result.json');
    await writeFile(file, text.slice(0, cut));
    const run = io();
    expect(await runImport({ files: [file], data: stores.dataDir, enrich: true, utcOffset: '-03:00' }, run.io)).toBe(1);
    expect(run.err.join(''), run.err.join('')).toMatch(new RegExp(`damaged: the file ends inside a string begun at byte \\d+: truncated at byte ${Buffer.byteLength(text.slice(0, cut))} \\(line ${text.slice(0, cut).split('\n').length}, column \\d+\\); the 2 records before it are stored`));
    expect((await rows('SELECT message_id FROM t ORDER BY 1')).map((x) => Number(x.message_id))).toEqual([10, 11]);
  });

  it('reads a .zip of the export folder, and the folder itself', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const text = chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages });
    const zip = join(dir, 'export.zip');
    await writeFile(zip, zipSync({ 'ChatExport_2026-03-20/result.json': strToU8(text), 'ChatExport_2026-03-20/photos/p.jpg': new Uint8Array([1, 2, 3]) }));
    const run = io();
    expect(await runImport({ files: [zip], data: stores.dataDir, utcOffset: '-03:00' }, run.io)).toBe(0);
    expect(run.out.join('')).toContain('export.zip:ChatExport_2026-03-20/result.json: 3 messages in 1 chats, 3 records');
    await writeFile(join(dir, 'result.json'), text);
    const folder = io();
    expect(await runImport({ files: [dir], data: stores.dataDir, utcOffset: '-03:00' }, folder.io)).toBe(0);
    expect(folder.out.join('')).toContain('1 of them already there, unchanged');
    const missing = io();
    expect(await runImport({ files: [join(dir, 'nope.json')], data: stores.dataDir }, missing.io)).toBe(1);
    expect(missing.err.join('')).toContain('no such file');
    expect(await readFile(zip)).toBeTruthy();
  });
});

describe('tgpipe import on the command line', () => {
  it('is registered: --help lists it, it runs and its exit code is the import\'s', async () => {
    const { main } = await import('../../cli/main');
    const help = io();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out.join('')).toMatch(/import .*Telegram Desktop/);
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'G', type: 'private_supergroup', id: SUPERGROUP, messages: supergroupMessages }));
    const run = io();
    expect(await main(['import', file, '-d', stores.dataDir, '--utc-offset', '-03:00', '--enrich'], run.io)).toBe(0);
    expect(run.out.join('')).toContain('3 records stored in 1 objects');
    expect((await rows('SELECT count(*) AS n FROM t'))[0]!.n).toBe(3n);
    const bad = io();
    expect(await main(['import', file, '-d', stores.dataDir, '--target', 'aws'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('--bucket');
  });
});

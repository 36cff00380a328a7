/**
 * A forum supergroup's export through `tgpipe import --enrich`, DuckDB and the dashboard's data: its
 * topics come out as the live path has them (the export says which topic a message is in only by
 * replying to the topic's root, and nothing says the chat is a forum but its topic_created messages).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { ChatNormaliser, THREAD_MEMORY } from '../../core/export/normalise';
import { enrichedDayKey } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { chatExport, dated } from '../support/tdesktop-export';

const DAY = '2026-03-14';
const T = Date.parse(`${DAY}T15:00:00Z`) / 1000;
const BARE = 1555000111;
const CHAT_ID = -1001555000111;
const plain = (text: string) => ({ text, text_entities: [{ type: 'plain', text }] });
const msg = (id: number, at: number, fields: Record<string, unknown>) => ({ id, type: 'message', ...dated(T + at), from: 'Ana', from_id: 'user11', ...fields });
const service = (id: number, at: number, action: string, fields: Record<string, unknown> = {}) => ({ id, type: 'service', ...dated(T + at), actor: 'Ana', actor_id: 'user11', action, ...fields, text: '', text_entities: [] });

// Before the chat became a forum, a topic, a topic message, a reply to it, a reply to that reply, a
// message in General (no reply: not in a topic), a reply to a General message, a second topic.
const messages = [
  msg(1, 0, plain('before topics')),
  service(2, 60, 'topic_created', { title: 'Ideas' }),
  msg(3, 120, { reply_to_message_id: 2, ...plain('in Ideas') }),
  msg(4, 180, { from: 'Bo', from_id: 'user12', reply_to_message_id: 3, ...plain('reply in Ideas') }),
  msg(5, 240, { reply_to_message_id: 4, ...plain('reply to the reply') }),
  msg(6, 300, plain('in General')),
  msg(7, 360, { reply_to_message_id: 6, ...plain('reply in General') }),
  service(8, 420, 'topic_created', { title: 'Trips' }),
  msg(9, 480, { reply_to_message_id: 8, ...plain('in Trips') }),
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forum-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const io = () => {
  const out: string[] = [];
  return { out, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: {} as NodeJS.ProcessEnv } };
};

describe('a forum supergroup exported', () => {
  it('has its topics as live: roots and replies in a topic carry the thread, the chat is a forum from its first topic on, the dashboard lists the topics', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'Forum', type: 'public_supergroup', id: BARE, messages }));
    const data = join(dir, 'data');
    const run = io();
    expect(await main(['import', file, '-d', data, '--utc-offset', '-03:00', '--enrich', '-q'], run.io), run.out.join('')).toBe(0);
    const rows = await duckQuery(
      `SELECT message_id, message_kind, chat_is_forum, is_reply, reply_to_message_id, message_thread_id, is_topic_message, forum_topic_name
       FROM read_parquet('${join(data, 'enriched', enrichedDayKey('telegram', DAY))}') ORDER BY message_id`,
    );
    const n = (v: unknown) => (v === null ? null : Number(v));
    expect(rows.map((r) => [Number(r.message_id), r.chat_is_forum, r.is_reply, n(r.reply_to_message_id), n(r.message_thread_id), r.is_topic_message])).toEqual([
      [1, null, false, null, null, null],
      [2, true, false, null, 2, true],
      [3, true, false, null, 2, true],
      [4, true, true, 3, 2, true],
      [5, true, true, 4, 2, true],
      [6, true, false, null, null, null],
      [7, true, true, 6, null, null],
      [8, true, false, null, 8, true],
      [9, true, false, null, 8, true],
    ]);
    expect(rows.filter((r) => r.message_kind === 'forum_topic_created').map((r) => r.forum_topic_name)).toEqual(['Ideas', 'Trips']);

    const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
    const { collectDashboardData } = await import('../../dashboard/build');
    const engine = await DuckDbEngine.open(data, { threads: 1 });
    try {
      const dash = await collectDashboardData(engine, { timeZone: '-03:00' });
      expect(dash.chats).toEqual([expect.objectContaining({ ids: [String(CHAT_ID)], forum: true })]);
      expect(dash.topics.map((t) => [t.thread, t.name]).sort()).toEqual([
        ['', null],
        ['2', 'Ideas'],
        ['8', 'Trips'],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('remembers a bounded number of topic messages: a reply to one forgotten is a reply outside any topic', () => {
    const normaliser = new ChatNormaliser({ index: 0, section: 'root', name: 'F', type: 'public_supergroup', id: BARE });
    normaliser.push(service(1, 0, 'topic_created', { title: 'A' }));
    for (let id = 2; id <= THREAD_MEMORY + 2; id += 1) normaliser.push({ id, type: 'message', date_unixtime: String(T), reply_to_message_id: 1, text: '' });
    const [oldest] = normaliser.push({ id: THREAD_MEMORY + 3, type: 'message', date_unixtime: String(T), reply_to_message_id: 2, text: '' });
    const [recent] = normaliser.push({ id: THREAD_MEMORY + 4, type: 'message', date_unixtime: String(T), reply_to_message_id: THREAD_MEMORY + 2, text: '' });
    expect(oldest!.message).toMatchObject({ reply_to_message_id: 2 });
    expect(oldest!.message.message_thread_id).toBeUndefined();
    expect(recent!.message).toMatchObject({ reply_to_message_id: THREAD_MEMORY + 2, message_thread_id: 1, is_topic_message: true });
  });
});

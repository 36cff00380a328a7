/**
 * An export's reactions reach the dashboard (Reactions: which, who gets them, most reacted messages) as
 * anonymous counts on the message's day, and a later live count of the same message adds only its
 * increase; its recent reactors are who reacted. Through the real CLI (import, ingest, enrich) and the
 * dashboard's data.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { chatExport, dated } from '../support/tdesktop-export';

const DAY = '2026-03-14';
const T = Date.parse(`${DAY}T15:00:00Z`) / 1000;
const BARE = 1555000111;
const CHAT_ID = -1001555000111;
const plain = (text: string) => ({ text, text_entities: [{ type: 'plain', text }] });
const messages = [
  { id: 10, type: 'message', ...dated(T), from: 'Ana', from_id: 'user11', ...plain('liked'), reactions: [{ type: 'emoji', count: 3, emoji: '👍', recent: [{ from: 'Bo', from_id: 'user12', date: dated(T + 60).date }] }, { type: 'paid', count: 2 }] },
  { id: 11, type: 'message', ...dated(T + 60), from: 'Bo', from_id: 'user12', ...plain('less liked'), reactions: [{ type: 'custom_emoji', count: 1, document_id: '5368', recent: [{ from: 'Ana', from_id: 'user11', date: dated(T + 120).date }] }] },
  { id: 12, type: 'message', ...dated(T + 120), from: 'Bo', from_id: 'user12', ...plain('no reactions') },
];
// Later the bot (an admin) gets the anonymous count of message 10: two more thumbs.
const liveCount = { update_id: 9001, message_reaction_count: { chat: { id: CHAT_ID, type: 'supergroup', title: 'G' }, message_id: 10, date: T + 3600, reactions: [{ type: { type: 'emoji', emoji: '👍' }, total_count: 5 }, { type: { type: 'paid' }, total_count: 2 }] } };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'export-reactions-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<number> {
  const err: string[] = [];
  const code = await main(args, { stdout: () => {}, stderr: (s) => err.push(s), env: {} as NodeJS.ProcessEnv });
  if (code !== 0) throw new Error(`${args[0]}: exit ${code}: ${err.join('')}`);
  return code;
}

async function dashboard(data: string) {
  const { DuckDbEngine } = await import('../../adapters/local/duckdb-engine');
  const { collectDashboardData } = await import('../../dashboard/build');
  const engine = await DuckDbEngine.open(data, { threads: 1 });
  try {
    return await collectDashboardData(engine, { timeZone: '-03:00' });
  } finally {
    await engine.close();
  }
}

/** Reactions per emoji, and per member who got them, summed over the cube. */
function sums(d: Awaited<ReturnType<typeof dashboard>>) {
  const byEmoji: Record<string, number> = {};
  d.reactions.emoji.forEach((e, i) => (byEmoji[d.emoji[e]!] = (byEmoji[d.emoji[e]!] ?? 0) + d.reactions.reactions[i]!));
  const byMember: Record<string, number> = {};
  d.reactionsIn.member.forEach((m, i) => (byMember[d.members[m]!.id] = (byMember[d.members[m]!.id] ?? 0) + d.reactionsIn.reactions[i]!));
  const byReactor: Record<string, number> = {};
  d.reactionsOut.member.forEach((m, i) => (byReactor[d.members[m]!.id] = (byReactor[d.members[m]!.id] ?? 0) + d.reactionsOut.reactions[i]!));
  return { byEmoji, byMember, byReactor, top: d.topMessages.map((t) => [t.messageId, t.reactions]) };
}

describe("an export's reactions in the dashboard", () => {
  it('count on the message\'s day, per reaction and per author; a live count later adds its increase only', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, chatExport({ name: 'G', type: 'private_supergroup', id: BARE, messages }));
    const data = join(dir, 'data');
    await cli(['import', file, '-d', data, '--utc-offset', '-03:00', '--enrich', '-q']);
    expect(sums(await dashboard(data))).toEqual({
      byEmoji: { '👍': 3, paid: 2, 'custom:5368': 1 },
      byMember: { '11': 5, '12': 1 },
      byReactor: { '12': 1, '11': 1 },
      top: [
        ['10', 5],
        ['11', 1],
      ],
    });

    const updates = join(dir, 'live.json');
    await writeFile(updates, JSON.stringify(liveCount));
    await cli(['ingest', updates, '-d', data, '--all-chats', '--utc-offset', '-03:00', '--enrich']);
    expect(sums(await dashboard(data))).toEqual({
      byEmoji: { '👍': 5, paid: 2, 'custom:5368': 1 },
      byMember: { '11': 7, '12': 1 },
      byReactor: { '12': 1, '11': 1 },
      top: [
        ['10', 7],
        ['11', 1],
      ],
    });
  });
});

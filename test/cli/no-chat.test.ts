/**
 * Updates with no chat (poll_answer, inline_query, a callback query on an inline message, payments, ...)
 * are dropped the same way by `tgpipe ingest` and by the enrichment of the original bucket layout, and
 * every one is named by kind: in ingest's line, in the enrichment's day line and in `tgpipe chats`.
 * The fixtures are the project's Bot API set (test/fixtures/updates).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { rawDayPrefix } from '../../schemas';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';

const run = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TELEGRAM_WEBHOOK_SECRET: 'test_secret' } });
  return { code, stdout, stderr };
};

const fixtures = loadFixtures();
const chatless = fixtures.filter((f) => f.chat_id === null);
const byKind = new Map<string, number>();
for (const f of chatless) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);

/** Every `kind n` of the parenthesis after `prefix`, as a map. */
function namedCounts(text: string, prefix: RegExp): Map<string, number> {
  const m = new RegExp(`${prefix.source}\\(([^)]*)\\)`).exec(text);
  expect(m, `${prefix} in ${text}`).not.toBeNull();
  return new Map(m![1]!.split(', ').map((part) => [part.split(' ')[0]!, Number(part.split(' ')[1])]));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'no-chat-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('updates with no chat', () => {
  it('the fixtures hold every chatless kind the Bot API has, poll_answer twice (a user, a chat voting)', () => {
    expect(byKind.get('poll_answer')).toBe(2);
    for (const kind of ['inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query', 'purchased_paid_media']) expect(byKind.has(kind), kind).toBe(true);
  });

  it('tgpipe ingest drops them, names them by kind, and tgpipe chats lists them', async () => {
    const file = join(dir, 'all.jsonl');
    await writeFile(file, fixtures.map((f) => `${f.body}\n`).join(''));
    const data = join(dir, 'ingest');
    const r = await run('ingest', file, '--allowed-chat-ids', ALLOWED_CHATS.join(','), '--data', data);
    // (fixture 43 migrates a group: logged as an error for the operator, not a failure)
    expect(r.stderr).not.toMatch(/rejected|not stored/);
    expect(r.code).toBe(0);
    const kept = fixtures.filter((f) => f.chat_id !== null && ALLOWED_CHATS.includes(f.chat_id)).length;
    const other = fixtures.length - kept - chatless.length;
    expect(r.stdout).toContain(`accepted ${kept}, ignored ${other}, dropped ${chatless.length} with no chat (`);
    expect(namedCounts(r.stdout, /with no chat /)).toEqual(byKind);

    const json = await run('chats', '--data', data, '--allowed-chat-ids', ALLOWED_CHATS.join(','), '-f', 'json');
    expect(json.code).toBe(0);
    expect(new Map(Object.entries(JSON.parse(json.stdout).no_chat))).toEqual(byKind);
    const table = await run('chats', '--data', data, '--allowed-chat-ids', ALLOWED_CHATS.join(','));
    expect(table.stdout).toContain(`no chat: ${chatless.length} update(s) dropped on arrival`);
    expect(namedCounts(table.stdout, /dropped on arrival, not a group's data /)).toEqual(byKind);
  });

  it('the enrichment of the original bucket layout (bare updates) drops the same ones, and an unchanged day still says what it holds', async () => {
    const data = join(dir, 'original');
    const day = '2026-03-14';
    const folder = join(data, 'raw', rawDayPrefix(day));
    await mkdir(folder, { recursive: true });
    // One bare update per object, as the original pipeline wrote them.
    for (const f of fixtures) await writeFile(join(folder, `${f.update_id}.json`), JSON.stringify(f.update, null, 2));
    const first = await run('enrich', '--date', day, '--data', data);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${day} built +objects=${fixtures.length} lines=${fixtures.length} `, 'm'));
    const dayLine = first.stdout.split('\n').find((l) => l.startsWith(day))!;
    expect(dayLine).toContain(`no_chat=${chatless.length} (`);
    expect(namedCounts(dayLine, /no_chat=\d+ /)).toEqual(byKind);
    expect(first.stdout).toContain(`, dropped ${chatless.length} with no chat (`);
    const telegram = Number(/ telegram=(\d+)/.exec(dayLine)![1]);
    const events = Number(/ events=(\d+)/.exec(dayLine)![1]);
    expect(telegram + events).toBe(fixtures.length - chatless.length);

    // Nothing changed: the day's line repeats what its build counted, not lines=0 telegram=0.
    const again = await run('enrich', '--date', day, '--data', data);
    const againLine = again.stdout.split('\n').find((l) => l.startsWith(day))!;
    expect(againLine).toMatch(new RegExp(`^${day} unchanged +objects=${fixtures.length} lines=${fixtures.length} telegram=${telegram} events=${events} `));
    expect(againLine).toContain(`no_chat=${chatless.length} (`);

    const chats = await run('chats', '--data', data, '-f', 'json');
    expect(new Map(Object.entries(JSON.parse(chats.stdout).no_chat_in_raw))).toEqual(byKind);
  });
});

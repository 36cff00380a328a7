/** `tgpipe chats` names the chat of a dropped update; serve refuses a busy port and a locked folder before writing anything. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { emptyRegistry, mergeRegistries, tallyResult } from '../../core/chat-registry';
import { DataFolderLockedError, lockDataFolder } from '../../local/serve-lock';

const run = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TELEGRAM_WEBHOOK_SECRET: 'test_secret' } });
  return { code, stdout, stderr };
};

const msg = (id: number, chat: object) => ({ update_id: id, message: { message_id: id, from: { id: 9, is_bot: false, first_name: 'Bia' }, chat, date: 1777000000 + id, text: 'oi' } });

describe('tgpipe chats', () => {
  it('lists stored and dropped chats with title, type and counts, and counts no-chat updates by kind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chats-'));
    const data = join(dir, 'data');
    const file = join(dir, 'u.json');
    await writeFile(
      file,
      JSON.stringify([
        msg(1, { id: -100111, type: 'supergroup', title: 'Kept group' }),
        msg(2, { id: -100222, type: 'supergroup', title: 'Other group' }),
        msg(3, { id: -100222, type: 'supergroup', title: 'Other group' }),
        msg(4, { id: 9, type: 'private', first_name: 'Bia' }),
        { update_id: 5, inline_query: { id: 'q', from: { id: 9, is_bot: false, first_name: 'Bia' }, query: 'x', offset: '' } },
      ]),
    );
    expect((await run('ingest', file, '--allowed-chat-ids', '-100111', '--enrich', '--data', data)).code).toBe(0);
    const r = await run('chats', '--data', data, '--allowed-chat-ids', '-100111', '-f', 'json');
    expect(r.code).toBe(0);
    const { chats, no_chat } = JSON.parse(r.stdout);
    const byId = Object.fromEntries(chats.map((c: { chat_id: number }) => [c.chat_id, c]));
    expect(byId[-100111]).toMatchObject({ type: 'supergroup', title: 'Kept group', allowed: true, stored: 1, dropped: 0, messages: 1 });
    expect(byId[-100222]).toMatchObject({ type: 'supergroup', title: 'Other group', allowed: false, stored: 0, dropped: 2, messages: null });
    expect(byId[9]).toMatchObject({ type: 'private', title: null, dropped: 1 });
    // Ingested history is seen when it happened (the messages' dates), not when it was ingested.
    const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    expect(byId[-100222]).toMatchObject({ first_seen: iso(1777000002), last_seen: iso(1777000003) });
    expect(byId[-100111]).toMatchObject({ first_seen: iso(1777000001), last_seen: iso(1777000001) });
    expect(no_chat).toEqual({ inline_query: 1 });
    const table = await run('chats', '--data', data, '--allowed-chat-ids', '-100111');
    expect(table.stdout).toMatch(/-100222 \| supergroup \| Other group/);
    expect(table.stdout).toContain('add its id to ALLOWED_CHAT_IDS (or --allowed-chat-ids): 9,-100222');
  });

  it('a data folder that does not exist is an error that says how to get data', async () => {
    const r = await run('chats', '--data', join(tmpdir(), 'no-such-folder-xyz'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no data folder at .*no-such-folder-xyz.*tgpipe serve/);
  });

  it('merges registries: counts add up, the latest title wins', () => {
    const a = emptyRegistry();
    tallyResult(a, { status: 200, body: '', outcome: 'stored', chatId: -1, chatType: 'group', chatTitle: 'Old' }, 1000);
    const b = emptyRegistry();
    tallyResult(b, { status: 200, body: '', outcome: 'dropped_chat_not_allowed', chatId: -1, chatType: 'group', chatTitle: 'New' }, 2000);
    tallyResult(b, { status: 503, body: '', outcome: 'sink_failed', chatId: -1 }, 3000);
    expect(mergeRegistries(a, b).chats['-1']).toEqual({ id: -1, type: 'group', title: 'New', firstSeen: 1000, lastSeen: 2000, stored: 1, dropped: 1 });
  });
});

describe('tgpipe serve start-up checks', () => {
  it('refuses a busy port with the --port hint, before writing the secret', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const data = join(await mkdtemp(join(tmpdir(), 'busy-')), 'data');
    try {
      const r = await main(['serve', '--data', data, '--port', String(port), '--no-timer'], { stdout: () => {}, stderr: (t) => (err += t), env: {} });
      expect(r).toBe(1);
      expect(err).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(err).toContain('--port');
      expect(existsSync(join(data, '.secret'))).toBe(false);
    } finally {
      blocker.close();
    }
  });
  let err = '';

  it('one server per data folder: a live holder is named by PID, a stale lock is taken over', async () => {
    const data = await mkdtemp(join(tmpdir(), 'lock-'));
    const held = lockDataFolder(data);
    expect(existsSync(join(data, '.serve.lock'))).toBe(true);
    held.release();
    // Another live process holds it.
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(join(data, '.serve.lock'), `${other.pid}\n`);
      expect(() => lockDataFolder(data)).toThrow(DataFolderLockedError);
      expect(() => lockDataFolder(data)).toThrow(`another tgpipe serve (PID ${other.pid}) is running on ${data}`);
    } finally {
      other.kill();
    }
    await mkdir(data, { recursive: true });
    await writeFile(join(data, '.serve.lock'), '999999999\n');
    const taken = lockDataFolder(data);
    expect(taken.staleFrom).toBe(999999999);
    taken.release();
    expect(existsSync(join(data, '.serve.lock'))).toBe(false);
  });
});

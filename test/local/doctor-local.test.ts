/**
 * `tgpipe doctor --data DIR` on real folders built by the CLI itself (ingest, enrich), a real stale lock
 * (the PID of a process that has exited), and Telegram played by an HTTP server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
let dir: string;
let server: Server;
let base: string;
let webhook: Record<string, unknown> = { url: '', has_custom_certificate: false, pending_update_count: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tgpipe-doctor-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/bot${TOKEN}/getWebhookInfo`) res.end(JSON.stringify({ ok: true, result: webhook }));
      else {
        res.statusCode = 401;
        res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CONTEXT_UTC_OFFSET: '-03:00', TELEGRAM_API_BASE: base, ...env } });
  return { code, stdout, stderr };
};
const line = (out: string, title: string) => out.split('\n').find((l) => l.slice(2).startsWith(title)) ?? `(no line for ${title})`;

const chat = { id: -1005550001, type: 'supergroup', title: 'Grupo' };
const msg = (id: number, iso: string) => ({ update_id: id, message: { message_id: id, from: { id: 7, is_bot: false, first_name: 'Ana' }, chat, date: Date.parse(iso) / 1000, text: `olá ${id}` } });

/** The PID of a process that has exited: a lock naming it is stale. */
const deadPid = () =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });

describe('tgpipe doctor --data', () => {
  it('a folder that does not exist: one cross saying how to get data, exit 1', async () => {
    const r = await run(['doctor', '--data', join(dir, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ data folder: ${join(dir, 'nope')} does not exist`);
    expect(r.stdout).toMatch(/fix: tgpipe serve/);
  });

  it('raw days not built, then built, then changed; the stale lock; the secret mode', async () => {
    const data = join(dir, 'd1');
    const file = join(dir, 'updates.json');
    await writeFile(file, JSON.stringify([msg(1, '2026-11-20T15:00:00Z'), msg(2, '2026-11-21T15:00:00Z'), msg(3, '2026-11-21T16:00:00Z')]));
    expect((await run(['ingest', file, '--all-chats', '--data', data])).code).toBe(0);
    await writeFile(join(data, '.secret'), 'Abc_123-xyz\n', { mode: 0o644 });
    await chmod(join(data, '.secret'), 0o644);
    const pid = await deadPid();
    await writeFile(join(data, '.serve.lock'), `${pid}\n`);

    const before = await run(['doctor', '--data', data]);
    expect(before.code).toBe(1);
    expect(line(before.stdout, 'raw days')).toMatch(/^✓ raw days: 2 days \(2026-11-20 \.\. 2026-11-21\)/);
    expect(line(before.stdout, 'enriched days')).toBe('✗ enriched days: 2 of 2 raw days not (re)built');
    expect(before.stdout).toContain('not built: 2026-11-20, 2026-11-21');
    expect(before.stdout).toContain(`fix: tgpipe enrich --data ${data} --from 2026-11-20 --to 2026-11-21`);
    expect(line(before.stdout, 'serve lock')).toBe(`✗ serve lock: stale: PID ${pid} is gone (the server crashed or was killed)`);
    expect(line(before.stdout, 'webhook secret')).toBe('! webhook secret: .secret is readable by others (mode 644)');
    expect(before.stdout).toContain(`fix: chmod 600 ${data}/.secret`);
    expect(line(before.stdout, 'bot token')).toMatch(/^! bot token: not set/);
    expect(line(before.stdout, "Telegram's webhook")).toBe("- Telegram's webhook (getWebhookInfo): not checked: no bot token");
    expect(line(before.stdout, 'disk space')).toMatch(/^[✓!✗] disk space: [\d.]+ GiB free of [\d.]+ GiB/);

    // What the fixes say to do: build the days, take the lock away, chmod the secret.
    expect((await run(['enrich', '--data', data, '--from', '2026-11-20', '--to', '2026-11-21', '--quiet'])).code).toBe(0);
    await rm(join(data, '.serve.lock'));
    await chmod(join(data, '.secret'), 0o600);
    const after = await run(['doctor', '--data', data, '--token', TOKEN]);
    expect(after.stdout).not.toContain('✗');
    expect(after.code).toBe(0);
    expect(line(after.stdout, 'enriched days')).toBe('✓ enriched days: all 2 past raw days built and current');
    expect(line(after.stdout, 'serve lock')).toBe('✓ serve lock: no tgpipe serve running on this folder');
    expect(line(after.stdout, 'webhook secret')).toBe('✓ webhook secret: .secret (mode 600)');
    expect(line(after.stdout, 'bot token')).toBe('✓ bot token: set (--token)');
    expect(line(after.stdout, "Telegram's webhook")).toBe("✓ Telegram's webhook (getWebhookInfo): no webhook set: tgpipe serve long-polls getUpdates (0 pending)");

    // A late update for a built day: its raw objects changed, so the build is out of date.
    await writeFile(file, JSON.stringify([msg(4, '2026-11-20T18:00:00Z')]));
    expect((await run(['ingest', file, '--all-chats', '--data', data])).code).toBe(0);
    const changed = await run(['doctor', '--data', data, '--format', 'json']);
    expect(changed.code).toBe(1);
    const report = JSON.parse(changed.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; lines?: string[]; fix?: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'enriched')).toMatchObject({ status: 'fail', lines: ['raw objects changed since the build: 2026-11-20'], fix: `tgpipe enrich --data ${data} --from 2026-11-20 --to 2026-11-20` });
  });

  it("with a token, a webhook set elsewhere with a recent error fails (getUpdates is refused while it is set)", async () => {
    const data = join(dir, 'd2');
    const file = join(dir, 'u2.json');
    await writeFile(file, JSON.stringify([msg(10, '2026-11-22T15:00:00Z')]));
    expect((await run(['ingest', file, '--all-chats', '--enrich', '--data', data])).code).toBe(0);
    webhook = { url: 'https://tunnel.example/webhook', has_custom_certificate: false, pending_update_count: 57, last_error_date: Math.floor(Date.now() / 1000) - 120, last_error_message: 'Connection refused', allowed_updates: [...ALL_UPDATE_KINDS] };
    try {
      const r = await run(['doctor', '--data', data], { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'env_secret' });
      expect(r.code).toBe(1);
      expect(line(r.stdout, "Telegram's webhook")).toBe("✗ Telegram's webhook (getWebhookInfo): delivery failed 2 min ago (Connection refused)");
      expect(r.stdout).toContain('a webhook is set: Telegram refuses getUpdates');
      expect(line(r.stdout, 'webhook secret')).toBe('✓ webhook secret: TELEGRAM_WEBHOOK_SECRET is set');
      expect(line(r.stdout, 'bot token')).toBe('✓ bot token: set (TELEGRAM_BOT_TOKEN)');
      // A token Telegram refuses is a failed check, not a crash; the token is never printed.
      const refused = await run(['doctor', '--data', data, '--token', '987:WRONG']);
      expect(line(refused.stdout, "Telegram's webhook")).toMatch(/^✗ Telegram's webhook \(getWebhookInfo\): Telegram did not answer: .*Unauthorized/);
      expect(refused.stdout + refused.stderr).not.toContain('WRONG');
    } finally {
      webhook = { url: '', has_custom_certificate: false, pending_update_count: 0 };
    }
  });
});

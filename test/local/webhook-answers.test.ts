/**
 * Every webhook answer of DESIGN.md through the real `tgpipe serve` process (loopback, port 0), what each
 * one stored, the other routes, the request log, the generated secret, and a clean SIGTERM.
 */
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, serve, type Served } from './support/serve';
import { readRaw } from './support/raw';

const SECRET = 'answers_Secret-0123456789';
const CHAT = -1001987654321;
const OTHER_CHAT = -1005550001111;
const msg = (id: number, chat = CHAT, text = `hello ${id}`) => JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 7, is_bot: false, first_name: 'Ana' }, chat: { id: chat, type: 'supergroup', title: 'g' }, date: 1773500000, text } });
const withSecret = (secret = SECRET) => ({ 'x-telegram-bot-api-secret-token': secret });

describe('tgpipe serve answers as the Lambda does', () => {
  let dir: string;
  let server: Served;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'answers-'));
    server = await serve(dir, ['--log-level', 'debug'], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' });
  });
  afterAll(async () => {
    agent.destroy();
    await server.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers each case and stores exactly what it should', async () => {
    const post = (body: string, headers: Record<string, string> = withSecret()) => http(server.url, { body, headers, agent });
    const cases: Array<[string, Promise<{ status: number; body: string; headers: Record<string, unknown> }>, number, RegExp]> = [
      ['stored', post(msg(1, CHAT, 'SECRET_TEXT_never_logged')), 200, /"stored"/],
      ['secret header in any case', post(msg(2), { 'X-TELEGRAM-BOT-API-SECRET-TOKEN': SECRET }), 200, /"stored"/],
      ['missing secret', post(msg(3), {}), 401, /secret/],
      ['wrong secret', post(msg(4), withSecret('nope')), 401, /secret/],
      ['secret with a different case', post(msg(5), withSecret(SECRET.toUpperCase())), 401, /secret/],
      ['chat not allowed', post(msg(6, OTHER_CHAT)), 200, /chat not allowed/],
      ['update without a chat', post(JSON.stringify({ update_id: 7, poll: { id: 'p', question: 'q', options: [] } })), 200, /no chat/],
      ['not JSON, valid secret', post('this is not json'), 200, /unparsed/],
      ['JSON but not an update', post('{"hello":"world"}'), 200, /unparsed/],
      ['empty body', post(''), 200, /unparsed/],
      ['GET', http(server.url, { method: 'GET', headers: withSecret(), agent }), 405, /POST/],
      ['PUT with a body', http(server.url, { method: 'PUT', body: msg(8), headers: withSecret(), agent }), 405, /POST/],
      ['unknown path', http(server.url, { path: '/nope', body: msg(9), headers: withSecret(), agent }), 404, /not found/],
      ['webhook with a query string', http(server.url, { path: '/webhook?x=1', body: msg(10), headers: withSecret(), agent }), 200, /"stored"/],
    ];
    for (const [name, answer, status, body] of cases) {
      const a = await answer;
      expect(a.status, name).toBe(status);
      expect(a.body, name).toMatch(body);
      expect(a.headers['content-type'], name).toBe('application/json');
    }
    expect((await cases[10]![1]).headers.allow).toBe('POST');

    const raw = await readRaw(dir);
    const ids = raw.filter((e) => e.record.ok).map((e) => (e.record.ok ? e.record.update.update_id : 0));
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 10]);
    const unparsed = raw.filter((e) => !e.record.ok);
    expect(unparsed.map((e) => JSON.parse(e.text).unparsed).sort()).toEqual(['', 'this is not json', '{"hello":"world"}']);
    // The envelope keeps Telegram's bytes exactly.
    const first = raw.find((e) => e.record.ok && e.record.update.update_id === 1)!;
    expect(first.text).toBe(`{"received_at":${JSON.parse(first.text).received_at},"context_date":"2026-03-14","update":${msg(1, CHAT, 'SECRET_TEXT_never_logged')}}`);
  });

  it('bodies over the record limit: 200 and dropped with the secret, 401 without; never buffered past 1 MiB', async () => {
    const big = (n: number) => JSON.stringify({ update_id: 50, message: { message_id: 50, chat: { id: CHAT, type: 'supergroup' }, date: 1773500000, text: 'x'.repeat(n) } });
    const overRecord = await http(server.url, { body: big(1_030_000), headers: withSecret() });
    expect(overRecord.status).toBe(200);
    expect(overRecord.body).toMatch(/too large/);
    const huge = big(3 * 1024 * 1024);
    expect((await http(server.url, { body: huge, headers: withSecret() })).status).toBe(200);
    expect((await http(server.url, { body: huge, headers: {} })).status).toBe(401);
    expect((await http(server.url, { body: huge, headers: withSecret(), method: 'GET' })).status).toBe(405);
    expect((await readRaw(dir)).some((e) => e.record.ok && e.record.update.update_id === 50)).toBe(false);
    // Declared past the 16 MiB drain limit: answered on the headers alone, without waiting for a byte.
    const answer = await new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.write(`POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${20 * 1024 * 1024}\r\nx-telegram-bot-api-secret-token: ${SECRET}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (c) => (text += c));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer within 5 s: ${text}`)), 5_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/too large/);
  });

  it('serves /healthz and the report page, 405 for other methods there', async () => {
    const health = await http(server.url, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    const counters = JSON.parse(health.body);
    expect(counters.outcomes.stored).toBeGreaterThanOrEqual(3);
    expect(counters.outcomes.unauthorized).toBeGreaterThanOrEqual(3);
    expect(counters.sink.puts).toBeGreaterThanOrEqual(6);
    const page = await http(server.url, { method: 'GET', path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/<html|<!doctype html/i);
    expect((await http(server.url, { method: 'POST', path: '/', body: '{}' })).status).toBe(405);
  }, 120_000);

  it('logs one JSON line per request at debug level, without the secret or message text', async () => {
    const lines = server
      .stderr()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.message === 'webhook request');
    expect(requests.length).toBeGreaterThanOrEqual(14);
    expect(requests.find((l) => l.update_id === 1)).toMatchObject({ level: 'debug', outcome: 'stored', status: 200, update_kind: 'message', chat_id: CHAT, context_date: '2026-03-14' });
    expect(requests.find((l) => l.status === 401)).toMatchObject({ outcome: 'unauthorized' });
    expect(server.stderr()).not.toContain(SECRET);
    expect(server.stderr()).not.toContain('SECRET_TEXT_never_logged');
    expect(server.stdout()).not.toContain(SECRET);
  });
});

describe('tgpipe serve: failing sink, generated secret, shutdown', () => {
  it('answers 503 when the sink fails (Telegram retries), 200 for what it does not store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'answers-503-'));
    const server = await serve(dir, ['--fail-rate', '1'], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT) });
    try {
      const failed = await http(server.url, { body: msg(1), headers: withSecret() });
      expect(failed.status).toBe(503);
      expect(failed.body).toMatch(/retry/);
      expect((await http(server.url, { body: 'garbage', headers: withSecret() })).status).toBe(503);
      expect((await http(server.url, { body: msg(2, OTHER_CHAT), headers: withSecret() })).status).toBe(200);
      expect((await http(server.url, { body: msg(3), headers: {} })).status).toBe(401);
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(await readRaw(dir)).toEqual([]);
      expect(server.stderr()).toMatch(/sink failed/);
    } finally {
      await server.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('generates a secret into DATA/.secret (0600, Telegram charset), never prints it, and keeps it across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'answers-secret-'));
    try {
      let server = await serve(dir, [], { ALLOWED_CHAT_IDS: String(CHAT) });
      const secret = (await readFile(join(dir, '.secret'), 'utf8')).trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
      expect((await stat(join(dir, '.secret'))).mode & 0o777).toBe(0o600);
      expect(server.stdout()).toContain(join(dir, '.secret'));
      expect(server.stdout() + server.stderr()).not.toContain(secret);
      expect((await http(server.url, { body: msg(1), headers: withSecret(secret) })).status).toBe(200);
      expect((await http(server.url, { body: msg(2), headers: withSecret(SECRET) })).status).toBe(401);
      expect(await server.stop('SIGINT')).toBe(0);
      server = await serve(dir, [], { ALLOWED_CHAT_IDS: String(CHAT) });
      expect((await http(server.url, { body: msg(3), headers: withSecret(secret) })).status).toBe(200);
      // SIGTERM with requests in flight: they are answered, then it exits 0 with everything answered 200 on disk.
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      const inflight = Array.from({ length: 30 }, (_, i) => http(server.url, { body: msg(100 + i), headers: withSecret(secret), agent }).catch(() => ({ status: 0 })));
      await new Promise((r) => setTimeout(r, 5));
      const code = server.stop('SIGTERM');
      const statuses = await Promise.all(inflight);
      agent.destroy();
      expect(await code).toBe(0);
      expect(server.stdout()).toMatch(/closed/);
      const acked = statuses.map((s, i) => (s.status === 200 ? 100 + i : undefined)).filter((x) => x !== undefined);
      const raw = (await readRaw(dir)).map((e) => (e.record.ok ? e.record.update.update_id : -1));
      for (const id of [1, 3, ...acked]) expect(raw).toContain(id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Drill: the report page under a flood, and behind its token. Many concurrent `GET /` share one render
 * (the page is never built once per request); beyond loopback `tgpipe serve` warns at start and the
 * page asks for its token, while `/healthz` (counters only) and `/webhook` (its own secret) do not.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMemoryMiB } from '../../bench/lib/slow-clients';
import { loadConfig } from '../../core/config';
import { memoryLogger } from '../../core/log';
import { pageAuthorized, startServer, type RunningServer } from '../../local/server';
import { isLoopback } from '../../cli/commands/serve';
import { http, serve } from '../local/support/serve';

const SECRET = 'report_page_secret-0123456789';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('GET / flood (in process)', () => {
  let renders = 0;
  let running: RunningServer;
  beforeAll(async () => {
    const sink = { put: async () => undefined, putBatch: async () => ({ failed: [], errors: [] }), close: async () => undefined };
    running = await startServer({
      config: loadConfig({}, {}),
      secret: SECRET,
      sink,
      logger: memoryLogger(),
      page: async () => {
        renders += 1;
        await new Promise((r) => setTimeout(r, 300)); // a slow build
        return `<!doctype html><p>page ${renders}</p>`;
      },
    });
  });
  afterAll(() => running.close(100));

  it('200 concurrent requests share one render and all get the page', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => http(running.url, { method: 'GET', path: '/' })));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(renders).toBe(1);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['<!doctype html><p>page 1</p>']));
    // The next request after that render renders again (the page is fresh, never stale by more than one build).
    expect((await http(running.url, { method: 'GET', path: '/' })).body).toContain('page 2');
  });
});

describe('the page token', () => {
  it('accepts basic auth with the token as the password (any user) or a bearer token, nothing else', () => {
    expect(pageAuthorized(basic('anyone', 'tok-123'), 'tok-123')).toBe(true);
    expect(pageAuthorized(basic('', 'tok-123'), 'tok-123')).toBe(true);
    expect(pageAuthorized('Bearer tok-123', 'tok-123')).toBe(true);
    expect(pageAuthorized(basic('tok-123', 'x'), 'tok-123')).toBe(false);
    expect(pageAuthorized('Bearer tok-12', 'tok-123')).toBe(false);
    expect(pageAuthorized(undefined, 'tok-123')).toBe(false);
    expect(pageAuthorized('Digest tok-123', 'tok-123')).toBe(false);
  });

  it('knows loopback from the network', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1']) expect(isLoopback(h)).toBe(false);
  });
});

describe('tgpipe serve --host 0.0.0.0', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-page-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('warns at start, protects / with a generated page token, leaves /healthz and /webhook as they are, and bounds a flood', async () => {
    const server = await serve(dir, ['--host', '0.0.0.0'], { TELEGRAM_WEBHOOK_SECRET: SECRET });
    try {
      const url = server.url.replace('0.0.0.0', '127.0.0.1');
      expect(server.stdout()).toContain('WARNING:    listening on 0.0.0.0');
      expect(server.stderr()).toContain('"event":"exposed"');
      const tokenFile = join(dir, '.page-token');
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
      const token = (await readFile(tokenFile, 'utf8')).trim();
      expect(server.stdout()).not.toContain(token);
      expect(server.stderr()).not.toContain(token);

      const denied = await http(url, { method: 'GET', path: '/' });
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toMatch(/^Basic /);
      expect((await http(url, { method: 'GET', path: '/', headers: { authorization: basic('me', 'wrong') } })).status).toBe(401);
      const page = await http(url, { method: 'GET', path: '/', headers: { authorization: basic('me', token) } });
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<html|<!doctype/i);

      const health = await http(url, { method: 'GET', path: '/healthz' });
      expect(health.status).toBe(200);
      expect(Object.keys(JSON.parse(health.body)).sort()).toEqual(expect.arrayContaining(['ok', 'outcomes']));
      expect((await http(url, { body: '{}', headers: { 'x-telegram-bot-api-secret-token': token } })).status).toBe(401);

      // A flood of authorised page requests: all answered, the server's memory bounded.
      const before = processMemoryMiB(server.child.pid!);
      const t = performance.now();
      const flood = await Promise.all(Array.from({ length: 100 }, () => http(url, { method: 'GET', path: '/', headers: { authorization: basic('me', token) } })));
      const seconds = (performance.now() - t) / 1000;
      expect(flood.filter((a) => a.status !== 200)).toEqual([]);
      const after = processMemoryMiB(server.child.pid!);
      console.log(`report flood: 100 concurrent GET / in ${seconds.toFixed(2)} s; server RSS ${before?.rss} -> peak ${after?.peak} MiB`);
      if (before && after) expect(after.peak - before.rss).toBeLessThan(300);
      expect(seconds).toBeLessThan(30);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  }, 90_000);
});

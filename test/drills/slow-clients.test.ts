/**
 * Drill: clients without the secret cannot hold the server's memory or its connections. The secret is
 * checked on the headers (401 before any body byte is read), headers and requests have time limits
 * (408), connections have a cap; under 600 slow 1 MiB bodies the server's peak RSS stays bounded, a
 * Telegram sender with the secret still gets its updates stored, and the memory is back after.
 */
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowBodyAttack, processMemoryMiB } from '../../bench/lib/slow-clients';
import { loadConfig } from '../../core/config';
import { memoryLogger } from '../../core/log';
import { startServer, type RunningServer } from '../../local/server';
import type { RecordSink } from '../../ports/record-sink';
import { http, serve, type Served } from '../local/support/serve';

const SECRET = 'slow_clients_secret-0123456789';
const CHAT = -1001555000222;
const update = (i: number) => JSON.stringify({ update_id: 9_000_000 + i, message: { message_id: i, chat: { id: CHAT, type: 'supergroup' }, date: 1_780_000_000, text: 'hi' } });

/** A raw connection: what it received, and when it was closed (ms after opening). */
function rawClient(url: string): { socket: Socket; received: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const opened = performance.now();
  const socket = connect({ host: hostname, port: Number(port) });
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - opened)));
  return { socket, received: () => text, closed };
}

describe('limits of the local server (in process, short timeouts)', () => {
  const stored: string[] = [];
  const sink: RecordSink = { put: async (line) => void stored.push(line), putBatch: async () => ({ failed: [], errors: [] }), close: async () => undefined };
  let running: RunningServer;
  beforeAll(async () => {
    const config = loadConfig({ ALLOWED_CHAT_IDS: String(CHAT) }, {});
    running = await startServer({ config, secret: SECRET, sink, logger: memoryLogger(), headersTimeoutMs: 800, requestTimeoutMs: 1500, maxConnections: 8 });
  });
  afterAll(() => running.close(100));

  it('answers 401 on the headers, before a body byte arrives, and closes the connection', async () => {
    const c = rawClient(running.url);
    c.socket.write(`POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024 - 1}\r\n\r\n`);
    const t = performance.now();
    while (!c.received().includes('\r\n\r\n') && performance.now() - t < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(c.received().toLowerCase()).toContain('connection: close');
    expect(performance.now() - t).toBeLessThan(500);
    // It never sends its body: the server closes the connection after a short drain.
    expect(await c.closed).toBeLessThan(4000);
    expect(running.outcomes.unauthorized).toBeGreaterThanOrEqual(1);
  });

  it('answers a wrong method 405 on the headers too', async () => {
    const r = await http(running.url, { method: 'PUT', body: 'x'.repeat(1000), headers: { 'x-telegram-bot-api-secret-token': SECRET } });
    expect(r.status).toBe(405);
  });

  it('answers 408 to a body that does not arrive in time (with the secret) and closes', async () => {
    const c = rawClient(running.url);
    c.socket.write(`POST /webhook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: ${SECRET}\r\nContent-Length: 100\r\n\r\n{"upd`);
    const closedAfter = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfter).toBeGreaterThan(1000);
    expect(closedAfter).toBeLessThan(4000);
  });

  it('answers 408 to headers that do not arrive in time, and closes a connection that sends nothing', async () => {
    const slow = rawClient(running.url);
    slow.socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\n');
    const silent = rawClient(running.url);
    const [slowClosed, silentClosed] = await Promise.all([slow.closed, silent.closed]);
    // Closed by the connection's first-request timer, or answered 408 by Node's header timer: either way, gone.
    expect(slow.received()).toMatch(/^(HTTP\/1\.1 408 |)$/m);
    expect(slowClosed).toBeLessThan(3000);
    expect(silentClosed).toBeGreaterThan(600);
    expect(silentClosed).toBeLessThan(3000);
  });

  it('keeps an idle keep-alive connection past the header limit (a Telegram connection between updates)', async () => {
    const c = rawClient(running.url);
    const req = () => {
      const b = update(1);
      c.socket.write(`POST /webhook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`);
    };
    req();
    await new Promise((r) => setTimeout(r, 2000));
    req();
    await new Promise((r) => setTimeout(r, 200));
    expect(c.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    c.socket.destroy();
  });

  it('closes connections over the cap at once and serves again once they go', async () => {
    const held = Array.from({ length: 8 }, () => rawClient(running.url));
    await new Promise((r) => setTimeout(r, 200));
    const extra = rawClient(running.url);
    expect(await extra.closed).toBeLessThan(500);
    expect(extra.received()).toBe('');
    for (const h of held) h.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const r = await http(running.url, { body: update(2), headers: { 'x-telegram-bot-api-secret-token': SECRET } });
    expect(r.status).toBe(200);
  });
});

describe('600 slow unauthenticated 1 MiB bodies against tgpipe serve (child process)', () => {
  let dir: string;
  let server: Served;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slow-clients-'));
    server = await serve(dir, [], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT) });
  });
  afterAll(async () => {
    await server.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the peak RSS bounded, answers every attacker 401 at once, stores a Telegram sender meanwhile, and gives the memory back', async (ctx) => {
    if (!processMemoryMiB(server.child.pid!)) return ctx.skip('no /proc: cannot read the server process memory');
    let i = 0;
    const r = await slowBodyAttack({
      url: server.url,
      pid: server.child.pid!,
      connections: 600,
      durationMs: 6000,
      legit: () => http(server.url, { body: update((i += 1)), headers: { 'x-telegram-bot-api-secret-token': SECRET } }).then((a) => a.status, () => 0),
    });
    console.log(`slow-body attack: ${JSON.stringify(r)}`);
    // Before the fix: 123 MB -> 685 MB (600 bodies of 1 MiB buffered), 692 MB after they closed.
    // The bound is far from the defect (+560 MiB) and clear of a loaded machine's noise (+80 MiB seen
    // with other work on both cores); the bench prints the figure itself.
    expect(r.peakRssMiB - r.rssBeforeMiB, JSON.stringify(r)).toBeLessThan(160);
    // What the process gives back after the attackers go, and how fast the 401s come, depend on V8's
    // collector and the machine's load: they are figures printed by `npm run bench` (reliability table),
    // not timed asserts (a clean CI run measured 126 MiB after from 54 MiB before, slowest 401 2.3 s).
    expect(r.answered401 + r.closedByServer).toBeGreaterThanOrEqual(600);
    expect(r.longestHeldMs, JSON.stringify(r)).toBeLessThan(15_000); // 330 s before the fix; 5.3 s seen on a loaded machine
    expect(r.legitSent).toBeGreaterThan(0);
    expect(r.legit200).toBeGreaterThanOrEqual(r.legitSent - 1); // the last one may be cut by the attack's end
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});

/** Long polling against a local HTTP server on 127.0.0.1 that plays Telegram. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { pollUpdates, readOffset } from '../../local/poller';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'poller-')); });
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('pollUpdates', () => {
  it('stores batches, advances the persisted offset only after storing, and backs off on errors', async () => {
    const TOKEN = '123456:ABC-secret-token';
    const requests: Array<{ path: string; offset?: number; allowed: string[] }> = [];
    const answers: Array<[number, unknown]> = [
      [200, { ok: true, result: [{ update_id: 10, message: { message_id: 1 } }, { update_id: 11, message: { message_id: 2 } }] }],
      [502, { ok: false }],
      [200, { ok: true, result: [{ update_id: 12, message: { message_id: 3 } }] }],
      [200, { ok: true, result: [{ update_id: 13, message: { message_id: 4 } }] }],
    ];
    const controller = new AbortController();
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const input = JSON.parse(body);
        requests.push({ path: req.url!, offset: input.offset, allowed: input.allowed_updates });
        const [status, answer] = answers.shift() ?? [200, { ok: true, result: [] }];
        if (answers.length === 0) controller.abort();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const stored: string[][] = [];
    const sleeps: number[] = [];
    let failNext = false;
    const logger = memoryLogger();
    const count = await pollUpdates(
      {
        token: TOKEN,
        apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        dataDir: dir,
        allowedUpdates: ['message', 'chat_member'],
        logger,
        timeoutSeconds: 0,
        sleep: async (ms) => { sleeps.push(ms); },
        store: async (bodies) => {
          if (bodies.some((b) => b.includes('"update_id":12')) && !failNext) {
            failNext = true;
            throw new Error('disk full');
          }
          stored.push(bodies);
        },
      },
      controller.signal,
    );
    server.close();
    expect(requests.map((r) => r.offset)).toEqual([undefined, 12, 12, 12]);
    expect(requests[0]!.path).toBe(`/bot${TOKEN}/getUpdates`);
    expect(requests[0]!.allowed).toEqual(['message', 'chat_member']);
    // After the 502 and after 12 failed to store, the offset stayed at 12: the same updates are asked for again.
    expect(stored.flat().map((b) => JSON.parse(b).update_id)).toEqual([10, 11]);
    expect(count).toBe(2);
    expect(await readOffset(dir)).toBe(12);
    expect(sleeps.length).toBe(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });
});

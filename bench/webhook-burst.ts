/**
 * Webhook burst: the local server (a child process, as deployed locally) receiving N updates over 40
 * keep-alive connections (Telegram's default max_connections), beside a bare node:http server that only
 * reads the body and answers 200 (the floor); and one connection in sequence (a single busy chat).
 */
import { createServer } from 'node:http';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startServe } from '../test/support/serve-process';

const SECRET = 'bench_secret_0123456789';
const CHAT = -1001987654321;
const body = (i: number) => `{"update_id":${i},"message":{"message_id":${i},"from":{"id":${1000 + (i % 50)},"is_bot":false,"first_name":"U"},"chat":{"id":${CHAT},"type":"supergroup","title":"g"},"date":${1780000000 + Math.floor(i / 100)},"text":"burst message number ${i} 🚀"}}`;

export interface BurstFigures {
  updates: number;
  connections: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function load(url: string, updates: number, connections: number): Promise<BurstFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = Date.now() + 120_000;
  const worker = async () => {
    while (next < updates && Date.now() < deadline) {
      const i = next++;
      const t = performance.now();
      const status = await new Promise<number>((resolve) => {
        const req = request(`${url}/webhook`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(body(i));
      });
      latencies.push(performance.now() - t);
      if (status !== 200) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { updates: latencies.length, connections, perSecond: Math.round(latencies.length / seconds), p50Ms: Math.round(percentile(latencies, 50) * 100) / 100, p99Ms: Math.round(percentile(latencies, 99) * 100) / 100, errors };
}

async function bareServer(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

export async function runWebhookBench({ updates = 20_000, sequential = 2_000 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-burst-'));
  const serve = await startServe(dir, [], { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT) });
  const bare = await bareServer();
  try {
    await load(serve.url, 500, 40); // warm-up
    await load(bare.url, 500, 40);
    const ours40 = await load(serve.url, updates, 40);
    const bare40 = await load(bare.url, updates, 40);
    const ours1 = await load(serve.url, sequential, 1);
    const bare1 = await load(bare.url, sequential, 1);
    return { ours40, bare40, ours1, bare1, singleP50Ratio: Math.round((ours1.p50Ms / bare1.p50Ms) * 100) / 100 };
  } finally {
    bare.close();
    await serve.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

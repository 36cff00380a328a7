/**
 * Webhook burst, side by side in one run: the local server (`tgpipe serve`, a child process, as it is
 * deployed locally) with its default durability (`process`) and with `--durability disk`, and a bare
 * node:http server that only reads the body and answers 200 (the floor, a child process too), loaded the
 * same way: N updates over 40 keep-alive connections (Telegram's default max_connections), and one
 * connection in sequence (a single busy chat: Telegram sends one chat's updates one at a time). The
 * rounds rotate the order of the servers so a noisy neighbour hits all of them alike; the sequential
 * figures take turns request by request (`runInterleavedSequential`), because a one-connection latency
 * of tens of microseconds swings several-fold with the state the machine happens to be in (a CPU
 * polling or halted), and blocks of requests would hand one server the fast state and another the slow.
 *
 * Alone: `node --import tsx bench/webhook-burst.ts [--updates 50000]`.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pool, runInterleavedSequential, runLoad, SECRET_HEADER, type LoadResult } from './lib/http-load';
import { startBareServer, startTgpipeServe } from './lib/processes';
import { median, ratio, round } from './lib/stats';

const SECRET = 'bench_Secret-0123456789';
const CHAT = -1001987654321;

/** A realistic group message (~330 bytes, a little non-ASCII), distinct per i. */
export const burstBody = (i: number): string =>
  `{"update_id":${900_000_000 + i},"message":{"message_id":${i + 1},"from":{"id":${1000 + (i % 50)},"is_bot":false,"first_name":"Ana","username":"ana${i % 50}","language_code":"pt-br"},"chat":{"id":${CHAT},"title":"Data Crew","type":"supergroup"},"date":${1780000000 + Math.floor(i / 100)},"text":"burst message number ${i} 🚀 bom dia"}}`;

export interface WebhookBenchOptions {
  /** Updates at 40 connections, per server (split into rounds). */
  readonly updates?: number;
  /** Updates over one connection, per server. */
  readonly sequential?: number;
  readonly rounds?: number;
  readonly connections?: number;
  readonly transport?: 'raw' | 'node-http';
}

/** Median latency of a 300-byte append + fdatasync in the temp folder: what each group commit waits for. */
async function fsyncProbe(dir: string, n = 200): Promise<number> {
  const handle = await open(join(dir, 'fsync-probe'), 'a');
  const line = Buffer.alloc(300, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i += 1) {
      const t = performance.now();
      await handle.write(line);
      await handle.datasync();
      times.push(performance.now() - t);
    }
  } finally {
    await handle.close();
  }
  return round(median(times), 3);
}

export async function runWebhookBench(o: WebhookBenchOptions = {}) {
  const updates = o.updates ?? 50_000;
  const sequential = o.sequential ?? 3_000;
  const rounds = o.rounds ?? 5;
  const connections = o.connections ?? 40;
  const transport = o.transport ?? 'raw';
  const dir = await mkdtemp(join(tmpdir(), 'bench-burst-'));
  const env = { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' };
  // `ours`: the default (`--durability process`: appended before the 200, fdatasync'd every second);
  // `disk`: fdatasync before every 200 (group commit), what survives a power cut costs.
  const servers = {
    ours: await startTgpipeServe(join(dir, 'process'), [], env),
    disk: await startTgpipeServe(join(dir, 'disk'), ['--durability', 'disk'], env),
    bare: await startBareServer(),
  };
  type Who = keyof typeof servers;
  const names = Object.keys(servers) as Who[];
  const headers = { [SECRET_HEADER]: SECRET };
  let offset = 0;
  const load = (who: Who, count: number, conns: number) => {
    const base = offset;
    offset += count;
    return runLoad({ url: servers[who].url, count, connections: conns, body: (i) => burstBody(base + i), headers, timeBudgetMs: 120_000, transport });
  };
  try {
    // Warm-up: JIT, sockets, the first object of the day.
    const warm: Record<string, LoadResult> = {};
    for (const who of names) warm[who] = await load(who, 1_000, connections);
    const r40 = { ours: [] as LoadResult[], disk: [] as LoadResult[], bare: [] as LoadResult[] };
    const r1 = { ours: [] as LoadResult[], disk: [] as LoadResult[], bare: [] as LoadResult[], bareBesideDisk: [] as LoadResult[] };
    for (let r = 0; r < rounds; r += 1) {
      // Rotate the order each round so a noisy neighbour hits every server alike.
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const who of order) r40[who].push(await load(who, Math.ceil(updates / rounds), connections));
      // One connection: each durability in turn with the bare server, never the two durabilities together
      // (an fdatasync of one would stall the other's appends on the file system's journal).
      for (const who of ['ours', 'disk'] as const) {
        const pair = r % 2 === 0 ? ([who, 'bare'] as const) : (['bare', who] as const);
        const count = Math.ceil(sequential / rounds);
        const base = offset;
        offset += count * pair.length;
        const one = await runInterleavedSequential({ urls: pair.map((w) => servers[w].url), count, body: (i) => burstBody(base + i), headers, timeBudgetMs: 120_000 });
        pair.forEach((w, j) => r1[w === 'bare' ? (who === 'ours' ? 'bare' : 'bareBesideDisk') : w].push(one[j]!));
      }
    }
    const ours40 = pool(r40.ours);
    const disk40 = pool(r40.disk);
    const bare40 = pool(r40.bare);
    const ours1 = pool(r1.ours);
    const disk1 = pool(r1.disk);
    const bare1 = pool(r1.bare);
    const bareBesideDisk1 = pool(r1.bareBesideDisk);
    // Every 200 is a stored record: each server's own count must match what the burst got.
    const stored = async (who: Who) => {
      const health = (await (await fetch(`${servers[who].url}/healthz`)).json()) as { outcomes?: Record<string, number> };
      return health.outcomes?.stored ?? 0;
    };
    const fsyncMs = await fsyncProbe(dir);
    return {
      connections,
      transport,
      ours40,
      bare40,
      ours1,
      bare1,
      disk40,
      disk1,
      bareBesideDisk1,
      throughputRatio: ratio(ours40.perSecond, bare40.perSecond),
      p99Ratio: ratio(ours40.p99Ms, bare40.p99Ms),
      singleP50Ratio: ratio(ours1.p50Ms, bare1.p50Ms),
      diskSingleP50Ratio: ratio(disk1.p50Ms, bareBesideDisk1.p50Ms),
      /** How one connection was driven: the servers take turns request by request. */
      sequentialMode: 'interleaved' as const,
      /** 200 answers each local server gave, and the records it counts as stored: equal. */
      answered200: warm.ours!.ok + ours40.updates + ours1.updates,
      storedByServer: await stored('ours'),
      diskAnswered200: warm.disk!.ok + disk40.updates + disk1.updates,
      diskStoredByServer: await stored('disk'),
      fsyncP50Ms: fsyncMs,
    };
  } finally {
    for (const who of names) await servers[who].stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--updates');
  const r = await runWebhookBench({ updates: i > 0 ? Number(process.argv[i + 1]) : 50_000, transport: process.argv.includes('--node-http') ? 'node-http' : 'raw' });
  console.log(JSON.stringify(r, null, 2));
}

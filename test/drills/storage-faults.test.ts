/**
 * Drill: the raw storage fails under `tgpipe serve` and comes back. A full file system (a real small
 * tmpfs that fills up, when this run may mount one) and a read-only journal folder (the same tmpfs on
 * `.firehose`, remounted read-only): the server stays up, answers 503 while it cannot store and 200 as
 * soon as it can, with no restart; it leaves no empty object and no half-written journal; it logs the
 * outage once and its end; every acknowledged update is found exactly once after enrichment.
 * Where no tmpfs can be mounted, those two say why and are skipped; the same faults, injected as the
 * system calls' errors into an in-process server, always run.
 */
import { readdir, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { LocalFirehose, type FaultStep } from '../../adapters/local/local-firehose';
import { loadConfig } from '../../core/config';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { startServer } from '../../local/server';
import { http, serve, type Served } from '../local/support/serve';
import { mountSmallFs, systemError, type SmallFs } from '../support/small-fs';

const SECRET = 'storage_faults_secret-0123456789';
const CHAT = -1001555000111;
const ENV = { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' };
const FIRST_ID = 7_000_000;
const body = (i: number) =>
  JSON.stringify({ update_id: FIRST_ID + i, message: { message_id: i + 1, from: { id: 5 + (i % 3), is_bot: false, first_name: 'F' }, chat: { id: CHAT, type: 'supergroup', title: 'drill' }, date: 1_780_000_000 + i * 60, text: `storage drill ${i} ✓` } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One chat's updates, one at a time, as Telegram sends them: each update once; returns the statuses. */
async function deliver(url: string, ids: number[], acked: Set<number>): Promise<{ statuses: Record<number, number>; failed: number[] }> {
  const statuses: Record<number, number> = {};
  const failed: number[] = [];
  for (const i of ids) {
    const r = await http(url, { body: body(i), headers: { 'x-telegram-bot-api-secret-token': SECRET } }).catch(() => ({ status: 0 }));
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 200) acked.add(i);
    else failed.push(i);
  }
  return { statuses, failed };
}

/** Sends new updates for at least `ms` (so rotations, recompressions and journal updates happen meanwhile). */
async function deliverFor(url: string, ms: number, next: { i: number }, acked: Set<number>) {
  const until = Date.now() + ms;
  const statuses: Record<number, number> = {};
  const failed: number[] = [];
  while (Date.now() < until) {
    const r = await deliver(url, [next.i++], acked);
    for (const [k, v] of Object.entries(r.statuses)) statuses[Number(k)] = (statuses[Number(k)] ?? 0) + v;
    failed.push(...r.failed);
    await sleep(5);
  }
  return { statuses, failed };
}

/** Telegram's retries once storage is back: every failed update again, until 200 (bounded). */
async function retryUntilStored(url: string, failed: number[], acked: Set<number>): Promise<number> {
  let attempts = 0;
  let left = failed;
  for (let round = 0; left.length > 0 && round < 20; round += 1) {
    attempts += left.length;
    left = (await deliver(url, left, acked)).failed;
    if (left.length > 0) await sleep(100);
  }
  expect(left).toEqual([]);
  return attempts;
}

/** Files that must not be left: empty objects and half-written files. */
async function strays(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const path = join(d, name);
      const info = await lstat(path);
      if (info.isDirectory()) await walk(path);
      else if (name.endsWith('.tmp-write') || (info.size === 0 && name.endsWith('.gz'))) out.push(path);
    }
  };
  await walk(dir);
  return out;
}

/** Enriches every raw day and returns how many rows each drill update has. */
async function rowsPerUpdate(dataDir: string): Promise<Map<number, number>> {
  const stores = localStores(dataDir);
  const days = new Set<string>();
  for await (const o of stores.raw.list('telegram/')) days.add(/context_date=([\d-]+)/.exec(o.key)![1]!);
  const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root };
  for (const day of [...days].sort()) {
    const s = await enrichDay(day, deps, { force: true });
    expect(s.quarantined, `quarantined on ${day}`).toBe(0);
  }
  const engine = await DuckDbEngine.open(dataDir, { threads: 1 });
  try {
    const rows = await engine.query(`SELECT update_id, count(*) AS n FROM telegram WHERE update_id >= ${FIRST_ID} GROUP BY update_id`);
    return new Map(rows.map((r) => [Number(r.update_id) - FIRST_ID, Number(r.n)]));
  } finally {
    await engine.close();
  }
}

function expectExactlyOnce(rows: Map<number, number>, acked: Set<number>): void {
  expect([...rows.values()].filter((n) => n !== 1)).toEqual([]);
  expect([...rows.keys()].sort((a, b) => a - b)).toEqual([...acked].sort((a, b) => a - b));
}

const events = (stderr: string, event: string) => stderr.split('\n').filter((l) => l.includes(`"event":"${event}"`)).length;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'storage-faults-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe.each(['process', 'disk'] as const)('tgpipe serve on a file system that fills up (--durability %s)', (durability) => {
  let fs: SmallFs | string;
  let dir: string;
  beforeAll(() => {
    dir = join(work, `full-${durability}`);
    fs = mountSmallFs(dir, 1024 * 1024);
    if (typeof fs === 'string') console.warn(`storage drill: real full file system skipped: ${fs} (the fault-injected drill below runs instead)`);
  });
  afterAll(() => {
    if (typeof fs !== 'string') fs.unmount();
  });

  it('answers 503 while the disk is full and 200 as soon as it is not, without a restart; nothing lost, stored twice or left behind', async (ctx) => {
    if (typeof fs === 'string') return ctx.skip(fs);
    const disk = fs;
    const acked = new Set<number>();
    let server: Served | undefined = await serve(dir, ['--buffer-seconds', '1', '--durability', durability], ENV);
    try {
      const next = { i: 0 };
      const before = await deliverFor(server.url, 300, next, acked);
      expect(before.failed).toEqual([]);

      disk.fill();
      const full = await deliverFor(server.url, 2500, next, acked); // spans two rotations
      expect(full.statuses[503]).toBeGreaterThan(0);
      expect(Object.keys(full.statuses).filter((s) => s !== '200' && s !== '503')).toEqual([]);
      expect(server.child.exitCode).toBeNull();
      const health = JSON.parse((await http(server.url, { method: 'GET', path: '/healthz' })).body);
      expect(health.storage).toMatchObject({ ok: false, error: expect.stringContaining('ENOSPC') });

      await disk.unfill();
      // Storage is back: the very next update is stored.
      const back = await deliver(server.url, [next.i++], acked);
      expect(back.statuses).toEqual({ 200: 1 });
      await retryUntilStored(server.url, full.failed, acked);
      const after = await deliverFor(server.url, 300, next, acked);
      expect(after.failed).toEqual([]);
      expect(JSON.parse((await http(server.url, { method: 'GET', path: '/healthz' })).body).storage).toEqual({ ok: true });

      const stderr = server.stderr();
      expect(events(stderr, 'raw_storage_failing')).toBe(1);
      expect(events(stderr, 'raw_storage_recovered')).toBe(1);
      expect(stderr).not.toContain('could not be cut back');
      expect(stderr).not.toMatch(/unhandled|uncaught/i);
      expect(await server.stop('SIGTERM')).toBe(0);
      server = undefined;
      expect(await strays(dir)).toEqual([]);
      expectExactlyOnce(await rowsPerUpdate(dir), acked);
    } finally {
      await server?.stop('SIGKILL');
    }
  }, 90_000);
});

describe('tgpipe serve with a read-only journal folder', () => {
  let fs: SmallFs | string;
  let dir: string;
  beforeAll(async () => {
    dir = join(work, 'ro-journal');
    await mkdir(dir, { recursive: true });
    fs = mountSmallFs(join(dir, '.firehose'), 256 * 1024);
    if (typeof fs === 'string') console.warn(`storage drill: read-only journal folder skipped: ${fs} (the fault-injected drill below runs instead)`);
  });
  afterAll(() => {
    if (typeof fs !== 'string') fs.unmount();
  });

  it('answers 503 once it cannot journal a new object, 200 again when the folder is writable, without a restart', async (ctx) => {
    if (typeof fs === 'string') return ctx.skip(fs);
    const journalFs = fs;
    const acked = new Set<number>();
    let server: Served | undefined = await serve(dir, ['--buffer-seconds', '1'], ENV);
    try {
      const next = { i: 10_000 };
      expect((await deliverFor(server.url, 300, next, acked)).failed).toEqual([]);
      journalFs.remount('ro');
      const ro = await deliverFor(server.url, 2500, next, acked); // the next rotation needs the journal
      expect(ro.statuses[503]).toBeGreaterThan(0);
      expect(server.child.exitCode).toBeNull();
      journalFs.remount('rw');
      await retryUntilStored(server.url, ro.failed, acked);
      expect((await deliverFor(server.url, 300, next, acked)).failed).toEqual([]);
      const stderr = server.stderr();
      expect(stderr).toContain('EROFS');
      expect(events(stderr, 'raw_storage_failing')).toBe(1);
      expect(events(stderr, 'raw_storage_recovered')).toBe(1);
      expect(stderr).not.toMatch(/unhandled|uncaught/i);
      expect(await server.stop('SIGTERM')).toBe(0);
      server = undefined;
      expect(await strays(dir)).toEqual([]);
      expect(await readdir(join(dir, '.firehose'))).toEqual([]);
      expectExactlyOnce(await rowsPerUpdate(dir), acked);
    } finally {
      await server?.stop('SIGKILL');
    }
  }, 90_000);
});

describe('the same faults injected as system call errors (always runs)', () => {
  it.each([
    ['ENOSPC on every step (a full disk)', 'ENOSPC', ['open', 'write', 'journal', 'recompress']],
    ['EROFS on the journal only (a read-only journal folder)', 'EROFS', ['journal']],
    ['ENOSPC on the journal and recompression only (the object still has room)', 'ENOSPC', ['journal', 'recompress']],
  ] as const)('%s: 503 during the fault, 200 after, no unhandled rejection, nothing lost or doubled', async (_name, code, steps) => {
    const dir = await mkdtemp(join(work, 'injected-'));
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    let failing = false;
    const stores = localStores(dir);
    const logger = memoryLogger();
    const sink = new LocalFirehose(stores.raw.root, {
      maxObjectAgeMs: 200,
      durability: 'process',
      onWarning: (message, fields) => logger.warn(message, fields),
      injectFault: (step: FaultStep) => {
        if (failing && (steps as readonly string[]).includes(step)) throw systemError(code, step);
      },
    });
    const config = loadConfig({ ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00' }, {});
    const running = await startServer({ config, secret: SECRET, sink, logger });
    try {
      const acked = new Set<number>();
      const next = { i: 20_000 };
      expect((await deliverFor(running.url, 300, next, acked)).failed).toEqual([]);
      failing = true;
      const during = await deliverFor(running.url, 700, next, acked); // rotations every 200 ms meanwhile
      failing = false;
      if (steps.includes('write' as never)) expect(during.statuses[503]).toBeGreaterThan(0);
      await retryUntilStored(running.url, during.failed, acked);
      expect((await deliverFor(running.url, 300, next, acked)).failed).toEqual([]);
      await sink.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
      const messages = logger.lines.map((l) => String(l.message));
      expect(messages.filter((m) => m.includes('could not be cut back'))).toEqual([]);
      if (during.failed.length > 0) {
        expect(logger.lines.filter((l) => l.event === 'raw_storage_failing')).toHaveLength(1);
        expect(logger.lines.filter((l) => l.event === 'raw_storage_recovered')).toHaveLength(1);
      }
      expect(await strays(dir)).toEqual([]);
      expectExactlyOnce(await rowsPerUpdate(dir), acked);
    } finally {
      process.off('unhandledRejection', onRejection);
      await running.close();
      await sink.close();
    }
  }, 60_000);
});

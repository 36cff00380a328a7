/**
 * Reliability drills, shared by the tests (test/drills) and `npm run bench`, both at the size
 * (100k updates). Loopback only, bounded in count and time. Each returns its figures; the callers assert
 * 0 lost and 0 duplicates.
 *
 * - burst with faults: N updates over 40 connections to `tgpipe serve --fail-rate 0.1` (the local
 *   Firehose fails 10% of its appends at random, answered 503); the sender retries until 200 as Telegram
 *   does. After enrichment: count(*) = count(distinct update_id) = N.
 * - crash: SIGKILL the server mid-burst; every update that got a 200 must be in the raw layer after the
 *   restart (torn trailing appends are cut off at start-up). Then the sender re-sends what was not
 *   acknowledged, as Telegram would, and after enrichment: count(*) = count(distinct update_id) = N.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { enrichDay } from '../../core/enrich';
import { createLogger } from '../../core/log';
import { objectRecords } from '../../core/object-lines';
import { runLoad, SECRET_HEADER, startLoad } from './http-load';
import { startTgpipeServe, type Child } from './processes';
import { round } from './stats';

export const DRILL_SECRET = 'drill_Secret-0123456789';
export const DRILL_CHAT = -1001987654321;
const FIRST_ID = 5_000_000;
const ENV = { TELEGRAM_WEBHOOK_SECRET: DRILL_SECRET, ALLOWED_CHAT_IDS: String(DRILL_CHAT), CONTEXT_UTC_OFFSET: '-03:00' };
const HEADERS = { [SECRET_HEADER]: DRILL_SECRET };

/** Update i of a drill: a group message; dates spread over three days (several partitions). */
export const drillBody = (i: number): string =>
  JSON.stringify({
    update_id: FIRST_ID + i,
    message: { message_id: i + 1, from: { id: 100 + (i % 9), is_bot: false, first_name: 'Drill' }, chat: { id: DRILL_CHAT, type: 'supergroup', title: 'drill' }, date: 1_780_000_000 + ((i * 7) % 200_000), text: `drill ${i} ✓` },
  });

export interface DrillFigures {
  readonly updates: number;
  /** 200 answers the sender got (each update once, at the end). */
  readonly acknowledged: number;
  /** Requests re-sent after a 5xx or a connection error. */
  readonly retries: number;
  /** Non-200 answers by status (0: connection error). */
  readonly failures: Record<string, number>;
  readonly burstSeconds: number;
  /** Rows in `telegram` after enrichment, and distinct update ids among them (in the drill's range). */
  readonly rows: number;
  readonly distinct: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Envelope lines in the raw layer (duplicates from retries included). */
  readonly rawLines: number;
  readonly enrichSeconds: number;
  readonly seconds: number;
}

/** Every update_id in the raw layer (an unreadable object throws: that would be a failed drill). */
export async function rawUpdateIds(dataDir: string): Promise<{ ids: number[]; days: string[] }> {
  const stores = localStores(dataDir);
  const ids: number[] = [];
  const days = new Set<string>();
  for await (const o of stores.raw.list('telegram/')) {
    const day = /context_date=(\d{4}-\d{2}-\d{2})/.exec(o.key)?.[1];
    if (day) days.add(day);
    for await (const line of objectRecords(await stores.raw.read(o.key))) {
      const record = JSON.parse(line) as { update?: { update_id?: number } };
      if (typeof record.update?.update_id === 'number') ids.push(record.update.update_id);
    }
  }
  return { ids, days: [...days].sort() };
}

/** Enriches every day of the raw layer and counts the `telegram` rows in the drill's id range. */
async function enrichAndCount(dataDir: string, updates: number) {
  const stores = localStores(dataDir);
  const { ids, days } = await rawUpdateIds(dataDir);
  const t = performance.now();
  const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: createLogger({ service: 'drill', level: 'error', write: () => {} }), enrichedLocation: stores.enriched.root };
  for (const day of days) await enrichDay(day, deps, { force: true });
  const enrichSeconds = round((performance.now() - t) / 1000, 1);
  const engine = await DuckDbEngine.open(dataDir, { threads: 2 });
  try {
    const [r] = await engine.query(`SELECT count(*) AS n, count(DISTINCT update_id) AS d FROM telegram WHERE update_id BETWEEN ${FIRST_ID} AND ${FIRST_ID + updates - 1}`);
    const rows = Number(r?.n ?? 0);
    const distinct = Number(r?.d ?? 0);
    return { rows, distinct, lost: updates - distinct, duplicates: rows - distinct, rawLines: ids.length, enrichSeconds };
  } finally {
    await engine.close();
  }
}

const merge = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

export interface BurstDrillOptions {
  readonly updates: number;
  readonly connections?: number;
  readonly failRate?: number;
  readonly timeBudgetMs?: number;
}

export async function burstWithFaultsDrill(o: BurstDrillOptions): Promise<DrillFigures & { serverExit: number | null }> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'drill-burst-'));
  let server: Child | undefined;
  try {
    server = await startTgpipeServe(dir, ['--fail-rate', String(o.failRate ?? 0.1)], ENV);
    const burst = await runLoad({ url: server.url, count: o.updates, connections: o.connections ?? 40, body: drillBody, headers: HEADERS, retry: 'telegram', timeBudgetMs: o.timeBudgetMs ?? 240_000 });
    if (burst.timedOut) throw new Error(`burst exceeded its time budget (${burst.ok}/${o.updates} acknowledged)`);
    const serverExit = await server.stop('SIGTERM');
    server = undefined;
    const counted = await enrichAndCount(dir, o.updates);
    return { updates: o.updates, acknowledged: burst.ok, retries: burst.retries, failures: burst.failures, burstSeconds: burst.seconds, ...counted, seconds: round((performance.now() - started) / 1000, 1), serverExit };
  } finally {
    await server?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

export interface CrashDrillOptions {
  readonly updates: number;
  readonly connections?: number;
  /** SIGKILL once this share of the updates has been acknowledged (default 0.5). */
  readonly killAt?: number;
  readonly timeBudgetMs?: number;
  /** `tgpipe serve --durability` (default: the server's default, `process`). */
  readonly durability?: 'process' | 'disk';
}

export async function crashDrill(o: CrashDrillOptions): Promise<DrillFigures & { acknowledgedBeforeKill: number; missingAfterRestart: number; inRawUnacknowledged: number }> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'drill-crash-'));
  const connections = o.connections ?? 40;
  const budget = o.timeBudgetMs ?? 240_000;
  let server: Child | undefined;
  try {
    server = await startTgpipeServe(dir, o.durability ? ['--durability', o.durability] : [], ENV);
    const acked = new Uint8Array(o.updates);
    let ackedCount = 0;
    const killAt = Math.max(1, Math.floor(o.updates * (o.killAt ?? 0.5)));
    const victim = server;
    let killed = false;
    const run = startLoad({
      url: server.url,
      count: o.updates,
      connections,
      body: drillBody,
      headers: HEADERS,
      timeBudgetMs: budget,
      onAck: (i) => {
        acked[i] = 1;
        ackedCount += 1;
        if (!killed && ackedCount >= killAt) {
          killed = true;
          victim.child.kill('SIGKILL'); // mid-burst: `connections` requests in flight
          run.stop();
        }
      },
    });
    const phase1 = await run.done;
    await victim.stop('SIGKILL');
    const acknowledgedBeforeKill = ackedCount;

    // Restart on the same folder: every acknowledged update must be in the raw layer.
    server = await startTgpipeServe(dir, o.durability ? ['--durability', o.durability] : [], ENV);
    const { ids } = await rawUpdateIds(dir);
    const inRaw = new Set(ids);
    let missingAfterRestart = 0;
    let inRawUnacknowledged = 0;
    for (let i = 0; i < o.updates; i += 1) {
      if (acked[i] && !inRaw.has(FIRST_ID + i)) missingAfterRestart += 1;
      if (!acked[i] && inRaw.has(FIRST_ID + i)) inRawUnacknowledged += 1;
    }

    // Telegram re-sends whatever it has no 200 for (stored-but-unanswered ones included).
    const rest: number[] = [];
    for (let i = 0; i < o.updates; i += 1) if (!acked[i]) rest.push(i);
    const phase2 = await runLoad({ url: server.url, count: rest.length, indexes: rest, connections, body: drillBody, headers: HEADERS, retry: 'telegram', timeBudgetMs: budget });
    if (phase2.timedOut) throw new Error('re-send after the crash exceeded its time budget');
    await server.stop('SIGTERM');
    server = undefined;
    const counted = await enrichAndCount(dir, o.updates);
    return {
      updates: o.updates,
      acknowledged: acknowledgedBeforeKill + phase2.ok,
      retries: phase2.retries,
      failures: merge(phase1.failures, phase2.failures),
      burstSeconds: round(phase1.seconds + phase2.seconds, 2),
      ...counted,
      seconds: round((performance.now() - started) / 1000, 1),
      acknowledgedBeforeKill,
      missingAfterRestart,
      inRawUnacknowledged,
    };
  } finally {
    await server?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

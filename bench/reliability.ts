/**
 * `npm run bench -- --only reliability`: the faults of issue 17, each tried for real, in one table.
 *
 * - corrupt raw objects (truncated, changed bytes, junk appended, a stored member's byte flipped, not gzip
 *   under a .gz name), one of five objects per day, through the real enrichment: the day builds, every
 *   sound line is found once, the damage is quarantined; then `repairDay` and DuckDB's telegram_raw.
 * - the slow-body attack on `tgpipe serve` (bench/lib/slow-clients.ts): peak RSS and RSS once the
 *   attackers are gone, with a Telegram sender served meanwhile (acknowledged, then found in the raw layer).
 * - the duplicate-key check the webhook runs on every body (core/json-keys.ts): ns per update, beside
 *   the JSON.parse it already does.
 * The burst-with-faults and SIGKILL drills are in the `drills` section (same table format).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { localCatalog, localStores } from '../adapters/local/data-dir';
import { DuckDbEngine } from '../adapters/local/duckdb-engine';
import { storedMember } from '../adapters/local/gzip-members';
import { buildEnvelope, parseUpdateBody } from '../core/envelope';
import { enrichDay } from '../core/enrich';
import { repairDay } from '../core/enrich/repair';
import { hasDuplicateKeys } from '../core/json-keys';
import { createLogger } from '../core/log';
import { rawDayPrefix } from '../schemas';
import { rawUpdateIds } from './lib/drills';
import { startTgpipeServe } from './lib/processes';
import { processMemoryMiB, slowBodyAttack, type SlowBodyResult } from './lib/slow-clients';
import { round } from './lib/stats';
import { syntheticUpdate } from './synthetic';

export interface CorruptObjectFigures {
  readonly fault: string;
  /** Lines of the day as written (all five objects, before the damage). */
  readonly written: number;
  readonly status: string;
  /** Distinct updates in the built day, and those of the sound lines not found. */
  readonly found: number;
  readonly duplicates: number;
  readonly lost: number;
  /** Of `lost`: lines after the damage, in the damaged object only (what the damage took). */
  readonly lostToDamage: number;
  readonly quarantined: number;
  readonly rawRowsAfterRepair: number;
}

const DAY = '2026-03-14';
const CHAT = -1001987654321;
const at = Date.parse(`${DAY}T15:00:00Z`);
const body = (id: number) => JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 1 + (id % 5), is_bot: false, first_name: 'R' }, chat: { id: CHAT, type: 'supergroup', title: 'r' }, date: at / 1000, text: `reliability ${id} ${Math.sin(id)}` } });
const envelopes = (from: number, n: number) => Array.from({ length: n }, (_, i) => buildEnvelope(body(from + i), parseUpdateBody(body(from + i)), at, -180).line).join('');
const PER_MEMBER = 200;

function damaged(fault: string, first: Buffer, second: Buffer): Buffer {
  const whole = Buffer.concat([first, second]);
  const middle = first.length + Math.floor(second.length / 2);
  if (fault === 'truncated') return whole.subarray(0, middle);
  if (fault === 'bytes changed') {
    const b = Buffer.from(whole);
    for (let i = 0; i < 8; i += 1) b[middle + i] = b[middle + i]! ^ 0x5a;
    return b;
  }
  if (fault === 'junk appended') return Buffer.concat([whole, Buffer.from('\u0000garbage appended by a bad copy\n')]);
  if (fault === 'stored member byte flipped') {
    const stored = storedMember(gunzipSync(second));
    const b = Buffer.concat([first, stored]);
    b[first.length + Math.floor(stored.length / 2)] = 0x21;
    return b;
  }
  return gunzipSync(whole); // not gzip at all, named .gz
}

export async function corruptObjectDrill(fault: string): Promise<CorruptObjectFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-corrupt-'));
  try {
    const stores = localStores(dir);
    for (let n = 1; n <= 5; n += 1) {
      const first = gzipSync(envelopes(n * 10_000, PER_MEMBER));
      const second = gzipSync(envelopes(n * 10_000 + PER_MEMBER, PER_MEMBER));
      await stores.raw.write(`${rawDayPrefix(DAY)}part-${n}.json.gz`, n === 3 ? damaged(fault, first, second) : Buffer.concat([first, second]));
    }
    const logger = createLogger({ service: 'bench', level: 'error', write: () => {} });
    const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root };
    const s = await enrichDay(DAY, deps);
    await repairDay(stores.raw, DAY);
    const engine = await DuckDbEngine.open(dir, { threads: 1 });
    let rawRows = -1;
    let distinct = 0;
    let rows = 0;
    const soundIds = new Set<number>();
    for (let n = 1; n <= 5; n += 1) for (let i = 0; i < 2 * PER_MEMBER; i += 1) soundIds.add(n * 10_000 + i);
    let missing = 0;
    let missingInDamaged = 0;
    try {
      rawRows = Number((await engine.query(`SELECT count(*) AS n FROM telegram_raw WHERE "update" IS NOT NULL`))[0]!.n);
      const r = await engine.query('SELECT count(*) AS n, count(DISTINCT update_id) AS d FROM telegram');
      rows = Number(r[0]!.n);
      distinct = Number(r[0]!.d);
      const found = new Set((await engine.query('SELECT update_id FROM telegram')).map((x) => Number(x.update_id)));
      for (const id of soundIds) {
        if (found.has(id)) continue;
        missing += 1;
        if (Math.floor(id / 10_000) === 3) missingInDamaged += 1;
      }
    } finally {
      await engine.close();
    }
    return { fault, written: 5 * 2 * PER_MEMBER, status: s.status, found: distinct, duplicates: rows - distinct, lost: missing - missingInDamaged, lostToDamage: missingInDamaged, quarantined: s.quarantined, rawRowsAfterRepair: rawRows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface DuplicateKeyCost {
  readonly bodies: number;
  readonly meanBytes: number;
  readonly checkNsPerUpdate: number;
  readonly parseNsPerUpdate: number;
}

/** ns per update of the duplicate-key check against JSON.parse, over typical synthetic updates. */
export function duplicateKeyCost(count = 20_000, rounds = 5): DuplicateKeyCost {
  const bodies = Array.from({ length: count }, (_, i) => syntheticUpdate(i));
  const time = (f: (b: string) => unknown): number => {
    let best = Infinity;
    let sink = 0;
    for (let r = 0; r < rounds; r += 1) {
      const t = process.hrtime.bigint();
      for (const b of bodies) if (f(b)) sink += 1;
      best = Math.min(best, Number(process.hrtime.bigint() - t) / bodies.length);
    }
    if (sink < 0) throw new Error('unreachable');
    return best;
  };
  const check = time(hasDuplicateKeys);
  const parse = time((b) => JSON.parse(b));
  return { bodies: count, meanBytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / count), checkNsPerUpdate: round(check, 0), parseNsPerUpdate: round(parse, 0) };
}

export interface SlowBodyFigures extends SlowBodyResult {
  /** RSS `settleMs` after the attackers went (V8 and the allocator give memory back over seconds). */
  readonly rssSettledMiB: number;
  readonly settleMs: number;
  /** Legitimate updates acknowledged during the attack that the raw layer holds (once each). */
  readonly legitFound: number;
  readonly legitDuplicates: number;
}

/**
 * The server is left to finish starting (its RSS grows for a few seconds after it listens) before the
 * attack, so "before" is its idle figure and "after" compares with it, not with a half-started process.
 */
export async function slowBodyDrill(connections: number, durationMs: number, settleMs = 20_000): Promise<SlowBodyFigures | string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-slow-'));
  const secret = 'bench_slow_Secret-0123456789';
  const server = await startTgpipeServe(dir, [], { TELEGRAM_WEBHOOK_SECRET: secret, ALLOWED_CHAT_IDS: String(CHAT) });
  try {
    if (!processMemoryMiB(server.child.pid!)) return 'no /proc: the server process memory cannot be read';
    await new Promise((r) => setTimeout(r, 3_000));
    let i = 0;
    const acknowledged: number[] = [];
    const r = await slowBodyAttack({
      url: server.url,
      pid: server.child.pid!,
      connections,
      durationMs,
      legit: async () => {
        const id = 7_000_000 + (i += 1);
        try {
          const res = await fetch(`${server.url}/webhook`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': secret, 'content-type': 'application/json' }, body: body(id) });
          if (res.status === 200) acknowledged.push(id);
          return res.status;
        } catch {
          return 0;
        }
      },
    });
    await new Promise((r) => setTimeout(r, Math.max(0, settleMs - 1_000)));
    const settled = processMemoryMiB(server.child.pid!)?.rss ?? NaN;
    await server.stop('SIGTERM');
    const { ids } = await rawUpdateIds(dir);
    const counts = new Map<number, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    return { ...r, rssSettledMiB: settled, settleMs, legitFound: acknowledged.filter((id) => counts.get(id) === 1).length, legitDuplicates: [...counts.values()].filter((c) => c > 1).length };
  } finally {
    await server.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

export const CORRUPT_FAULTS = ['truncated', 'bytes changed', 'junk appended', 'stored member byte flipped', 'not gzip (.gz name)'] as const;

export async function runReliabilityBench(o: { quick: boolean }): Promise<{ corrupt: CorruptObjectFigures[]; slowBody: SlowBodyFigures | string; duplicateKeys: DuplicateKeyCost }> {
  // First, before any child process loads the machine: a CPU figure.
  const duplicateKeys = duplicateKeyCost();
  const corrupt: CorruptObjectFigures[] = [];
  for (const fault of CORRUPT_FAULTS) corrupt.push(await corruptObjectDrill(fault));
  const slowBody = await slowBodyDrill(o.quick ? 200 : 600, o.quick ? 4_000 : 8_000, o.quick ? 5_000 : 20_000);
  return { corrupt, slowBody, duplicateKeys };
}

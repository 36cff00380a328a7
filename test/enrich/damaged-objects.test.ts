/**
 * One damaged raw object never costs a day (issue 17): real gzip files damaged the ways disks, copies and
 * uploads damage them, through the real enrichment, then `repairDay` and DuckDB's telegram_raw view.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { repairDay } from '../../core/enrich/repair';
import { memoryLogger } from '../../core/log';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { damagedKey, damageNoteKey, quarantineKey, rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { ALLOWED_CHATS } from '../support/fixtures';

const DAY = '2026-03-14';
const PER_MEMBER = 100;
let dir: string;
let stores: LocalStores;
const deps = (logger = memoryLogger('enrich')) => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root });
const at = Date.parse(`${DAY}T15:00:00Z`);
const message = (id: number) =>
  JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 1000 + (id % 7), is_bot: false, first_name: `U${id % 7}` }, chat: { id: ALLOWED_CHATS[0], type: 'supergroup', title: 'g' }, date: at / 1000, text: `message ${id} ${'x'.repeat(id % 50)} ${Math.sin(id)}` } });
const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => buildEnvelope(message(from + i), parseUpdateBody(message(from + i)), at, -180).line).join('');
/** An object of two gzip members (as the local Firehose writes several), 2 x PER_MEMBER updates. */
const object = (n: number): { bytes: Buffer; first: Buffer } => {
  const first = gzipSync(lines(n * 1000, PER_MEMBER));
  return { bytes: Buffer.concat([first, gzipSync(lines(n * 1000 + PER_MEMBER, PER_MEMBER))]), first };
};
const key = (n: number) => `${rawDayPrefix(DAY)}part-${n}.json.gz`;

type Damage = 'truncated' | 'flipped' | 'junk' | 'not_gzip';
function damage(kind: Damage, o: { bytes: Buffer; first: Buffer }): Buffer {
  const secondStart = o.first.length;
  const middle = secondStart + Math.floor((o.bytes.length - secondStart) / 2);
  if (kind === 'truncated') return o.bytes.subarray(0, middle);
  if (kind === 'flipped') {
    const b = Buffer.from(o.bytes);
    for (let i = 0; i < 4; i += 1) b[middle + i] = b[middle + i]! ^ 0xa5;
    return b;
  }
  if (kind === 'junk') return Buffer.concat([o.bytes, Buffer.from('\u0000\u0001 some junk that is not gzip \n')]);
  return gunzipSync(o.bytes); // the lines, uncompressed, under a .gz name
}

async function writeDay(kind: Damage): Promise<{ damagedBytes: Buffer }> {
  let damagedBytes: Buffer = Buffer.alloc(0);
  for (let n = 1; n <= 5; n += 1) {
    const o = object(n);
    const bytes = n === 3 ? damage(kind, o) : o.bytes;
    if (n === 3) damagedBytes = bytes;
    await stores.raw.write(key(n), bytes);
  }
  return { damagedBytes };
}

const rawCount = async (): Promise<number> => {
  const engine = await DuckDbEngine.open(dir, { threads: 1 });
  try {
    return Number((await engine.query('SELECT count(*) AS n FROM telegram_raw WHERE "update" IS NOT NULL'))[0]!.n);
  } finally {
    await engine.close();
  }
};

const quarantined = async () =>
  duckQuery(`SELECT object, reason, damage, "offset" AS "offset", line FROM read_json('${join(stores.enriched.root, quarantineKey(DAY))}', format='newline_delimited', columns={object:'VARCHAR', reason:'VARCHAR', damage:'VARCHAR', "offset":'BIGINT', line:'BIGINT'})`);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'damaged-'));
  stores = localStores(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('a damaged raw object', () => {
  for (const kind of ['truncated', 'flipped', 'junk'] as const) {
    it(`${kind}: the day builds with every whole member and line before the damage, the damage quarantined and counted; repair makes telegram_raw read the day`, async () => {
      const { damagedBytes } = await writeDay(kind);
      const logger = memoryLogger('enrich');
      const s = await enrichDay(DAY, deps(logger));
      // Four sound objects and the damaged one's first member, whatever the damage in its second.
      expect(s.status).toBe('built');
      expect(s.rows.telegram).toBeGreaterThanOrEqual(4 * 2 * PER_MEMBER + PER_MEMBER);
      if (kind === 'junk') expect(s.rows.telegram).toBe(5 * 2 * PER_MEMBER);
      if (kind === 'truncated') expect(s.rows.telegram).toBeGreaterThan(4 * 2 * PER_MEMBER + PER_MEMBER);
      expect(s.rows.telegram + s.rows.telegram_events + s.duplicates + s.quarantined + s.erased).toBe(s.lines);
      const q = await quarantined();
      const damageRecords = q.filter((r) => r.reason === 'damaged_object');
      expect(damageRecords.length).toBeGreaterThanOrEqual(1);
      expect(damageRecords.every((r) => r.object === key(3))).toBe(true);
      expect(Number(damageRecords[0]!.offset)).toBeGreaterThanOrEqual(object(3).first.length);
      expect(Number(damageRecords[0]!.offset)).toBeLessThanOrEqual(damagedBytes.length);
      expect(logger.lines.some((l) => l.event === 'damaged_object' && l.object === key(3))).toBe(true);

      // DuckDB fails on some damaged gzip objects and reads others short (Athena fails the query): repair
      // replaces the object by its readable lines and keeps the original outside the table's folder.
      const dry = await repairDay(stores.raw, DAY, { dryRun: true });
      expect(dry.repaired.map((r) => r.key)).toEqual([key(3)]);
      expect(await stores.raw.readSmall(damagedKey(key(3)))).toBeUndefined();
      const report = await repairDay(stores.raw, DAY);
      expect(report).toMatchObject({ checked: 5, repaired: [{ key: key(3), kind: 'damaged', original: damagedKey(key(3)) }] });
      expect(await readFile(join(stores.raw.root, damagedKey(key(3))))).toEqual(damagedBytes);
      await stat(join(stores.raw.root, damageNoteKey(key(3))));
      expect(await rawCount()).toBe(4 * 2 * PER_MEMBER + report.repaired[0]!.readableLines);

      // The rebuilt day counts the same: the repair's note carries what the damage set aside.
      const again = await enrichDay(DAY, deps());
      expect(again.status).toBe('built');
      expect({ rows: again.rows, lines: again.lines, quarantined: again.quarantined }).toEqual({ rows: s.rows, lines: s.lines, quarantined: s.quarantined });
      expect((await quarantined()).filter((r) => r.reason === 'damaged_object').length).toBe(damageRecords.length);
      // Repairing again finds nothing.
      expect((await repairDay(stores.raw, DAY)).repaired).toEqual([]);
    });
  }

  it('not gzip under a .gz name: the enrichment reads it; telegram_raw fails until repair compresses it, every line kept', async () => {
    await writeDay('not_gzip');
    const s = await enrichDay(DAY, deps());
    expect(s).toMatchObject({ status: 'built', rows: { telegram: 5 * 2 * PER_MEMBER }, quarantined: 0 });
    await expect(rawCount()).rejects.toThrow();
    const report = await repairDay(stores.raw, DAY);
    expect(report.repaired).toMatchObject([{ key: key(3), kind: 'not_gzip', readableLines: 2 * PER_MEMBER, setAside: 0 }]);
    expect(await rawCount()).toBe(5 * 2 * PER_MEMBER);
    const again = await enrichDay(DAY, deps());
    expect(again).toMatchObject({ status: 'built', rows: { telegram: 5 * 2 * PER_MEMBER }, quarantined: 0 });
  });
});

describe('erasure and damaged objects', () => {
  const tg = async (...argv: string[]) => {
    let out = '';
    const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (out += t), env: {} });
    return { code, out };
  };

  it('an erasure over a damaged object says to repair first; after repair it removes the kept originals and the notes naming the person', async () => {
    await writeDay('truncated');
    const user = 1000 + 3; // every 7th update is theirs, in every object
    const refused = await tg('erase', '--user', String(user), '--data', dir);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/part-3\.json\.gz is damaged .*run tgpipe repair --date 2026-03-14 first/);
    await repairDay(stores.raw, DAY);
    expect(existsSync(join(stores.raw.root, damagedKey(key(3))))).toBe(true);
    const erased = await tg('erase', '--user', String(user), '--data', dir);
    expect(erased.code, erased.out).toBe(0);
    expect(existsSync(join(stores.raw.root, damagedKey(key(3))))).toBe(false);
    const rows = await duckQuery(`SELECT count(*) AS n FROM read_parquet('${join(stores.enriched.root, 'telegram', `context_date=${DAY}`, 'part-00000.parquet')}') WHERE user_id = ${user}`);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

/**
 * Defence in depth of the day pipeline: flattening is total over updates (flatten-fuzz.test.ts proves it
 * on generated input), but should a future change break that, one record is set aside, not the day. The
 * fault is injected into flattening (our own module, replaced for two update ids only); the folders, the
 * Parquet writer and DuckDB are real.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { enrichDay } from '../../core/enrich';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { memoryLogger } from '../../core/log';
import { enrichedDayKey, quarantineKey, rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';

const THROWS = 902;
const MISFIT = 904;

vi.mock('../../core/flatten', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../core/flatten')>();
  return {
    ...real,
    flattenUpdate: (update: { update_id: number }, receivedAt?: number) => {
      if (update.update_id === THROWS) throw new TypeError("Cannot read properties of null (reading 'id')");
      const flat = real.flattenUpdate(update as never, receivedAt);
      return update.update_id === MISFIT ? { ...flat, row: { ...flat.row, message_id: 'not a number' } } : flat;
    },
  };
});

const DAY = '2026-03-14';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'containment-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('a record the flattening cannot handle', () => {
  it('is set aside with its reason, and every other record of the day is written', async () => {
    const stores = localStores(dir);
    const ids = [901, THROWS, 903, MISFIT, 905];
    const body = (id: number) => JSON.stringify({ update_id: id, message: { message_id: id, chat: { id: -100123, type: 'supergroup' }, date: Date.parse(`${DAY}T12:00:00Z`) / 1000, text: `secret text ${id}` } });
    const lines = ids.map((id) => buildEnvelope(body(id), parseUpdateBody(body(id)), Date.parse(`${DAY}T12:00:01Z`), -180).line);
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, lines.join(''));
    const logger = memoryLogger();
    const summary = await enrichDay(DAY, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root });

    expect(summary).toMatchObject({ status: 'built', lines: 5, quarantined: 2, duplicates: 0, rows: { telegram: 3, telegram_events: 0 } });
    const rows = await duckQuery(`SELECT update_id FROM read_parquet('${join(stores.enriched.root, enrichedDayKey('telegram', DAY))}') ORDER BY update_id`);
    expect(rows.map((r) => Number(r.update_id))).toEqual([901, 903, 905]);
    const kept = await duckQuery(`SELECT reason, detail, line, record FROM read_json('${join(stores.enriched.root, quarantineKey(DAY))}', format='newline_delimited') ORDER BY line`);
    expect(kept.map((k) => [k.reason, Number(k.line)])).toEqual([['flatten_failed', 2], ['column_misfit', 4]]);
    expect(kept[0]!.detail).toContain("reading 'id'");
    expect(kept[1]!.detail).toBe('telegram.message_id cannot hold this string');
    // The records are kept as they were read, for a fix and a replay.
    expect(kept.map((k) => k.record)).toEqual([lines[1]!.trimEnd(), lines[3]!.trimEnd()]);
    // Logged one by one with the reason, never with the message text.
    const logged = logger.lines.filter((l) => l.event === 'quarantined_record');
    expect(logged.map((l) => l.reason)).toEqual(['flatten_failed', 'column_misfit']);
    expect(JSON.stringify(logger.lines)).not.toContain('secret text');
  });
});

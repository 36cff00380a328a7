/**
 * An upgrade across schema versions: days built before a column was added (their Parquet lacks it) and
 * days built after, side by side in one data folder. The local engine reads both (the old days' new
 * columns as NULL), as Athena does once `cdk deploy` added the columns to Glue; rebuilding an old day
 * fills them. Real folders, the real Parquet writer and DuckDB.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { enrichDay } from '../../core/enrich';
import { TableWriter } from '../../core/enrich/table-writer';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { flattenUpdate } from '../../core/flatten';
import { memoryLogger } from '../../core/log';
import { defineTable, enrichedDayKey, rawDayPrefix, SCHEMA_VERSION, telegramTable } from '../../schemas';

const OLD_DAY = '2026-02-01';
const NEW_DAY = '2026-02-02';
const ephemeral = (day: string, id: number) =>
  JSON.stringify({ update_id: id, message: { message_id: 0, ephemeral_message_id: 40 + id, chat: { id: -100123, type: 'supergroup' }, date: Date.parse(`${day}T15:00:00Z`) / 1000, text: `m${id}` } });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schema-upgrade-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('days of two schema versions in one folder', () => {
  it('read together, the older days with NULL in the newer columns, until they are rebuilt', async () => {
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    const stores = localStores(dir);
    const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root };
    for (const [day, id] of [[OLD_DAY, 1], [NEW_DAY, 2]] as const) {
      const body = ephemeral(day, id);
      await stores.raw.write(`${rawDayPrefix(day)}a.json`, buildEnvelope(body, parseUpdateBody(body), Date.parse(`${day}T15:00:01Z`), -180).line);
    }
    // The old day as the first release wrote it: only the version-1 columns.
    const v1Table = defineTable('telegram', 'version 1', telegramTable.columns.filter((c) => c.since === 1));
    const writer = new TableWriter(v1Table, dir);
    const { row } = flattenUpdate(JSON.parse(ephemeral(OLD_DAY, 1)), undefined);
    await writer.append(Object.fromEntries(v1Table.columns.map((c) => [c.name, row[c.name]])));
    await stores.enriched.write(enrichedDayKey('telegram', OLD_DAY), createReadStream((await writer.close())!));
    await enrichDay(NEW_DAY, deps);

    const read = async () => {
      const engine = await DuckDbEngine.open(dir);
      try {
        return await engine.query('SELECT CAST(context_date AS VARCHAR) AS day, message_id, ephemeral_message_id, text FROM telegram ORDER BY context_date');
      } finally {
        await engine.close();
      }
    };
    expect((await read()).map((r) => [r.day, Number(r.message_id), r.ephemeral_message_id === null ? null : Number(r.ephemeral_message_id), r.text])).toEqual([
      [OLD_DAY, 0, null, 'm1'],
      [NEW_DAY, 0, 42, 'm2'],
    ]);
    await enrichDay(OLD_DAY, deps, { force: true });
    expect((await read()).map((r) => Number(r.ephemeral_message_id))).toEqual([41, 42]);
  });
});

import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flattenUpdate } from '../../core/flatten';
import { fastShredSelfCheck, FlatShredder, RowMisfitError, TableWriter } from '../../core/enrich/table-writer';
import { telegramEventsTable, telegramTable, type Row, type TableSchema } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { loadFixtures } from '../support/fixtures';

const fixtures = loadFixtures();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'table-writer-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Rows of a table: every fixture of it, then variations (nulls, odd values) to cross page and group limits. */
function rowsOf(table: TableSchema): Row[] {
  const base = fixtures.map((f) => flattenUpdate(f.update as never, 1_780_000_000_123)).filter((r) => r.table === table.name).map((r) => r.row);
  const rows: Row[] = [];
  for (let i = 0; i < 60; i += 1) {
    const row = { ...base[i % base.length]! };
    if (i % 7 === 3) for (const c of table.columns.slice(1)) row[c.name] = null;
    if (i % 11 === 5) row.update_id = -0;
    rows.push(row);
  }
  return rows;
}

async function write(table: TableSchema, rows: Row[], fastShred: boolean): Promise<Buffer> {
  const writer = new TableWriter(table, dir, { fastShred, writerOptions: { rowGroupSize: 9, pageSize: 4 } });
  for (const row of rows) await writer.append(row);
  const path = (await writer.close())!;
  return readFile(path);
}

describe('TableWriter fast shredding', () => {
  it.each([telegramTable, telegramEventsTable])('writes byte for byte what the stock appendRow writes ($name)', async (table) => {
    expect(await fastShredSelfCheck(table)).toBeUndefined();
    const rows = rowsOf(table);
    const fast = await write(table, rows, true);
    const stock = await write(table, rows, false);
    expect(fast.equals(stock)).toBe(true);
  });

  it('takes most rows on the fast path and the page/group boundaries on the stock one', async () => {
    const writer = new TableWriter(telegramTable, dir, { writerOptions: { rowGroupSize: 100, pageSize: 1000 } });
    const rows = rowsOf(telegramTable);
    let slow = 0;
    for (const row of rows) {
      const pending = writer.append(row);
      if (pending) {
        slow += 1;
        await pending;
      }
    }
    // Only the first row (it opens the writer): 61 rows cross no page or group boundary here.
    expect(slow).toBe(1);
    expect(writer.rows).toBe(rows.length);
    const path = (await writer.close())!;
    const [{ n }] = (await duckQuery(`SELECT count(*)::INT AS n FROM read_parquet('${path}')`)) as [{ n: number }];
    expect(n).toBe(rows.length);
  });

  it('refuses a row it cannot shred exactly, leaving the buffer untouched', async () => {
    const writer = new TableWriter(telegramTable, dir);
    await writer.append(rowsOf(telegramTable)[0]!);
    const shredder = (writer as unknown as { shredder: FlatShredder }).shredder;
    const before = JSON.stringify((writer as unknown as { writer: { rowBuffer: unknown } }).writer.rowBuffer);
    for (const bad of [{ text: 5 }, { user_is_bot: 'yes' }, { text_length: 2 ** 40 }, { message_ts: new Date(Number.NaN) }, { user_id: 1.5 }]) {
      expect(shredder.tryAppend({ ...rowsOf(telegramTable)[0]!, ...bad } as Row)).toBe(false);
    }
    expect(JSON.stringify((writer as unknown as { writer: { rowBuffer: unknown } }).writer.rowBuffer)).toBe(before);
    await writer.close();
  });

  it.each([true, false])('refuses a row with a value its column cannot hold, whole, and goes on (fast path %s)', async (fastShred) => {
    const writer = new TableWriter(telegramTable, dir, { fastShred, writerOptions: { rowGroupSize: 9, pageSize: 4 } });
    const rows = rowsOf(telegramTable).slice(0, 20);
    const misfits: Array<[string, unknown]> = [['update_id', '123'], ['text', 5], ['text_length', 2 ** 40], ['message_ts', new Date(Number.NaN)], ['user_id', 1.5]];
    for (const [i, row] of rows.entries()) {
      await writer.append(row);
      const [column, value] = misfits[i % misfits.length]!;
      const refused = writer.append({ ...row, [column]: value } as Row);
      await expect(refused).rejects.toBeInstanceOf(RowMisfitError);
      await expect(refused).rejects.toMatchObject({ table: 'telegram', column });
    }
    expect(writer.rows).toBe(rows.length);
    const path = (await writer.close())!;
    const read = await duckQuery(`SELECT update_id, text FROM read_parquet('${path}')`);
    expect(read.map((r) => Number(r.update_id))).toEqual(rows.map((r) => Number(r.update_id) + 0)); // -0 reads back as 0
    expect(read.map((r) => r.text)).toEqual(rows.map((r) => r.text));
  });

  it('TGPIPE_PARQUET_FAST_SHRED=0 turns the fast path off', async () => {
    const previous = process.env.TGPIPE_PARQUET_FAST_SHRED;
    process.env.TGPIPE_PARQUET_FAST_SHRED = '0';
    try {
      const writer = new TableWriter(telegramTable, dir);
      await writer.append(rowsOf(telegramTable)[0]!);
      expect(writer.append(rowsOf(telegramTable)[1]!)).toBeInstanceOf(Promise);
      await writer.close();
    } finally {
      if (previous === undefined) delete process.env.TGPIPE_PARQUET_FAST_SHRED;
      else process.env.TGPIPE_PARQUET_FAST_SHRED = previous;
    }
  });
});

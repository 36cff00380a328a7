/**
 * The engine's fast row path (plain column types, made column by column) gives exactly what the value
 * converter gives, on a real DuckDB: integers beyond 2^53 as text, HUGEINT sums, NaN and Infinity, NULLs;
 * a result with any other type (DATE, LIST) is left to the converter.
 */
import { describe, expect, it } from 'vitest';
import { fastRows, plainValueConverter } from '../../adapters/local/duckdb-values';

const SQL = `SELECT * FROM (VALUES
  (true, 1::TINYINT, 7::INTEGER, 9007199254740993::BIGINT, 1.5::DOUBLE, 'olá'::VARCHAR, 2::UBIGINT),
  (NULL, NULL, -3::INTEGER, -42::BIGINT, 'NaN'::DOUBLE, NULL, NULL),
  (false, 0::TINYINT, NULL, NULL, 'Infinity'::DOUBLE, '', 18446744073709551615::UBIGINT)
) t(b, ti, i, bi, d, s, ub), (SELECT sum(x)::HUGEINT AS h FROM range(3) r(x))`;

describe('fastRows', () => {
  it('equals the converter on plain types, and declines other types', async () => {
    const duck = await import('@duckdb/node-api');
    const db = await duck.DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const result = await con.runAndReadAll(SQL);
      const names = result.columnNames();
      const slow = result.convertRows(plainValueConverter(duck)).map((row) => Object.fromEntries(row.map((v, i) => [names[i]!, v])));
      const fast = fastRows(duck, result);
      expect(fast).toEqual(slow);
      expect(fast![0]!.bi).toBe('9007199254740993');
      expect(fast![2]!.ub).toBe('18446744073709551615');
      expect(fast![0]!.h).toBe(3);
      expect(Number.isNaN(fast![1]!.d)).toBe(true);
      expect(fastRows(duck, await con.runAndReadAll(`SELECT DATE '2026-01-01' AS d, [1, 2] AS l`))).toBeUndefined();
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });
});

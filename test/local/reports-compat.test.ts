/**
 * The local engine gives Athena's (Trino's) answers: the SQL rewrite on its own, then the answers DuckDB
 * gives through it. Expected values are Trino's documented behaviour, not DuckDB's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaCompatError, toDuckDbSql, translateDateFormat } from '../../adapters/local/athena-compat';
import { DuckDbEngine, RAW_TABLE } from '../../adapters/local/duckdb-engine';
import { ENRICHED_TABLES, glueColumns, rawTable } from '../../schemas';
import { tempDataDir } from './reports-support';

describe('toDuckDbSql (pure rewrite)', () => {
  it('turns EXTRACT(dow) into ISO weekdays and leaves strings, comments and quoted names alone', () => {
    expect(toDuckDbSql('SELECT EXTRACT(dow FROM d) FROM t')).toBe('SELECT EXTRACT(isodow FROM d) FROM t');
    expect(toDuckDbSql('select extract( DOW from d )')).toBe('select extract( isodow from d )');
    expect(toDuckDbSql('SELECT EXTRACT(day_of_week FROM d), EXTRACT(doy FROM d), EXTRACT(yow FROM d)')).toBe(
      'SELECT EXTRACT(isodow FROM d), EXTRACT(doy FROM d), EXTRACT(isoyear FROM d)',
    );
    const untouched = `SELECT 'EXTRACT(dow FROM x)' AS "EXTRACT(dow FROM y)" -- EXTRACT(dow FROM z)\nFROM t /* date_format(a, '%i') */`;
    expect(toDuckDbSql(untouched)).toBe(untouched);
    expect(toDuckDbSql('SELECT EXTRACT(week FROM CAST(EXTRACT(dow FROM d) AS varchar))')).toContain('EXTRACT(isodow FROM d)');
  });

  it('translates date_format MySQL codes to strftime codes', () => {
    expect(translateDateFormat('%Y-%m-%d %H:%i:%s')).toBe('%Y-%m-%d %H:%M:%S');
    expect(translateDateFormat('%W %a %b %M %c/%e %k:%i %l%p %j %v/%x %T %r %y %f %%')).toBe(
      '%A %a %b %B %-m/%-d %-H:%M %-I%p %j %V/%G %H:%M:%S %I:%M:%S %p %y %f %%',
    );
    expect(translateDateFormat('week %Q')).toBe('week Q'); // Trino prints an unknown %x as x
    for (const code of ['D', 'U', 'u', 'V', 'w', 'X']) expect(() => translateDateFormat(`%${code}`)).toThrow(AthenaCompatError);
    expect(toDuckDbSql(`SELECT date_format(from_unixtime("date"),'%Y-%m-%d %H:%i:%s') FROM telegram`)).toBe(
      `SELECT strftime(from_unixtime("date"), '%Y-%m-%d %H:%M:%S') FROM telegram`,
    );
    expect(() => toDuckDbSql('SELECT date_format(x, fmt) FROM t')).toThrow(/string literal/);
  });

  it('rounds integer casts of doubles half away from zero, as Trino does', () => {
    const sql = toDuckDbSql('SELECT CAST(AVG(length(text)) AS INT) AS a FROM telegram');
    expect(sql).toBe(
      "SELECT (CASE WHEN typeof(AVG(length(text))) IN ('DOUBLE', 'FLOAT') THEN CAST(round(TRY_CAST(AVG(length(text)) AS DOUBLE)) AS INT) ELSE CAST(AVG(length(text)) AS INT) END) AS a FROM telegram",
    );
    expect(toDuckDbSql('SELECT CAST(x AS timestamp), CAST(y AS varchar)')).toBe('SELECT CAST(x AS timestamp), CAST(y AS varchar)');
  });

  it('refuses what it cannot make answer as Athena does', () => {
    expect(() => toDuckDbSql("SELECT format('%s', x)")).toThrow(/Java format/);
    expect(() => toDuckDbSql('SELECT greatest(a, b)')).toThrow(/NULL/);
    expect(() => toDuckDbSql('SELECT EXTRACT(epoch FROM ts)')).toThrow(/not an Athena field/);
    expect(() => toDuckDbSql('SELECT EXTRACT(isodow FROM ts)')).toThrow(/not an Athena field/);
    expect(() => toDuckDbSql('SELECT 100.0 * a / b FROM t')).toThrow(/1\.0 \/ 3 = 0\.3/);
    expect(() => toDuckDbSql('SELECT CAST(a AS decimal(10,2)) / b FROM t')).toThrow(AthenaCompatError);
    expect(() => toDuckDbSql('SELECT a / b, 1.5 * c FROM t')).toThrow(AthenaCompatError); // conservative: any division
    expect(toDuckDbSql('SELECT 100e0 * a / b FROM t /* 1.0 / 3 */')).toBe('SELECT 100e0 * a / b FROM t /* 1.0 / 3 */');
    expect(toDuckDbSql('SELECT 1.5 * c FROM t')).toBe('SELECT 1.5 * c FROM t');
    expect(() => toDuckDbSql("SELECT 'unterminated")).toThrow(AthenaCompatError);
  });
});

describe('DuckDB engine answers as Athena', () => {
  let engine: DuckDbEngine;
  let cleanup: () => Promise<void>;
  const one = async (sql: string): Promise<unknown> => {
    const rows = await engine.query(sql);
    return Object.values(rows[0]!)[0];
  };

  beforeAll(async () => {
    const data = await tempDataDir();
    cleanup = data.cleanup;
    engine = await DuckDbEngine.open(data.dir); // an empty data folder
  });
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  it('EXTRACT(dow) is 7 on a Sunday and 1 on a Monday (Trino), not DuckDB 0 and 1', async () => {
    // 2024-06-02 was a Sunday, 2024-06-03 a Monday.
    expect(new Date('2024-06-02T12:00:00Z').getUTCDay()).toBe(0);
    expect(await one(`SELECT EXTRACT(dow FROM DATE '2024-06-02') AS d`)).toBe(7);
    expect(await one(`SELECT EXTRACT(dow FROM DATE '2024-06-03') AS d`)).toBe(1);
    expect(await one(`SELECT EXTRACT(DAY_OF_WEEK FROM TIMESTAMP '2024-06-02 23:59:59') AS d`)).toBe(7);
    expect(await one(`SELECT day_of_week(DATE '2024-06-02') AS d`)).toBe(7);
    expect(await one(`SELECT dow(from_unixtime(${Date.parse('2024-06-03T00:00:00Z') / 1000})) AS d`)).toBe(1);
    // The seed's path: from_unixtime -> date_format -> CAST AS timestamp -> EXTRACT.
    const sunday = Date.parse('2024-06-02T21:30:00Z') / 1000;
    const [row] = await engine.query(`WITH p AS (SELECT CAST(date_format(from_unixtime(${sunday}),'%Y-%m-%d %H:%i:%s') AS timestamp) AS t)
      SELECT EXTRACT(hour FROM t) AS h, EXTRACT(dow FROM t) AS d, EXTRACT(week FROM t) AS w FROM p`);
    expect(row).toEqual({ h: 21, d: 7, w: 22 });
  });

  it('date_format reads %i as minutes and %s as seconds, in UTC', async () => {
    const t = Date.parse('2024-06-02T13:45:07Z') / 1000; // month 06, minute 45, second 07
    expect(await one(`SELECT date_format(from_unixtime(${t}), '%Y-%m-%d %H:%i:%s') AS s`)).toBe('2024-06-02 13:45:07');
    expect(await one(`SELECT date_format(from_unixtime(${t}), '%W %e %M %Y, %l:%i %p') AS s`)).toBe('Sunday 2 June 2024, 1:45 PM');
    expect(await one(`SELECT date_format(from_unixtime(${t}), '%v/%x') AS s`)).toBe('22/2024');
    expect(await one(`SELECT date_parse('2024-06-02 13:45:07', '%Y-%m-%d %H:%i:%s') = TIMESTAMP '2024-06-02 13:45:07' AS s`)).toBe(true);
    expect(await one(`SELECT hour(from_unixtime(0)) AS h`)).toBe(0);
    expect(await one(`SELECT to_unixtime(from_unixtime(${t})) AS u`)).toBe(t);
  });

  it('CAST(AVG(...) AS INT) rounds .5 away from zero like Trino (DuckDB alone: half to even)', async () => {
    const avg = async (values: number[]) => one(`SELECT CAST(AVG(x) AS INT) AS a FROM (VALUES ${values.map((v) => `(${v})`).join(', ')}) AS t(x)`);
    expect(await avg([2, 3])).toBe(3); // 2.5
    expect(await avg([1, 2])).toBe(2); // 1.5
    expect(await avg([4, 5])).toBe(5); // 4.5: half-to-even would give 4
    expect(await avg([-2, -3])).toBe(-3); // -2.5
    expect(await avg([1, 1, 2])).toBe(1); // 1.33
    expect(await one(`SELECT CAST(AVG(x) AS INT) AS a FROM (VALUES (CAST(NULL AS INTEGER))) AS t(x)`)).toBe(null);
    expect(await one(`SELECT CAST(0.5e0 AS INTEGER) AS a`)).toBe(1);
    expect(await one(`SELECT CAST(2.5e0 AS BIGINT) AS a`)).toBe(3);
    expect(await one(`SELECT TRY_CAST(6.5e0 AS SMALLINT) AS a`)).toBe(7);
    // Other operand types cast as before.
    expect(await one(`SELECT CAST('12' AS INTEGER) AS a`)).toBe(12);
    expect(await one(`SELECT CAST(true AS INTEGER) AS a`)).toBe(1);
    expect(await one(`SELECT CAST(CAST(9007199254740993 AS BIGINT) AS BIGINT) AS a`)).toBe('9007199254740993');
  });

  it('has Trino arithmetic, weeks, lengths, JSON and string functions', async () => {
    expect(await one('SELECT 5 / 2 AS q')).toBe(2); // integer division
    expect(await one('SELECT 5 / 2e0 AS q')).toBe(2.5);
    expect(await one(`SELECT EXTRACT(week FROM DATE '2021-01-03') AS w`)).toBe(53); // ISO week
    expect(await one(`SELECT EXTRACT(week FROM DATE '2024-12-30') AS w`)).toBe(1);
    expect(await one(`SELECT MONTH(DATE '2024-06-02') AS m`)).toBe(6);
    expect(await one(`SELECT length('👍🏽 ok') AS n`)).toBe(5); // code points
    expect(await one(`SELECT json_extract_scalar('{"a":{"b":"x"}}', '$.a.b') AS v`)).toBe('x');
    expect(await one(`SELECT json_extract_scalar('{"a":{"b":"x"}}', '$.a') AS v`)).toBe(null);
    expect(await one(`SELECT concat('a', NULL, 'b') AS v`)).toBe(null);
    expect(await one(`SELECT concat('a', 'b', 'c') AS v`)).toBe('abc');
    expect(await one(`SELECT regexp_extract('abc', 'x+') AS v`)).toBe(null);
    expect(await one(`SELECT regexp_extract('a12b', '[0-9]+') AS v`)).toBe('12');
    expect(await one(`SELECT date_diff('day', TIMESTAMP '2024-06-01 23:00:00', TIMESTAMP '2024-06-02 01:00:00') AS v`)).toBe(0);
    expect(await one(`SELECT date_diff('day', DATE '2024-06-01', DATE '2024-06-03') AS v`)).toBe(2);
    expect(await one(`SELECT count_if(x > 1) AS v FROM (VALUES (1), (2), (3)) AS t(x)`)).toBe(2);
    expect(await one(`SELECT max_by(x, y) AS v FROM (VALUES ('a', 1), ('b', 2)) AS t(x, y)`)).toBe('b');
  });

  it('an empty data folder has the Glue tables, typed from schemas/, and empty', async () => {
    for (const table of ENRICHED_TABLES) {
      const described = await engine.query(`DESCRIBE ${table.name}`);
      expect(described.map((c) => c.column_name)).toEqual([...glueColumns(table).map((c) => c.name), 'context_date']);
      expect(described.at(-1)!.column_type).toBe('DATE');
      expect(await engine.query(`SELECT count(1) AS n FROM ${table.name}`)).toEqual([{ n: 0 }]);
    }
    const raw = await engine.query(`DESCRIBE ${RAW_TABLE}`);
    expect(raw.map((c) => c.column_name)).toEqual(['received_at', 'update', 'unparsed', 'export', 'sample', 'context_date']);
  });

  it('the raw view has the raw table\'s columns and types (schemas/raw.ts, as Glue has them)', async () => {
    const raw = await engine.query(`DESCRIBE ${RAW_TABLE}`);
    expect(RAW_TABLE).toBe(rawTable.name);
    const duck: Record<string, string> = { bigint: 'BIGINT', string: 'VARCHAR' };
    expect(raw.map((c) => [c.column_name, c.column_type])).toEqual([...rawTable.columns.map((c) => [c.name, duck[c.type]]), ['context_date', 'DATE']]);
  });

  it('reports a refusal as an error before running anything', async () => {
    await expect(engine.query('SELECT greatest(1, NULL) AS g')).rejects.toThrow(AthenaCompatError);
  });
});

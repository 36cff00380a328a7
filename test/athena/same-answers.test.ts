/**
 * The Athena engine and DuckDbEngine give the same JavaScript values for the same SQL over the same data.
 * DuckDB runs each query for real over a data folder built by the pipeline (tests/local/reports-support);
 * the Athena side is aws-sdk-client-mock answering with the cells as Athena prints them for that data,
 * written out by hand below (types from ColumnInfo, strings on the wire, NULL as a missing value).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaEngine } from '../../adapters/aws/athena';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { findReport, renderReportSql } from '../../reports';
import { fakeAthena, type AthenaAnswer } from '../support/athena-fake';
import { buildDataset, tempDataDir } from '../local/reports-support';

const athena = mockClient(AthenaClient);
let duck: DuckDbEngine;
let cleanup: () => Promise<void>;

const chat = { id: -1005550001, title: 'Grupo', type: 'supergroup' };
const ana = { id: 7, is_bot: false, first_name: 'Zé, "o" Ana' };
const bob = { id: 8, is_bot: false, first_name: 'Bob' };
const base = Date.parse('2024-06-02T12:00:00Z') / 1000; // 09:00 at -03:00

beforeAll(async () => {
  const tmp = await tempDataDir('tgpipe-athena-same-');
  cleanup = tmp.cleanup;
  await buildDataset(
    tmp.dir,
    [
      { update_id: 1, message: { message_id: 1, from: ana, chat, date: base + 1, text: 'olá 1' } },
      { update_id: 2, message: { message_id: 2, from: ana, chat, date: base + 2, text: 'olá, mundo' } },
      // 01:00 on the 3rd at -03:00
      { update_id: 3, message: { message_id: 3, from: ana, chat, date: Date.parse('2024-06-03T04:00:00Z') / 1000, photo: [{ file_id: 'f', file_unique_id: 'u', width: 90, height: 60 }] } },
      { update_id: 4, message: { message_id: 4, from: bob, chat, date: base + 4, text: 'hi' } },
    ],
    -180,
  );
  duck = await DuckDbEngine.open(tmp.dir);
});
afterAll(async () => {
  await duck?.close();
  await cleanup?.();
});

const col = (name: string, type: string) => ({ name, type });

/** Each query with Athena's answer to it for the data above. */
const CASES: Array<{ name: string; sql: string; athena: AthenaAnswer }> = [
  {
    name: 'every scalar type, and nested values',
    sql: `SELECT CAST(1 AS TINYINT) AS ti, CAST(-2 AS SMALLINT) AS si, 3 AS i, CAST(9007199254740993 AS BIGINT) AS huge, CAST(-1005550001 AS BIGINT) AS b,
  CAST(1.5 AS REAL) AS r, CAST(0.1 AS REAL) AS r2, CAST(0.1 AS DOUBLE) AS d, CAST(12.30 AS DECIMAL(10,2)) AS dec, true AS yes, DATE '2024-01-02' AS dt,
  TIMESTAMP '2024-01-02 03:04:05.600' AS ts, TIMESTAMP '2024-01-02 03:04:05' AS ts0, 'olá, "mundo"' AS v, '' AS empty, CAST(NULL AS VARCHAR) AS n,
  CAST('NaN' AS DOUBLE) AS nan, CAST('Infinity' AS DOUBLE) AS inf,
  ARRAY[1, 2] AS arr, ARRAY['a', NULL] AS sarr, MAP(ARRAY['a', 'b'], ARRAY[1, 2]) AS m, CAST(ROW(1, 'x') AS ROW(a INTEGER, b VARCHAR)) AS rw,
  ARRAY[MAP(ARRAY['k'], ARRAY[CAST(9007199254740993 AS BIGINT)])] AS nested`,
    athena: {
      columns: [
        col('ti', 'tinyint'), col('si', 'smallint'), col('i', 'integer'), col('huge', 'bigint'), col('b', 'bigint'),
        col('r', 'real'), col('r2', 'real'), col('d', 'double'), { name: 'dec', type: 'decimal', precision: 10, scale: 2 }, col('yes', 'boolean'), col('dt', 'date'),
        col('ts', 'timestamp'), col('ts0', 'timestamp'), col('v', 'varchar'), col('empty', 'varchar'), col('n', 'varchar'),
        col('nan', 'double'), col('inf', 'double'),
        col('arr', 'array'), col('sarr', 'array'), col('m', 'map'), col('rw', 'row'), col('nested', 'array'),
      ],
      rows: [[
        '1', '-2', '3', '9007199254740993', '-1005550001',
        '1.5', '0.1', '0.1', '12.30', 'true', '2024-01-02',
        '2024-01-02 03:04:05.600', '2024-01-02 03:04:05.000', 'olá, "mundo"', '', null,
        'NaN', 'Infinity',
        '[1, 2]', '[a, null]', '{a=1, b=2}', '{a=1, b=x}', '[{k=9007199254740993}]',
      ]],
    },
  },
  {
    name: 'report messages_per_day',
    sql: renderReportSql(findReport('messages_per_day')!.query, { utcOffsetMinutes: -180 }),
    athena: { columns: [col('context_date', 'date'), col('message_amount', 'bigint')], rows: [['2024-06-03', '1'], ['2024-06-02', '3']], scannedBytes: 1876 },
  },
  {
    name: 'report top_posters',
    sql: renderReportSql(findReport('top_posters')!.query, { utcOffsetMinutes: -180 }),
    athena: {
      columns: [
        col('user_id', 'bigint'), col('user_first_name', 'varchar'), col('message_amount', 'bigint'), col('share_percent', 'double'),
        col('text_messages', 'bigint'), col('average_text_length', 'double'), col('active_days', 'bigint'),
      ],
      rows: [
        ['7', 'Zé, "o" Ana', '3', '75.0', '2', '7.5', '2'],
        ['8', 'Bob', '1', '25.0', '1', '2.0', '1'],
      ],
    },
  },
  {
    name: 'table columns: bigint, boolean, varchar with NULL, integer, timestamp, date',
    sql: 'SELECT update_id, user_id, user_is_bot, user_first_name, text, text_length, message_ts, context_date FROM telegram ORDER BY update_id',
    athena: {
      columns: [
        col('update_id', 'bigint'), col('user_id', 'bigint'), col('user_is_bot', 'boolean'), col('user_first_name', 'varchar'),
        col('text', 'varchar'), col('text_length', 'integer'), col('message_ts', 'timestamp'), col('context_date', 'date'),
      ],
      rows: [
        ['1', '7', 'false', 'Zé, "o" Ana', 'olá 1', '5', '2024-06-02 12:00:01.000', '2024-06-02'],
        ['2', '7', 'false', 'Zé, "o" Ana', 'olá, mundo', '10', '2024-06-02 12:00:02.000', '2024-06-02'],
        ['3', '7', 'false', 'Zé, "o" Ana', null, null, '2024-06-03 04:00:00.000', '2024-06-03'],
        ['4', '8', 'false', 'Bob', 'hi', '2', '2024-06-02 12:00:04.000', '2024-06-02'],
      ],
    },
  },
  {
    name: 'aggregates into an array and a row',
    sql: `SELECT user_id, array_agg(update_id ORDER BY update_id) AS updates,
  CAST(ROW(max(text_length), min(context_date)) AS ROW(longest INTEGER, first_day DATE)) AS summary
FROM telegram GROUP BY user_id ORDER BY user_id`,
    athena: {
      columns: [col('user_id', 'bigint'), col('updates', 'array'), col('summary', 'row')],
      rows: [
        ['7', '[1, 2, 3]', '{longest=10, first_day=2024-06-02}'],
        ['8', '[4]', '{longest=2, first_day=2024-06-02}'],
      ],
    },
  },
];

describe('Athena and DuckDB give the same values', () => {
  it.each(CASES)('$name', async ({ sql, athena: answer }) => {
    athena.reset();
    fakeAthena(athena, (q) => {
      expect(q).toBe(sql); // the Athena engine sends the SQL unchanged
      return answer;
    });
    const engine = new AthenaEngine(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: async () => {} });
    const fromAthena = await engine.query(sql);
    const fromDuck = await duck.query(sql);
    expect(fromAthena).toEqual(fromDuck);
    expect(fromDuck.length).toBe(answer.rows!.length);
  });
});

/** The Athena engine against aws-sdk-client-mock answering like Athena: pages, every type, failures, throttling, cost. */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, ThrottleReason, TooManyRequestsException } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaEngine, AthenaQueryError, describeStats, MIN_BILLED_BYTES, type AthenaQueryStats } from '../../adapters/aws/athena';
import { fakeAthena, type AthenaAnswer } from '../support/athena-fake';

const athena = mockClient(AthenaClient);
beforeEach(() => athena.reset());

const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};
function engine(extra: Partial<ConstructorParameters<typeof AthenaEngine>[1]> = {}) {
  const stats: AthenaQueryStats[] = [];
  const e = new AthenaEngine(new AthenaClient({ region: 'eu-west-1' }), { workGroup: 'TelegramPipeline', database: 'telegram_analytics', sleep, onQuery: (s) => stats.push(s), ...extra });
  return { e, stats };
}

const MB = 1024 ** 2;

describe('AthenaEngine', () => {
  it('starts in the workgroup and database, polls until done, and reads every page without the header', async () => {
    // 2,500 data rows: pages of 1,000 rows where the first page's first row is the header.
    const rows = Array.from({ length: 2500 }, (_, i) => [String(i + 1), `user ${i + 1}`]);
    const fake = fakeAthena(athena, () => ({ columns: [{ name: 'n', type: 'bigint' }, { name: 'who', type: 'varchar' }], rows, scannedBytes: 123 * MB + 5, polls: 2 }));
    const { e, stats } = engine();
    const got = await e.query('SELECT n, who FROM t');
    expect(got).toHaveLength(2500);
    expect(got[0]).toEqual({ n: 1, who: 'user 1' });
    expect(got[999]).toEqual({ n: 1000, who: 'user 1000' }); // the first row of page 2 is data, not a header
    expect(got.at(-1)).toEqual({ n: 2500, who: 'user 2500' });
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken === undefined)).toEqual([true, false, false]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ QueryString: 'SELECT n, who FROM t', WorkGroup: 'TelegramPipeline', QueryExecutionContext: { Database: 'telegram_analytics' } });
    expect(start.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(5); // QUEUED x2, RUNNING x2, SUCCEEDED
    expect(fake.started).toEqual(['SELECT n, who FROM t']);
    expect(stats).toEqual([expect.objectContaining({ queryExecutionId: 'q-1', state: 'SUCCEEDED', scannedBytes: 123 * MB + 5, billedBytes: 124 * MB, rows: 2500 })]);
    expect(stats[0]!.costUsd).toBeCloseTo((124 * MB / 1024 ** 4) * 5, 12);
  });

  it('pages by the page size asked for, the header only on the first page', async () => {
    fakeAthena(athena, () => ({ columns: [{ name: 'x', type: 'integer' }], rows: [['1'], ['2'], ['3'], ['4'], ['5']] }));
    const { e } = engine({ pageSize: 2 });
    expect((await e.query('SELECT x FROM t')).map((r) => r.x)).toEqual([1, 2, 3, 4, 5]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(3); // [header, 1] [2, 3] [4, 5]
  });

  it('keeps every row of a DDL or utility statement (no header row)', async () => {
    fakeAthena(athena, (sql) =>
      sql.startsWith('SHOW')
        ? { statementType: 'DDL', columns: [{ name: 'tab_name', type: 'varchar' }], rows: [['telegram'], ['telegram_events'], ['telegram_raw']] }
        : { statementType: 'UTILITY', columns: [{ name: 'Query Plan', type: 'varchar' }], rows: [['Fragment 0 [SINGLE]'], ['    Output layout: [n]']] },
    );
    const { e, stats } = engine();
    expect(await e.query('SHOW TABLES')).toEqual([{ tab_name: 'telegram' }, { tab_name: 'telegram_events' }, { tab_name: 'telegram_raw' }]);
    expect(await e.query('EXPLAIN SELECT 1')).toHaveLength(2);
    expect(stats[0]).toMatchObject({ statementType: 'DDL', billedBytes: 0, costUsd: 0 });
  });

  it('types every column from ColumnInfo; a missing VarCharValue is NULL', async () => {
    const columns = [
      ['ti', 'tinyint', '-7'], ['si', 'smallint', '300'], ['i', 'integer', '2147483647'], ['b', 'bigint', '-1001987654321'], ['huge', 'bigint', '9007199254740993'],
      ['r', 'real', '0.1'], ['d', 'double', '1.0E-5'], ['nan', 'double', 'NaN'], ['inf', 'double', '-Infinity'], ['dec', 'decimal', '12.30'],
      ['yes', 'boolean', 'true'], ['no', 'boolean', 'false'], ['day', 'date', '2024-06-02'], ['ts', 'timestamp', '2024-06-02 12:00:01.500'], ['ts0', 'timestamp', '2024-06-02 12:00:01.000'],
      ['txt', 'varchar', 'olá, "mundo" = {x}'], ['empty', 'varchar', ''], ['nul', 'varchar', null], ['j', 'json', '{"a":[1,2]}'],
      ['arr', 'array', '[1, 2, null]'], ['sarr', 'array', '[a, b c]'], ['m', 'map', '{a=1, b=2}'], ['rw', 'row', '{id=7, name=Ana, tags=[x, y], at=2024-06-02 12:00:01.000}'],
      ['empty_arr', 'array', '[]'], ['odd', 'array', '[unbalanced'], ['unk', 'unknown', null],
    ] as const;
    fakeAthena(athena, () => ({
      columns: columns.map(([name, type]) => ({ name, type, ...(type === 'decimal' ? { precision: 10, scale: 2 } : {}) })),
      rows: [columns.map(([, , v]) => v)],
    }));
    const [row] = await engine().e.query('SELECT ...');
    expect(row).toEqual({
      ti: -7, si: 300, i: 2147483647, b: -1001987654321, huge: '9007199254740993',
      r: Math.fround(0.1), d: 0.00001, nan: NaN, inf: -Infinity, dec: 12.3,
      yes: true, no: false, day: '2024-06-02', ts: '2024-06-02 12:00:01.5', ts0: '2024-06-02 12:00:01',
      txt: 'olá, "mundo" = {x}', empty: '', nul: null, j: '{"a":[1,2]}',
      arr: [1, 2, null], sarr: ['a', 'b c'], m: { a: 1, b: 2 }, rw: { id: 7, name: 'Ana', tags: ['x', 'y'], at: '2024-06-02 12:00:01' },
      empty_arr: [], odd: '[unbalanced', unk: null,
    });
  });

  it('a FAILED query throws with Athena\'s reason and error, costs nothing, and is reported', async () => {
    const reason = "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized to access requested resources";
    fakeAthena(athena, () => ({ final: 'FAILED', reason, error: { category: 2, type: 1006 }, scannedBytes: 0 }));
    const { e, stats } = engine();
    const error = await e.query('SELECT nope FROM telegram').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as Error).message).toBe(`Athena query q-1 FAILED: ${reason} (category USER, type 1006)`);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
    expect(stats).toEqual([expect.objectContaining({ state: 'FAILED', billedBytes: 0, costUsd: 0 })]);
  });

  it('a CANCELLED query throws and is billed for what it scanned', async () => {
    fakeAthena(athena, () => ({ final: 'CANCELLED', reason: 'Query was cancelled by user', scannedBytes: 3 * 1024 ** 3 }));
    const { e, stats } = engine();
    await expect(e.query('SELECT * FROM telegram')).rejects.toThrow('Athena query q-1 CANCELLED: Query was cancelled by user');
    expect(stats[0]).toMatchObject({ state: 'CANCELLED', billedBytes: 3 * 1024 ** 3 });
    expect(e.totals).toMatchObject({ queries: 1, billedBytes: 3 * 1024 ** 3 });
  });

  it('retries throttling with growing waits: too many queries at start, rate exceeded while polling and paging', async () => {
    const tooMany = () =>
      new TooManyRequestsException({
        message: 'You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account.',
        $metadata: { httpStatusCode: 400 },
        Reason: ThrottleReason.CONCURRENT_QUERY_LIMIT_EXCEEDED,
      });
    const rate = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const fake = fakeAthena(athena, () => ({ columns: [{ name: 'n', type: 'bigint' }], rows: [['42']], scannedBytes: 1000 }), {
      fault: (call, n) => (call === 'StartQueryExecution' ? (n < 3 ? tooMany() : undefined) : n < 1 ? rate() : undefined),
    });
    sleeps.length = 0;
    const throttled: string[] = [];
    const { e } = engine({ onThrottled: (what) => throttled.push(what) });
    expect(await e.query('SELECT count(1) AS n FROM telegram')).toEqual([{ n: 42 }]);
    expect(throttled).toEqual(['StartQueryExecution', 'StartQueryExecution', 'StartQueryExecution', 'GetQueryExecution', 'GetQueryResults']);
    expect(fake.started).toHaveLength(1); // the retried starts carried one token: one query
    const tokens = new Set(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken));
    expect(tokens.size).toBe(1);
    // Jittered exponential backoff: each throttle wait is drawn from [d/2, 3d/2) with d doubling from 200 ms.
    const throttleWaits = sleeps.filter((_, i) => i < 3);
    throttleWaits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(100 * 2 ** i);
      expect(w).toBeLessThan(300 * 2 ** i);
    });
  });

  it('does not retry an error that is not throttling', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('line 1:1: mismatched input'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } }));
    await expect(engine().e.query('SELEC 1')).rejects.toThrow('mismatched input');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('stops a query that outlives the time limit', async () => {
    const fake = fakeAthena(athena, () => ({ polls: 1_000_000 }));
    let now = Date.parse('2026-12-01T12:00:00Z');
    const clock = () => now;
    const realNow = Date.now;
    Date.now = clock;
    try {
      const e = new AthenaEngine(new AthenaClient({ region: 'eu-west-1' }), { workGroup: 'wg', database: 'db', timeoutMs: 10_000, sleep: async (ms) => void (now += ms) });
      await expect(e.query('SELECT 1')).rejects.toThrow(/still (QUEUED|RUNNING) after the time limit; stopped/);
    } finally {
      Date.now = realNow;
    }
    expect(fake.stopped).toEqual(['q-1']);
  });
});

describe('cost', () => {
  it('rounds up to the MB with a 10 MB minimum; DDL, failed and reused results are free', async () => {
    const answers: Record<string, AthenaAnswer> = {
      small: { scannedBytes: 1 },
      none: { scannedBytes: 0 },
      big: { scannedBytes: 1024 ** 4 },
      ddl: { statementType: 'DDL', scannedBytes: 0 },
      reused: { scannedBytes: 0, reused: true },
    };
    fakeAthena(athena, (sql) => ({ columns: [], rows: [], ...answers[sql]! }));
    const { e, stats } = engine();
    for (const sql of Object.keys(answers)) await e.query(sql);
    expect(stats.map((s) => s.billedBytes)).toEqual([MIN_BILLED_BYTES, MIN_BILLED_BYTES, 1024 ** 4, 0, 0]);
    expect(stats[2]!.costUsd).toBe(5);
    expect(stats[0]!.costUsd).toBeCloseTo(0.0000476837, 10);
    expect(describeStats(stats[0]!)).toBe('athena q-1 SUCCEEDED: 0 rows, scanned 1 B, billed 10.0 MB, $0.000048, 1.8 s');
    expect(describeStats(stats[2]!)).toBe('athena q-3 SUCCEEDED: 0 rows, scanned 1.00 TB, $5.00, 1.8 s');
    expect(describeStats(stats[3]!)).toBe('athena q-4 SUCCEEDED: 0 rows, scanned 0 B, $0 (DDL, free), 1.8 s');
    expect(describeStats(stats[4]!)).toBe('athena q-5 SUCCEEDED: 0 rows, scanned 0 B, $0 (reused result, free), 1.8 s');
    expect(e.totals).toEqual({ queries: 5, scannedBytes: 1 + 1024 ** 4, billedBytes: 2 * MIN_BILLED_BYTES + 1024 ** 4, costUsd: stats.reduce((a, s) => a + s.costUsd, 0) });
  });
});

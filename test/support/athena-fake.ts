/**
 * Athena as aws-sdk-client-mock answers it for the tests, shaped like the real service: StartQueryExecution
 * returns an id, GetQueryExecution goes QUEUED -> RUNNING -> a final state with Statistics, GetQueryResults
 * serves pages of at most MaxResults rows (default 1000) chained by NextToken, with the column labels as
 * the first row of the first page for DML (that row counts toward the page size, as on Athena) and
 * ColumnInfo as Athena fills it (catalog hive, precision per type, Nullable UNKNOWN).
 * The cell texts are written by each test as Athena prints them: nothing here derives them.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, type AthenaClient, type ColumnInfo, type QueryExecution } from '@aws-sdk/client-athena';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface AnswerColumn {
  readonly name: string;
  readonly type: string;
  readonly precision?: number;
  readonly scale?: number;
}

export interface AthenaAnswer {
  readonly statementType?: 'DML' | 'DDL' | 'UTILITY';
  readonly columns?: readonly AnswerColumn[];
  /** Cells as Athena prints them; null is a missing VarCharValue (NULL). */
  readonly rows?: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly scannedBytes?: number;
  readonly final?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  readonly reason?: string;
  readonly error?: { category: number; type: number; retryable?: boolean };
  readonly reused?: boolean;
  /** GetQueryExecution answers QUEUED this many times, then RUNNING as many, then the final state. */
  readonly polls?: number;
}

const PRECISION: Record<string, number> = {
  tinyint: 3, smallint: 5, integer: 10, bigint: 19, real: 24, double: 53, boolean: 0, date: 0, timestamp: 3, varchar: 2147483647,
};

export function columnInfo(c: AnswerColumn): ColumnInfo {
  const base = c.type.replace(/\(.*$/, '');
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: c.name,
    Label: c.name,
    Type: base,
    Precision: c.precision ?? PRECISION[base] ?? 0,
    Scale: c.scale ?? 0,
    Nullable: 'UNKNOWN',
    CaseSensitive: base === 'varchar',
  };
}

export interface FakeAthena {
  /** SQL of every StartQueryExecution, in order. */
  readonly started: string[];
  readonly stopped: string[];
}

/**
 * Installs the fake on `mock`: `answer(sql)` says what each statement gives. Ids are `q-1`, `q-2`, ...;
 * the same ClientRequestToken gets the same id back, as Athena does.
 */
export interface FakeOptions {
  readonly workGroup?: string;
  /** An error to throw instead of answering the n-th call (from 0) of a kind, e.g. throttling. */
  readonly fault?: (call: 'StartQueryExecution' | 'GetQueryExecution' | 'GetQueryResults', n: number) => Error | undefined;
}

export function fakeAthena(mock: AwsClientStub<AthenaClient>, answer: (sql: string) => AthenaAnswer, options: FakeOptions = {}): FakeAthena {
  const workGroup = options.workGroup ?? 'wg';
  const counts = { StartQueryExecution: 0, GetQueryExecution: 0, GetQueryResults: 0 };
  const fault = (call: keyof typeof counts) => {
    const error = options.fault?.(call, counts[call]++);
    if (error) throw error;
  };
  const byId = new Map<string, { sql: string; answer: AthenaAnswer; polls: number; submitted: Date; database?: string }>();
  const byToken = new Map<string, string>();
  const started: string[] = [];
  const stopped: string[] = [];
  mock.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string; ClientRequestToken?: string; QueryExecutionContext?: { Database?: string } }) => {
    fault('StartQueryExecution');
    const known = input.ClientRequestToken ? byToken.get(input.ClientRequestToken) : undefined;
    if (known) return { QueryExecutionId: known };
    const id = `q-${byId.size + 1}`;
    byId.set(id, { sql: input.QueryString, answer: answer(input.QueryString), polls: 0, submitted: new Date('2026-12-01T12:00:00Z'), database: input.QueryExecutionContext?.Database });
    if (input.ClientRequestToken) byToken.set(input.ClientRequestToken, id);
    started.push(input.QueryString);
    return { QueryExecutionId: id };
  });
  mock.on(StopQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    stopped.push(input.QueryExecutionId);
    return {};
  });
  mock.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    fault('GetQueryExecution');
    const q = byId.get(input.QueryExecutionId);
    if (!q) throw Object.assign(new Error(`QueryExecution ${input.QueryExecutionId} was not found`), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    const waits = q.answer.polls ?? 1;
    const n = q.polls++;
    const state = n < waits ? 'QUEUED' : n < 2 * waits ? 'RUNNING' : (q.answer.final ?? 'SUCCEEDED');
    const done = state !== 'QUEUED' && state !== 'RUNNING';
    const execution: QueryExecution = {
      QueryExecutionId: input.QueryExecutionId,
      Query: q.sql,
      StatementType: q.answer.statementType ?? 'DML',
      ResultConfiguration: { OutputLocation: `s3://enriched-bucket/_athena-results/${input.QueryExecutionId}.csv` },
      QueryExecutionContext: { Database: q.database, Catalog: 'awsdatacatalog' },
      Status: {
        State: state,
        SubmissionDateTime: q.submitted,
        ...(done ? { CompletionDateTime: new Date(q.submitted.getTime() + 1800) } : {}),
        ...(state === 'FAILED' || state === 'CANCELLED'
          ? {
              StateChangeReason: q.answer.reason,
              ...(q.answer.error
                ? { AthenaError: { ErrorCategory: q.answer.error.category, ErrorType: q.answer.error.type, Retryable: q.answer.error.retryable ?? false, ErrorMessage: q.answer.reason } }
                : {}),
            }
          : {}),
      },
      Statistics: {
        EngineExecutionTimeInMillis: done ? 1432 : 0,
        DataScannedInBytes: done ? (q.answer.scannedBytes ?? 0) : 0,
        TotalExecutionTimeInMillis: done ? 1800 : 100,
        QueryQueueTimeInMillis: 95,
        ServicePreProcessingTimeInMillis: 40,
        QueryPlanningTimeInMillis: 210,
        ServiceProcessingTimeInMillis: 33,
        ResultReuseInformation: { ReusedPreviousResult: q.answer.reused ?? false },
      },
      WorkGroup: workGroup,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3', EffectiveEngineVersion: 'Athena engine version 3' },
    };
    return { QueryExecution: execution };
  });
  mock.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string; MaxResults?: number; NextToken?: string }) => {
    fault('GetQueryResults');
    const q = byId.get(input.QueryExecutionId);
    if (!q || (q.answer.final ?? 'SUCCEEDED') !== 'SUCCEEDED') {
      throw Object.assign(new Error('Query has not yet finished. Current state: FAILED'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    }
    const columns = q.answer.columns ?? [];
    const header = (q.answer.statementType ?? 'DML') === 'DML' ? [columns.map((c) => c.name)] : [];
    const all = [...header, ...(q.answer.rows ?? [])];
    const size = input.MaxResults ?? 1000;
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString().replace(/^offset:/, '')) : 0;
    const slice = all.slice(offset, offset + size);
    const next = offset + size < all.length ? Buffer.from(`offset:${offset + size}`).toString('base64') : undefined;
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: slice.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: columns.map(columnInfo) },
      },
      ...(next ? { NextToken: next } : {}),
    };
  });
  return { started, stopped };
}


/**
 * The Athena engine behind the QueryEngine port (ports/catalog.ts): the same SQL the local DuckDbEngine
 * answers, run in the stack's workgroup and database, with rows typed to the same JavaScript values
 * (values.ts). After every statement, finished or not, `onQuery` gets what it scanned and cost (cost.ts).
 */
import type { AthenaClient, ColumnInfo } from '@aws-sdk/client-athena';
import type { QueryEngine } from '../../../ports/catalog';
import { queryStats, type AthenaQueryStats } from './cost';
import { AthenaQueryError, DEFAULT_TIMEOUT_MS, executeStatement, throttleRetrier, type AthenaTarget, type ExecutionOptions } from './execution';
import { MAX_PAGE_SIZE, readResults } from './results';

export interface AthenaEngineOptions extends AthenaTarget, ExecutionOptions {
  /** Rows per GetQueryResults page (1-1000, default 1000). */
  readonly pageSize?: number;
  /** After each statement: its state, bytes scanned and cost. */
  readonly onQuery?: (stats: AthenaQueryStats) => void;
}

export interface AthenaResult {
  readonly columns: ColumnInfo[];
  readonly rows: Record<string, unknown>[];
  readonly stats: AthenaQueryStats;
}

export interface AthenaTotals {
  readonly queries: number;
  readonly scannedBytes: number;
  readonly billedBytes: number;
  readonly costUsd: number;
}

export class AthenaEngine implements QueryEngine {
  private closed = false;
  private sums = { queries: 0, scannedBytes: 0, billedBytes: 0, costUsd: 0 };

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaEngineOptions,
  ) {}

  /** Every statement so far, added up. */
  get totals(): AthenaTotals {
    return { ...this.sums };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.run(sql)).rows;
  }

  /** Runs one statement: rows, their column metadata, and what it scanned and cost. */
  async run(sql: string): Promise<AthenaResult> {
    if (this.closed) throw new Error('the query engine is closed');
    const deadline = Date.now() + (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const retrying = throttleRetrier({ ...this.options, deadline });
    let execution;
    try {
      execution = await executeStatement(this.client, this.options, sql, this.options, retrying);
    } catch (error) {
      // A cancelled query is billed for what it scanned: say so even when there are no rows.
      if (error instanceof AthenaQueryError && error.execution) this.record(queryStats({ ...error.execution, QueryExecutionId: error.queryExecutionId }));
      throw error;
    }
    const { columns, rows } = await readResults(this.client, execution.QueryExecutionId!, execution.StatementType, retrying, this.options.pageSize ?? MAX_PAGE_SIZE);
    const stats = queryStats(execution, rows.length);
    this.record(stats);
    return { columns, rows, stats };
  }

  private record(stats: AthenaQueryStats): void {
    this.sums.queries += 1;
    this.sums.scannedBytes += stats.scannedBytes;
    this.sums.billedBytes += stats.billedBytes;
    this.sums.costUsd += stats.costUsd;
    this.options.onQuery?.(stats);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * Registers partitions through the Athena API (DESIGN.md: the enriched tables have no projection):
 * StartQueryExecution in the stack's workgroup, then GetQueryExecution with backoff until a final state
 * (athena/execution.ts, which the Athena query engine shares).
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { addPartitionSql, addPartitionsSql } from '../../schemas';
import type { PartitionCatalog, PartitionEntry } from '../../ports/catalog';
import { dropPartitionSql } from '../../schemas/glue';
import { executeStatement } from './athena/execution';

/** Days per ALTER TABLE ... ADD statement: ~150 bytes each, far below Athena's 256 KB query limit. */
export const PARTITIONS_PER_STATEMENT = 100;

export interface AthenaCatalogOptions {
  readonly workGroup: string;
  readonly database: string;
  /** Upper bound on waiting for one statement. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class AthenaCatalog implements PartitionCatalog {
  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaCatalogOptions,
  ) {}

  /** Runs one statement to completion; throws with Athena's reason when it fails. */
  async execute(sql: string): Promise<string> {
    const execution = await executeStatement(this.client, this.options, sql, this.options);
    return execution.QueryExecutionId!;
  }

  async addPartition(table: string, contextDate: string, location: string): Promise<void> {
    await this.execute(addPartitionSql(table, contextDate, location, this.options.database));
  }

  /** One statement per PARTITIONS_PER_STATEMENT days (a year is four statements). */
  async addPartitions(table: string, entries: readonly PartitionEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += PARTITIONS_PER_STATEMENT) {
      await this.execute(addPartitionsSql(table, entries.slice(i, i + PARTITIONS_PER_STATEMENT), this.options.database));
    }
  }

  /** Retention: the day's partition goes with its files. */
  async dropPartition(table: string, contextDate: string): Promise<void> {
    await this.execute(dropPartitionSql(table, contextDate, this.options.database));
  }
}

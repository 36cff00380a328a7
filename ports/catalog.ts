/**
 * Makes a freshly written day visible to SQL: Athena `ALTER TABLE ... ADD IF NOT EXISTS PARTITION` on
 * AWS; nothing to do locally (DuckDB reads the Hive-partitioned folders directly).
 */
export interface PartitionEntry {
  readonly contextDate: string;
  readonly location: string;
}

export interface PartitionCatalog {
  /** Idempotent: a partition already registered is left as it is. */
  addPartition(table: string, contextDate: string, location: string): Promise<void>;
  /** Many partitions of one table at once (a catalog repair), idempotent too; else one addPartition each. */
  addPartitions?(table: string, entries: readonly PartitionEntry[]): Promise<void>;
}

/** SQL over the tables: Athena on AWS, DuckDB locally. Rows come back as plain objects. */
export interface QueryEngine {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
  /**
   * Runs `work` with the tables as they are when it starts (optional): an engine that checks its
   * source before every query (the local one lists the data folder) checks once for the whole batch.
   */
  snapshot?<T>(work: () => Promise<T>): Promise<T>;
}

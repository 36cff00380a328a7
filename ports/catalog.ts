/**
 * Makes a freshly written day visible to SQL: Athena `ALTER TABLE ... ADD IF NOT EXISTS PARTITION` on
 * AWS; nothing to do locally (DuckDB reads the Hive-partitioned folders directly).
 */
export interface PartitionCatalog {
  addPartition(table: string, contextDate: string, location: string): Promise<void>;
}

/** SQL over the tables: Athena on AWS, DuckDB locally. Rows come back as plain objects. */
export interface QueryEngine {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

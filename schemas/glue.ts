/**
 * Glue (Hive) columns and Athena DDL, derived from the same column definitions as the Parquet schema.
 */
import type { ColumnType, TableSchema } from './column';

const HIVE_TYPES: Record<ColumnType, string> = {
  bigint: 'bigint',
  int: 'int',
  boolean: 'boolean',
  double: 'double',
  string: 'string',
  timestamp: 'timestamp',
};

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

export function glueColumns(table: TableSchema): GlueColumn[] {
  return table.columns.map((c) => ({ name: c.name, type: HIVE_TYPES[c.type], comment: c.doc }));
}

/** The partition column of every enriched table: in the path only, never in the files. */
export const PARTITION_COLUMN: GlueColumn = {
  name: 'context_date',
  type: 'date',
  comment: 'Day of the event in the configured UTC offset (Hive partition context_date=YYYY-MM-DD).',
};

const quoteSql = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const ident = (name: string): string => `\`${name}\``;

/** `CREATE EXTERNAL TABLE` for Athena, e.g. to create the tables without CDK. */
export function createTableDdl(table: TableSchema, location: string, database?: string): string {
  const name = database ? `${ident(database)}.${ident(table.name)}` : ident(table.name);
  const columns = glueColumns(table)
    .map((c) => `  ${ident(c.name)} ${c.type} COMMENT ${quoteSql(c.comment)}`)
    .join(',\n');
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (`,
    columns,
    `)`,
    `COMMENT ${quoteSql(table.description)}`,
    `PARTITIONED BY (${ident(PARTITION_COLUMN.name)} ${PARTITION_COLUMN.type})`,
    `STORED AS PARQUET`,
    `LOCATION ${quoteSql(location)}`,
    `TBLPROPERTIES ('parquet.compression'='SNAPPY', 'schema_version'='${table.version}')`,
  ].join('\n');
}

/**
 * Registers many days' partitions of one table in one statement (Athena takes several PARTITION clauses
 * after one ADD IF NOT EXISTS); idempotent.
 */
export function addPartitionsSql(table: string, entries: readonly { contextDate: string; location: string }[], database?: string): string {
  if (entries.length === 0) throw new Error('addPartitionsSql: no partitions');
  const name = database ? `${ident(database)}.${ident(table)}` : ident(table);
  const clauses = entries.map(({ contextDate, location }) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(contextDate)) throw new Error(`invalid context_date ${contextDate}`);
    return `PARTITION (context_date = DATE '${contextDate}') LOCATION ${quoteSql(location)}`;
  });
  return `ALTER TABLE ${name} ADD IF NOT EXISTS\n${clauses.join('\n')}`;
}

/** Registers one day's partition; idempotent (`IF NOT EXISTS`). */
/** Athena DDL removing a day's partition (retention); a partition that is not there is no error. */
export function dropPartitionSql(table: string, contextDate: string, database?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(contextDate)) throw new Error(`invalid context_date ${contextDate}`);
  const name = database ? `${ident(database)}.${ident(table)}` : ident(table);
  return `ALTER TABLE ${name} DROP IF EXISTS PARTITION (context_date = DATE '${contextDate}')`;
}

export function addPartitionSql(table: string, contextDate: string, location: string, database?: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(contextDate)) throw new Error(`invalid context_date ${contextDate}`);
  const name = database ? `${ident(database)}.${ident(table)}` : ident(table);
  return `ALTER TABLE ${name} ADD IF NOT EXISTS PARTITION (context_date = DATE '${contextDate}') LOCATION ${quoteSql(location)}`;
}

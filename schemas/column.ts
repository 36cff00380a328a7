/**
 * The column model every table definition uses. From it, code derives the parquetjs-lite schema, the
 * Glue (Hive) column list and the Athena DDL, so a column list is written once.
 */
export type ColumnType = 'bigint' | 'int' | 'boolean' | 'double' | 'string' | 'timestamp';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** One line: what the value is and where it comes from in the Bot API. */
  readonly doc: string;
  /** Schema version that added the column; columns are only ever added, never renamed or retyped. */
  readonly since: number;
}

export interface TableSchema {
  readonly name: string;
  /** Highest `since` among the columns. */
  readonly version: number;
  readonly description: string;
  readonly columns: readonly Column[];
}

/** Row object for a table: column name -> value (null or undefined when absent). */
export type Row = Record<string, string | number | boolean | Date | null | undefined>;

/** A column of schema version 1 (the first release). */
export const v1 = (name: string, type: ColumnType, doc: string): Column => ({ name, type, doc, since: 1 });

/** A column added in schema version 2 (fields of the Bot API an audit found unread); appended at the end. */
export const v2 = (name: string, type: ColumnType, doc: string): Column => ({ name, type, doc, since: 2 });

/**
 * A column added in schema version 3 (the "nothing silently dropped" audit and the history import);
 * appended at the end of its table.
 */
export const v3 = (name: string, type: ColumnType, doc: string): Column => ({ name, type, doc, since: 3 });

/**
 * A column added in schema version 4 (measurements the pipeline takes itself: the `sample` raw kind);
 * appended at the end of its table.
 */
export const v4 = (name: string, type: ColumnType, doc: string): Column => ({ name, type, doc, since: 4 });

export function defineTable(name: string, description: string, columns: readonly Column[]): TableSchema {
  const seen = new Set<string>();
  for (const c of columns) {
    if (!/^[a-z][a-z0-9_]*$/.test(c.name)) throw new Error(`${name}.${c.name}: column names are lower snake_case`);
    if (seen.has(c.name)) throw new Error(`${name}.${c.name}: duplicate column`);
    if (c.name === 'context_date') throw new Error(`${name}: context_date is the partition, not a column`);
    seen.add(c.name);
  }
  return { name, description, columns, version: Math.max(...columns.map((c) => c.since)) };
}

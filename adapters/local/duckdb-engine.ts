/**
 * The local Athena: DuckDB (in memory) over the data folder, answering the same SQL as Athena.
 *
 * - Views `telegram` and `telegram_events` read the Hive-partitioned Parquet under `<data>/enriched/<table>/`
 *   (`context_date` typed DATE, from the path, last column as in Glue). Their columns come from `schemas/`:
 *   a column no file has yet reads as NULL, and a table with no file yet is an empty view of the same shape.
 * - View `telegram_raw` (the Glue raw table's name) reads the envelope JSON lines under `<data>/raw/telegram/`
 *   with the Glue raw table's columns: received_at bigint, update string (the JSON text), unparsed string,
 *   context_date DATE. A malformed line reads as a row of NULLs instead of failing the query, as with the
 *   Glue table's `ignore.malformed.json`.
 * - What a data file is comes from `isDataObjectKey` (schemas/layout.ts), the rule every reader uses: like
 *   Hive and Athena, names starting with `_` or `.` are not data; nor are half-written files (`.tmp-write`);
 *   symbolic links are not followed.
 * - The session runs in UTC with Athena's functions; SQL goes through `toDuckDbSql` (athena-compat.ts).
 *
 * The folder is listed before every query and the views rebuilt when its files changed, so a long-lived
 * engine (the local server) sees newly enriched days; inside `snapshot` (the dashboard's ~25 queries) it
 * is listed once.
 *
 * Queries run one at a time on one connection; turning a result into rows happens after the next query
 * has started, so DuckDB's threads and this one work at the same time when several are issued at once.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBValueConverter } from '@duckdb/node-api';
import type { QueryEngine } from '../../ports/catalog';
import { ENRICHED_TABLES, isDataObjectKey, PARTITION_COLUMN, RAW_JSON_COLUMNS, RAW_PREFIX, rawTable, tablePrefix, type ColumnType, type TableSchema } from '../../schemas';
import { singleStatement } from '../../core/sql-statements';
import { didYouMean } from '../../core/suggest';
import { DUCKDB_SESSION_SETUP, toDuckDbSql } from './athena-compat';
import { fastRows, plainValueConverter } from './duckdb-values';

/** Name of the raw table, as the CDK stack names it in Glue (both from `schemas/raw.ts`). */
export const RAW_TABLE = rawTable.name;

const DUCK_TYPES: Record<ColumnType, string> = {
  bigint: 'BIGINT',
  int: 'INTEGER',
  boolean: 'BOOLEAN',
  double: 'DOUBLE',
  string: 'VARCHAR',
  timestamp: 'TIMESTAMP',
};

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const fileList = (files: readonly string[]): string => `[${files.map(literal).join(', ')}]`;

/**
 * The data files of one table folder (`<root>/<folder>`, e.g. `raw/` + `telegram/`), by the one rule of
 * `isDataObjectKey` (Hive's: no `_`/`.` names, day folders only), with a change signature. Links are
 * never followed (lstat), so nothing outside the data folder is read.
 */
async function partitionFiles(root: string, tableFolder: string, accept: (name: string) => boolean): Promise<{ files: string[]; signature: string }> {
  const files: string[] = [];
  const parts: string[] = [];
  const dir = join(root, tableFolder);
  let days: string[];
  try {
    if (!(await lstat(dir)).isDirectory()) return { files, signature: '' };
    days = (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files, signature: '' };
    throw error;
  }
  for (const day of days) {
    let names: string[];
    try {
      if (!(await lstat(join(dir, day))).isDirectory()) continue; // a link or a plain file: not a partition
      names = (await readdir(join(dir, day))).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!isDataObjectKey(`${tableFolder}${day}/${name}`, tableFolder) || !accept(name)) continue;
      const path = join(dir, day, name);
      try {
        const info = await lstat(path);
        if (!info.isFile() || info.size === 0) continue;
        files.push(path);
        parts.push(`${day}/${name}:${info.size}:${info.mtimeMs}`);
      } catch {
        // removed since the listing
      }
    }
  }
  return { files, signature: parts.join('|') };
}

export interface DuckDbEngineOptions {
  /** DuckDB worker threads (default 2: the machines are small and shared). */
  readonly threads?: number;
}

export class DuckDbEngine implements QueryEngine {
  readonly dataDir: string;
  private signature: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Open snapshots: while > 0 the folder is not listed again once the views exist. */
  private pinned = 0;
  private duck!: typeof import('@duckdb/node-api');

  private constructor(
    dataDir: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly convert: DuckDBValueConverter<unknown>,
  ) {
    this.dataDir = resolve(dataDir);
  }

  /** Opens an in-memory DuckDB with Athena's session and the views over `<dataDir>`. */
  static async open(dataDir: string, options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const duck = await import('@duckdb/node-api');
    const { DuckDBInstance } = duck;
    const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads ?? 2) });
    const connection = await instance.connect();
    try {
      for (const statement of DUCKDB_SESSION_SETUP) await connection.run(statement);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    const engine = new DuckDbEngine(dataDir, instance, connection, plainValueConverter(duck));
    engine.duck = duck;
    return engine;
  }

  /**
   * Queries inside see the folder as listed at the first of them, and Parquet footers are read once
   * (DuckDB's metadata cache, on only while no file can change under it: a day rebuilt within the same
   * second could otherwise be read with its old footer).
   */
  async snapshot<T>(work: () => Promise<T>): Promise<T> {
    if (this.pinned++ === 0) await this.queued('SET parquet_metadata_cache = true');
    try {
      return await work();
    } finally {
      if (--this.pinned === 0 && !this.closed) await this.queued('SET parquet_metadata_cache = false').catch(() => undefined);
    }
  }

  /** A statement in the query queue (session settings). */
  private queued(sql: string): Promise<void> {
    const run = async () => {
      if (!this.closed) await this.connection.run(sql);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The view statements for the folder as it is now; re-run only when its files changed. */
  private async refreshViews(): Promise<void> {
    if (this.pinned > 0 && this.signature !== undefined) return;
    const enrichedRoot = join(this.dataDir, 'enriched');
    const listings = await Promise.all(ENRICHED_TABLES.map((t) => partitionFiles(enrichedRoot, tablePrefix(t.name), (n) => n.endsWith('.parquet'))));
    const raw = await partitionFiles(join(this.dataDir, 'raw'), RAW_PREFIX, () => true);
    const signature = [...listings.map((l) => l.signature), raw.signature].join('\n');
    if (signature === this.signature) return;
    for (let i = 0; i < ENRICHED_TABLES.length; i += 1) {
      await this.connection.run(await this.tableView(ENRICHED_TABLES[i]!, listings[i]!.files));
    }
    await this.connection.run(rawView(raw.files));
    this.signature = signature;
  }

  private async tableView(table: TableSchema, files: string[]): Promise<string> {
    const partition = `CAST(NULL AS DATE) AS ${PARTITION_COLUMN.name}`;
    if (files.length === 0) {
      const nulls = table.columns.map((c) => `CAST(NULL AS ${DUCK_TYPES[c.type]}) AS ${ident(c.name)}`);
      return `CREATE OR REPLACE VIEW ${ident(table.name)} AS SELECT ${nulls.join(', ')}, ${partition} WHERE false`;
    }
    // union_by_name: a file written before a column was added reads it as NULL (columns are only added).
    const source = `read_parquet(${fileList(files)}, hive_partitioning = true, hive_types = {'${PARTITION_COLUMN.name}': DATE}, union_by_name = true)`;
    const present = new Set(
      (await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJson().map((r) => String(r.column_name)),
    );
    const columns = table.columns.map((c) =>
      present.has(c.name) ? `CAST(${ident(c.name)} AS ${DUCK_TYPES[c.type]}) AS ${ident(c.name)}` : `CAST(NULL AS ${DUCK_TYPES[c.type]}) AS ${ident(c.name)}`,
    );
    return `CREATE OR REPLACE VIEW ${ident(table.name)} AS SELECT ${columns.join(', ')}, ${PARTITION_COLUMN.name} FROM ${source}`;
  }

  /** Runs one Athena SQL statement (translated to DuckDB); rows as plain objects. */
  async query(athenaSql: string): Promise<Record<string, unknown>[]> {
    // Refusals (no statement, several, SQL answered differently from Athena) throw before anything runs.
    const sql = toDuckDbSql(singleStatement(athenaSql));
    const run = async () => {
      if (this.closed) throw new Error('the query engine is closed');
      await this.refreshViews();
      return this.connection.runAndReadAll(sql).catch((error: Error) => {
        throw unknownTableError(error) ?? error;
      });
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    // Rows are made outside the queue: the next query runs meanwhile.
    const result = await next;
    const fast = fastRows(this.duck, result);
    if (fast) return fast;
    const names = result.columnNames();
    return result.convertRows(this.convert).map((row) => {
      const out: Record<string, unknown> = {};
      row.forEach((v, i) => (out[names[i]!] = v));
      return out;
    });
  }

  /** The SQL DuckDB actually runs for an Athena statement (for `tgpipe query --explain` and tests). */
  translate(athenaSql: string): string {
    return toDuckDbSql(athenaSql);
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** The tables a query can name, in the order the pipeline fills them. */
export const TABLE_NAMES: readonly string[] = [...ENRICHED_TABLES.map((t) => t.name), RAW_TABLE];

/**
 * DuckDB names its own catalog tables for a table that does not exist (`Did you mean
 * "duckdb_tables"?`); the reader needs this pipeline's tables instead.
 */
function unknownTableError(error: Error): Error | undefined {
  const name = /Table with name ([^\s]+) does not exist/.exec(error.message)?.[1];
  if (!name) return undefined;
  return new Error(`no table named ${name}${didYouMean(name, TABLE_NAMES)}: the tables are ${TABLE_NAMES.join(', ')}`, { cause: error });
}

function rawView(files: string[]): string {
  const partition = `CAST(NULL AS DATE) AS ${PARTITION_COLUMN.name}`;
  const typed = (name: string, type: ColumnType) => `CAST(${ident(name)} AS ${DUCK_TYPES[type]}) AS ${ident(name)}`;
  if (files.length === 0) {
    const nulls = rawTable.columns.map((c) => `CAST(NULL AS ${DUCK_TYPES[c.type]}) AS ${ident(c.name)}`);
    return `CREATE OR REPLACE VIEW ${RAW_TABLE} AS SELECT ${nulls.join(', ')}, ${partition} WHERE false`;
  }
  // A JSON column read as JSON keeps the object's text; ignore_errors: a malformed line is a row of NULLs.
  const readTypes = rawTable.columns.map((c) => `${ident(c.name)}: '${RAW_JSON_COLUMNS.has(c.name) ? 'JSON' : DUCK_TYPES[c.type]}'`);
  const columns = `{${readTypes.join(', ')}}`;
  const source =
    `read_json(${fileList(files)}, format = 'newline_delimited', columns = ${columns}, ` +
    `hive_partitioning = true, hive_types = {'${PARTITION_COLUMN.name}': DATE}, ignore_errors = true)`;
  const select = rawTable.columns.map((c) => typed(c.name, c.type)).join(', ');
  return `CREATE OR REPLACE VIEW ${RAW_TABLE} AS SELECT ${select}, ${PARTITION_COLUMN.name} FROM ${source}`;
}

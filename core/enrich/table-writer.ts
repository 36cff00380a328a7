/**
 * Streams one table's rows into a Parquet file in a temporary folder (Lambda's /tmp locally to the
 * invocation), opened on the first row so a table with no rows writes nothing.
 *
 * Fast path: parquetjs-lite's `appendRow` shreds every row through its general nested-schema algorithm,
 * allocating three arrays and a Set per column and row; that was three quarters of the enrichment's CPU
 * time. Our tables are flat and every column is optional, so a row shreds to one (value, definition level)
 * pair per column. `FlatShredder` appends exactly what parquetjs-lite's `shredRecord` would append to the
 * writer's row buffer (same arrays, same converted values, same statistics inputs), and hands the row to
 * the stock `appendRow` whenever that call has more to do: the first row of a buffer, the row that
 * completes a page or a row group (so the library encodes and flushes as it always does). A row with a
 * value its column cannot hold as it is goes nowhere: `append` throws `RowMisfitError` before touching
 * any buffer, and the day sets the record aside (flattening should never produce one). The files are
 * byte-for-byte those of the stock writer (test/enrich/table-writer.test.ts). Before a table's first file,
 * a self-check shreds a probe row both ways and compares the row buffers: if a parquetjs-lite upgrade
 * changed its internals, the fast path turns itself off (logged) instead of writing anything different.
 * TGPIPE_PARQUET_FAST_SHRED=0 turns it off by hand.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import parquet, { type ParquetWriter, type ParquetWriterOptions } from 'parquetjs-lite';
import { PARQUET_WRITER_OPTIONS, parquetFields, parquetSchema, SCHEMA_VERSION, type Row, type TableSchema } from '../../schemas';

/** What parquetjs-lite's shredRecord keeps per column (lib/shred.js). */
interface ColumnBuffer {
  dlevels: number[];
  rlevels: number[];
  values: unknown[];
  distinct_values: Set<unknown>;
  count: number;
}

interface RowBuffer {
  rowCount?: number;
  pageRowCount?: number;
  columnData?: Record<string, ColumnBuffer>;
}

/** The writer internals FlatShredder relies on (lib/writer.js 0.8.x). */
interface WriterInternals {
  rowBuffer: RowBuffer;
  rowGroupSize: number;
  envelopeWriter: { pageSize: number };
}

type Kind = 'utf8' | 'int64' | 'int32' | 'double' | 'boolean' | 'timestamp';

interface FlatColumn {
  readonly name: string;
  readonly kind: Kind;
  /** parquetjs-lite collects distinct values only to compute statistics; text columns have none. */
  readonly distinct: boolean;
}

const KIND_OF_TYPE: Record<string, Kind> = { UTF8: 'utf8', INT64: 'int64', INT32: 'int32', DOUBLE: 'double', BOOLEAN: 'boolean', TIMESTAMP_MILLIS: 'timestamp' };

function flatColumns(table: TableSchema): FlatColumn[] {
  const fields = parquetFields(table);
  return table.columns.map((c) => {
    const kind = KIND_OF_TYPE[fields[c.name]!.type];
    if (!kind) throw new Error(`${table.name}.${c.name}: no fast shredding for Parquet type ${fields[c.name]!.type}`);
    return { name: c.name, kind, distinct: fields[c.name]!.statistics !== false };
  });
}

/** The first column whose value its Parquet type cannot hold as it is (null and absent always fit). */
function misfitColumn(columns: readonly FlatColumn[], row: Row): string | undefined {
  for (let i = 0; i < columns.length; i += 1) {
    const v = row[columns[i]!.name];
    if (v === null || v === undefined) continue;
    let fits: boolean;
    switch (columns[i]!.kind) {
      case 'utf8':
        fits = typeof v === 'string';
        break;
      case 'int64':
        fits = Number.isSafeInteger(v);
        break;
      case 'int32':
        fits = Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff;
        break;
      case 'double':
        fits = typeof v === 'number' && Number.isFinite(v);
        break;
      case 'boolean':
        fits = typeof v === 'boolean';
        break;
      case 'timestamp':
        fits = v instanceof Date && !Number.isNaN(v.getTime());
        break;
    }
    if (!fits) return columns[i]!.name;
  }
  return undefined;
}

/** A row with a value its column cannot hold; nothing of it was appended. */
export class RowMisfitError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    value: unknown,
  ) {
    // The value's type only: logs never carry message content (the record itself is kept in quarantine).
    super(`${table}.${column} cannot hold this ${value instanceof Date ? 'date' : typeof value}`);
    this.name = 'RowMisfitError';
  }
}

/** Appends flat rows to a parquetjs-lite writer's row buffer as its shredRecord would. */
export class FlatShredder {
  private readonly columns: FlatColumn[];
  private readonly internals: WriterInternals;

  constructor(
    table: TableSchema,
    private readonly writer: ParquetWriter,
  ) {
    this.columns = flatColumns(table);
    this.internals = writer as unknown as WriterInternals;
    if (typeof this.internals.rowGroupSize !== 'number' || typeof this.internals.envelopeWriter?.pageSize !== 'number' || typeof this.internals.rowBuffer !== 'object') {
      throw new Error('parquetjs-lite writer internals are not the expected ones');
    }
  }

  /**
   * Appends the row to the writer's buffer and returns true, or returns false (nothing appended) when the
   * row must go through the stock `appendRow`.
   */
  tryAppend(row: Row): boolean {
    const buffer = this.internals.rowBuffer;
    const data = buffer.columnData;
    if (data === undefined || buffer.rowCount === undefined || buffer.pageRowCount === undefined) return false;
    // The row that fills a page or a row group goes through appendRow, which then encodes / flushes.
    if (buffer.rowCount + 1 >= this.internals.rowGroupSize || buffer.pageRowCount + 1 >= this.internals.envelopeWriter.pageSize) return false;
    const columns = this.columns;
    if (misfitColumn(columns, row) !== undefined) return false;
    for (let i = 0; i < columns.length; i += 1) {
      const c = columns[i]!;
      const column = data[c.name]!;
      const v = row[c.name];
      column.rlevels.push(0);
      column.count += 1;
      if (v === null || v === undefined) {
        column.dlevels.push(0);
        continue;
      }
      column.dlevels.push(1);
      if (c.distinct) column.distinct_values.add(v);
      // The conversions of parquetjs-lite's toPrimitive for values of the checked types (parseInt and
      // parseFloat turn -0 into 0).
      switch (c.kind) {
        case 'utf8':
          column.values.push(Buffer.from(v as string, 'utf8'));
          break;
        case 'timestamp':
          column.values.push((v as Date).getTime());
          break;
        case 'boolean':
          column.values.push(v);
          break;
        default:
          column.values.push(v === 0 ? 0 : v);
      }
    }
    buffer.rowCount += 1;
    buffer.pageRowCount += 1;
    return true;
  }
}

/** A row of the table with a value of the right type in every column (and one with none), for the self-check. */
function probeRows(table: TableSchema): [Row, Row] {
  const empty: Row = {};
  const full: Row = {};
  const fields = parquetFields(table);
  for (const [i, c] of table.columns.entries()) {
    empty[c.name] = null;
    const kind = KIND_OF_TYPE[fields[c.name]!.type];
    full[c.name] = kind === 'utf8' ? `é😀${i}` : kind === 'timestamp' ? new Date(1_700_000_000_000 + i) : kind === 'boolean' ? i % 2 === 0 : kind === 'double' ? i + 0.5 : i === 0 ? -0 : -i;
  }
  return [empty, full];
}

const selfChecks = new Map<string, Promise<string | undefined>>();

/**
 * Shreds probe rows with the stock appendRow and with FlatShredder into two writers' buffers and compares
 * them. Resolves to undefined when they are identical, else to the reason the fast path is off.
 */
export function fastShredSelfCheck(table: TableSchema): Promise<string | undefined> {
  let check = selfChecks.get(table.name);
  if (!check) {
    check = (async () => {
      try {
        const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
        const options = { ...PARQUET_WRITER_OPTIONS, rowGroupSize: 100, pageSize: 100 };
        const [empty, full] = probeRows(table);
        const stock = await parquet.ParquetWriter.openStream(parquetSchema(table), sink(), options);
        const fast = await parquet.ParquetWriter.openStream(parquetSchema(table), sink(), options);
        for (const row of [empty, full, empty]) await stock.appendRow(row);
        await fast.appendRow(empty);
        const shredder = new FlatShredder(table, fast);
        if (!shredder.tryAppend(full) || !shredder.tryAppend(empty)) return 'the probe rows were refused';
        const a = (stock as unknown as WriterInternals).rowBuffer;
        const b = (fast as unknown as WriterInternals).rowBuffer;
        const fields = parquetFields(table);
        for (const c of table.columns) {
          const x = a.columnData?.[c.name];
          const y = b.columnData?.[c.name];
          if (!x || !y) return `no row buffer for column ${c.name}`;
          const same = isDeepStrictEqual([x.dlevels, x.rlevels, x.values, x.count], [y.dlevels, y.rlevels, y.values, y.count]);
          const sameDistinct = fields[c.name]!.statistics === false || isDeepStrictEqual([...x.distinct_values], [...y.distinct_values]);
          if (!same || !sameDistinct) return `column ${c.name} shreds differently`;
        }
        if (a.rowCount !== b.rowCount || a.pageRowCount !== b.pageRowCount) return 'row counts differ';
        return undefined;
      } catch (error) {
        return `self-check failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    })();
    selfChecks.set(table.name, check);
  }
  return check;
}

export interface TableWriterOptions {
  /** Overrides of PARQUET_WRITER_OPTIONS (tests use tiny row groups). */
  readonly writerOptions?: ParquetWriterOptions;
  /** Use the fast shredder when its self-check passes (default: unless TGPIPE_PARQUET_FAST_SHRED=0). */
  readonly fastShred?: boolean;
}

export class TableWriter {
  private writer: ParquetWriter | undefined;
  private shredder: FlatShredder | undefined;
  private opening: Promise<ParquetWriter> | undefined;
  private readonly columns: readonly FlatColumn[];
  readonly path: string;
  rows = 0;

  constructor(
    readonly table: TableSchema,
    dir = tmpdir(),
    private readonly options: TableWriterOptions = {},
  ) {
    this.path = join(dir, `${table.name}-${randomUUID()}.parquet`);
    this.columns = flatColumns(table);
  }

  /** Appends a row; returns a promise only when the row needs asynchronous work (opening, flushing). */
  append(row: Row): Promise<void> | undefined {
    if (this.shredder?.tryAppend(row)) {
      this.rows += 1;
      return undefined;
    }
    return this.appendSlow(row);
  }

  private async appendSlow(row: Row): Promise<void> {
    // parquetjs-lite would convert some misfits (a string of digits into INT64) and throw on others;
    // either way the row would not be what flattening meant, so it is refused whole.
    const misfit = misfitColumn(this.columns, row);
    if (misfit !== undefined) throw new RowMisfitError(this.table.name, misfit, row[misfit]);
    const writer = this.writer ?? (await (this.opening ??= this.open()));
    await writer.appendRow(row);
    this.rows += 1;
  }

  private async open(): Promise<ParquetWriter> {
    const writer = await parquet.ParquetWriter.openFile(parquetSchema(this.table), this.path, { ...PARQUET_WRITER_OPTIONS, ...this.options.writerOptions });
    writer.setMetadata('tgpipe.schema_version', String(SCHEMA_VERSION));
    if ((this.options.fastShred ?? process.env.TGPIPE_PARQUET_FAST_SHRED !== '0') && !(await fastShredSelfCheck(this.table))) {
      this.shredder = new FlatShredder(this.table, writer);
    }
    this.writer = writer;
    return writer;
  }

  /** Finishes the file; returns its path, or undefined when no row was written. */
  async close(): Promise<string | undefined> {
    if (this.opening && !this.writer) await this.opening;
    if (!this.writer) return undefined;
    await this.writer.close();
    return this.path;
  }

  async discard(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/**
 * Streams one table's rows into a Parquet file in a temporary folder (Lambda's /tmp locally to the
 * invocation), opened on the first row so a table with no rows writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parquet, { type ParquetWriter } from 'parquetjs-lite';
import { PARQUET_WRITER_OPTIONS, parquetSchema, SCHEMA_VERSION, type Row, type TableSchema } from '../../schemas';

export class TableWriter {
  private writer: ParquetWriter | undefined;
  private opening: Promise<ParquetWriter> | undefined;
  readonly path: string;
  rows = 0;

  constructor(readonly table: TableSchema, dir = tmpdir()) {
    this.path = join(dir, `${table.name}-${randomUUID()}.parquet`);
  }

  async append(row: Row): Promise<void> {
    const writer = this.writer ?? (await (this.opening ??= this.open()));
    await writer.appendRow(row);
    this.rows += 1;
  }

  private async open(): Promise<ParquetWriter> {
    const writer = await parquet.ParquetWriter.openFile(parquetSchema(this.table), this.path, { ...PARQUET_WRITER_OPTIONS });
    writer.setMetadata('tgpipe.schema_version', String(SCHEMA_VERSION));
    this.writer = writer;
    return writer;
  }

  /** Finishes the file; returns its path, or undefined when no row was written. */
  async close(): Promise<string | undefined> {
    if (!this.writer) return undefined;
    await this.writer.close();
    return this.path;
  }

  async discard(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

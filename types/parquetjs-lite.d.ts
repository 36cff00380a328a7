// parquetjs-lite ships no type declarations; these cover the parts this project uses.
declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  export class ParquetSchema {
    constructor(fields: Record<string, unknown>);
    fields: Record<string, { name: string; primitiveType?: string; originalType?: string; optional?: boolean }>;
    fieldList: Array<{ name: string; primitiveType?: string; originalType?: string }>;
  }
  export interface ParquetWriterOptions {
    useDataPageV2?: boolean;
    rowGroupSize?: number;
    pageSize?: number;
    flags?: string;
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: ParquetWriterOptions): Promise<ParquetWriter>;
    static openStream(schema: ParquetSchema, stream: Writable, opts?: ParquetWriterOptions): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(callback?: () => void): Promise<void>;
    setRowGroupSize(n: number): void;
    setPageSize(n: number): void;
    setMetadata(key: string, value: string): void;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    static openBuffer(buf: Buffer): Promise<ParquetReader>;
    getCursor(columns?: string[]): { next(): Promise<Record<string, unknown> | null> };
    getRowCount(): number;
    getSchema(): ParquetSchema;
    close(): Promise<void>;
  }
  const parquet: {
    ParquetSchema: typeof ParquetSchema;
    ParquetWriter: typeof ParquetWriter;
    ParquetReader: typeof ParquetReader;
  };
  export default parquet;
}

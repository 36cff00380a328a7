/**
 * A second, independent reader of the enriched Parquet: hyparquet (pure JavaScript, shares no code with
 * parquetjs-lite, which writes the files, nor with DuckDB, which the other enrich tests read them with).
 * Athena reads these files with Trino's own Parquet reader, so the files must be what the spec says, not
 * merely what one reader tolerates. For every file an enrichment of the fixture set writes, this checks the
 * footer's schema against schemas/, the page headers (v1 data pages), the statistics (none on text
 * columns; the others consistent with the data, since Athena prunes row groups on them) and every value
 * against what DuckDB reads from the same file.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, readOffsetIndex, type ColumnMetaData, type ConvertedType, type FileMetaData, type LogicalType, type PageHeader, type ParquetType } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { enrichDay, type DaySummary } from '../../core/enrich';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { memoryLogger } from '../../core/log';
import { enrichedDayKey, rawDayPrefix, SCHEMA_VERSION, telegramEventsTable, telegramTable, type ColumnType, type TableSchema } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { loadFixtures } from '../support/fixtures';

const DAY = '2026-03-14';
/** Arrival time of the enveloped fixtures; its 250 ms check that timestamps keep their milliseconds. */
const RECEIVED_AT = Date.parse(`${DAY}T15:00:00.250Z`);
const MESSAGE_KINDS = ['message', 'channel_post', 'business_message'];
const fixtures = loadFixtures();
/** Every third fixture arrives as a bare update (no envelope), so its received_at is null. */
const isBare = (i: number) => i % 3 === 2;

/** What each column type must be in the file, written out here rather than taken from schemas/parquet.ts. */
const EXPECTED_PARQUET: Record<ColumnType, { type: ParquetType; converted_type?: ConvertedType; logical?: Partial<LogicalType> }> = {
  bigint: { type: 'INT64', logical: { type: 'INTEGER', bitWidth: 64, isSigned: true } },
  int: { type: 'INT32', logical: { type: 'INTEGER', bitWidth: 32, isSigned: true } },
  boolean: { type: 'BOOLEAN' },
  double: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical: { type: 'STRING' } },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical: { type: 'TIMESTAMP', unit: 'MILLIS' } },
};

interface TableRead {
  readonly bytes: Buffer;
  readonly metadata: FileMetaData;
  readonly hyparquet: Record<string, unknown>[];
  readonly duckdb: Record<string, unknown>[];
}

let dir: string;
let summary: DaySummary;
const read: Record<string, TableRead> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'independent-reader-'));
  const stores: LocalStores = localStores(dir);
  // As test/enrich/enrich-local.test.ts builds a day: the fixtures' bodies in envelopes, gzipped.
  const envelope = (body: string) => buildEnvelope(body, parseUpdateBody(body), RECEIVED_AT, -180).line;
  await stores.raw.write(`${rawDayPrefix(DAY)}all.json.gz`, gzipSync(fixtures.filter((_, i) => !isBare(i)).map((f) => envelope(f.body)).join('')));
  await stores.raw.write(`${rawDayPrefix(DAY)}bare.json`, fixtures.filter((_, i) => isBare(i)).map((f) => `${f.body}\n`).join(''));
  summary = await enrichDay(DAY, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger('enrich'), enrichedLocation: stores.enriched.root });
  for (const table of [telegramTable, telegramEventsTable]) {
    const path = join(stores.enriched.root, enrichedDayKey(table.name, DAY));
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    // utf8: false, so a byte array not annotated as text would come back as bytes, not as a string.
    const hyparquet = (await parquetReadObjects({ file, metadata, utf8: false })) as Record<string, unknown>[];
    const duckdb = await duckQuery(`SELECT * FROM read_parquet('${path}', hive_partitioning = false, file_row_number = true) ORDER BY file_row_number`);
    for (const row of duckdb) delete row.file_row_number;
    read[table.name] = { bytes: await readFile(path), metadata, hyparquet, duckdb };
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The pages of a column chunk, walked header by header with hyparquet's page header parser. */
function pagesOf(bytes: Buffer, meta: ColumnMetaData): { offset: number; size: number; header: PageHeader }[] {
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const end = start + Number(meta.total_compressed_size);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: start };
  const pages: { offset: number; size: number; header: PageHeader }[] = [];
  while (reader.offset < end) {
    const offset = reader.offset;
    const header = parquetHeader(reader);
    reader.offset += header.compressed_page_size;
    pages.push({ offset, size: reader.offset - offset, header });
  }
  expect(reader.offset, `${meta.path_in_schema.join('.')}: pages end where the chunk ends`).toBe(end);
  return pages;
}

/** Values as compared: timestamps as epoch milliseconds; bigints stay bigints (no precision lost). */
const norm = (v: unknown) => (v instanceof Date ? v.getTime() : v === undefined ? null : v);
const orderable = (v: unknown): number | bigint => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : (v as number | bigint));

describe.each([telegramTable, telegramEventsTable])('$name Parquet read by hyparquet', (table: TableSchema) => {
  const file = () => read[table.name]!;

  it('has the schema schemas/ declares: every column, in order, flat, optional, with its physical and logical type', () => {
    const { schema } = file().metadata;
    expect(schema[0]).toMatchObject({ num_children: table.columns.length });
    expect(schema[0]!.type).toBeUndefined();
    const leaves = schema.slice(1);
    expect(leaves.map((e) => e.name)).toEqual(table.columns.map((c) => c.name));
    for (const [i, c] of table.columns.entries()) {
      const e = leaves[i]!;
      const want = EXPECTED_PARQUET[c.type];
      const what = `${table.name}.${c.name} (${c.type})`;
      expect(e.num_children, what).toBeUndefined();
      expect(e.repetition_type, what).toBe('OPTIONAL');
      expect(e.type, what).toBe(want.type);
      expect(e.converted_type, what).toBe(want.converted_type);
      // parquetjs-lite writes converted types only; a logical type, if a writer adds one, must agree.
      if (want.logical === undefined) expect(e.logical_type, what).toBeUndefined();
      else if (e.logical_type !== undefined) expect(e.logical_type, what).toMatchObject(want.logical);
    }
    expect(file().metadata.key_value_metadata).toContainEqual({ key: 'tgpipe.schema_version', value: String(SCHEMA_VERSION) });
  });

  it('has v1 data pages, an offset index that points at them, no statistics on text columns and true ones on the others', () => {
    const { metadata, bytes, hyparquet } = file();
    expect(metadata.row_groups.length).toBeGreaterThan(0);
    for (const group of metadata.row_groups) {
      expect(group.columns.map((c) => c.meta_data?.path_in_schema)).toEqual(table.columns.map((c) => [c.name]));
      for (const [i, chunk] of group.columns.entries()) {
        const column = table.columns[i]!;
        const meta = chunk.meta_data!;
        const what = `${table.name}.${column.name}`;
        expect(meta.codec, what).toBe('SNAPPY');
        const pages = pagesOf(bytes, meta);
        const dataPages = pages.filter((p) => p.header.type !== 'DICTIONARY_PAGE');
        expect(dataPages.length, what).toBeGreaterThan(0);
        for (const { header } of dataPages) {
          expect(header.type, what).toBe('DATA_PAGE');
          expect(header.data_page_header_v2, what).toBeUndefined();
        }
        expect(dataPages.reduce((n, p) => n + p.header.data_page_header!.num_values, 0), what).toBe(Number(meta.num_values));
        // Where the writer leaves an offset index (Trino uses it to skip pages), it must point at those very
        // pages: offset, size with header, first row (flat columns: one value per row).
        if (chunk.offset_index_offset !== undefined) {
          const index = readOffsetIndex({ view: new DataView(bytes.buffer, bytes.byteOffset + Number(chunk.offset_index_offset), chunk.offset_index_length!), offset: 0 });
          let firstRow = 0;
          const want = dataPages.map((p) => {
            const location = { offset: p.offset, compressed_page_size: p.size, first_row_index: firstRow };
            firstRow += p.header.data_page_header!.num_values;
            return location;
          });
          expect(index.page_locations.map((l) => ({ offset: Number(l.offset), compressed_page_size: l.compressed_page_size, first_row_index: Number(l.first_row_index) })), `${what} offset index`).toEqual(want);
        }
        if (column.type === 'string') {
          for (const k of ['min', 'max', 'min_value', 'max_value'] as const) expect(meta.statistics?.[k], `${what} chunk statistics ${k}`).toBeUndefined();
          for (const { header } of dataPages) {
            for (const k of ['min', 'max', 'min_value', 'max_value'] as const) expect(header.data_page_header!.statistics?.[k], `${what} page statistics ${k}`).toBeUndefined();
          }
          expect(chunk.column_index_offset, `${what} column index (page min/max)`).toBeUndefined();
        } else if (meta.statistics) {
          // Athena skips row groups on these: they must hold for every value of the chunk.
          const values = hyparquet.map((r) => r[column.name]);
          const present = values.filter((v) => v !== null && v !== undefined);
          const s = meta.statistics;
          if (s.null_count !== undefined) expect(s.null_count, `${what} null_count`).toBe(BigInt(values.length - present.length));
          for (const [k, ok] of [
            ['min_value', (bound: number | bigint, v: number | bigint) => bound <= v],
            ['max_value', (bound: number | bigint, v: number | bigint) => bound >= v],
          ] as const) {
            if (s[k] === undefined) continue;
            const bound = orderable(s[k]);
            expect(present.every((v) => ok(bound, orderable(v))), `${what} ${k} ${String(s[k])} bounds every value`).toBe(true);
            expect(present.some((v) => orderable(v) === bound), `${what} ${k} ${String(s[k])} is a value`).toBe(true);
          }
        }
      }
    }
  });

  it('reads every row and every value as DuckDB does, in the same order', () => {
    const { hyparquet, duckdb, metadata } = file();
    const tableFixtures = fixtures.filter((f) => f.chat_id !== null && MESSAGE_KINDS.includes(f.kind) === (table === telegramTable));
    expect(hyparquet).toHaveLength(tableFixtures.length);
    expect(hyparquet).toHaveLength(summary.rows[table.name as keyof DaySummary['rows']]);
    expect(Number(metadata.num_rows)).toBe(hyparquet.length);
    expect(duckdb).toHaveLength(hyparquet.length);
    const seen = { nulls: 0, nonAscii: 0, astral: 0, bigNegative: 0, timestamps: 0, millis: 0 };
    for (const [i, h] of hyparquet.entries()) {
      const d = duckdb[i]!;
      expect(Object.keys(h)).toEqual(table.columns.map((c) => c.name));
      expect(Object.keys(d)).toEqual(table.columns.map((c) => c.name));
      for (const c of table.columns) {
        const what = `${table.name}.${c.name} of row ${i} (update ${String(h.update_id)})`;
        const v = h[c.name];
        expect(norm(v), what).toEqual(norm(d[c.name]));
        if (v === null) {
          seen.nulls += 1;
          continue;
        }
        // The JavaScript type each column type reads as (a bigint as a number would lose digits).
        const jsType = { bigint: 'bigint', int: 'number', double: 'number', boolean: 'boolean', string: 'string', timestamp: 'object' }[c.type];
        expect(typeof v, what).toBe(jsType);
        if (c.type === 'int') expect(Number.isInteger(v), what).toBe(true);
        if (c.type === 'timestamp') {
          expect(v, what).toBeInstanceOf(Date);
          seen.timestamps += 1;
          if ((v as Date).getTime() % 1000 !== 0) seen.millis += 1;
        }
        if (typeof v === 'string' && [...v].some((ch) => ch.codePointAt(0)! > 0x7f)) seen.nonAscii += 1;
        if (typeof v === 'string' && [...v].some((ch) => ch.codePointAt(0)! > 0xffff)) seen.astral += 1;
        if (typeof v === 'bigint' && v < -1_000_000_000_000n) seen.bigNegative += 1;
      }
    }
    // The comparison covered what it is meant to: nulls, non-ASCII and astral-plane text, -100... ids,
    // timestamps with their milliseconds.
    for (const [k, n] of Object.entries(seen)) expect(n, `values compared: ${k}`).toBeGreaterThan(0);
  });

  it('reads the values the fixtures hold', () => {
    const rows = file().hyparquet;
    const byId = new Map(rows.map((r) => [r.update_id, r]));
    // Updates with no chat are dropped, counted by kind (core/no-chat.ts), bare or enveloped.
    const tableFixtures = fixtures.map((f, i) => ({ f, bare: isBare(i) })).filter(({ f }) => f.chat_id !== null && MESSAGE_KINDS.includes(f.kind) === (table === telegramTable));
    expect(byId.size).toBe(tableFixtures.length);
    expect(tableFixtures.some(({ bare }) => bare)).toBe(true);
    for (const { f, bare } of tableFixtures) {
      const row = byId.get(BigInt(f.update_id));
      const what = `update ${f.update_id} (${f.file})`;
      expect(row, what).toBeDefined();
      expect(norm(row!.received_at), `${what} received_at`).toBe(bare ? null : RECEIVED_AT);
      if (table === telegramTable) {
        const m = f.update[f.kind] as { text?: string; date: number; chat: { id: number } };
        expect(row!.update_kind, what).toBe(f.kind);
        expect(row!.text, `${what} text`).toBe(m.text ?? null);
        expect(row!.chat_id, `${what} chat_id`).toBe(BigInt(m.chat.id));
        expect(norm(row!.message_ts), `${what} message_ts`).toBe(m.date * 1000);
      } else {
        expect(row!.event_kind, what).toBe(f.kind);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addPartitionSql, createTableDdl, ENRICHED_TABLES, glueColumns, PARQUET_WRITER_OPTIONS, parquetFields, SCHEMA_VERSION, telegramTable } from '../../schemas';

describe('schemas', () => {
  it('keeps the original pipeline columns first, with their names', () => {
    expect(telegramTable.columns.slice(0, 8).map((c) => c.name)).toEqual([
      'message_id', 'user_id', 'user_is_bot', 'user_first_name', 'chat_id', 'chat_type', 'date', 'text',
    ]);
  });

  it.each(ENRICHED_TABLES.map((t) => [t.name, t] as const))('%s: Parquet, Glue and DDL come from one column list', (_n, table) => {
    const names = table.columns.map((c) => c.name);
    expect(Object.keys(parquetFields(table))).toEqual(names);
    expect(glueColumns(table).map((c) => c.name)).toEqual(names);
    const ddl = createTableDdl(table, 's3://bucket/x/');
    for (const c of glueColumns(table)) expect(ddl).toContain(`\`${c.name}\` ${c.type} COMMENT`);
    expect(ddl).toContain('PARTITIONED BY (`context_date` date)');
    expect(ddl).not.toMatch(/^\s+`context_date`/m);
    for (const c of table.columns) expect(c.doc.length).toBeGreaterThan(5);
  });

  it('turns statistics off for text columns only and never uses repeated fields', () => {
    for (const table of ENRICHED_TABLES) {
      for (const [name, spec] of Object.entries(parquetFields(table))) {
        const column = table.columns.find((c) => c.name === name)!;
        expect(spec.optional).toBe(true);
        expect('repeated' in spec).toBe(false);
        expect(spec.statistics === false).toBe(column.type === 'string');
      }
    }
  });

  it('writes v1 data pages, one page per column chunk (parquetjs-lite indexes later pages wrongly)', () => {
    expect(PARQUET_WRITER_OPTIONS.useDataPageV2).toBe(false);
    expect(PARQUET_WRITER_OPTIONS.pageSize).toBeGreaterThanOrEqual(PARQUET_WRITER_OPTIONS.rowGroupSize);
  });

  it('has a version', () => expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1));

  it('builds an idempotent partition statement and refuses odd dates', () => {
    expect(addPartitionSql('telegram', '2026-01-02', "s3://b/telegram/context_date=2026-01-02/", 'db')).toBe(
      "ALTER TABLE `db`.`telegram` ADD IF NOT EXISTS PARTITION (context_date = DATE '2026-01-02') LOCATION 's3://b/telegram/context_date=2026-01-02/'",
    );
    expect(() => addPartitionSql('telegram', "2026-01-02'; DROP", 's3://b/')).toThrow();
  });
});

/**
 * One measurement in a fresh process (so peak RSS is its own). Modes:
 *   ours       enrichDay end to end on the folder store (list, gunzip, split, parse, dedupe, flatten, Parquet,
 *              term counting into telegram_terms)
 *   no-terms   the same without term counting (EnrichOptions.terms false): ours - no-terms is what counting adds
 *   parquetjs  parquetjs-lite alone, its stock appendRow, writing the same rows (flattened ahead, untimed)
 *   writer     our TableWriter alone (parquetjs-lite + the flat shredder) writing the same rows: what the
 *              enrichment adds on top of its own Parquet writing is ours - writer
 *   duckdb     DuckDB read_json -> Parquet (the floor: a columnar C++ engine, one thread)
 * Prints one JSON line: { ms, maxRssMiB, rows }.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import parquet from 'parquetjs-lite';
import { enrichDay } from '../core/enrich';
import { TableWriter } from '../core/enrich/table-writer';
import { flattenUpdate } from '../core/flatten';
import { createLogger } from '../core/log';
import { localCatalog, localStores } from '../adapters/local/data-dir';
import { PARQUET_WRITER_OPTIONS, parquetSchema, rawDayPrefix, telegramTable, type Row } from '../schemas';
import { BENCH_DAY, syntheticUpdate } from './synthetic';

const [mode, dir, messagesText] = process.argv.slice(2);
const messages = Number(messagesText);
const out = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
/** Rows are flattened ahead of the timed writing in batches of this many (held in memory meanwhile). */
const BATCH = 10_000;
const receivedBase = Date.parse(`${BENCH_DAY}T03:00:01Z`);

async function* batches(): AsyncGenerator<Row[]> {
  for (let start = 0; start < messages; start += BATCH) {
    const rows: Row[] = [];
    for (let i = start; i < Math.min(messages, start + BATCH); i += 1) rows.push(flattenUpdate(JSON.parse(syntheticUpdate(i)), receivedBase + i).row);
    yield rows;
  }
}

if (mode === 'ours' || mode === 'no-terms') {
  const stores = localStores(dir!);
  const started = performance.now();
  const s = await enrichDay(BENCH_DAY, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: createLogger({ service: 'bench', level: 'error' }), enrichedLocation: stores.enriched.root }, { force: true, terms: mode === 'ours' });
  out({ ms: Math.round(performance.now() - started), rows: s.rows.telegram, termRows: s.rows.telegram_terms, duplicates: s.duplicates, lines: s.lines });
} else if (mode === 'parquetjs') {
  const path = join(dir!, 'parquetjs-only.parquet');
  let timed = 0;
  let t = performance.now();
  const writer = await parquet.ParquetWriter.openFile(parquetSchema(telegramTable), path, { ...PARQUET_WRITER_OPTIONS });
  timed += performance.now() - t;
  for await (const rows of batches()) {
    t = performance.now();
    for (const row of rows) await writer.appendRow(row);
    timed += performance.now() - t;
  }
  t = performance.now();
  await writer.close();
  timed += performance.now() - t;
  await rm(path, { force: true });
  out({ ms: Math.round(timed), rows: messages });
} else if (mode === 'writer') {
  const writer = new TableWriter(telegramTable, dir!);
  let timed = 0;
  for await (const rows of batches()) {
    const t = performance.now();
    for (const row of rows) {
      const pending = writer.append(row);
      if (pending) await pending;
    }
    timed += performance.now() - t;
  }
  const t = performance.now();
  const path = await writer.close();
  timed += performance.now() - t;
  if (path) await rm(path, { force: true });
  out({ ms: Math.round(timed), rows: writer.rows });
} else if (mode === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const path = join(dir!, 'duckdb-floor.parquet');
  const started = performance.now();
  await con.run(`SET threads = 1`);
  await con.run(
    `COPY (SELECT DISTINCT ON (update.update_id) update.update_id AS update_id, update.message.message_id AS message_id, update.message.from.id AS user_id, update.message.from.is_bot AS user_is_bot, update.message.from.first_name AS user_first_name, update.message.chat.id AS chat_id, update.message.chat.type AS chat_type, update.message.date AS date, update.message.text AS text, to_timestamp(update.message.date) AS message_ts, epoch_ms(received_at) AS received_at FROM read_json('${join(dir!, 'raw', rawDayPrefix(BENCH_DAY), '*.json.gz')}', format = 'newline_delimited')) TO '${path}' (FORMAT parquet)`,
  );
  out({ ms: Math.round(performance.now() - started), rows: messages });
  await rm(path, { force: true });
} else {
  throw new Error(`unknown mode ${mode}`);
}

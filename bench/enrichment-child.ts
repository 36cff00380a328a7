/**
 * One measurement in a fresh process (so peak RSS is its own): `ours`, `parquetjs` or `duckdb`.
 * Prints one JSON line: { ms, maxRssMiB, rows }.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import parquet from 'parquetjs-lite';
import { enrichDay } from '../core/enrich';
import { flattenUpdate } from '../core/flatten';
import { createLogger } from '../core/log';
import { localCatalog, localStores } from '../adapters/local/data-dir';
import { PARQUET_WRITER_OPTIONS, parquetSchema, rawDayPrefix, telegramTable } from '../schemas';
import { BENCH_DAY, syntheticUpdate } from './synthetic';

const [mode, dir, messagesText] = process.argv.slice(2);
const messages = Number(messagesText);
const out = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);

if (mode === 'ours') {
  const stores = localStores(dir!);
  const started = performance.now();
  const s = await enrichDay(BENCH_DAY, { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: createLogger({ service: 'bench', level: 'error' }), enrichedLocation: stores.enriched.root }, { force: true });
  out({ ms: Math.round(performance.now() - started), rows: s.rows.telegram, duplicates: s.duplicates });
} else if (mode === 'parquetjs') {
  // The same rows, flattened ahead of time in batches (untimed): only parquetjs-lite's writing is timed.
  const path = join(dir!, 'parquetjs-only.parquet');
  let timed = 0;
  let t = performance.now();
  const writer = await parquet.ParquetWriter.openFile(parquetSchema(telegramTable), path, { ...PARQUET_WRITER_OPTIONS });
  timed += performance.now() - t;
  for (let start = 0; start < messages; start += 20_000) {
    const rows = [];
    for (let i = start; i < Math.min(messages, start + 20_000); i += 1) rows.push(flattenUpdate(JSON.parse(syntheticUpdate(i)), 1).row);
    t = performance.now();
    for (const row of rows) await writer.appendRow(row);
    timed += performance.now() - t;
  }
  t = performance.now();
  await writer.close();
  timed += performance.now() - t;
  await rm(path, { force: true });
  out({ ms: Math.round(timed), rows: messages });
} else if (mode === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const path = join(dir!, 'duckdb-floor.parquet');
  const started = performance.now();
  await con.run(`SET threads = 1`);
  await con.run(`COPY (SELECT DISTINCT ON (update.update_id) update.update_id AS update_id, update.message.message_id AS message_id, update.message.from.id AS user_id, update.message.chat.id AS chat_id, update.message.date AS date, update.message.text AS text FROM read_json('${join(dir!, 'raw', rawDayPrefix(BENCH_DAY), '*.json.gz')}', format = 'newline_delimited')) TO '${path}' (FORMAT parquet)`);
  out({ ms: Math.round(performance.now() - started), rows: messages });
  await rm(path, { force: true });
} else {
  throw new Error(`unknown mode ${mode}`);
}

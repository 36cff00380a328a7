/**
 * Enrichment benchmark, side by side in one run, each measurement in its own process so peak RSS is its
 * own (`process.resourceUsage().maxRSS` of the child):
 *   ours           the 1M-message day (synthetic, ~1,400 gzip objects of envelopes as Firehose writes them)
 *                  enriched end to end: list, gunzip, split, parse, dedupe, flatten, Parquet
 *   parquetjs-lite parquetjs-lite alone (stock appendRow) writing the same rows with the same schema/options
 *   writer         our Parquet writing alone (parquetjs-lite + the flat shredder) on the same rows
 *   DuckDB         read_json -> Parquet, one thread: the floor
 *
 *   node --expose-gc --import tsx bench/enrichment.ts [--messages N] [--skip-stock]
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureSyntheticDay } from './synthetic';

const run = promisify(execFile);

export interface Measurement {
  ms: number;
  maxRssMiB: number;
  rows: number;
}

export async function measure(mode: string, dir: string, messages: number): Promise<Measurement> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'enrichment-child.ts'), mode, dir, String(messages)], {
    maxBuffer: 1 << 20,
    cwd: join(import.meta.dirname, '..'),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

export interface EnrichmentBenchResult {
  messages: number;
  objects: number;
  /** Our enrichDay end to end. */
  ours: Measurement;
  /** parquetjs-lite alone, stock appendRow, same rows. */
  parquetjsOnly: Measurement;
  /** Our Parquet writing alone (TableWriter: parquetjs-lite + flat shredder), same rows. */
  writerOnly: Measurement;
  duckdbFloor: Measurement;
  /** ours / parquetjs-lite alone: the issue's bar (<= 1.3). */
  ratioToParquetjs: number;
  /** ours / our writer alone: what reading, parsing, deduping and flattening add to the Parquet writing. */
  ratioToWriter: number;
  ratioToDuckdb: number;
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

export async function runEnrichmentBench({ messages, outDir = join(import.meta.dirname, 'out') }: { messages: number; outDir?: string }): Promise<EnrichmentBenchResult> {
  const dir = join(outDir, `day-${messages}`);
  const { objects } = await ensureSyntheticDay(dir, messages);
  const ours = await measure('ours', dir, messages);
  const parquetjsOnly = await measure('parquetjs', dir, messages);
  const writerOnly = await measure('writer', dir, messages);
  const duckdbFloor = await measure('duckdb', dir, messages);
  return {
    messages,
    objects,
    ours,
    parquetjsOnly,
    writerOnly,
    duckdbFloor,
    ratioToParquetjs: ratio(ours.ms, parquetjsOnly.ms),
    ratioToWriter: ratio(ours.ms, writerOnly.ms),
    ratioToDuckdb: ratio(ours.ms, duckdbFloor.ms),
  };
}

/** The side-by-side table. */
export function formatEnrichmentBench(r: EnrichmentBenchResult): string {
  const row = (name: string, m: Measurement, note: string) => `${name.padEnd(40)} ${`${(m.ms / 1000).toFixed(1)} s`.padStart(9)} ${`${m.maxRssMiB} MiB`.padStart(9)}  ${note}`;
  return [
    `enrichment of ${r.messages.toLocaleString('en')} messages in ${r.objects.toLocaleString('en')} gzip objects`,
    `${'what'.padEnd(40)} ${'time'.padStart(9)} ${'peak RSS'.padStart(9)}`,
    row('ours: enrichDay end to end', r.ours, ''),
    row('parquetjs-lite alone (stock appendRow)', r.parquetjsOnly, `ours = ${r.ratioToParquetjs}x`),
    row('our writer alone (+ flat shredder)', r.writerOnly, `ours = ${r.ratioToWriter}x`),
    row('DuckDB read_json -> Parquet, 1 thread', r.duckdbFloor, `ours = ${r.ratioToDuckdb}x`),
  ].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--messages');
  const messages = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
  const result = await runEnrichmentBench({ messages });
  console.log(formatEnrichmentBench(result));
  console.log(JSON.stringify(result, null, 2));
}

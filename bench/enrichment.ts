/**
 * Enrichment benchmark, side by side in one run: our enrichment end to end (gzip objects -> dedupe ->
 * flatten -> Parquet), parquetjs-lite alone writing the same rows, and DuckDB's read_json -> Parquet as
 * the floor. Each measurement runs in its own process so peak RSS is its own.
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

async function measure(mode: string, dir: string, messages: number): Promise<Measurement> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'enrichment-child.ts'), mode, dir, String(messages)], { maxBuffer: 1 << 20, cwd: join(import.meta.dirname, '..') });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

export interface EnrichmentBenchResult {
  messages: number;
  objects: number;
  ours: Measurement;
  parquetjsOnly: Measurement;
  duckdbFloor: Measurement;
  ratioToParquetjs: number;
  ratioToDuckdb: number;
}

export async function runEnrichmentBench({ messages, outDir = join(import.meta.dirname, 'out') }: { messages: number; outDir?: string }): Promise<EnrichmentBenchResult> {
  const dir = join(outDir, `day-${messages}`);
  const { objects } = await ensureSyntheticDay(dir, messages);
  const ours = await measure('ours', dir, messages);
  const parquetjsOnly = await measure('parquetjs', dir, messages);
  const duckdbFloor = await measure('duckdb', dir, messages);
  return {
    messages,
    objects,
    ours,
    parquetjsOnly,
    duckdbFloor,
    ratioToParquetjs: Math.round((ours.ms / parquetjsOnly.ms) * 100) / 100,
    ratioToDuckdb: Math.round((ours.ms / duckdbFloor.ms) * 100) / 100,
  };
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--messages');
  const messages = i > 0 ? Number(process.argv[i + 1]) : 100_000;
  console.log(JSON.stringify(await runEnrichmentBench({ messages }), null, 2));
}

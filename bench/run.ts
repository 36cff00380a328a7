/**
 * `npm run bench`: every figure measured side by side in one run (the machines are noisy), printed as a
 * table and written to bench/results.json. `--quick` for a smaller run; `--only NAME` for one section.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runColdStartBench } from './cold-start';
import { costPerDay } from './cost';
import { runEnrichmentBench } from './enrichment';
import { syntheticUpdate } from './synthetic';
import { runWebhookBench } from './webhook-burst';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const wanted = (name: string) => only === undefined || only === name;
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 1024 ** 3) },
  node: process.version,
  date: new Date().toISOString(),
  quick,
};
const started = Date.now();
const line = (s: string) => process.stdout.write(`${s}\n`);

if (wanted('cold-start')) {
  const c = (await runColdStartBench({ runs: quick ? 7 : 15 })) as Record<string, { bundleKiB: number; baselineKiB: number; loadMs: number; baselineLoadMs: number; ratio: number }>;
  results.coldStart = c;
  line('\nCold start (bundle load in a fresh process, median)');
  for (const [name, r] of Object.entries(c)) line(`  ${name.padEnd(11)} ${r.bundleKiB} KiB ${r.loadMs} ms  vs clients only ${r.baselineKiB} KiB ${r.baselineLoadMs} ms  ratio ${r.ratio}`);
}

if (wanted('webhook')) {
  const w = await runWebhookBench({ updates: quick ? 5_000 : 30_000, sequential: quick ? 500 : 2_000 });
  results.webhook = w;
  line('\nWebhook burst (local server vs bare node:http, loopback)');
  line(`  40 connections  ours ${w.ours40.perSecond}/s p50 ${w.ours40.p50Ms} ms p99 ${w.ours40.p99Ms} ms errors ${w.ours40.errors} | bare ${w.bare40.perSecond}/s p50 ${w.bare40.p50Ms} p99 ${w.bare40.p99Ms}`);
  line(`  1 connection    ours p50 ${w.ours1.p50Ms} ms p99 ${w.ours1.p99Ms} ms | bare p50 ${w.bare1.p50Ms} ms  ratio ${w.singleP50Ratio}`);
}

if (wanted('enrichment')) {
  const sizes = quick ? [20_000] : [100_000, 1_000_000];
  const rows = [];
  line('\nEnrichment (one process per measurement)');
  for (const messages of sizes) {
    const r = await runEnrichmentBench({ messages });
    rows.push(r);
    line(`  ${String(messages).padStart(9)} msgs ${r.objects} objects: ours ${r.ours.ms} ms ${r.ours.maxRssMiB} MiB | parquetjs-lite alone ${r.parquetjsOnly.ms} ms ${r.parquetjsOnly.maxRssMiB} MiB | DuckDB floor ${r.duckdbFloor.ms} ms  ratio ${r.ratioToParquetjs}x parquetjs, ${r.ratioToDuckdb}x DuckDB`);
  }
  results.enrichment = rows;
}

if (wanted('cost')) {
  const sample = Array.from({ length: 1000 }, (_, i) => syntheticUpdate(i).length + 60);
  const envelopeBytes = Math.round(sample.reduce((a, b) => a + b, 0) / sample.length);
  const webhook = results.webhook as { ours1?: { p50Ms: number } } | undefined;
  const cost = costPerDay({ messages: 1_000_000, envelopeBytes, rawObjects: 1400, webhookMs: Math.max(1, Math.ceil(webhook?.ours1?.p50Ms ?? 10)), webhookMemoryMb: 256 });
  results.cost = { envelopeBytes, ...cost };
  line('\nCost per million messages (USD, us-east-1 list prices)');
  line(`  this design  ${cost.ours.total.toFixed(2)} (S3 requests ${cost.s3Requests.ours}) | one object per message ${cost.original.total.toFixed(2)} (S3 requests ${cost.s3Requests.original})`);
}

results.seconds = Math.round((Date.now() - started) / 1000);
await writeFile(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
line(`\nwrote bench/results.json (${results.seconds} s)`);

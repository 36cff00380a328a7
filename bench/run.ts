/**
 * `npm run bench`: every figure measured side by side in one run (the machines are noisy), printed as a
 * table and written to bench/results.json with the machine, Node version and date.
 *
 *   npm run bench                       cold start, webhook burst, enrichment 100k + 1M, reports, cost, drills
 *   npm run bench -- --quick            smaller sizes (about a minute)
 *   npm run bench -- --only webhook     one section: cold-start | webhook | enrichment | import | terms | reports | dashboard | cost | drills | reliability | cli
  }
}

 *   npm run bench -- --only import --import-messages 100000   the history import on a smaller export
 *   npm run bench -- --no-drills        without the reliability drills (100k updates each; also in npm test)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCliBench } from './cli';
import { runColdStartBench } from './cold-start';
import { envelopeSizes, costPerDay, jqHoursEstimate, PRICES, PRICES_AS_OF, rawObjectsPerDay } from './cost';
import { runEnrichmentBench, type EnrichmentBenchResult } from './enrichment';
import { runImportBench } from './import';
import { burstWithFaultsDrill, crashDrill } from './lib/drills';
import { measureHandlerMs } from './lib/handler-latency';
import { ratio, round } from './lib/stats';
import { runDashboardBench } from './dashboard';
import { runReliabilityBench } from './reliability';
import { runReportsBench } from './reports';
import { runTermsBench } from './terms';
import { syntheticUpdate } from './synthetic';
import { runWebhookBench } from './webhook-burst';
import { DEFAULT_CONFIG } from '../infra/config';
import { loadFixtures, ALLOWED_CHATS } from '../test/support/fixtures';

const SECTIONS = ['cold-start', 'webhook', 'enrichment', 'import', 'terms', 'reports', 'dashboard', 'cost', 'drills', 'reliability', 'cli'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// The drills' bars (0 lost, 0 duplicates) belong in the table with the rest; --no-drills saves ~30 s.
const drills = !args.includes('--no-drills');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (only !== undefined && !SECTIONS.includes(only as Section)) {
  process.stderr.write(`--only takes one of ${SECTIONS.join(', ')}\n`);
  process.exit(2);
}
const wanted = (name: Section) => (only === undefined ? name !== 'drills' || drills : only === name);

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 1024 ** 3, 1), loadAverageAtStart: loadavg().map((x) => round(x, 2)) },
  node: process.version,
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  args,
};
const bars: Array<{ bar: string; value: string; pass: boolean | null }> = [];
const table: Array<[string, string, string]> = [];
const started = Date.now();
const say = (s: string) => process.stdout.write(`${s}\n`);
const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${round(ms / 1000, 1)} s`;
const fail = (section: string, error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  results[section] = { error: message };
  say(`  ${section} FAILED: ${message}`);
};

if (wanted('cold-start')) {
  say('\n== cold start: bundle load in fresh processes, A/B interleaved (median)');
  try {
    const c = await runColdStartBench({ runs: quick ? 9 : 21 });
    results.coldStart = c;
    for (const [name, r] of Object.entries(c)) {
      say(`  ${name.padEnd(10)} ${r.bundleKiB} KiB ${r.loadMs} ms | its clients alone ${r.baselineKiB} KiB ${r.baselineLoadMs} ms | ${r.ratio}x; adds ${r.addedKiB.map((a) => `${a.package} ${a.kib} KiB`).join(', ')}`);
    }
    table.push(['webhook Lambda bundle, load in a fresh process', `${c.webhook.bundleKiB} KiB, ${c.webhook.loadMs} ms`, `Firehose client alone: ${c.webhook.baselineKiB} KiB, ${c.webhook.baselineLoadMs} ms (${c.webhook.ratio}x)`]);
    table.push(['enrichment Lambda bundle', `${c.enrichment.bundleKiB} KiB, ${c.enrichment.loadMs} ms`, `S3 + Athena + parquetjs-lite alone: ${c.enrichment.baselineKiB} KiB, ${c.enrichment.baselineLoadMs} ms (${c.enrichment.ratio}x)`]);
    bars.push({ bar: 'webhook bundle load <= 1.1x Firehose-client-only', value: `${c.webhook.ratio}x`, pass: c.webhook.ratio <= 1.1 });
  } catch (e) {
    fail('coldStart', e);
  }
}

if (wanted('webhook')) {
  say('\n== webhook burst: tgpipe serve (default, and --durability disk) vs bare node:http, child processes, rounds interleaved');
  try {
    const w = await runWebhookBench({ updates: quick ? 10_000 : 50_000, sequential: quick ? 1_000 : 3_000, rounds: quick ? 3 : 5 });
    results.webhook = w;
    say(`  40 connections  ours ${n(w.ours40.perSecond)}/s p50 ${w.ours40.p50Ms} ms p99 ${w.ours40.p99Ms} ms errors ${w.ours40.errors} | bare ${n(w.bare40.perSecond)}/s p50 ${w.bare40.p50Ms} ms p99 ${w.bare40.p99Ms} ms`);
    say(`  1 connection    ours p50 ${w.ours1.p50Ms} ms p99 ${w.ours1.p99Ms} ms | bare p50 ${w.bare1.p50Ms} ms | ${w.singleP50Ratio}x`);
    say(`  --durability disk: 40 connections ${n(w.disk40.perSecond)}/s p99 ${w.disk40.p99Ms} ms; 1 connection p50 ${w.disk1.p50Ms} ms (${w.diskSingleP50Ratio}x bare; one fdatasync here: ${w.fsyncP50Ms} ms)`);
    say(`  200 answers ${n(w.answered200)} / ${n(w.diskAnswered200)}, records the servers count as stored ${n(w.storedByServer)} / ${n(w.diskStoredByServer)}`);
    table.push([`local webhook, ${w.connections} keep-alive connections, ${n(w.ours40.updates)} updates`, `${n(w.ours40.perSecond)} updates/s, p50 ${w.ours40.p50Ms} ms, p99 ${w.ours40.p99Ms} ms, ${w.ours40.errors} errors`, `bare node:http: ${n(w.bare40.perSecond)}/s, p50 ${w.bare40.p50Ms} ms, p99 ${w.bare40.p99Ms} ms (${w.throughputRatio}x throughput)`]);
    table.push(['local webhook, 1 connection (one busy chat)', `p50 ${w.ours1.p50Ms} ms, p99 ${w.ours1.p99Ms} ms`, `bare: p50 ${w.bare1.p50Ms} ms (${w.singleP50Ratio}x)`]);
    table.push(['local webhook with --durability disk (fdatasync before each 200)', `${n(w.disk40.perSecond)} updates/s at ${w.connections}, p99 ${w.disk40.p99Ms} ms; 1 connection p50 ${w.disk1.p50Ms} ms`, `${w.diskSingleP50Ratio}x bare at 1 connection; one fdatasync alone: ${w.fsyncP50Ms} ms`]);
    bars.push({ bar: '>= 5,000 updates/s at 40 connections, p99 < 50 ms', value: `${n(w.ours40.perSecond)}/s, p99 ${w.ours40.p99Ms} ms (bare floor ${n(w.bare40.perSecond)}/s)`, pass: w.ours40.perSecond >= 5000 && w.ours40.p99Ms < 50 && w.ours40.errors === 0 && w.answered200 === w.storedByServer });
    bars.push({ bar: 'single-connection p50 <= 2x bare', value: `${w.singleP50Ratio}x`, pass: w.singleP50Ratio <= 2 });
  } catch (e) {
    fail('webhook', e);
  }
}

const enrichment: EnrichmentBenchResult[] = [];
if (wanted('enrichment')) {
  say('\n== enrichment: ours end to end vs parquetjs-lite alone vs DuckDB read_json -> Parquet (one process each)');
  const sizes = quick ? [10_000, 30_000] : [100_000, 1_000_000];
  try {
    for (const messages of sizes) {
      const r = await runEnrichmentBench({ messages });
      enrichment.push(r);
      say(`  ${n(messages).padStart(9)} msgs, ${r.objects} objects: ours ${secs(r.ours.ms)} ${r.ours.maxRssMiB} MiB | parquetjs-lite ${secs(r.parquetjsOnly.ms)} ${r.parquetjsOnly.maxRssMiB} MiB | our writer alone ${secs(r.writerOnly.ms)} | DuckDB ${secs(r.duckdbFloor.ms)} ${r.duckdbFloor.maxRssMiB} MiB | ${r.ratioToParquetjs}x parquetjs-lite`);
      table.push([`enrichment, ${n(messages)} messages in ${n(r.objects)} gzip objects`, `${secs(r.ours.ms)}, ${r.ours.maxRssMiB} MiB peak RSS`, `parquetjs-lite alone: ${secs(r.parquetjsOnly.ms)}, ${r.parquetjsOnly.maxRssMiB} MiB (${r.ratioToParquetjs}x); our Parquet writing alone: ${secs(r.writerOnly.ms)} (${r.ratioToWriter}x); DuckDB read_json->Parquet: ${secs(r.duckdbFloor.ms)} (${r.ratioToDuckdb}x)`]);
    }
    const [small, big] = enrichment;
    const growth = small && big ? { messagesGrowth: big.messages / small.messages, oursTimeGrowth: ratio(big.ours.ms, small.ours.ms), parquetjsTimeGrowth: ratio(big.parquetjsOnly.ms, small.parquetjsOnly.ms), duckdbTimeGrowth: ratio(big.duckdbFloor.ms, small.duckdbFloor.ms), oursRssGrowth: ratio(big.ours.maxRssMiB, small.ours.maxRssMiB) } : undefined;
    results.enrichment = { runs: enrichment, growth };
    if (growth) say(`  growth x${growth.messagesGrowth} messages: ours time x${growth.oursTimeGrowth}, parquetjs-lite x${growth.parquetjsTimeGrowth}, DuckDB x${growth.duckdbTimeGrowth}; ours peak RSS x${growth.oursRssGrowth}`);
    const m1 = enrichment.find((r) => r.messages === 1_000_000);
    bars.push({ bar: 'enrichment <= 1.3x parquetjs-lite alone, peak RSS < 512 MB at 1M', value: m1 ? `${m1.ratioToParquetjs}x, ${m1.ours.maxRssMiB} MiB` : 'not run at 1M (--quick)', pass: m1 ? m1.ratioToParquetjs <= 1.3 && m1.ours.maxRssMiB * 1.048576 < 512 : null });
  } catch (e) {
    fail('enrichment', e);
  }
}

if (wanted('cli')) {
  say('\n== command line: start-up of the compiled tgpipe beside a bare node, and tgpipe ingest of a large file (peak RSS of the real command)');
  try {
    const c = await runCliBench({ updates: quick ? 50_000 : 300_000, runs: quick ? 5 : 9 });
    results.cli = c;
    say(`  start (median): tgpipe --help ${c.startMs.help} ms, --version ${c.startMs.version} ms | node -e 0 ${c.startMs.nodeAlone} ms`);
    for (const i of c.ingest) say(`  ingest ${i.shape.padEnd(5)} ${n(i.updates)} updates, ${i.fileMiB} MiB: ${i.seconds} s, peak RSS ${i.peakRssMiB} MiB, accepted ${n(i.accepted)}`);
    table.push(['tgpipe --help / --version start-up (compiled)', `${c.startMs.help} / ${c.startMs.version} ms`, `node -e 0: ${c.startMs.nodeAlone} ms`]);
    for (const i of c.ingest) table.push([`tgpipe ingest, ${n(i.updates)} updates as ${i.shape === 'array' ? 'a JSON array' : 'JSON lines'} (${i.fileMiB} MiB)`, `peak RSS ${i.peakRssMiB} MiB, ${i.seconds} s`, '']);
    const slowest = Math.max(c.startMs.help, c.startMs.version);
    bars.push({ bar: 'tgpipe --help and --version start within 300 ms (beyond node -e 0 on a loaded machine)', value: `${slowest} ms (node alone ${c.startMs.nodeAlone} ms)`, pass: slowest <= 300 || slowest - c.startMs.nodeAlone <= 300 });
    const peak = Math.max(...c.ingest.map((i) => i.peakRssMiB));
    bars.push({ bar: 'tgpipe ingest of a large file: peak RSS <= 150 MB', value: `${peak} MiB`, pass: peak * 1.048576 <= 150 });
    bars.push({ bar: 'tgpipe ingest stores every update of the file', value: c.ingest.map((i) => n(i.accepted)).join(' / '), pass: c.ingest.every((i) => i.accepted === i.updates) });
  } catch (e) {
    fail('cli', e);
  }
}

if (wanted('import')) {
  say('\n== history import: a Telegram Desktop export (result.json) into the local raw layer, vs reading its bytes alone (one process each)');
  try {
    // --import-messages N: a smaller export to iterate on (the bar is judged at 1M only).
    const messages = args.includes('--import-messages') ? Number(args[args.indexOf('--import-messages') + 1]) : quick ? 100_000 : 1_000_000;
    if (!Number.isSafeInteger(messages) || messages < 1) throw new Error('--import-messages takes a positive integer');
    const r = await runImportBench({ messages });
    results.import = r;
    say(`  ${n(messages)} messages, ${r.fileMiB} MiB: ours ${secs(r.ours.ms)} ${r.ours.maxRssMiB} MiB peak RSS (${n(r.messagesPerSecond)} messages/s, ${r.mibPerSecond} MiB/s, ${r.ours.objects} objects on ${r.ours.days} days) | reading alone ${secs(r.readFloor.ms)} ${r.readFloor.maxRssMiB} MiB`);
    const peakMB = Math.round(r.ours.maxRssMiB * 1.048576);
    say(`  bar: peak RSS <= 300 MB at 1,000,000 messages | measured ${peakMB} MB at ${n(messages)}: ${messages === 1_000_000 ? (peakMB <= 300 ? 'pass' : 'FAIL') : 'n/a (not 1M)'}`);
    table.push([`history import, ${n(messages)} messages (${r.fileMiB} MiB result.json)`, `${secs(r.ours.ms)}, ${r.ours.maxRssMiB} MiB peak RSS, ${r.ours.objects} objects`, `reading the file alone: ${secs(r.readFloor.ms)}, ${r.readFloor.maxRssMiB} MiB (${r.ratioToRead}x)`]);
    bars.push({ bar: 'history import: peak RSS <= 300 MB at 1M messages', value: `${r.ours.maxRssMiB} MiB at ${n(messages)}`, pass: messages === 1_000_000 ? r.ours.maxRssMiB * 1.048576 <= 300 : null });
  } catch (e) {
    fail('import', e);
  }
}

if (wanted('terms')) {
  say('\n== term counting (telegram_terms): the same day enriched with and without it, runs alternated (median time, largest peak RSS)');
  try {
    const messages = quick ? 30_000 : 1_000_000;
    const t = await runTermsBench({ messages, rounds: quick ? 1 : 2 });
    results.terms = t;
    for (const r of t) {
      say(`  ${r.day.padEnd(9)} ${n(r.messages)} msgs -> ${n(r.termRows)} term rows: without ${secs(r.without.ms)} ${r.without.maxRssMiB} MiB | with ${secs(r.with.ms)} ${r.with.maxRssMiB} MiB | added ${secs(r.addedMs)} (+${r.addedPercent}%), +${r.addedRssMiB} MiB`);
      table.push([`term counting, ${n(r.messages)} messages (${r.day === 'synthetic' ? 'the enrichment day, 8 texts' : '1,000 members, 40,000-word vocabulary'}) -> ${n(r.termRows)} term rows`, `+${secs(r.addedMs)} (+${r.addedPercent}%), +${r.addedRssMiB} MiB: ${secs(r.with.ms)}, ${r.with.maxRssMiB} MiB`, `without term counting: ${secs(r.without.ms)}, ${r.without.maxRssMiB} MiB`]);
    }
    const varied = t.find((r) => r.day === 'varied');
    if (varied && !quick) bars.push({ bar: 'enrichment with term counting, varied 1M-message day: peak RSS < 512 MB', value: `${varied.with.maxRssMiB} MiB`, pass: varied.with.maxRssMiB * 1.048576 < 512 });
  } catch (e) {
    fail('terms', e);
  }
}

if (wanted('reports')) {
  say('\n== reports: the whole suite on the local engine (DuckDB with Athena functions)');
  try {
    const r = await runReportsBench({ rows: quick ? 100_000 : 1_000_000 });
    results.reports = r;
    if ('skipped' in r) say(`  skipped: ${r.skipped}`);
    else {
      say(`  ${n(r.rows)} rows (${r.source}): open + views ${r.openMs} ms, ${r.reports.length} reports ${r.totalMs} ms; slowest ${r.slowest}`);
      say(`  ${r.reports.map((x) => `${x.name} ${x.ms}`).join(', ')}`);
      table.push([`report suite (${r.reports.length} reports) over ${n(r.rows)} rows, local engine`, `${secs(r.totalMs)} in all`, `slowest ${r.slowest}; per report in results.json`]);
    }
  } catch (e) {
    fail('reports', e);
  }
}

if (wanted('dashboard')) {
  const messages = quick ? 100_000 : 1_000_000;
  say(`\n== dashboard: ${n(messages)} messages, 1,000 members, ${n(messages / 5)} events, 3 chats (Parquet written by DuckDB); build, size, Chromium render and filter changes`);
  try {
    const d = await runDashboardBench({ messages, events: messages / 5 });
    results.dashboard = d;
    const mib = (b: number) => `${round(b / 1024 / 1024, 2)} MiB`;
    say(`  build on the local engine ${n(d.buildMs)} ms, CPU ${n(d.buildCpuMs)} ms (bar <= 10,000 ms): SQL ${n(d.queriesMs)} ms, slowest ${d.slowestFact}; bundling the page code once ${n(d.bundleMs)} ms`);
    say(`  HTML ${mib(d.htmlBytes)} (bar <= 4 MiB), of which packed data ${mib(d.dataBytes)}`);
    say(`  first full render ${n(d.firstRenderMs)} ms (bar <= 2,000 ms); filter change worst ${d.worstFilterChangeMs} ms (bar <= 200 ms): ${Object.entries(d.filterChangeMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
    table.push([`dashboard over ${n(d.messages)} messages, ${n(d.members)} members, ${n(d.events)} events, ${d.chats} chats`, `build ${secs(d.buildMs)}, ${mib(d.htmlBytes)}, first render ${d.firstRenderMs} ms, filter change <= ${d.worstFilterChangeMs} ms`, 'bars: 10 s, 4 MiB, 2 s, 200 ms']);
    const full = d.messages >= 1_000_000;
    bars.push({ bar: 'dashboard build <= 10 s at 1M messages', value: `${secs(d.buildMs)}`, pass: full ? d.buildMs <= 10_000 : null });
    bars.push({ bar: 'dashboard HTML <= 4 MiB at 1M messages', value: mib(d.htmlBytes), pass: full ? d.htmlBytes <= 4 * 1024 * 1024 : null });
    bars.push({ bar: 'dashboard first render <= 2 s, filter change <= 200 ms', value: `${d.firstRenderMs} ms, ${d.worstFilterChangeMs} ms`, pass: full ? d.firstRenderMs <= 2000 && d.worstFilterChangeMs <= 200 : null });
  } catch (e) {
    fail('dashboard', e);
  }
}

if (wanted('cost')) {
  say('\n== cost per million messages (us-east-1 list prices)');
  try {
    const messages = 1_000_000;
    const synthetic = Array.from({ length: 20_000 }, (_, i) => syntheticUpdate(i));
    const day = envelopeSizes(synthetic);
    const fixtures = loadFixtures();
    const fixtureSizes = envelopeSizes(fixtures.map((f) => f.body));
    const handler = await measureHandlerMs([...fixtures.map((f) => f.body), ...synthetic.slice(0, 200)], ALLOWED_CHATS, quick ? 5_000 : 20_000);
    // Lambda bills the handler's own time plus the PutRecord round trip, which cannot be measured on
    // loopback: an assumed in-region figure, the same for the original design's PutObject.
    const serviceCallMs = 20;
    const webhookBilledMs = Math.ceil(handler.p50Ms + serviceCallMs);
    const rawObjects = rawObjectsPerDay(messages * day.meanBytes, DEFAULT_CONFIG.bufferingIntervalSeconds, DEFAULT_CONFIG.bufferingSizeMiB);
    const lines = synthetic.map((u, i) => `{"received_at":${1_780_000_000_000 + i},"context_date":"2026-06-15","update":${u}}`);
    const jq = jqHoursEstimate(lines, messages);
    const m1 = enrichment.find((r) => r.messages === 1_000_000) ?? enrichment.at(-1);
    const enrichmentSeconds = m1 ? (m1.ours.ms / 1000) * (messages / m1.messages) : 360;
    const inputs = { messages, envelopeBytes: day.meanBytes, billedBytesPerRecord: day.billedBytesPerRecord, rawObjects, webhookBilledMs, webhookMemoryMiB: 512, jqHours: jq?.hours ?? 0, enrichmentSeconds, enrichmentMemoryMiB: 2048, lookbackDays: DEFAULT_CONFIG.lookbackDays };
    const cost = costPerDay({ ...inputs, ingress: 'httpApi' });
    const viaFunctionUrl = costPerDay({ ...inputs, ingress: 'functionUrl' });
    results.cost = {
      messages,
      pricesAsOf: PRICES_AS_OF,
      prices: PRICES,
      envelope: { syntheticDay: day, fixtureSet: fixtureSizes },
      webhookHandler: handler,
      assumedServiceCallMs: serviceCallMs,
      webhookBilledMs,
      rawObjects,
      jq: jq ?? 'jq not installed: JQ hours counted as 0',
      enrichmentSeconds: round(enrichmentSeconds, 1),
      enrichmentMeasuredOn: m1 ? `${m1.messages} messages` : 'not measured in this run: 360 s assumed',
      ...cost,
      // The same day with ingress=functionUrl (no API Gateway request charge).
      functionUrl: viaFunctionUrl,
    };
    say(`  envelope: synthetic day mean ${day.meanBytes} B (billed ${day.billedBytesPerRecord} B each); fixture set mean ${fixtureSizes.meanBytes} B, max ${fixtureSizes.maxBytes} B, ${fixtureSizes.over5KB}/${fixtureSizes.count} over 5 KB`);
    say(`  webhook handler own time p50 ${handler.p50Ms} ms (+ ${serviceCallMs} ms assumed PutRecord) -> ${webhookBilledMs} ms billed at 512 MB; raw objects/day ${rawObjects}; JQ ${jq ? `${jq.secondsPerMillion} s per million lines (local jq)` : 'n/a'}`);
    for (const design of ['ours', 'original'] as const) {
      say(`  ${design === 'ours' ? 'this design     ' : 'object/message  '} $${cost[design].total.toFixed(2)}  S3 requests ${n(Math.round(cost[design].s3Requests))}`);
      for (const l of cost[design].lines) say(`      ${l.what.padEnd(44)} ${String(n(l.quantity)).padStart(12)}  $${l.usd.toFixed(4)}`);
    }
    say(`  this design with ingress=functionUrl: $${viaFunctionUrl.ours.total.toFixed(2)} (object/message with a function URL: $${viaFunctionUrl.original.total.toFixed(2)})`);
    for (const l of viaFunctionUrl.ours.lines.filter((x) => x.what.startsWith('webhook'))) say(`      ${l.what.padEnd(44)} ${String(n(l.quantity)).padStart(12)}  $${l.usd.toFixed(4)}`);
    table.push(['cost per million messages (us-east-1)', `$${cost.ours.total.toFixed(2)}, ${n(Math.round(cost.ours.s3Requests))} S3 requests`, `one object per message: $${cost.original.total.toFixed(2)}, ${n(Math.round(cost.original.s3Requests))} S3 requests (${cost.ratio}x)`]);
    table.push(['cost per million messages, ingress=functionUrl', `$${viaFunctionUrl.ours.total.toFixed(2)}`, `httpApi: $${cost.ours.total.toFixed(2)}; API Gateway requests $${(cost.ours.total - viaFunctionUrl.ours.total).toFixed(2)} of it`]);
  } catch (e) {
    fail('cost', e);
  }
}

if (wanted('drills')) {
  const updates = quick ? 10_000 : 100_000;
  say(`\n== reliability drills, ${n(updates)} updates over 40 connections`);
  const out: Record<string, unknown> = {};
  try {
    const b = await burstWithFaultsDrill({ updates, connections: 40, failRate: 0.1, timeBudgetMs: 300_000 });
    out.burstWithFaults = b;
    say(`  10% failing appends: ${n(b.acknowledged)} acknowledged after ${n(b.retries)} retries (${JSON.stringify(b.failures)}); rows ${n(b.rows)}, distinct ${n(b.distinct)}: lost ${b.lost}, duplicates ${b.duplicates} (${b.seconds} s)`);
    table.push([`drill: ${n(updates)} updates, 10% of appends failing`, `lost ${b.lost}, duplicates ${b.duplicates}`, `${n(b.retries)} retries of 503; ${n(b.rawLines)} raw lines -> ${n(b.rows)} rows`]);
    bars.push({ bar: 'drill with faults: 0 lost, 0 duplicates', value: `${b.lost} lost, ${b.duplicates} duplicates`, pass: b.lost === 0 && b.duplicates === 0 });
  } catch (e) {
    out.burstWithFaults = { error: String(e) };
    bars.push({ bar: 'drill with faults: 0 lost, 0 duplicates', value: `error: ${String(e)}`, pass: false });
  }
  try {
    const c = await crashDrill({ updates, connections: 40, killAt: 0.5, timeBudgetMs: 300_000 });
    out.crash = c;
    say(`  SIGKILL at ${n(c.acknowledgedBeforeKill)} acknowledged: ${c.missingAfterRestart} missing after restart (${c.inRawUnacknowledged} stored but unanswered); after re-send: lost ${c.lost}, duplicates ${c.duplicates} (${c.seconds} s)`);
    table.push([`drill: SIGKILL mid-burst (${n(updates)} updates)`, `${c.missingAfterRestart} acknowledged updates missing; lost ${c.lost}, duplicates ${c.duplicates}`, `killed at ${n(c.acknowledgedBeforeKill)} acknowledged; ${c.inRawUnacknowledged} stored but unanswered, re-sent and deduplicated`]);
    bars.push({ bar: 'crash drill: every 200 in the raw layer; 0 lost, 0 duplicates', value: `${c.missingAfterRestart} missing, ${c.lost} lost, ${c.duplicates} duplicates`, pass: c.missingAfterRestart === 0 && c.lost === 0 && c.duplicates === 0 });
  } catch (e) {
    out.crash = { error: String(e) };
    bars.push({ bar: 'crash drill: every 200 in the raw layer; 0 lost, 0 duplicates', value: `error: ${String(e)}`, pass: false });
  }
  results.drills = out;
}

if (wanted('reliability')) {
  say('\n== reliability: faults tried for real (issue 17)');
  try {
    const r = await runReliabilityBench({ quick });
    results.reliability = r;
    const rows: Array<[string, string, string, string, string, string]> = [];
    for (const c of r.corrupt) {
      rows.push([`1 of 5 raw objects: ${c.fault}`, `${n(c.written)} lines written`, `${n(c.found)} (day ${c.status}, ${c.quarantined} quarantined)`, String(c.duplicates), `${c.lost} (+${c.lostToDamage} after the damage)`, `telegram_raw after repair: ${n(c.rawRowsAfterRepair)} rows`]);
      bars.push({ bar: `corrupt object (${c.fault}): the day builds, 0 sound lines lost, 0 duplicates, telegram_raw reads it after repair`, value: `${c.status}, ${c.lost} lost, ${c.duplicates} duplicates, ${c.rawRowsAfterRepair} raw rows`, pass: c.status === 'built' && c.lost === 0 && c.duplicates === 0 && c.rawRowsAfterRepair === c.found });
    }
    const s = r.slowBody;
    if (typeof s === 'string') {
      say(`  slow-body attack skipped: ${s}`);
    } else {
      say(`  slow-body attack: ${s.connections} connections, ${s.answered401} answered 401 (slowest ${s.slowest401Ms} ms), held at most ${s.longestHeldMs} ms; RSS ${s.rssBeforeMiB} MiB before, peak ${s.peakRssMiB} MiB, ${s.rssAfterMiB} MiB 1 s after the clients went, ${s.rssSettledMiB} MiB after ${s.settleMs / 1000} s; Telegram sender ${s.legit200}/${s.legitSent} acknowledged, ${s.legitFound} found once`);
      rows.push([`${s.connections} slow unauthenticated 1 MiB bodies`, `${s.legit200} acknowledged (Telegram sender)`, String(s.legitFound), String(s.legitDuplicates), String(s.legit200 - s.legitFound), `server RSS ${s.rssBeforeMiB} MiB before (idle), peak ${s.peakRssMiB} MiB, ${s.rssAfterMiB} MiB 1 s after the clients went, ${s.rssSettledMiB} MiB after ${s.settleMs / 1000} s`]);
      table.push([`slow-body attack (${s.connections} connections)`, `peak RSS ${s.peakRssMiB} MiB, after ${s.rssAfterMiB} MiB (1 s), ${s.rssSettledMiB} MiB (${s.settleMs / 1000} s)`, `before ${s.rssBeforeMiB} MiB (idle); ${s.answered401} attackers answered 401, ${s.closedByServer} closed by the server (connection cap, time limits)`]);
      bars.push({ bar: 'slow-body attack: peak RSS <= before + 80 MiB, the Telegram sender served, nothing lost', value: `${s.rssBeforeMiB} -> ${s.peakRssMiB} MiB, ${s.legitFound}/${s.legit200} found`, pass: s.peakRssMiB - s.rssBeforeMiB <= 80 && s.legit200 > 0 && s.legitFound === s.legit200 });
    }
    const d = r.duplicateKeys;
    say(`  duplicate-key check on the webhook: ${d.checkNsPerUpdate} ns per update (JSON.parse of the same bodies: ${d.parseNsPerUpdate} ns; ${n(d.bodies)} synthetic updates, ${d.meanBytes} bytes on average)`);
    table.push(['webhook duplicate-key check (per update)', `${d.checkNsPerUpdate} ns`, `JSON.parse of the same body (which the webhook does anyway): ${d.parseNsPerUpdate} ns`]);
    say('\n| fault tried | acknowledged / written | found | duplicates | lost | memory, notes |\n| --- | --- | --- | --- | --- | --- |');
    for (const row of rows) say(`| ${row.join(' | ')} |`);
  } catch (e) {
    fail('reliability', e);
  }
}

results.bars = bars;
results.table = table.map(([what, ours, beside]) => ({ what, ours, beside }));
results.seconds = Math.round((Date.now() - started) / 1000);
results.machine = { ...(results.machine as object), loadAverageAtEnd: loadavg().map((x) => round(x, 2)) };

say('\n| what | ours | beside |\n| --- | --- | --- |');
for (const [what, ours, beside] of table) say(`| ${what} | ${ours} | ${beside} |`);
say('\n| bar | measured | |\n| --- | --- | --- |');
for (const b of bars) say(`| ${b.bar} | ${b.value} | ${b.pass === null ? 'n/a' : b.pass ? 'pass' : 'FAIL'} |`);
// A partial run does not replace the full results: `--only` writes to bench/out/ (git-ignored).
const where = only === undefined ? 'results.json' : join('out', `results-${only}.json`);
await mkdir(join(import.meta.dirname, 'out'), { recursive: true });
await writeFile(join(import.meta.dirname, where), `${JSON.stringify(results, null, 2)}\n`);
say(`\nwrote bench/${where} (${results.seconds} s; ${cpus().length} CPUs, Node ${process.version})`);

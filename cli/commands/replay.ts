/** `tgpipe replay stream|enrich`: reprocessing from the raw layer or Firehose's error output. */
import { describeNoChat, noChatTotal } from '../../core/no-chat';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { dateRange } from '../../core/context-date';
import { loadConfig } from '../../core/config';
import { enrichDay, type DaySummary, type EnrichDeps } from '../../core/enrich';
import { localEnrichPrivacy } from '../../adapters/local/privacy';
import { loadPolicy, type PrivacyPolicy } from '../../core/privacy';
import { parseDataMode } from '../../core/privacy/data-mode';
import { createLogger } from '../../core/log';
import { objectRecords } from '../../core/object-lines';
import { parseCatalogAnswer, parseEnrichmentAnswer, rebuildDays } from '../../core/replay/enrich-days';
import { repairCatalog, type CatalogRepairSummary } from '../../core/enrich/catalog-repair';
import { RateLimiter, shareOf, type Rate } from '../../core/replay/rate-limiter';
import {
  affectedDays,
  emptyDay,
  parseListedBefore,
  replayPlan,
  replayRecords,
  ResumeError,
  snapshotPlan,
  totals,
  type DayReport,
  type Position,
  type ReplayDeps,
  type ReplayReport,
  type ReplaySource,
  type SourceRecord,
} from '../../core/replay/stream-replay';
import { BATCH_JOB_BOUNDS, boundedRequests } from '../../adapters/aws/bounded-requests';
import { AthenaCatalog } from '../../adapters/aws/athena-catalog';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import type { ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { progressBar } from '../progress';
import { formatSummary, recordBuild } from './enrich';


/** Options of `replay stream` and `replay enrich`, as declared in cli/registry.ts. */
interface Values {
  data: string;
  from?: string;
  to?: string;
  source: string;
  file?: string;
  target: string;
  'source-dir'?: string;
  'dry-run': boolean;
  share: string;
  rate?: string;
  'quota-bytes': string;
  'quota-records': string;
  'quota-requests': string;
  'max-attempts': string;
  'unsent-file'?: string;
  'listed-before'?: string;
  'resume-after'?: string;
  bucket?: string;
  stream?: string;
  region?: string;
  function?: string;
  concurrency?: string;
  'in-process': boolean;
  'catalog-only'?: boolean;
  'enriched-bucket'?: string;
  workgroup?: string;
  database?: string;
}


function daysOf(values: Values): string[] {
  if (!values.from || !values.to) throw new UsageError('give --from D --to D');
  try {
    return dateRange(values.from, values.to);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const positive = (text: string | undefined, name: string): number => {
  const n = Number(text);
  if (text === undefined || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} must be a positive number, got "${text}"`);
  return n;
};

const count = (n: number): string => n.toLocaleString('en-US');

/** The rate a replay keeps to: a share of the stream's quota on AWS; only --rate locally. */
function rateOf(values: Values): Rate | undefined {
  const cap = values.rate !== undefined ? positive(values.rate, '--rate') : undefined;
  if (values.target !== 'aws') return cap !== undefined ? { recordsPerSecond: cap, bytesPerSecond: Infinity, requestsPerSecond: Infinity } : undefined;
  const share = positive(values.share, '--share');
  if (share > 1) throw new UsageError('--share is a fraction of the quota: 0 < F <= 1');
  const quota: Rate = {
    recordsPerSecond: positive(values['quota-records'], '--quota-records'),
    bytesPerSecond: positive(values['quota-bytes'], '--quota-bytes'),
    requestsPerSecond: positive(values['quota-requests'], '--quota-requests'),
  };
  return shareOf(quota, share, cap);
}

async function* fileRecords(path: string, afterLine = 0): AsyncGenerator<SourceRecord> {
  const written = (await stat(path)).mtimeMs;
  let line = 0;
  for await (const text of objectRecords(createReadStream(path))) {
    line += 1;
    if (line > afterLine) yield { key: basename(path), line, text, fallbackReceivedAtMs: written };
  }
  if (line < afterLine) throw new ResumeError('ResumeObjectChanged', `cannot resume after ${basename(path)}:${afterLine}: the file has ${line} line(s); nothing was sent`);
}

/** `KEY:LINE` (the key may hold colons: the line is after the last one). */
function parseResumeAfter(text: string): Position {
  const at = text.lastIndexOf(':');
  const key = text.slice(0, at);
  const line = Number(text.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(text.slice(at + 1)) || !Number.isSafeInteger(line) || line < 1) {
    throw new UsageError(`--resume-after is KEY:LINE (an object key and a line number from 1), as a stopped replay prints it; got "${text}"`);
  }
  return { key, line };
}

/** Quotes an argument for a POSIX shell when it needs it. */
const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

function describeDay(d: DayReport, dryRun: boolean): string {
  const skipped = Object.entries(d.skipped).map(([k, v]) => `${k}=${v}`).join(' ');
  const kinds = Object.entries(d.kinds).map(([k, v]) => `${k}=${v}`).join(' ');
  const dates = Object.keys(d.contextDates);
  const landing = dates.length > 0 && (dates.length > 1 || dates[0] !== d.day) ? `-> context_date ${dates.sort().map((k) => `${k}=${d.contextDates[k]}`).join(' ')}` : '';
  return [
    `${d.day} objects=${d.objects} records=${d.records}`,
    d.resumed ? `(resumed after ${d.resumed.afterKey}:${d.resumed.afterLine}; ${d.resumed.objectsPassed} earlier object(s) not read again)` : '',
    d.leftOut ? `left-out=${d.leftOut} (written after the replay started)` : '',
    `${dryRun ? 'would send' : 'sent'}=${d.sent}/${d.toSend}`,
    `calls=${d.calls}`,
    dryRun ? '' : `re-sent=${d.resent}`,
    kinds ? `(${kinds})` : '',
    landing,
    skipped ? `skipped: ${skipped}` : '',
    // Not a group's data, dropped as the webhook and the enrichment drop them (they stay in their objects).
    noChatTotal(d.noChat) ? `dropped ${noChatTotal(d.noChat)} with no chat (${describeNoChat(d.noChat)})` : '',
    d.unsent.length ? `NOT SENT=${d.unsent.length}` : '',
    d.complete ? '' : 'INCOMPLETE',
  ]
    .filter(Boolean)
    .join(' ');
}

async function printStreamReport(report: ReplayReport, rate: Rate | undefined, values: Values, io: CliIo, rerun: string): Promise<number> {
  for (const d of report.days) {
    io.stdout(`${describeDay(d, report.dryRun)}\n`);
    for (const s of d.samples) io.stdout(`  skipped ${s.key}:${s.line} ${s.reason}${s.updateId !== undefined ? ` update_id=${s.updateId}` : ''}\n`);
    const more = Object.values(d.skipped).reduce((n, v) => n + v, 0) - d.samples.length;
    if (more > 0) io.stdout(`  ... and ${more} more skipped\n`);
  }
  const t = totals(report);
  const skippedNote = t.skipped > 0 ? `, skipped ${count(t.skipped)} (listed above; they stay in their objects)` : '';
  if (report.dryRun) {
    const seconds = rate ? Math.max(t.toSend / rate.recordsPerSecond, t.bytes / rate.bytesPerSecond, t.calls / rate.requestsPerSecond) : 0;
    io.stdout(
      `dry run: ${report.days.length} day(s), ${count(t.objects)} objects, ${count(t.records)} records: would send ${count(t.sent)} (${count(t.bytes)} bytes) in ${count(t.calls)} calls${rate ? `, about ${Math.ceil(seconds)} s at the configured rate` : ''}${skippedNote}\n`,
    );
    return 0;
  }
  io.stdout(`${report.days.length} day(s), ${count(t.objects)} objects, ${count(t.records)} records: sent ${count(t.sent)} in ${count(t.calls)} calls (re-sent ${count(t.resent)}, waited ${(report.rateWaitMs / 1000).toFixed(1)} s for the rate limit)${skippedNote}\n`);
  const leftOut = report.days.reduce((n, d) => n + d.leftOut, 0);
  if (leftOut > 0) {
    const keys = report.days.flatMap((d) => d.leftOutKeys).slice(0, 3);
    io.stdout(`snapshot ${report.listedBefore}: ${count(leftOut)} object(s) written after the replay started were left out (${keys.join(', ')}${leftOut > keys.length ? ', ...' : ''}): this replay never reads what it caused Firehose to write\n`);
  }
  const affected = affectedDays(report);
  if (t.sent > 0 && affected.length > 0) {
    const range = `--from ${affected[0]} --to ${affected.at(-1)}`;
    io.stdout(
      values.target === 'aws'
        ? `next: once Firehose has delivered them (its buffer interval, up to 1.5x with dynamic partitioning), rebuild the days they landed on: tgpipe replay enrich ${range} --target aws --function <EnrichmentFunctionName> (the daily run's look-back also picks up recent days)\n`
        : `next: rebuild the days they landed on: tgpipe replay enrich ${range} --data ${values.data}\n`,
    );
  }
  if (!report.stopped) return 0;

  const unsent = report.days.flatMap((d) => d.unsent);
  const stoppedDay = report.days.at(-1)!;
  const position = stoppedDay.resumeAfter;
  io.stderr(`replay stopped at ${report.stopped.day}: ${report.stopped.reason}\n`);
  if (unsent.length > 0) {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const file = values['unsent-file'] ?? (report.source === 'file' ? `replay-unsent-retry-${stamp}.jsonl` : `replay-unsent-${values.from}-${values.to}-${stamp}.jsonl`);
    await writeFile(file, unsent.map((u) => u.line).join(''));
    const ids = unsent.filter((u) => u.updateId !== undefined).slice(0, 10).map((u) => u.updateId);
    const keys = [...new Set(unsent.map((u) => u.key))].slice(0, 3);
    io.stderr(`NOT SENT: ${count(unsent.length)} record(s) of ${report.stopped.day} (update_ids ${ids.join(', ')}${unsent.length > ids.length ? ', ...' : ''}; from ${keys.join(', ')}), written to ${file}\n`);
    io.stderr(`  they come after the resume position: the resume command below sends them again. To send only these instead (not both): tgpipe replay stream --source file --file ${shellWord(file)} ${rerun}\n`);
  }
  const after = position ? ` --resume-after ${shellWord(`${position.key}:${position.line}`)}` : '';
  const where = position ? `after ${position.key} line ${position.line}, the last line whose records the stream acknowledged, in order` : `from the start of ${report.stopped.day} (nothing of it acknowledged in order)`;
  const again = stoppedDay.resendOnResume > 0 ? `; ${count(stoppedDay.resendOnResume)} record(s) after that position were acknowledged and are sent again (enrichment drops the duplicates)` : '';
  if (report.source === 'file') {
    io.stderr(`  resume ${where}${again}: tgpipe replay stream --source file --file ${shellWord(values.file!)} ${rerun}${after}\n`);
    return 1;
  }
  const rest = [report.stopped.day, ...report.notAttempted];
  io.stderr(`NOT ATTEMPTED after the stop: ${report.notAttempted.length ? `${report.notAttempted[0]}..${report.notAttempted.at(-1)} (${report.notAttempted.length} day(s))` : 'none'}; the rest of ${report.stopped.day} was not read\n`);
  io.stderr(`  resume ${where}${again}; objects written after ${report.listedBefore} (the replay's start) stay left out:\n`);
  io.stderr(`  tgpipe replay stream --source ${report.source} --from ${rest[0]} --to ${rest.at(-1)} ${rerun} --listed-before ${report.listedBefore}${after}\n`);
  return 1;
}

async function replayStream(values: Values, io: CliIo): Promise<number> {
  const source = values.source as ReplaySource | 'file';
  if (source !== 'raw' && source !== 'errors' && source !== 'file') throw new UsageError('--source is raw, errors or file');
  if (source === 'file' && !values.file) throw new UsageError('--source file needs --file F');
  if (source !== 'file' && values.file) throw new UsageError('--file goes with --source file');
  const days = source === 'file' ? [] : daysOf(values);
  const resumeAfter = values['resume-after'] !== undefined ? parseResumeAfter(values['resume-after']) : undefined;
  const listedBefore = values['listed-before'];
  if (source === 'file') {
    if (listedBefore !== undefined) throw new UsageError('--listed-before goes with --source raw or errors');
    if (resumeAfter && resumeAfter.key !== basename(values.file!)) throw new UsageError(`--resume-after names ${resumeAfter.key}, but the file is ${basename(values.file!)}`);
  } else {
    if (listedBefore !== undefined) {
      try {
        parseListedBefore(listedBefore);
      } catch (error) {
        throw new UsageError(`--listed-before: ${(error as Error).message}`);
      }
    }
    if (resumeAfter && listedBefore === undefined) throw new UsageError('--resume-after needs --listed-before (the first run\'s start, printed with the resume command), so the replay\'s own output is not read back');
    if (resumeAfter && values['dry-run']) throw new UsageError('--resume-after is for a replay that stopped; a dry run reads from the start');
  }
  const config = loadConfig(io.env);
  const rate = rateOf(values);
  const maxAttempts = positive(values['max-attempts'], '--max-attempts');

  let raw: ObjectStore;
  let sink: RecordSink;
  let rerun: string;
  // The deployment's erasure register and data mode apply to what is put (a backup never brings erased data back).
  let privacy: PrivacyPolicy | undefined;
  if (values.target === 'aws') {
    if (!values.stream) throw new UsageError('--target aws needs --stream (the delivery stream)');
    if (source !== 'file' && !values.bucket) throw new UsageError('--target aws needs --bucket (the raw bucket to read)');
    if (values['source-dir']) throw new UsageError('--source-dir is for --target local');
    const region = values.region ? { region: values.region } : {};
    raw = new S3ObjectStore(new S3Client({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), values.bucket ?? '');
    // No SDK retries: the replay's own policy re-sends only the failed entries.
    sink = new FirehoseSink(new FirehoseClient({ ...region, maxAttempts: 1, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), values.stream);
    if (source !== 'file') privacy = await loadPolicy(raw, { mode: parseDataMode(io.env.DATA_MODE) === 'no-text' ? 'no-text' : 'full' });
    rerun = `--target aws --stream ${values.stream}${source === 'file' ? '' : ` --bucket ${values.bucket}`}${values.region ? ` --region ${values.region}` : ''}`;
  } else if (values.target === 'local') {
    const stores = localStores(values.data);
    raw = values['source-dir'] ? new FsObjectStore(values['source-dir']) : stores.raw;
    sink = values['dry-run'] ? { put: async () => {}, putBatch: async () => ({ failed: [], errors: [] }), close: async () => {} } : new LocalFirehose(stores.raw.root);
    privacy = await loadPolicy(stores.raw, await localEnrichPrivacy(stores.dataDir, io.env));
    rerun = `--data ${values.data}${values['source-dir'] ? ` --source-dir ${values['source-dir']}` : ''}`;
  } else throw new UsageError('--target is local or aws');

  let interrupted: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = `interrupted (${signal})`;
    io.stderr(`\n${signal}: stopping after the call in flight...\n`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const logger = createLogger({ service: 'replay', level: 'warn', write: (l) => process.stderr.write(l) });
  const deps: ReplayDeps = {
    raw,
    sink,
    logger,
    utcOffsetMinutes: config.utcOffsetMinutes,
    limiter: rate ? new RateLimiter(rate) : undefined,
    retry: { maxAttempts },
    shouldStop: () => interrupted,
    privacy,
  };

  let report: ReplayReport;
  try {
    if (source === 'file') {
      const day: DayReport = { ...emptyDay('file'), objects: 1 };
      if (resumeAfter) day.resumed = { afterKey: resumeAfter.key, afterLine: resumeAfter.line, objectsPassed: 0 };
      const bar = progressBar(1, 'replay file');
      const stop = await replayRecords(fileRecords(values.file!, resumeAfter?.line), day, deps, { dryRun: values['dry-run'], after: resumeAfter });
      bar.tick(`sent=${day.sent}`);
      bar.done();
      report = { source: 'file', dryRun: values['dry-run'], days: [day], notAttempted: [], rateWaitMs: deps.limiter?.waitedMs ?? 0, ...(stop ? { stopped: { day: basename(values.file!), ...stop } } : {}) };
    } else {
      const snapshot = await snapshotPlan(raw, days, source, { listedBefore });
      const plans = snapshot.plans;
      const objects = plans.reduce((n, p) => n + p.objects.length, 0);
      if (objects === 0) io.stderr(`replay: no ${source === 'raw' ? 'raw objects' : 'error-output objects'} for ${days[0]}..${days.at(-1)} in ${raw.url}\n`);
      const bar = progressBar(objects, `replay ${source}${values['dry-run'] ? ' (dry run)' : ''}`);
      const resume = resumeAfter ? { day: days[0]!, afterKey: resumeAfter.key, afterLine: resumeAfter.line } : undefined;
      report = await replayPlan(plans, source, { ...deps, onObject: (d) => bar.tick(`${d.day} ${values['dry-run'] ? 'would send' : 'sent'}=${d.sent}`) }, { dryRun: values['dry-run'], listedBefore: snapshot.listedBefore, resume });
      bar.done();
    }
  } catch (error) {
    if (!(error instanceof ResumeError)) throw error;
    io.stderr(`tgpipe replay: ${error.name}: ${error.message}\n`);
    return 3;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
  }
  return printStreamReport(report, rate, values, io, rerun);
}

/** `replay enrich --catalog-only`: the partitions of the built days, nothing rebuilt. */
async function repairCatalogOf(values: Values, io: CliIo): Promise<number> {
  const days = daysOf(values);
  const [from, to] = [days[0]!, days.at(-1)!];
  const region = values.region ? { region: values.region } : {};
  let summary: CatalogRepairSummary;
  if (values.target === 'local') {
    io.stdout(`local: DuckDB reads the enriched folders directly (${values.data}/enriched), so there are no partitions to register; nothing done\n`);
    return 0;
  }
  if (!values['in-process']) {
    const fn = values.function ?? io.env.ENRICHMENT_FUNCTION_NAME;
    if (!fn) throw new UsageError('--target aws needs --function (the enrichment Lambda), or --in-process');
    const lambda = new LambdaClient({ ...region, maxAttempts: 4, requestHandler: { requestTimeout: 16 * 60_000, connectionTimeout: 10_000 } });
    const r = await lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify({ catalogOnly: true, from, to })) }));
    summary = parseCatalogAnswer(r.Payload ? new TextDecoder().decode(r.Payload) : '', r.FunctionError, r.StatusCode);
  } else {
    const need = (flag: string, env: string): string => {
      const v = (values as unknown as Record<string, unknown>)[flag] ?? io.env[env];
      if (typeof v !== 'string' || v === '') throw new UsageError(`--in-process needs --${flag} (or ${env})`);
      return v;
    };
    const enrichedBucket = need('enriched-bucket', 'ENRICHED_BUCKET');
    summary = await repairCatalog(from, to, {
      enriched: new S3ObjectStore(new S3Client({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), enrichedBucket),
      catalog: new AthenaCatalog(new AthenaClient({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), { workGroup: need('workgroup', 'ATHENA_WORKGROUP'), database: need('database', 'GLUE_DATABASE') }),
      logger: createLogger({ service: 'replay', level: 'warn', write: (l) => process.stderr.write(l) }),
      enrichedLocation: `s3://${enrichedBucket}`,
    });
  }
  for (const [table, registered] of Object.entries(summary.registered)) io.stdout(`${table}: ${registered.length} partition(s) registered${registered.length ? ` (${registered[0]}..${registered.at(-1)})` : ''}\n`);
  if (summary.withoutFiles.length) io.stdout(`${summary.withoutFiles.length} day(s) of ${from}..${to} have no enriched file (not built, or nothing to build): ${summary.withoutFiles.slice(0, 10).join(' ')}${summary.withoutFiles.length > 10 ? ' ...' : ''}\n`);
  io.stdout(`catalog repaired for ${from}..${to} (${summary.days} day(s), ${summary.ms} ms)\n`);
  return 0;
}

async function replayEnrich(values: Values, io: CliIo): Promise<number> {
  const target = values.target;
  if (target !== 'local' && target !== 'aws') throw new UsageError('--target is local or aws');
  if (values['catalog-only']) return repairCatalogOf(values, io);
  const days = daysOf(values);
  const concurrency = values.concurrency !== undefined ? Math.floor(positive(values.concurrency, '--concurrency')) : target === 'aws' ? 4 : 2;
  const logger = createLogger({ service: 'replay', level: 'warn', write: (l) => process.stderr.write(l) });
  const region = values.region ? { region: values.region } : {};
  let run: (day: string) => Promise<DaySummary[]>;

  if (target === 'aws' && !values['in-process']) {
    const fn = values.function ?? io.env.ENRICHMENT_FUNCTION_NAME;
    if (!fn) throw new UsageError('--target aws needs --function (the enrichment Lambda), or --in-process');
    // A day may take up to the Lambda's 15 minutes: wait for it; SDK retries cover throttling.
    const lambda = new LambdaClient({ ...region, maxAttempts: 4, requestHandler: { requestTimeout: 16 * 60_000, connectionTimeout: 10_000 } });
    run = async (day) => {
      const r = await lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify({ date: day })) }));
      return parseEnrichmentAnswer<DaySummary>(r.Payload ? new TextDecoder().decode(r.Payload) : '', r.FunctionError, r.StatusCode);
    };
  } else {
    let deps: EnrichDeps;
    if (target === 'aws') {
      const need = (flag: string, env: string): string => {
        const v = (values as unknown as Record<string, unknown>)[flag] ?? io.env[env];
        if (typeof v !== 'string' || v === '') throw new UsageError(`--in-process needs --${flag} (or ${env})`);
        return v;
      };
      const s3 = new S3Client({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) });
      const enrichedBucket = need('enriched-bucket', 'ENRICHED_BUCKET');
      deps = {
        raw: new S3ObjectStore(s3, need('bucket', 'RAW_BUCKET')),
        enriched: new S3ObjectStore(s3, enrichedBucket),
        catalog: new AthenaCatalog(new AthenaClient({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), { workGroup: need('workgroup', 'ATHENA_WORKGROUP'), database: need('database', 'GLUE_DATABASE') }),
        logger,
        enrichedLocation: `s3://${enrichedBucket}`,
      };
    } else {
      const stores = localStores(values.data);
      deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root, privacy: await localEnrichPrivacy(stores.dataDir, io.env) };
    }
    run = async (day) => [await enrichDay(day, deps, { force: true })];
  }

  const bar = progressBar(days.length, 'replay enrich');
  // A day's build may rebuild the next day: the totals count each day's latest build, in finishing order.
  const built = new Map<string, DaySummary>();
  const outcomes = await rebuildDays(days, concurrency, run, (o) => {
    if (o.ok) for (const s of o.result) recordBuild(built, s);
    bar.tick(`${o.day} ${o.ok ? 'done' : 'FAILED'}`);
  });
  bar.done();
  const failed: string[] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      failed.push(o.day);
      io.stderr(`replay enrich: ${o.day} failed: ${o.error}\n`);
      continue;
    }
    for (const s of o.result) io.stdout(`${formatSummary(s)}\n`);
  }
  const sum = { telegram: 0, events: 0 };
  for (const s of built.values()) {
    sum.telegram += s.rows.telegram;
    sum.events += s.rows.telegram_events;
  }
  io.stdout(`${days.length} day(s) rebuilt${failed.length ? ` (${failed.length} failed)` : ''}: telegram=${sum.telegram} telegram_events=${sum.events}\n`);
  if (failed.length) {
    io.stderr(`replay enrich: run again for the failed day(s): ${failed.join(' ')} (each is rebuilt from scratch)\n`);
    return 1;
  }
  return 0;
}

/** `tgpipe replay stream`. */
export const runStream = (options: OptionValues, _positionals: string[], io: CliIo): Promise<number> => replayStream(options as unknown as Values, io);

/** `tgpipe replay enrich`. */
export const runEnrich = (options: OptionValues, _positionals: string[], io: CliIo): Promise<number> => replayEnrich(options as unknown as Values, io);

/** `tgpipe replay stream|enrich`: reprocessing from the raw layer or Firehose's error output. */
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
import { createLogger } from '../../core/log';
import { objectRecords } from '../../core/object-lines';
import { parseEnrichmentAnswer, rebuildDays } from '../../core/replay/enrich-days';
import { DEFAULT_SHARE, FIREHOSE_DEFAULT_QUOTA, RateLimiter, shareOf, type Rate } from '../../core/replay/rate-limiter';
import { DEFAULT_RETRY_POLICY } from '../../core/replay/retry-policy';
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
import { DATA_OPTION, parseCommandArgs, UsageError, type CliIo, type Command } from '../command';
import { progressBar } from '../progress';
import { formatSummary, recordBuild } from './enrich';

const HELP = `Usage: tgpipe replay stream --from D --to D [--source raw|errors] [--target local|aws] [--dry-run] [options]
       tgpipe replay stream --from D --to D --listed-before T [--resume-after KEY:LINE] [options]   (resume)
       tgpipe replay stream --source file --file F [--resume-after KEY:LINE] [--target local|aws] [options]
       tgpipe replay enrich --from D --to D [--target local|aws] [--concurrency N] [options]

replay stream   puts records back onto the stream, one day at a time:
                  --source raw     the raw objects of each day, telegram/context_date=D/ (envelopes go as
                                   they are and keep their context_date; bare updates of the original
                                   pipeline are wrapped, received_at = when the object was written)
                  --source errors  Firehose's error output, errors/<type>/date=D/ (D is the ARRIVAL date;
                                   rawData is decoded, and each record lands on its own context_date)
                  --source file    a file of lines not sent by an earlier replay (--file F)
                PutRecordBatch within its limits (500 records, 4 MiB per call, 1,000 KiB per record);
                only failed entries are re-sent, with exponential backoff and full jitter; rate-limited
                to a share of the stream's quota so live webhooks keep working. Records that are not
                updates or are over 1,000 KiB are skipped and listed (they stay in their objects). When
                records cannot be sent within the retry budget (or on Ctrl-C), the replay stops, writes
                what it read but did not send to a file (a record of them: the resumption sends them
                again), exits 1 and prints the command to resume.
                Safe to re-run: enrichment keeps one row per update_id.
                Snapshot: a replay only considers objects written no later than its first run's start
                (--listed-before T, printed at a stop); objects written after it, e.g. what Firehose
                made of the replay's own records in the same day folder, are left out and counted.
                Resume: objects are replayed in key order; after a stop, --resume-after KEY:LINE
                continues the first day (--from) after line LINE of object KEY: every record up to
                there was acknowledged by the stream, the first one not acknowledged (a record that
                failed after its retries included) comes after it and is sent by the resumption. The
                rest of the call it was in was acknowledged and is sent again (counted; harmless).
replay enrich   rebuilds the enriched days (telegram, telegram_events) from the raw layer and
                re-registers their partitions, a few days at a time, earliest first and never two
                adjacent days at once (a day's build checks its neighbours' manifests for updates
                redelivered across midnight). Safe to re-run.

Options:
  --from D --to D        inclusive range of days (YYYY-MM-DD)
  --source raw|errors|file  what to replay (stream; default raw)
  --file F               (--source file) the lines to send, e.g. a replay-unsent-*.jsonl file
  --listed-before T      resume a replay: its first run's start (ISO, printed at the stop); objects
                         written after T are left out
  --resume-after KEY:LINE  resume the --from day after line LINE (from 1, non-empty lines) of object
                         KEY (with --source file, KEY is the file's name); needs --listed-before for
                         raw and errors. A KEY that is no longer there (or was rewritten after T, or
                         has fewer lines) stops the replay before anything is sent, exit 3
  --target local|aws     the local data folder (default) or AWS
  --data DIR             local data folder (default ./data, or TGPIPE_DATA)
  --source-dir DIR       (local stream) read raw/error objects from this folder, laid out like the
                         bucket (e.g. a copy made with aws s3 sync), instead of DIR/raw
  --dry-run              read and count what would be sent; send nothing
  --quota-records N      the stream's Direct PUT quota, records/s (default 100000)
  --quota-bytes N        ... bytes/s (default 1048576)
  --quota-requests N     ... requests/s (default 1000)
                         (the defaults are Firehose's smaller regional quota; us-east-1, us-west-2 and
                         eu-west-1 have 500000 records/s, 5242880 bytes/s, 2000 requests/s)
  --share F              share of the quota the replay may use, 0 < F <= 1 (default 0.5)
  --rate N               at most N records/s (also applies to --target local)
  --max-attempts N       attempts per record before the replay stops (default 8)
  --unsent-file F        where records not sent are written (default ./replay-unsent-<from>-<to>-<time>.jsonl)
  --bucket NAME          (aws) the raw bucket to read (stream; enrich --in-process)
  --stream NAME          (aws) the Firehose delivery stream
  --region NAME          (aws) region (default: the SDK's, e.g. AWS_REGION)
  --concurrency N        (enrich) days at once, never two adjacent ones (default 2 local, 4 aws)
  --function NAME        (aws enrich) the enrichment Lambda, invoked with {"date": D} per day
                         (default ENRICHMENT_FUNCTION_NAME); each day gets its own 15 minutes
  --in-process           (aws enrich) run the enrichment here against S3 and Athena instead, with
                         --bucket, --enriched-bucket, --workgroup, --database (or RAW_BUCKET,
                         ENRICHED_BUCKET, ATHENA_WORKGROUP, GLUE_DATABASE)

Exit status: 0 done; 1 something was not sent or a day failed (named on stderr, with the command
to resume); 2 bad usage; 3 the resume position does not fit the objects (nothing was sent).
`;

function parse(argv: string[]) {
  return parseCommandArgs(
    argv,
    {
      ...DATA_OPTION,
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string', default: 'raw' },
      file: { type: 'string' },
      target: { type: 'string', default: 'local' },
      'source-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      share: { type: 'string', default: String(DEFAULT_SHARE) },
      rate: { type: 'string' },
      'quota-bytes': { type: 'string', default: String(FIREHOSE_DEFAULT_QUOTA.bytesPerSecond) },
      'quota-records': { type: 'string', default: String(FIREHOSE_DEFAULT_QUOTA.recordsPerSecond) },
      'quota-requests': { type: 'string', default: String(FIREHOSE_DEFAULT_QUOTA.requestsPerSecond) },
      'max-attempts': { type: 'string', default: String(DEFAULT_RETRY_POLICY.maxAttempts) },
      'unsent-file': { type: 'string' },
      'listed-before': { type: 'string' },
      'resume-after': { type: 'string' },
      bucket: { type: 'string' },
      stream: { type: 'string' },
      region: { type: 'string' },
      function: { type: 'string' },
      concurrency: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      'enriched-bucket': { type: 'string' },
      workgroup: { type: 'string' },
      database: { type: 'string' },
    },
    true,
  );
}

type Values = ReturnType<typeof parse>['values'];

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
  if (values.target === 'aws') {
    if (!values.stream) throw new UsageError('--target aws needs --stream (the delivery stream)');
    if (source !== 'file' && !values.bucket) throw new UsageError('--target aws needs --bucket (the raw bucket to read)');
    if (values['source-dir']) throw new UsageError('--source-dir is for --target local');
    const region = values.region ? { region: values.region } : {};
    raw = new S3ObjectStore(new S3Client({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), values.bucket ?? '');
    // No SDK retries: the replay's own policy re-sends only the failed entries.
    sink = new FirehoseSink(new FirehoseClient({ ...region, maxAttempts: 1, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), values.stream);
    rerun = `--target aws --stream ${values.stream}${source === 'file' ? '' : ` --bucket ${values.bucket}`}${values.region ? ` --region ${values.region}` : ''}`;
  } else if (values.target === 'local') {
    const stores = localStores(values.data);
    raw = values['source-dir'] ? new FsObjectStore(values['source-dir']) : stores.raw;
    sink = values['dry-run'] ? { put: async () => {}, putBatch: async () => ({ failed: [], errors: [] }), close: async () => {} } : new LocalFirehose(stores.raw.root);
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

async function replayEnrich(values: Values, io: CliIo): Promise<number> {
  const days = daysOf(values);
  const target = values.target;
  if (target !== 'local' && target !== 'aws') throw new UsageError('--target is local or aws');
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
        const v = (values as Record<string, unknown>)[flag] ?? io.env[env];
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
      deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root };
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

export const command: Command = {
  name: 'replay',
  summary: 'reprocess: raw objects or Firehose error output back onto the stream; rebuild enriched days',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(argv);
    if (positionals[0] === 'stream' && positionals.length === 1) return replayStream(values, io);
    if (positionals[0] === 'enrich' && positionals.length === 1) return replayEnrich(values, io);
    throw new UsageError('expected `replay stream` or `replay enrich`');
  },
};

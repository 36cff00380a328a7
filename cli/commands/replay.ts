/** `tgpipe replay stream|enrich`: reprocessing from the raw layer or Firehose's error output. */
import { writeFile } from 'node:fs/promises';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { dateRange } from '../../core/context-date';
import { loadConfig } from '../../core/config';
import { enrichDay, type DaySummary } from '../../core/enrich';
import { createLogger } from '../../core/log';
import { mapPool } from '../../core/replay/pool';
import { RateLimiter } from '../../core/replay/rate-limiter';
import { replayDay, type ReplaySource, type ReplaySummary } from '../../core/replay/stream-replay';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { localCatalog, localStores } from '../../adapters/local/data-dir';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import type { ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { DATA_OPTION, parseCommandArgs, UsageError, type CliIo, type Command } from '../command';
import { progressBar } from '../progress';
import { formatSummary } from './enrich';

const HELP = `Usage: tgpipe replay stream --from D --to D [--source raw|errors] [--target local|aws] [--dry-run] [options]
       tgpipe replay enrich --from D --to D [--target local|aws] [--concurrency N] [options]

replay stream   puts the records of each day back onto the stream, one day at a time: raw objects
                (envelopes keep their context_date; bare updates of the original pipeline are wrapped)
                or Firehose's error output (errors/<type>/date=D/, base64 rawData decoded; D is the
                arrival date). PutRecordBatch within its limits (500 records, 4 MiB per call, 1,000
                KiB per record); failed entries re-sent with backoff and jitter; rate-limited to a
                share of the stream's quota so live webhooks keep working. Safe to re-run: the
                enrichment keeps one row per update_id.
replay enrich   rebuilds the enriched days and re-registers their partitions (bounded concurrency).

Options:
  --from D --to D        inclusive range of days (YYYY-MM-DD)
  --source raw|errors    what to replay (stream; default raw)
  --target local|aws     local data folder (default) or AWS
  --data DIR             local data folder (default ./data, or TGPIPE_DATA)
  --dry-run              count what would be sent, send nothing
  --share F              share of the stream quota to use (default 0.5)
  --quota-bytes N        stream quota in bytes/s (default 1048576, Firehose's smallest regional quota)
  --quota-records N      stream quota in records/s (default 100000)
  --max-attempts N       attempts per record before giving up (default 8)
  --unsent-file F        where to write lines not sent (default ./replay-unsent-<from>-<to>.jsonl)
  --bucket NAME          (aws) raw bucket
  --stream NAME          (aws) Firehose delivery stream
  --function NAME        (aws, enrich) enrichment Lambda, invoked once per day with {"date": D}
  --concurrency N        (enrich) days at once (default 2 local, 4 aws)
`;

function parse(argv: string[]) {
  return parseCommandArgs(
    argv,
    {
      ...DATA_OPTION,
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string', default: 'raw' },
      target: { type: 'string', default: 'local' },
      'dry-run': { type: 'boolean', default: false },
      share: { type: 'string', default: '0.5' },
      'quota-bytes': { type: 'string', default: String(1024 * 1024) },
      'quota-records': { type: 'string', default: '100000' },
      'max-attempts': { type: 'string', default: '8' },
      'unsent-file': { type: 'string' },
      bucket: { type: 'string' },
      stream: { type: 'string' },
      function: { type: 'string' },
      concurrency: { type: 'string' },
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

const positive = (text: string, name: string): number => {
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`${name} must be a positive number`);
  return n;
};

async function replayStream(values: Values, io: CliIo): Promise<number> {
  const days = daysOf(values);
  const source = values.source as ReplaySource;
  if (source !== 'raw' && source !== 'errors') throw new UsageError('--source is raw or errors');
  const config = loadConfig(io.env);
  const logger = createLogger({ service: 'replay', level: 'warn', write: (l) => process.stderr.write(l) });
  let raw: ObjectStore;
  let sink: RecordSink;
  let limiter: RateLimiter | undefined;
  if (values.target === 'aws') {
    if (!values.bucket || !values.stream) throw new UsageError('--target aws needs --bucket and --stream');
    raw = new S3ObjectStore(new S3Client({}), values.bucket);
    sink = new FirehoseSink(new FirehoseClient({ maxAttempts: 1 }), values.stream);
    const share = positive(values.share, '--share');
    limiter = new RateLimiter(positive(values['quota-records'], '--quota-records') * share, positive(values['quota-bytes'], '--quota-bytes') * share);
  } else if (values.target === 'local') {
    const stores = localStores(values.data);
    raw = stores.raw;
    sink = new LocalFirehose(stores.raw.root);
  } else throw new UsageError('--target is local or aws');

  const bar = progressBar(days.length, `replay ${source}`);
  const summaries: ReplaySummary[] = [];
  try {
    for (const day of days) {
      // One day at a time: Firehose allows only so many active partitions.
      const s = await replayDay(day, source, { raw, sink, logger, utcOffsetMinutes: config.utcOffsetMinutes, limiter, maxAttempts: positive(values['max-attempts'], '--max-attempts') }, { dryRun: values['dry-run'] });
      summaries.push(s);
      bar.tick(day);
    }
  } finally {
    bar.done();
    await sink.close();
  }
  let unsent = 0;
  for (const s of summaries) {
    const skipped = Object.entries(s.skipped).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
    io.stdout(`${s.date} objects=${s.objects} records=${s.records} ${s.dryRun ? 'would send' : 'sent'}=${s.sent} retries=${s.retries} skipped: ${skipped}${s.unsent.length ? ` NOT SENT=${s.unsent.length}` : ''}\n`);
    unsent += s.unsent.length;
  }
  if (unsent > 0) {
    const file = values['unsent-file'] ?? `replay-unsent-${days[0]}-${days.at(-1)}.jsonl`;
    await writeFile(file, summaries.flatMap((s) => s.unsent).join(''));
    io.stderr(`replay: ${unsent} records were not sent after the retry budget; they are in ${file} (run the replay again: duplicates are removed at enrichment)\n`);
    return 1;
  }
  return 0;
}

async function replayEnrich(values: Values, io: CliIo): Promise<number> {
  const days = daysOf(values);
  const bar = progressBar(days.length, 'replay enrich');
  if (values.target === 'aws') {
    if (!values.function) throw new UsageError('--target aws needs --function (the enrichment Lambda)');
    const lambda = new LambdaClient({});
    const failures: string[] = [];
    await mapPool(days, Number(values.concurrency ?? 4), async (day) => {
      const r = await lambda.send(new InvokeCommand({ FunctionName: values.function, Payload: new TextEncoder().encode(JSON.stringify({ date: day })) }));
      const text = r.Payload ? new TextDecoder().decode(r.Payload) : '';
      if (r.FunctionError) failures.push(`${day}: ${text.slice(0, 300)}`);
      else io.stdout(`${day} ${text.slice(0, 300)}\n`);
      bar.tick(day);
    });
    bar.done();
    for (const f of failures) io.stderr(`replay enrich failed: ${f}\n`);
    return failures.length ? 1 : 0;
  }
  if (values.target !== 'local') throw new UsageError('--target is local or aws');
  const stores = localStores(values.data);
  const deps = { raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: createLogger({ service: 'replay', level: 'warn', write: (l) => process.stderr.write(l) }), enrichedLocation: stores.enriched.root };
  const summaries: DaySummary[] = await mapPool(days, Number(values.concurrency ?? 2), async (day) => {
    const s = await enrichDay(day, deps, { force: true });
    bar.tick(day);
    return s;
  });
  bar.done();
  for (const s of summaries) io.stdout(`${formatSummary(s)}\n`);
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

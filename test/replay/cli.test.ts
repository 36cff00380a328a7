/** `tgpipe replay` as operators run it: usage, the AWS face on mocked clients, unsent files, enrichment fan-out. */
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { objectLines } from '../../core/object-lines';
import { localStores } from '../../adapters/local/data-dir';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { rawDayPrefix } from '../../schemas';
import { DAY, envelope, idsOf, update } from './support';

const s3 = mockClient(S3Client);
const firehose = mockClient(FirehoseClient);
const lambda = mockClient(LambdaClient);
const env = { ...process.env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', CONTEXT_UTC_OFFSET: '-03:00' };
let dir: string;

const tgpipe = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(['replay', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
};
const records = (input: PutRecordBatchCommandInput): string[] => (input.Records ?? []).map((r) => Buffer.from(r.Data!).toString('utf8'));

beforeAll(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  dir = await mkdtemp(join(tmpdir(), 'replay-cli-'));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  s3.reset();
  firehose.reset();
  lambda.reset();
});

describe('tgpipe replay usage', () => {
  it('has --help, and answers bad usage with exit 2 and the reason', async () => {
    const h = await tgpipe('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Usage: tgpipe replay \[options\] \[command\]/);
    expect(h.stdout).toMatch(/^ {2}stream /m);
    expect(h.stdout).toMatch(/^ {2}enrich /m);
    const sub = await tgpipe('stream', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/Usage: tgpipe replay stream \[options\]/);
    expect(sub.stdout).toContain('--resume-after <key:line>');
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: tgpipe replay[\s\S]*stream[\s\S]*enrich/],
      [['strem'], /unknown command 'strem' \(did you mean stream\?\)/],
      [['stream'], /give --from D --to D/],
      [['stream', '--from', '2026-05-02', '--to', '2026-05-01'], /after/],
      [['stream', '--from', DAY, '--to', DAY, '--source', 'backup'], /argument 'backup' is invalid. Allowed choices are raw, errors, file/],
      [['stream', '--source', 'file'], /needs --file/],
      [['stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'b'], /needs --stream/],
      [['stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--stream', 's', '--bucket', 'b', '--share', '2'], /--share/],
      [['stream', '--from', DAY, '--to', DAY, '--rate', '0'], /--rate must be a positive number/],
      [['enrich', '--from', DAY, '--to', DAY, '--target', 'aws'], /needs --function/],
      [['enrich', '--from', DAY, '--to', DAY, '--target', 'aws', '--in-process', '--bucket', 'raw'], /--in-process needs --enriched-bucket/],
    ];
    for (const [args, message] of cases) {
      const r = await tgpipe(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('tgpipe replay stream --target aws (mocked S3 and Firehose)', () => {
  const key = `${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-15-00-00-abc.gz`;
  beforeEach(() => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key, Size: 100, ETag: '"e"', LastModified: new Date(`${DAY}T18:00:00Z`) }], IsTruncated: false });
    // Only the listed object exists (the erasure register, read first, is not there: NoSuchKey, as S3 answers).
    s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
      if (input.Key !== key) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      return { Body: Readable.from([Buffer.from([envelope(1), envelope(2), 'garbage\n', envelope(3)].join(''))]) };
    });
  });

  it('exits 1 when records are not sent within the budget, naming them, and writes them for a later --source file', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
      const responses = records(input).map((l) => (idsOf([l])[0] === 2 ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: 'r' }));
      return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
    });
    const unsentFile = join(dir, 'unsent.jsonl');
    const r = await tgpipe('stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'raw-bucket', '--stream', 'raw-stream', '--max-attempts', '1', '--unsent-file', unsentFile);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${DAY} objects=1 records=4 sent=2/3`);
    expect(r.stdout).toContain(`skipped ${key}:3 not_json`);
    expect(r.stderr).toMatch(/replay stopped at 2026-05-10: 1 record\(s\) still failing after 1 attempts/);
    expect(r.stderr).toContain(`NOT SENT: 1 record(s) of ${DAY} (update_ids 2; from ${key}), written to ${unsentFile}`);
    expect(r.stderr).toContain(`tgpipe replay stream --source raw --from ${DAY} --to ${DAY} --target aws --stream raw-stream --bucket raw-bucket`);
    expect(await readFile(unsentFile, 'utf8')).toBe(envelope(2));
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'raw-bucket', Prefix: rawDayPrefix(DAY) });

    // Later, the stream is healthy: just those records.
    firehose.reset();
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: records(input).map(() => ({ RecordId: 'r' })) }));
    const again = await tgpipe('stream', '--source', 'file', '--file', unsentFile, '--target', 'aws', '--stream', 'raw-stream');
    expect(again.code).toBe(0);
    expect(firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => records(c.args[0].input))).toEqual([envelope(2)]);
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input.DeliveryStreamName).toBe('raw-stream');
  });

  it('a dry run counts and estimates the time at the configured share, sending nothing', async () => {
    const r = await tgpipe('stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'raw-bucket', '--stream', 's', '--dry-run', '--rate', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run: 1 day\(s\), 1 objects, 4 records: would send 3 \(\d+ bytes\) in 3 calls, about 3 s at the configured rate, skipped 1/);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });
});

describe('tgpipe replay enrich --target aws', () => {
  it('invokes the enrichment Lambda once per day with {"date": D}, a bounded number at a time, and names failed days', async () => {
    let inFlight = 0;
    let most = 0;
    lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array; FunctionName: string }) => {
      const { date } = JSON.parse(new TextDecoder().decode(input.Payload)) as { date: string };
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight -= 1;
      if (date === '2026-05-03') return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: 'Error', errorMessage: 'Athena query FAILED' })) };
      const summary = { date, status: 'built', objects: 1, bytes: 1, lines: 2, rows: { telegram: 2, telegram_events: 1 }, duplicates: 0, quarantined: 0, ms: 5 };
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ days: [summary] })) };
    });
    const r = await tgpipe('enrich', '--from', '2026-05-01', '--to', '2026-05-06', '--target', 'aws', '--function', 'Enrich', '--concurrency', '2');
    expect(r.code).toBe(1);
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => JSON.parse(new TextDecoder().decode(c.Payload as Uint8Array)).date).sort()).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', '2026-05-06']);
    expect(calls.every((c) => c.FunctionName === 'Enrich' && c.InvocationType === 'RequestResponse')).toBe(true);
    expect(most).toBe(2);
    expect(r.stdout).toContain('2026-05-01 built     objects=1 lines=2 telegram=2 events=1');
    expect(r.stdout).toContain('6 day(s) rebuilt (1 failed): telegram=10 telegram_events=5');
    expect(r.stderr).toContain('replay enrich: 2026-05-03 failed: enrichment Lambda Unhandled: Error: Athena query FAILED');
    expect(r.stderr).toContain('run again for the failed day(s): 2026-05-03');
  });
});

describe('tgpipe replay enrich --catalog-only', () => {
  it('--target aws: one invocation {"catalogOnly": true, from, to} (not one per day), the registered days printed', async () => {
    lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => {
      const event = JSON.parse(new TextDecoder().decode(input.Payload)) as { from: string; to: string };
      const catalog = { from: event.from, to: event.to, days: 31, registered: { telegram: ['2026-05-01', '2026-05-30'], telegram_events: ['2026-05-30'] }, withoutFiles: ['2026-05-02'], ms: 812 };
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ days: [], catalog })) };
    });
    const r = await tgpipe('enrich', '--from', '2026-05-01', '--to', '2026-05-31', '--target', 'aws', '--function', 'Enrich', '--catalog-only');
    expect(r.code).toBe(0);
    const calls = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)));
    expect(calls).toEqual([{ catalogOnly: true, from: '2026-05-01', to: '2026-05-31' }]);
    expect(r.stdout).toContain('telegram: 2 partition(s) registered (2026-05-01..2026-05-30)');
    expect(r.stdout).toContain('telegram_events: 1 partition(s) registered (2026-05-30..2026-05-30)');
    expect(r.stdout).toContain('1 day(s) of 2026-05-01..2026-05-31 have no enriched file');
    expect(r.stdout).toContain('catalog repaired for 2026-05-01..2026-05-31 (31 day(s), 812 ms)');
  });

  it('--target aws: a function error is a failure with its message', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: 'Error', errorMessage: 'Athena query q1 FAILED: Database not found' })) as never });
    const r = await tgpipe('enrich', '--from', '2026-05-01', '--to', '2026-05-02', '--target', 'aws', '--function', 'Enrich', '--catalog-only');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('enrichment Lambda Unhandled: Error: Athena query q1 FAILED: Database not found');
  });

  it('--target local: nothing to register (DuckDB reads the folders), says so, exit 0', async () => {
    const r = await tgpipe('enrich', '--from', '2026-05-01', '--to', '2026-05-02', '--data', join(dir, 'none'), '--catalog-only');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no partitions to register; nothing done/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('appears in --help', async () => {
    const h = await tgpipe('enrich', '--help');
    expect(h.stdout).toContain('--catalog-only');
  });
});

describe('the original pipeline\'s bucket (bare updates, one per object)', () => {
  const written = new Date(`${DAY}T23:00:00Z`);
  async function oldBucket(root: string): Promise<void> {
    const old = new FsObjectStore(root);
    for (const id of [1, 2, 3]) {
      const key = `${rawDayPrefix(DAY)}update-${id}.json`;
      await old.write(key, JSON.stringify(JSON.parse(update(id, `m${id}`)), null, 2)); // pretty-printed, as it was
      await utimes(join(root, ...key.split('/')), written, written);
    }
    await old.write(`${rawDayPrefix(DAY)}notes.txt`, 'not an update');
  }

  it('is enriched as it is, once copied into the raw layer', async () => {
    const data = join(dir, 'old-as-is');
    await oldBucket(join(data, 'raw'));
    const r = await tgpipe('enrich', '--from', DAY, '--to', DAY, '--data', data);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/telegram=3 events=0 duplicates=0 quarantined=1/);
  });

  it('replay stream --source-dir wraps each update in an envelope around its exact bytes', async () => {
    const copy = join(dir, 'old-copy');
    const data = join(dir, 'converted');
    await oldBucket(copy);
    const r = await tgpipe('stream', '--from', DAY, '--to', DAY, '--data', data, '--source-dir', copy);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${DAY} objects=4 records=4 sent=3/3 calls=1 re-sent=0 (wrapped=3) skipped: not_json=1`);
    const raw = localStores(data).raw;
    const lines: string[] = [];
    for await (const o of raw.list(rawDayPrefix(DAY))) for await (const l of objectLines(await raw.read(o.key))) lines.push(l);
    expect(lines.sort()).toEqual([1, 2, 3].map((id) => `{"received_at":${written.getTime()},"context_date":"${DAY}","update":${JSON.stringify(JSON.parse(update(id, `m${id}`)), null, 2).replace(/[\r\n]+/g, ' ')}}`));
    const e = await tgpipe('enrich', '--from', DAY, '--to', DAY, '--data', data);
    expect(e.stdout).toMatch(/telegram=3 events=0 duplicates=0 quarantined=0/);
  });

  it('replay stream --source-dir dates an undated update by its folder\'s day, not a copy\'s mtime, and drops a chatless one by kind', async () => {
    const copy = join(dir, 'old-undated');
    const data = join(dir, 'converted-undated');
    const old = new FsObjectStore(copy);
    // A click has no date of its own; a poll answer has no chat. Copied today (mtime now), years after the day.
    const click = JSON.stringify({ update_id: 40, callback_query: { id: 'c1', from: { id: 1, is_bot: false, first_name: 'A' }, message: { message_id: 7, date: 1, chat: { id: -100, type: 'supergroup' } }, chat_instance: '1', data: 'x' } });
    const vote = JSON.stringify({ update_id: 41, poll_answer: { poll_id: '9', user: { id: 1, is_bot: false, first_name: 'A' }, option_ids: [1] } });
    await old.write(`${rawDayPrefix(DAY)}click.json`, click);
    await old.write(`${rawDayPrefix(DAY)}vote.json`, vote);
    const r = await tgpipe('stream', '--from', DAY, '--to', DAY, '--data', data, '--source-dir', copy);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${DAY} objects=2 records=2 sent=1/1`);
    expect(r.stdout).toContain('dropped 1 with no chat (poll_answer 1)');
    const raw = localStores(data).raw;
    const lines: string[] = [];
    for await (const o of raw.list('')) for await (const l of objectLines(await raw.read(o.key))) lines.push(l);
    // Noon of DAY at -03:00: the day the folder names, whatever day the copy was made.
    expect(lines).toEqual([`{"received_at":${Date.parse(`${DAY}T15:00:00Z`)},"context_date":"${DAY}","update":${click}}`]);
  });
});

/** replay stream against a mocked Firehose (aws-sdk-client-mock): limits, partial failures, throttling, budget, rate. */
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { encodeErrorRecord } from '../../core/replay/error-output';
import { RateLimiter } from '../../core/replay/rate-limiter';
import { replayDays, type ReplayDeps } from '../../core/replay/stream-replay';
import { FIREHOSE_LIMITS, FirehoseSink } from '../../adapters/aws/firehose-sink';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { rawDayPrefix } from '../../schemas';
import { DAY, envelope, fakeClock, idsOf, OFFSET, update } from './support';

const firehose = mockClient(FirehoseClient);
const NEXT = '2026-05-11';
let dir: string;
let n = 0;
let raw: FsObjectStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-fh-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
beforeEach(() => {
  firehose.reset();
  raw = new FsObjectStore(join(dir, `raw-${(n += 1)}`));
});

const records = (input: PutRecordBatchCommandInput): string[] => (input.Records ?? []).map((r) => Buffer.from(r.Data!).toString('utf8'));
const accept = (input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: (input.Records ?? []).map((_, i) => ({ RecordId: `r${i}` })) });
const throttle = (name: string) => Object.assign(new Error('Rate exceeded'), { name, $metadata: { httpStatusCode: name === 'ThrottlingException' ? 400 : 503 } });

function deps(extra: Omit<Partial<ReplayDeps>, 'logger'> = {}): ReplayDeps & { logger: ReturnType<typeof memoryLogger> } {
  return {
    raw,
    sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), 'stream'),
    logger: memoryLogger(),
    utcOffsetMinutes: OFFSET,
    clock: fakeClock(),
    random: () => 0.5,
    ...extra,
  };
}

describe('replay stream onto Firehose', () => {
  it('sends records of mixed sizes in calls that never exceed 500 records, 4 MiB or 1,000 KiB per record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 150_000, max: 1_030_000 })), { minLength: 1, maxLength: 700 }), async (sizes) => {
        firehose.reset();
        raw = new FsObjectStore(join(dir, `raw-${(n += 1)}`));
        const lines = sizes.map((s, i) => envelope(i, 'y'.repeat(s)));
        await raw.write(`${rawDayPrefix(DAY)}a.json.gz`, gzipSync(lines.join('')));
        firehose.on(PutRecordBatchCommand).callsFake(accept);
        const r = await replayDays([DAY], 'raw', deps());
        const calls = firehose.commandCalls(PutRecordBatchCommand).map((c) => records(c.args[0].input));
        for (const call of calls) {
          expect(call.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBatchRecords);
          expect(call.reduce((t, l) => t + Buffer.byteLength(l), 0)).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBatchBytes);
          for (const l of call) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxRecordBytes);
        }
        const big = lines.filter((l) => Buffer.byteLength(l) > FIREHOSE_LIMITS.maxRecordBytes);
        expect(calls.flat()).toEqual(lines.filter((l) => Buffer.byteLength(l) <= FIREHOSE_LIMITS.maxRecordBytes));
        expect(r.days[0]).toMatchObject({ records: lines.length, sent: lines.length - big.length, skipped: big.length ? { oversized: big.length } : {}, complete: true });
      }),
      { numRuns: 8 },
    );
  });

  it('re-sends only the failed entries (FailedPutCount, per-entry ErrorCode) until all are in', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 1200 }, (_, i) => envelope(i)).join(''));
    const accepted: string[] = [];
    let call = 0;
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
      call += 1;
      const lines = records(input);
      // The first four calls fail every third entry (the first of each call included).
      const responses = lines.map((l, i) => {
        if (call <= 4 && i % 3 === 0) return { ErrorCode: i % 2 ? 'InternalFailure' : 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
        accepted.push(l);
        return { RecordId: `r${i}` };
      });
      return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
    });
    const d = deps();
    const r = await replayDays([DAY], 'raw', d);
    const day = r.days[0]!;
    expect(day).toMatchObject({ records: 1200, toSend: 1200, sent: 1200, unsent: [], complete: true });
    expect(day.resent).toBeGreaterThan(0);
    const sentLines = firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => records(c.args[0].input));
    // Every re-sent entry was one that had failed: the calls carried each record once plus the re-sends.
    expect(sentLines.length).toBe(1200 + day.resent);
    expect(accepted.length).toBe(1200);
    expect(new Set(idsOf(accepted)).size).toBe(1200);
    // Retried calls carried only failed entries: the second call is the first call's failures.
    const [first, second] = firehose.commandCalls(PutRecordBatchCommand).map((c) => records(c.args[0].input));
    expect(second).toEqual(first!.filter((_, i) => i % 3 === 0));
    expect(d.logger.lines.some((l) => l.event === 'replay_partial_failure')).toBe(true);
  });

  it('backs off on throttling exceptions, growing, and succeeds when the stream recovers', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, [envelope(1), envelope(2)].join(''));
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(throttle('ThrottlingException'))
      .rejectsOnce(throttle('ServiceUnavailableException'))
      .rejectsOnce(throttle('LimitExceededException'))
      .callsFake(accept);
    const clock = fakeClock();
    const r = await replayDays([DAY], 'raw', deps({ clock, random: () => 0.999 }));
    expect(r.days[0]).toMatchObject({ sent: 2, throttled: 3, resent: 6, complete: true });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(4);
    expect(clock.slept).toEqual([499, 999, 1998]);
  });

  it('stops when the retry budget is spent: names what was not sent, leaves later days unattempted', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 30 }, (_, i) => envelope(i)).join(''));
    await raw.write(`${rawDayPrefix(NEXT)}a.json`, envelope(100, 'x', NEXT));
    // update_id 5 fails at every attempt; the others go through.
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
      const responses = records(input).map((l, i) => (idsOf([l])[0] === 5 ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: `r${i}` }));
      return { FailedPutCount: responses.filter((x) => 'ErrorCode' in x).length, RequestResponses: responses };
    });
    const clock = fakeClock();
    const r = await replayDays([DAY, NEXT], 'raw', deps({ clock, retry: { maxAttempts: 4 }, limits: { maxRecords: 10, maxBatchBytes: 4 << 20, maxRecordBytes: 1000 * 1024 } }));
    expect(r.stopped).toMatchObject({ day: DAY, fatal: false });
    expect(r.stopped!.reason).toMatch(/1 record\(s\) still failing after 4 attempts \(ServiceUnavailableException/);
    expect(r.notAttempted).toEqual([NEXT]);
    const day = r.days[0]!;
    // The failing record plus the records read into the next batch, none lost from the account.
    expect(day.unsent.map((u) => u.updateId)).toEqual([5, 10]);
    expect(day.sent).toBe(9);
    expect(day.complete).toBe(false);
    expect(clock.slept).toHaveLength(3);
    expect(r.days).toHaveLength(1);
  });

  it('stops at once, without retrying, when the stream refuses the call (fatal)', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, [envelope(1), envelope(2)].join(''));
    firehose.on(PutRecordBatchCommand).rejects(Object.assign(new Error('Firehose stream not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }));
    const r = await replayDays([DAY], 'raw', deps());
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    expect(r.stopped).toMatchObject({ day: DAY, fatal: true });
    expect(r.days[0]!.unsent.map((u) => u.updateId)).toEqual([1, 2]);
  });

  it('keeps to the rate: records, bytes and calls per simulated second', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 2000 }, (_, i) => envelope(i, 'z'.repeat(i % 700))).join(''));
    const clock = fakeClock();
    const rate = { recordsPerSecond: 300, bytesPerSecond: 120_000, requestsPerSecond: 4 };
    const sent: Array<{ at: number; records: number; bytes: number }> = [];
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
      const lines = records(input);
      sent.push({ at: clock.now(), records: lines.length, bytes: lines.reduce((t, l) => t + Buffer.byteLength(l), 0) });
      return accept(input);
    });
    const r = await replayDays([DAY], 'raw', deps({ clock, limiter: new RateLimiter(rate, clock) }));
    expect(r.days[0]!.sent).toBe(2000);
    const totalBytes = sent.reduce((t, s) => t + s.bytes, 0);
    // At least as long as the slowest dimension needs.
    expect(clock.now()).toBeGreaterThanOrEqual(Math.floor((totalBytes / rate.bytesPerSecond - 1) * 1000));
    for (const s of sent) {
      const win = sent.filter((o) => o.at > s.at - 1000 && o.at <= s.at);
      expect(win.reduce((t, o) => t + o.records, 0)).toBeLessThanOrEqual(rate.recordsPerSecond);
      expect(win.reduce((t, o) => t + o.bytes, 0)).toBeLessThanOrEqual(rate.bytesPerSecond);
      expect(win.length).toBeLessThanOrEqual(rate.requestsPerSecond);
    }
    expect(r.rateWaitMs).toBeGreaterThan(0);
  });

  it('error output: decodes rawData, selects by arrival date, skips and lists what is not an update', async () => {
    const arrival = Date.parse(`${NEXT}T01:00:00Z`);
    const bare = update(3);
    await raw.write(
      `errors/DynamicPartitioning.MetadataExtractionFailed/date=${NEXT}/o1.gz`,
      gzipSync([encodeErrorRecord(envelope(1)), encodeErrorRecord(bare, { arrivalTimestamp: arrival }), encodeErrorRecord('not json'), '{"attemptsMade":1}'].join('\n')),
    );
    await raw.write(`errors/processing-failed/date=${DAY}/o2`, encodeErrorRecord(envelope(2)));
    firehose.on(PutRecordBatchCommand).callsFake(accept);
    const r = await replayDays([NEXT], 'errors', deps());
    const sent = firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => records(c.args[0].input));
    // The envelope as it was put; the bare update wrapped with Firehose's arrival time, on its own context_date.
    expect(sent).toEqual([envelope(1), `{"received_at":${arrival},"context_date":"${DAY}","update":${bare}}\n`]);
    expect(r.days[0]).toMatchObject({ objects: 1, records: 4, sent: 2, kinds: { envelope: 1, wrapped: 1 }, skipped: { not_json: 1, error_record_without_rawdata: 1 } });
    expect(r.days[0]!.samples).toEqual([
      { key: `errors/DynamicPartitioning.MetadataExtractionFailed/date=${NEXT}/o1.gz`, line: 3, reason: 'not_json' },
      { key: `errors/DynamicPartitioning.MetadataExtractionFailed/date=${NEXT}/o1.gz`, line: 4, reason: 'error_record_without_rawdata' },
    ]);
  });

  it('a dry run reads and counts, and sends nothing', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, [envelope(1), envelope(2), 'nope'].join('\n'));
    const r = await replayDays([DAY], 'raw', deps(), { dryRun: true });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(r.days[0]).toMatchObject({ records: 3, toSend: 2, sent: 2, calls: 1, skipped: { not_json: 1 }, complete: true });
  });

  it('stops cleanly between calls when asked (Ctrl-C, the Lambda\'s time)', async () => {
    await raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 25 }, (_, i) => envelope(i)).join(''));
    firehose.on(PutRecordBatchCommand).callsFake(accept);
    let calls = 0;
    const r = await replayDays([DAY, NEXT], 'raw', deps({ limits: { maxRecords: 10, maxBatchBytes: 4 << 20, maxRecordBytes: 1000 * 1024 }, shouldStop: () => (calls++ >= 1 ? 'interrupted' : undefined) }));
    expect(r.stopped).toEqual({ day: DAY, reason: 'interrupted', fatal: false });
    expect(r.days[0]!.sent).toBe(10);
    expect(r.days[0]!.unsent.map((u) => u.updateId)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(r.notAttempted).toEqual([NEXT]);
  });
});

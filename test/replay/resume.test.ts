/**
 * A replay stopped part-way through a day resumes where it stopped, on a frozen snapshot:
 * - the audit's scenario (a day of 100 records, every run stopped after N, resumed as told) completes
 *   with every record sent exactly once, on local folders (the replay's own output lands in the same
 *   day folder) and through the CLI against S3 and Firehose (aws-sdk-client-mock: paginated listings,
 *   GetObject, PutRecordBatch refusing entries);
 * - objects written after the first run started are never replayed, and are counted;
 * - a record that failed after its retries is never passed over: the resumption sends it, and the
 *   records acknowledged after it are counted as sent again;
 * - a resume position that no longer fits (key gone, object rewritten or shorter, other day) is an
 *   error before anything is sent, never a silent restart.
 */
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, type GetObjectCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main';
import { memoryLogger } from '../../core/log';
import { encodeErrorRecord } from '../../core/replay/error-output';
import { compareKeys, planReplay, replayDays, ResumeError, type ReplayDeps, type ReplayOptions } from '../../core/replay/stream-replay';
import { localStores } from '../../adapters/local/data-dir';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { createReplayHandler, type ReplayEvent } from '../../handlers/replay';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import type { RecordSink } from '../../ports/record-sink';
import { rawDayPrefix } from '../../schemas';
import { DAY, envelope, fakeClock, idsOf, OFFSET } from './support';

const s3 = mockClient(S3Client);
const firehose = mockClient(FirehoseClient);
const env = { ...process.env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', CONTEXT_UTC_OFFSET: '-03:00' };
const NEXT = '2026-05-11';
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const limits = (maxRecords: number) => ({ maxRecords, maxBatchBytes: 4 << 20, maxRecordBytes: 1000 * 1024 });

let dir: string;
let n = 0;
beforeAll(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // progress lines
  dir = await mkdtemp(join(tmpdir(), 'replay-resume-'));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  s3.reset();
  firehose.reset();
});

/**
 * The audit's day: 100 records in three objects, with lines that are not updates among them (skipped,
 * and counted as lines), so positions fall anywhere: inside objects, on skipped lines, at object ends.
 */
function auditDay(): Array<{ name: string; lines: string[] }> {
  const lines = range(100).map((id) => envelope(id));
  return [
    { name: 'TelegramRaw-1-2026-05-10-15-00-00-a.gz', lines: [...lines.slice(0, 20), 'not json\n', ...lines.slice(20, 45)] },
    { name: 'TelegramRaw-1-2026-05-10-16-00-00-b.gz', lines: ['{"not":"an update"}\n', ...lines.slice(45, 80)] },
    { name: 'TelegramRaw-1-2026-05-10-17-00-00-c.gz', lines: lines.slice(80) },
  ];
}

/** A sink in front of another that acknowledges the first `budget` records of the run and refuses the rest. */
function budgetSink(inner: RecordSink, budget: number): RecordSink & { acked: string[] } {
  const acked: string[] = [];
  return {
    acked,
    put: async () => {},
    putBatch: async (lines) => {
      const take = Math.max(0, Math.min(lines.length, budget - acked.length));
      const ok = lines.slice(0, take);
      if (ok.length > 0) expect((await inner.putBatch(ok)).failed).toEqual([]);
      acked.push(...ok);
      const failed = range(lines.length - take, take);
      return { failed, errors: failed.map(() => 'ServiceUnavailableException: Slow down.') };
    },
    close: () => inner.close(),
  };
}

describe('resume on local folders: the replay writes back into the day it reads', () => {
  it('the audit scenario: every run stopped after N and resumed as told; every record sent exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom('budget' as const, 'interrupt' as const), async (stopAfter, batch, how) => {
        const data = join(dir, `local-${(n += 1)}`);
        const { raw } = localStores(data);
        for (const o of auditDay()) await raw.write(`${rawDayPrefix(DAY)}${o.name}`, gzipSync(o.lines.join('')));
        const sent: string[] = [];
        const listed: number[] = [];
        const leftOut: number[] = [];
        let options: ReplayOptions = {};
        for (let run = 1; ; run += 1) {
          expect(run).toBeLessThanOrEqual(100);
          // A budget stop cuts a call part-way (the rest of the call is refused); an interrupt stops between calls.
          const sink = budgetSink(new LocalFirehose(raw.root, { durability: 'process' }), how === 'budget' ? stopAfter : Infinity);
          const logger = memoryLogger();
          const deps: ReplayDeps = {
            raw,
            sink,
            logger,
            utcOffsetMinutes: OFFSET,
            clock: fakeClock(),
            random: () => 0,
            retry: { maxAttempts: 1 },
            limits: limits(batch),
            shouldStop: how === 'interrupt' ? () => (sink.acked.length >= stopAfter ? 'interrupted' : undefined) : undefined,
          };
          const r = await replayDays([DAY, NEXT], 'raw', deps, options);
          await sink.close();
          sent.push(...sink.acked);
          const day = r.days[0]!;
          listed.push(day.objects + day.leftOut);
          leftOut.push(day.leftOut);
          expect(logger.lines.find((l) => l.event === 'replay_snapshot')).toMatchObject({ listed_before: r.listedBefore, left_out: day.leftOut });
          if (!r.stopped) {
            expect(r.days.map((d) => d.complete)).toEqual([true, true]);
            break;
          }
          expect(r.stopped.day).toBe(DAY);
          expect(day.resendOnResume).toBe(0);
          // The position is the last record acknowledged: the next run starts right after it.
          if (r.resume) expect(r.resume.day).toBe(DAY);
          options = { listedBefore: r.listedBefore, resume: r.resume };
        }
        // Every record once, in order, across the runs.
        expect(idsOf(sent)).toEqual(range(100));
        // Each run lists what the earlier runs wrote back into the day, and leaves it out.
        expect(listed).toEqual(listed.map((_, i) => 3 + i));
        expect(leftOut).toEqual(leftOut.map((_, i) => i));
        if (how === 'budget') expect(listed).toHaveLength(Math.ceil(100 / stopAfter));
        await rm(data, { recursive: true, force: true });
      }),
      { numRuns: 16 },
    );
  }, 120_000);

  it('a record that failed after its retries is not passed over: the resumption sends it, and counts what it sends again', async () => {
    const { raw } = localStores(join(dir, `local-${(n += 1)}`));
    await raw.write(`${rawDayPrefix(DAY)}a.json`, range(30).map((id) => envelope(id)).join(''));
    // update_id 12 fails at every attempt of the first run; the rest of its call (10..19) goes in.
    const acked: string[] = [];
    const sink = (failing: (id: number) => boolean): RecordSink => ({
      put: async () => {},
      putBatch: async (lines) => {
        const failed = range(lines.length).filter((i) => failing(idsOf([lines[i]!])[0]!));
        acked.push(...lines.filter((_, i) => !failed.includes(i)));
        return { failed, errors: failed.map(() => 'InternalFailure: x') };
      },
      close: async () => {},
    });
    const deps = (s: RecordSink): ReplayDeps => ({ raw, sink: s, logger: memoryLogger(), utcOffsetMinutes: OFFSET, clock: fakeClock(), random: () => 0, retry: { maxAttempts: 3 }, limits: limits(10) });
    const first = await replayDays([DAY], 'raw', deps(sink((id) => id === 12)));
    expect(first.stopped?.reason).toMatch(/1 record\(s\) still failing after 3 attempts/);
    // 0..11 in order, then 12 failed: resume after line 12 (update_id 11).
    expect(first.resume).toEqual({ day: DAY, afterKey: `${rawDayPrefix(DAY)}a.json`, afterLine: 12 });
    // The failed record, and the first record of the next call, read but not sent.
    expect(first.days[0]!.unsent.map((u) => u.updateId)).toEqual([12, 20]);
    expect(first.days[0]!.resendOnResume).toBe(7); // 13..19
    const second = await replayDays([DAY], 'raw', deps(sink(() => false)), { listedBefore: first.listedBefore, resume: first.resume });
    expect(second.stopped).toBeUndefined();
    expect(second.days[0]).toMatchObject({ resumed: { afterKey: `${rawDayPrefix(DAY)}a.json`, afterLine: 12, objectsPassed: 0 }, records: 18, sent: 18 });
    const ids = idsOf(acked);
    expect([...new Set(ids)].sort((a, b) => a - b)).toEqual(range(30));
    // Sent twice: exactly the records the first run said it would send again.
    expect(ids.length - 30).toBe(first.days[0]!.resendOnResume);
  });

  it('error output: several records in one line; a position never splits a line', async () => {
    const { raw } = localStores(join(dir, `local-${(n += 1)}`));
    const key = `errors/processing-failed/date=${DAY}/o1`;
    // Line 1: ids 1; line 2: rawData holding ids 2 and 3; line 3: ids 4.
    const twoInOne = JSON.stringify({ attemptsMade: 1, arrivalTimestamp: 1, errorCode: 'x', rawData: Buffer.from(envelope(2) + envelope(3)).toString('base64') });
    await raw.write(key, [encodeErrorRecord(envelope(1)), twoInOne, encodeErrorRecord(envelope(4))].join('\n'));
    const acked: string[] = [];
    const sink = (failing: number): RecordSink => ({
      put: async () => {},
      putBatch: async (lines) => {
        const failed = range(lines.length).filter((i) => idsOf([lines[i]!])[0] === failing);
        acked.push(...lines.filter((_, i) => !failed.includes(i)));
        return { failed, errors: failed.map(() => 'InternalFailure: x') };
      },
      close: async () => {},
    });
    const deps = (s: RecordSink): ReplayDeps => ({ raw, sink: s, logger: memoryLogger(), utcOffsetMinutes: OFFSET, clock: fakeClock(), random: () => 0, retry: { maxAttempts: 1 } });
    const first = await replayDays([DAY], 'errors', deps(sink(3)));
    // 3 (second record of line 2) failed: resume after line 1, so 2 is sent again with it.
    expect(first.resume).toEqual({ day: DAY, afterKey: key, afterLine: 1 });
    expect(first.days[0]!.resendOnResume).toBe(2); // 2 and 4
    const second = await replayDays([DAY], 'errors', deps(sink(-1)), { listedBefore: first.listedBefore, resume: first.resume });
    expect(second.days[0]).toMatchObject({ records: 3, sent: 3, complete: true });
    expect(idsOf(acked)).toEqual([1, 2, 4, 2, 3, 4]);
  });

  it('a resume position that no longer fits is an error before anything is sent', async () => {
    const { raw } = localStores(join(dir, `local-${(n += 1)}`));
    const key = `${rawDayPrefix(DAY)}a.json`;
    await raw.write(key, range(10).map((id) => envelope(id)).join(''));
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(raw.root, ...key.split('/')), old, old);
    const lines: string[] = [];
    const sink: RecordSink = { put: async () => {}, putBatch: async (b) => (lines.push(...b), { failed: [], errors: [] }), close: async () => {} };
    const deps: ReplayDeps = { raw, sink, logger: memoryLogger(), utcOffsetMinutes: OFFSET, clock: fakeClock() };
    const listedBefore = new Date(Date.now() - 60_000).toISOString();
    const attempt = (resume: { day: string; afterKey: string; afterLine: number }, days = [DAY]) => replayDays(days, 'raw', deps, { listedBefore, resume });

    await expect(attempt({ day: DAY, afterKey: `${rawDayPrefix(DAY)}gone.json`, afterLine: 3 })).rejects.toMatchObject({ name: 'ResumeKeyNotFound', message: expect.stringMatching(/no such object among the 1 object\(s\) of 2026-05-10 .*nothing was sent/) });
    await expect(attempt({ day: DAY, afterKey: key, afterLine: 11 })).rejects.toMatchObject({ name: 'ResumeObjectChanged', message: expect.stringMatching(/has 10 line\(s\) now/) });
    await expect(attempt({ day: NEXT, afterKey: key, afterLine: 1 })).rejects.toMatchObject({ name: 'ResumeDayMismatch' });
    await expect(attempt({ day: DAY, afterKey: key, afterLine: 1 }, [DAY, NEXT]).then((r) => r.days[0]!.sent)).resolves.toBe(9);
    lines.length = 0;
    // Written again after the replay started: not the object the position counted lines in.
    await utimes(join(raw.root, ...key.split('/')), new Date(), new Date());
    const e = await attempt({ day: DAY, afterKey: key, afterLine: 4 }).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(ResumeError);
    expect(e).toMatchObject({ name: 'ResumeObjectChanged', message: expect.stringMatching(/written again at .* after the replay started/) });
    expect(lines).toEqual([]);
  });
});

describe('order and snapshot', () => {
  it('objects are replayed in key order (S3 byte order) whatever order a store lists them in', async () => {
    const info = (key: string, t = 1000): ObjectInfo => ({ key, size: 1, etag: 'e', lastModified: new Date(t) });
    const keys = [`${rawDayPrefix(DAY)}c`, `${rawDayPrefix(DAY)}\u{1F600}`, `${rawDayPrefix(DAY)}a`, `${rawDayPrefix(DAY)}\uFF5E`, `${rawDayPrefix(DAY)}b`];
    const store = { url: 'mem', async *list() { for (const k of keys) yield info(k, k.endsWith('b') ? 5000 : 1000); } } as unknown as ObjectStore;
    const [plan] = await planReplay(store, [DAY], 'raw', new Date(2000));
    expect(plan!.objects.map((o) => o.key.slice(rawDayPrefix(DAY).length))).toEqual(['a', 'c', '\uFF5E', '\u{1F600}']);
    expect(plan!.leftOut.map((o) => o.key)).toEqual([`${rawDayPrefix(DAY)}b`]);
    // UTF-8 byte order, as S3 lists: U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80); JavaScript's < says the opposite.
    expect(compareKeys('\uFF5E', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF5E' < '\u{1F600}').toBe(false);
  });
});

/** An S3 bucket in memory behind the mocked client: ListObjectsV2 in pages of 2, GetObject, and Firehose delivering into it. */
function mockBucket() {
  const bucket = new Map<string, { body: Buffer; lastModified: Date }>();
  const lists: ListObjectsV2CommandInput[] = [];
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
    lists.push(input);
    const keys = [...bucket.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort(compareKeys);
    const start = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(start, start + 2);
    const more = start + 2 < keys.length;
    return { Contents: page.map((k) => ({ Key: k, Size: bucket.get(k)!.body.length, ETag: '"e"', LastModified: bucket.get(k)!.lastModified })), KeyCount: page.length, IsTruncated: more, NextContinuationToken: more ? String(start + 2) : undefined };
  });
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    const o = bucket.get(input.Key!);
    if (!o) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: Readable.from([o.body]) };
  });
  return { bucket, lists };
}

/**
 * Firehose: per run, acknowledges the first `budget` records and refuses every later entry (a stream
 * that stopped taking records); what it acknowledged lands, as Firehose delivers, in a new object of the
 * day it was put for, in the same bucket.
 */
function mockFirehose(bucket: Map<string, { body: Buffer; lastModified: Date }>) {
  const state = { budget: Infinity, run: [] as string[], acked: [] as string[], failEvery: 0 };
  let delivered = 0;
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
    const lines = (input.Records ?? []).map((r) => Buffer.from(r.Data!).toString('utf8'));
    const responses = lines.map((l, i) => {
      if (state.run.length >= state.budget || (state.failEvery > 0 && i % state.failEvery === state.failEvery - 1)) return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      state.run.push(l);
      return { RecordId: `r${i}` };
    });
    return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
  });
  /** The end of a run: Firehose delivers what it took into the day folder. */
  const deliver = (): void => {
    if (state.run.length > 0) bucket.set(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-12-09-00-0${(delivered += 1)}-replayed.gz`, { body: gzipSync(state.run.join('')), lastModified: new Date() });
    state.acked.push(...state.run);
    state.run = [];
  };
  return { state, deliver };
}

/** The arguments of a printed `tgpipe replay stream ...` line (single quotes as shellWord writes them). */
function argsOf(command: string): string[] {
  const words = command.trim().match(/'(?:[^']|'\\'')*'|\S+/g) ?? [];
  return words.map((w) => (w.startsWith("'") ? w.slice(1, -1).replace(/'\\''/g, "'") : w));
}

const tgpipe = async (args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
};

describe('tgpipe replay stream --target aws: stop, resume as printed, on mocked S3 and Firehose', () => {
  const write = (bucket: Map<string, { body: Buffer; lastModified: Date }>) => {
    const before = new Date(Date.now() - 3_600_000);
    for (const o of auditDay()) bucket.set(`${rawDayPrefix(DAY)}${o.name}`, { body: gzipSync(o.lines.join('')), lastModified: before });
  };

  it('the audit scenario: each run stopped after N records, resumed with the printed command, every record once', async () => {
    for (const stopAfter of [60, 30, 7]) {
      s3.reset();
      firehose.reset();
      const { bucket, lists } = mockBucket();
      write(bucket);
      const fh = mockFirehose(bucket);
      fh.state.budget = stopAfter;
      const unsent = join(dir, `unsent-${(n += 1)}.jsonl`);
      let args = ['replay', 'stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'raw-bucket', '--stream', 'raw-stream', '--max-attempts', '1', '--unsent-file', unsent];
      const runs: Array<{ code: number; stdout: string; stderr: string }> = [];
      for (;;) {
        expect(runs.length).toBeLessThan(20);
        const r = await tgpipe(args);
        fh.deliver();
        runs.push(r);
        if (r.code === 0) break;
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/NOT SENT: \d+ record\(s\) of 2026-05-10 .* written to /);
        expect(r.stderr).toContain('they come after the resume position: the resume command below sends them again');
        const command = r.stderr.split('\n').find((l) => l.startsWith('  tgpipe replay stream --source raw'));
        expect(command, r.stderr).toBeDefined();
        args = [...argsOf(command!).slice(1), '--max-attempts', '1', '--unsent-file', unsent];
      }
      // 100 records, N a run: ceil(100 / N) runs, every record acknowledged once, in order.
      expect(runs).toHaveLength(Math.ceil(100 / stopAfter));
      expect(idsOf(fh.state.acked)).toEqual(range(100));
      // Each run listed the day (in pages of 2), including what Firehose delivered from the earlier runs, and left it out.
      expect(lists.every((l) => l.Prefix === rawDayPrefix(DAY))).toBe(true);
      runs.forEach((r, i) => {
        if (i === 0) expect(r.stdout).not.toContain('left-out=');
        else {
          expect(r.stdout).toContain(`left-out=${i} (written after the replay started)`);
          expect(r.stdout).toMatch(new RegExp(`snapshot [-0-9T:.]+Z: ${i} object\\(s\\) written after the replay started were left out \\(telegram/context_date=2026-05-10/TelegramRaw-1-2026-05-12-09-00-01-replayed.gz`));
        }
      });
      if (stopAfter === 60) {
        expect(runs[0]!.stderr).toContain(`--listed-before `);
        expect(runs[0]!.stderr).toContain(`--resume-after telegram/context_date=2026-05-10/TelegramRaw-1-2026-05-10-16-00-00-b.gz:16`);
        expect(runs[1]!.stdout).toContain(`(resumed after telegram/context_date=2026-05-10/TelegramRaw-1-2026-05-10-16-00-00-b.gz:16; 1 earlier object(s) not read again)`);
      }
    }
  });

  it('objects written after the first run started (the webhook, late data) are left out by every resumption', async () => {
    const { bucket } = mockBucket();
    write(bucket);
    const fh = mockFirehose(bucket);
    fh.state.budget = 50;
    const first = await tgpipe(['replay', 'stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'b', '--stream', 's', '--max-attempts', '1', '--unsent-file', join(dir, `u-${(n += 1)}`)]);
    expect(first.code).toBe(1);
    // Meanwhile a live object lands in the day, sorting after the position.
    bucket.set(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-23-59-59-live.gz`, { body: gzipSync(envelope(500)), lastModified: new Date() });
    fh.state.budget = Infinity;
    const command = first.stderr.split('\n').find((l) => l.startsWith('  tgpipe replay stream'))!;
    const second = await tgpipe(argsOf(command).slice(1));
    expect(second.code).toBe(0);
    fh.deliver();
    expect(idsOf(fh.state.acked)).toEqual(range(100));
    expect(second.stdout).toContain('left-out=1 (written after the replay started)');
    expect(second.stdout).toContain('TelegramRaw-1-2026-05-10-23-59-59-live.gz');
  });

  it('partial failures that outlast the retries: nothing is passed over, and what goes twice is said', async () => {
    const { bucket } = mockBucket();
    write(bucket);
    const fh = mockFirehose(bucket);
    fh.state.failEvery = 9; // the 9th, 18th, ... entry of every call is refused, retries included
    const r = await tgpipe(['replay', 'stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'b', '--stream', 's', '--max-attempts', '1', '--unsent-file', join(dir, `u-${(n += 1)}`)]);
    expect(r.code).toBe(1);
    // One call of 100: the 9th record (update_id 8, line 9 of the first object) is the first refused;
    // 81 of the 91 after it went in (17, 26, ..., 98 were refused too).
    expect(r.stderr).toContain('--resume-after telegram/context_date=2026-05-10/TelegramRaw-1-2026-05-10-15-00-00-a.gz:8');
    expect(r.stderr).toMatch(/; 81 record\(s\) after that position were acknowledged and are sent again/);
    fh.deliver();
    fh.state.failEvery = 0;
    const command = r.stderr.split('\n').find((l) => l.startsWith('  tgpipe replay stream'))!;
    expect((await tgpipe(argsOf(command).slice(1))).code).toBe(0);
    fh.deliver();
    const ids = idsOf(fh.state.acked);
    expect([...new Set(ids)].sort((a, b) => a - b)).toEqual(range(100));
    expect(ids.length - 100).toBe(81);
  });

  it('a resume key that no longer exists: exit 3, the reason, nothing sent; an object rewritten since: the same', async () => {
    const { bucket } = mockBucket();
    write(bucket);
    const fh = mockFirehose(bucket);
    fh.state.budget = 30;
    const first = await tgpipe(['replay', 'stream', '--from', DAY, '--to', DAY, '--target', 'aws', '--bucket', 'b', '--stream', 's', '--max-attempts', '1', '--unsent-file', join(dir, `u-${(n += 1)}`)]);
    expect(first.code).toBe(1);
    const args = argsOf(first.stderr.split('\n').find((l) => l.startsWith('  tgpipe replay stream'))!).slice(1);
    const key = `${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-16-00-00-b.gz`;
    expect(args).toContain(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-15-00-00-a.gz:31`);
    const puts = firehose.commandCalls(PutRecordBatchCommand).length;
    const saved = bucket.get(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-15-00-00-a.gz`)!;

    bucket.delete(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-15-00-00-a.gz`);
    const gone = await tgpipe(args);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/ResumeKeyNotFound: cannot resume after telegram\/context_date=2026-05-10\/TelegramRaw-1-2026-05-10-15-00-00-a\.gz:31: no such object among the 2 object\(s\) of 2026-05-10 .*nothing was sent/);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(puts);

    bucket.set(`${rawDayPrefix(DAY)}TelegramRaw-1-2026-05-10-15-00-00-a.gz`, { body: saved.body, lastModified: new Date() });
    const changed = await tgpipe(args);
    expect(changed.code).toBe(3);
    expect(changed.stderr).toMatch(/ResumeObjectChanged: .*written again at .*nothing was sent/);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(puts);
    expect(bucket.has(key)).toBe(true);
  });

  it('--source file stops and resumes the same way (the rest of the file is never dropped)', async () => {
    mockBucket();
    const fh = mockFirehose(new Map());
    fh.state.budget = 4;
    const file = join(dir, `lines-${(n += 1)}.jsonl`);
    await writeFile(file, range(10).map((id) => envelope(id)).join(''));
    let args = ['replay', 'stream', '--source', 'file', '--file', file, '--target', 'aws', '--stream', 's', '--max-attempts', '1', '--unsent-file', join(dir, `u-${(n += 1)}`)];
    let runs = 0;
    for (;;) {
      runs += 1;
      const r = await tgpipe(args);
      fh.deliver();
      if (r.code === 0) break;
      expect(r.code).toBe(1);
      const command = r.stderr.split('\n').find((l) => l.startsWith('  resume '))!;
      args = [...argsOf(command.slice(command.indexOf('tgpipe '))).slice(1), '--max-attempts', '1', '--unsent-file', join(dir, `u-${(n += 1)}`)];
    }
    expect(runs).toBe(3);
    expect(idsOf(fh.state.acked)).toEqual(range(10));
    expect(await readFile(file, 'utf8')).toContain(envelope(9));
  });

  it('usage: --resume-after needs --listed-before and a KEY:LINE; --listed-before is an ISO time', async () => {
    const base = ['replay', 'stream', '--from', DAY, '--to', DAY];
    const cases: Array<[string[], RegExp]> = [
      [[...base, '--resume-after', 'k:3'], /--resume-after needs --listed-before/],
      [[...base, '--resume-after', 'k', '--listed-before', '2026-05-12T10:00:00.000Z'], /--resume-after is KEY:LINE/],
      [[...base, '--resume-after', 'k:0', '--listed-before', '2026-05-12T10:00:00.000Z'], /--resume-after is KEY:LINE/],
      [[...base, '--listed-before', 'yesterday'], /--listed-before: listedBefore must be an ISO time/],
      [['replay', 'stream', '--source', 'file', '--file', 'x.jsonl', '--listed-before', '2026-05-12T10:00:00.000Z'], /--listed-before goes with --source raw or errors/],
      [['replay', 'stream', '--source', 'file', '--file', 'x.jsonl', '--resume-after', 'y.jsonl:2'], /names y\.jsonl, but the file is x\.jsonl/],
    ];
    for (const [args, message] of cases) {
      const r = await tgpipe(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const help = await tgpipe(['replay', 'stream', '--help']);
    expect(help.stdout).toMatch(/--resume-after <key:line>/);
    expect(help.stdout).toMatch(/Snapshot: a replay only considers objects written no later than its first run's start/);
  });
});

describe('the replay Lambda on mocked S3 and Firehose', () => {
  const handler = () =>
    createReplayHandler({
      raw: new S3ObjectStore(new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), 'raw-bucket'),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), 'raw-stream'),
      logger: memoryLogger(),
      env: { CONTEXT_UTC_OFFSET: '-03:00', REPLAY_MAX_ATTEMPTS: '1', REPLAY_QUOTA_RECORDS_PER_SECOND: '40' },
      clock: fakeClock(),
      random: () => 0,
    });

  it('stops near its time-out, answers `next` with the position and the snapshot; invoked with each `next` it completes, every record once', async () => {
    const { bucket } = mockBucket();
    for (const o of auditDay()) bucket.set(`${rawDayPrefix(DAY)}${o.name}`, { body: gzipSync(o.lines.join('')), lastModified: new Date(Date.now() - 3_600_000) });
    const fh = mockFirehose(bucket);
    // 20 records a call (a share of 40/s); the time runs out after 2 calls of each invocation.
    let event: ReplayEvent = { mode: 'stream', from: DAY, to: NEXT, source: 'raw' };
    const answers = [];
    for (;;) {
      expect(answers.length).toBeLessThan(10);
      const a = await handler()(event, { getRemainingTimeInMillis: () => (firehose.commandCalls(PutRecordBatchCommand).length >= 2 ? 1000 : 600_000) });
      firehose.resetHistory();
      fh.deliver();
      answers.push(a);
      if (a.complete) break;
      expect(a.next).toMatchObject({ mode: 'stream', from: DAY, to: NEXT, source: 'raw', listedBefore: answers[0]!.listedBefore });
      expect(a.next!.resume?.day).toBe(DAY);
      event = JSON.parse(JSON.stringify(a.next)) as ReplayEvent; // as the operator passes it on
    }
    expect(answers).toHaveLength(3);
    expect(idsOf(fh.state.acked)).toEqual(range(100));
    expect(answers.map((a) => a.days[0]!.leftOut)).toEqual([0, 1, 2]);
  });

  it('a `next` whose key is gone fails with ResumeKeyNotFound, sending nothing', async () => {
    const { bucket } = mockBucket();
    bucket.set(`${rawDayPrefix(DAY)}a.gz`, { body: gzipSync(envelope(1)), lastModified: new Date(Date.now() - 3_600_000) });
    mockFirehose(bucket);
    const event: ReplayEvent = { from: DAY, to: DAY, listedBefore: new Date(Date.now() - 60_000).toISOString(), resume: { day: DAY, afterKey: `${rawDayPrefix(DAY)}gone.gz`, afterLine: 4 } };
    await expect(handler()(event)).rejects.toMatchObject({ name: 'ResumeKeyNotFound', message: expect.stringMatching(/nothing was sent/) });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    await expect(handler()({ ...event, listedBefore: undefined })).rejects.toThrow(/"resume" needs "listedBefore"/);
    await expect(handler()({ ...event, resume: { ...event.resume, day: NEXT } })).rejects.toThrow(/"resume.day" must be "from"/);
    await expect(handler()({ ...event, resume: { ...event.resume, afterLine: 0 } })).rejects.toThrow(/"resume.afterLine"/);
    await expect(handler()({ ...event, listedBefore: 'soon' })).rejects.toThrow(/listedBefore must be an ISO time/);
    await expect(handler()({ ...event, listedBefore: new Date(Date.now() + 3_600_000).toISOString() })).rejects.toThrow(/is in the future/);
  });
});

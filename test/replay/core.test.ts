/** The pure parts of the replay: batching, error-output decoding, record preparation, rate limit, retry policy. */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildEnvelope } from '../../core/envelope';
import { batchRecords, Batcher, FIREHOSE_BATCH_LIMITS, limitsForRate } from '../../core/replay/batches';
import { decodeErrorRecord, encodeErrorRecord, errorDocuments, errorOutputDate, errorOutputType, splitJsonDocuments } from '../../core/replay/error-output';
import { FIREHOSE_DEFAULT_QUOTA, RateLimiter, shareOf } from '../../core/replay/rate-limiter';
import { byteLength, prepareRecord } from '../../core/replay/records';
import { backoffMs, classifyEntryError, classifyFailure, DEFAULT_RETRY_POLICY } from '../../core/replay/retry-policy';
import { FIREHOSE_LIMITS } from '../../adapters/aws/firehose-sink';
import { DAY, envelope, fakeClock, OFFSET, update } from './support';
import { loadFixtures } from '../support/fixtures';

const KiB = 1024;

describe('batching within PutRecordBatch limits', () => {
  it('uses the adapter\'s Firehose limits', () => {
    expect(FIREHOSE_BATCH_LIMITS).toEqual({ maxRecords: FIREHOSE_LIMITS.maxBatchRecords, maxBatchBytes: FIREHOSE_LIMITS.maxBatchBytes, maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes });
  });

  // Mixed sizes: tiny updates, typical ones, large ones and some over the per-record limit.
  const size = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 2 * KiB }), weight: 6 },
    { arbitrary: fc.integer({ min: 2 * KiB, max: 300 * KiB }), weight: 2 },
    { arbitrary: fc.integer({ min: 900 * KiB, max: 1000 * KiB }), weight: 1 },
    { arbitrary: fc.integer({ min: 1000 * KiB + 1, max: 1100 * KiB }), weight: 1 },
  );
  const rate = fc.option(fc.record({ recordsPerSecond: fc.integer({ min: 1, max: 100_000 }), bytesPerSecond: fc.integer({ min: 1, max: 8 * 1024 * KiB }) }), { nil: undefined });

  it('never exceeds 500 records, 4 MiB per call or 1,000 KiB per record; keeps every record once, in order', () => {
    fc.assert(
      fc.property(fc.array(size, { maxLength: 1200 }), rate, (sizes, r) => {
        const limits = limitsForRate(r);
        const records = sizes.map((s, i) => ({ i, s }));
        const { batches, oversized } = batchRecords(records, (x) => x.s, limits);
        for (const b of batches) {
          const bytes = b.reduce((n, x) => n + x.s, 0);
          expect(b.length).toBeGreaterThan(0);
          expect(b.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBatchRecords);
          expect(bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBatchBytes);
          for (const x of b) expect(x.s).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxRecordBytes);
          // Within the rate's share too, except a single record larger than the byte share, which goes alone.
          expect(b.length).toBeLessThanOrEqual(limits.maxRecords);
          if (b.length > 1) expect(bytes).toBeLessThanOrEqual(limits.maxBatchBytes);
        }
        expect(oversized.every((x) => x.s > FIREHOSE_LIMITS.maxRecordBytes)).toBe(true);
        expect(batches.flat().map((x) => x.i)).toEqual(records.filter((x) => x.s <= FIREHOSE_LIMITS.maxRecordBytes).map((x) => x.i));
        expect(oversized.length + batches.flat().length).toBe(records.length);
      }),
      { numRuns: 80 },
    );
  });

  it('fills batches: a batch is cut only when the next record does not fit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 * KiB }), { maxLength: 600 }), (sizes) => {
        const { batches } = batchRecords(sizes, (s) => s);
        for (let i = 0; i + 1 < batches.length; i += 1) {
          const b = batches[i]!;
          const next = batches[i + 1]![0]!;
          const full = b.length === 500 || b.reduce((n, s) => n + s, 0) + next > FIREHOSE_LIMITS.maxBatchBytes;
          expect(full).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the incremental batcher refuses a record over the limit and keeps what is pending', () => {
    const b = new Batcher<number>();
    expect(() => b.add(1, 1000 * KiB + 1)).toThrow(/over the/);
    expect(b.add(1, 10)).toBeUndefined();
    expect(b.pending).toEqual([1]);
    expect(b.drain()).toEqual([1]);
    expect(b.drain()).toBeUndefined();
  });
});

describe('Firehose error output', () => {
  const line = envelope(7).trimEnd();
  const b64 = Buffer.from(`${line}\n`).toString('base64');

  it('decodes the documented envelopes: dynamic partitioning, processing-failed, format conversion', () => {
    const variants = [
      { attemptsMade: 1, arrivalTimestamp: 1778425201000, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'Non JSON record provided', attemptEndingTimestamp: 1778425202000, rawData: b64, sequenceNumber: '4956', subSequenceNumber: null, dynamicPartitioningKeys: null },
      { attemptsMade: '4', arrivalTimestamp: '1778425201000', errorCode: 'Lambda.FunctionError', errorMessage: 'x', attemptEndingTimestamp: '1778425202000', rawData: b64, lambdaArn: 'arn:aws:lambda:us-east-1:1:function:f' },
      { attemptsMade: 1, arrivalTimestamp: 1778425201000, ErrorCode: 'DataFormatConversion.MalformedData', ErrorMessage: 'y', rawData: b64, dataCatalogTable: { databaseName: 'd' } },
      { attemptsMade: 1, arrivalTimestamp: 1778425201000, lastErrorCode: 'S3.AccessDenied', lastErrorMessage: 'z', rawData: b64 },
    ];
    const codes = variants.map((v) => {
      const d = decodeErrorRecord(v);
      expect(d).toMatchObject({ ok: true, lines: [line], arrivalTimestamp: 1778425201000 });
      return d.ok ? d.errorCode : undefined;
    });
    expect(codes).toEqual(['DynamicPartitioning.MetadataExtractionFailed', 'Lambda.FunctionError', 'DataFormatConversion.MalformedData', 'S3.AccessDenied']);
  });

  it('round-trips any record, gunzips compressed rawData, and names what it cannot decode', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }).filter((s) => s.trim() !== '' && !/[\r\n]/.test(s)), (text) => {
        const d = decodeErrorRecord(JSON.parse(encodeErrorRecord(text)));
        expect(d).toMatchObject({ ok: true, lines: [text] });
      }),
      { numRuns: 100 },
    );
    expect(decodeErrorRecord({ rawData: gzipSync(`${line}\n`).toString('base64') })).toMatchObject({ ok: true, lines: [line] });
    expect(decodeErrorRecord({ rawData: Buffer.from(`${line}\n${line}\n`).toString('base64') })).toMatchObject({ ok: true, lines: [line, line] });
    expect(decodeErrorRecord({ errorCode: 'x' })).toEqual({ ok: false, reason: 'error_record_without_rawdata', errorCode: 'x' });
    expect(decodeErrorRecord({ rawData: 'not base64!' })).toMatchObject({ ok: false, reason: 'rawdata_not_base64' });
    expect(decodeErrorRecord({ rawData: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') })).toMatchObject({ ok: false, reason: 'rawdata_not_utf8' });
    expect(decodeErrorRecord({ rawData: Buffer.from([0x1f, 0x8b, 0x08, 0x00]).toString('base64') })).toMatchObject({ ok: false, reason: 'rawdata_not_gzip' });
    expect(decodeErrorRecord({ rawData: '' })).toMatchObject({ ok: false, reason: 'rawdata_empty' });
    expect(decodeErrorRecord('text')).toMatchObject({ ok: false, reason: 'error_record_not_json' });
  });

  it('reads documents one per line or back to back', () => {
    const a = encodeErrorRecord('{"a":"}{"}');
    const b = encodeErrorRecord('{"b":1}');
    expect(splitJsonDocuments(`${a}${b}`)).toEqual([a, b]);
    expect(errorDocuments(`${a}${b}`)).toEqual([JSON.parse(a), JSON.parse(b)]);
    expect(errorDocuments(a)).toEqual([JSON.parse(a)]);
    expect(errorDocuments('{"broken"')).toEqual([undefined]);
  });

  it('takes the arrival date from the key: this stack\'s date= layout and Firehose\'s default YYYY/MM/DD/HH', () => {
    expect(errorOutputDate(`errors/DynamicPartitioning.MetadataExtractionFailed/date=${DAY}/TelegramRaw-1-2026-05-10-00-00-00-abc.gz`)).toBe(DAY);
    expect(errorOutputDate('errors/processing-failed/2026/05/10/13/object')).toBe(DAY);
    expect(errorOutputDate(`telegram/context_date=${DAY}/x`)).toBeUndefined();
    expect(errorOutputDate('errors/x/other/y')).toBeUndefined();
    expect(errorOutputType('errors/processing-failed/date=2026-05-10/o')).toBe('processing-failed');
  });
});

describe('what a replay puts for a raw record', () => {
  const lastModified = Date.parse(`${DAY}T20:00:00Z`);

  it('an envelope goes byte for byte, keeping its context_date; so does an unparsed envelope', () => {
    const line = envelope(1, 'olá 😀 \\u00e9');
    expect(prepareRecord(line.trimEnd(), lastModified, OFFSET)).toEqual({ ok: true, kind: 'envelope', line, bytes: byteLength(line), contextDate: DAY, updateId: 1 });
    const otherDay = envelope(2, 'x', '2026-05-01');
    expect(prepareRecord(otherDay.trimEnd(), lastModified, OFFSET)).toMatchObject({ ok: true, line: otherDay, contextDate: '2026-05-01' });
    const unparsed = buildEnvelope('{"not":"an update"}', { error: 'no update_id' }, lastModified, OFFSET).line;
    expect(prepareRecord(unparsed.trimEnd(), 0, OFFSET)).toMatchObject({ ok: true, kind: 'unparsed', line: unparsed });
  });

  it('a bare update is wrapped around its exact bytes, received_at = the object\'s time, context_date = its event date', () => {
    // Spacing, key order, escapes and a big integer that JSON.stringify would change.
    const body = '{ "update_id": 5,  "message": {"text": "\\u00e9 caf\\u00e9", "message_id": 5, "date": 1778425200, "chat": {"id": -1001234567890123456789, "type": "supergroup"}}}';
    const p = prepareRecord(body, lastModified, OFFSET);
    expect(p).toMatchObject({ ok: true, kind: 'wrapped', contextDate: DAY, updateId: 5 });
    expect(p.ok && p.line).toBe(`{"received_at":${lastModified},"context_date":"${DAY}","update":${body}}\n`);
  });

  it('an envelope without a usable context_date gets one', () => {
    const u = JSON.parse(update(3)) as object;
    const p = prepareRecord(JSON.stringify({ received_at: 1, update: u }), lastModified, OFFSET);
    expect(p).toMatchObject({ ok: true, kind: 'rebuilt', contextDate: DAY });
    expect(p.ok && JSON.parse(p.line)).toEqual({ received_at: 1, context_date: DAY, update: u });
    expect(prepareRecord(JSON.stringify({ received_at: 1, context_date: '2026-02-30', update: u }), lastModified, OFFSET)).toMatchObject({ ok: true, kind: 'rebuilt', contextDate: DAY });
  });

  it('skips what is not an update, and what is over the record limit, with the reason', () => {
    expect(prepareRecord('garbage', 0, OFFSET)).toEqual({ ok: false, reason: 'not_json' });
    expect(prepareRecord('{"x":1}', 0, OFFSET)).toEqual({ ok: false, reason: 'not_an_update' });
    expect(prepareRecord('[1]', 0, OFFSET)).toEqual({ ok: false, reason: 'not_an_update' });
    expect(prepareRecord('{"received_at":1,"context_date":"2026-05-10","update":{"x":1}}', 0, OFFSET)).toEqual({ ok: false, reason: 'not_an_update' });
    expect(prepareRecord(envelope(9, 'y'.repeat(1000 * KiB)).trimEnd(), 0, OFFSET)).toEqual({ ok: false, reason: 'oversized', updateId: 9 });
  });

  it('drops an update with no chat, bare or in an envelope, naming its kind (every chatless fixture)', () => {
    const chatless = loadFixtures().filter((f) => f.chat_id === null);
    expect(chatless.length).toBeGreaterThan(5);
    for (const f of chatless) {
      expect(prepareRecord(f.body, 0, OFFSET), f.file).toEqual({ ok: false, reason: 'no_chat', updateId: f.update_id, kind: f.kind });
      const line = buildEnvelope(f.body, { update: f.update as never }, Date.parse(`${DAY}T15:00:00Z`), OFFSET).line.trimEnd();
      expect(prepareRecord(line, 0, OFFSET), f.file).toMatchObject({ ok: false, reason: 'no_chat', kind: f.kind });
    }
  });
});

describe('rate limit', () => {
  it('is a share of the documented quota; --rate caps the records', () => {
    expect(shareOf(FIREHOSE_DEFAULT_QUOTA, 0.5)).toEqual({ recordsPerSecond: 50_000, bytesPerSecond: 512 * KiB, requestsPerSecond: 500 });
    expect(shareOf(FIREHOSE_DEFAULT_QUOTA, 0.5, 100).recordsPerSecond).toBe(100);
    expect(() => shareOf(FIREHOSE_DEFAULT_QUOTA, 1.5)).toThrow(/share/);
  });

  it('holds in every simulated second, for records, bytes and requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ records: fc.integer({ min: 1, max: 120 }), bytes: fc.integer({ min: 1, max: 300_000 }), gap: fc.integer({ min: 0, max: 700 }) }), { minLength: 1, maxLength: 80 }),
        async (calls) => {
          const clock = fakeClock(1_000_000);
          const rate = { recordsPerSecond: 200, bytesPerSecond: 500_000, requestsPerSecond: 5 };
          const limiter = new RateLimiter(rate, clock);
          const sent: Array<{ at: number; records: number; bytes: number }> = [];
          for (const c of calls) {
            await clock.sleep(c.gap);
            await limiter.take(c.records, c.bytes);
            sent.push({ at: clock.now(), records: c.records, bytes: c.bytes });
          }
          for (const s of sent) {
            const win = sent.filter((o) => o.at > s.at - 1000 && o.at <= s.at);
            expect(win.length).toBeLessThanOrEqual(rate.requestsPerSecond);
            expect(win.reduce((n, o) => n + o.records, 0)).toBeLessThanOrEqual(rate.recordsPerSecond);
            expect(win.reduce((n, o) => n + o.bytes, 0)).toBeLessThanOrEqual(rate.bytesPerSecond);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets a call larger than the share go alone, once the window is empty', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ recordsPerSecond: 10, bytesPerSecond: 100, requestsPerSecond: 10 }, clock);
    await limiter.take(1, 50);
    await limiter.take(1, 500);
    expect(clock.now()).toBe(1000);
    await limiter.take(1, 1);
    expect(clock.now()).toBe(2000);
  });
});

describe('retry policy', () => {
  it('classifies throttling, transient faults and fatal errors', () => {
    const err = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    for (const n of ['ThrottlingException', 'LimitExceededException', 'ServiceUnavailableException']) expect(classifyFailure(err(n))).toBe('throttled');
    expect(classifyFailure(err('Whatever', 429))).toBe('throttled');
    expect(classifyFailure(err('InternalFailure', 500))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyFailure(err('TimeoutError'))).toBe('transient');
    for (const n of ['ResourceNotFoundException', 'InvalidArgumentException', 'AccessDeniedException', 'CredentialsProviderError']) expect(classifyFailure(err(n))).toBe('fatal');
    expect(classifyFailure(err('SomethingElse', 400))).toBe('fatal');
    expect(classifyEntryError('ServiceUnavailableException')).toBe('throttled');
    expect(classifyEntryError('InternalFailure')).toBe('transient');
  });

  it('backs off exponentially with full jitter, capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('throttled' as const, 'transient' as const), (attempt, r, cls) => {
        const ms = backoffMs(attempt, cls, () => r);
        const base = cls === 'throttled' ? DEFAULT_RETRY_POLICY.throttledBaseMs : DEFAULT_RETRY_POLICY.baseMs;
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(Math.min(DEFAULT_RETRY_POLICY.capMs, base * 2 ** (attempt - 1)));
      }),
    );
    const top = (a: number) => backoffMs(a, 'throttled', () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([499, 999, 1999, 3999, 7999, 15999, 19999]);
  });
});

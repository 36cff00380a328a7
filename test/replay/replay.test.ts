import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { batchRecords, FIREHOSE_BATCH_LIMITS } from '../../core/replay/batches';
import { RateLimiter, type Clock } from '../../core/replay/rate-limiter';
import { replayDay } from '../../core/replay/stream-replay';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { rawDayPrefix } from '../../schemas';

const DAY = '2026-05-10';
const firehose = mockClient(FirehoseClient);
const update = (id: number, text = 'x') => JSON.stringify({ update_id: id, message: { message_id: id, date: Date.parse(`${DAY}T15:00:00Z`) / 1000, chat: { id: -100, type: 'supergroup' }, from: { id: 1, is_bot: false, first_name: 'A' }, text } });
const envelope = (id: number, text?: string) => buildEnvelope(update(id, text), parseUpdateBody(update(id, text)), Date.parse(`${DAY}T15:00:01Z`), -180).line;

/** A simulated clock: sleeping advances time instantly. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, slept };
}

let dir: string;
let stores: LocalStores;
beforeEach(async () => {
  firehose.reset();
  dir = await mkdtemp(join(tmpdir(), 'replay-'));
  stores = localStores(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('batchRecords', () => {
  it('never exceeds 500 records, 4 MiB per call or 1,000 KiB per record, and keeps every record once', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 100_000, max: 1_100_000 })), { maxLength: 1500 }), (sizes) => {
        const records = sizes.map((size, i) => ({ i, size }));
        const { batches, oversized } = batchRecords(records, (r) => r.size);
        for (const b of batches) {
          expect(b.length).toBeGreaterThan(0);
          expect(b.length).toBeLessThanOrEqual(FIREHOSE_BATCH_LIMITS.maxRecords);
          expect(b.reduce((n, r) => n + r.size, 0)).toBeLessThanOrEqual(FIREHOSE_BATCH_LIMITS.maxBatchBytes);
        }
        expect(oversized.every((r) => r.size > FIREHOSE_BATCH_LIMITS.maxRecordBytes)).toBe(true);
        expect([...batches.flat(), ...oversized].map((r) => r.i).sort((a, b) => a - b)).toEqual(records.map((r) => r.i));
      }),
      { numRuns: 60 },
    );
  });
});

describe('replayDay to Firehose (mocked)', () => {
  const deps = (clock = fakeClock(), maxAttempts = 5) => ({
    raw: stores.raw,
    sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'stream'),
    logger: memoryLogger(),
    utcOffsetMinutes: -180,
    clock,
    random: () => 0.5,
    maxAttempts,
  });

  it('re-sends only the failed entries until all are in', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 1200 }, (_, i) => envelope(i)).join(''));
    let call = 0;
    const seen: string[] = [];
    firehose.on(PutRecordBatchCommand).callsFake((input) => {
      call += 1;
      const records = input.Records as Array<{ Data: Uint8Array }>;
      // The first call of every batch fails every third entry.
      const failEvery = call <= 3 ? 3 : 0;
      const responses = records.map((r, i) => {
        const failed = failEvery > 0 && i % failEvery === 0;
        if (!failed) seen.push(Buffer.from(r.Data).toString());
        return failed ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: `r${i}` };
      });
      return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses };
    });
    const s = await replayDay(DAY, 'raw', deps());
    expect(s).toMatchObject({ records: 1200, sent: 1200, unsent: [] });
    // Every call carried the new records plus exactly the entries that had failed before.
    const carried = firehose.commandCalls(PutRecordBatchCommand).reduce((n, c) => n + c.args[0].input.Records!.length, 0);
    expect(s.retries).toBeGreaterThan(0);
    expect(carried).toBe(1200 + s.retries);
    for (const c of firehose.commandCalls(PutRecordBatchCommand)) expect(c.args[0].input.Records!.length).toBeLessThanOrEqual(500);
    expect(new Set(seen).size).toBe(1200);
  });

  it('backs off on throttling and reports what was not sent when the retry budget ends', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, [envelope(1), envelope(2)].join(''));
    firehose.on(PutRecordBatchCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const clock = fakeClock();
    const s = await replayDay(DAY, 'raw', deps(clock, 4));
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(4);
    expect(clock.slept).toHaveLength(3);
    expect(clock.slept[1]!).toBeGreaterThan(clock.slept[0]!);
    expect(s.sent).toBe(0);
    expect(s.unsent.map((l) => JSON.parse(l).update.update_id)).toEqual([1, 2]);
  });

  it('keeps to the rate limit', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, Array.from({ length: 2000 }, (_, i) => envelope(i)).join(''));
    firehose.on(PutRecordBatchCommand).callsFake((input) => ({ FailedPutCount: 0, RequestResponses: (input.Records as unknown[]).map(() => ({ RecordId: 'r' })) }));
    const clock = fakeClock();
    const sentAt: Array<[number, number]> = [];
    const d = { ...deps(clock), limiter: new RateLimiter(500, 10 * 1024 * 1024, clock) };
    firehose.on(PutRecordBatchCommand).callsFake((input) => {
      sentAt.push([clock.now(), (input.Records as unknown[]).length]);
      return { FailedPutCount: 0, RequestResponses: (input.Records as unknown[]).map(() => ({ RecordId: 'r' })) };
    });
    const s = await replayDay(DAY, 'raw', d);
    expect(s.sent).toBe(2000);
    // 2,000 records at 500/s with a 500-record burst: at least 3 simulated seconds.
    expect(clock.now()).toBeGreaterThanOrEqual(3000);
    for (const [t] of sentAt) {
      const inWindow = sentAt.filter(([u]) => u > t - 1000 && u <= t).reduce((n, [, c]) => n + c, 0);
      expect(inWindow).toBeLessThanOrEqual(1000);
    }
  });

  it('skips and reports lines that are not updates and records over the size limit', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, [envelope(1), 'garbage', '{"x":1}', envelope(2, 'y'.repeat(1_100_000))].join('\n'));
    firehose.on(PutRecordBatchCommand).callsFake((input) => ({ FailedPutCount: 0, RequestResponses: (input.Records as unknown[]).map(() => ({ RecordId: 'r' })) }));
    const s = await replayDay(DAY, 'raw', deps());
    expect(s).toMatchObject({ records: 4, sent: 1, skipped: { not_json: 1, not_an_update: 1, oversized: 1 } });
  });
});

describe('local replay end to end', () => {
  const enrichDeps = () => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: stores.enriched.root });
  const counts = async () => {
    const engine = await DuckDbEngine.open(dir);
    const [r] = await engine.query('SELECT count(*) AS n, count(DISTINCT update_id) AS d FROM telegram');
    await engine.close();
    return r;
  };

  it('error output is replayed and appears once; replaying again, or after an interruption, changes no count', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}ok.json`, [envelope(1), envelope(2)].join(''));
    // Firehose could not deliver 3 and 4 (and 2 once more): its error output holds them base64-encoded.
    const errorLine = (line: string) => JSON.stringify({ attemptsMade: 1, arrivalTimestamp: Date.parse(`${DAY}T15:00:02Z`), errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'x', rawData: Buffer.from(line).toString('base64') });
    await stores.raw.write(`errors/processing-failed/date=${DAY}/e1`, [envelope(3), envelope(4), envelope(2)].map((l) => errorLine(l.trimEnd())).join('\n'));
    await enrichDay(DAY, enrichDeps());
    expect(await counts()).toEqual({ n: 2, d: 2 });

    const sink = new LocalFirehose(stores.raw.root);
    const s = await replayDay(DAY, 'errors', { raw: stores.raw, sink, logger: memoryLogger(), utcOffsetMinutes: -180 });
    await sink.close();
    expect(s).toMatchObject({ objects: 1, records: 3, sent: 3 });
    await enrichDay(DAY, enrichDeps());
    expect(await counts()).toEqual({ n: 4, d: 4 });

    // The same replay again, and a raw replay interrupted after its first batch then run again.
    for (const source of ['errors', 'raw'] as const) {
      const again = new LocalFirehose(stores.raw.root);
      await replayDay(DAY, source, { raw: stores.raw, sink: again, logger: memoryLogger(), utcOffsetMinutes: -180, limits: { ...FIREHOSE_BATCH_LIMITS, maxRecords: 1 }, onBatch: (n) => { if (source === 'raw' && n === 1) throw new Error('interrupted'); } }).catch(() => undefined);
      await replayDay(DAY, source, { raw: stores.raw, sink: again, logger: memoryLogger(), utcOffsetMinutes: -180 });
      await again.close();
      await enrichDay(DAY, enrichDeps());
      expect(await counts()).toEqual({ n: 4, d: 4 });
    }
  });
});

/** The replay Lambda: payload validation, the time margin, and failing loudly when records are not sent. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { encodeErrorRecord } from '../../core/replay/error-output';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { createReplayHandler, parseReplayEvent, TIME_MARGIN_MS } from '../../handlers/replay';
import type { RecordSink } from '../../ports/record-sink';
import { rawDayPrefix } from '../../schemas';
import { DAY, envelope, fakeClock, idsOf } from './support';

let dir: string;
let raw: FsObjectStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-handler-'));
  raw = new FsObjectStore(dir);
  await raw.write(`${rawDayPrefix(DAY)}a`, Array.from({ length: 1200 }, (_, i) => envelope(i)).join(''));
  await raw.write(`errors/processing-failed/date=${DAY}/e`, encodeErrorRecord(envelope(5000)));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A sink that records what it was given; `fail` decides per line. */
function sink(fail: (line: string) => boolean = () => false): RecordSink & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    put: async () => {},
    putBatch: async (batch) => {
      const failed: number[] = [];
      batch.forEach((l, i) => (fail(l) ? failed.push(i) : lines.push(l)));
      return { failed, errors: failed.map(() => 'ServiceUnavailableException: Slow down.') };
    },
    close: async () => {},
  };
}

const handlerWith = (s: RecordSink, env: NodeJS.ProcessEnv = {}) => createReplayHandler({ raw, sink: s, logger: memoryLogger(), env: { CONTEXT_UTC_OFFSET: '-03:00', ...env }, clock: fakeClock(), random: () => 0 });

describe('replay Lambda', () => {
  it('validates the payload', () => {
    expect(parseReplayEvent({ mode: 'stream', from: DAY, to: DAY, source: 'errors' })).toEqual({ days: [DAY], source: 'errors', dryRun: false, share: undefined });
    expect(parseReplayEvent({ from: DAY, to: DAY }).source).toBe('raw');
    expect(() => parseReplayEvent({ mode: 'enrich', from: DAY, to: DAY })).toThrow(/invoke the enrichment Lambda with \{"date"/);
    expect(() => parseReplayEvent({ mode: 'stream' })).toThrow(/"from" and "to"/);
    expect(() => parseReplayEvent({ from: DAY, to: DAY, source: 'backup' })).toThrow(/"source"/);
    expect(() => parseReplayEvent({ from: DAY, to: DAY, share: 3 })).toThrow(/"share"/);
  });

  it('replays a range and answers with the counts', async () => {
    const s = sink();
    const a = await handlerWith(s)({ mode: 'stream', from: DAY, to: DAY, source: 'errors' });
    expect(a).toMatchObject({ complete: true, source: 'errors', days: [{ day: DAY, objects: 1, records: 1, sent: 1, complete: true }], enrichDays: [DAY] });
    expect(s.lines).toEqual([envelope(5000)]);
  });

  it('stops before its time-out and answers with the payload to invoke again', async () => {
    const s = sink();
    let left = TIME_MARGIN_MS + 1;
    const a = await handlerWith(s, { REPLAY_QUOTA_RECORDS_PER_SECOND: '1000' })({ from: DAY, to: '2026-05-11' }, { getRemainingTimeInMillis: () => left-- });
    expect(a.complete).toBe(false);
    // The stopped day, the snapshot, and the position after the last record acknowledged in order.
    expect(a.next).toEqual({ mode: 'stream', from: DAY, to: '2026-05-11', source: 'raw', listedBefore: a.listedBefore, resume: { day: DAY, afterKey: `${rawDayPrefix(DAY)}a`, afterLine: 1000 } });
    expect(a.resendOnResume).toBe(0);
    // 500 records/s share -> calls of 500: two calls went before the margin was reached.
    expect(s.lines).toHaveLength(1000);
    // Invoked again with `next`: the rest of the day, nothing twice.
    const b = await handlerWith(s)(a.next!);
    expect(b).toMatchObject({ complete: true, listedBefore: a.listedBefore, days: [{ day: DAY, sent: 200, complete: true }, { day: '2026-05-11', sent: 0 }] });
    expect(idsOf(s.lines)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it('fails naming what was not sent when the retry budget is spent', async () => {
    const s = sink((l) => idsOf([l])[0] === 7);
    await expect(handlerWith(s, { REPLAY_MAX_ATTEMPTS: '2' })({ from: DAY, to: '2026-05-12' })).rejects.toThrow(
      /replay stopped at 2026-05-10: 1 record\(s\) still failing after 2 attempts .*; \d+ record\(s\) not sent \(update_ids 7, .*\); 2 later day\(s\) not attempted\. Invoke again with \{"mode":"stream","from":"2026-05-10","to":"2026-05-12","source":"raw","listedBefore":"[-0-9T:.]+Z","resume":\{"day":"2026-05-10","afterKey":"telegram\/context_date=2026-05-10\/a","afterLine":7\}\} \(it sends the records not sent first\)/,
    );
  });
});

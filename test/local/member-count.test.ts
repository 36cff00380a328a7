/**
 * Member count over time, locally: `tgpipe serve`'s sampler asks a Telegram stand-in (a real HTTP server
 * on 127.0.0.1) for getChatMemberCount once a day on an injected clock and timer, appends each answer
 * through the real local Firehose as a `sample` raw record; the enrichment makes them `telegram_events`
 * rows the DuckDB engine reads. A chat answering an error is skipped and logged, never a crash.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { LocalFirehose } from '../../adapters/local/local-firehose';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { sampleLine } from '../../core/member-count';
import { prepareRecord } from '../../core/replay/records';
import { rawDayPrefix } from '../../schemas';
import { SAMPLE_MINUTES_AFTER_MIDNIGHT, startMemberCountSampler } from '../../local/member-count-sampler';
import { startTelegramStandIn, type TelegramStandIn } from './support/telegram-standin';

const TOKEN = '7:AAlocal_sampler-token';
const ZONE = -180; // -03:00
let telegram: TelegramStandIn;
let dir: string;
let stores: LocalStores;
let sink: LocalFirehose;

beforeAll(async () => {
  telegram = await startTelegramStandIn(TOKEN);
});
afterAll(() => telegram.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'member-count-'));
  stores = localStores(dir);
  sink = new LocalFirehose(stores.raw.root, { durability: 'process' });
  telegram.chats.clear();
});
afterEach(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

/** A clock the test moves and a timer it fires by hand. */
function manualTime(startMs: number) {
  const state = { now: startMs, timers: [] as { ms: number; run: () => void; cancelled: boolean }[] };
  return {
    state,
    now: () => state.now,
    setTimer: (run: () => void, ms: number) => {
      const t = { ms, run, cancelled: false };
      state.timers.push(t);
      return () => (t.cancelled = true);
    },
    /** Fires the pending timer after moving the clock by its delay. */
    fire() {
      const t = state.timers.filter((x) => !x.cancelled).at(-1)!;
      t.cancelled = true;
      state.now += t.ms;
      t.run();
      return t.ms;
    },
  };
}

const enrichDeps = (logger = memoryLogger('enrich')) => ({ raw: sink.committedView(stores.raw), enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root });

describe('member-count sampler (tgpipe serve)', () => {
  it('samples at start and then daily at local noon; each sample is a telegram_events row after the enrichment', async () => {
    telegram.chats.set(-1001, 120);
    telegram.chats.set(-1002, { error_code: 400, description: 'Bad Request: chat not found' });
    telegram.chats.set(-1003, 7);
    // 2026-03-01 01:00 at -03:00 (04:00 UTC).
    const time = manualTime(Date.UTC(2026, 2, 1, 4, 0, 0));
    const logger = memoryLogger('serve');
    const runs: { samples: number; failed: number; notStored: number }[] = [];
    let ran: () => void = () => {};
    const sampler = startMemberCountSampler({
      token: TOKEN,
      apiBase: telegram.base,
      chatIds: new Set([-1001, -1002, -1003]),
      zone: ZONE,
      sink,
      logger,
      now: time.now,
      setTimer: time.setTimer,
      onRun: (r) => {
        runs.push({ samples: r.samples.length, failed: r.failed.length, notStored: r.notStored });
        ran();
      },
    });
    const next = () => new Promise<void>((resolve) => (ran = resolve));

    // At start-up: at once.
    let done = next();
    expect(time.fire()).toBe(0);
    await done;
    expect(runs).toEqual([{ samples: 2, failed: 1, notStored: 0 }]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', event: 'member_count_failed', chat_id: -1002, error: expect.stringContaining('400 Bad Request: chat not found') }));
    expect(JSON.stringify(logger.lines)).not.toContain('sampler-token');

    // Then at the next local noon (11 h later), the day after at noon again (24 h).
    await new Promise((r) => setTimeout(r, 20));
    telegram.chats.set(-1001, 125);
    done = next();
    expect(time.fire()).toBe((SAMPLE_MINUTES_AFTER_MIDNIGHT / 60 - 1) * 3_600_000);
    await done;
    await new Promise((r) => setTimeout(r, 20));
    telegram.chats.set(-1001, 131);
    done = next();
    expect(time.fire()).toBe(24 * 3_600_000);
    await done;
    await sampler.stop();
    expect(sampler.runs).toBe(3);
    expect(runs.map((r) => r.samples)).toEqual([2, 2, 2]);

    // The raw layer holds them by their day; the enrichment makes rows the engine reads.
    for (const day of ['2026-03-01', '2026-03-02']) expect((await enrichDay(day, enrichDeps())).samples).toBe(day === '2026-03-01' ? 4 : 2);
    const engine = await DuckDbEngine.open(dir);
    try {
      const rows = await engine.query(
        `SELECT CAST(context_date AS varchar) AS day, chat_id, member_count, event_kind, update_id, event_date, event_ts FROM telegram_events WHERE event_kind = 'member_count' ORDER BY event_date, chat_id DESC`,
      );
      expect(rows.map((r) => [r.day, r.chat_id, r.member_count])).toEqual([
        ['2026-03-01', -1001, 120],
        ['2026-03-01', -1003, 7],
        ['2026-03-01', -1001, 125],
        ['2026-03-01', -1003, 7],
        ['2026-03-02', -1001, 131],
        ['2026-03-02', -1003, 7],
      ]);
      expect(rows.every((r) => r.update_id === null)).toBe(true);
      expect(rows[0]!.event_date).toBe(Date.UTC(2026, 2, 1, 4, 0, 0) / 1000);
    } finally {
      await engine.close();
    }
  });

  it('no allowed chats: nothing asked, a warning; stop() ends a pending schedule', async () => {
    const time = manualTime(Date.UTC(2026, 2, 1, 4, 0, 0));
    const logger = memoryLogger('serve');
    const sampler = startMemberCountSampler({ token: TOKEN, apiBase: telegram.base, chatIds: new Set(), zone: ZONE, sink, logger, now: time.now, setTimer: time.setTimer });
    expect(time.state.timers).toHaveLength(0);
    expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'member_count_no_chats' }));
    await sampler.stop();
  });

  it('Telegram unreachable or a wrong token: every chat skipped and logged, the run ends', async () => {
    const logger = memoryLogger('serve');
    const down = startMemberCountSampler({ token: TOKEN, apiBase: 'http://127.0.0.1:1', chatIds: new Set([-1001]), zone: ZONE, sink, logger, atStart: false, setTimer: () => () => {} });
    await expect(down.runNow()).resolves.toMatchObject({ samples: [], failed: [{ chat_id: -1001, error: expect.stringContaining('request failed') }] });
    const wrong = startMemberCountSampler({ token: '7:wrong', apiBase: telegram.base, chatIds: new Set([-1001]), zone: ZONE, sink, logger, atStart: false, setTimer: () => () => {} });
    await expect(wrong.runNow()).resolves.toMatchObject({ samples: [], failed: [{ chat_id: -1001, error: expect.stringContaining('401 Unauthorized') }] });
    await down.stop();
    await wrong.stop();
  });
});

describe('sample records in the enrichment and the replay', () => {
  const DAY = '2026-03-05';
  const at = Date.UTC(2026, 2, 5, 15, 0, 0);
  const line = (count: unknown, chat = -1001, atMs = at) => sampleLine({ kind: 'member_count', chat_id: chat, count: count as number, at: Math.floor(atMs / 1000) }, atMs, ZONE).line;

  it('one row per (kind, chat_id, at); a bad sample is quarantined, not dropped; the replay passes samples through', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, [line(10), line(10), line(11, -1002), line('many'), line(12, -1001, at + 60_000)].join(''));
    const logger = memoryLogger('enrich');
    const s = await enrichDay(DAY, enrichDeps(logger));
    expect(s).toMatchObject({ lines: 5, samples: 3, duplicates: 1, quarantined: 1, rows: { telegram: 0, telegram_events: 3 } });
    expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'quarantined_record', reason: 'bad_sample' }));

    const text = line(10).trimEnd();
    expect(prepareRecord(text, 0, ZONE)).toEqual({ ok: true, kind: 'sample', line: `${text}\n`, bytes: text.length + 1, contextDate: DAY, updateId: undefined });
    // Without a usable day (hand-made), it gets its `at`'s day, in the configured offset.
    const undated = JSON.stringify({ received_at: at, sample: { kind: 'member_count', chat_id: -1001, count: 3, at: Date.UTC(2026, 2, 6, 1, 0, 0) / 1000 } });
    expect(prepareRecord(undated, 0, ZONE)).toMatchObject({ ok: true, kind: 'rebuilt', contextDate: '2026-03-05' });
  });
});

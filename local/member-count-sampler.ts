/**
 * `tgpipe serve`'s member-count sampler (the local twin of the watchdog's daily task): with a bot token,
 * `getChatMemberCount` for every allowed chat at start-up and then once a day at local noon, each answer
 * appended through the local Firehose as a `sample` raw record (core/member-count.ts), so the next
 * enrichment makes it a `telegram_events` row. A chat answering an error is skipped and logged; a run
 * that fails as a whole is logged and the schedule goes on. The clock and the timer are injectable.
 */
import type { DayZone } from '../core/context-date';
import type { Logger } from '../core/log';
import { sampleMemberCounts, type MemberCountRun } from '../core/member-count';
import { TelegramApi } from '../core/telegram-api';
import type { RecordSink } from '../ports/record-sink';
import { msUntilNextRun } from './daily-timer';

/** Local noon: inside the day it measures, far from the enrichment's run after midnight. */
export const SAMPLE_MINUTES_AFTER_MIDNIGHT = 12 * 60;

export interface MemberCountSamplerOptions {
  readonly token: string;
  /** Telegram's base URL (tests: a stand-in on 127.0.0.1). */
  readonly apiBase?: string;
  readonly chatIds: ReadonlySet<number>;
  readonly zone: DayZone;
  readonly sink: RecordSink;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Schedules the next run (default setTimeout, unref'd); returns how to cancel it. */
  readonly setTimer?: (run: () => void, ms: number) => () => void;
  /** Sample at start-up (default true): a restarted server has today's count at once. */
  readonly atStart?: boolean;
  /** Called after each run (tests, the log). */
  readonly onRun?: (run: MemberCountRun & { readonly notStored: number }) => void;
}

export interface MemberCountSampler {
  /** Runs one sampling now (outside the schedule). */
  runNow(): Promise<MemberCountRun & { readonly notStored: number }>;
  /** Stops the schedule; resolves when a run in progress has finished. */
  stop(): Promise<void>;
  readonly runs: number;
}

const defaultTimer = (run: () => void, ms: number): (() => void) => {
  const t = setTimeout(run, ms);
  t.unref();
  return () => clearTimeout(t);
};

export function startMemberCountSampler(options: MemberCountSamplerOptions): MemberCountSampler {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? defaultTimer;
  const api = new TelegramApi(options.token, { baseUrl: options.apiBase });
  let cancel: (() => void) | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  let runs = 0;

  const sampleOnce = async (): Promise<MemberCountRun & { notStored: number }> => {
    const run = await sampleMemberCounts({ api, chatIds: options.chatIds, zone: options.zone, logger: options.logger, now });
    const { failed, errors } = run.lines.length ? await options.sink.putBatch(run.lines) : { failed: [], errors: [] };
    if (failed.length > 0) {
      options.logger.error(`${failed.length} member-count samples not stored (the next run samples again)`, { event: 'member_count_not_stored', not_stored: failed.length, errors: [...new Set(errors)] });
    }
    runs += 1;
    const result = { ...run, notStored: failed.length };
    options.onRun?.(result);
    return result;
  };
  const guarded = async (): Promise<void> => {
    try {
      await sampleOnce();
    } catch (error) {
      options.logger.error('member-count sampling failed (it runs again tomorrow)', { event: 'member_count_failed_run', error: (error as Error).message });
    }
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    cancel = setTimer(() => {
      running = guarded().finally(() => {
        running = undefined;
        schedule(msUntilNextRun(now(), options.zone, SAMPLE_MINUTES_AFTER_MIDNIGHT));
      });
    }, ms);
  };
  if (options.chatIds.size === 0) {
    options.logger.warn('no allowed chats (ALLOWED_CHAT_IDS): the member count is not sampled', { event: 'member_count_no_chats' });
  } else {
    schedule(options.atStart === false ? msUntilNextRun(now(), options.zone, SAMPLE_MINUTES_AFTER_MIDNIGHT) : 0);
  }
  return {
    runNow: sampleOnce,
    async stop() {
      stopped = true;
      cancel?.();
      await running;
    },
    get runs() {
      return runs;
    },
  };
}

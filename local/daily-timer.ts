/**
 * The local stand-in for the EventBridge schedule: enrich D-1 (with look-back) once at start-up, so a
 * fresh or restarted server catches up, and then shortly after each midnight in the configured offset.
 * The enrichment is imported when it first runs, so the server starts without loading it.
 */
import { addDays, dateInOffset, startOfDayMs, type DayZone } from '../core/context-date';
import type { DaySummary, EnrichDeps } from '../core/enrich';

/** Milliseconds from `now` until `minutesAfterMidnight` past the next midnight in the offset or zone. */
export function msUntilNextRun(now: number, offsetMinutes: DayZone, minutesAfterMidnight = 10): number {
  // Day by day: a day in a zone with summer time lasts 23 or 25 hours.
  for (let day = dateInOffset(now, offsetMinutes); ; day = addDays(day, 1)) {
    const next = startOfDayMs(day, offsetMinutes) + minutesAfterMidnight * 60_000;
    if (next > now) return next - now;
  }
}

export interface DailyTimerOptions {
  readonly deps: EnrichDeps;
  readonly offsetMinutes: DayZone;
  readonly lookbackDays: number;
  readonly onRun: (days: DaySummary[]) => void;
  readonly onError: (error: Error) => void;
  /** Minutes after local midnight (default 10: Firehose's buffers of the last minute have landed). */
  readonly minutesAfterMidnight?: number;
  /** Run at start-up (default true). */
  readonly atStart?: boolean;
  readonly now?: () => number;
  /** The enrichment (default: `core/enrich`, imported at the first run). */
  readonly enrich?: (date: string, lookbackDays: number, deps: EnrichDeps) => Promise<DaySummary[]>;
}

export interface DailyTimer {
  /** Stops the schedule; resolves when a run in progress has finished. */
  stop(): Promise<void>;
  /** How many runs have finished. */
  readonly runs: number;
}

async function defaultEnrich(date: string, lookbackDays: number, deps: EnrichDeps): Promise<DaySummary[]> {
  const { enrichWithLookback } = await import('../core/enrich');
  return enrichWithLookback(date, lookbackDays, deps);
}

export function startDailyTimer(options: DailyTimerOptions): DailyTimer {
  const now = options.now ?? Date.now;
  const enrich = options.enrich ?? defaultEnrich;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let runs = 0;
  const schedule = (delay: number) => {
    if (!stopped) timer = setTimeout(() => void run(), delay);
  };
  const run = async (): Promise<void> => {
    running = (async () => {
      try {
        // D-1 in the offset: the day that just ended.
        const today = dateInOffset(now(), options.offsetMinutes);
        const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        options.onRun(await enrich(yesterday, options.lookbackDays, options.deps));
      } catch (error) {
        options.onError(error as Error);
      } finally {
        runs += 1;
      }
    })();
    await running;
    running = undefined;
    schedule(msUntilNextRun(now(), options.offsetMinutes, options.minutesAfterMidnight ?? 10));
  };
  if (options.atStart ?? true) schedule(0);
  else schedule(msUntilNextRun(now(), options.offsetMinutes, options.minutesAfterMidnight ?? 10));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    get runs() {
      return runs;
    },
  };
}

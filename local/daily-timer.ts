/**
 * The local stand-in for the EventBridge schedule: enrich D-1 (with look-back) at start-up and then
 * shortly after each midnight in the configured offset.
 */
import { dateInOffset } from '../core/context-date';
import { enrichWithLookback, previousDay, type DaySummary, type EnrichDeps } from '../core/enrich';

/** Milliseconds from `now` until `minutesAfterMidnight` past the next midnight in the offset. */
export function msUntilNextRun(now: number, offsetMinutes: number, minutesAfterMidnight = 10): number {
  const localMidnight = Date.parse(`${dateInOffset(now, offsetMinutes)}T00:00:00Z`) - offsetMinutes * 60_000;
  let next = localMidnight + minutesAfterMidnight * 60_000;
  while (next <= now) next += 86_400_000;
  return next - now;
}

export function startDailyTimer(deps: EnrichDeps, offsetMinutes: number, lookbackDays: number, onRun: (days: DaySummary[]) => void, onError: (e: Error) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    try {
      onRun(await enrichWithLookback(previousDay(Date.now(), offsetMinutes), lookbackDays, deps));
    } catch (error) {
      onError(error as Error);
    }
    if (!stopped) timer = setTimeout(run, msUntilNextRun(Date.now(), offsetMinutes));
  };
  timer = setTimeout(run, 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

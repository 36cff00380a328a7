/**
 * Cross-day dedupe of arrival-dated updates (kinds with no date of their own: callback queries, polls,
 * ...): a redelivery after midnight puts a copy in the next day's folder. Each day's manifest lists the
 * arrival-dated update_ids it kept; the next day drops them, and a day whose next day was built first
 * (or at the same time) has that day rebuilt. The earlier day keeps the update (docs/enrichment.md).
 */
import { addDays } from '../context-date';
import { arrivalDatedIdsOf, readManifest } from './day-plan';
import type { DaySummary, EnrichDeps } from './index';

/**
 * The arrival-dated update_ids the day before `date` kept, which `date` must drop (a redelivery across
 * midnight). Undefined when there is nothing to check against: logged, since `date` then keeps them all.
 */
export async function keptByPreviousDay(date: string, deps: EnrichDeps): Promise<ReadonlySet<number> | undefined> {
  const previous = addDays(date, -1);
  const manifest = await readManifest(deps.enriched, previous);
  const ids = arrivalDatedIdsOf(manifest);
  if (ids === null) {
    deps.logger.warn(`${previous} kept too many arrival-dated updates to record them: the cross-day check of ${date} is off`, {
      event: 'cross_day_check',
      date,
      previous,
      state: 'previous_not_recorded',
    });
    return undefined;
  }
  if (ids === undefined) {
    deps.logger.info(
      manifest
        ? `${previous} was built before arrival-dated update_ids were recorded: ${date} keeps its arrival-dated updates; rebuilding ${previous} checks ${date} again`
        : `${previous} is not built yet: ${date} keeps its arrival-dated updates; building ${previous} checks ${date} again`,
      { event: 'cross_day_check', date, previous, state: manifest ? 'previous_without_list' : 'previous_not_built' },
    );
    return undefined;
  }
  return ids.length > 0 ? new Set(ids) : undefined;
}

/** update_ids named in a log line at most (the count is always given). */
const IDS_LOGGED = 10;

/**
 * Order independence: the next day may have been built before this one (or at the same time) and kept
 * arrival-dated updates this day keeps. The earlier day keeps an update, so the next day is rebuilt now
 * (it then drops them: this day's manifest, already written, lists them); that rebuild does not look
 * further. Returns its summary, or undefined when nothing had to be done.
 */
export async function rebuildNextDayIfItKeepsOurs(
  date: string,
  kept: readonly number[] | null | undefined,
  deps: EnrichDeps,
  rebuild: (day: string) => Promise<DaySummary>,
): Promise<DaySummary | undefined> {
  if (!kept || kept.length === 0) return undefined;
  const next = addDays(date, 1);
  const manifest = await readManifest(deps.enriched, next);
  if (!manifest) return undefined; // not built yet: its build drops them
  const theirs = arrivalDatedIdsOf(manifest);
  if (theirs === null) {
    deps.logger.warn(`${next} kept too many arrival-dated updates to record them: not checked against ${date}`, {
      event: 'cross_day_check',
      date,
      next,
      state: 'next_not_recorded',
    });
    return undefined;
  }
  let overlap: number[];
  if (theirs === undefined) {
    overlap = []; // built before the list existed: unknown, so rebuilt
  } else {
    const ours = new Set(kept);
    overlap = theirs.filter((id) => ours.has(id));
    if (overlap.length === 0) return undefined;
  }
  deps.logger.info(
    theirs === undefined
      ? `${next} was built before arrival-dated update_ids were recorded: rebuilding it against ${date}`
      : `${next} keeps ${overlap.length} arrival-dated update(s) that ${date} keeps (redelivered across midnight): rebuilding ${next}, which drops them`,
    { event: 'cross_day_rebuild', date, next, overlap: overlap.length, update_ids: overlap.slice(0, IDS_LOGGED), ...(theirs === undefined ? { reason: 'next_without_list' } : {}) },
  );
  try {
    return await rebuild(next);
  } catch (error) {
    throw new Error(`${date} was built, but rebuilding ${next} (it keeps arrival-dated updates ${date} keeps) failed: ${error instanceof Error ? error.message : String(error)}; rebuild ${next}`, {
      cause: error,
    });
  }
}

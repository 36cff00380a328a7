/**
 * `replay enrich`: rebuilds a range of enriched days with bounded concurrency. Each day is idempotent
 * (fixed Parquet keys replaced, partitions added IF NOT EXISTS), so a failed day does not stop the others
 * and the whole command can be re-run. The runner is injected: `enrichDay(..., {force: true})`
 * in-process, or one enrichment Lambda invocation per day.
 *
 * Days are not quite independent: an update dated by its arrival (no date of its own) and redelivered
 * across midnight sits in two day folders; the later day drops it when the earlier day's manifest lists
 * it, and a day's build rebuilds the next day when that one kept it too. Two adjacent days built at the
 * same time can both miss the other's manifest and both keep it, so two adjacent days never run at once.
 */
import { addDays, isIsoDate } from '../context-date';

export type DayOutcome<R> = { readonly day: string; readonly ok: true; readonly result: R; readonly ms: number } | { readonly day: string; readonly ok: false; readonly error: string; readonly ms: number };

/** The days next to `day` (none for a text that is not a date). */
const neighbours = (day: string): string[] => (isIsoDate(day) ? [addDays(day, -1), addDays(day, 1)] : []);

/**
 * Runs `run` for every day, at most `concurrency` at once, never two adjacent days (nor one day twice) at
 * once: whenever a slot is free, the earliest pending day whose neighbours are not running starts.
 * With concurrency 1 that is ascending order. Outcomes come back in the order of `days`; `onDone` is called
 * as each day finishes.
 */
export async function rebuildDays<R>(days: readonly string[], concurrency: number, run: (day: string) => Promise<R>, onDone?: (outcome: DayOutcome<R>) => void): Promise<DayOutcome<R>[]> {
  const limit = Math.max(1, Math.floor(concurrency));
  const results = new Array<DayOutcome<R>>(days.length);
  const pending = days.map((day, index) => ({ day, index })).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.index - b.index));
  const running = new Set<string>();
  const busy = (day: string): boolean => running.has(day) || neighbours(day).some((d) => running.has(d));

  const attempt = async (day: string): Promise<DayOutcome<R>> => {
    const started = performance.now();
    try {
      return { day, ok: true, result: await run(day), ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { day, ok: false, error: error instanceof Error ? error.message : String(error), ms: Math.round(performance.now() - started) };
    }
  };

  return new Promise((resolve, reject) => {
    let failed = false;
    const launch = (): void => {
      if (failed) return;
      while (running.size < limit) {
        const i = pending.findIndex((p) => !busy(p.day));
        if (i < 0) break;
        const { day, index } = pending.splice(i, 1)[0]!;
        running.add(day);
        void attempt(day).then((outcome) => {
          running.delete(day);
          results[index] = outcome;
          try {
            onDone?.(outcome);
          } catch (error) {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (pending.length === 0 && running.size === 0) resolve(results);
          else launch();
        });
      }
    };
    if (days.length === 0) resolve(results);
    else launch();
  });
}

/**
 * Reads the answer of a synchronous enrichment Lambda invocation (`{"date": D}`): the handler returns
 * `{ "days": [DaySummary] }`; a function error comes back as `{ "errorType", "errorMessage" }` with
 * FunctionError set. Throws with the function's message on an error.
 */
export function parseEnrichmentAnswer<R = unknown>(payload: string, functionError: string | undefined, statusCode?: number): R[] {
  let value: unknown;
  try {
    value = payload === '' ? undefined : JSON.parse(payload);
  } catch {
    value = undefined;
  }
  if (functionError !== undefined) {
    const e = (value ?? {}) as { errorType?: string; errorMessage?: string };
    throw new Error(`enrichment Lambda ${functionError}: ${e.errorType ?? 'Error'}: ${e.errorMessage ?? payload.slice(0, 300)}`);
  }
  if (statusCode !== undefined && (statusCode < 200 || statusCode >= 300)) throw new Error(`enrichment Lambda answered status ${statusCode}`);
  const days = (value as { days?: unknown } | undefined)?.days;
  if (!Array.isArray(days)) throw new Error(`unexpected enrichment Lambda answer: ${payload.slice(0, 300)}`);
  return days as R[];
}

/**
 * Reads the answer of a catalog-only invocation (`{"catalogOnly": true, "from", "to"}`): the handler
 * returns `{ "days": [], "catalog": {...} }`. Throws with the function's message on an error.
 */
export function parseCatalogAnswer<R = unknown>(payload: string, functionError: string | undefined, statusCode?: number): R {
  parseEnrichmentAnswer(payload, functionError, statusCode); // the same error handling
  const catalog = (JSON.parse(payload) as { catalog?: unknown }).catalog;
  if (catalog === null || typeof catalog !== 'object') throw new Error(`unexpected enrichment Lambda answer to a catalog-only repair: ${payload.slice(0, 300)}`);
  return catalog as R;
}

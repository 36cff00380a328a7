/**
 * `replay enrich`: rebuilds a range of enriched days with bounded concurrency. Each day is independent and
 * idempotent (fixed Parquet keys replaced, partitions added IF NOT EXISTS), so a failed day does not stop
 * the others and the whole command can be re-run. The runner is injected: `enrichDay(..., {force: true})`
 * in-process, or one enrichment Lambda invocation per day.
 */
import { mapPool } from './pool';

export type DayOutcome<R> = { readonly day: string; readonly ok: true; readonly result: R; readonly ms: number } | { readonly day: string; readonly ok: false; readonly error: string; readonly ms: number };

export async function rebuildDays<R>(days: readonly string[], concurrency: number, run: (day: string) => Promise<R>, onDone?: (outcome: DayOutcome<R>) => void): Promise<DayOutcome<R>[]> {
  return mapPool(days, Math.max(1, Math.floor(concurrency)), async (day) => {
    const started = performance.now();
    let outcome: DayOutcome<R>;
    try {
      outcome = { day, ok: true, result: await run(day), ms: Math.round(performance.now() - started) };
    } catch (error) {
      outcome = { day, ok: false, error: error instanceof Error ? error.message : String(error), ms: Math.round(performance.now() - started) };
    }
    onDone?.(outcome);
    return outcome;
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

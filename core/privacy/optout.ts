/**
 * The opt-out list: user ids whose updates are never stored (the webhook drops them, counted as
 * `dropped_opted_out`, and takes them out of other people's updates as erasure would). Kept where the
 * operator manages it: a file in the data folder locally, a Secrets Manager secret on AWS; read like the
 * webhook secret: cached, and read again at most every `refreshMs`.
 */
import { createMatcher, type ErasureMatcher } from './erasure';

export const OPTOUT_FORMAT = 'tgpipe-optout/1';

export interface OptOutList {
  readonly format: string;
  readonly user_ids: number[];
}

/** Parses the list (absent or empty: nobody); throws on anything else, naming what is wrong. */
export function parseOptOut(text: string | undefined): OptOutList {
  if (text === undefined || text.trim() === '') return { format: OPTOUT_FORMAT, user_ids: [] };
  const value = JSON.parse(text) as OptOutList;
  if (!value || !Array.isArray(value.user_ids) || !value.user_ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new Error(`the opt-out list is not {"format":"${OPTOUT_FORMAT}","user_ids":[positive integers]}`);
  }
  return { format: OPTOUT_FORMAT, user_ids: value.user_ids };
}

export const serialiseOptOut = (list: OptOutList): string => `${JSON.stringify({ format: OPTOUT_FORMAT, user_ids: [...new Set(list.user_ids)].sort((a, b) => a - b) })}\n`;

export function editOptOut(list: OptOutList, action: 'add' | 'remove', ids: readonly number[]): { list: OptOutList; changed: number[] } {
  const current = new Set(list.user_ids);
  const changed: number[] = [];
  for (const id of ids) {
    if (action === 'add' ? current.has(id) : !current.has(id)) continue;
    if (action === 'add') current.add(id);
    else current.delete(id);
    changed.push(id);
  }
  return { list: { format: OPTOUT_FORMAT, user_ids: [...current].sort((a, b) => a - b) }, changed };
}

/**
 * The list as the webhook sees it: `current()` answers at once from the cache; `refresh()` reads it again
 * when it is older than `refreshMs` (a failed read keeps the last good list and is logged by the caller).
 */
export class RefreshingOptOut {
  private matcher: ErasureMatcher | undefined;
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<string | undefined>,
    private readonly refreshMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  current = (): ErasureMatcher | undefined => this.matcher;

  get stale(): boolean {
    return this.now() - this.readAt >= this.refreshMs;
  }

  /** Reads the list again if it is stale; concurrent callers share one read. */
  refresh(): Promise<void> {
    if (!this.stale) return Promise.resolve();
    this.reading ??= (async () => {
      try {
        const list = parseOptOut(await this.read());
        this.matcher = list.user_ids.length ? createMatcher(list.user_ids, []) : undefined;
        this.readAt = this.now();
      } catch (error) {
        // Keep answering with the last good list; try again at the next refresh.
        this.readAt = this.now();
        this.onError(error as Error);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}

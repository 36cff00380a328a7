/**
 * Long polling for a laptop (no public URL for a webhook): getUpdates -> the same ingest path as the
 * webhook. The offset is persisted in `<data>/.offset` and advanced only after the batch is stored (and
 * Telegram forgets updates only when asked for a later offset), so a crash re-reads (duplicates are
 * removed at enrichment) rather than loses. Errors back off exponentially, honouring `retry_after`.
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGetUpdatesAnswer } from '../core/ingest-files';
import type { Logger } from '../core/log';

export interface PollerOptions {
  readonly token: string;
  readonly apiBase: string;
  readonly dataDir: string;
  readonly allowedUpdates: readonly string[];
  /** Stores a batch of update bodies (Telegram's bytes); resolves when all are durable, rejects otherwise. */
  readonly store: (bodies: string[]) => Promise<void>;
  readonly logger: Logger;
  /** getUpdates long-poll timeout (default 25 s). */
  readonly timeoutSeconds?: number;
  /** Backoff bounds (default 1 s doubling to 60 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const offsetFile = (dataDir: string) => join(dataDir, '.offset');

export async function readOffset(dataDir: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(offsetFile(dataDir), 'utf8')).trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

async function writeOffset(dataDir: string, offset: number): Promise<void> {
  const tmp = `${offsetFile(dataDir)}.tmp-write`;
  await writeFile(tmp, `${offset}\n`);
  await rename(tmp, offsetFile(dataDir));
}

const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

class PollError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Polls until `signal` aborts (finishing the batch being stored). Returns the number of updates stored. */
export async function pollUpdates(options: PollerOptions, signal: AbortSignal): Promise<number> {
  const sleep = options.sleep ?? abortableSleep;
  const timeout = options.timeoutSeconds ?? 25;
  const minBackoff = options.minBackoffMs ?? 1000;
  const maxBackoff = options.maxBackoffMs ?? 60_000;
  const url = `${options.apiBase.replace(/\/$/, '')}/bot${options.token}/getUpdates`;
  const hide = (text: string) => text.split(options.token).join('<token>');
  let offset = await readOffset(options.dataDir);
  let failures = 0;
  let stored = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ offset, timeout, allowed_updates: options.allowedUpdates }),
        signal: AbortSignal.any([signal, AbortSignal.timeout((timeout + 15) * 1000)]),
      });
      const text = await response.text();
      const answer = parseGetUpdatesAnswer(text);
      if (!response.ok || !answer.ok) {
        let retryAfter: number | undefined;
        try {
          retryAfter = (JSON.parse(text) as { parameters?: { retry_after?: number } }).parameters?.retry_after;
        } catch {
          // not JSON
        }
        const description = answer.ok ? '' : `: ${answer.description}`;
        throw new PollError(`getUpdates answered ${response.status}${description}`, typeof retryAfter === 'number' ? retryAfter * 1000 : undefined);
      }
      for (const r of answer.rejected) options.logger.warn('getUpdates returned something that is not an update: skipped', { event: 'poll_rejected', where: r.where });
      const ids = [...answer.updates.map((u) => u.updateId)];
      if (ids.length > 0 || answer.rejected.length > 0) {
        if (answer.updates.length > 0) await options.store(answer.updates.map((u) => u.body));
        stored += answer.updates.length;
        if (ids.length > 0) {
          offset = Math.max(...ids) + 1;
          await writeOffset(options.dataDir, offset);
        }
        options.logger.log('debug', 'getUpdates batch stored', { updates: answer.updates.length, offset });
      }
      failures = 0;
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 16));
      const wait = Math.max(backoff, error instanceof PollError && error.retryAfterMs ? error.retryAfterMs : 0);
      // The token is part of the URL: never let it into a log line.
      options.logger.warn('getUpdates failed: backing off', { event: 'poll_failed', error: hide((error as Error).message), wait_ms: wait, failures });
      await sleep(wait, signal);
    }
  }
  return stored;
}

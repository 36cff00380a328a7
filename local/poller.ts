/**
 * Long polling for a laptop (no public URL for a webhook): getUpdates -> the same ingest path as the
 * webhook. The offset is persisted in `<data>/.offset` and advanced only after the batch is stored, so a
 * crash re-reads (duplicates are removed at enrichment) rather than loses. Errors back off exponentially.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/log';

export interface PollerOptions {
  readonly token: string;
  readonly apiBase: string;
  readonly dataDir: string;
  readonly allowedUpdates: readonly string[];
  /** Stores a batch of update bodies; resolves when all are durable. */
  readonly store: (bodies: string[]) => Promise<void>;
  readonly logger: Logger;
  readonly timeoutSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const offsetFile = (dataDir: string) => join(dataDir, '.offset');

export async function readOffset(dataDir: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(offsetFile(dataDir), 'utf8')).trim());
    return Number.isSafeInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until `signal` aborts. Returns the number of updates stored. */
export async function pollUpdates(options: PollerOptions, signal: AbortSignal): Promise<number> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let offset = await readOffset(options.dataDir);
  let failures = 0;
  let stored = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(`${options.apiBase.replace(/\/$/, '')}/bot${options.token}/getUpdates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ offset, timeout: options.timeoutSeconds ?? 25, allowed_updates: options.allowedUpdates }),
        signal,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`getUpdates answered ${response.status}`);
      const answer = JSON.parse(text) as { ok: boolean; result?: Array<{ update_id: number }>; description?: string };
      if (!answer.ok || !Array.isArray(answer.result)) throw new Error(`getUpdates failed: ${answer.description ?? 'no result'}`);
      if (answer.result.length > 0) {
        await options.store(answer.result.map((u) => JSON.stringify(u)));
        stored += answer.result.length;
        offset = Math.max(...answer.result.map((u) => u.update_id)) + 1;
        await writeFile(offsetFile(options.dataDir), `${offset}\n`);
      }
      failures = 0;
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      const wait = Math.min(60_000, 500 * 2 ** Math.min(failures, 7));
      // The token is part of the URL: log only the error's message, which never holds it.
      options.logger.warn('getUpdates failed: backing off', { error: (error as Error).message.replace(options.token, '<token>'), wait_ms: wait });
      await sleep(wait);
    }
  }
  return stored;
}

/**
 * The chat registry of a data folder (`DIR/.chats.json`), kept by `tgpipe serve` and `tgpipe ingest`:
 * counted in memory on the request path, added to the file every few seconds and at the end (read,
 * merge, write to a temporary file, rename), so several writers add up and a crash loses seconds.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyRegistry, mergeRegistries, parseRegistry, tallyResult, type ChatRegistry } from '../core/chat-registry';
import type { WebhookResult } from '../core/webhook';

export const CHAT_REGISTRY_FILE = '.chats.json';

export async function readChatRegistry(dataDir: string): Promise<ChatRegistry> {
  try {
    return parseRegistry(await readFile(join(dataDir, CHAT_REGISTRY_FILE), 'utf8'));
  } catch {
    return emptyRegistry();
  }
}

export class ChatTally {
  private pending = emptyRegistry();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    options: { flushEveryMs?: number } = {},
  ) {
    if (options.flushEveryMs) {
      this.timer = setInterval(() => void this.flush(), options.flushEveryMs);
      this.timer.unref();
    }
  }

  add(result: WebhookResult, at = Date.now()): void {
    tallyResult(this.pending, result, at);
    this.count += 1;
  }

  /** Adds what was counted since the last flush to the file. Never throws (a full disk: kept for the next flush). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.count === 0) return;
      const adding = this.pending;
      this.pending = emptyRegistry();
      this.count = 0;
      const path = join(this.dataDir, CHAT_REGISTRY_FILE);
      try {
        const merged = mergeRegistries(await readChatRegistry(this.dataDir), adding);
        await writeFile(`${path}.tmp-write`, `${JSON.stringify(merged)}\n`);
        await rename(`${path}.tmp-write`, path);
      } catch {
        this.pending = mergeRegistries(adding, this.pending);
        this.count += 1;
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

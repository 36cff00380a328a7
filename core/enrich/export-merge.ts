/**
 * One history from the live bot and Telegram Desktop exports (DESIGN.md, Raw record kinds: `export`).
 *
 * While a day is read, every live `telegram` row is noted by its key and the day's `export` records are
 * set aside in a temporary file; once the day's live rows are all known, the export records are read
 * back and kept only when no live row and no earlier export record is the same message. So the live
 * message wins whichever came first, and an export imported twice (or two overlapping exports) counts once.
 *
 * The same message:
 * - supergroups and channels: the same (chat_id, message_id): their export ids are the Bot API's;
 * - basic groups and private chats (and a supergroup's migrated basic-group history), whose export ids
 *   are the exporting account's own: the same chat, sender, second and kind. Per such key, as many export
 *   records are dropped as the day has live rows (an album's photos share a second); the rest are kept.
 *   Between export records, the stored (shifted) id still identifies a message.
 * A live message and its exported copy share a day when the import and the webhook use the same
 * CONTEXT_UTC_OFFSET (both date a message by its send time).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Row } from '../../schemas';

const strictKey = (chatId: unknown, messageId: unknown): string => `${String(chatId)}:${String(messageId)}`;
const looseKey = (row: Row): string => `${String(row.chat_id)}:${String(row.user_id)}:${String(row.date)}:${String(row.message_kind)}`;

export class ExportMerge {
  private readonly live = new Set<string>();
  private readonly liveLoose = new Map<string, number>();
  private readonly exported = new Set<string>();
  private readonly path: string;
  private out: WriteStream | undefined;
  /** Export records set aside so far. */
  pending = 0;
  /** Export records dropped because a live row is the same message. */
  overlaps = 0;
  /** Export records dropped because an earlier export record is the same message. */
  repeats = 0;

  constructor(workDir: string) {
    this.path = join(workDir, 'export-records.jsonl');
  }

  /** A live `telegram` row of the day. */
  noteLive(row: Row): void {
    this.live.add(strictKey(row.chat_id, row.message_id));
    const k = looseKey(row);
    this.liveLoose.set(k, (this.liveLoose.get(k) ?? 0) + 1);
  }

  /** Sets an export record's line aside until the day's live rows are known. */
  async setAside(line: string, object: string, lineNo: number): Promise<void> {
    this.out ??= createWriteStream(this.path);
    this.pending += 1;
    if (!this.out.write(`${JSON.stringify([object, lineNo])}\t${line}\n`)) await new Promise<void>((r) => this.out!.once('drain', () => r()));
  }

  /**
   * Whether the export record's row is kept; `accountLocal` when its ids are the exporting account's own.
   * Call after every live row was noted.
   */
  keep(row: Row, accountLocal: boolean): boolean {
    const key = strictKey(row.chat_id, row.message_id);
    if (this.exported.has(key)) {
      this.repeats += 1;
      return false;
    }
    this.exported.add(key);
    if (accountLocal) {
      const k = looseKey(row);
      const n = this.liveLoose.get(k) ?? 0;
      if (n > 0) {
        this.liveLoose.set(k, n - 1);
        this.overlaps += 1;
        return false;
      }
      return true;
    }
    if (this.live.has(key)) {
      this.overlaps += 1;
      return false;
    }
    return true;
  }

  /** The lines set aside, in the order they were read, with the object and line they came from. */
  async *lines(): AsyncGenerator<{ object: string; line: number; text: string }> {
    if (!this.out) return;
    const out = this.out;
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const input = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const entry of input) {
      const tab = entry.indexOf('\t');
      const [object, line] = JSON.parse(entry.slice(0, tab)) as [string, number];
      yield { object, line, text: entry.slice(tab + 1) };
    }
  }

  close(): void {
    this.out?.destroy();
  }
}

/**
 * The import: the bytes of a `result.json` -> normalised `export` records -> raw objects, one gzip JSON
 * lines object per chat and day (DESIGN.md, Raw record kinds). The store is a parameter: a folder
 * locally, the raw S3 bucket on AWS (written directly, not through Firehose: see README).
 *
 * Memory is bounded whatever the file's size: the reader holds one message, and each chat holds one
 * object of at most PART_BYTES of lines before it is written.
 *
 * Deterministic: a record's `received_at` is its message's date (nothing was received; the enrichment
 * writes NULL received_at for export rows) and an object's key is named after the chat and its first
 * message id, so importing the same file again writes the same keys with the same bytes.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { contextDateOfExport, type DayZone } from '../context-date';
import { payloadLine } from '../envelope';
import { rawDayPrefix } from '../../schemas';
import type { ObjectStore } from '../../ports/object-store';
import { ExportJsonStream, ExportSyntaxError, type ExportChatMeta } from './json-stream';
import { ChatNormaliser, intOf, type ExportRecord, type NormalisedChat, type SkippedMessage } from './normalise';

/** An object is written once its lines reach this size (and at every change of day). */
export const PART_BYTES = 8 * 1024 * 1024;
/** Objects written at the same time (S3 round trips overlap). */
const WRITES_IN_FLIGHT = 4;

export interface ImportProgress {
  readonly bytes: number;
  readonly messages: number;
  readonly chats: number;
}

export interface ImportOptions {
  readonly utcOffsetMinutes: DayZone;
  /** Whether a chat is imported (default: every chat). */
  readonly selectChat?: (chat: NormalisedChat) => boolean;
  /**
   * Bot API id of the basic group a supergroup was migrated from (its migrated history's chat): for the
   * first chat of the file that holds such a history (an account export may hold several; the others
   * keep theirs under their own id, not under a group they never were).
   */
  readonly migratedFromChatId?: number;
  /**
   * The basic group a supergroup was migrated from, as the data already links them (the live
   * migrate_to_chat_id / migrate_from_chat_id messages), when migratedFromChatId is not given. Asked
   * only for a supergroup whose export holds a migrated history, at its first message.
   */
  readonly migratedFromOf?: (supergroupId: number) => Promise<number | undefined>;
  /** Called now and then while reading (at most every `progressEveryMs`). */
  readonly onProgress?: (p: ImportProgress) => void;
  readonly progressEveryMs?: number;
  /** Name of the file for object keys and messages (default `result.json`). */
  readonly source?: string;
}

export interface ChatImport {
  readonly id: number | null;
  readonly type: string | null;
  readonly export_type: unknown;
  readonly title: string | null;
  readonly section: ExportChatMeta['section'];
  imported: boolean;
  messages: number;
  records: number;
  /** Of `records`: the migrated basic group's history (stored under its own chat). */
  migrated_records: number;
  /** The basic group's id that history is stored under (else the supergroup's own), and where it came from. */
  migrated_from?: { id: number; from: 'option' | 'data' };
  /** Messages that were not messages (not an object, no id), or of a chat with no id. */
  skipped: number;
  /** Messages with no date in a chat with no dated message at all. */
  undated_dropped: number;
  first_date?: string;
  last_date?: string;
}

export interface ImportSummary {
  readonly source: string;
  bytes: number;
  messages: number;
  records: number;
  objects: number;
  /** Of `objects`: already in the raw layer with the same lines (an import of the same file), not written again. */
  unchanged_objects: number;
  /** context_date of every object written, sorted: the days to (re)build. */
  days: string[];
  chats: ChatImport[];
  /** Up to 100 skipped messages with their position. */
  skipped: Array<SkippedMessage & { chat: number | null }>;
  /** Set when the file is damaged or truncated: what was read before it is stored. */
  damage?: { reason: string; offset: number; line: number; column: number };
  ms: number;
}

interface OpenPart {
  day: string;
  key: string;
  lines: string[];
  bytes: number;
}

interface OpenChat {
  readonly normaliser: ChatNormaliser;
  readonly info: ChatImport;
  /** options.migratedFromOf was asked for this chat. */
  migratedAsked: boolean;
}

/** A message of a supergroup's migrated basic-group history (negative id) not yet placed under the old id. */
function isUnplacedMigratedHistory(open: OpenChat, value: unknown): boolean {
  if (open.info.type !== 'supergroup' || open.info.id === null || open.normaliser.migratedPlaced) return false;
  const id = value !== null && typeof value === 'object' ? intOf((value as Record<string, unknown>).id) : undefined;
  return id !== undefined && id < 0;
}

/** Builds one raw line of the `export` kind. */
export function exportLine(record: ExportRecord, utcOffsetMinutes: DayZone): { line: string; contextDate: string } {
  const receivedAt = record.message.date * 1000;
  const contextDate = contextDateOfExport(record.message, receivedAt, utcOffsetMinutes);
  return { line: payloadLine(receivedAt, contextDate, 'export', JSON.stringify(record)), contextDate };
}

const safeName = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Writes a chat's records as objects per day, at most WRITES_IN_FLIGHT at a time. */
class PartWriter {
  private readonly open = new Map<string, OpenPart>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  readonly days = new Set<string>();
  objects = 0;

  constructor(private readonly store: ObjectStore) {}

  async add(chatKey: string, messageId: number, line: string, day: string): Promise<void> {
    let part = this.open.get(chatKey);
    if (part && (part.day !== day || part.bytes >= PART_BYTES)) {
      await this.flush(chatKey);
      part = undefined;
    }
    if (!part) {
      part = { day, key: `${rawDayPrefix(day)}export-${safeName(chatKey)}-${messageId}`, lines: [], bytes: 0 };
      this.open.set(chatKey, part);
    }
    part.lines.push(line);
    part.bytes += line.length + 1;
  }

  async flush(chatKey: string): Promise<void> {
    const part = this.open.get(chatKey);
    if (!part) return;
    this.open.delete(chatKey);
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const text = `${part.lines.join('\n')}\n`;
    // Named by its content too: the same lines get the same key (a re-import rewrites it unchanged), and
    // another export's different lines for the same day never replace these.
    const key = `${part.key}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json.gz`;
    this.days.add(part.day);
    this.objects += 1;
    const write = this.writeOnce(key, text).then(
      () => {
        this.inFlight.delete(write);
      },
      (error: Error) => {
        this.inFlight.delete(write);
        this.failure ??= error;
      },
    );
    this.inFlight.add(write);
  }

  /** Objects already there (the same key is the same lines: a re-import), not written again. */
  unchanged = 0;

  private async writeOnce(key: string, text: string): Promise<void> {
    for await (const o of this.store.list(key)) {
      if (o.key === key) {
        this.unchanged += 1;
        return;
      }
    }
    await this.store.write(key, gzipSync(text), 'application/gzip');
  }

  async flushAll(): Promise<void> {
    for (const key of [...this.open.keys()]) await this.flush(key);
    await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure;
  }
}

/**
 * Imports an export from its bytes. Resolves with the summary, also when the file is damaged (then
 * `damage` says where; everything before it is stored); rejects only when the store fails.
 */
export async function importExport(source: AsyncIterable<Buffer | Uint8Array>, store: ObjectStore, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const name = options.source ?? 'result.json';
  const summary: ImportSummary = { source: name, bytes: 0, messages: 0, records: 0, objects: 0, unchanged_objects: 0, days: [], chats: [], skipped: [], ms: 0 };
  const parser = new ExportJsonStream();
  const writer = new PartWriter(store);
  const chats = new Map<number, OpenChat>();
  const every = options.progressEveryMs ?? 250;
  /** options.migratedFromChatId was given to a chat's history already. */
  let optionPlaced = false;
  let lastProgress = 0;

  const closeChat = async (index: number): Promise<void> => {
    const open = chats.get(index);
    if (!open) return;
    chats.delete(index);
    open.info.undated_dropped = open.normaliser.finish();
    open.info.skipped = open.normaliser.skippedCount;
    for (const s of open.normaliser.skipped) if (summary.skipped.length < 100) summary.skipped.push({ ...s, chat: open.info.id });
    for (const key of [String(open.normaliser.chat.id), `migrated_${String(open.normaliser.chat.id)}`]) await writer.flush(key);
  };

  const handle = async (events: ReturnType<ExportJsonStream['write']>): Promise<void> => {
    for (const event of events) {
      if (event.kind === 'chat_start') {
        const normaliser = new ChatNormaliser(event.chat);
        const chat = normaliser.chat;
        const imported = chat.id !== null && (options.selectChat?.(chat) ?? true);
        const info: ChatImport = {
          id: chat.id,
          type: chat.type,
          export_type: chat.export_type,
          title: chat.title,
          section: event.chat.section,
          imported,
          messages: 0,
          records: 0,
          migrated_records: 0,
          skipped: 0,
          undated_dropped: 0,
        };
        summary.chats.push(info);
        chats.set(event.chat.index, { normaliser, info, migratedAsked: false });
      } else if (event.kind === 'message') {
        summary.messages += 1;
        const open = chats.get(event.chat.index);
        if (!open) continue;
        open.info.messages += 1;
        if (!open.info.imported) continue;
        if (!open.migratedAsked && isUnplacedMigratedHistory(open, event.value)) {
          // The export never names the old group's id: the option or the data may (once, before its first record).
          open.migratedAsked = true;
          const given = options.migratedFromChatId !== undefined && !optionPlaced ? options.migratedFromChatId : undefined;
          const known = given ?? (options.migratedFromChatId === undefined ? await options.migratedFromOf?.(open.info.id!) : undefined);
          if (known !== undefined) {
            open.normaliser.placeMigratedHistory(known);
            open.info.migrated_from = { id: known, from: given !== undefined ? 'option' : 'data' };
            if (given !== undefined) optionPlaced = true;
          }
        }
        for (const record of open.normaliser.push(event.value, event.offset, event.line)) {
          const { line, contextDate } = exportLine(record, options.utcOffsetMinutes);
          const migrated = record.chat.migrated_to_chat_id !== undefined;
          await writer.add(migrated ? `migrated_${String(open.normaliser.chat.id)}` : String(record.chat.id), record.message.export_id, line, contextDate);
          open.info.records += 1;
          if (migrated) open.info.migrated_records += 1;
          summary.records += 1;
          open.info.first_date ??= contextDate;
          open.info.last_date = contextDate;
        }
      } else {
        await closeChat(event.chat.index);
      }
    }
  };

  try {
    for await (const chunk of source) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      summary.bytes += buffer.length;
      await handle(parser.write(buffer));
      if (parser.damage) throw parser.damage; // the messages before it were handled
      const now = performance.now();
      if (options.onProgress && now - lastProgress >= every) {
        lastProgress = now;
        options.onProgress({ bytes: summary.bytes, messages: summary.messages, chats: summary.chats.length });
      }
    }
    await handle(parser.end());
  } catch (error) {
    if (!(error instanceof ExportSyntaxError)) throw error;
    summary.damage = { reason: error.reason, offset: error.offset, line: error.line, column: error.column };
  }
  // What was read is kept: the chats open at the damage are written as far as they went.
  for (const index of [...chats.keys()]) await closeChat(index);
  await writer.flushAll();
  summary.objects = writer.objects;
  summary.unchanged_objects = writer.unchanged;
  summary.days = [...writer.days].sort();
  summary.ms = Math.round(performance.now() - started);
  options.onProgress?.({ bytes: summary.bytes, messages: summary.messages, chats: summary.chats.length });
  return summary;
}

/** Days as inclusive ranges of consecutive dates, e.g. for `tgpipe enrich --from A --to B`. */
export function dayRanges(days: readonly string[]): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  const next = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const day of [...days].sort()) {
    const last = out[out.length - 1];
    if (last && next(last.to) === day) last.to = day;
    else if (!last || last.to !== day) out.push({ from: day, to: day });
  }
  return out;
}

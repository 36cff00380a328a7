/**
 * Updates from a file read as a stream of text chunks, for `tgpipe ingest` of files of any size: memory
 * holds the value being read and one chunk, never the file. The same shapes as `parseUpdateFile`: one
 * update, a JSON array of updates (its elements are read one at a time), JSON lines, getUpdates answers,
 * or several pretty-printed documents one after another. Each update keeps its exact bytes.
 *
 * A line of JSON lines that is not JSON is rejected and the next line read; a value that is not JSON is
 * rejected and the scan goes on after it; a file that ends inside a value names the line it began on.
 */
import { EXPORT_GIVEN_TO_INGEST, looksLikeExport } from './export/detect';
import { classify, fromDocument, NOT_AN_UPDATE, type FileItems, type FileUpdate, type Rejection } from './ingest-files';

export type StreamItem = ({ kind: 'update' } & FileUpdate) | ({ kind: 'rejected' } & Rejection);

/** Largest single value kept in memory (a Bot API update is far smaller; Firehose takes 1,000 KiB). */
export const MAX_VALUE_CHARS = 16 * 1024 * 1024;

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Newline = 0x0a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Comma = 0x2c,
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Characters of a file's start held before the scan begins, to recognise a Telegram Desktop export by its
 * head (a chat's `{"name", "type", "id", "messages": [` or an account's `{"about", ...`: well within this).
 * Without it an export is read as updates: its `\xHH` escapes make it no JSON, and each of its lines
 * was rejected on its own (hundreds of thousands of "not JSON" lines for a big group) instead of one
 * rejection pointing to `tgpipe import`.
 */
export const EXPORT_SNIFF_CHARS = 4096;

export class UpdateStreamParser {
  private buf = '';
  private pos = 0;
  /** Line of `buf[pos]`, from 1. */
  private line = 1;
  /** Where the value being read starts in `buf`, or -1 between values. */
  private start = -1;
  private startLine = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside a top-level array: its elements are the values. */
  private inArray = false;
  private arrayIndex = 0;
  private arrayLine = 0;
  /** After a top-level value that began and ended on one line: the file is JSON lines. */
  private jsonLines = false;
  private sawValue = false;
  private skippingLine = false;
  private oversized = false;
  private first = true;
  /** The head was looked at for an export (see EXPORT_SNIFF_CHARS). */
  private sniffed = false;
  /** The file is a Telegram Desktop export: rejected once, the rest of it not read. */
  private isExport = false;

  constructor(private readonly name: string) {}

  /** The items completed by this chunk. */
  push(chunk: string): StreamItem[] {
    if (this.isExport) return [];
    if (this.first && chunk !== '') {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buf += chunk;
    if (!this.sniffed) {
      if (this.buf.length < EXPORT_SNIFF_CHARS) return [];
      if (this.sniff()) return [this.exportRejection()];
    }
    const out: StreamItem[] = [];
    this.scan(out);
    this.compact();
    return out;
  }

  /** The items left at the end of the file (a truncated value is rejected). */
  end(): StreamItem[] {
    if (this.isExport) return [];
    const out: StreamItem[] = [];
    if (!this.sniffed) {
      // A file shorter than the sniffed head: looked at now, and scanned now.
      if (this.sniff()) return [this.exportRejection()];
      this.scan(out);
      this.compact();
    }
    if (this.start >= 0 && !this.inString && this.depth === 0) this.finishValue(this.buf.length, out); // a number or literal at the end
    if (this.start >= 0 && !this.inArray && !this.oversized) {
      // Not one document after all: JSON lines whose first line is broken (each line read on its own).
      out.push(...linesOf(this.buf.slice(this.start), this.name, this.startLine, true));
      this.start = -1;
      this.sawValue = true;
    }
    if (this.start >= 0) out.push(this.rejected(this.startLine, `the file ends inside a value that began on line ${this.startLine} (truncated?)`));
    else if (this.inArray) out.push(this.rejected(this.arrayLine, `the file ends inside the array that began on line ${this.arrayLine} (truncated?)`));
    else if (!this.sawValue && !this.skippingLine) out.push({ kind: 'rejected', where: this.name, reason: 'empty file' });
    this.buf = '';
    this.pos = 0;
    return out;
  }

  /** Looks at the head once; true (and the buffer dropped) when the file is an export. */
  private sniff(): boolean {
    this.sniffed = true;
    let i = 0;
    while (i < this.buf.length && isWs(this.buf.charCodeAt(i))) i += 1;
    if (!looksLikeExport(this.buf.slice(i, i + EXPORT_SNIFF_CHARS))) return false;
    this.isExport = true;
    this.buf = '';
    this.pos = 0;
    return true;
  }

  private exportRejection(): StreamItem {
    return { kind: 'rejected', where: this.name, reason: EXPORT_GIVEN_TO_INGEST };
  }

  private rejected(line: number, reason: string): StreamItem {
    return { kind: 'rejected', where: `${this.name}:${line}${this.inArray ? ` [${this.arrayIndex}]` : ''}`, reason };
  }

  /** Drops what was consumed, keeping the value being read (unless it is too large to keep). */
  private compact(): void {
    const keepFrom = this.start >= 0 && !this.oversized ? this.start : this.pos;
    if (keepFrom === 0) return;
    this.buf = this.buf.slice(keepFrom);
    this.pos -= keepFrom;
    if (this.start >= 0) this.start = 0;
  }

  private scan(out: StreamItem[]): void {
    const buf = this.buf;
    let i = this.pos;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (this.skippingLine) {
        // A JSON line that is not JSON: skip to its end.
        const nl = buf.indexOf('\n', i);
        if (nl < 0) {
          i = buf.length;
          break;
        }
        this.skippingLine = false;
        this.line += 1;
        i = nl + 1;
        continue;
      }
      if (this.start >= 0) {
        // Inside a value.
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === C.Backslash) this.escaped = true;
          else if (c === C.Quote) {
            this.inString = false;
            if (this.depth === 0) {
              this.finishValue(i + 1, out);
              i += 1;
              continue;
            }
          } else if (c === C.Newline) {
            this.line += 1;
            if (this.jsonLines && !this.inArray) {
              // JSON has no raw line break inside a string: this line is not JSON, the next one may be.
              out.push(this.rejected(this.startLine, 'not JSON'));
              this.resetValue();
            }
          }
          i += 1;
          continue;
        }
        if (c === C.Newline) {
          this.line += 1;
          if (this.jsonLines && !this.inArray) {
            // One value per line: an unclosed value at the end of its line is not JSON.
            if (this.depth > 0) out.push(this.rejected(this.startLine, 'not JSON'));
            else this.finishValue(i, out);
            this.resetValue();
            i += 1;
            continue;
          }
        }
        if (c === C.Quote) this.inString = true;
        else if (c === C.OpenBrace || c === C.OpenBracket) this.depth += 1;
        else if (c === C.CloseBrace || c === C.CloseBracket) {
          if (this.depth === 0) {
            // A number or literal ended by the array's close.
            this.finishValue(i, out);
            continue;
          }
          this.depth -= 1;
          if (this.depth === 0) {
            this.finishValue(i + 1, out);
            i += 1;
            continue;
          }
        } else if (this.depth === 0 && (c === C.Comma || isWs(c))) {
          this.finishValue(i, out);
          continue;
        }
        if (i - this.start > MAX_VALUE_CHARS && !this.oversized) this.oversized = true;
        i += 1;
        continue;
      }
      // Between values.
      if (isWs(c)) {
        if (c === C.Newline) this.line += 1;
        i += 1;
        continue;
      }
      if (this.inArray) {
        if (c === C.Comma) {
          i += 1;
          continue;
        }
        if (c === C.CloseBracket) {
          this.inArray = false;
          this.sawValue = true;
          i += 1;
          continue;
        }
        this.beginValue(i);
        continue;
      }
      if (c === C.OpenBracket && !this.jsonLines) {
        this.inArray = true;
        this.arrayIndex = 0;
        this.arrayLine = this.line;
        i += 1;
        continue;
      }
      if (c === C.OpenBrace || c === C.OpenBracket || c === C.Quote) {
        this.beginValue(i);
        continue;
      }
      // Not the start of a JSON document: reject the line.
      out.push({ kind: 'rejected', where: `${this.name}:${this.line}`, reason: 'not JSON' });
      this.sawValue = true;
      this.skippingLine = true;
    }
    this.pos = i;
  }

  private beginValue(i: number): void {
    this.start = i;
    this.startLine = this.line;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.oversized = false;
  }

  private resetValue(): void {
    this.start = -1;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.oversized = false;
  }

  /** The value from `start` to `end` (exclusive) is complete. */
  private finishValue(end: number, out: StreamItem[]): void {
    const text = this.buf.slice(this.start, end);
    const line = this.startLine;
    const oversized = this.oversized;
    if (!this.inArray && !this.sawValue && line === this.line) this.jsonLines = true;
    this.sawValue = true;
    this.resetValue();
    this.pos = end;
    if (this.inArray) {
      const where = `${this.name}:${line} [${this.arrayIndex}]`;
      this.arrayIndex += 1;
      if (oversized) out.push({ kind: 'rejected', where, reason: `larger than ${MAX_VALUE_CHARS / 1024 / 1024} MiB: not an update` });
      else out.push(...itemsOfValue(text, where));
      return;
    }
    if (oversized) {
      out.push({ kind: 'rejected', where: `${this.name}:${line}`, reason: `larger than ${MAX_VALUE_CHARS / 1024 / 1024} MiB: not an update` });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // A document over several lines that is not JSON: read its lines on their own, as JSON lines, so
      // one broken line does not take the good lines after it.
      if (line !== this.line || text.includes('\n')) {
        out.push(...linesOf(text, this.name, line, false));
        this.jsonLines = true;
      } else out.push({ kind: 'rejected', where: `${this.name}:${line}`, reason: 'not JSON' });
      return;
    }
    out.push(...documentItems(text, value, this.name, line));
  }
}

function documentItems(text: string, value: unknown, name: string, line: number): StreamItem[] {
  const items: FileItems = { updates: [], rejected: [] };
  fromDocument(text, 0, value, name, line - 1, items);
  return [...items.updates.map((u) => ({ kind: 'update' as const, ...u })), ...items.rejected.map((r) => ({ kind: 'rejected' as const, ...r }))];
}

/** Each line of `text` (which begins on line `firstLine`) as its own document. */
function linesOf(text: string, name: string, firstLine: number, atEnd: boolean): StreamItem[] {
  const out: StreamItem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, k) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      const last = atEnd && k === lines.length - 1;
      out.push({ kind: 'rejected', where: `${name}:${firstLine + k}`, reason: last ? 'not JSON (the file ends inside it: truncated?)' : 'not JSON' });
      return;
    }
    out.push(...documentItems(trimmed, value, name, firstLine + k));
  });
  return out;
}

/** An array element: one update, or why it is not one. */
function itemsOfValue(text: string, where: string): StreamItem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ kind: 'rejected', where, reason: 'not JSON' }];
  }
  const items: FileItems = { updates: [], rejected: [] };
  classify(value, text, where, items);
  return [...items.updates.map((u) => ({ kind: 'update' as const, ...u })), ...items.rejected.map((r) => ({ kind: 'rejected' as const, ...r }))];
}

export { NOT_AN_UPDATE };

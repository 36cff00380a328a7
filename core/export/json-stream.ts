/**
 * A streaming reader for Telegram Desktop's `result.json` (pure: bytes in, events out; no I/O).
 *
 * The file is JSON as Telegram Desktop's writer (export_output_json.cpp) writes it, which is not strict
 * JSON: control characters inside strings are written as `\xHH` (read here as that character). The
 * reader builds only what the import needs: each chat's `name`, `type` and `id`, and each element of its
 * `messages` array, one at a time; everything else (contacts, sessions, other_data, ...) is tokenized and
 * thrown away. Memory is one message plus the chunk being read, however large the file.
 *
 * Shapes: a single chat `{"name","type","id","messages":[...]}` at the root, or an account export whose
 * root has `chats: {about, list: [chat...]}` and `left_chats: {about, list: [chat...]}`.
 *
 * Damage (bad bytes, a truncated file) raises ExportSyntaxError naming the byte offset, line and column;
 * every message completed before it has already been handed out.
 */

export interface ExportChatMeta {
  /** Order of the chat in the file, from 0. */
  readonly index: number;
  /** `chats`, `left_chats`, or `root` for a single-chat export. */
  readonly section: 'root' | 'chats' | 'left_chats';
  readonly name?: unknown;
  readonly type?: unknown;
  readonly id?: unknown;
}

export type ExportEvent =
  | { readonly kind: 'chat_start'; readonly chat: ExportChatMeta; readonly offset: number }
  | { readonly kind: 'message'; readonly chat: ExportChatMeta; readonly value: unknown; readonly offset: number; readonly line: number }
  | { readonly kind: 'chat_end'; readonly chat: ExportChatMeta; readonly messages: number };

export class ExportSyntaxError extends Error {
  override name = 'ExportSyntaxError';
  constructor(
    readonly reason: string,
    /** Byte offset (from 0) of the damage in the file. */
    readonly offset: number,
    /** Line of the damage, from 1. */
    readonly line: number,
    /** Column of the damage in bytes, from 1. */
    readonly column: number,
  ) {
    super(`${reason} at byte ${offset} (line ${line}, column ${column})`);
  }
}

type Role = 'root' | 'section' | 'list' | 'chat' | 'messages' | 'build' | 'skip';
type Expect = 'key_or_end' | 'key' | 'colon' | 'value' | 'value_or_end' | 'comma_or_end';

interface Frame {
  readonly array: boolean;
  readonly role: Role;
  expect: Expect;
  /** The container being built (role `build`), else undefined. */
  readonly value: Record<string, unknown> | unknown[] | undefined;
  key: string | undefined;
  /** Chat fields (roles root and chat). */
  meta?: { name?: unknown; type?: unknown; id?: unknown };
  chat?: ExportChatMeta;
  messages?: number;
  section?: 'chats' | 'left_chats';
  /** Where a message (role build at message level) started. */
  start?: number;
  startLine?: number;
}

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Newline = 0x0a,
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const HEX = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
const SIMPLE_ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
const NUMBER_BYTE = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
const LETTER = (c: number): boolean => c >= 0x61 && c <= 0x7a;

/** A chunk smaller than this is joined with the next one before a partial token is carried over. */
export const DEFAULT_CHUNK = 64 * 1024;

export class ExportJsonStream {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset of buf[0]. */
  private base = 0;
  /**
   * The line cursor: newlines in the file before the absolute offset `cursorAt` (never before buf[0]).
   * Lines are asked for in file order (each message's start, the damage), so the cursor only moves on
   * and every byte is counted once: counting from buf[0] on every ask was quadratic in the chunk size.
   */
  private cursorAt = 0;
  private cursorLines = 0;
  /** Absolute offset where the line that holds buf[0] starts. */
  private lineStart = 0;
  /**
   * Index in buf of the next backslash at or after the last string scan's position, or buf.length when
   * there is none: one search per backslash instead of one per string (most strings have none, and a
   * search for one ran to the end of the chunk each time). -1: unknown (a new buffer).
   */
  private nextBackslash = -1;
  private pos = 0;
  private readonly stack: Frame[] = [];
  private done = false;
  private chats = 0;
  private events: ExportEvent[] = [];
  /** A string scan that stopped at the end of the buffer: where it started and where to go on. */
  private pendingString: { start: number; resume: number; escapes: boolean } | undefined;

  /** Bytes consumed so far (the position of the next byte to read). */
  get offset(): number {
    return this.base + this.pos;
  }

  /**
   * Set once the bytes are damaged: write() returned the events completed before the damage, and every
   * later write() or end() throws this.
   */
  damage: ExportSyntaxError | undefined;

  /** Feeds the next bytes; returns the events they completed (before any damage: see `damage`). */
  write(chunk: Buffer): ExportEvent[] {
    if (this.damage) throw this.damage;
    if (this.pos < this.buf.length) {
      // Keep the unread tail (a token cut by the chunk's end).
      this.shift();
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    } else {
      this.shift();
      this.buf = chunk;
    }
    this.guarded(false);
    return this.drain();
  }

  private guarded(final: boolean): void {
    try {
      this.run(final);
    } catch (error) {
      if (!(error instanceof ExportSyntaxError)) throw error;
      this.damage = error;
    }
  }

  /** The input ended: throws ExportSyntaxError when the file stopped inside a value. */
  end(): ExportEvent[] {
    if (this.damage) throw this.damage;
    this.guarded(true);
    if (this.damage) throw this.damage;
    if (!this.done) {
      const where = this.stack.length === 0 ? 'the file is empty' : `the file ends inside ${this.describeOpen()}: truncated`;
      throw this.error(where, this.buf.length);
    }
    return this.drain();
  }

  private drain(): ExportEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private describeOpen(): string {
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const f = this.stack[i]!;
      if (f.role === 'messages' && f.chat) return `the messages of chat ${String(f.chat.id ?? f.chat.index)} (after ${f.messages ?? 0} complete messages)`;
    }
    return this.stack.length > 0 ? 'a value' : 'nothing';
  }

  /** Drops the bytes before pos (keeping the line count). */
  private shift(): void {
    this.nextBackslash = -1;
    const cut = this.pendingString ? this.pendingString.start : this.pos;
    if (cut === 0) return;
    this.moveCursor(cut);
    const nl = this.buf.lastIndexOf(C.Newline, cut - 1);
    if (nl !== -1) this.lineStart = this.base + nl + 1;
    this.base += cut;
    this.buf = this.buf.subarray(cut);
    this.pos -= cut;
    if (this.pendingString) {
      this.pendingString.resume -= cut;
      this.pendingString.start = 0;
    }
  }

  private error(reason: string, at: number): ExportSyntaxError {
    const line = this.lineAt(at);
    const lastNl = at > 0 ? this.buf.lastIndexOf(C.Newline, at - 1) : -1;
    const column = lastNl >= 0 ? at - lastNl : this.base + at - this.lineStart + 1;
    return new ExportSyntaxError(reason, this.base + at, line, column);
  }


  /** Moves the line cursor to buf[at] (at or after it; a position before it is counted back from it). */
  private moveCursor(at: number): void {
    const from = this.cursorAt - this.base;
    if (at >= from) this.cursorLines += countNewlines(this.buf, from, at);
    else this.cursorLines -= countNewlines(this.buf, Math.max(at, 0), from);
    this.cursorAt = this.base + at;
  }

  /** The line (from 1) of buf[at]. */
  private lineAt(at: number): number {
    this.moveCursor(at);
    return this.cursorLines + 1;
  }

  private run(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    if (this.pendingString) {
      const p = this.pendingString;
      this.pendingString = undefined;
      this.pos = p.start;
      if (!this.scanString(p.start, p.resume, p.escapes, final)) return;
    }
    while (this.pos < n) {
      const c = buf[this.pos]!;
      if (isWs(c)) {
        this.pos += 1;
        continue;
      }
      if (this.done) throw this.error(`unexpected ${describeByte(c)} after the end of the JSON value`, this.pos);
      if (c === C.Quote) {
        if (!this.scanString(this.pos, this.pos + 1, false, final)) return;
        continue;
      }
      if (c === C.OpenBrace || c === C.OpenBracket) {
        this.open(c === C.OpenBracket, this.pos);
        this.pos += 1;
        continue;
      }
      if (c === C.CloseBrace || c === C.CloseBracket) {
        this.close(c === C.CloseBracket, this.pos);
        this.pos += 1;
        continue;
      }
      if (c === C.Comma) {
        this.comma(this.pos);
        this.pos += 1;
        continue;
      }
      if (c === C.Colon) {
        const f = this.stack[this.stack.length - 1];
        if (!f || f.expect !== 'colon') throw this.error("unexpected ':'", this.pos);
        f.expect = 'value';
        this.pos += 1;
        continue;
      }
      if (NUMBER_BYTE(c) || LETTER(c)) {
        let j = this.pos + 1;
        const number = NUMBER_BYTE(c);
        while (j < n && (number ? NUMBER_BYTE(buf[j]!) : LETTER(buf[j]!))) j += 1;
        if (j === n && !final) return; // the token may go on in the next chunk
        const text = buf.toString('latin1', this.pos, j);
        let value: unknown;
        if (number) {
          value = Number(text);
          if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw this.error(`bad number "${text}"`, this.pos);
        } else if (text === 'true') value = true;
        else if (text === 'false') value = false;
        else if (text === 'null') value = null;
        else throw this.error(`unexpected "${text.slice(0, 20)}"`, this.pos);
        this.scalar(value, this.pos);
        this.pos = j;
        continue;
      }
      throw this.error(`unexpected ${describeByte(c)}`, this.pos);
    }
  }

  /**
   * Scans a string from `start` (its opening quote), going on at `from`. Returns false when the buffer
   * ended inside it (the scan resumes with the next chunk).
   */
  private scanString(start: number, from: number, escapes: boolean, final: boolean): boolean {
    const buf = this.buf;
    const n = buf.length;
    let j = from;
    for (;;) {
      const q = buf.indexOf(C.Quote, j);
      if (this.nextBackslash < j) {
        const found = buf.indexOf(C.Backslash, j);
        this.nextBackslash = found === -1 ? n : found;
      }
      const b = this.nextBackslash < n ? this.nextBackslash : -1;
      if (b !== -1 && (q === -1 || b < q)) {
        escapes = true;
        // An escape: \x, \u need more bytes than the simple ones; one cut by the chunk's end is read again.
        const e = b + 1 < n ? buf[b + 1]! : -1;
        const need = e === 0x75 ? 6 : e === 0x78 ? 4 : 2;
        if (b + need > n) {
          j = b;
          break;
        }
        j = b + need;
        continue;
      }
      if (q === -1) {
        j = n;
        break;
      }
      this.pos = q + 1;
      const value = escapes ? this.decodeEscaped(start + 1, q) : buf.toString('utf8', start + 1, q);
      this.stringToken(value, start);
      return true;
    }
    if (final) throw this.error(`the file ends inside a string begun at byte ${this.base + start}: truncated`, n);
    // Resume where the scan stopped (at an escape cut by the chunk's end, or the end).
    this.pendingString = { start, resume: j, escapes };
    this.pos = start;
    return false;
  }

  private decodeEscaped(from: number, to: number): string {
    const buf = this.buf;
    let out = '';
    let run = from;
    let i = from;
    while (i < to) {
      if (buf[i] !== C.Backslash) {
        i += 1;
        continue;
      }
      if (i > run) out += buf.toString('utf8', run, i);
      const e = buf[i + 1]!;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 0x75 || e === 0x78) {
        const digits = e === 0x75 ? 4 : 2;
        let code = 0;
        for (let k = 0; k < digits; k += 1) {
          const h = HEX(buf[i + 2 + k]!);
          if (h < 0) throw this.error(`bad \\${String.fromCharCode(e)} escape in a string`, i);
          code = code * 16 + h;
        }
        out += String.fromCharCode(code);
        i += 2 + digits;
      } else {
        throw this.error(`bad escape "\\${String.fromCharCode(e)}" in a string`, i);
      }
      run = i;
    }
    if (to > run) out += buf.toString('utf8', run, to);
    return out;
  }

  private stringToken(value: string, at: number): void {
    const f = this.stack[this.stack.length - 1];
    if (f && !f.array && (f.expect === 'key_or_end' || f.expect === 'key')) {
      f.key = value;
      f.expect = 'colon';
      return;
    }
    this.scalar(value, at);
  }

  private expectValue(at: number, what: string): Frame | undefined {
    const f = this.stack[this.stack.length - 1];
    if (!f) {
      if (this.done) throw this.error(`unexpected ${what} after the end of the JSON value`, at);
      return undefined;
    }
    if (f.expect !== 'value' && f.expect !== 'value_or_end') throw this.error(`unexpected ${what} (expected ${expectText(f.expect)})`, at);
    f.expect = 'comma_or_end';
    return f;
  }

  private scalar(value: unknown, at: number): void {
    const f = this.expectValue(at, typeof value === 'string' ? 'string' : String(value));
    if (!f) {
      throw this.error('the file is not an export: its top level is not an object', at);
    }
    if (f.role === 'build') {
      if (f.array) (f.value as unknown[]).push(value);
      else (f.value as Record<string, unknown>)[f.key!] = value;
    } else if ((f.role === 'root' || f.role === 'chat') && (f.key === 'name' || f.key === 'type' || f.key === 'id')) {
      f.meta![f.key] = value;
    } else if (f.role === 'messages') {
      this.message(f, value, this.base + at, this.lineAt(at));
    }
  }

  private open(array: boolean, at: number): void {
    const parent = this.expectValue(at, array ? "'['" : "'{'");
    let role: Role;
    let value: Frame['value'];
    if (!parent) {
      if (array) throw this.error('the file is not an export: its top level is an array, not an object', at);
      role = 'root';
    } else if (parent.role === 'build' || parent.role === 'messages') role = 'build';
    else if ((parent.role === 'root' || parent.role === 'chat') && parent.key === 'messages' && array) role = 'messages';
    else if (parent.role === 'root' && (parent.key === 'chats' || parent.key === 'left_chats') && !array) role = 'section';
    else if (parent.role === 'section' && parent.key === 'list' && array) role = 'list';
    else if (parent.role === 'list' && !array) role = 'chat';
    else role = 'skip';
    if (role === 'build') value = array ? [] : {};
    const frame: Frame = { array, role, expect: array ? 'value_or_end' : 'key_or_end', value, key: undefined };
    if (role === 'root' || role === 'chat') frame.meta = {};
    if (role === 'section') frame.section = parent!.key as 'chats' | 'left_chats';
    if (role === 'build' && parent!.role === 'messages') {
      frame.start = this.base + at;
      frame.startLine = this.lineAt(at);
    }
    if (role === 'messages') {
      const owner = parent!;
      const sectionFrame = this.stack.length >= 3 ? this.stack[this.stack.length - 3] : undefined;
      const section = owner.role === 'root' ? 'root' : (sectionFrame?.section ?? 'chats');
      const chat: ExportChatMeta = { index: this.chats, section, ...owner.meta };
      this.chats += 1;
      frame.chat = chat;
      frame.messages = 0;
      owner.chat = chat;
      this.events.push({ kind: 'chat_start', chat, offset: this.base + at });
    }
    this.stack.push(frame);
  }

  private close(array: boolean, at: number): void {
    const f = this.stack[this.stack.length - 1];
    if (!f) throw this.error(`unexpected '${array ? ']' : '}'}'`, at);
    if (f.array !== array) throw this.error(`unexpected '${array ? ']' : '}'}' inside ${f.array ? 'an array' : 'an object'}`, at);
    if (f.expect !== 'comma_or_end' && f.expect !== 'key_or_end' && f.expect !== 'value_or_end') {
      throw this.error(`unexpected '${array ? ']' : '}'}' (expected ${expectText(f.expect)})`, at);
    }
    this.stack.pop();
    if (f.role === 'messages') this.events.push({ kind: 'chat_end', chat: f.chat!, messages: f.messages! });
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.done = true;
      return;
    }
    if (parent.role === 'build') {
      if (parent.array) (parent.value as unknown[]).push(f.value);
      else (parent.value as Record<string, unknown>)[parent.key!] = f.value;
    } else if (parent.role === 'messages') {
      this.message(parent, f.value ?? null, f.start ?? this.base + at, f.startLine ?? this.lineAt(at));
    }
  }

  private message(f: Frame, value: unknown, offset: number, line: number): void {
    f.messages = (f.messages ?? 0) + 1;
    this.events.push({ kind: 'message', chat: f.chat!, value, offset, line });
  }

  private comma(at: number): void {
    const f = this.stack[this.stack.length - 1];
    if (!f || f.expect !== 'comma_or_end') throw this.error(`unexpected ','${f ? ` (expected ${expectText(f.expect)})` : ''}`, at);
    f.expect = f.array ? 'value' : 'key';
  }
}

function expectText(e: Expect): string {
  switch (e) {
    case 'key_or_end':
      return "a key or '}'";
    case 'key':
      return 'a key';
    case 'colon':
      return "':'";
    case 'value':
      return 'a value';
    case 'value_or_end':
      return "a value or ']'";
    case 'comma_or_end':
      return "',' or the end of the container";
  }
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let count = 0;
  let i = buf.indexOf(C.Newline, from);
  while (i !== -1 && i < to) {
    count += 1;
    i = buf.indexOf(C.Newline, i + 1);
  }
  return count;
}

/**
 * Counts a day's terms per (chat_id, user_id, term_kind, term): occurrences, and messages holding the
 * term. A busy day has millions of such keys (1,000 members x thousands of words each), so the counts
 * live in an open-addressing hash table in one Int32Array (20 bytes per slot) over interned terms and
 * senders, rather than in a Map of composite string keys (~100 bytes per key).
 */
import { TERM_KINDS, type Row, type TermKind } from '../../schemas';
import { stopWordLanguages } from './stop-words';

const KIND_INDEX: Record<TermKind, number> = Object.fromEntries(TERM_KINDS.map((k, i) => [k, i])) as Record<TermKind, number>;
const WORD = KIND_INDEX.word;
const INITIAL_CAPACITY = 1 << 12;
const STRIDE = 5;
const TERM = 1;
const OCCURRENCES = 2;
const MESSAGES = 3;
const LAST = 4;

export class TermCounter {
  /** Per kind: term -> term id. */
  private readonly termIds: Map<string, number>[] = TERM_KINDS.map(() => new Map());
  private readonly termText: string[] = [];
  private readonly termKind: number[] = [];
  private readonly senderIds = new Map<string, number>();
  private readonly senderChat: (number | null)[] = [];
  private readonly senderUser: (number | null)[] = [];

  // The table, one record of STRIDE int32 per slot (one cache line per probe): sender + 1 (0 = empty),
  // term id, occurrences, messages, the last message that counted in `messages`.
  private capacity = INITIAL_CAPACITY;
  private table = new Int32Array(INITIAL_CAPACITY * STRIDE);
  private used = 0;

  private sender = -1;
  private message = 0;
  private lastSenderKey = '';

  /** Distinct (sender, term) keys so far: the rows `rows()` yields. */
  get size(): number {
    return this.used;
  }

  /** Messages started so far. */
  get messages(): number {
    return this.message;
  }

  /** The terms `add` receives next belong to a new message of this sender. */
  startMessage(chatId: number | null, userId: number | null): void {
    const key = `${chatId}|${userId}`;
    if (key !== this.lastSenderKey) {
      let id = this.senderIds.get(key);
      if (id === undefined) {
        id = this.senderChat.length;
        this.senderIds.set(key, id);
        this.senderChat.push(chatId);
        this.senderUser.push(userId);
      }
      this.sender = id;
      this.lastSenderKey = key;
    }
    this.message += 1;
  }

  /** One occurrence of a term in the current message (a TermSink). */
  readonly add = (kind: TermKind, term: string): void => {
    if (this.sender < 0) throw new Error('TermCounter.add before startMessage');
    const k = KIND_INDEX[kind];
    const ids = this.termIds[k]!;
    let termId = ids.get(term);
    if (termId === undefined) {
      termId = this.termText.length;
      ids.set(term, termId);
      this.termText.push(term);
      this.termKind.push(k);
    }
    const at = this.slotOf(this.sender + 1, termId) * STRIDE;
    const table = this.table;
    table[at + OCCURRENCES]! += 1;
    if (table[at + LAST]! !== this.message) {
      table[at + LAST] = this.message;
      table[at + MESSAGES]! += 1;
    }
  };

  /** The slot of (sender + 1, term), claimed if new. */
  private slotOf(senderPlusOne: number, termId: number): number {
    let mask = this.capacity - 1;
    let table = this.table;
    let s = hash(senderPlusOne, termId) & mask;
    for (;;) {
      const sender = table[s * STRIDE]!;
      if (sender === 0) break;
      if (sender === senderPlusOne && table[s * STRIDE + TERM] === termId) return s;
      s = (s + 1) & mask;
    }
    if ((this.used + 1) * 4 > this.capacity * 3) {
      this.grow();
      mask = this.capacity - 1;
      table = this.table;
      s = hash(senderPlusOne, termId) & mask;
      while (table[s * STRIDE] !== 0) s = (s + 1) & mask;
    }
    table[s * STRIDE] = senderPlusOne;
    table[s * STRIDE + TERM] = termId;
    this.used += 1;
    return s;
  }

  private grow(): void {
    const old = this.table;
    this.capacity *= 2;
    const mask = this.capacity - 1;
    const table = new Int32Array(this.capacity * STRIDE);
    for (let i = 0; i < old.length; i += STRIDE) {
      const sender = old[i]!;
      if (sender === 0) continue;
      let s = hash(sender, old[i + TERM]!) & mask;
      while (table[s * STRIDE] !== 0) s = (s + 1) & mask;
      table.set(old.subarray(i, i + STRIDE), s * STRIDE);
    }
    this.table = table;
  }

  /**
   * The `telegram_terms` rows, grouped by chat and sender in (chat_id, user_id) order (nulls first), so
   * a day's file is the same for the same raw objects and a chat's rows sit together.
   */
  *rows(): Generator<Row> {
    const senders = this.senderChat.map((_, i) => i);
    const cmp = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a - b);
    senders.sort((a, b) => cmp(this.senderChat[a]!, this.senderChat[b]!) || cmp(this.senderUser[a]!, this.senderUser[b]!));
    const rank = new Int32Array(senders.length);
    senders.forEach((sender, i) => (rank[sender] = i));
    // Counting sort of the slots by their sender's rank.
    const starts = new Int32Array(senders.length + 1);
    const table = this.table;
    for (let s = 0; s < this.capacity; s += 1) if (table[s * STRIDE] !== 0) starts[rank[table[s * STRIDE]! - 1]! + 1]! += 1;
    for (let i = 1; i <= senders.length; i += 1) starts[i]! += starts[i - 1]!;
    const order = new Int32Array(this.used);
    for (let s = 0; s < this.capacity; s += 1) if (table[s * STRIDE] !== 0) order[starts[rank[table[s * STRIDE]! - 1]!]!++] = s;
    for (const s of order) {
      const at = s * STRIDE;
      const sender = table[at]! - 1;
      const termId = table[at + TERM]!;
      const kind = this.termKind[termId]!;
      const term = this.termText[termId]!;
      const languages = kind === WORD ? stopWordLanguages(term) : undefined;
      yield {
        chat_id: this.senderChat[sender],
        user_id: this.senderUser[sender],
        term_kind: TERM_KINDS[kind],
        term,
        occurrences: table[at + OCCURRENCES],
        messages: table[at + MESSAGES],
        is_stop_word: languages !== undefined,
        stop_word_languages: languages ?? null,
      };
    }
  }
}

/** Mixes the two halves of a key (murmur3's finaliser over both). */
function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

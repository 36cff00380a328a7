/**
 * One exported chat's messages -> normalised export records `{chat, message}` (DESIGN.md, Raw record
 * kinds: `export`). Pure apart from the per-chat state the format needs: forum topic roots seen so far
 * (a reply to one is a topic message, not a reply) and the last date (an unsupported message has none).
 *
 * The normalised message keeps every field of the exported one (unknown fields included) and adds the
 * Bot API's view: `id` the message_id, `date`/`edit_date` unix seconds, the plain `text`, the resolved
 * `sender`, reply and thread ids, reaction dates in unix seconds.
 *
 * Ids: a supergroup's or channel's ids are the Bot API's message_id. A basic group's and a private
 * chat's are the exporting account's own and match nothing the bot sees: they are stored shifted by
 * -1,000,000,000 (MIGRATED_MESSAGES_ID_SHIFT), as Telegram Desktop itself writes the history of a basic
 * group that was migrated to the supergroup being exported, so they can never equal a live message_id.
 */
import { botChatId, botChatType, bareId, MIGRATED_MESSAGES_ID_SHIFT, resolveSender, type BotChatType, type ExportSender } from './chat';
import type { ExportChatMeta } from './json-stream';

type Json = Record<string, unknown>;

export interface NormalisedChat {
  /** Bot API chat id; null when the export gives no usable id. */
  readonly id: number | null;
  readonly type: BotChatType | null;
  readonly title: string | null;
  /** As written in the export. */
  readonly export_id: unknown;
  readonly export_type: unknown;
  /** The chat is in the account export's `left_chats`. */
  readonly left?: true;
  /** For the history of a migrated basic group: the supergroup it became. */
  readonly migrated_to_chat_id?: number;
  /** For a supergroup migrated from a basic group, when the import was told its id. */
  readonly migrated_from_chat_id?: number;
  /** message ids are the exporting account's own (basic groups, private chats, a migrated history). */
  readonly account_local_ids?: true;
  /**
   * The supergroup has topics (the live chat's `is_forum`): set on the records from its first
   * `topic_created` on, since the export does not say it otherwise (and a group turned into a forum
   * later was not one before).
   */
  readonly is_forum?: true;
}

export interface NormalisedMessage extends Json {
  /** message_id as stored: the Bot API's, or shifted (account-local ids). */
  readonly id: number;
  /** The id as written in the export. */
  readonly export_id: number;
  readonly type: string;
  /** Unix seconds. */
  readonly date: number;
  /** The export had no date (an unsupported message): the previous message's date, or the next one's. */
  readonly date_estimated?: true;
  /** The exporting computer's UTC offset in minutes (its `date` against `date_unixtime`). */
  readonly exporter_utc_offset_minutes?: number;
  readonly edit_date?: number;
  readonly text: string;
  readonly sender: ExportSender;
  readonly reply_to_message_id?: number;
  readonly message_thread_id?: number;
  readonly is_topic_message?: true;
}

export interface ExportRecord {
  readonly chat: NormalisedChat;
  readonly message: NormalisedMessage;
}

export interface SkippedMessage {
  readonly reason: 'not_an_object' | 'no_id' | 'no_chat_id';
  readonly offset: number;
  readonly line: number;
}

export interface NormaliseOptions {
  /** Bot API id (`-<id>`) of the basic group a supergroup was migrated from, for its migrated history. */
  readonly migratedFromChatId?: number;
}

/**
 * Messages of forum topics remembered for their thread, so a reply to one is placed in its topic (the
 * export gives a reply only the replied message's id; live, it also carries message_thread_id). Oldest
 * forgotten first past this many: replies mostly answer recent messages, and memory stays bounded.
 */
export const THREAD_MEMORY = 500_000;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An integer given as a number or a string of digits (unixtimes are strings in the export). */
export function intOf(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** The plain text of an export `text`: a string, or an array of strings and `{type, text}` parts. */
export function plainText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return '';
  let out = '';
  for (const part of v) {
    if (typeof part === 'string') out += part;
    else if (isObject(part) && typeof part.text === 'string') out += part.text;
  }
  return out;
}

/** Seconds of a local ISO date-time without zone (`2024-03-01T10:11:12`) read as if it were UTC. */
function localSeconds(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)) return undefined;
  const ms = Date.parse(`${v}Z`);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Last unix second whose date can be written YYYY-MM-DD. */
const LAST_SECOND = 253_402_300_799;
const validDate = (s: number | undefined): number | undefined => (s !== undefined && s > 0 && s <= LAST_SECOND ? s : undefined);

export function normaliseChat(meta: ExportChatMeta, options: NormaliseOptions = {}): { main: NormalisedChat; migrated: NormalisedChat | undefined } {
  const type = botChatType(meta.type) ?? null;
  const bare = bareId(meta.id);
  const id = bare !== undefined ? (botChatId(type ?? undefined, bare) ?? null) : null;
  const title = str(meta.name) ?? null;
  const left = meta.section === 'left_chats' ? ({ left: true } as const) : {};
  const main: NormalisedChat = {
    id,
    type,
    title,
    export_id: meta.id ?? null,
    export_type: meta.type ?? null,
    ...left,
    ...(type === 'group' || type === 'private' ? { account_local_ids: true as const } : {}),
    ...(type === 'supergroup' && options.migratedFromChatId !== undefined ? { migrated_from_chat_id: options.migratedFromChatId } : {}),
  };
  // A supergroup's export also holds the basic group's history (negative, shifted ids).
  const migrated: NormalisedChat | undefined =
    type === 'supergroup' && id !== null
      ? {
          id: options.migratedFromChatId ?? id,
          type: 'group',
          title,
          export_id: meta.id ?? null,
          export_type: meta.type ?? null,
          ...left,
          migrated_to_chat_id: id,
          account_local_ids: true,
        }
      : undefined;
  return { main, migrated };
}

/** Converts one chat's exported messages, in file order. */
export class ChatNormaliser {
  private main: NormalisedChat;
  private migrated: NormalisedChat | undefined;
  private readonly topicRoots = new Set<number>();
  /** Message id -> its topic's root, for messages in a topic (at most THREAD_MEMORY). */
  private readonly threadOf = new Map<number, number>();
  /** The chat as a forum, once its first topic was created. */
  private forumChat: NormalisedChat | undefined;
  private lastDate: number | undefined;
  private lastOffset: number | undefined;
  /** Messages without a date waiting for the next dated one (none dated yet). */
  private undated: Json[] = [];
  readonly skipped: SkippedMessage[] = [];
  skippedCount = 0;

  constructor(meta: ExportChatMeta, options: NormaliseOptions = {}) {
    const { main, migrated } = normaliseChat(meta, options);
    this.main = main;
    this.migrated = migrated;
  }

  /** The chat (its records after a topic_created carry `is_forum` too). */
  get chat(): NormalisedChat {
    return this.main;
  }

  /** Whether the records of a migrated basic group's history go under its own id (else the supergroup's). */
  get migratedPlaced(): boolean {
    return this.migrated !== undefined && this.main.migrated_from_chat_id !== undefined;
  }

  /**
   * Places the migrated basic group's history under that group's id (`-<id>`), learnt after the chat
   * began (from the data the import writes into); call before the history's first message.
   */
  placeMigratedHistory(basicGroupId: number): void {
    if (this.migrated === undefined) return;
    this.main = { ...this.main, migrated_from_chat_id: basicGroupId };
    if (this.forumChat) this.forumChat = { ...this.forumChat, migrated_from_chat_id: basicGroupId };
    this.migrated = { ...this.migrated, id: basicGroupId };
  }

  private skip(reason: SkippedMessage['reason'], offset: number, line: number): void {
    this.skippedCount += 1;
    if (this.skipped.length < 100) this.skipped.push({ reason, offset, line });
  }

  /** The records for one exported message (none while it waits for a date, or when skipped). */
  push(value: unknown, offset = 0, line = 0): ExportRecord[] {
    if (!isObject(value)) {
      this.skip('not_an_object', offset, line);
      return [];
    }
    if (intOf(value.id) === undefined) {
      this.skip('no_id', offset, line);
      return [];
    }
    if (this.chat.id === null) {
      this.skip('no_chat_id', offset, line);
      return [];
    }
    const seconds = validDate(intOf(value.date_unixtime));
    if (seconds === undefined) {
      if (this.lastDate === undefined) {
        // Nothing dated yet: it takes the next dated message's date (bounded: then the file's own order).
        if (this.undated.length < 10_000) {
          this.undated.push(value);
          return [];
        }
      }
      return this.lastDate === undefined ? [] : [this.build(value, this.lastDate, true)];
    }
    const out: ExportRecord[] = [];
    this.lastDate = seconds;
    const local = localSeconds(value.date);
    if (local !== undefined) this.lastOffset = Math.round((local - seconds) / 60);
    for (const waiting of this.undated.splice(0)) out.push(this.build(waiting, seconds, true));
    out.push(this.build(value, seconds, false));
    return out;
  }

  /** At the chat's end: messages that never got a date (the chat had no dated message) are dropped, counted. */
  finish(): number {
    const left = this.undated.length;
    this.undated = [];
    return left;
  }

  private build(m: Json, seconds: number, estimated: boolean): ExportRecord {
    const exportId = intOf(m.id)!;
    // Negative ids in a supergroup: the migrated basic group's history, already shifted by the writer.
    const migratedPart = exportId < 0 && this.migrated !== undefined;
    if (!migratedPart && m.action === 'topic_created' && this.forumChat === undefined) this.forumChat = { ...this.main, is_forum: true };
    const chat = migratedPart ? this.migrated! : (this.forumChat ?? this.main);
    const shift = chat.account_local_ids && !migratedPart ? MIGRATED_MESSAGES_ID_SHIFT : 0;
    const id = exportId + shift;
    const text = plainText(m.text);
    const forwarded = m.forwarded_from !== undefined || m.saved_from !== undefined;
    const fromId = m.from_id ?? m.actor_id;
    const fromName = m.from_id !== undefined ? m.from : m.actor;
    const sender = resolveSender(fromId, fromName, chat.id ?? undefined, chat.type ?? undefined, forwarded);

    const message: Json = { ...m, id, export_id: exportId, type: str(m.type) ?? 'message', date: seconds, text, sender };
    if (typeof m.date === 'string') message.date_local = m.date;
    if (estimated) message.date_estimated = true;
    if (this.lastOffset !== undefined) message.exporter_utc_offset_minutes = this.lastOffset;
    const edited = validDate(intOf(m.edited_unixtime));
    if (edited !== undefined) message.edit_date = edited;
    else delete message.edit_date;

    // Replies: ids of the same history get the same shift; a reply into another chat (reply_to_peer_id)
    // keeps its id. A reply to a forum topic's root is the topic, not a reply (the export writes a topic's
    // messages so); a reply to a message in a topic is a reply in that topic, as live.
    delete message.reply_to_message_id;
    delete message.message_thread_id;
    delete message.is_topic_message;
    const replyTo = intOf(m.reply_to_message_id);
    let thread: number | undefined;
    if (replyTo !== undefined) {
      const replyId = m.reply_to_peer_id === undefined ? replyTo + shift : replyTo;
      if (m.reply_to_peer_id === undefined && this.topicRoots.has(replyId)) thread = replyId;
      else {
        message.reply_to_message_id = replyId;
        if (m.reply_to_peer_id === undefined) thread = this.threadOf.get(replyId);
      }
    }
    if (m.action === 'pin_message') {
      const pinned = intOf(m.message_id);
      if (pinned !== undefined) message.message_id = pinned + shift;
    }
    if (m.action === 'topic_created' && !migratedPart) {
      // The root of its topic: live, `message_thread_id` is its own id and it is a topic message.
      this.topicRoots.add(id);
      thread = id;
    }
    if (thread !== undefined) {
      message.message_thread_id = thread;
      message.is_topic_message = true;
      if (thread !== id) this.rememberThread(id, thread);
    }
    if (Array.isArray(m.reactions)) message.reactions = m.reactions.map((r) => this.reaction(r, m, seconds));
    return { chat, message: message as NormalisedMessage };
  }

  private rememberThread(id: number, thread: number): void {
    this.threadOf.set(id, thread);
    if (this.threadOf.size > THREAD_MEMORY) this.threadOf.delete(this.threadOf.keys().next().value!);
  }

  /** A reaction with its recent reactors' local dates turned into unix seconds (the message's offset). */
  private reaction(r: unknown, m: Json, seconds: number): unknown {
    if (!isObject(r) || !Array.isArray(r.recent)) return r;
    const local = localSeconds(m.date);
    const offset = local !== undefined ? local - seconds : this.lastOffset !== undefined ? this.lastOffset * 60 : undefined;
    return {
      ...r,
      recent: r.recent.map((x) => {
        if (!isObject(x)) return x;
        const at = localSeconds(x.date);
        return at !== undefined && offset !== undefined ? { ...x, date_unixtime: at - offset } : x;
      }),
    };
  }
}

/**
 * The dashboard's data model: what the builder (dashboard/build, SQL on any QueryEngine) embeds in the
 * page and the browser (dashboard/web) filters. Everything is pre-aggregated in SQL into compact columnar
 * arrays ("cubes"); the page sums the rows that pass the filters, so a filter change never asks a server.
 *
 * Indexes: `day` counts days from `firstDay` (the context date, the pipeline's day boundary); `month`
 * counts calendar months from `firstDay`'s month; `chat` indexes `chats` (a basic group and the supergroup
 * it became are one entry); `member` indexes `members` (ordered by messages, most first: the index is also
 * the member's colour); `kind`, `emoji`, `term` index the dictionaries.
 */
import { MESSAGE_KIND_PRIORITY } from '../core/flatten/message-kind';

/** A cube: column name -> one number per row. All columns have the same length. */
export type Cube<K extends string> = { readonly [C in K]: number[] };

export interface ChatInfo {
  /** Display title (the newest title of the newest chat of the group). */
  readonly title: string;
  /** Telegram chat ids of the group (several after a migration to a supergroup), as text. */
  readonly ids: string[];
  readonly forum: boolean;
  readonly demo: boolean;
}

export interface MemberInfo {
  /** Telegram user id (or the sender chat's id for channel and anonymous-admin posts), as text. */
  readonly id: string;
  readonly name: string;
  readonly username: string | null;
  /** IETF language tag of the client (user_language_code), lowercased; null when Telegram gave none. */
  readonly lang: string | null;
  readonly bot: boolean;
}

/** Whether a part of the data could be read: views say what is missing instead of drawing nothing. */
export interface PartStatus {
  readonly ok: boolean;
  /** Why not: the engine's error message, for the analyst. */
  readonly error?: string;
}

export interface FactSql {
  readonly name: string;
  /** What the rows feed (English, for analysts). */
  readonly feeds: string;
  readonly sql: string;
  readonly ms: number;
  readonly rows: number;
  readonly error?: string;
}

export interface OriginalReport {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly source?: string;
  readonly sql: string;
  readonly columns: string[];
  /** The first rows (all of them up to the limit), values as the engine gave them. */
  readonly rows: unknown[][];
  readonly totalRows: number;
  readonly error?: string;
}

export interface TopMessage {
  readonly chat: number;
  readonly day: number;
  readonly member: number;
  readonly messageId: string;
  /** The first 200 characters of the text or caption; data, never markup. */
  readonly text: string;
  /** message_kind, to name a message without text. */
  readonly kind: string;
  readonly reactions: number;
}

export interface TopicInfo {
  readonly chat: number;
  /** message_thread_id as text. */
  readonly thread: string;
  /** From forum_topic_created / forum_topic_edited (forum_topic_name), else null. */
  readonly name: string | null;
}

export interface DashboardData {
  readonly version: 1;
  readonly generatedAt: string;
  /** The zone or offset of the local-time views (`Europe/Berlin`, `-03:00`). */
  readonly timeZone: string;
  /** First day with data (YYYY-MM-DD), null for an empty folder. */
  readonly firstDay: string | null;
  /** Number of days from firstDay to the last day with data, inclusive. */
  readonly days: number;
  readonly totals: { readonly messages: number; readonly events: number };
  readonly chats: ChatInfo[];
  readonly members: MemberInfo[];
  readonly kinds: string[];
  readonly emoji: string[];
  readonly terms: string[];
  readonly termKinds: string[];

  /** Messages per (day, chat, member, kind); texts = messages with text, chars = their total length. Day column delta-encoded. */
  readonly activity: Cube<'day' | 'chat' | 'member' | 'kind' | 'messages' | 'texts' | 'chars'>;
  /** Messages per (day, chat, local hour 0-23). */
  readonly hours: Cube<'day' | 'chat' | 'hour' | 'messages'>;
  /** Messages per (chat, member, weekday*24+hour) over the whole period, for the most active members. */
  readonly memberHours: Cube<'chat' | 'member' | 'slot' | 'messages'>;
  /** Joins and leaves per (day, chat). */
  readonly joins: Cube<'day' | 'chat' | 'joins' | 'leaves'>;
  /** Member count per (day, chat): the day's last sample of getChatMemberCount. */
  readonly memberCount: Cube<'day' | 'chat' | 'count'>;
  /** Replies received per (day, chat, member replied to). */
  readonly repliesIn: Cube<'day' | 'chat' | 'member' | 'replies'>;
  /** Replies per (month, chat, from member, to member), between the most active members. */
  readonly replyPairs: Cube<'month' | 'chat' | 'from' | 'to' | 'replies'>;
  /** Messages per (month, chat, bucket of the time to their first reply); bucket b covers [e^(b/4)-1, e^((b+1)/4)-1) seconds. */
  readonly replyTimes: Cube<'month' | 'chat' | 'bucket' | 'messages'>;
  /** Reactions added per (day, chat, emoji). */
  readonly reactions: Cube<'day' | 'chat' | 'emoji' | 'reactions'>;
  /** Reactions added per (day, chat, member who reacted). */
  readonly reactionsOut: Cube<'day' | 'chat' | 'member' | 'reactions'>;
  /** Reactions added per (day, chat, author of the message). */
  readonly reactionsIn: Cube<'day' | 'chat' | 'member' | 'reactions'>;
  readonly topMessages: TopMessage[];
  /** Top terms per (month, chat, term kind). */
  readonly termCounts: Cube<'month' | 'chat' | 'kind' | 'term' | 'count'>;
  /** Messages per (day, chat, topic index into topics). */
  readonly topicMessages: Cube<'day' | 'chat' | 'topic' | 'messages'>;
  readonly topics: TopicInfo[];

  readonly parts: Readonly<Record<PartName, PartStatus>>;
  readonly facts: FactSql[];
  readonly reports: OriginalReport[];
  /** The other reports in reports/ (not run in the page), for analysts. */
  readonly catalogue: Array<{ name: string; file: string; title: string; description: string; sql: string }>;
}

export type PartName =
  | 'members'
  | 'chats'
  | 'activity'
  | 'hours'
  | 'memberHours'
  | 'joins'
  | 'memberCount'
  | 'repliesIn'
  | 'replyPairs'
  | 'replyTimes'
  | 'reactions'
  | 'topMessages'
  | 'terms'
  | 'topics'
  | 'topicNames';

/** Number of members whose weekday-hour map and reply pairs are kept. */
export const TOP_MEMBERS_DETAIL = 100;
/** Terms kept per (month, chat, term kind). */
export const TOP_TERMS = 200;
/** Most reacted messages kept per chat. */
export const TOP_MESSAGES_PER_CHAT = 30;
/** Bucket width of the reply-time histogram (natural log units). */
export const REPLY_BUCKETS_PER_E = 4;

/** Service messages (the flattener's service kinds, from new_chat_members on) are not what people wrote: left out of messages, active members and the leaderboard. */
export const SERVICE_KINDS: ReadonlySet<string> = new Set(MESSAGE_KIND_PRIORITY.slice(MESSAGE_KIND_PRIORITY.indexOf('new_chat_members')));

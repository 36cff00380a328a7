/**
 * Flattening: one Telegram update -> one row of `telegram` (new messages) or `telegram_events`
 * (everything else, future kinds included). Pure; every column key is set (null when absent) so the
 * Parquet writers see one shape. Lists become JSON strings: parquetjs-lite's `repeated` fields cannot be
 * read by Athena. Never throws on a JSON object with an integer update_id: a field of the wrong type, or a
 * value its column cannot hold, is null (test/flatten/flatten-fuzz.test.ts).
 */
import { classifyUpdate, type AnyUpdate, type EnrichedTableName } from '../update-kinds';
import { telegramTable, telegramEventsTable, type Row, type TableSchema } from '../../schemas';
import { messageKindOf } from './message-kind';
import { codePointLength } from '../text-length';
import { REDACTED_FIELD } from '../privacy/redact';
import type { DataMode } from '../privacy/data-mode';

export { LEGACY_KIND_FIELDS, messageKindOf, MESSAGE_KIND_PRIORITY } from './message-kind';

export interface FlattenedRow {
  readonly table: EnrichedTableName;
  readonly row: Row;
  /** For a `telegram` row: the message it was flattened from (its text and entities give its terms). */
  readonly message?: Json;
}

type Json = Record<string, any>;

const nullRow = (table: TableSchema): Row => Object.fromEntries(table.columns.map((c) => [c.name, null]));
const MESSAGE_ROW = nullRow(telegramTable);
const EVENT_ROW = nullRow(telegramEventsTable);

// Numbers go through the helper of their column's type, anything else is null (like a field of the wrong
// type): the Parquet writer fails the whole day on a number its column cannot hold (a fraction, 1e300,
// Infinity from `1e400`, an INT32 overflow).
/** `bigint` columns: an integer JavaScript holds exactly. */
const num = (v: unknown): number | null => (Number.isSafeInteger(v) ? (v as number) : null);
/** `int` columns: an integer that fits INT32. */
const int32 = (v: unknown): number | null => (Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff ? (v as number) : null);
/** `double` columns: a finite number. */
const double = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
/**
 * JSON text for a list or map column; null when JSON.stringify throws, as it does (stack overflow) on
 * nesting deeper than its recursion, which JSON.parse reads without trouble.
 */
function json(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
}
export { codePointLength } from '../text-length';
const lengthOf = (text: string | null): number | null => (text === null ? null : codePointLength(text));
/** The length a data mode recorded for a field it removed (`tgpipe_redacted`), else null. */
const redactedLength = (o: Json, field: string): number | null => (isObject(o[REDACTED_FIELD]) ? int32((o[REDACTED_FIELD] as Json)[field]) : null);
/** A Date, or null where JavaScript has none (beyond ±8.64e15 ms): an Invalid Date fails the Parquet writer. */
function validDate(ms: number): Date | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d;
}
const secondsToDate = (s: number | null): Date | null => (s === null || s <= 0 ? null : validDate(s * 1000));
const msToDate = (ms: number | undefined): Date | null => (ms === undefined ? null : validDate(ms));

/**
 * A reaction as one string: the emoji, `custom:<id>` or `paid`. Fields are read with str(): String() and
 * template literals throw on an object such as `{"toString":1}`.
 */
function reactionName(r: unknown): string {
  if (!isObject(r)) return 'unknown';
  if (r.type === 'emoji') return str(r.emoji) ?? 'unknown';
  if (r.type === 'custom_emoji') return `custom:${str(r.custom_emoji_id) ?? 'unknown'}`;
  return str(r.type) ?? 'unknown';
}

/** JSON array of reaction names: [] when the list is absent, null when it is not a list. */
const reactionList = (v: unknown): string | null => (v === undefined || v === null ? '[]' : Array.isArray(v) ? JSON.stringify(v.map((r) => reactionName(r))) : null);

/** The largest of a photo's sizes (sizes that are not objects are skipped; `*` throws on {"toString":1}). */
function largestSize(photo: unknown): Json | undefined {
  const sizes = Array.isArray(photo) ? photo.filter(isObject) : [];
  if (sizes.length === 0) return undefined;
  const area = (s: Json) => (double(s.width) ?? 0) * (double(s.height) ?? 0);
  let best = sizes[0]!;
  for (const s of sizes) if (area(s) > area(best)) best = s;
  return best;
}

const fileObject = (v: unknown): Json | undefined => (isObject(v) && 'file_id' in v ? v : undefined);

/**
 * Media fields: the largest photo size, the first item of paid media (its video, photo or live photo, or
 * the preview's sizes before purchase), or the single media object of the message. A live photo also
 * carries `photo` (a still, for older clients): its own `live_photo` object is the media.
 */
function mediaOf(m: Json, kind: string): Json | undefined {
  if (kind === 'photo') return largestSize(m.photo);
  if (kind === 'paid_media') {
    const first = Array.isArray(m.paid_media?.paid_media) ? m.paid_media.paid_media.find(isObject) : undefined;
    if (!first) return undefined;
    return fileObject(first.video) ?? fileObject(first.live_photo) ?? largestSize(first.photo) ?? (first.type === 'preview' ? first : undefined);
  }
  return fileObject(m[kind]);
}

/**
 * The chat's type; updates from 2015 carry none: a chat with a title is a group (supergroups and channels
 * came later that year, with their type), one with a first name a private chat.
 */
function chatTypeOf(chat: Json): string | null {
  const type = str(chat.type);
  if (type !== null) return type;
  if (typeof chat.title === 'string') return 'group';
  if (typeof chat.first_name === 'string') return 'private';
  return null;
}

/** True when the reply target is only the root of the forum topic the message was posted in. */
function isTopicRoot(m: Json, reply: Json): boolean {
  if (reply.forum_topic_created) return true;
  return m.is_topic_message === true && m.message_thread_id === reply.message_id;
}

function flattenMessage(kindOfUpdate: string, m: Json, updateId: number, receivedAtMs: number | undefined): Row {
  const row: Row = { ...MESSAGE_ROW };
  const from = m.from as Json | undefined;
  const chat = (m.chat ?? {}) as Json;
  const kind = messageKindOf(m);
  const text = str(m.text);
  const entities = (m.entities ?? m.caption_entities) as Json[] | undefined;

  row.source = 'bot';
  row.message_id = num(m.message_id);
  row.update_id = updateId;
  row.update_kind = kindOfUpdate;
  row.message_kind = kind;
  if (from) {
    row.user_id = num(from.id);
    row.user_is_bot = bool(from.is_bot);
    row.user_first_name = str(from.first_name);
    row.user_last_name = str(from.last_name);
    row.user_username = str(from.username);
    row.user_language_code = str(from.language_code);
    row.user_is_premium = bool(from.is_premium);
  }
  if (m.sender_chat) {
    row.sender_chat_id = num(m.sender_chat.id);
    row.sender_chat_title = str(m.sender_chat.title);
  }
  row.chat_id = num(chat.id);
  row.chat_type = chatTypeOf(chat);
  row.chat_title = str(chat.title);
  row.chat_username = str(chat.username);
  row.chat_is_forum = bool(chat.is_forum);
  row.date = num(m.date);
  row.message_ts = secondsToDate(num(m.date));
  row.received_at = msToDate(receivedAtMs);
  row.text = text;
  row.text_length = lengthOf(text) ?? redactedLength(m, 'text');
  row.caption = str(m.caption);
  if (Array.isArray(entities)) {
    row.entity_count = entities.length;
    row.entity_types = json(entities.map((e) => e?.type)); // an entity may be null
  }

  const media = mediaOf(m, kind);
  if (media) {
    row.media_file_id = str(media.file_id);
    row.media_file_unique_id = str(media.file_unique_id);
    row.media_file_size = num(media.file_size);
    row.media_mime_type = str(media.mime_type);
    row.media_file_name = str(media.file_name);
    row.media_width = int32(media.width ?? media.length);
    row.media_height = int32(media.height ?? media.length);
    row.media_duration = int32(media.duration);
  }
  row.media_group_id = str(m.media_group_id);
  row.has_media_spoiler = bool(m.has_media_spoiler);
  if (m.sticker) {
    row.sticker_emoji = str(m.sticker.emoji);
    row.sticker_set_name = str(m.sticker.set_name);
  }
  if (m.poll) {
    row.poll_id = str(m.poll.id);
    row.poll_question = str(m.poll.question);
    row.poll_type = str(m.poll.type);
    row.poll_option_count = Array.isArray(m.poll.options) ? m.poll.options.length : null;
  }
  const location = (m.venue?.location ?? m.location) as Json | undefined;
  if (location) {
    row.location_latitude = double(location.latitude);
    row.location_longitude = double(location.longitude);
  }
  if (m.contact) row.contact_user_id = num(m.contact.user_id);
  if (m.dice) {
    row.dice_emoji = str(m.dice.emoji);
    row.dice_value = int32(m.dice.value);
  }

  const reply = m.reply_to_message as Json | undefined;
  if (reply && !isTopicRoot(m, reply)) {
    row.is_reply = true;
    row.reply_to_message_id = num(reply.message_id);
    row.reply_to_user_id = num(reply.from?.id);
  } else {
    row.is_reply = m.external_reply ? true : false;
  }
  // Only the replied message's own chat: its origin's chat is where it was first posted (a forward's source).
  if (m.external_reply) row.external_reply_chat_id = num(m.external_reply.chat?.id);
  row.quote_text = str(m.quote?.text);
  row.message_thread_id = num(m.message_thread_id);
  row.is_topic_message = bool(m.is_topic_message);
  row.direct_messages_topic_id = num(m.direct_messages_topic?.topic_id);
  row.chat_is_direct_messages = bool(chat.is_direct_messages);
  // Ephemeral (and server-scheduled) messages have message_id 0: their own id is here.
  row.ephemeral_message_id = num(m.ephemeral_message_id);
  row.receiver_user_id = num(m.receiver_user?.id);
  row.sender_business_bot_id = num(m.sender_business_bot?.id);

  const origin = m.forward_origin as Json | undefined;
  if (origin) {
    row.forward_origin_type = str(origin.type);
    row.forward_origin_date = num(origin.date);
    row.forward_from_user_id = num(origin.sender_user?.id);
    row.forward_from_chat_id = num(origin.sender_chat?.id ?? origin.chat?.id);
    row.forward_from_message_id = num(origin.message_id);
    row.forward_author_signature = str(origin.author_signature);
  } else if (m.forward_date !== undefined) {
    // Before Bot API 7.0 (December 2023) a forward was described by forward_from / forward_from_chat /
    // forward_sender_name and forward_date: the original pipeline's bucket holds such updates.
    const chat = m.forward_from_chat as Json | undefined;
    row.forward_origin_type = m.forward_from ? 'user' : chat ? (chat.type === 'channel' ? 'channel' : 'chat') : m.forward_sender_name !== undefined ? 'hidden_user' : null;
    row.forward_origin_date = num(m.forward_date);
    row.forward_from_user_id = num(m.forward_from?.id);
    row.forward_from_chat_id = num(chat?.id);
    row.forward_from_message_id = num(m.forward_from_message_id);
    row.forward_author_signature = str(m.forward_signature);
  }
  row.is_automatic_forward = bool(m.is_automatic_forward);
  row.via_bot_id = num(m.via_bot?.id);
  row.author_signature = str(m.author_signature);
  row.sender_boost_count = int32(m.sender_boost_count);

  // Before Bot API 3.0 a join came as one user in new_chat_participant (later new_chat_member).
  const joined = Array.isArray(m.new_chat_members) ? m.new_chat_members : isObject(m.new_chat_member ?? m.new_chat_participant) ? [m.new_chat_member ?? m.new_chat_participant] : undefined;
  if (joined) {
    row.new_chat_member_ids = json(joined.map((u: Json | null) => u?.id)); // a member may be null
    row.new_chat_member_count = joined.length;
  }
  row.left_chat_member_id = num((m.left_chat_member ?? m.left_chat_participant)?.id);
  row.new_chat_title = str(m.new_chat_title);
  // A topic's name, where it is given or changed: reports label message_thread_id with the latest.
  row.forum_topic_name = str(m.forum_topic_created?.name) ?? str(m.forum_topic_edited?.name);
  row.pinned_message_id = num(m.pinned_message?.message_id);
  row.migrate_to_chat_id = num(m.migrate_to_chat_id);
  row.migrate_from_chat_id = num(m.migrate_from_chat_id);
  row.business_connection_id = str(m.business_connection_id);
  row.has_protected_content = bool(m.has_protected_content);
  row.edit_date = num(m.edit_date);
  return row;
}

function setActor(row: Row, user: Json | undefined): void {
  if (!user) return;
  row.actor_user_id = num(user.id);
  row.actor_is_bot = bool(user.is_bot);
  row.actor_first_name = str(user.first_name);
  row.actor_username = str(user.username);
}

function setChat(row: Row, chat: Json | undefined): void {
  if (!chat) return;
  row.chat_id = num(chat.id);
  row.chat_type = isObject(chat) ? chatTypeOf(chat) : null;
  row.chat_title = str(chat.title);
}

const jsonOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : json(v));

function flattenEvent(kind: string, p: Json, updateId: number, eventDate: number | undefined, receivedAtMs: number | undefined, arrivalEstimateMs?: number): Row {
  const row: Row = { ...EVENT_ROW };
  row.update_id = updateId;
  row.event_kind = kind;
  const seconds = num(eventDate);
  const date = seconds !== null && seconds > 0 ? seconds : null;
  row.event_date = date;
  row.event_ts = secondsToDate(date) ?? msToDate(receivedAtMs) ?? msToDate(arrivalEstimateMs);
  row.received_at = msToDate(receivedAtMs);

  switch (kind) {
    case 'edited_message':
    case 'edited_channel_post':
    case 'edited_business_message':
    case 'guest_message': {
      setChat(row, p.chat);
      setActor(row, p.from);
      row.actor_chat_id = num(p.sender_chat?.id);
      row.message_id = num(p.message_id);
      row.message_kind = messageKindOf(p);
      row.text = str(p.text) ?? str(p.caption);
      row.text_length = lengthOf(row.text as string | null) ?? redactedLength(p, 'text') ?? redactedLength(p, 'caption');
      row.business_connection_id = str(p.business_connection_id);
      break;
    }
    case 'message_reaction':
      setChat(row, p.chat);
      setActor(row, p.user);
      row.actor_chat_id = num(p.actor_chat?.id);
      row.message_id = num(p.message_id);
      row.reactions_old = reactionList(p.old_reaction);
      row.reactions_new = reactionList(p.new_reaction);
      break;
    case 'message_reaction_count': {
      setChat(row, p.chat);
      row.message_id = num(p.message_id);
      const counts: Record<string, number | null> = {};
      let total = 0;
      // Only object entries and integer counts: Number() throws on {"toString":1}; 1e400 is Infinity.
      for (const r of (Array.isArray(p.reactions) ? p.reactions : []).filter(isObject)) {
        const n = num(r.total_count);
        counts[reactionName(r.type)] = n;
        total += n ?? 0;
      }
      row.reaction_total_count = int32(total);
      row.reaction_counts = JSON.stringify(counts);
      break;
    }
    case 'chat_member':
    case 'my_chat_member':
      setChat(row, p.chat);
      setActor(row, p.from);
      row.member_user_id = num(p.new_chat_member?.user?.id);
      row.member_is_bot = bool(p.new_chat_member?.user?.is_bot);
      row.old_status = str(p.old_chat_member?.status);
      row.new_status = str(p.new_chat_member?.status);
      row.old_is_member = bool(p.old_chat_member?.is_member);
      row.new_is_member = bool(p.new_chat_member?.is_member);
      row.invite_link = str(p.invite_link?.invite_link);
      row.via_join_request = bool(p.via_join_request);
      row.via_chat_folder_invite_link = bool(p.via_chat_folder_invite_link);
      break;
    case 'chat_join_request':
      setChat(row, p.chat);
      setActor(row, p.from);
      row.invite_link = str(p.invite_link?.invite_link);
      break;
    case 'callback_query':
      setActor(row, p.from);
      setChat(row, p.message?.chat);
      row.message_id = num(p.message?.message_id);
      row.callback_query_id = str(p.id);
      row.callback_data = str(p.data);
      break;
    case 'inline_query':
      setActor(row, p.from);
      row.chat_type = str(p.chat_type); // no chat id: only where the query was typed (sender, private, group, ...)
      row.inline_query_id = str(p.id);
      row.text = str(p.query);
      row.text_length = lengthOf(row.text as string | null) ?? redactedLength(p, 'query');
      break;
    case 'chosen_inline_result':
      setActor(row, p.from);
      row.inline_query_id = str(p.result_id);
      row.text = str(p.query);
      row.text_length = lengthOf(row.text as string | null) ?? redactedLength(p, 'query');
      break;
    case 'poll':
      row.poll_id = str(p.id);
      row.poll_total_voter_count = int32(p.total_voter_count);
      row.poll_is_closed = bool(p.is_closed);
      break;
    case 'poll_answer':
      setActor(row, p.user);
      row.actor_chat_id = num(p.voter_chat?.id);
      row.poll_id = str(p.poll_id);
      row.poll_option_ids = json(p.option_ids ?? []);
      row.poll_option_persistent_ids = jsonOrNull(p.option_persistent_ids);
      break;
    case 'chat_boost':
    case 'removed_chat_boost': {
      setChat(row, p.chat);
      const boost = (kind === 'chat_boost' ? p.boost : p) as Json;
      const source = (boost?.source ?? {}) as Json;
      setActor(row, source.user);
      row.boost_id = str(boost?.boost_id);
      row.boost_source = str(source.source);
      row.boost_expiration_date = num(boost?.expiration_date);
      break;
    }
    case 'business_connection':
      setActor(row, p.user);
      row.chat_id = num(p.user_chat_id);
      row.chat_type = 'private';
      row.business_connection_id = str(p.id);
      // The update also comes when a connection is disabled or edited: whether it is on now, and when it began.
      row.payload = json({ is_enabled: bool(p.is_enabled), connection_date: num(p.date) });
      break;
    case 'deleted_business_messages':
      setChat(row, p.chat);
      row.business_connection_id = str(p.business_connection_id);
      row.deleted_message_count = Array.isArray(p.message_ids) ? p.message_ids.length : null;
      row.deleted_message_ids = jsonOrNull(p.message_ids);
      break;
    case 'shipping_query':
    case 'pre_checkout_query':
    case 'purchased_paid_media':
    case 'subscription':
      setActor(row, p.from ?? p.user);
      row.payload = json({
        invoice_payload: p.invoice_payload ?? p.paid_media_payload ?? null,
        currency: p.currency ?? null,
        total_amount: p.total_amount ?? null,
        state: p.state ?? null,
      });
      break;
    case 'managed_bot':
      setActor(row, p.user);
      row.payload = jsonOrNull({ bot_id: p.bot?.id ?? null, bot_username: p.bot?.username ?? null });
      break;
    default:
      // stopped_message_generation and kinds added to the Bot API after this code: chat and actor if any.
      setChat(row, p.chat ?? p.message?.chat);
      setActor(row, p.from ?? p.user);
      row.message_id = num(p.message_id ?? p.message?.message_id);
  }
  return row;
}

/**
 * receivedAtMs: the envelope's received_at (unix ms), undefined for bare updates. dataMode: the mode the
 * update holds (the envelope's `data_mode` made at least as strict as the deployment's), `full` if unset.
 * arrivalEstimateMs: for a bare update, when its object says it came (core/arrival.ts): the `event_ts`
 * of a kind with no date of its own, where an envelope's received_at would be; `received_at` stays NULL.
 */
export function flattenUpdate(update: AnyUpdate, receivedAtMs: number | undefined, dataMode: DataMode = 'full', arrivalEstimateMs?: number): FlattenedRow {
  const classified = classifyUpdate(update);
  const updateId = update.update_id;
  let flat: FlattenedRow;
  if (!classified) {
    flat = { table: 'telegram_events', row: flattenEvent('unknown', {}, updateId, undefined, receivedAtMs, arrivalEstimateMs) };
  } else {
    const { kind, rule, payload } = classified;
    flat =
      rule.table === 'telegram'
        ? { table: 'telegram', row: flattenMessage(kind, payload, updateId, receivedAtMs), message: payload }
        : { table: 'telegram_events', row: flattenEvent(kind, payload, updateId, rule.eventDate(payload), receivedAtMs, arrivalEstimateMs) };
  }
  flat.row.data_mode = dataMode;
  return flat;
}

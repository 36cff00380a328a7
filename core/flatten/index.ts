/**
 * Flattening: one Telegram update -> one row of `telegram` (new messages) or `telegram_events`
 * (everything else, future kinds included). Pure; every column key is set (null when absent) so the
 * Parquet writers see one shape. Lists become JSON strings: parquetjs-lite's `repeated` fields cannot be
 * read by Athena.
 */
import { classifyUpdate, type AnyUpdate, type EnrichedTableName } from '../update-kinds';
import { telegramTable, telegramEventsTable, type Row, type TableSchema } from '../../schemas';
import { messageKindOf } from './message-kind';

export { messageKindOf, MESSAGE_KIND_PRIORITY } from './message-kind';

export interface FlattenedRow {
  readonly table: EnrichedTableName;
  readonly row: Row;
}

type Json = Record<string, any>;

const nullRow = (table: TableSchema): Row => Object.fromEntries(table.columns.map((c) => [c.name, null]));
const MESSAGE_ROW = nullRow(telegramTable);
const EVENT_ROW = nullRow(telegramEventsTable);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
/** Length in Unicode code points, as SQL `length()` counts it. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i += 1;
    }
    n += 1;
  }
  return n;
}
const lengthOf = (text: string | null): number | null => (text === null ? null : codePointLength(text));
const secondsToDate = (s: number | null): Date | null => (s === null || s <= 0 ? null : new Date(s * 1000));
const msToDate = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));

/** A reaction as one string: the emoji, `custom:<id>` or `paid`. */
function reactionName(r: Json | undefined): string {
  if (!r) return 'unknown';
  if (r.type === 'emoji') return String(r.emoji);
  if (r.type === 'custom_emoji') return `custom:${r.custom_emoji_id}`;
  return String(r.type);
}

/** Media fields: the largest photo size, or the single media object of the message. */
function mediaOf(m: Json, kind: string): Json | undefined {
  if (kind === 'photo' || (kind === 'live_photo' && Array.isArray(m.photo))) {
    const sizes = m.photo as Json[] | undefined;
    if (!Array.isArray(sizes) || sizes.length === 0) return undefined;
    let best = sizes[0]!;
    for (const s of sizes) if ((s.width ?? 0) * (s.height ?? 0) > (best.width ?? 0) * (best.height ?? 0)) best = s;
    return best;
  }
  const media = m[kind];
  return media && typeof media === 'object' && !Array.isArray(media) && 'file_id' in media ? (media as Json) : undefined;
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
  row.chat_type = str(chat.type);
  row.chat_title = str(chat.title);
  row.chat_username = str(chat.username);
  row.chat_is_forum = bool(chat.is_forum);
  row.date = num(m.date);
  row.message_ts = secondsToDate(num(m.date));
  row.received_at = msToDate(receivedAtMs);
  row.text = text;
  row.text_length = lengthOf(text);
  row.caption = str(m.caption);
  if (Array.isArray(entities)) {
    row.entity_count = entities.length;
    row.entity_types = JSON.stringify(entities.map((e) => e.type));
  }

  const media = mediaOf(m, kind);
  if (media) {
    row.media_file_id = str(media.file_id);
    row.media_file_unique_id = str(media.file_unique_id);
    row.media_file_size = num(media.file_size);
    row.media_mime_type = str(media.mime_type);
    row.media_file_name = str(media.file_name);
    row.media_width = num(media.width ?? media.length);
    row.media_height = num(media.height ?? media.length);
    row.media_duration = num(media.duration);
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
    row.location_latitude = num(location.latitude);
    row.location_longitude = num(location.longitude);
  }
  if (m.contact) row.contact_user_id = num(m.contact.user_id);
  if (m.dice) {
    row.dice_emoji = str(m.dice.emoji);
    row.dice_value = num(m.dice.value);
  }

  const reply = m.reply_to_message as Json | undefined;
  if (reply && !isTopicRoot(m, reply)) {
    row.is_reply = true;
    row.reply_to_message_id = num(reply.message_id);
    row.reply_to_user_id = num(reply.from?.id);
  } else {
    row.is_reply = m.external_reply ? true : false;
  }
  if (m.external_reply) row.external_reply_chat_id = num(m.external_reply.chat?.id ?? m.external_reply.origin?.chat?.id);
  row.quote_text = str(m.quote?.text);
  row.message_thread_id = num(m.message_thread_id);
  row.is_topic_message = bool(m.is_topic_message);

  const origin = m.forward_origin as Json | undefined;
  if (origin) {
    row.forward_origin_type = str(origin.type);
    row.forward_origin_date = num(origin.date);
    row.forward_from_user_id = num(origin.sender_user?.id);
    row.forward_from_chat_id = num(origin.sender_chat?.id ?? origin.chat?.id);
  }
  row.is_automatic_forward = bool(m.is_automatic_forward);
  row.via_bot_id = num(m.via_bot?.id);
  row.author_signature = str(m.author_signature);
  row.sender_boost_count = num(m.sender_boost_count);

  if (Array.isArray(m.new_chat_members)) {
    row.new_chat_member_ids = JSON.stringify(m.new_chat_members.map((u: Json) => u.id));
    row.new_chat_member_count = m.new_chat_members.length;
  }
  row.left_chat_member_id = num(m.left_chat_member?.id);
  row.new_chat_title = str(m.new_chat_title);
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
  row.chat_type = str(chat.type);
  row.chat_title = str(chat.title);
}

const jsonOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

function flattenEvent(kind: string, p: Json, updateId: number, eventDate: number | undefined, receivedAtMs: number | undefined): Row {
  const row: Row = { ...EVENT_ROW };
  row.update_id = updateId;
  row.event_kind = kind;
  const date = eventDate !== undefined && eventDate > 0 ? eventDate : null;
  row.event_date = date;
  row.event_ts = date !== null ? new Date(date * 1000) : msToDate(receivedAtMs);
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
      row.text_length = lengthOf(row.text as string | null);
      row.business_connection_id = str(p.business_connection_id);
      break;
    }
    case 'message_reaction':
      setChat(row, p.chat);
      setActor(row, p.user);
      row.actor_chat_id = num(p.actor_chat?.id);
      row.message_id = num(p.message_id);
      row.reactions_old = JSON.stringify((p.old_reaction ?? []).map(reactionName));
      row.reactions_new = JSON.stringify((p.new_reaction ?? []).map(reactionName));
      break;
    case 'message_reaction_count': {
      setChat(row, p.chat);
      row.message_id = num(p.message_id);
      const counts: Record<string, number> = {};
      let total = 0;
      for (const r of (p.reactions ?? []) as Json[]) {
        counts[reactionName(r.type)] = r.total_count;
        total += Number(r.total_count) || 0;
      }
      row.reaction_total_count = total;
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
      row.invite_link = str(p.invite_link?.invite_link);
      row.via_join_request = bool(p.via_join_request);
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
      row.inline_query_id = str(p.id);
      row.text = str(p.query);
      row.text_length = lengthOf(row.text as string | null);
      break;
    case 'chosen_inline_result':
      setActor(row, p.from);
      row.inline_query_id = str(p.result_id);
      row.text = str(p.query);
      row.text_length = lengthOf(row.text as string | null);
      break;
    case 'poll':
      row.poll_id = str(p.id);
      row.poll_total_voter_count = num(p.total_voter_count);
      row.poll_is_closed = bool(p.is_closed);
      break;
    case 'poll_answer':
      setActor(row, p.user);
      row.actor_chat_id = num(p.voter_chat?.id);
      row.poll_id = str(p.poll_id);
      row.poll_option_ids = JSON.stringify(p.option_ids ?? []);
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
      row.payload = JSON.stringify({
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

/** receivedAtMs: the envelope's received_at (unix ms), undefined for bare updates. */
export function flattenUpdate(update: AnyUpdate, receivedAtMs: number | undefined): FlattenedRow {
  const classified = classifyUpdate(update);
  const updateId = update.update_id;
  if (!classified) {
    return { table: 'telegram_events', row: flattenEvent('unknown', {}, updateId, undefined, receivedAtMs) };
  }
  const { kind, rule, payload } = classified;
  if (rule.table === 'telegram') return { table: 'telegram', row: flattenMessage(kind, payload, updateId, receivedAtMs) };
  return { table: 'telegram_events', row: flattenEvent(kind, payload, updateId, rule.eventDate(payload), receivedAtMs) };
}

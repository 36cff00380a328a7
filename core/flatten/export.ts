/**
 * Flattening an `export` record (one normalised message of a Telegram Desktop export, with its chat) into
 * a `telegram` row: the columns the export can fill, with `source = 'export'`. Pure and total over any
 * JSON payload (fields of the wrong type are null), like flattenUpdate.
 *
 * What the export cannot give stays null: update_id and received_at (nothing was received), file ids,
 * user ids of members named in service messages (the export names them by display name only), the
 * original sender of a forward (a display name only: it stays in the raw record), via_bot's id.
 * user_first_name is the export's display name (first and last name together).
 */
import { telegramTable, type Row } from '../../schemas';
import type { ExportPayload } from '../raw-records';
import { botEntityType, contentKindOf, hasCaption, serviceKindOf } from '../export/kinds';
import { parsePeerRef } from '../export/chat';
import { codePointLength } from './index';

type Json = Record<string, any>;

/** `telegram` columns only export rows fill (live reactions are telegram_events rows). */
export const EXPORT_ONLY_COLUMNS: readonly string[] = ['reaction_total_count', 'reaction_counts', 'recent_reactions'];

const MESSAGE_ROW: Row = Object.fromEntries(telegramTable.columns.map((c) => [c.name, null]));

const num = (v: unknown): number | null => (Number.isSafeInteger(v) ? (v as number) : null);
const int32 = (v: unknown): number | null => (Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff ? (v as number) : null);
const double = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const secondsToDate = (s: number | null): Date | null => {
  if (s === null || s <= 0) return null;
  const d = new Date(s * 1000);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** The reaction's name as the events table names live reactions: the emoji, `custom:<id>`, `paid`. */
function reactionName(r: Json): string {
  if (r.type === 'emoji') return str(r.emoji) ?? 'unknown';
  if (r.type === 'custom_emoji') return `custom:${str(r.document_id) ?? 'unknown'}`;
  return str(r.type) ?? 'unknown';
}

function setReactions(row: Row, reactions: unknown): void {
  if (!Array.isArray(reactions)) return;
  const counts: Record<string, number | null> = {};
  const recent: Array<Record<string, unknown>> = [];
  let total = 0;
  for (const r of reactions.filter(isObject)) {
    const name = reactionName(r);
    const n = num(r.count);
    counts[name] = (counts[name] ?? 0) + (n ?? 0);
    total += n ?? 0;
    for (const x of Array.isArray(r.recent) ? r.recent.filter(isObject) : []) {
      const peer = parsePeerRef(x.from_id);
      recent.push({
        ...(peer?.kind === 'user' ? { user_id: peer.id } : peer ? { chat_id: peer.id } : {}),
        reaction: name,
        date: num(x.date_unixtime),
      });
    }
  }
  row.reaction_total_count = int32(total);
  row.reaction_counts = JSON.stringify(counts);
  row.recent_reactions = JSON.stringify(recent);
}

/** The `telegram` row of an export record. */
export function flattenExport(payload: ExportPayload): Row {
  const row: Row = { ...MESSAGE_ROW };
  const chat = payload.chat as Json;
  const m = payload.message as Json;
  const sender = (isObject(m.sender) ? m.sender : {}) as Json;
  const service = m.type === 'service';
  const text = str(m.text) ?? '';
  const kind = service ? serviceKindOf(m) : contentKindOf(m, text);

  row.source = 'export';
  row.message_id = num(m.id);
  row.update_kind = chat.type === 'channel' ? 'channel_post' : 'message';
  row.message_kind = kind;
  row.user_id = num(sender.user_id);
  row.user_is_bot = bool(sender.user_is_bot);
  row.user_first_name = str(sender.user_first_name);
  row.user_username = str(sender.user_username);
  row.sender_chat_id = num(sender.sender_chat_id);
  row.sender_chat_title = str(sender.sender_chat_title);
  row.is_automatic_forward = sender.is_automatic_forward === true ? true : null;
  row.chat_id = num(chat.id);
  row.chat_type = str(chat.type);
  row.chat_title = str(chat.title);
  row.chat_is_forum = chat.is_forum === true ? true : null;
  row.date = num(m.date);
  row.message_ts = secondsToDate(row.date as number | null);
  row.edit_date = num(m.edit_date);

  // The export writes a caption as the message's text; live, media carry `caption` and no `text`.
  const body = text.length > 0 ? text : null;
  if (!service) {
    if (hasCaption(kind)) row.caption = body;
    else row.text = body;
  }
  row.text_length = row.text === null ? null : codePointLength(row.text as string);
  if (Array.isArray(m.text_entities)) {
    const types = m.text_entities.filter((e: unknown) => isObject(e) && e.type !== 'plain').map((e: Json) => botEntityType(e.type));
    row.entity_count = types.length;
    row.entity_types = JSON.stringify(types);
  }

  // Media: sizes and types as the export gives them (no file ids).
  if (kind === 'photo') {
    row.media_file_size = num(m.photo_file_size);
  } else if (m.file !== undefined || m.media_type !== undefined) {
    row.media_file_size = num(m.file_size);
    row.media_mime_type = str(m.mime_type);
    row.media_file_name = str(m.file_name);
    row.media_duration = int32(m.duration_seconds);
  }
  if (!service) {
    row.media_width = int32(m.width);
    row.media_height = int32(m.height);
  }
  row.has_media_spoiler = m.media_spoiler === true ? true : null;
  if (kind === 'sticker') row.sticker_emoji = str(m.sticker_emoji);
  if (isObject(m.poll)) {
    const q = m.poll.question;
    row.poll_question = typeof q === 'string' ? q : Array.isArray(q) ? q.map((p) => (typeof p === 'string' ? p : isObject(p) ? (str(p.text) ?? '') : '')).join('') : null;
    row.poll_option_count = Array.isArray(m.poll.answers) ? m.poll.answers.length : null;
  }
  if (isObject(m.location_information)) {
    row.location_latitude = double(m.location_information.latitude);
    row.location_longitude = double(m.location_information.longitude);
  }

  // Replies within the chat; a reply to a forum topic's root was made a thread id by the normaliser.
  row.reply_to_message_id = num(m.reply_to_message_id);
  row.is_reply = row.reply_to_message_id !== null || m.reply_to_peer_id !== undefined;
  row.message_thread_id = num(m.message_thread_id);
  row.is_topic_message = m.is_topic_message === true ? true : null;
  row.author_signature = str(m.author);

  if (service) {
    const action = m.action;
    if (action === 'join_group_by_link' || action === 'join_group_by_request') {
      row.new_chat_member_ids = row.user_id !== null ? JSON.stringify([row.user_id]) : null;
      row.new_chat_member_count = 1;
    } else if (action === 'invite_members' || action === 'create_group') {
      const members = Array.isArray(m.members) ? m.members : [];
      row.new_chat_member_count = action === 'invite_members' ? members.length : null;
      // Members are names only; someone who added themselves (rejoined) is the actor.
      if (action === 'invite_members' && members.length === 1 && members[0] === m.actor && row.user_id !== null) row.new_chat_member_ids = JSON.stringify([row.user_id]);
    } else if (action === 'remove_members') {
      const members = Array.isArray(m.members) ? m.members : [];
      if (members.length === 1 && members[0] === m.actor) row.left_chat_member_id = row.user_id;
    }
    if (action === 'edit_group_title' || action === 'create_group' || action === 'create_channel') row.new_chat_title = action === 'edit_group_title' ? str(m.title) : null;
    if (action === 'pin_message') row.pinned_message_id = num(m.message_id);
    if (action === 'topic_created') row.forum_topic_name = str(m.title);
    if (action === 'topic_edit') row.forum_topic_name = str(m.new_title);
    if (action === 'migrate_to_supergroup') row.migrate_to_chat_id = num(chat.migrated_to_chat_id);
    if (action === 'migrate_from_group') row.migrate_from_chat_id = num(chat.migrated_from_chat_id);
  }
  setReactions(row, m.reactions);
  return row;
}

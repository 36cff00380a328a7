/**
 * Applying a data mode to an update (pure): a new object, the input untouched. The rules are by field
 * name and shape, so they hold inside nested messages (replies, pinned and external messages, callback
 * queries' messages) and for kinds the Bot API adds later.
 *
 * What is removed leaves a trace where counts need it: `tgpipe_redacted`, on the object that held the
 * field, maps each removed string field to its length in code points (e.g. `{"text": 42}`), so
 * `text_length` survives `no-text`. Objects emptied for `pseudonymous` (location, venue) become `{}` so
 * the message's kind stays what it was.
 */
import type { DataMode } from './data-mode';
import type { Pseudonymizer } from './pseudonym';
import { codePointLength } from '../text-length';

/** The field holding removed fields' lengths. Telegram has no field of this name. */
export const REDACTED_FIELD = 'tgpipe_redacted';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Removed wherever they appear in `no-text` and `pseudonymous`: words a person wrote or chose. */
const TEXT_FIELDS = new Set([
  'text',
  'caption',
  'question',
  'explanation',
  'file_name',
  'query',
  'url',
  'description',
  'performer',
  'vcard',
  'address',
  'prize_description',
  'custom_title',
  'thumbnail_url',
]);
/** `title` / `name` are words only inside these objects (a chat's title stays: it names the group). */
const TITLE_PARENTS = new Set(['audio', 'venue', 'game', 'invoice', 'checklist', 'forum_topic_created', 'forum_topic_edited', 'invite_link', 'story', 'external_reply', 'web_app_data', 'document', 'gift']);
/** Removed in `pseudonymous`: what names a person or where they are. */
const PERSON_FIELDS = new Set(['first_name', 'last_name', 'phone_number', 'sender_user_name', 'forward_sender_name', 'author_signature', 'email', 'shipping_address', 'order_info', 'bio']);
/** Replaced by `{}` in `pseudonymous` (kept as a marker so the message's kind does not change). */
const PLACE_FIELDS = new Set(['location', 'venue', 'live_location', 'proximity_alert_triggered']);
/** Integer fields holding a user id (besides `id` of a user or private chat). */
const USER_ID_FIELDS = new Set(['user_id', 'user_chat_id', 'sender_user_id']);
const USER_ID_LIST_FIELDS = new Set(['user_ids']);

const GROUP_CHAT_TYPES = new Set(['group', 'supergroup', 'channel']);

/** A Telegram User (or a private Chat, whose id is the user's): their id is a person's. */
export function isPersonObject(o: Json): boolean {
  if (!Number.isSafeInteger(o.id)) return false;
  return typeof o.is_bot === 'boolean' || o.type === 'private';
}

export interface RedactOptions {
  readonly mode: DataMode;
  /** Required in `pseudonymous` mode. */
  readonly pseudonymize?: Pseudonymizer;
}

function redactObject(o: Json, parentKey: string | undefined, options: RedactOptions, pseudonymous: boolean): Json {
  const out: Json = {};
  const lengths: Record<string, number | null> = isObject(o[REDACTED_FIELD]) ? { ...(o[REDACTED_FIELD] as Record<string, number | null>) } : {};
  let removed = false;
  const person = pseudonymous && isPersonObject(o);
  const groupChat = typeof o.type === 'string' && GROUP_CHAT_TYPES.has(o.type);
  for (const key of Object.keys(o)) {
    if (key === REDACTED_FIELD) continue;
    const value = o[key];
    const isText = TEXT_FIELDS.has(key) || ((key === 'title' || key === 'name') && parentKey !== undefined && TITLE_PARENTS.has(parentKey));
    if (isText && (typeof value === 'string' || isObject(value) || Array.isArray(value))) {
      removed = true;
      lengths[key] = typeof value === 'string' ? codePointLength(value) : null;
      continue;
    }
    if (pseudonymous) {
      if (PERSON_FIELDS.has(key) || (key === 'username' && !groupChat)) {
        removed = true;
        lengths[key] = null;
        continue;
      }
      if (PLACE_FIELDS.has(key) && isObject(value)) {
        out[key] = {};
        continue;
      }
      if ((person && key === 'id') || USER_ID_FIELDS.has(key)) {
        out[key] = Number.isSafeInteger(value) ? options.pseudonymize!(value as number) : value;
        continue;
      }
      if (USER_ID_LIST_FIELDS.has(key) && Array.isArray(value)) {
        out[key] = value.map((v) => (Number.isSafeInteger(v) ? options.pseudonymize!(v as number) : v));
        continue;
      }
    }
    out[key] = redactValue(value, key, options, pseudonymous);
  }
  if (removed || Object.keys(lengths).length > 0) out[REDACTED_FIELD] = lengths;
  return out;
}

function redactValue(value: unknown, key: string | undefined, options: RedactOptions, pseudonymous: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => redactValue(v, key, options, pseudonymous));
  if (isObject(value)) return redactObject(value, key, options, pseudonymous);
  return value;
}

/**
 * The update as the mode allows it to be kept (`full`: the same object). Never throws on JSON input;
 * nesting beyond the stack's depth is not a Telegram update and throws RangeError, which callers treat
 * like a body they cannot store.
 */
export function redactUpdate<T extends object>(update: T, options: RedactOptions): T {
  if (options.mode === 'full') return update;
  const pseudonymous = options.mode === 'pseudonymous';
  if (pseudonymous && !options.pseudonymize) throw new Error('pseudonymous mode needs the pseudonym key');
  return redactValue(update, undefined, options, pseudonymous) as T;
}

/** What a body that is not an update becomes in a mode that withholds text: its size, nothing of it. */
export function withheldUnparsed(body: string, mode: DataMode): string {
  return `[withheld in ${mode} mode: ${Buffer.byteLength(body)} bytes that were not a Telegram update]`;
}

/**
 * What the pipeline knows about each kind of Telegram update: which chat it belongs to, which of its
 * fields is its own event date (the partition key reads it), and which enriched table its row goes to.
 * One row per update kind of the Bot API; an unknown (future) kind still flows through as an event.
 */
import type { Update } from '@grammyjs/types';

/** A parsed update: known kinds typed by grammY, unknown future kinds kept as plain JSON. */
export type AnyUpdate = Update & Record<string, unknown>;

export type EnrichedTableName = 'telegram' | 'telegram_events';

export interface UpdateKindRule {
  /** The update's field name, e.g. `message`, `chat_boost`. */
  readonly kind: string;
  /** The enriched table its row lands in. */
  readonly table: EnrichedTableName;
  /** The chat the update belongs to (the allow-list checks it), or undefined when the kind has none. */
  readonly chatId: (payload: any) => number | undefined;
  /** The event's own unix-seconds date, or undefined when the kind carries none. */
  readonly eventDate: (payload: any) => number | undefined;
  /** Which field `eventDate` reads, for documentation and the README table. */
  readonly dateField: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const chatOf = (p: any): number | undefined => num(p?.chat?.id);
const none = (): undefined => undefined;

/** New messages (the `telegram` table). */
const newMessage = (kind: string): UpdateKindRule => ({
  kind,
  table: 'telegram',
  chatId: chatOf,
  eventDate: (m) => num(m?.date),
  dateField: 'date',
});

/** Edits keep the edit's time: the edit is the event, not the original message. */
const editedMessage = (kind: string): UpdateKindRule => ({
  kind,
  table: 'telegram_events',
  chatId: chatOf,
  eventDate: (m) => num(m?.edit_date) ?? num(m?.date),
  dateField: 'edit_date (else date)',
});

const event = (
  kind: string,
  chatId: (p: any) => number | undefined,
  eventDate: (p: any) => number | undefined,
  dateField: string,
): UpdateKindRule => ({ kind, table: 'telegram_events', chatId, eventDate, dateField });

export const UPDATE_KIND_RULES: readonly UpdateKindRule[] = [
  newMessage('message'),
  newMessage('channel_post'),
  newMessage('business_message'),
  editedMessage('edited_message'),
  editedMessage('edited_channel_post'),
  editedMessage('edited_business_message'),
  // A guest message is a new message in a chat the bot was summoned to; analysts treat it as an event.
  event('guest_message', chatOf, (m) => num(m?.date), 'date'),
  // Its `date` is when the connection was made; the update also comes when it is disabled or edited.
  event('business_connection', (p) => num(p?.user_chat_id), none, '(none: received_at; date is when the connection began)'),
  event('deleted_business_messages', chatOf, none, '(none: received_at)'),
  event('stopped_message_generation', chatOf, none, '(none: received_at)'),
  event('message_reaction', chatOf, (p) => num(p?.date), 'date'),
  event('message_reaction_count', chatOf, (p) => num(p?.date), 'date'),
  event('inline_query', none, none, '(none: received_at)'),
  event('chosen_inline_result', none, none, '(none: received_at)'),
  // callback_query.message.date is the date of the message holding the button, not of the click.
  event('callback_query', (p) => chatOf(p?.message), none, '(none: received_at)'),
  event('shipping_query', none, none, '(none: received_at)'),
  event('pre_checkout_query', none, none, '(none: received_at)'),
  event('purchased_paid_media', none, none, '(none: received_at)'),
  event('poll', none, none, '(none: received_at)'),
  event('poll_answer', none, none, '(none: received_at)'),
  event('my_chat_member', chatOf, (p) => num(p?.date), 'date'),
  event('chat_member', chatOf, (p) => num(p?.date), 'date'),
  event('chat_join_request', chatOf, (p) => num(p?.date), 'date'),
  event('chat_boost', chatOf, (p) => num(p?.boost?.add_date), 'boost.add_date'),
  event('removed_chat_boost', chatOf, (p) => num(p?.remove_date), 'remove_date'),
  event('managed_bot', none, none, '(none: received_at)'),
  event('subscription', none, none, '(none: received_at)'),
];

const RULES_BY_KIND = new Map(UPDATE_KIND_RULES.map((r) => [r.kind, r]));

/** A future update kind the Bot API adds: kept as an event, dated by arrival. */
const unknownKind = (kind: string): UpdateKindRule =>
  event(kind, (p) => chatOf(p) ?? chatOf(p?.message), none, '(unknown kind: received_at)');

export interface ClassifiedUpdate {
  readonly kind: string;
  readonly rule: UpdateKindRule;
  readonly payload: any;
}

/** The update's kind is its one field besides `update_id`; undefined when it has none. */
export function classifyUpdate(update: Record<string, unknown>): ClassifiedUpdate | undefined {
  for (const key of Object.keys(update)) {
    if (key === 'update_id') continue;
    const payload = update[key];
    if (payload === null || typeof payload !== 'object') continue;
    return { kind: key, rule: RULES_BY_KIND.get(key) ?? unknownKind(key), payload };
  }
  return undefined;
}

/** Every update kind to list in setWebhook's `allowed_updates` (an empty list would omit some). */
export const ALL_UPDATE_KINDS: readonly string[] = UPDATE_KIND_RULES.map((r) => r.kind);

/** True when `value` is a JSON object with an integer `update_id`: the minimum to call it an update. */
export function isUpdate(value: unknown): value is AnyUpdate {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Number.isSafeInteger((value as { update_id?: unknown }).update_id)
  );
}

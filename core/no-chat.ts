/**
 * Updates that belong to no chat (poll_answer, inline_query, chosen_inline_result, shipping_query,
 * pre_checkout_query, purchased_paid_media, poll, a callback query on an inline message, ...): this bot
 * cannot tell which group they are about (a `poll_id` names no chat), so they are not a group's data.
 * Every path drops them the same way (the webhook, `tgpipe ingest`, the enrichment of bare updates of the
 * original bucket layout, `replay stream`) and counts them by kind, so nothing is dropped without a name.
 */
import { classifyUpdate } from './update-kinds';

/** The kind counted for an update with no kind field at all (only `update_id`). */
export const NO_KIND = '(none)';

/** Dropped updates with no chat, by update kind. */
export type NoChatCounts = Record<string, number>;

/**
 * The kind of an update that names no chat, or undefined when it names one. The chat is the one its
 * kind's rule reads (core/update-kinds.ts), so this is the webhook's own test.
 */
export function noChatKind(update: Record<string, unknown>): string | undefined {
  const classified = classifyUpdate(update);
  if (!classified) return NO_KIND;
  return classified.rule.chatId(classified.payload) === undefined ? classified.kind : undefined;
}

/** Adds `n` updates of `kind` to `counts`. */
export function countNoChat(counts: NoChatCounts, kind: string, n = 1): void {
  // A kind is any key of a JSON body (`__proto__`, `hasOwnProperty`): an own data property, never the prototype's.
  const had = Object.hasOwn(counts, kind) ? counts[kind]! : 0;
  Object.defineProperty(counts, kind, { value: had + n, enumerable: true, writable: true, configurable: true });
}

/** `b` added to `a` (in place). */
export function addNoChat(a: NoChatCounts, b: NoChatCounts | undefined): NoChatCounts {
  for (const [kind, n] of Object.entries(b ?? {})) if (typeof n === 'number' && Number.isFinite(n) && n > 0) countNoChat(a, kind, n);
  return a;
}

export const noChatTotal = (counts: NoChatCounts | undefined): number => Object.values(counts ?? {}).reduce((s, n) => s + n, 0);

/** `poll_answer 2, inline_query 1`: most first, then by name. */
export function describeNoChat(counts: NoChatCounts): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
}

/** `dropped 3 with no chat (poll_answer 2, inline_query 1)`, or '' when none was dropped. */
export function droppedNoChatPhrase(counts: NoChatCounts): string {
  const total = noChatTotal(counts);
  return total > 0 ? `dropped ${total} with no chat (${describeNoChat(counts)})` : '';
}

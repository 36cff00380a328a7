/**
 * Erasure (pure parts): whose an update is, and an update with an erased person taken out of it.
 *
 * An update is a person's own (dropped whole) when they are its actor: the sender of a message or edit,
 * the reactor, the voter, the member whose membership changed, the requester, the clicker, the booster,
 * the private or business chat that is theirs. Other people's updates keep their row, with the erased
 * person taken out where they appear: a replied-to or pinned message of theirs becomes
 * `{"message_id":N,"tgpipe_erased":true}` (its text, sender and quote gone), and any User object of
 * theirs (new_chat_members, left_chat_member, text_mention entities, forward_origin, old/new chat member,
 * ...) becomes `{"tgpipe_erased":true}`; a `user_id` of theirs (a shared contact) is removed.
 */
import { classifyUpdate, type AnyUpdate } from '../update-kinds';
import { isPersonObject } from './redact';
import type { Pseudonymizer } from './pseudonym';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);

export const ERASED_MARK = 'tgpipe_erased';

/** Who is erased: user ids (real ids and pseudonyms alike) and chat ids. */
export interface ErasureMatcher {
  readonly isUser: (id: number) => boolean;
  readonly isChat: (id: number) => boolean;
  /** Decimal texts of every id, for a quick textual pre-check of a line (no match: nothing to do). */
  readonly needles: readonly string[];
  readonly empty: boolean;
}

/**
 * A matcher over ids. `users` may mix real ids and pseudonyms (pseudonymous-mode entries); with the
 * key, a real id also matches its pseudonym and a pseudonym the real id it was made from, so a record
 * kept under either mode is found.
 */
export function createMatcher(users: Iterable<number>, chats: Iterable<number>, pseudonymize?: Pseudonymizer): ErasureMatcher {
  const userSet = new Set(users);
  if (pseudonymize) for (const id of [...userSet]) userSet.add(pseudonymize(id));
  const chatSet = new Set(chats);
  const isUser = (id: number): boolean => userSet.has(id) || (pseudonymize !== undefined && userSet.has(pseudonymize(id)));
  return {
    isUser,
    isChat: (id) => chatSet.has(id),
    needles: [...userSet, ...chatSet].map(String),
    empty: userSet.size === 0 && chatSet.size === 0,
  };
}

/** Either matcher's people and chats (the opt-out list with the erasure register, for imports). */
export function unionMatcher(a: ErasureMatcher | undefined, b: ErasureMatcher | undefined): ErasureMatcher | undefined {
  if (!a || a.empty) return b;
  if (!b || b.empty) return a;
  return { isUser: (id) => a.isUser(id) || b.isUser(id), isChat: (id) => a.isChat(id) || b.isChat(id), needles: [...a.needles, ...b.needles], empty: false };
}

/** True when the text names one of the ids as a whole number (so a line without it needs no parsing). */
export function mentionsAny(text: string, needles: readonly string[]): boolean {
  for (const needle of needles) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at < 0) break;
      const before = text.charCodeAt(at - 1);
      const after = text.charCodeAt(at + needle.length);
      const digit = (c: number) => c >= 0x30 && c <= 0x39;
      if (!digit(before) && !digit(after) && !(needle[0] !== '-' && before === 0x2d)) return true;
      from = at + 1;
    }
  }
  return false;
}

/** The people whose own update this is (see the module comment). */
export function ownerIds(update: AnyUpdate): number[] {
  const classified = classifyUpdate(update);
  if (!classified) return [];
  const p = classified.payload as Json;
  const ids: Array<number | undefined> = [];
  const idOf = (v: unknown) => (isObject(v) ? int(v.id) : undefined);
  ids.push(idOf(p.from), idOf(p.user));
  if (isObject(p.chat) && p.chat.type === 'private') ids.push(int(p.chat.id));
  ids.push(int(p.user_chat_id));
  if (isObject(p.new_chat_member)) ids.push(idOf(p.new_chat_member.user));
  if (isObject(p.old_chat_member)) ids.push(idOf(p.old_chat_member.user));
  if (isObject(p.boost) && isObject(p.boost.source)) ids.push(idOf(p.boost.source.user));
  if (isObject(p.source)) ids.push(idOf(p.source.user));
  return ids.filter((id): id is number => id !== undefined);
}

/** The chat an update belongs to (the allow-list's chat), when it has one. */
export function chatIdOf(update: AnyUpdate): number | undefined {
  const classified = classifyUpdate(update);
  return classified ? classified.rule.chatId(classified.payload) : undefined;
}

export type ErasureOutcome =
  | { readonly action: 'keep' }
  | { readonly action: 'drop' }
  | { readonly action: 'redact'; readonly update: AnyUpdate };

const isMessageOf = (o: Json, matcher: ErasureMatcher): boolean =>
  int(o.message_id) !== undefined && isObject(o.from) && int(o.from.id) !== undefined && matcher.isUser(o.from.id as number);

function takeOut(value: unknown, matcher: ErasureMatcher, changed: { yes: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => takeOut(v, matcher, changed));
  if (!isObject(value)) return value;
  if (isPersonObject(value) && matcher.isUser(value.id as number)) {
    changed.yes = true;
    return { [ERASED_MARK]: true };
  }
  const out: Json = {};
  let repliedErased = false;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (isObject(v) && isMessageOf(v, matcher)) {
      changed.yes = true;
      if (key === 'reply_to_message') repliedErased = true;
      out[key] = { message_id: v.message_id, [ERASED_MARK]: true };
      continue;
    }
    if ((key === 'user_id' || key === 'user_chat_id') && int(v) !== undefined && matcher.isUser(v as number)) {
      changed.yes = true;
      continue;
    }
    out[key] = takeOut(v, matcher, changed);
  }
  // The quote is a piece of the replied message's text.
  if (repliedErased && 'quote' in out) delete out.quote;
  return out;
}

/** What erasure does to one update. */
export function eraseFromUpdate(update: AnyUpdate, matcher: ErasureMatcher): ErasureOutcome {
  if (matcher.empty) return { action: 'keep' };
  const chat = chatIdOf(update);
  if (chat !== undefined && matcher.isChat(chat)) return { action: 'drop' };
  if (ownerIds(update).some((id) => matcher.isUser(id))) return { action: 'drop' };
  const changed = { yes: false };
  const out = takeOut(update, matcher, changed) as AnyUpdate;
  return changed.yes ? { action: 'redact', update: out } : { action: 'keep' };
}

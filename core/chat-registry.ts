/**
 * Every chat the bot has heard from, stored or dropped, for `tgpipe chats`: the first thing a new
 * operator needs is the group's id for ALLOWED_CHAT_IDS. Pure: webhook results in, a registry out;
 * updates with no chat are counted by kind. Titles only for groups and channels (a private chat's
 * "title" is a person's name).
 */
import type { WebhookResult } from './webhook';
import { addNoChat, countNoChat, NO_KIND } from './no-chat';

export interface ChatEntry {
  readonly id: number;
  type?: string;
  title?: string;
  /** Unix ms of the first and last update seen. */
  firstSeen: number;
  lastSeen: number;
  stored: number;
  dropped: number;
}

export interface ChatRegistry {
  chats: Record<string, ChatEntry>;
  /** Updates with no chat (inline queries, poll answers, ...), by update kind. */
  noChat: Record<string, number>;
}

export const emptyRegistry = (): ChatRegistry => ({ chats: {}, noChat: {} });

/** Adds one webhook result seen at `at` (unix ms). */
export function tallyResult(registry: ChatRegistry, result: WebhookResult, at: number): void {
  if (result.outcome === 'dropped_no_chat') {
    const kind = result.kind ?? NO_KIND;
    countNoChat(registry.noChat, kind);
    return;
  }
  if (result.chatId === undefined) return;
  const stored = result.outcome === 'stored' || result.outcome === 'stored_unparsed';
  const dropped = result.status === 200 && !stored;
  if (!stored && !dropped) return; // not answered 200: Telegram sends it again
  const key = String(result.chatId);
  const entry = (registry.chats[key] ??= { id: result.chatId, firstSeen: at, lastSeen: at, stored: 0, dropped: 0 });
  entry.firstSeen = Math.min(entry.firstSeen, at);
  if (at >= entry.lastSeen) {
    entry.lastSeen = at;
    if (result.chatType) entry.type = result.chatType;
    if (result.chatTitle) entry.title = result.chatTitle;
  }
  entry.type ??= result.chatType;
  entry.title ??= result.chatTitle;
  if (stored) entry.stored += 1;
  else entry.dropped += 1;
}

/** `b` added to `a` (counts summed, the latest title and type kept). */
export function mergeRegistries(a: ChatRegistry, b: ChatRegistry): ChatRegistry {
  const out: ChatRegistry = { chats: { ...structuredClone(a.chats) }, noChat: addNoChat({}, a.noChat) };
  for (const [key, e] of Object.entries(b.chats)) {
    const have = out.chats[key];
    if (!have) {
      out.chats[key] = { ...e };
      continue;
    }
    const later = e.lastSeen >= have.lastSeen;
    out.chats[key] = {
      id: have.id,
      type: (later ? e.type : have.type) ?? have.type ?? e.type,
      title: (later ? e.title : have.title) ?? have.title ?? e.title,
      firstSeen: Math.min(have.firstSeen, e.firstSeen),
      lastSeen: Math.max(have.lastSeen, e.lastSeen),
      stored: have.stored + e.stored,
      dropped: have.dropped + e.dropped,
    };
  }
  addNoChat(out.noChat, b.noChat);
  return out;
}

/** A registry read from a file, each field checked (a damaged file reads as what it holds that is sound). */
export function parseRegistry(text: string): ChatRegistry {
  const out = emptyRegistry();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  const v = value as { chats?: Record<string, Partial<ChatEntry>>; noChat?: Record<string, unknown> };
  for (const [key, e] of Object.entries(v?.chats ?? {})) {
    if (!e || typeof e.id !== 'number' || String(e.id) !== key) continue;
    const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
    out.chats[key] = {
      id: e.id,
      type: typeof e.type === 'string' ? e.type : undefined,
      title: typeof e.title === 'string' ? e.title : undefined,
      firstSeen: num(e.firstSeen),
      lastSeen: num(e.lastSeen),
      stored: num(e.stored),
      dropped: num(e.dropped),
    };
  }
  if (v?.noChat && typeof v.noChat === 'object') addNoChat(out.noChat, v.noChat as Record<string, number>);
  return out;
}

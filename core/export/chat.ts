/**
 * Chats and senders of a Telegram Desktop export in the Bot API's terms (pure).
 *
 * The export writes bare peer ids (`PeerToBareId`): a supergroup or channel `1234567890` is the Bot API's
 * `-1001234567890`, a basic group `123` is `-123`, a user is its id. `from_id` names a peer as
 * `user<N>`, `channel<N>` or `chat<N>`.
 */

/** Telegram Desktop's shift of the ids of a migrated basic group's history inside its supergroup. */
export const MIGRATED_MESSAGES_ID_SHIFT = -1_000_000_000;

/** The Bot API's placeholder senders (what the live path stores in user_id; see README). */
export const PLACEHOLDER_USERS = {
  /** An anonymous admin posting as the group itself. */
  anonymous_admin: { id: 1087968824, first_name: 'Group', username: 'GroupAnonymousBot' },
  /** A channel post automatically forwarded into its linked discussion group. */
  automatic_forward: { id: 777000, first_name: 'Telegram', username: undefined },
  /** A message sent on behalf of a channel (not the group itself) in a group. */
  channel: { id: 136817688, first_name: 'Channel', username: 'Channel_Bot' },
} as const;

export type Placeholder = keyof typeof PLACEHOLDER_USERS;

export type BotChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** The Bot API chat type of an export chat type; undefined for types this code does not know. */
export function botChatType(exportType: unknown): BotChatType | undefined {
  switch (exportType) {
    case 'private_group':
      return 'group';
    case 'private_supergroup':
    case 'public_supergroup':
      return 'supergroup';
    case 'private_channel':
    case 'public_channel':
      return 'channel';
    case 'personal_chat':
    case 'bot_chat':
    case 'saved_messages':
    case 'replies':
    case 'verification_codes':
      return 'private';
    default:
      return undefined;
  }
}

const SUPERGROUP_BASE = 1_000_000_000_000;

/** A bare id as a number (the export writes numbers; a string of digits is read too). */
export function bareId(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The Bot API chat id of an export chat. */
export function botChatId(type: BotChatType | undefined, bare: number): number | undefined {
  if (type === 'supergroup' || type === 'channel') return -(SUPERGROUP_BASE + bare);
  if (type === 'group') return -bare;
  if (type === 'private') return bare;
  return undefined;
}

export interface PeerRef {
  readonly kind: 'user' | 'channel' | 'chat';
  readonly bare: number;
  /** Bot API id: the user id, `-100<N>` for a channel or supergroup, `-<N>` for a basic group. */
  readonly id: number;
}

/** Parses `user123`, `channel123`, `chat123`; undefined for anything else. */
export function parsePeerRef(v: unknown): PeerRef | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(user|channel|chat)(\d+)$/.exec(v);
  if (!m) return undefined;
  const bare = Number(m[2]);
  if (!Number.isSafeInteger(bare) || bare <= 0) return undefined;
  const kind = m[1] as PeerRef['kind'];
  return { kind, bare, id: kind === 'user' ? bare : kind === 'channel' ? -(SUPERGROUP_BASE + bare) : -bare };
}

export interface ExportSender {
  /** What the live path's `from.id` would be. */
  readonly user_id?: number;
  readonly user_first_name?: string;
  readonly user_is_bot?: boolean;
  readonly user_username?: string;
  /** What the live path's `sender_chat.id` would be. */
  readonly sender_chat_id?: number;
  readonly sender_chat_title?: string;
  readonly placeholder?: Placeholder;
  readonly is_automatic_forward?: boolean;
}

/**
 * The sender as the live path would record it: `user<N>` is the user; a chat sender (`channel<N>`)
 * becomes a placeholder user with the chat in sender_chat, as the Bot API sends it: in a channel, no
 * user (a channel post); in a group, the group itself is an anonymous admin (1087968824), a forward of
 * the linked channel's post is an automatic forward (777000), any other channel is Channel_Bot
 * (136817688).
 */
export function resolveSender(fromId: unknown, name: unknown, chatId: number | undefined, chatType: BotChatType | undefined, forwarded: boolean): ExportSender {
  const peer = parsePeerRef(fromId);
  const title = typeof name === 'string' ? name : undefined;
  if (!peer) return title !== undefined ? { user_first_name: title } : {};
  if (peer.kind === 'user') return { user_id: peer.id, ...(title !== undefined ? { user_first_name: title } : {}) };
  const chat = { sender_chat_id: peer.id, ...(title !== undefined ? { sender_chat_title: title } : {}) };
  if (chatType === 'channel' || chatType === 'private' || chatType === undefined) return chat;
  const placeholder: Placeholder = peer.id === chatId ? 'anonymous_admin' : forwarded ? 'automatic_forward' : 'channel';
  const user = PLACEHOLDER_USERS[placeholder];
  return {
    ...chat,
    user_id: user.id,
    user_first_name: user.first_name,
    user_is_bot: placeholder !== 'automatic_forward',
    ...(user.username ? { user_username: user.username } : {}),
    placeholder,
    ...(placeholder === 'automatic_forward' ? { is_automatic_forward: true } : {}),
  };
}

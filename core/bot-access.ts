/**
 * The bot's own membership (`my_chat_member` updates): Telegram says nothing else when the bot is removed
 * from a group or loses its admin rights, and the group's updates just stop (or, without admin rights
 * and with privacy mode on, shrink to commands and replies). The webhook reports each change; losing
 * access raises an alarm (BotAccessLost) and shows in `tgpipe doctor`.
 */
import type { ChatMemberUpdated } from '@grammyjs/types';

/** `removed`: left or kicked (or restricted and no longer a member); `demoted`: was an administrator, is not. */
export const BOT_ACCESS_LOST = ['removed', 'demoted'] as const;
export type BotAccessChange = (typeof BOT_ACCESS_LOST)[number] | 'added' | 'promoted' | 'other';

export interface BotAccess {
  readonly change: BotAccessChange;
  readonly oldStatus: string;
  readonly newStatus: string;
  /** True for the changes that cut the pipeline off (BOT_ACCESS_LOST). */
  readonly lost: boolean;
}

const ADMIN = new Set(['administrator', 'creator']);

/** A member status as one word; a restricted bot that is no longer a member counts as gone. */
function statusOf(member: ChatMemberUpdated['new_chat_member'] | undefined): { status: string; present: boolean } {
  const status = typeof member?.status === 'string' ? member.status : 'unknown';
  const present = status === 'left' || status === 'kicked' ? false : status === 'restricted' ? (member as { is_member?: boolean }).is_member !== false : true;
  return { status, present };
}

/** What a `my_chat_member` payload says about the bot's access; undefined for anything else. */
export function botAccessChange(kind: string | undefined, payload: unknown): BotAccess | undefined {
  if (kind !== 'my_chat_member' || payload === null || typeof payload !== 'object') return undefined;
  const update = payload as Partial<ChatMemberUpdated>;
  const before = statusOf(update.old_chat_member);
  const after = statusOf(update.new_chat_member);
  let change: BotAccessChange = 'other';
  if (before.present && !after.present) change = 'removed';
  else if (!before.present && after.present) change = ADMIN.has(after.status) ? 'promoted' : 'added';
  else if (ADMIN.has(before.status) && !ADMIN.has(after.status)) change = 'demoted';
  else if (!ADMIN.has(before.status) && ADMIN.has(after.status)) change = 'promoted';
  return { change, oldStatus: before.status, newStatus: after.status, lost: (BOT_ACCESS_LOST as readonly string[]).includes(change) };
}

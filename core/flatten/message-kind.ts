/**
 * A message's kind: the first content field it carries, in this priority order. Order matters where
 * Telegram sends two fields for one thing: a GIF carries `animation` and `document` (animation wins), a
 * venue carries `venue` and `location` (venue wins), a live photo also carries `photo`.
 */
export const MESSAGE_KIND_PRIORITY: readonly string[] = [
  // Content.
  'text', 'rich_message', 'animation', 'live_photo', 'photo', 'video', 'audio', 'voice', 'video_note',
  'document', 'sticker', 'story', 'paid_media', 'poll', 'checklist', 'dice', 'game', 'venue', 'location',
  'contact', 'invoice', 'giveaway', 'giveaway_winners', 'gift', 'unique_gift', 'web_app_data',
  'passport_data',
  // Service events.
  'new_chat_members', 'left_chat_member', 'new_chat_title', 'new_chat_photo', 'delete_chat_photo',
  'group_chat_created', 'supergroup_chat_created', 'channel_chat_created', 'message_auto_delete_timer_changed',
  'migrate_to_chat_id', 'migrate_from_chat_id', 'pinned_message', 'successful_payment', 'refunded_payment',
  'users_shared', 'chat_shared', 'connected_website', 'write_access_allowed', 'proximity_alert_triggered',
  'boost_added', 'chat_background_set', 'forum_topic_created', 'forum_topic_edited', 'forum_topic_closed',
  'forum_topic_reopened', 'general_forum_topic_hidden', 'general_forum_topic_unhidden', 'giveaway_created',
  'giveaway_completed', 'gift_upgrade_sent', 'paid_message_price_changed', 'direct_message_price_changed',
  'video_chat_scheduled', 'video_chat_started', 'video_chat_ended', 'video_chat_participants_invited',
  'checklist_tasks_done', 'checklist_tasks_added', 'community_chat_added', 'community_chat_removed',
  'community_chat_joined', 'chat_owner_left', 'chat_owner_changed', 'managed_bot_created',
  'poll_option_added', 'poll_option_deleted', 'suggested_post_info', 'suggested_post_approved',
  'suggested_post_approval_failed', 'suggested_post_declined', 'suggested_post_paid', 'suggested_post_refunded',
];

/**
 * Older names of service fields, read as the kind Telegram renamed them to: Bot API 6.0 (April 2022)
 * renamed `voice_chat_*` to `video_chat_*`; before Bot API 3.0 (May 2017, and sent alongside for a while
 * after) a join or leave came as `new_chat_participant` / `new_chat_member` / `left_chat_participant`.
 */
export const LEGACY_KIND_FIELDS: Readonly<Record<string, string>> = {
  voice_chat_scheduled: 'video_chat_scheduled',
  voice_chat_started: 'video_chat_started',
  voice_chat_ended: 'video_chat_ended',
  voice_chat_participants_invited: 'video_chat_participants_invited',
  new_chat_member: 'new_chat_members',
  new_chat_participant: 'new_chat_members',
  left_chat_participant: 'left_chat_member',
};

/** [field, kind] pairs in priority order: each kind's own field, then its legacy names. */
const FIELDS_IN_ORDER: ReadonlyArray<readonly [string, string]> = MESSAGE_KIND_PRIORITY.flatMap((kind) => [
  [kind, kind] as const,
  ...Object.entries(LEGACY_KIND_FIELDS)
    .filter(([, current]) => current === kind)
    .map(([legacy]) => [legacy, kind] as const),
]);

/** The kind of a message object; `other` for content this list does not know yet. */
export function messageKindOf(message: Record<string, unknown>): string {
  // A data mode that withholds text removed `text` and kept its length (core/privacy/redact.ts).
  const redacted = message.tgpipe_redacted as Record<string, unknown> | undefined;
  if (message.text === undefined && redacted !== null && typeof redacted === 'object' && typeof redacted.text === 'number') return 'text';
  for (const [field, kind] of FIELDS_IN_ORDER) {
    const v = message[field];
    if (v !== undefined && v !== null && v !== false) return kind;
  }
  return 'other';
}

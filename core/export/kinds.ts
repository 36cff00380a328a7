/**
 * The kind of an exported message in the live path's vocabulary (core/flatten/message-kind.ts): media
 * fields and service `action`s of Telegram Desktop's writer mapped to the Bot API field the same message
 * would carry live. Unknown actions and media are `other`, as unknown live content is; the export's own
 * names stay in the raw record.
 */

/** Export `action` -> the live path's service kind. */
export const ACTION_KINDS: Readonly<Record<string, string>> = {
  create_group: 'group_chat_created',
  create_channel: 'channel_chat_created',
  migrate_from_group: 'migrate_from_chat_id',
  migrate_to_supergroup: 'migrate_to_chat_id',
  edit_group_title: 'new_chat_title',
  edit_group_photo: 'new_chat_photo',
  delete_group_photo: 'delete_chat_photo',
  invite_members: 'new_chat_members',
  join_group_by_link: 'new_chat_members',
  join_group_by_request: 'new_chat_members',
  remove_members: 'left_chat_member',
  pin_message: 'pinned_message',
  set_messages_ttl: 'message_auto_delete_timer_changed',
  topic_created: 'forum_topic_created',
  topic_edit: 'forum_topic_edited',
  group_call_scheduled: 'video_chat_scheduled',
  invite_to_group_call: 'video_chat_participants_invited',
  boost_apply: 'boost_added',
  send_payment: 'successful_payment',
  refunded_payment: 'refunded_payment',
  proximity_reached: 'proximity_alert_triggered',
  allow_sending_messages: 'write_access_allowed',
  web_app_bot_allowed: 'write_access_allowed',
  attach_menu_bot_allowed: 'write_access_allowed',
  send_passport_values: 'passport_data',
  send_webview_data: 'web_app_data',
  requested_peer: 'users_shared',
  set_chat_wallpaper: 'chat_background_set',
  set_same_chat_wallpaper: 'chat_background_set',
  giveaway_launch: 'giveaway_created',
  giveaway_results: 'giveaway_completed',
  send_star_gift: 'gift',
  paid_messages_price_change: 'paid_message_price_changed',
  todo_completions: 'checklist_tasks_done',
  todo_append_tasks: 'checklist_tasks_added',
  suggested_post_success: 'suggested_post_paid',
  suggested_post_refund: 'suggested_post_refunded',
};

type Json = Record<string, unknown>;

/** The live kind of a service message (its `action`), `other` when the live path has none. */
export function serviceKindOf(m: Json): string {
  const action = m.action;
  if (typeof action !== 'string') return 'other';
  // One export action, two live kinds.
  if (action === 'group_call') return m.duration !== undefined ? 'video_chat_ended' : 'video_chat_started';
  if (action === 'process_suggested_post') return m.rejected === true ? 'suggested_post_declined' : 'suggested_post_approved';
  if (action === 'allow_sending_messages' && typeof m.reason_domain === 'string') return 'connected_website';
  return ACTION_KINDS[action] ?? 'other';
}

/** Export `media_type` of a `file` -> live kind. */
const MEDIA_TYPE_KINDS: Readonly<Record<string, string>> = {
  sticker: 'sticker',
  video_message: 'video_note',
  voice_message: 'voice',
  animation: 'animation',
  video_file: 'video',
  audio_file: 'audio',
};

/** The live kind of a non-service message from its media fields, else text / other. */
export function contentKindOf(m: Json, text: string): string {
  if (m.photo !== undefined) return 'photo';
  if (m.file !== undefined || m.media_type !== undefined) {
    const t = m.media_type;
    if (typeof t === 'string') return MEDIA_TYPE_KINDS[t] ?? 'document';
    return 'document';
  }
  if (m.poll !== undefined) return 'poll';
  if (m.todo_list !== undefined) return 'checklist';
  if (m.contact_information !== undefined) return 'contact';
  if (m.place_name !== undefined || m.address !== undefined) return 'venue';
  if (m.location_information !== undefined) return 'location';
  if (m.game_title !== undefined) return 'game';
  if (m.invoice_information !== undefined) return 'invoice';
  if (m.giveaway_information !== undefined) return 'giveaway';
  if (m.giveaway_results !== undefined) return 'giveaway_winners';
  if (m.paid_stars_amount !== undefined) return 'paid_media';
  return text.length > 0 ? 'text' : 'other';
}

/** True when the message carries media whose text is a caption (live: `caption`, not `text`). */
export function hasCaption(kind: string): boolean {
  return kind !== 'text' && kind !== 'other' && kind !== 'poll' && kind !== 'contact' && kind !== 'venue' && kind !== 'location' && kind !== 'game' && kind !== 'invoice' && kind !== 'checklist' && kind !== 'giveaway' && kind !== 'giveaway_winners';
}

/** Export entity type -> Bot API MessageEntity type (the export renames some). */
const ENTITY_TYPES: Readonly<Record<string, string>> = { link: 'url', text_link: 'text_link', mention_name: 'text_mention' };

export function botEntityType(t: unknown): string {
  return typeof t === 'string' ? (ENTITY_TYPES[t] ?? t) : 'unknown';
}

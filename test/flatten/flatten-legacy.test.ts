/**
 * What older Bot API versions called by other names, and what schema version 3 keeps that was not kept:
 * `voice_chat_*` service messages, 2015 chats without a type, joins and leaves before Bot API 3.0, a
 * forward's original message id and author signature, forum topic names. Fixtures 89-99 of
 * test/fixtures/updates, the fixtures 26-29 and 45, and the 2017 samples (test/fixtures/telegram-updates-2017).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flattenUpdate, LEGACY_KIND_FIELDS, MESSAGE_KIND_PRIORITY, messageKindOf } from '../../core/flatten';
import { telegramEventsTable, telegramTable } from '../../schemas';
import { loadFixtures } from '../support/fixtures';

const fixtures = loadFixtures();
const fixture = (name: string) => {
  const f = fixtures.find((x) => x.file.includes(name));
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
};
const messageOf = (name: string) => fixture(name).update.message as Record<string, any>;
const rowOf = (name: string) => flattenUpdate(fixture(name).update as never, undefined).row;

describe('Bot API 5.x voice chats read as video chats (renamed in 6.0)', () => {
  it.each([
    ['89-message-voice-chat-scheduled', 'video_chat_scheduled'],
    ['90-message-voice-chat-started', 'video_chat_started'],
    ['91-message-voice-chat-participants-invited', 'video_chat_participants_invited'],
    ['92-message-voice-chat-ended', 'video_chat_ended'],
  ])('%s is %s', (name, kind) => {
    expect(rowOf(name).message_kind).toBe(kind);
  });

  it('every legacy name maps to a kind of the priority list, and the new name wins over the old one', () => {
    for (const current of Object.values(LEGACY_KIND_FIELDS)) expect(MESSAGE_KIND_PRIORITY).toContain(current);
    expect(messageKindOf({ voice_chat_ended: { duration: 1 } })).toBe('video_chat_ended');
    // An edit of a 5.x message is read the same way.
    expect(flattenUpdate({ update_id: 1, edited_message: { message_id: 2, date: 1, edit_date: 2, chat: { id: -1, type: 'group' }, voice_chat_started: {} } } as never, undefined).row.message_kind).toBe('video_chat_started');
    // Content still comes first: a text message carrying a stray legacy field is text.
    expect(messageKindOf({ text: 'x', voice_chat_started: {} })).toBe('text');
  });
});

describe('2015 chats have no type: a title means a group, a first name a private chat', () => {
  it('messages', () => {
    expect(rowOf('93-message-2015-group-no-type')).toMatchObject({ chat_type: 'group', chat_title: 'Weekend Hikers', user_id: messageOf('93-message-2015-group-no-type').from.id, text: 'Trilha no sábado?', message_kind: 'text', user_is_bot: null });
    expect(rowOf('94-message-2015-private-no-type')).toMatchObject({ chat_type: 'private', chat_id: 6123456789, chat_title: null });
  });

  it('events and a given type (the type is never second-guessed)', () => {
    const edit = flattenUpdate({ update_id: 3, edited_message: { message_id: 4, date: 1441447009, edit_date: 1441447100, chat: { id: -77, title: 'Old group' }, text: 'x' } } as never, undefined).row;
    expect(edit.chat_type).toBe('group');
    const typed = flattenUpdate({ update_id: 3, message: { message_id: 4, date: 1, chat: { id: -1001, title: 'c', type: 'channel' } } } as never, undefined).row;
    expect(typed.chat_type).toBe('channel');
    const nothing = flattenUpdate({ update_id: 3, message: { message_id: 4, date: 1, chat: { id: 5 } } } as never, undefined).row;
    expect(nothing.chat_type).toBeNull();
  });
});

describe('joins and leaves before Bot API 3.0', () => {
  it('new_chat_participant is a join of one member, left_chat_participant a leave', () => {
    const joined = messageOf('98-message-legacy-new-chat-participant');
    expect(rowOf('98-message-legacy-new-chat-participant')).toMatchObject({ message_kind: 'new_chat_members', new_chat_member_ids: JSON.stringify([joined.new_chat_participant.id]), new_chat_member_count: 1 });
    expect(rowOf('99-message-legacy-left-chat-participant')).toMatchObject({ message_kind: 'left_chat_member', left_chat_member_id: messageOf('99-message-legacy-left-chat-participant').left_chat_participant.id });
  });

  it('when Telegram sent the old field beside the new list (2017), the list is read once', () => {
    const u = { id: 5950953118, is_bot: true, first_name: 'b' };
    const { row } = flattenUpdate({ update_id: 1, message: { message_id: 7, date: 1683966286, chat: { id: -894978656, title: 'g', type: 'group' }, new_chat_participant: u, new_chat_member: u, new_chat_members: [u] } } as never, undefined);
    expect(row).toMatchObject({ new_chat_member_ids: JSON.stringify([u.id]), new_chat_member_count: 1 });
  });
});

describe('forwards keep the original message id and the author signature (schema version 3)', () => {
  it('forward_origin of a channel post', () => {
    const origin = messageOf('29-message-forward-channel').forward_origin;
    expect(rowOf('29-message-forward-channel')).toMatchObject({ forward_origin_type: 'channel', forward_from_chat_id: origin.chat.id, forward_from_message_id: origin.message_id, forward_author_signature: origin.author_signature });
  });

  it('the legacy fields (forward_from_chat, forward_from_message_id, forward_signature)', () => {
    const m = messageOf('95-message-legacy-forward-channel');
    expect(rowOf('95-message-legacy-forward-channel')).toMatchObject({ forward_origin_type: 'channel', forward_origin_date: m.forward_date, forward_from_chat_id: m.forward_from_chat.id, forward_from_message_id: m.forward_from_message_id, forward_author_signature: m.forward_signature });
  });

  it('a forward from a user has neither', () => {
    expect(rowOf('26-message-forward-user')).toMatchObject({ forward_origin_type: 'user', forward_from_message_id: null, forward_author_signature: null });
  });

  it('a chat origin (an anonymous admin) has a signature and no message id', () => {
    const { row } = flattenUpdate({ update_id: 1, message: { message_id: 2, date: 1, chat: { id: -1001, type: 'supergroup' }, forward_origin: { type: 'chat', date: 1, sender_chat: { id: -1002, type: 'supergroup', title: 'g' }, author_signature: 'Admin' }, text: 'x' } } as never, undefined);
    expect(row).toMatchObject({ forward_origin_type: 'chat', forward_from_chat_id: -1002, forward_from_message_id: null, forward_author_signature: 'Admin' });
  });
});

describe('forum topic names (schema version 3)', () => {
  it('the name a topic is created with, and the name an edit gives it', () => {
    const created = messageOf('45-message-forum-topic-created');
    expect(rowOf('45-message-forum-topic-created')).toMatchObject({ message_kind: 'forum_topic_created', message_thread_id: created.message_thread_id, forum_topic_name: created.forum_topic_created.name });
    const edited = messageOf('96-message-forum-topic-edited');
    expect(edited.message_thread_id).toBe(created.message_thread_id);
    expect(rowOf('96-message-forum-topic-edited')).toMatchObject({ message_kind: 'forum_topic_edited', message_thread_id: created.message_thread_id, forum_topic_name: edited.forum_topic_edited.name });
  });

  it('an edit of the icon only gives no name; an ordinary message in a topic carries none', () => {
    expect(rowOf('97-message-forum-topic-edited-icon-only')).toMatchObject({ message_kind: 'forum_topic_edited', forum_topic_name: null });
    expect(rowOf('31-message-topic').forum_topic_name).toBeNull();
  });

  it('the new columns are schema version 3, at the end of telegram', () => {
    const names = telegramTable.columns.map((c) => c.name);
    const v3 = telegramTable.columns.filter((c) => c.since === 3).map((c) => c.name);
    expect(v3).toEqual(expect.arrayContaining(['forward_from_message_id', 'forward_author_signature', 'forum_topic_name']));
    expect(names.slice(-v3.length)).toEqual(v3);
    expect(telegramTable.version).toBe(3);
    // telegram_events gained only the member-count samples' column since (schema version 4).
    expect(telegramEventsTable.columns.filter((c) => c.since > 3).map((c) => [c.name, c.since])).toEqual([['member_count', 4]]);
  });
});

describe('the 2017 samples (test/fixtures/telegram-updates-2017, MIT, kept with their LICENSE)', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'telegram-updates-2017');
  const samples = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))] as const);

  it('the folder keeps its LICENSE and every sample', () => {
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/MIT|Permission is hereby granted/);
    expect(samples.length).toBe(15);
  });

  const messages = samples.filter(([, u]) => u.message);
  it.each(messages)('%s: sender, chat, date, kind, text and media as the update gives them', (file, u) => {
    const m = u.message;
    const { table, row } = flattenUpdate(u, undefined);
    expect(table).toBe('telegram');
    expect(row).toMatchObject({ update_id: u.update_id, message_id: m.message_id, user_id: m.from.id, user_first_name: m.from.first_name, chat_id: m.chat.id, chat_type: m.chat.type, date: m.date, message_ts: new Date(m.date * 1000), text: m.text ?? null, caption: m.caption ?? null });
    const kind = file.replace(/^message_with_|\.json$/g, '');
    expect(row.message_kind).toBe(file.startsWith('message_with_') ? kind : 'text');
    const media = m.audio ?? m.document ?? m.video ?? m.voice ?? m.sticker;
    if (media) expect(row).toMatchObject({ media_file_id: media.file_id, media_file_size: media.file_size ?? null });
    if (m.photo) {
      const largest = [...m.photo].sort((a, b) => b.width * b.height - a.width * a.height)[0];
      expect(row).toMatchObject({ media_file_id: largest.file_id, media_width: largest.width, media_height: largest.height });
    }
    if (m.location) expect(row).toMatchObject({ location_latitude: m.location.latitude, location_longitude: m.location.longitude });
    if (m.reply_to_message) expect(row).toMatchObject({ is_reply: true, reply_to_message_id: m.reply_to_message.message_id, reply_to_user_id: m.reply_to_message.from.id });
    if (m.forward_date) expect(row).toMatchObject({ forward_origin_type: 'user', forward_from_user_id: m.forward_from.id, forward_origin_date: m.forward_date });
  });

  it('edited_message.json: an edit event dated by its edit_date', () => {
    const u = Object.fromEntries(samples)['edited_message.json'];
    expect(flattenUpdate(u, undefined)).toMatchObject({ table: 'telegram_events', row: { event_kind: 'edited_message', event_date: u.edited_message.edit_date, chat_id: u.edited_message.chat.id, chat_type: 'private', text: u.edited_message.text, actor_user_id: u.edited_message.from.id } });
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePointLength, flattenUpdate } from '../../core/flatten';
import { telegramEventsTable, telegramTable, type ColumnType } from '../../schemas';
import { loadFixtures } from '../support/fixtures';

const fixtures = loadFixtures();
const MESSAGE_KINDS = new Set(['message', 'channel_post', 'business_message']);
const jsType: Record<ColumnType, (v: unknown) => boolean> = {
  bigint: (v) => Number.isSafeInteger(v),
  int: (v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31,
  double: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  timestamp: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
};

describe('flattenUpdate over every fixture', () => {
  it.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, f) => {
    const { table, row } = flattenUpdate(f.update as never, 1_780_000_000_000);
    const schema = MESSAGE_KINDS.has(f.kind) ? telegramTable : telegramEventsTable;
    expect(table).toBe(schema.name);
    expect(Object.keys(row).sort()).toEqual(schema.columns.map((c) => c.name).sort());
    for (const c of schema.columns) {
      const v = row[c.name];
      if (v !== null) expect(jsType[c.type](v), `${c.name}=${String(v)}`).toBe(true);
    }
    expect(row.update_id).toBe(f.update_id);
    if (table === 'telegram') {
      expect(row.chat_id).toBe(f.chat_id);
      expect(row.message_kind).toBe(f.message_kind);
      expect(row.date).toBe(f.event_date);
    } else {
      expect(row.event_kind).toBe(f.kind);
      expect(row.event_date).toBe(f.event_date);
      if (f.chat_id !== null) expect(row.chat_id).toBe(f.chat_id);
      if (f.message_kind !== null && f.kind !== 'callback_query') expect(row.message_kind).toBe(f.message_kind);
    }
  });
});

describe('flattenUpdate values', () => {
  const get = (name: string) => fixtures.find((f) => f.file.includes(name))!;

  it('keeps the original columns and counts code points like SQL length()', () => {
    const f = get('02-message-text-unicode');
    const { row } = flattenUpdate(f.update as never, undefined);
    const m = f.update.message as Record<string, any>;
    expect(row).toMatchObject({ message_id: m.message_id, user_id: m.from.id, user_is_bot: false, user_first_name: m.from.first_name, chat_id: m.chat.id, chat_type: m.chat.type, date: m.date, text: m.text });
    expect(row.text_length).toBe([...m.text].length);
    expect(row.received_at).toBeNull();
    expect(row.message_ts).toEqual(new Date(m.date * 1000));
  });

  it('codePointLength counts surrogate pairs once and lone surrogates once', () => {
    expect(codePointLength('a👍🏽b')).toBe(4);
    expect(codePointLength('\ud83d')).toBe(1);
    expect(codePointLength('')).toBe(0);
  });

  it('photo: the largest size, caption separate from text', () => {
    const f = get('06-message-photo-caption');
    const m = f.update.message as Record<string, any>;
    const { row } = flattenUpdate(f.update as never, undefined);
    const largest = [...m.photo].sort((a, b) => b.width * b.height - a.width * a.height)[0];
    expect(row).toMatchObject({ message_kind: 'photo', text: null, caption: m.caption, media_file_id: largest.file_id, media_width: largest.width });
    expect(JSON.parse(row.entity_types as string)).toEqual(m.caption_entities.map((e: { type: string }) => e.type));
  });

  it('forward origin, replies and topics', () => {
    const fwd = flattenUpdate(get('26-message-forward-user').update as never, undefined).row;
    expect(fwd.forward_origin_type).toBe('user');
    expect(fwd.forward_from_user_id).toBe((get('26-message-forward-user').update.message as any).forward_origin.sender_user.id);
    const reply = flattenUpdate(get('24-message-reply').update as never, undefined).row;
    expect(reply.is_reply).toBe(true);
    expect(reply.reply_to_message_id).toBe((get('24-message-reply').update.message as any).reply_to_message.message_id);
    const plain = flattenUpdate(get('01-message-text').update as never, undefined).row;
    expect(plain.is_reply).toBe(false);
  });

  it('a message in a forum topic is not a reply to the topic root', () => {
    const update = { update_id: 1, message: { message_id: 50, date: 1, chat: { id: -100, type: 'supergroup', is_forum: true }, message_thread_id: 40, is_topic_message: true, reply_to_message: { message_id: 40, date: 1, chat: { id: -100, type: 'supergroup' }, forum_topic_created: { name: 't', icon_color: 1 } }, text: 'hi' } };
    const { row } = flattenUpdate(update as never, undefined);
    expect(row).toMatchObject({ is_reply: false, reply_to_message_id: null, message_thread_id: 40, is_topic_message: true });
  });

  it('service messages and member changes', () => {
    const joined = get('36-message-new-chat-members');
    const row = flattenUpdate(joined.update as never, undefined).row;
    const ids = (joined.update.message as any).new_chat_members.map((u: { id: number }) => u.id);
    expect(row).toMatchObject({ message_kind: 'new_chat_members', new_chat_member_count: ids.length, new_chat_member_ids: JSON.stringify(ids) });
    const member = fixtures.find((f) => f.kind === 'chat_member')!;
    const ev = flattenUpdate(member.update as never, undefined).row;
    const p = member.update.chat_member as any;
    expect(ev).toMatchObject({ event_kind: 'chat_member', member_user_id: p.new_chat_member.user.id, old_status: p.old_chat_member.status, new_status: p.new_chat_member.status, actor_user_id: p.from.id });
  });

  it('reactions, edits, boosts and callback queries', () => {
    const r = fixtures.find((f) => f.kind === 'message_reaction')!;
    const p = r.update.message_reaction as any;
    const row = flattenUpdate(r.update as never, undefined).row;
    expect(JSON.parse(row.reactions_new as string)).toHaveLength(p.new_reaction.length);
    expect(row.message_id).toBe(p.message_id);
    const edit = fixtures.find((f) => f.kind === 'edited_message' && f.file.includes('next-day'))!;
    const e = flattenUpdate(edit.update as never, undefined).row;
    expect(e.event_date).toBe((edit.update.edited_message as any).edit_date);
    const boost = fixtures.find((f) => f.kind === 'chat_boost')!;
    expect(flattenUpdate(boost.update as never, undefined).row.boost_id).toBe((boost.update.chat_boost as any).boost.boost_id);
    const cb = fixtures.find((f) => f.kind === 'callback_query' && f.chat_id === null && f.file.includes('inline'))!;
    const c = flattenUpdate(cb.update as never, 1_780_000_000_000).row;
    expect(c.chat_id).toBeNull();
    expect(c.event_date).toBeNull();
    expect(c.event_ts).toEqual(new Date(1_780_000_000_000));
    expect(c.callback_data).toBe((cb.update.callback_query as any).data ?? null);
  });

  it('an unknown future kind becomes an event with its chat', () => {
    const { table, row } = flattenUpdate({ update_id: 5, brand_new_kind: { chat: { id: -100, type: 'supergroup' }, from: { id: 7, is_bot: false, first_name: 'A' } } } as never, 10);
    expect(table).toBe('telegram_events');
    expect(row).toMatchObject({ event_kind: 'brand_new_kind', chat_id: -100, actor_user_id: 7 });
  });
});

describe('forwards from before Bot API 7.0 (forward_from / forward_from_chat / forward_sender_name)', () => {
  const legacy = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'telegram-updates-2017', 'forwarded_message.json'), 'utf8'));
  const withForward = (fields: Record<string, unknown>) => ({ update_id: 5, message: { message_id: 9, chat: { id: -100, type: 'supergroup' }, date: 1_600_000_000, text: 'fwd', ...fields } });

  it('a 2017 forward from a user fills the forward columns as forward_origin would', () => {
    const { row } = flattenUpdate(legacy, undefined);
    expect(row).toMatchObject({
      forward_origin_type: 'user',
      forward_origin_date: legacy.message.forward_date,
      forward_from_user_id: legacy.message.forward_from.id,
      forward_from_chat_id: null,
    });
  });

  it.each([
    [{ forward_from_chat: { id: -1001, type: 'channel', title: 'c' }, forward_from_message_id: 7, forward_date: 1_500_000_000 }, 'channel', null, -1001],
    [{ forward_from_chat: { id: -1002, type: 'supergroup', title: 'g' }, forward_date: 1_500_000_000 }, 'chat', null, -1002],
    [{ forward_sender_name: 'Someone hidden', forward_date: 1_500_000_000 }, 'hidden_user', null, null],
  ])('%j -> %s', (fields, type, user, chat) => {
    const { row } = flattenUpdate(withForward(fields) as never, undefined);
    expect(row).toMatchObject({ forward_origin_type: type, forward_origin_date: 1_500_000_000, forward_from_user_id: user, forward_from_chat_id: chat });
  });

  it('forward_origin wins when both are present (Bot API 7.0 kept no legacy fields, but a bridge might)', () => {
    const { row } = flattenUpdate(withForward({ forward_origin: { type: 'user', date: 1_600_000_001, sender_user: { id: 42 } }, forward_from: { id: 43 }, forward_date: 1 }) as never, undefined);
    expect(row).toMatchObject({ forward_origin_type: 'user', forward_origin_date: 1_600_000_001, forward_from_user_id: 42 });
  });

  it('a message that is no forward has none of it', () => {
    const { row } = flattenUpdate(withForward({}) as never, undefined);
    expect(row).toMatchObject({ forward_origin_type: null, forward_origin_date: null, forward_from_user_id: null, forward_from_chat_id: null });
  });
});

describe('Bot API fields read since schema version 2', () => {
  const msg = (fields: Record<string, unknown>, kind = 'message') => flattenUpdate({ update_id: 7, [kind]: { message_id: 11, chat: { id: -1001, type: 'supergroup' }, date: 1_770_000_000, ...fields } } as never, undefined).row;
  const still = [{ file_id: 'small', file_unique_id: 's', width: 90, height: 90 }, { file_id: 'still', file_unique_id: 'l', width: 1280, height: 1280, file_size: 5 }];

  it('a live photo is described by its own live_photo object, not the still photo that comes with it', () => {
    const row = msg({ live_photo: { file_id: 'LPV', file_unique_id: 'lpv', width: 1080, height: 1920, duration: 3, mime_type: 'video/mp4', file_size: 999 }, photo: still });
    expect(row).toMatchObject({ message_kind: 'live_photo', media_file_id: 'LPV', media_width: 1080, media_height: 1920, media_duration: 3, media_mime_type: 'video/mp4', media_file_size: 999 });
  });

  it('paid media: the first item (its video, or the preview before purchase)', () => {
    const video = msg({ paid_media: { star_count: 50, paid_media: [{ type: 'video', video: { file_id: 'PV', file_unique_id: 'pv', width: 1920, height: 1080, duration: 60, mime_type: 'video/mp4' } }] }, caption: 'paid' });
    expect(video).toMatchObject({ message_kind: 'paid_media', media_file_id: 'PV', media_width: 1920, media_height: 1080, media_duration: 60, caption: 'paid' });
    const photo = msg({ paid_media: { star_count: 5, paid_media: [{ type: 'photo', photo: still }] } });
    expect(photo).toMatchObject({ media_file_id: 'still', media_width: 1280 });
    const preview = msg({ paid_media: { star_count: 5, paid_media: [{ type: 'preview', width: 100, height: 50, duration: 5 }] } });
    expect(preview).toMatchObject({ media_file_id: null, media_width: 100, media_height: 50, media_duration: 5 });
  });

  it('an ephemeral message keeps its own id and receiver (its message_id is 0)', () => {
    const row = msg({ message_id: 0, ephemeral_message_id: 5, receiver_user: { id: 4242, is_bot: false, first_name: 'R' }, text: 'psst' });
    expect(row).toMatchObject({ message_id: 0, ephemeral_message_id: 5, receiver_user_id: 4242 });
    expect(msg({ text: 'plain' })).toMatchObject({ ephemeral_message_id: null, receiver_user_id: null });
  });

  it("a channel's direct-messages chat and its topic; a business message's bot", () => {
    const dm = flattenUpdate({ update_id: 8, message: { message_id: 3, chat: { id: -1002, type: 'supergroup', is_direct_messages: true }, date: 1_770_000_000, direct_messages_topic: { topic_id: 444 }, text: 'hi' } } as never, undefined).row;
    expect(dm).toMatchObject({ direct_messages_topic_id: 444, chat_is_direct_messages: true, message_thread_id: null });
    const business = msg({ business_connection_id: 'bc', sender_business_bot: { id: 777, is_bot: true, first_name: 'Bot' }, text: 'on behalf' }, 'business_message');
    expect(business).toMatchObject({ update_kind: 'business_message', sender_business_bot_id: 777, business_connection_id: 'bc' });
  });

  it("an external reply names the replied message's chat, never its origin's", () => {
    expect(msg({ text: 'r', external_reply: { origin: { type: 'channel', chat: { id: -1999 }, message_id: 1, date: 1 } } })).toMatchObject({ is_reply: true, external_reply_chat_id: null });
    expect(msg({ text: 'r', external_reply: { origin: { type: 'channel', chat: { id: -1999 }, message_id: 1, date: 1 }, chat: { id: -1888, type: 'channel' } } })).toMatchObject({ external_reply_chat_id: -1888 });
  });

  it('a restricted member leaving shows in new_is_member; poll answers keep persistent option ids', () => {
    const left = flattenUpdate({ update_id: 9, chat_member: { chat: { id: -1001, type: 'supergroup' }, from: { id: 1 }, date: 1_770_000_000, old_chat_member: { status: 'restricted', is_member: true, user: { id: 2 } }, new_chat_member: { status: 'restricted', is_member: false, user: { id: 2 } } } } as never, undefined).row;
    expect(left).toMatchObject({ old_status: 'restricted', new_status: 'restricted', old_is_member: true, new_is_member: false, member_user_id: 2 });
    const folder = flattenUpdate({ update_id: 12, chat_member: { chat: { id: -1001, type: 'supergroup' }, from: { id: 2 }, date: 1_770_000_000, old_chat_member: { status: 'left', user: { id: 2 } }, new_chat_member: { status: 'member', user: { id: 2 } }, via_chat_folder_invite_link: true } } as never, undefined).row;
    expect(folder).toMatchObject({ via_chat_folder_invite_link: true, new_status: 'member' });
    const query = flattenUpdate({ update_id: 13, inline_query: { id: 'q', from: { id: 3 }, query: 'cats', offset: '', chat_type: 'supergroup' } } as never, undefined).row;
    expect(query).toMatchObject({ chat_type: 'supergroup', chat_id: null, text: 'cats' });
    const answer = (extra: Record<string, unknown>) => flattenUpdate({ update_id: 10, poll_answer: { poll_id: 'p', user: { id: 3 }, option_ids: [0, 2], ...extra } } as never, undefined).row;
    expect(answer({ option_persistent_ids: ['a', 'c'] })).toMatchObject({ poll_option_ids: '[0,2]', poll_option_persistent_ids: '["a","c"]' });
    expect(answer({})).toMatchObject({ poll_option_persistent_ids: null });
  });

  it('a business connection says whether it is on now and when it began, dated by its arrival', () => {
    const { row } = flattenUpdate({ update_id: 11, business_connection: { id: 'bc', user: { id: 5 }, user_chat_id: 5, date: 1_700_000_000, is_enabled: false } } as never, 1_780_000_000_000);
    expect(JSON.parse(row.payload as string)).toEqual({ is_enabled: false, connection_date: 1_700_000_000 });
    expect(row).toMatchObject({ event_date: null, business_connection_id: 'bc' });
    expect((row.event_ts as Date).getTime()).toBe(1_780_000_000_000);
  });
});

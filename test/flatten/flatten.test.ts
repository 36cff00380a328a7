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

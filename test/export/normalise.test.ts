import { describe, expect, it } from 'vitest';
import { resolveSender, parsePeerRef, botChatId, botChatType } from '../../core/export/chat';
import { ChatNormaliser, plainText, type ExportRecord } from '../../core/export/normalise';
import { exportLine } from '../../core/export/import';
import { looksLikeExport } from '../../core/export/detect';
import { flattenExport } from '../../core/flatten/export';
import { MESSAGE_KIND_PRIORITY } from '../../core/flatten';
import { parseRawLine, parseRawRecord } from '../../core/raw-records';
import { prepareRecord } from '../../core/replay/records';
import { parseUpdateFile } from '../../core/ingest-files';
import { telegramTable } from '../../schemas';
import { accountExport, chatExport, dated, EXPORTER_OFFSET_MINUTES } from '../support/tdesktop-export';

const T = 1773500000;
const SG = { index: 0, section: 'root' as const, name: 'G', type: 'private_supergroup', id: 1987654321 };
const rowOf = (m: Record<string, unknown>, meta: typeof SG | Record<string, unknown> = SG) => {
  const n = new ChatNormaliser(meta as typeof SG);
  const [record] = n.push({ id: 5, type: 'message', ...dated(T), ...m });
  return { record: record!, row: flattenExport(record as unknown as Parameters<typeof flattenExport>[0]) };
};

describe('export chats and senders', () => {
  it('maps every chat type of the writer to the Bot API type and id', () => {
    const cases: Array<[string, number, string, number]> = [
      ['private_group', 123, 'group', -123],
      ['private_supergroup', 1234567890, 'supergroup', -1001234567890],
      ['public_supergroup', 1234567890, 'supergroup', -1001234567890],
      ['private_channel', 42, 'channel', -1000000000042],
      ['public_channel', 42, 'channel', -1000000000042],
      ['personal_chat', 777, 'private', 777],
      ['bot_chat', 888, 'private', 888],
      ['saved_messages', 42, 'private', 42],
      ['replies', 1271266957, 'private', 1271266957],
      ['verification_codes', 489000, 'private', 489000],
    ];
    for (const [type, bare, botType, id] of cases) {
      expect(botChatType(type)).toBe(botType);
      expect(botChatId(botChatType(type), bare)).toBe(id);
    }
    expect(botChatType('something_new')).toBeUndefined();
  });

  it('from_id peers: user, channel, chat; placeholders as the live path gives them', () => {
    expect(parsePeerRef('user5')).toEqual({ kind: 'user', bare: 5, id: 5 });
    expect(parsePeerRef('channel5')).toEqual({ kind: 'channel', bare: 5, id: -1000000000005 });
    expect(parsePeerRef('chat5')).toEqual({ kind: 'chat', bare: 5, id: -5 });
    expect(parsePeerRef('user')).toBeUndefined();
    expect(parsePeerRef(5)).toBeUndefined();
    const sg = -1001987654321;
    expect(resolveSender('channel1987654321', 'G', sg, 'supergroup', false)).toMatchObject({ user_id: 1087968824, user_first_name: 'Group', user_is_bot: true, sender_chat_id: sg, placeholder: 'anonymous_admin' });
    expect(resolveSender('channel42', 'News', sg, 'supergroup', true)).toMatchObject({ user_id: 777000, user_first_name: 'Telegram', user_is_bot: false, sender_chat_id: -1000000000042, is_automatic_forward: true });
    expect(resolveSender('channel42', 'News', sg, 'supergroup', false)).toMatchObject({ user_id: 136817688, sender_chat_id: -1000000000042, placeholder: 'channel' });
    expect(resolveSender('channel42', 'News', -1000000000042, 'channel', false)).toEqual({ sender_chat_id: -1000000000042, sender_chat_title: 'News' });
    expect(resolveSender('user9', 'Nine', sg, 'supergroup', false)).toEqual({ user_id: 9, user_first_name: 'Nine' });
    expect(resolveSender(undefined, 'Deleted', sg, 'supergroup', false)).toEqual({ user_first_name: 'Deleted' });
  });
});

describe('export messages -> normalised records -> telegram rows', () => {
  it('text as a string or parts; entities renamed to the Bot API\'s; dates from date_unixtime as strings', () => {
    expect(plainText(['a', { type: 'bold', text: 'b' }, { type: 'x' }, 3])).toBe('ab');
    const { record, row } = rowOf({ from: 'Ana', from_id: 'user11', text: ['go ', { type: 'link', text: 'http://x' }, ' ', { type: 'mention_name', text: 'Bo', user_id: 12 }], text_entities: [{ type: 'plain', text: 'go ' }, { type: 'link', text: 'http://x' }, { type: 'mention_name', text: 'Bo', user_id: 12 }], edited: '2026-03-14T20:00:00', edited_unixtime: String(T + 100) });
    expect(record.message).toMatchObject({ id: 5, export_id: 5, date: T, edit_date: T + 100, text: 'go http://x Bo', exporter_utc_offset_minutes: EXPORTER_OFFSET_MINUTES });
    expect(row).toMatchObject({ text: 'go http://x Bo', text_length: 14, entity_count: 2, entity_types: '["url","text_mention"]', user_id: 11, date: T, edit_date: T + 100, message_kind: 'text', source: 'export', update_id: null, received_at: null });
  });

  it('every media type of the writer becomes the live kind, with its sizes; the text of media is the caption', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ photo: 'photos/1.jpg', photo_file_size: 100, width: 10, height: 20 }, 'photo'],
      [{ file: 'stickers/s.webp', media_type: 'sticker', sticker_emoji: '😀', width: 512, height: 512 }, 'sticker'],
      [{ file: 'voice/v.ogg', media_type: 'voice_message', mime_type: 'audio/ogg', duration_seconds: 3 }, 'voice'],
      [{ file: 'round/r.mp4', media_type: 'video_message', duration_seconds: 5 }, 'video_note'],
      [{ file: 'a.mp4', media_type: 'animation', width: 5, height: 5 }, 'animation'],
      [{ file: 'v.mp4', media_type: 'video_file', mime_type: 'video/mp4', duration_seconds: 9, width: 1280, height: 720 }, 'video'],
      [{ file: 'a.mp3', media_type: 'audio_file', performer: 'P', title: 'T' }, 'audio'],
      [{ file: 'doc.pdf', file_name: 'doc.pdf', file_size: 2048, mime_type: 'application/pdf' }, 'document'],
      [{ file: '(File not included. Change data exporting settings to download.)', file_size: 5, mime_type: 'x/y' }, 'document'],
      [{ poll: { question: 'Q?', closed: false, total_voters: 3, answers: [{ text: 'a', voters: 1, chosen: false }, { text: 'b', voters: 2, chosen: true }] } }, 'poll'],
      [{ contact_information: { first_name: 'A', last_name: '', phone_number: '+1' } }, 'contact'],
      [{ location_information: { latitude: -34.6, longitude: -58.4 } }, 'location'],
      [{ location_information: { latitude: 1, longitude: 2 }, live_location_period_seconds: 900 }, 'location'],
      [{ place_name: 'Cafe', address: 'Street 1', location_information: { latitude: 1, longitude: 2 } }, 'venue'],
      [{ game_title: 'G', game_description: 'd' }, 'game'],
      [{ invoice_information: { title: 't', description: 'd', amount: 100, currency: 'USD' } }, 'invoice'],
      [{ giveaway_information: { quantity: 1, months: 3 } }, 'giveaway'],
      [{ giveaway_results: { winners: [1] } }, 'giveaway_winners'],
      [{ paid_stars_amount: 50 }, 'paid_media'],
      [{ todo_list: { title: 't', answers: [] } }, 'checklist'],
      [{}, 'text'],
    ];
    for (const [fields, kind] of cases) {
      const { row } = rowOf({ from: 'A', from_id: 'user1', ...fields, text: 'words', text_entities: [{ type: 'plain', text: 'words' }] });
      expect(row.message_kind, JSON.stringify(fields)).toBe(kind);
      expect(MESSAGE_KIND_PRIORITY).toContain(kind);
      const caption = !['text', 'poll', 'contact', 'location', 'venue', 'game', 'invoice', 'giveaway', 'giveaway_winners', 'checklist'].includes(kind);
      expect([row.text, row.caption], kind).toEqual(caption ? [null, 'words'] : ['words', null]);
    }
    expect(rowOf({ photo: 'p.jpg', photo_file_size: 100, width: 10, height: 20, media_spoiler: true, text: '' }).row).toMatchObject({ media_file_size: 100, media_width: 10, media_height: 20, has_media_spoiler: true, caption: null });
    expect(rowOf({ file: 'v.mp4', media_type: 'video_file', mime_type: 'video/mp4', duration_seconds: 9, file_size: 99, file_name: 'v.mp4', text: '' }).row).toMatchObject({ media_mime_type: 'video/mp4', media_duration: 9, media_file_size: 99, media_file_name: 'v.mp4' });
    expect(rowOf({ poll: { question: [{ type: 'bold', text: 'Q' }, '?'], answers: [{}, {}, {}] }, text: '' }).row).toMatchObject({ poll_question: 'Q?', poll_option_count: 3 });
    expect(rowOf({ file: 's.webp', media_type: 'sticker', sticker_emoji: '😀', text: '' }).row).toMatchObject({ sticker_emoji: '😀' });
    expect(rowOf({ location_information: { latitude: -34.6, longitude: -58.4 }, text: '' }).row).toMatchObject({ location_latitude: -34.6, location_longitude: -58.4 });
  });

  it('every service action of the writer becomes the live service kind (unknown ones: other)', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ action: 'create_group', title: 'G', members: ['A', 'B'] }, 'group_chat_created'],
      [{ action: 'create_channel', title: 'C' }, 'channel_chat_created'],
      [{ action: 'edit_group_title', title: 'New' }, 'new_chat_title'],
      [{ action: 'edit_group_photo', photo: 'p.jpg' }, 'new_chat_photo'],
      [{ action: 'delete_group_photo' }, 'delete_chat_photo'],
      [{ action: 'invite_members', members: ['B', 'C'] }, 'new_chat_members'],
      [{ action: 'join_group_by_link', inviter: 'Ana' }, 'new_chat_members'],
      [{ action: 'join_group_by_request' }, 'new_chat_members'],
      [{ action: 'remove_members', members: ['B'] }, 'left_chat_member'],
      [{ action: 'migrate_to_supergroup' }, 'migrate_to_chat_id'],
      [{ action: 'migrate_from_group', title: 'G' }, 'migrate_from_chat_id'],
      [{ action: 'pin_message', message_id: 3 }, 'pinned_message'],
      [{ action: 'set_messages_ttl', period: 86400 }, 'message_auto_delete_timer_changed'],
      [{ action: 'topic_created', title: 'T' }, 'forum_topic_created'],
      [{ action: 'topic_edit', new_title: 'T2' }, 'forum_topic_edited'],
      [{ action: 'group_call' }, 'video_chat_started'],
      [{ action: 'group_call', duration: 60 }, 'video_chat_ended'],
      [{ action: 'group_call_scheduled', schedule_date: T }, 'video_chat_scheduled'],
      [{ action: 'invite_to_group_call', members: ['B'] }, 'video_chat_participants_invited'],
      [{ action: 'boost_apply', boosts: 2 }, 'boost_added'],
      [{ action: 'send_payment', amount: 1, currency: 'USD' }, 'successful_payment'],
      [{ action: 'refunded_payment', amount: 1 }, 'refunded_payment'],
      [{ action: 'proximity_reached', distance: 5 }, 'proximity_alert_triggered'],
      [{ action: 'allow_sending_messages', reason_domain: 'x.org' }, 'connected_website'],
      [{ action: 'allow_sending_messages', reason_app_id: 1 }, 'write_access_allowed'],
      [{ action: 'web_app_bot_allowed' }, 'write_access_allowed'],
      [{ action: 'attach_menu_bot_allowed' }, 'write_access_allowed'],
      [{ action: 'send_passport_values', values: [] }, 'passport_data'],
      [{ action: 'send_webview_data', text: 'x' }, 'web_app_data'],
      [{ action: 'requested_peer', button_id: 1, peers: [] }, 'users_shared'],
      [{ action: 'set_chat_wallpaper', message_id: 1 }, 'chat_background_set'],
      [{ action: 'set_same_chat_wallpaper' }, 'chat_background_set'],
      [{ action: 'giveaway_launch' }, 'giveaway_created'],
      [{ action: 'giveaway_results', winners: 1 }, 'giveaway_completed'],
      [{ action: 'send_star_gift', gift_id: 1 }, 'gift'],
      [{ action: 'paid_messages_price_change', price_stars: 5 }, 'paid_message_price_changed'],
      [{ action: 'todo_completions', completed: [1], incompleted: [] }, 'checklist_tasks_done'],
      [{ action: 'todo_append_tasks', items: [] }, 'checklist_tasks_added'],
      [{ action: 'process_suggested_post', rejected: true }, 'suggested_post_declined'],
      [{ action: 'process_suggested_post', price_amount_whole: '1' }, 'suggested_post_approved'],
      [{ action: 'suggested_post_success' }, 'suggested_post_paid'],
      [{ action: 'suggested_post_refund' }, 'suggested_post_refunded'],
      [{ action: 'clear_history' }, 'other'],
      [{ action: 'phone_call', duration_seconds: 5, discard_reason: 'hangup' }, 'other'],
      [{ action: 'take_screenshot' }, 'other'],
      [{ action: 'score_in_game', game_message_id: 1, score: 5 }, 'other'],
      [{ action: 'joined_telegram' }, 'other'],
      [{ action: 'a_future_action', whatever: { nested: [1] } }, 'other'],
      [{ information_text: 'custom' }, 'other'],
    ];
    for (const [fields, kind] of cases) {
      const { record, row } = rowOf({ type: 'service', actor: 'Ana', actor_id: 'user11', ...fields, text: '', text_entities: [] });
      expect(row.message_kind, JSON.stringify(fields)).toBe(kind);
      expect(kind === 'other' || MESSAGE_KIND_PRIORITY.includes(kind)).toBe(true);
      expect(row.user_id).toBe(11);
      // Unknown fields are kept in the record.
      for (const key of Object.keys(fields)) expect(record.message).toHaveProperty(key);
    }
    expect(rowOf({ type: 'service', actor: 'Ana', actor_id: 'user11', action: 'edit_group_title', title: 'New' }).row.new_chat_title).toBe('New');
    expect(rowOf({ type: 'service', actor: 'Ana', actor_id: 'user11', action: 'pin_message', message_id: 3 }).row.pinned_message_id).toBe(3);
    expect(rowOf({ type: 'service', actor: 'Bo', actor_id: 'user12', action: 'join_group_by_link', inviter: 'Ana' }).row).toMatchObject({ new_chat_member_ids: '[12]', new_chat_member_count: 1 });
    expect(rowOf({ type: 'service', actor: 'Bo', actor_id: 'user12', action: 'remove_members', members: ['Bo'] }).row.left_chat_member_id).toBe(12);
    expect(rowOf({ type: 'service', actor: 'Ana', actor_id: 'user11', action: 'invite_members', members: ['B', 'C', null] }).row).toMatchObject({ new_chat_member_count: 3, new_chat_member_ids: null });
  });

  it('forum topics: a reply to a topic root is a topic message, a reply to a message in a topic is a reply in that topic (as live)', () => {
    const n = new ChatNormaliser(SG);
    const out = [
      ...n.push({ id: 100, type: 'service', ...dated(T), actor: 'A', actor_id: 'user1', action: 'topic_created', title: 'Bugs' }),
      ...n.push({ id: 101, type: 'message', ...dated(T + 1), from: 'A', from_id: 'user1', reply_to_message_id: 100, text: 'in the topic' }),
      ...n.push({ id: 102, type: 'message', ...dated(T + 2), from: 'B', from_id: 'user2', reply_to_message_id: 101, text: 'a real reply' }),
    ].map((r) => flattenExport(r as unknown as Parameters<typeof flattenExport>[0]));
    expect(out[0]!.forum_topic_name).toBe('Bugs');
    expect(out.map((r) => [r.message_thread_id, r.is_topic_message, r.is_reply, r.reply_to_message_id])).toEqual([
      [100, true, false, null],
      [100, true, false, null],
      [100, true, true, 101],
    ]);
    expect(out.map((r) => r.chat_is_forum)).toEqual([true, true, true]);
  });

  it('reactions with recent reactors, their local dates turned into unix time by the exporter\'s offset', () => {
    const { row } = rowOf({
      from: 'A',
      from_id: 'user1',
      text: 'x',
      reactions: [
        { type: 'emoji', count: 3, emoji: '👍', recent: [{ from: 'B', from_id: 'user2', date: dated(T + 30).date }, { from: 'C', from_id: 'channel9', date: dated(T + 40).date }] },
        { type: 'custom_emoji', count: 1, document_id: '5368324170671202286' },
        { type: 'paid', count: 10 },
      ],
    });
    expect(JSON.parse(row.reaction_counts as string)).toEqual({ '👍': 3, 'custom:5368324170671202286': 1, paid: 10 });
    expect(row.reaction_total_count).toBe(14);
    expect(JSON.parse(row.recent_reactions as string)).toEqual([
      { user_id: 2, reaction: '👍', date: T + 30 },
      { chat_id: -1000000000009, reaction: '👍', date: T + 40 },
    ]);
  });

  it('an unsupported message has no date: it takes the previous message\'s (or the next one\'s when first)', () => {
    const n = new ChatNormaliser(SG);
    expect(n.push({ id: 1, type: 'unsupported' })).toEqual([]);
    const first = n.push({ id: 2, type: 'message', ...dated(T), from: 'A', from_id: 'user1', text: 'x' });
    expect(first.map((r) => [r.message.id, r.message.date, r.message.date_estimated])).toEqual([
      [1, T, true],
      [2, T, undefined],
    ]);
    expect(n.push({ id: 3, type: 'unsupported' }).map((r) => [r.message.id, r.message.date, r.message.type, flattenExport(r as never).message_kind])).toEqual([[3, T, 'unsupported', 'other']]);
    expect(n.push('not an object')).toEqual([]);
    expect(n.push({ type: 'message' })).toEqual([]);
    expect(n.skippedCount).toBe(2);
    const only = new ChatNormaliser(SG);
    only.push({ id: 1, type: 'unsupported' });
    expect(only.finish()).toBe(1);
  });

  it('flattening is total over odd payloads: fields of the wrong type are null, never a throw, every column set', () => {
    const odd = [{}, { text: 5, text_entities: 'x', reactions: [null, 1, { recent: 'x' }], poll: { answers: 'x' }, sender: 'x', date: 'x' }, { type: 'service', action: 5, members: 'x' }];
    for (const m of odd) {
      const row = flattenExport({ chat: { id: 1 }, message: { id: 1, date: 1, ...m } } as never);
      expect(Object.keys(row).sort()).toEqual(telegramTable.columns.map((c) => c.name).sort());
    }
  });
});

describe('export records in the raw layer', () => {
  const record = (): ExportRecord => new ChatNormaliser(SG).push({ id: 7, type: 'message', ...dated(T), from: 'A', from_id: 'user1', text: 'line\nbreak' })[0]!;

  it('one JSON line with received_at and context_date first; read back as an export record, not as an update', () => {
    const { line, contextDate } = exportLine(record(), -180);
    expect(line).not.toContain('\n');
    expect(line.startsWith(`{"received_at":${T * 1000},"context_date":"${contextDate}","export":{"chat":{"id":-1001987654321`)).toBe(true);
    expect(contextDate).toBe(new Date((T - 3 * 3600) * 1000).toISOString().slice(0, 10));
    const read = parseRawLine(line);
    expect(read).toMatchObject({ ok: true, contextDate, export: { chat: { id: -1001987654321, type: 'supergroup' }, message: { id: 7, date: T, text: 'line\nbreak' } } });
    expect(parseRawRecord(line)).toMatchObject({ ok: false, reason: 'export_record' });
    expect(parseRawLine(line.replace('"id":7', '"id":"7"'))).toMatchObject({ ok: false, reason: 'bad_export' });
  });

  it('replay stream passes it through unchanged; one without a usable day gets its message\'s', () => {
    const { line, contextDate } = exportLine(record(), -180);
    expect(prepareRecord(line, 0, -180)).toEqual({ ok: true, kind: 'export', line: `${line}\n`, bytes: Buffer.byteLength(line) + 1, contextDate, updateId: undefined });
    const undated = JSON.stringify({ export: JSON.parse(line).export, context_date: 'soon' });
    expect(prepareRecord(undated, 5, -180)).toMatchObject({ ok: true, kind: 'rebuilt', contextDate });
  });

  it('tgpipe ingest recognises an export (either shape) and points to tgpipe import', () => {
    const chat = chatExport({ name: 'G', type: 'private_supergroup', id: 1, messages: [{ id: 1, type: 'message', ...dated(T), text: 'a\u0001' }] });
    const account = accountExport([{ name: 'G', type: 'private_group', id: 1, messages: [] }]);
    for (const text of [chat, account, `\uFEFF${chat}`]) {
      expect(looksLikeExport(text)).toBe(true);
      const r = parseUpdateFile(text, 'result.json');
      expect(r.updates).toEqual([]);
      expect(r.rejected).toEqual([{ where: 'result.json', reason: expect.stringContaining('tgpipe import') }]);
    }
    expect(looksLikeExport('{"update_id":1,"message":{}}')).toBe(false);
    expect(looksLikeExport('{"ok":true,"result":[]}')).toBe(false);
  });
});

describe('privacy on export rows', () => {
  it('a stricter deployment mode and the erasure register apply to export rows as to live ones', async () => {
    const { applyPolicyToExportRow } = await import('../../core/privacy/export-row');
    const { createPseudonymizer, generatePseudonymKey, isPseudonym } = await import('../../core/privacy/pseudonym');
    const { createMatcher } = await import('../../core/privacy/erasure');
    const { row } = rowOf({ from: 'Ana', from_id: 'user11', author: 'Sig', text: 'secret words', reactions: [{ type: 'emoji', count: 2, emoji: '👍', recent: [{ from: 'B', from_id: 'user2', date: dated(T).date }, { from: 'C', from_id: 'user3', date: dated(T).date }] }] });
    const full = applyPolicyToExportRow(row, { mode: 'full' });
    expect(full).toMatchObject({ keep: true, mode: 'full', row: { text: 'secret words', user_id: 11, data_mode: 'full' } });
    const noText = applyPolicyToExportRow(row, { mode: 'no-text' });
    expect(noText).toMatchObject({ keep: true, row: { text: null, author_signature: null, text_length: 12, user_id: 11, user_first_name: 'Ana', data_mode: 'no-text' } });
    const p = createPseudonymizer(generatePseudonymKey());
    const pseudo = applyPolicyToExportRow(row, { mode: 'pseudonymous', pseudonymize: p, erased: createMatcher([3], []) });
    if (!pseudo.keep) throw new Error('dropped');
    expect(pseudo.row).toMatchObject({ text: null, user_first_name: null, user_id: p(11), data_mode: 'pseudonymous' });
    expect(isPseudonym(pseudo.row.user_id as number)).toBe(true);
    expect(JSON.parse(pseudo.row.recent_reactions as string)).toEqual([{ user_id: p(2), reaction: '👍', date: T }]);
    expect(applyPolicyToExportRow(row, { mode: 'full', erased: createMatcher([11], []) })).toEqual({ keep: false });
    expect(applyPolicyToExportRow(row, { mode: 'full', erased: createMatcher([], [-1001987654321]) })).toEqual({ keep: false });
  });

  it('tgpipe import refuses to run under a data mode other than full', async () => {
    const { runImport } = await import('../../cli/commands/import');
    const io = { stdout: () => {}, stderr: () => {}, env: { DATA_MODE: 'no-text' } as NodeJS.ProcessEnv };
    await expect(runImport({ files: ['x.json'], data: 'unused' }, io)).rejects.toThrow(/DATA_MODE is no-text/);
  });
});

describe('columns only export rows fill', () => {
  it('are filled by flattenExport', async () => {
    const { EXPORT_ONLY_COLUMNS } = await import('../../core/flatten/export');
    const { row } = rowOf({ from: 'A', from_id: 'user1', text: 'x', reactions: [{ type: 'emoji', count: 1, emoji: '👍', recent: [{ from: 'B', from_id: 'user2', date: dated(T).date }] }] });
    for (const c of EXPORT_ONLY_COLUMNS) expect(row[c], c).not.toBeNull();
  });
});

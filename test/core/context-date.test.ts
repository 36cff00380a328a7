import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, contextDateOf, dateInOffset, dateRange, formatUtcOffset, isIsoDate, parseUtcOffset } from '../../core/context-date';

const BRT = -180; // -03:00
const at = (iso: string): number => Date.parse(iso) / 1000;

describe('parseUtcOffset', () => {
  it.each([
    ['-03:00', -180],
    ['+05:30', 330],
    ['+0000', 0],
    ['Z', 0],
    ['UTC', 0],
    ['-12:00', -720],
  ])('%s -> %d minutes', (text, minutes) => expect(parseUtcOffset(text)).toBe(minutes));

  it.each(['-3', '03:00', '+25:00', '+05:61', 'BRT', ''])('rejects %j', (text) => expect(() => parseUtcOffset(text)).toThrow(/invalid UTC offset/));

  it('round-trips through formatUtcOffset', () => {
    for (const m of [-720, -180, 0, 330, 345, 840]) expect(parseUtcOffset(formatUtcOffset(m))).toBe(m);
  });
});

describe('contextDateOf: each kind uses its own event date', () => {
  // 2026-03-10 01:30 UTC is still 2026-03-09 at -03:00.
  const lateEvening = at('2026-03-10T01:30:00Z');
  const received = Date.parse('2026-03-12T12:00:00Z');
  const cases: Array<[string, Record<string, unknown>]> = [
    ['message', { update_id: 1, message: { message_id: 1, date: lateEvening, chat: { id: -1 } } }],
    ['channel_post', { update_id: 1, channel_post: { message_id: 1, date: lateEvening, chat: { id: -1 } } }],
    ['business_message', { update_id: 1, business_message: { message_id: 1, date: lateEvening, chat: { id: 5 } } }],
    ['edited_message uses edit_date', { update_id: 1, edited_message: { message_id: 1, date: at('2026-01-01T12:00:00Z'), edit_date: lateEvening, chat: { id: -1 } } }],
    ['message_reaction', { update_id: 1, message_reaction: { chat: { id: -1 }, message_id: 3, date: lateEvening, old_reaction: [], new_reaction: [] } }],
    ['message_reaction_count', { update_id: 1, message_reaction_count: { chat: { id: -1 }, message_id: 3, date: lateEvening, reactions: [] } }],
    ['chat_member', { update_id: 1, chat_member: { chat: { id: -1 }, date: lateEvening } }],
    ['my_chat_member', { update_id: 1, my_chat_member: { chat: { id: -1 }, date: lateEvening } }],
    ['chat_join_request', { update_id: 1, chat_join_request: { chat: { id: -1 }, date: lateEvening } }],
    ['chat_boost uses boost.add_date', { update_id: 1, chat_boost: { chat: { id: -1 }, boost: { boost_id: 'b', add_date: lateEvening, expiration_date: lateEvening + 86400 } } }],
    ['removed_chat_boost uses remove_date', { update_id: 1, removed_chat_boost: { chat: { id: -1 }, boost_id: 'b', remove_date: lateEvening } }],
  ];
  it.each(cases)('%s', (_name, update) => {
    expect(contextDateOf(update, received, BRT)).toBe('2026-03-09');
    expect(contextDateOf(update, received, 0)).toBe('2026-03-10');
  });

  const undated: Array<[string, Record<string, unknown>]> = [
    ['callback_query (message date is not the click)', { update_id: 1, callback_query: { id: 'q', from: { id: 1 }, message: { message_id: 1, date: lateEvening, chat: { id: -1 } } } }],
    ['inline_query', { update_id: 1, inline_query: { id: 'q', from: { id: 1 }, query: 'x' } }],
    ['poll', { update_id: 1, poll: { id: 'p' } }],
    ['business_connection (its date is when the connection began; it also comes on disable or edit)', { update_id: 1, business_connection: { id: 'c', user_chat_id: 5, date: lateEvening, is_enabled: false } }],
    ['poll_answer', { update_id: 1, poll_answer: { poll_id: 'p', option_ids: [] } }],
    ['deleted_business_messages', { update_id: 1, deleted_business_messages: { business_connection_id: 'c', chat: { id: 5 }, message_ids: [1] } }],
    ['a date of 0 (inaccessible message)', { update_id: 1, message: { message_id: 1, date: 0, chat: { id: -1 } } }],
    ['an unknown future kind', { update_id: 1, some_new_kind: { chat: { id: -1 }, date: lateEvening } }],
    ['no kind at all', { update_id: 1 }],
    ['a date past year 9999', { update_id: 1, message: { message_id: 1, date: 253_402_300_800, chat: { id: -1 } } }],
    ['a date beyond what JavaScript can hold', { update_id: 1, message: { message_id: 1, date: 1e13, chat: { id: -1 } } }],
    ['a fractional date', { update_id: 1, message: { message_id: 1, date: lateEvening + 0.5, chat: { id: -1 } } }],
    ['a negative date', { update_id: 1, message: { message_id: 1, date: -lateEvening, chat: { id: -1 } } }],
    ['a date that is a string', { update_id: 1, message: { message_id: 1, date: String(lateEvening), chat: { id: -1 } } }],
  ];
  it.each(undated)('%s falls back to received_at', (_name, update) => {
    expect(contextDateOf(update, received, BRT)).toBe('2026-03-12');
  });

  it('the last nameable day still counts as the event date', () => {
    expect(contextDateOf({ update_id: 1, message: { message_id: 1, date: 253_402_300_799, chat: { id: -1 } } }, received, 0)).toBe('9999-12-31');
  });

  it('unparsed bodies use received_at', () => {
    expect(contextDateOf(undefined, Date.parse('2026-03-10T02:59:59Z'), BRT)).toBe('2026-03-09');
    expect(contextDateOf(undefined, Date.parse('2026-03-10T03:00:00Z'), BRT)).toBe('2026-03-10');
  });
});

describe('dates', () => {
  it('dateInOffset (which keeps the last day it formatted) equals formatting every instant afresh', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -2_000_000_000_000, max: 8_000_000_000_000 }), fc.integer({ min: -720, max: 840 })), { minLength: 1, maxLength: 30 }), (instants) => {
        for (const [ms, offset] of instants) {
          expect(dateInOffset(ms, offset)).toBe(new Date(ms + offset * 60_000).toISOString().slice(0, 10));
          // The same day again, and the instant just before its midnight.
          const midnight = Math.floor((ms + offset * 60_000) / 86_400_000) * 86_400_000 - offset * 60_000;
          expect(dateInOffset(midnight, offset)).toBe(new Date(midnight + offset * 60_000).toISOString().slice(0, 10));
          expect(dateInOffset(midnight - 1, offset)).toBe(new Date(midnight - 1 + offset * 60_000).toISOString().slice(0, 10));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('dateInOffset crosses midnight at the offset', () => {
    expect(dateInOffset(Date.parse('2026-01-01T02:59:59.999Z'), BRT)).toBe('2025-12-31');
    expect(dateInOffset(Date.parse('2026-01-01T03:00:00Z'), BRT)).toBe('2026-01-01');
    expect(dateInOffset(Date.parse('2026-01-01T18:30:00Z'), 330)).toBe('2026-01-02');
  });
  it('isIsoDate rejects impossible dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('20250101')).toBe(false);
  });
  it('dateRange is inclusive and checks order', () => {
    expect(dateRange('2025-12-30', '2026-01-02')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(dateRange('2026-01-01', '2026-01-01')).toEqual(['2026-01-01']);
    expect(() => dateRange('2026-01-02', '2026-01-01')).toThrow(/after/);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});

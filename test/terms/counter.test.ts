import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermCounter } from '../../core/terms';
import type { TermKind } from '../../schemas';

type Message = { chat: number | null; user: number | null; terms: Array<[TermKind, string]> };

/** The same counts by the obvious method: a Map of composite keys. */
function expected(messages: Message[]) {
  const counts = new Map<string, { chat_id: number | null; user_id: number | null; term_kind: string; term: string; occurrences: number; messages: number }>();
  for (const m of messages) {
    const inThis = new Set<string>();
    for (const [kind, term] of m.terms) {
      const key = JSON.stringify([m.chat, m.user, kind, term]);
      const c = counts.get(key) ?? { chat_id: m.chat, user_id: m.user, term_kind: kind, term, occurrences: 0, messages: 0 };
      c.occurrences += 1;
      if (!inThis.has(key)) c.messages += 1;
      inThis.add(key);
      counts.set(key, c);
    }
  }
  return counts;
}

function counted(messages: Message[]) {
  const counter = new TermCounter();
  for (const m of messages) {
    counter.startMessage(m.chat, m.user);
    for (const [kind, term] of m.terms) counter.add(kind, term);
  }
  return { counter, rows: [...counter.rows()] };
}

describe('TermCounter', () => {
  it('one row per (chat, user, kind, term): occurrences and messages holding it; stop words flagged with their languages', () => {
    const { rows } = counted([
      { chat: -1, user: 7, terms: [['word', 'the'], ['word', 'dashboard'], ['word', 'the'], ['emoji', '🚀']] },
      { chat: -1, user: 7, terms: [['word', 'the']] },
      { chat: -1, user: 8, terms: [['word', 'the'], ['hashtag', '#the']] },
      { chat: -2, user: null, terms: [['domain', 'example.com']] },
    ]);
    const byKey = Object.fromEntries(rows.map((r) => [`${r.chat_id}/${r.user_id}/${r.term_kind}/${r.term}`, r]));
    expect(byKey['-1/7/word/the']).toMatchObject({ occurrences: 3, messages: 2, is_stop_word: true });
    expect(String(byKey['-1/7/word/the']!.stop_word_languages).split(',')).toContain('en');
    expect(byKey['-1/7/word/dashboard']).toMatchObject({ occurrences: 1, messages: 1, is_stop_word: false, stop_word_languages: null });
    expect(byKey['-1/8/hashtag/#the']).toMatchObject({ occurrences: 1, is_stop_word: false, stop_word_languages: null });
    expect(byKey['-2/null/domain/example.com']).toMatchObject({ occurrences: 1, messages: 1 });
    expect(rows).toHaveLength(6);
    // Grouped in (chat_id, user_id) order, nulls first.
    expect(rows.map((r) => `${r.chat_id}/${r.user_id}`)).toEqual(['-2/null', '-1/7', '-1/7', '-1/7', '-1/8', '-1/8']);
  });

  it('equals the obvious count for any messages, across table growth (tens of thousands of keys)', () => {
    const term = fc.tuple(fc.constantFrom<TermKind>('word', 'emoji', 'hashtag'), fc.string({ maxLength: 3 }).filter((s) => s !== ''));
    const message = fc.record({ chat: fc.constantFrom(-1, -2, null), user: fc.option(fc.integer({ min: 1, max: 40 })), terms: fc.array(term, { maxLength: 8 }) });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        const { counter, rows } = counted(messages);
        const want = expected(messages);
        expect(counter.size).toBe(want.size);
        expect(rows).toHaveLength(want.size);
        for (const r of rows) expect(r).toMatchObject(want.get(JSON.stringify([r.chat_id, r.user_id, r.term_kind, r.term]))!);
      }),
      { numRuns: 200 },
    );
    // Past several doublings of the table.
    const big: Message[] = Array.from({ length: 3000 }, (_, i) => ({ chat: -1, user: i % 97, terms: Array.from({ length: 12 }, (_, j) => ['word', `w${(i * 7 + j * 13) % 5000}`] as [TermKind, string]) }));
    const { counter, rows } = counted(big);
    const want = expected(big);
    expect(counter.size).toBe(want.size);
    expect(want.size).toBeGreaterThan(20_000);
    for (const r of rows) expect(r).toMatchObject(want.get(JSON.stringify([r.chat_id, r.user_id, r.term_kind, r.term]))!);
  });
});

/**
 * The original pipeline's six reports, verbatim, on the local engine over updates the project generates
 * here, through the raw envelope and the daily enrichment. The expected numbers are computed in plain
 * JavaScript from the same updates with Athena's rules written out independently: context_date in the
 * -03:00 offset, UTC hours (Athena's session zone), ISO weekdays 1-7 from Monday, ISO weeks, lengths in code
 * points, CAST(double AS INT) rounding half away from zero, one row per update_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { findReport } from '../../reports';
import { buildDataset, tempDataDir } from './reports-support';

/** The six queries of the original pipeline (seed, section 3.1 Destino), copied verbatim: trailing spaces included. */
export const SEED_QUERIES: Record<string, string> = {
  messages_per_day: "SELECT \n  context_date, \n  count(1) AS \"message_amount\" \nFROM \"telegram\" \nGROUP BY context_date \nORDER BY context_date DESC",
  messages_per_user_per_day: "SELECT \n  user_id, \n  user_first_name, \n  context_date, \n  count(1) AS \"message_amount\" \nFROM \"telegram\" \nGROUP BY \n  user_id, \n  user_first_name, \n  context_date \nORDER BY context_date DESC",
  average_length_per_user_per_day: "SELECT \n  user_id, \n  user_first_name, \n  context_date,\n  CAST(AVG(length(text)) AS INT) AS \"average_message_length\" \nFROM \"telegram\" \nGROUP BY \n  user_id, \n  user_first_name, \n  context_date \nORDER BY context_date DESC",
  messages_by_hour_weekday_week: "WITH \nparsed_date_cte AS (\n    SELECT \n        *, \n        CAST(date_format(from_unixtime(\"date\"),'%Y-%m-%d %H:%i:%s') AS timestamp) AS parsed_date\n    FROM \"telegram\" \n),\nhour_week_cte AS (\n    SELECT\n        *,\n        EXTRACT(hour FROM parsed_date) AS parsed_date_hour,\n        EXTRACT(dow FROM parsed_date) AS parsed_date_weekday,\n        EXTRACT(week FROM parsed_date) AS parsed_date_weeknum\n    FROM parsed_date_cte\n)\nSELECT\n    parsed_date_hour,\n    parsed_date_weekday,\n    parsed_date_weeknum,\n    count(1) AS \"message_amount\" \nFROM hour_week_cte\nGROUP BY\n    parsed_date_hour,\n    parsed_date_weekday,\n    parsed_date_weeknum\nORDER BY\n    parsed_date_weeknum,\n    parsed_date_weekday",
  messages_per_user: "SELECT \n  user_id, \n  user_first_name, \n  count(1) AS \"message_amount\" \nFROM \"telegram\" \nGROUP BY \n  user_id, \n  user_first_name \nORDER BY message_amount DESC",
  messages_per_month: "SELECT \nMONTH(context_date) AS \"month\",\nCOUNT(1) as \"message_amount\"\nFROM telegram\nGROUP BY MONTH(context_date)",
};

const OFFSET_MINUTES = -180;
const CHAT = { id: -1001234500001, title: 'Seed test group', type: 'supergroup' };
interface User { id: number; is_bot: false; first_name: string }
const ana: User = { id: 101, is_bot: false, first_name: 'Ana' };
const bia: User = { id: 102, is_bot: false, first_name: 'Bia' };
const caio: User = { id: 103, is_bot: false, first_name: 'Caio' };
const caioRenamed: User = { ...caio, first_name: 'Caio R.' }; // same user, new name: separate groups in the seed's SQL
// Users of the hand-picked cases only (no random traffic).
const dora: User = { id: 201, is_bot: false, first_name: 'Dora' };
const eva: User = { id: 202, is_bot: false, first_name: 'Eva' };
const fabio: User = { id: 203, is_bot: false, first_name: 'Fábio' };

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Sent { update_id: number; user: User; date: number; text?: string; kind: string }

/** The dataset: hand-picked edge cases plus seeded random traffic. */
function dataset(): { updates: object[]; sent: Sent[] } {
  const updates: object[] = [];
  const sent: Sent[] = [];
  let updateId = 10_000;
  let messageId = 1;
  const t = (iso: string) => Date.parse(iso) / 1000;
  const message = (user: User, date: number, content: Record<string, unknown>, kind: string) => {
    const update = { update_id: updateId++, message: { message_id: messageId++, from: user, chat: CHAT, date, ...content } };
    updates.push(update);
    sent.push({ update_id: update.update_id, user, date, kind, ...(typeof content.text === 'string' ? { text: content.text } : {}) });
    return update;
  };
  const text = (user: User, iso: string, body: string) => message(user, t(iso), { text: body }, 'text');
  const photo = (user: User, iso: string) =>
    message(user, t(iso), { photo: [{ file_id: 'p', file_unique_id: 'pu', width: 10, height: 10 }], caption: 'a caption is not text' }, 'photo');

  // Average length exactly .5: "ab" and "abc" -> 2.5 -> 3 (DuckDB's own cast would say 2).
  text(dora, '2024-06-03T12:00:00Z', 'ab');
  text(dora, '2024-06-03T12:01:00Z', 'abc');
  // 4.5 -> 5 (half to even would give 4); emoji count as code points: "👍🏽" is 2.
  text(eva, '2024-06-03T13:00:00Z', '👍🏽ok');
  text(eva, '2024-06-03T13:05:00Z', 'hello');
  // A Sunday (ISO weekday 7), a Monday (1), ISO week 22 -> 23.
  text(caio, '2024-06-02T15:00:00Z', 'sunday');
  text(caio, '2024-06-03T15:00:00Z', 'monday');
  // 01:30 UTC on June 1st is still May 31st at -03:00: context_date 2024-05-31, month 5, UTC hour 1, Saturday.
  text(ana, '2024-06-01T01:30:00Z', 'late night');
  // Only non-text messages that day: the average is NULL.
  photo(fabio, '2024-06-04T10:00:00Z');
  photo(fabio, '2024-06-04T10:10:00Z');
  // Renamed user: a separate (user_id, user_first_name) group.
  text(caioRenamed, '2024-06-04T18:00:00Z', 'new name');
  // Year boundary: 2021-01-03 is a Sunday of ISO week 53 (of 2020); 2020-12-31 is a Thursday of week 53.
  text(ana, '2021-01-03T20:00:00Z', 'feliz ano novo 🎆');
  text(bia, '2020-12-31T22:00:00Z', 'quase');
  // The same update delivered twice: one row.
  const dup = text(bia, '2024-06-05T09:00:00Z', 'twice');
  updates.push(JSON.parse(JSON.stringify(dup)));
  // An edit is an event, not a message.
  updates.push({ update_id: updateId++, edited_message: { message_id: 1, from: ana, chat: CHAT, date: t('2024-06-03T12:00:00Z'), edit_date: t('2024-06-03T12:30:00Z'), text: 'ab!' } });

  // Seeded traffic over 2024-05-30 .. 2024-06-05.
  const rand = prng(7);
  const users = [ana, bia, caio, caioRenamed];
  const words = ['ok', 'bom dia', 'Привет', '今天', 'sim 👍', 'não sei não', 'a', 'kkkk'];
  const start = t('2024-05-30T00:00:00Z');
  for (let i = 0; i < 120; i += 1) {
    const user = users[Math.floor(rand() * users.length)]!;
    const date = start + Math.floor(rand() * 7 * 86_400);
    if (rand() < 0.2) message(user, date, { sticker: { file_id: 's', file_unique_id: 'su', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } }, 'sticker');
    else message(user, date, { text: words[Math.floor(rand() * words.length)]! + ' '.repeat(Math.floor(rand() * 3)) }, 'text');
  }
  return { updates, sent };
}

// ---- Athena's rules, written out in plain JavaScript ----
const contextDate = (unix: number) => new Date((unix + OFFSET_MINUTES * 60) * 1000).toISOString().slice(0, 10);
const codePoints = (s: string) => [...s].length;
const isoWeekday = (d: Date) => ((d.getUTCDay() + 6) % 7) + 1;
function isoWeek(d: Date): number {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + 4 - isoWeekday(day)); // the Thursday of the week
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  return Math.floor((day.getTime() - yearStart) / 86_400_000 / 7) + 1;
}
const castToInt = (x: number) => Math.sign(x) * Math.round(Math.abs(x)); // Trino: half away from zero
function count<K>(items: Sent[], key: (s: Sent) => K[]): Map<string, { key: K[]; n: number }> {
  const m = new Map<string, { key: K[]; n: number }>();
  for (const s of items) {
    const k = key(s);
    const id = JSON.stringify(k);
    const e = m.get(id) ?? { key: k, n: 0 };
    e.n += 1;
    m.set(id, e);
  }
  return m;
}
/** Rows in a canonical order, to compare where the SQL leaves ties unordered. */
const canonical = (rows: Record<string, unknown>[]) => [...rows].map((r) => JSON.stringify(r)).sort();

describe("the original pipeline's six reports, verbatim, on the local engine", () => {
  let engine: DuckDbEngine;
  let cleanup: () => Promise<void>;
  let sent: Sent[];

  beforeAll(async () => {
    const data = await tempDataDir();
    cleanup = data.cleanup;
    const d = dataset();
    // One row per update_id: the duplicate delivery is not a second message.
    sent = d.sent;
    await buildDataset(data.dir, d.updates, OFFSET_MINUTES);
    engine = await DuckDbEngine.open(data.dir);
  });
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  const run = async (name: string) => {
    const report = findReport(name);
    expect(report, name).toBeDefined();
    expect(report!.query).toBe(SEED_QUERIES[name]); // the file holds the seed's query verbatim
    return engine.query(report!.query);
  };

  it('messages per day', async () => {
    const rows = await run('messages_per_day');
    const expected = [...count(sent, (s) => [contextDate(s.date)]).values()]
      .map((e) => ({ context_date: e.key[0]!, message_amount: e.n }))
      .sort((a, b) => (a.context_date < b.context_date ? 1 : -1));
    expect(rows).toEqual(expected);
    expect(rows.find((r) => r.context_date === '2024-05-31')).toBeDefined(); // 01:30 UTC on June 1st
  });

  it('messages per user per day', async () => {
    const rows = await run('messages_per_user_per_day');
    const expected = [...count(sent, (s) => [s.user.id, s.user.first_name, contextDate(s.date)]).values()].map((e) => ({
      user_id: e.key[0],
      user_first_name: e.key[1],
      context_date: e.key[2],
      message_amount: e.n,
    }));
    expect(canonical(rows)).toEqual(canonical(expected));
    const dates = rows.map((r) => String(r.context_date));
    expect(dates).toEqual([...dates].sort().reverse()); // ORDER BY context_date DESC
  });

  it('average message length per user per day, CAST(AVG(...) AS INT) as Trino rounds', async () => {
    const rows = await run('average_length_per_user_per_day');
    const groups = new Map<string, { user_id: number; user_first_name: string; context_date: string; lengths: number[] }>();
    for (const s of sent) {
      const id = JSON.stringify([s.user.id, s.user.first_name, contextDate(s.date)]);
      const g = groups.get(id) ?? { user_id: s.user.id, user_first_name: s.user.first_name, context_date: contextDate(s.date), lengths: [] };
      if (s.text !== undefined) g.lengths.push(codePoints(s.text));
      groups.set(id, g);
    }
    const expected = [...groups.values()].map((g) => ({
      user_id: g.user_id,
      user_first_name: g.user_first_name,
      context_date: g.context_date,
      average_message_length: g.lengths.length ? castToInt(g.lengths.reduce((a, b) => a + b, 0) / g.lengths.length) : null,
    }));
    expect(canonical(rows)).toEqual(canonical(expected));
    // The hand-picked cases, spelled out.
    const pick = (user: number, day: string) => rows.find((r) => r.user_id === user && r.context_date === day)?.average_message_length;
    expect(pick(201, '2024-06-03')).toBe(3); // 2.5: DuckDB's own cast would give 2
    expect(pick(202, '2024-06-03')).toBe(5); // 4.5: DuckDB's own cast would give 4
    expect(pick(203, '2024-06-04')).toBe(null); // photos only
  });

  it('messages by UTC hour, ISO weekday and ISO week', async () => {
    const rows = await run('messages_by_hour_weekday_week');
    const expected = [...count(sent, (s) => {
      const d = new Date(s.date * 1000);
      return [d.getUTCHours(), isoWeekday(d), isoWeek(d)];
    }).values()].map((e) => ({ parsed_date_hour: e.key[0], parsed_date_weekday: e.key[1], parsed_date_weeknum: e.key[2], message_amount: e.n }));
    expect(canonical(rows)).toEqual(canonical(expected));
    const order = rows.map((r) => [Number(r.parsed_date_weeknum), Number(r.parsed_date_weekday)]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)); // ORDER BY weeknum, weekday
    expect(rows.some((r) => r.parsed_date_weekday === 7 && r.parsed_date_weeknum === 22)).toBe(true); // Sunday 2024-06-02
    expect(rows.some((r) => r.parsed_date_weekday === 7 && r.parsed_date_weeknum === 53)).toBe(true); // Sunday 2021-01-03
    expect(rows.every((r) => Number(r.parsed_date_weekday) >= 1 && Number(r.parsed_date_weekday) <= 7)).toBe(true);
  });

  it('messages per user', async () => {
    const rows = await run('messages_per_user');
    const expected = [...count(sent, (s) => [s.user.id, s.user.first_name]).values()].map((e) => ({ user_id: e.key[0], user_first_name: e.key[1], message_amount: e.n }));
    expect(canonical(rows)).toEqual(canonical(expected));
    const amounts = rows.map((r) => Number(r.message_amount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a)); // ORDER BY message_amount DESC
  });

  it('messages per month', async () => {
    const rows = await run('messages_per_month');
    const expected = [...count(sent, (s) => [Number(contextDate(s.date).slice(5, 7))]).values()].map((e) => ({ month: e.key[0], message_amount: e.n }));
    expect(canonical(rows)).toEqual(canonical(expected));
    expect(rows.map((r) => Number(r.month)).sort((a, b) => a - b)).toEqual([1, 5, 6, 12]);
  });
});

/**
 * The dashboard's aggregations (dashboard/web/data.ts over the cubes dashboard/build makes) against SQL
 * written here on the same Parquet files; the zone offsets against Intl; the reaction diff.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { addedReactions, collectDashboardData } from '../../dashboard/build/collect';
import { localSecondsSql, offsetAt, offsetSegments } from '../../dashboard/build/zone';
import type { DashboardData } from '../../dashboard/model';
import { activitySeries, leaderboard, memberCountSeries, model, replyTimes, topTerms, weekHourGrid, type Filter, type Model } from '../../dashboard/web/data';
import { buildDataset, tempDataDir } from '../local/reports-support';
import { FORUM_ID, OFFSET_MINUTES, fixtureUpdates } from './fixture';

const SERVICE = `message_kind NOT IN ('new_chat_members', 'left_chat_member', 'migrate_to_chat_id', 'migrate_from_chat_id', 'forum_topic_created')`;

describe('zone offsets for the local-time views', () => {
  it('finds Berlin summer time changes and writes them as SQL both engines run', async () => {
    const from = Date.parse('2024-01-01T00:00:00Z') / 1000;
    const to = Date.parse('2024-12-31T00:00:00Z') / 1000;
    const segments = offsetSegments('Europe/Berlin', from, to);
    expect(segments.map((s) => s.offsetSeconds)).toEqual([3600, 7200, 3600]);
    expect(new Date(segments[1]!.from * 1000).toISOString()).toBe('2024-03-31T01:00:00.000Z');
    expect(new Date(segments[2]!.from * 1000).toISOString()).toBe('2024-10-27T01:00:00.000Z');
    expect(offsetSegments('-03:00', from, to)).toEqual([{ from: -Infinity, offsetSeconds: -10800 }]);
    expect(offsetAt('Asia/Kolkata', from)).toBe(19800);

    const engine = await DuckDbEngine.open(join(await (await tempDataDir('tgpipe-zone-')).dir));
    try {
      const instants = [from, Date.parse('2024-03-31T00:59:59Z') / 1000, Date.parse('2024-03-31T01:00:00Z') / 1000, Date.parse('2024-07-01T12:00:00Z') / 1000, Date.parse('2024-10-27T00:30:00Z') / 1000, Date.parse('2024-10-27T01:30:00Z') / 1000];
      const rows = await engine.query(
        `SELECT d, hour(from_unixtime(${localSecondsSql('d', segments)})) AS h FROM (VALUES ${instants.map((i) => `(CAST(${i} AS BIGINT))`).join(', ')}) AS t(d) ORDER BY d`,
      );
      const intl = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', hour: 'numeric', hourCycle: 'h23' });
      expect(rows.map((r) => Number(r.h))).toEqual(instants.map((i) => Number(intl.format(i * 1000))));
    } finally {
      await engine.close();
    }
  });

  it('counts what a reaction update added, as a multiset', () => {
    expect(addedReactions('[]', '["👍"]')).toEqual(['👍']);
    expect(addedReactions('["👍"]', '["👍","🔥"]')).toEqual(['🔥']);
    expect(addedReactions('["👍","🔥"]', '["🔥"]')).toEqual([]);
    expect(addedReactions('not json', '["paid","paid"]')).toEqual(['paid', 'paid']);
    expect(addedReactions(null, null)).toEqual([]);
  });
});

describe('aggregations over the cubes equal SQL on the Parquet files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let engine: DuckDbEngine;
  let data: DashboardData;
  let m: Model;
  const sql = (q: string) => engine.query(q);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDataDir('tgpipe-dashboard-agg-'));
    await buildDataset(dir, fixtureUpdates(), OFFSET_MINUTES);
    engine = await DuckDbEngine.open(dir);
    data = await collectDashboardData(engine, { timeZone: '-03:00' });
    m = model(data);
  }, 180_000);
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  const all = (): Filter => ({ from: 0, to: data.days - 1, chat: -1, member: -1 });
  const dayOf = (iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${data.firstDay}T00:00:00Z`)) / 86_400_000);

  it('every part it needs was read; the ones this data lacks say why', () => {
    for (const p of ['activity', 'hours', 'joins', 'repliesIn', 'replyPairs', 'replyTimes', 'reactions', 'topics'] as const) expect(data.parts[p], p).toEqual({ ok: true });
    // telegram_events.member_count exists (schema version 4); this data has no samples: read, and empty.
    expect(data.parts.memberCount.ok).toBe(true);
    expect(data.memberCount.day).toEqual([]);
    // telegram_terms is built by the enrichment (schema version 3): the words, emoji and links are there.
    expect(data.parts.terms).toEqual({ ok: true });
  });

  it('messages and active members per ISO week and per month, every bucket present', async () => {
    for (const [g, trunc] of [['week', 'week'], ['month', 'month']] as const) {
      const s = activitySeries(m, all(), g);
      const want = await sql(`SELECT CAST(date_trunc('${trunc}', context_date) AS varchar) AS b, count(1) AS n, count(DISTINCT user_id) AS a FROM telegram WHERE ${SERVICE} GROUP BY 1 ORDER BY 1`);
      const byStart = new Map(want.map((r) => [dayOf(String(r.b).slice(0, 10)), r]));
      expect(s.starts.length).toBeGreaterThanOrEqual(want.length);
      s.starts.forEach((start, i) => {
        const r = byStart.get(start);
        expect(s.messages[i], `${g} ${start}`).toBe(r ? Number(r.n) : 0);
        expect(s.active[i], `${g} ${start}`).toBe(r ? Number(r.a) : 0);
      });
    }
    // Days without messages are zeros, not gaps.
    const days = activitySeries(m, all(), 'day');
    expect(days.starts).toEqual(Array.from({ length: data.days }, (_, i) => i));
    expect(days.messages.filter((n) => n === 0).length).toBeGreaterThan(5);
  });

  it('the leaderboard: messages, active days and average text length per member in a chat and period', async () => {
    const forum = data.chats.findIndex((c) => c.ids.includes(String(FORUM_ID)));
    const f: Filter = { from: dayOf('2024-03-15'), to: dayOf('2024-04-30'), chat: forum, member: -1 };
    const rows = leaderboard(m, f);
    const want = await sql(
      `SELECT user_id, count(1) AS n, count(DISTINCT context_date) AS d, avg(length(text)) AS l FROM telegram WHERE ${SERVICE} AND chat_id = ${FORUM_ID} AND context_date BETWEEN DATE '2024-03-15' AND DATE '2024-04-30' GROUP BY 1 ORDER BY n DESC, user_id`,
    );
    expect(rows.map((r) => data.members[r.member]!.id)).toEqual(want.map((r) => String(r.user_id)));
    rows.forEach((r, i) => {
      expect(r.messages).toBe(Number(want[i]!.n));
      expect(r.activeDays).toBe(Number(want[i]!.d));
      if (want[i]!.l === null) expect(r.avgLength).toBeNull();
      else expect(r.avgLength!).toBeCloseTo(Number(want[i]!.l), 9);
    });
    expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
  });

  it('the weekday x hour grid in the offset, for a period', async () => {
    const f: Filter = { from: dayOf('2024-04-01'), to: dayOf('2024-04-21'), chat: -1, member: -1 };
    const grid = weekHourGrid(m, f);
    const want = await sql(
      `SELECT day_of_week(from_unixtime("date" - 10800)) AS wd, hour(from_unixtime("date" - 10800)) AS h, count(1) AS n FROM telegram WHERE ${SERVICE} AND context_date BETWEEN DATE '2024-04-01' AND DATE '2024-04-21' GROUP BY 1, 2`,
    );
    const expected = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const r of want) expected[Number(r.wd) - 1]![Number(r.h)] = Number(r.n);
    expect(grid).toEqual(expected);
  });

  it('the median time to the first reply is within a bucket of the exact median', async () => {
    const [exact] = await sql(`WITH firsts AS (
      SELECT chat_id, reply_to_message_id AS id, min("date") AS t FROM telegram WHERE is_reply AND reply_to_user_id <> user_id GROUP BY 1, 2)
      SELECT median(CAST(f.t - o."date" AS double)) AS median, count(1) AS n FROM firsts f JOIN telegram o ON o.chat_id = f.chat_id AND o.message_id = f.id WHERE f.t >= o."date"`);
    const r = replyTimes(m, all());
    expect(r.messages).toBe(Number(exact!.n));
    expect(r.median!).toBeGreaterThan(Number(exact!.median) / 1.35);
    expect(r.median!).toBeLessThan(Number(exact!.median) * 1.35);
  });

  it('top terms per month and chat come from telegram_terms when the deployment has it, stop words left out', async () => {
    // The terms table (another release adds it to schemas/): made here with its documented columns.
    await engine.query(`DROP VIEW IF EXISTS telegram_terms`); // the engine's view of the real table (schemas/), replaced by this one
    await engine.query(`CREATE OR REPLACE TABLE telegram_terms AS
      SELECT context_date, chat_id, user_id, kind AS term_kind, term, CAST(count(1) AS BIGINT) AS occurrences, CAST(count(1) AS BIGINT) AS messages, term IN ('ok', 'is') AS is_stop_word
      FROM (SELECT context_date, chat_id, user_id, CASE WHEN w LIKE '#%' THEN 'hashtag' ELSE 'word' END AS kind, w AS term
            FROM (SELECT context_date, chat_id, user_id, unnest(string_split(lower(text), ' ')) AS w FROM telegram WHERE text IS NOT NULL) x WHERE w <> '') y
      GROUP BY ALL`);
    try {
      const withTerms = model(await collectDashboardData(engine, { timeZone: '-03:00' }));
      expect(withTerms.d.parts.terms).toEqual({ ok: true });
      const april: Filter = { from: dayOf('2024-04-01'), to: dayOf('2024-04-30'), chat: -1, member: -1 };
      const want = await sql(
        "SELECT term, sum(occurrences) AS n FROM telegram_terms WHERE term_kind = 'word' AND NOT is_stop_word AND context_date BETWEEN DATE '2024-04-01' AND DATE '2024-04-30' GROUP BY 1 ORDER BY n DESC, term LIMIT 10",
      );
      expect(topTerms(withTerms, april, 'word', 10)).toEqual(want.map((r) => ({ term: String(r.term), n: Number(r.n) })));
      expect(topTerms(withTerms, april, 'word', 50).map((x) => x.term)).not.toContain('ok');
      expect(topTerms(withTerms, april, 'hashtag', 5)[0]!.term).toBe('#release');
    } finally {
      await engine.query('DROP TABLE telegram_terms');
    }
  });

  it('the member count carries each chat’s last sample forward and sums the chats', () => {
    const d: DashboardData = { ...data, days: 6, chats: [data.chats[0]!, data.chats[1]!], memberCount: { day: [1, 3, 2], chat: [0, 0, 1], count: [100, 104, 50] } };
    const mm = model(d);
    expect(memberCountSeries(mm, { from: 0, to: 5, chat: -1, member: -1 }).counts).toEqual([null, 100, 150, 154, 154, 154]);
    expect(memberCountSeries(mm, { from: 2, to: 4, chat: 0, member: -1 })).toEqual({ days: [2, 3, 4], counts: [100, 104, 104] });
  });
});

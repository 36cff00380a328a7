import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTimeSql, parseUtcOffset, startOfDayMs } from '../../core/context-date';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';

let dir: string;
let engine: DuckDbEngine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-time-'));
  engine = await DuckDbEngine.open(dir, { threads: 1 });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** Local wall-clock fields of an instant, by Intl (the reference). */
function intlFields(ms: number, zone: string) {
  const tz = /^[+-]\d\d:\d\d$/.test(zone) ? undefined : zone;
  const shifted = tz ? ms : ms + (parseUtcOffset(zone) as number) * 60_000;
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: tz ?? 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' }).formatToParts(shifted).map((x) => [x.type, x.value]));
  const isoDow = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday!) + 1;
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), minute: Number(p.minute), dow: isoDow };
}

describe('localTimeSql on the local engine (at_timezone, as on Athena)', () => {
  it.each(['Europe/Berlin', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'America/St_Johns', '-03:00', '+05:45', '+00:00'])('%s: hour, minute, weekday and date equal Intl around the summer-time changes', async (zone) => {
    const parsed = parseUtcOffset(zone);
    // Every 20 minutes across the days of 2026 when Europe and the south change clocks, plus a spread of the year.
    const instants: number[] = [];
    for (const day of ['2026-03-28', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01']) {
      const start = startOfDayMs(day, parsed) - 3 * 3_600_000;
      for (let t = start; t < start + 30 * 3_600_000; t += 20 * 60_000) instants.push(t);
    }
    for (let i = 0; i < 200; i += 1) instants.push(Date.UTC(2026, 0, 1) + i * 157_000_000);
    const values = instants.map((ms) => `(${ms / 1000})`).join(', ');
    const local = localTimeSql('from_unixtime(s)', parsed);
    const rows = await engine.query(
      `SELECT s, hour(${local}) AS h, minute(${local}) AS mi, day_of_week(${local}) AS dow, CAST(date(${local}) AS varchar) AS d, date_format(${local}, '%Y-%m-%d %H:%i') AS f FROM (VALUES ${values}) AS t(s) ORDER BY s`,
    );
    expect(rows).toHaveLength(instants.length);
    for (const r of rows) {
      const ms = Number(r.s) * 1000;
      const want = intlFields(ms, zone);
      const label = `${zone} ${new Date(ms).toISOString()}`;
      expect({ h: Number(r.h), mi: Number(r.mi), dow: Number(r.dow), d: r.d }, label).toEqual({ h: want.hour, mi: want.minute, dow: want.dow, d: want.day });
      expect(r.f, label).toBe(`${want.day} ${String(want.hour).padStart(2, '0')}:${String(want.minute).padStart(2, '0')}`);
    }
  });

  it('the activity heatmap report follows summer time in an IANA zone', async () => {
    // The SQL text the report runs, on two instants 12:00 UTC in winter and in summer.
    const sql = `SELECT hour(at_timezone(from_unixtime(s), 'Europe/Berlin')) AS h FROM (VALUES (${Date.parse('2026-01-15T12:00:00Z') / 1000}), (${Date.parse('2026-07-15T12:00:00Z') / 1000})) AS t(s) ORDER BY s`;
    expect((await engine.query(sql)).map((r) => Number(r.h))).toEqual([13, 14]);
  });
});

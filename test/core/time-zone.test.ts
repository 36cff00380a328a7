import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextDateOf, dateInOffset, formatDayZone, localTimeSql, parseUtcOffset, startOfDayMs, zoneOffsetMs, zoneOffsetSeconds } from '../../core/context-date';
import { loadConfig } from '../../core/config';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { previousDay } from '../../core/enrich';
import { renderReportSql } from '../../reports';
import { msUntilNextRun } from '../../local/daily-timer';

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const formatOf = (cache: Map<string, Intl.DateTimeFormat>, zone: string, options: Intl.DateTimeFormatOptions) => {
  let f = cache.get(zone);
  if (!f) cache.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, ...options })));
  return f;
};
/** The reference: the date Intl gives for the instant in the zone (en-CA writes YYYY-MM-DD). */
const intlDate = (ms: number, zone: string) => {
  const p = Object.fromEntries(formatOf(dateFormats, zone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
};
/** The reference offset: Intl's longOffset name ("GMT+02:00", "GMT-03:30", "GMT"), in ms: another way than the code's. */
const intlOffsetMs = (ms: number, zone: string) => {
  const name = formatOf(offsetFormats, zone, { timeZoneName: 'longOffset' }).formatToParts(ms).find((x) => x.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name)!;
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
};

// Zones with summer time, half- and quarter-hour offsets, a zone that skipped a whole day (Apia, 2011-12-30),
// one whose summer time ended (Sao Paulo, 2019), a southern one, a 30-minute DST (Lord Howe).
const ZONES = ['Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Pacific/Apia', 'Africa/Casablanca', 'Asia/Tehran', 'Europe/London', 'UTC'];

/** The offset transitions of a zone between two years, found by bisection on Intl's offsets. */
function transitions(zone: string, fromYear: number, toYear: number): number[] {
  const out: number[] = [];
  const step = 24 * 3_600_000; // transitions are months apart
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(toYear, 0, 1); t += step) {
    if (intlOffsetMs(t, zone) === intlOffsetMs(t + step, zone)) continue;
    let lo = t;
    let hi = t + step;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffsetMs(mid, zone) === intlOffsetMs(lo, zone)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

describe('IANA zones for the day boundary', () => {
  it('parses zones to their canonical names and keeps fixed offsets as minutes', () => {
    expect(parseUtcOffset('Europe/Berlin')).toBe('Europe/Berlin');
    expect(parseUtcOffset('europe/berlin')).toBe('Europe/Berlin');
    expect(parseUtcOffset('America/Sao_Paulo')).toBe('America/Sao_Paulo');
    expect(parseUtcOffset('-03:00')).toBe(-180);
    expect(parseUtcOffset('UTC')).toBe(0);
    for (const bad of ['Mars/Olympus', 'Europe/', 'GMT+3', '+03', 'Berlin Time', '']) expect(() => parseUtcOffset(bad), bad).toThrow(/invalid UTC offset or time zone/);
    expect(loadConfig({ CONTEXT_UTC_OFFSET: 'Europe/Berlin' }).utcOffsetMinutes).toBe('Europe/Berlin');
    expect(formatDayZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(formatDayZone(-180)).toBe('-03:00');
  });

  it('Berlin in summer and winter: the day turns at local midnight, 22:00 UTC in summer, 23:00 UTC in winter', () => {
    expect(dateInOffset(Date.parse('2026-07-01T21:59:59Z'), 'Europe/Berlin')).toBe('2026-07-01');
    expect(dateInOffset(Date.parse('2026-07-01T22:00:00Z'), 'Europe/Berlin')).toBe('2026-07-02');
    expect(dateInOffset(Date.parse('2026-01-15T22:30:00Z'), 'Europe/Berlin')).toBe('2026-01-15');
    expect(dateInOffset(Date.parse('2026-01-15T23:00:00Z'), 'Europe/Berlin')).toBe('2026-01-16');
    const update = { update_id: 1, message: { message_id: 1, date: Date.parse('2026-07-01T22:30:00Z') / 1000, chat: { id: -1 } } };
    expect(contextDateOf(update, 0, 'Europe/Berlin')).toBe('2026-07-02');
    expect(contextDateOf(update, 0, 60)).toBe('2026-07-01'); // a fixed +01:00 does not follow summer time
    expect(zoneOffsetSeconds(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(7200);
    expect(zoneOffsetSeconds(Date.parse('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe(3600);
    expect(zoneOffsetSeconds(0, -180)).toBe(-10800);
    // The envelope the webhook writes, and the enrichment's D-1 of a scheduled run, in the zone.
    const body = JSON.stringify(update);
    expect(buildEnvelope(body, parseUpdateBody(body), Date.parse('2026-07-03T10:00:00Z'), 'Europe/Berlin').line).toContain('"context_date":"2026-07-02"');
    expect(previousDay(Date.parse('2026-07-01T22:30:00Z'), 'Europe/Berlin')).toBe('2026-07-01');
    expect(previousDay(Date.parse('2026-07-01T22:30:00Z'), 60)).toBe('2026-06-30');
  });

  it('property: dateInOffset and zoneOffsetMs equal Intl.DateTimeFormat at any instant, 1900-2100, in every zone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), (zone, ms) => {
        expect(dateInOffset(ms, zone)).toBe(intlDate(ms, zone));
        expect(zoneOffsetMs(ms, zone)).toBe(intlOffsetMs(ms, zone));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: at and around every transition 2010-2030 (the second before, at, after, and whole hours around it), including the hours the cache refuses', () => {
    for (const zone of ZONES.filter((z) => z !== 'UTC')) {
      const list = transitions(zone, 2010, 2030);
      if (!['Asia/Kathmandu'].includes(zone)) expect(list.length, zone).toBeGreaterThan(0);
      for (const t of list) {
        for (const d of [-3_600_000, -1_800_000, -1000, -1, 0, 1, 1000, 1_800_000, 3_600_000, 86_400_000 - 1]) {
          expect(zoneOffsetMs(t + d, zone), `${zone} ${new Date(t + d).toISOString()}`).toBe(intlOffsetMs(t + d, zone));
          expect(dateInOffset(t + d, zone), `${zone} ${new Date(t + d).toISOString()}`).toBe(intlDate(t + d, zone));
        }
      }
    }
  });

  it('startOfDayMs: the first instant of the local day, 23- and 25-hour days, a skipped midnight, a skipped day', () => {
    const berlin = (d: string) => startOfDayMs(d, 'Europe/Berlin');
    expect(new Date(berlin('2026-07-01')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(berlin('2026-03-30') - berlin('2026-03-29')).toBe(23 * 3_600_000);
    expect(berlin('2026-10-26') - berlin('2026-10-25')).toBe(25 * 3_600_000);
    // Sao Paulo's clocks went from 00:00 to 01:00 on 2018-11-04: that day began at 01:00 local (03:00 UTC).
    expect(new Date(startOfDayMs('2018-11-04', 'America/Sao_Paulo')).toISOString()).toBe('2018-11-04T03:00:00.000Z');
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2060, 0, 1) }), (zone, ms) => {
        const day = dateInOffset(ms, zone);
        const start = startOfDayMs(day, zone);
        expect(start).toBeLessThanOrEqual(ms);
        expect(intlDate(start, zone)).toBe(day);
        expect(intlDate(start - 1, zone) < day).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the local daily timer fires 10 minutes after local midnight across a summer-time change', () => {
    const now = Date.parse('2026-03-28T23:30:00Z'); // 00:30 on the 29th in Berlin, the day that lasts 23 h
    expect(new Date(now + msUntilNextRun(now, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:10:00.000Z');
    expect(new Date(now + msUntilNextRun(now, 60)).toISOString()).toBe('2026-03-29T23:10:00.000Z');
  });

  it('reports get the zone as ${time_zone}; ${utc_offset_seconds} is the offset at the given instant', () => {
    expect(renderReportSql('SELECT hour(at_timezone(x, ${time_zone})), ${utc_offset_seconds}', { utcOffsetMinutes: 'Europe/Berlin', at: Date.parse('2026-07-01T00:00:00Z') })).toBe(
      "SELECT hour(at_timezone(x, 'Europe/Berlin')), 7200",
    );
    expect(renderReportSql('${time_zone}', { utcOffsetMinutes: -180 })).toBe("'-03:00'");
    expect(localTimeSql('message_ts', 'Europe/Berlin')).toBe("at_timezone(CAST(message_ts AS timestamp with time zone), 'Europe/Berlin')");
  });
});

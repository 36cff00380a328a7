/** When a bare update of the original bucket layout came, as its object tells (core/arrival.ts). */
import { describe, expect, it } from 'vitest';
import { folderDate, objectArrivalMs, timeInObjectName } from '../../core/arrival';

const DAY = '2016-03-10';
const folder = `telegram/context_date=${DAY}/`;

describe('arrival of a bare update from its object', () => {
  it('reads the UTC time Firehose puts in an object name, and refuses names that are no time', () => {
    expect(timeInObjectName(`${folder}TelegramRaw-1-2016-03-10-15-04-05-0a1b2c3d-aaaa.gz`)).toBe(Date.parse('2016-03-10T15:04:05Z'));
    expect(timeInObjectName(`${folder}update-123.json`)).toBeUndefined();
    expect(timeInObjectName(`${folder}s-1-2016-02-30-10-00-00-x`)).toBeUndefined();
    expect(timeInObjectName(`${folder}s-1-2016-03-10-24-00-00-x`)).toBeUndefined();
    expect(folderDate(`${folder}x.json`)).toBe(DAY);
    expect(folderDate('telegram/context_date=2016-13-01/x.json')).toBeUndefined();
    expect(folderDate('elsewhere/x.json')).toBeUndefined();
  });

  it('name first; else the mtime when it falls on the folder\'s day; else noon of that day in the zone', () => {
    const copiedToday = Date.parse('2026-12-02T01:00:00Z');
    expect(objectArrivalMs(`${folder}TelegramRaw-1-2016-03-10-15-04-05-x.gz`, copiedToday, -180)).toBe(Date.parse('2016-03-10T15:04:05Z'));
    // Written at the time: 23:30 at -03:00 is still the 10th there, though the 11th in UTC.
    const lateThatDay = Date.parse('2016-03-11T02:30:00Z');
    expect(objectArrivalMs(`${folder}u.json`, lateThatDay, -180)).toBe(lateThatDay);
    // A copy made years later names another day: the middle of the folder's day, which stays on it.
    expect(objectArrivalMs(`${folder}u.json`, copiedToday, -180)).toBe(Date.parse('2016-03-10T15:00:00Z'));
    expect(objectArrivalMs(`${folder}u.json`, copiedToday)).toBe(Date.parse('2016-03-10T12:00:00Z'));
    expect(objectArrivalMs(`${folder}u.json`, copiedToday, 'Asia/Tokyo')).toBe(Date.parse('2016-03-10T03:00:00Z'));
    // Not in a day folder: only the mtime says anything.
    expect(objectArrivalMs('loose/u.json', copiedToday, -180)).toBe(copiedToday);
  });
});

/**
 * An update without a date of its own (callback_query, deleted_business_messages, ...) takes its context_date from its
 * arrival. Redelivered across midnight (the webhook stored it at 23:59:59.5, answered 503, Telegram retried
 * at 00:00:01), its two copies sit in two day folders: the enriched tables must still hold it once, on the
 * earlier day, whichever day is built first. Real folders, real day pipeline, DuckDB reads the Parquet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay, type DaySummary } from '../../core/enrich';
import type { DayManifest } from '../../core/enrich/day-plan';
import { memoryLogger } from '../../core/log';
import { main } from '../../cli/main';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { manifestKey, rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { ALLOWED_CHATS } from '../support/fixtures';

const D = '2026-03-01';
const D1 = '2026-03-02';
const OFFSET = -180; // -03:00: D ends at 2026-03-02T03:00:00Z
const CHAT = ALLOWED_CHATS[0]!;
const CALLBACK = 900; // arrival-dated, delivered at 23:59:59.5 and again at 00:00:01.5 local
const REACTION = 950; // dated (23:59:59 local), delivered just before and again just after midnight
const SECOND_CLICK = 960; // arrival-dated, delivered once on D+1

const at = (iso: string) => Date.parse(iso);
const seconds = (iso: string) => Math.floor(at(iso) / 1000);
const user = { id: 1001, is_bot: false, first_name: 'Ana' };
const message = (id: number, iso: string) =>
  JSON.stringify({ update_id: id, message: { message_id: id, from: user, chat: { id: CHAT, type: 'supergroup', title: 'g' }, date: seconds(iso), text: `m${id}` } });
// message.date is the day of the message holding the button, not of the click: the click has no date.
const callback = JSON.stringify({
  update_id: CALLBACK,
  callback_query: { id: '4382', from: user, message: { message_id: 7, chat: { id: CHAT, type: 'supergroup', title: 'g' }, date: seconds(`${D}T15:00:00Z`), text: 'vote' }, chat_instance: '-77', data: 'vote:1' },
});
const reaction = JSON.stringify({
  update_id: REACTION,
  message_reaction: { chat: { id: CHAT, type: 'supergroup', title: 'g' }, message_id: 7, user, date: seconds('2026-03-02T02:59:59Z'), old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] },
});
// A poll_answer would do as an undated update, but it has no chat: every path drops it (core/no-chat.ts).
const secondClick = JSON.stringify({
  update_id: SECOND_CLICK,
  callback_query: { id: '4383', from: user, message: { message_id: 7, chat: { id: CHAT, type: 'supergroup', title: 'g' }, date: seconds(`${D}T15:00:00Z`), text: 'vote' }, chat_instance: '-77', data: 'vote:2' },
});

/** What the webhook writes and where Firehose puts it: the folder of the envelope's own context_date. */
function envelope(body: string, receivedAtIso: string) {
  return buildEnvelope(body, parseUpdateBody(body), at(receivedAtIso), OFFSET);
}

let dir: string;
let stores: LocalStores;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cross-day-'));
  stores = localStores(join(dir, 'a'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Two days of raw objects, as Firehose would leave them (one object per buffer). */
async function seed(s: LocalStores): Promise<void> {
  const put = async (name: string, lines: ReturnType<typeof envelope>[]) => {
    const days = new Set(lines.map((l) => l.contextDate));
    expect(days.size).toBe(1);
    await s.raw.write(`${rawDayPrefix([...days][0]!)}${name}`, lines.map((l) => l.line).join(''));
  };
  await put('buffer-1.json', [
    envelope(message(101, `${D}T15:00:00Z`), `${D}T15:00:00.300Z`),
    envelope(message(102, `${D}T20:00:00Z`), `${D}T20:00:00.300Z`),
    envelope(callback, '2026-03-02T02:59:59.500Z'),
    envelope(reaction, '2026-03-02T02:59:59.800Z'),
  ]);
  // The retries after the 503: the reaction keeps its own date (D), the click is dated by its arrival (D+1).
  await put('buffer-2.json', [envelope(reaction, '2026-03-02T03:00:01.800Z')]);
  await put('buffer-3.json', [
    envelope(callback, '2026-03-02T03:00:01.500Z'),
    envelope(message(201, `${D1}T15:00:00Z`), `${D1}T15:00:00.300Z`),
    envelope(secondClick, `${D1}T15:30:00Z`),
    envelope(message(202, `${D1}T20:00:00Z`), `${D1}T20:00:00.300Z`),
  ]);
}

const depsOf = (s: LocalStores, logger = memoryLogger('enrich')) => ({ raw: s.raw, enriched: s.enriched, catalog: localCatalog, logger, enrichedLocation: s.enriched.root });

/** Every row of a table across all days, with the day its file is in. */
const rowsOf = (s: LocalStores, table: string) =>
  duckQuery(`SELECT * EXCLUDE (context_date), context_date::VARCHAR AS day FROM read_parquet('${s.enriched.root}/${table}/*/*.parquet', hive_partitioning = true) ORDER BY update_id, day`);
/** update_id -> the days holding it. */
async function daysById(s: LocalStores): Promise<Record<number, string[]>> {
  const out: Record<number, string[]> = {};
  for (const table of ['telegram', 'telegram_events']) for (const r of await rowsOf(s, table)) (out[Number(r.update_id)] ??= []).push(String(r.day));
  return out;
}
const snapshot = async (s: LocalStores) => ({ telegram: await rowsOf(s, 'telegram'), telegram_events: await rowsOf(s, 'telegram_events') });
const manifestOf = async (s: LocalStores, day: string) => JSON.parse((await s.enriched.readSmall(manifestKey(day)))!.toString('utf8')) as DayManifest;
const manifestBytes = async (s: LocalStores, day: string) => (await s.enriched.readSmall(manifestKey(day)))!.toString('utf8');

const EXPECTED_DAYS = { 101: [D], 102: [D], [CALLBACK]: [D], [REACTION]: [D], 201: [D1], [SECOND_CLICK]: [D1], 202: [D1] };
/** D: 2 messages, the click, the reaction twice (a duplicate within the day). */
const D_BUILT = { date: D, status: 'built', lines: 5, rows: { telegram: 2, telegram_events: 2 }, duplicates: 1, cross_day_duplicates: 0, quarantined: 0 };
/** D+1 once D is built: 2 messages, the second click; the click's retry is a cross-day duplicate. */
const D1_BUILT = { date: D1, status: 'built', lines: 4, rows: { telegram: 2, telegram_events: 1 }, duplicates: 1, cross_day_duplicates: 1, quarantined: 0 };
const addsUp = (s: DaySummary) => expect(s.rows.telegram + s.rows.telegram_events + s.duplicates + s.quarantined).toBe(s.lines);

/** Re-running either day, forced or not, changes neither the tables nor the manifests' lists. */
async function rerunsChangeNothing(s: LocalStores): Promise<void> {
  const before = await snapshot(s);
  const forcedD = await enrichDay(D, depsOf(s), { force: true });
  expect(forcedD).toMatchObject(D_BUILT);
  expect(forcedD.next_day_rebuilt).toBeUndefined();
  const forcedD1 = await enrichDay(D1, depsOf(s), { force: true });
  expect(forcedD1).toMatchObject(D1_BUILT);
  expect(forcedD1.next_day_rebuilt).toBeUndefined();
  const manifests = [await manifestBytes(s, D), await manifestBytes(s, D1)];
  for (const day of [D1, D, D1]) {
    const again = await enrichDay(day, depsOf(s));
    expect(again.status).toBe('unchanged');
    expect(again.next_day_rebuilt).toBeUndefined();
  }
  expect([await manifestBytes(s, D), await manifestBytes(s, D1)]).toEqual(manifests); // an unchanged skip keeps its list
  expect(await snapshot(s)).toEqual(before);
  expect(await daysById(s)).toEqual(EXPECTED_DAYS);
}

describe('an arrival-dated update redelivered across midnight', () => {
  it('the envelopes put the click in two day folders, the dated reaction in one', () => {
    expect(envelope(callback, '2026-03-02T02:59:59.500Z').contextDate).toBe(D);
    expect(envelope(callback, '2026-03-02T03:00:01.500Z').contextDate).toBe(D1);
    expect(envelope(reaction, '2026-03-02T02:59:59.800Z').contextDate).toBe(D);
    expect(envelope(reaction, '2026-03-02T03:00:01.800Z').contextDate).toBe(D);
  });

  it('D then D+1: kept once, on D; D+1 counts the copy as a cross-day duplicate; re-runs change nothing', async () => {
    await seed(stores);
    const logger = memoryLogger('enrich');
    const sD = await enrichDay(D, depsOf(stores, logger));
    expect(sD).toMatchObject(D_BUILT);
    expect(sD.next_day_rebuilt).toBeUndefined();
    expect(logger.lines.find((l) => l.event === 'cross_day_check')).toMatchObject({ level: 'info', date: D, previous: '2026-02-28', state: 'previous_not_built' });
    expect((await manifestOf(stores, D)).arrival_dated_ids).toEqual([CALLBACK]);

    const sD1 = await enrichDay(D1, depsOf(stores, logger));
    expect(sD1).toMatchObject(D1_BUILT);
    expect(sD1.next_day_rebuilt).toBeUndefined();
    addsUp(sD);
    addsUp(sD1);
    expect(logger.lines.filter((l) => l.event === 'enrich_day').at(-1)).toMatchObject({ date: D1, duplicates: 1, cross_day_duplicates: 1, arrival_dated: 1, Duplicates: 1 });
    expect((await manifestOf(stores, D1)).arrival_dated_ids).toEqual([SECOND_CLICK]);
    expect((await manifestOf(stores, D1)).summary).toMatchObject({ cross_day_duplicates: 1 });
    expect(await daysById(stores)).toEqual(EXPECTED_DAYS);
    const click = (await rowsOf(stores, 'telegram_events')).find((r) => Number(r.update_id) === CALLBACK)!;
    expect(click.received_at).toEqual(new Date('2026-03-02T02:59:59.500Z')); // the earlier copy

    await rerunsChangeNothing(stores);
  });

  it('D+1 then D: D+1 first keeps it, building D rebuilds D+1, which drops it; same tables as the other order', async () => {
    await seed(stores);
    const logger = memoryLogger('enrich');
    const first = await enrichDay(D1, depsOf(stores, logger));
    expect(first).toMatchObject({ ...D1_BUILT, rows: { telegram: 2, telegram_events: 2 }, duplicates: 0, cross_day_duplicates: 0 });
    expect(logger.lines.find((l) => l.event === 'cross_day_check')).toMatchObject({ level: 'info', date: D1, previous: D, state: 'previous_not_built' });
    expect((await manifestOf(stores, D1)).arrival_dated_ids).toEqual([CALLBACK, SECOND_CLICK]);
    expect((await daysById(stores))[CALLBACK]).toEqual([D1]);

    logger.lines.length = 0;
    const sD = await enrichDay(D, depsOf(stores, logger));
    expect(sD).toMatchObject(D_BUILT);
    expect(sD.next_day_rebuilt).toMatchObject(D1_BUILT);
    expect(sD.next_day_rebuilt!.next_day_rebuilt).toBeUndefined(); // one level deep
    addsUp(sD.next_day_rebuilt!);
    expect(logger.lines.filter((l) => ['enrich_day', 'cross_day_rebuild'].includes(String(l.event))).map((l) => [l.event, l.date])).toEqual([
      ['enrich_day', D],
      ['cross_day_rebuild', D],
      ['enrich_day', D1],
    ]);
    expect(logger.lines.find((l) => l.event === 'cross_day_rebuild')).toMatchObject({ level: 'info', date: D, next: D1, overlap: 1, update_ids: [CALLBACK] });
    expect((await manifestOf(stores, D1)).arrival_dated_ids).toEqual([SECOND_CLICK]);
    expect(await daysById(stores)).toEqual(EXPECTED_DAYS);

    // The other order, in another folder, gives the same rows.
    const other = localStores(join(dir, 'b'));
    await seed(other);
    await enrichDay(D, depsOf(other));
    await enrichDay(D1, depsOf(other));
    expect(await snapshot(stores)).toEqual(await snapshot(other));

    await rerunsChangeNothing(stores);
  });

  it('a dated kind is unaffected: its retry stays in its own day (a plain duplicate), and no dated id is listed', async () => {
    await seed(stores);
    await enrichDay(D1, depsOf(stores));
    const sD = await enrichDay(D, depsOf(stores));
    expect(sD).toMatchObject({ duplicates: 1, cross_day_duplicates: 0 }); // the reaction's retry, within D
    for (const day of [D, D1]) {
      const ids = (await manifestOf(stores, day)).arrival_dated_ids!;
      expect(ids).not.toContain(REACTION);
      for (const id of [101, 102, 201, 202]) expect(ids).not.toContain(id);
    }
    expect((await daysById(stores))[REACTION]).toEqual([D]);
  });

  it('two days built at the same time both keep it; the next visit of the earlier day, even an unchanged skip, mends the later one', async () => {
    await seed(stores);
    // D+1 finished before D's manifest existed, and D checked D+1 before D+1's existed: simulated by
    // building D without its check of the next day.
    await enrichDay(D1, depsOf(stores));
    await enrichDay(D, depsOf(stores), { checkNextDay: false });
    expect((await daysById(stores))[CALLBACK]).toEqual([D, D1]);

    const visit = await enrichDay(D, depsOf(stores));
    expect(visit.status).toBe('unchanged');
    expect(visit.next_day_rebuilt).toMatchObject(D1_BUILT);
    expect(await daysById(stores)).toEqual(EXPECTED_DAYS);
  });

  it('manifests written before the list existed: the day counts as changed, and the next day is rebuilt against it', async () => {
    await seed(stores);
    await enrichDay(D1, depsOf(stores));
    await enrichDay(D, depsOf(stores), { checkNextDay: false });
    for (const day of [D, D1]) {
      const { arrival_dated_ids: _, ...old } = await manifestOf(stores, day);
      await stores.enriched.write(manifestKey(day), JSON.stringify(old));
    }
    const logger = memoryLogger('enrich');
    const s = await enrichDay(D, depsOf(stores, logger));
    expect(s.status).toBe('built');
    expect(s.next_day_rebuilt).toMatchObject(D1_BUILT);
    expect(logger.lines.find((l) => l.event === 'cross_day_rebuild')).toMatchObject({ next: D1, reason: 'next_without_list' });
    expect(await daysById(stores)).toEqual(EXPECTED_DAYS);
  });

  it('past the limit no id is recorded (warned): the cross-day check is off for the next day, which keeps its copy', async () => {
    await seed(stores);
    const logger = memoryLogger('enrich');
    const sD = await enrichDay(D, depsOf(stores, logger), { arrivalDatedIdsLimit: 0 });
    expect(sD).toMatchObject(D_BUILT);
    expect((await manifestOf(stores, D)).arrival_dated_ids).toBeNull();
    expect(logger.lines.find((l) => l.event === 'cross_day_check')).toMatchObject({ level: 'info', state: 'previous_not_built' });
    expect(logger.lines.find((l) => l.state === 'not_recorded')).toMatchObject({ level: 'warn', date: D, arrival_dated: 1 });
    const sD1 = await enrichDay(D1, depsOf(stores, logger));
    expect(sD1).toMatchObject({ cross_day_duplicates: 0, rows: { telegram_events: 2 } });
    expect(logger.lines.find((l) => l.state === 'previous_not_recorded')).toMatchObject({ level: 'warn', date: D1, previous: D });
    expect((await enrichDay(D, depsOf(stores))).status).toBe('unchanged'); // null is a recorded answer, not an old manifest
  });
});

describe('the commands', () => {
  const tgpipe = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { CONTEXT_UTC_OFFSET: '-03:00' } });
    return { code, stdout, stderr };
  };
  beforeEach(() => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('tgpipe enrich names the rebuilt next day; replay enrich with concurrency never builds the two days at once', async () => {
    const data = join(dir, 'a');
    await seed(stores);
    expect((await tgpipe('enrich', '--date', D1, '--data', data)).code).toBe(0);
    const r = await tgpipe('enrich', '--date', D, '--data', data);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${D} built +objects=2 lines=5 telegram=2 events=2 duplicates=1 quarantined=0 \\d+ms\\n  ${D1} built +objects=1 lines=4 telegram=2 events=1 duplicates=1 \\(cross_day=1\\) quarantined=0 \\d+ms \\(rebuilt after ${D}`, 'm'));
    expect(r.stdout).toContain('1 day(s): telegram=4 telegram_events=3');
    expect(await daysById(stores)).toEqual(EXPECTED_DAYS);

    const fresh = localStores(join(dir, 'c'));
    await seed(fresh);
    const replay = await tgpipe('replay', 'enrich', '--from', D, '--to', D1, '--concurrency', '4', '--data', join(dir, 'c'));
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('2 day(s) rebuilt: telegram=4 telegram_events=3');
    expect(await daysById(fresh)).toEqual(EXPECTED_DAYS);
  });
});

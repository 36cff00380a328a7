/**
 * Local end to end, through `tgpipe replay`: Firehose error output replayed into the data folder appears
 * exactly once after enrichment; replaying days that are already enriched (error output again, the raw
 * day itself) changes no count and no report; a replay killed mid-way (SIGKILL of a real child process)
 * and run again leaves the enriched result and every report unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { encodeErrorRecord } from '../../core/replay/error-output';
import { objectLines } from '../../core/object-lines';
import { localStores, type LocalStores } from '../../adapters/local/data-dir';
import { recoverLocalFirehose } from '../../adapters/local/local-firehose';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { main } from '../../cli/main';
import { loadReports, renderReportSql } from '../../reports';
import { rawDayPrefix } from '../../schemas';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tgpipe.mjs');
const D1 = '2026-05-10';
const D2 = '2026-05-11';
const ARRIVAL = '2026-05-12';
const OFFSET = -180;
const env = { ...process.env, CONTEXT_UTC_OFFSET: '-03:00' };

const at = (day: string, hour: number) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00-03:00`) / 1000;
const chat = { id: -100123, type: 'supergroup', title: 'g' };
const from = (u: number) => ({ id: u, is_bot: false, first_name: `user${u}` });
const message = (id: number, day: string, hour: number, text: string) => ({ update_id: id, message: { message_id: id, from: from(1 + (id % 4)), chat, date: at(day, hour), text } });
const edit = (id: number, of: number, day: string) => ({ update_id: id, edited_message: { message_id: of, from: from(1), chat, date: at(day, 9), edit_date: at(day, 11), text: 'edited' } });
const reaction = (id: number, of: number, day: string) => ({ update_id: id, message_reaction: { chat, message_id: of, user: from(2), date: at(day, 12), old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] } });
const line = (u: object, receivedAt = Date.parse(`${D1}T12:00:00Z`)) => {
  const body = JSON.stringify(u);
  return buildEnvelope(body, parseUpdateBody(body), receivedAt, OFFSET).line;
};

let dir: string;
let data: string;
let stores: LocalStores;
const tgpipe = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
};

/** Lines in the raw layer (what the stream has delivered so far). */
async function rawLines(): Promise<number> {
  let n = 0;
  for await (const o of stores.raw.list('telegram/')) for await (const _ of objectLines(await stores.raw.read(o.key))) n += 1;
  return n;
}

/** Every count and every report's rows, as the analyst sees them. */
async function snapshot(): Promise<Record<string, unknown>> {
  const engine = await DuckDbEngine.open(data, { threads: 1 });
  try {
    const out: Record<string, unknown> = {};
    for (const t of ['telegram', 'telegram_events']) {
      out[t] = (await engine.query(`SELECT count(*) AS n, count(DISTINCT update_id) AS ids FROM ${t}`))[0];
    }
    for (const r of loadReports()) out[r.name] = await engine.query(renderReportSql(r.query, { utcOffsetMinutes: OFFSET }));
    return out;
  } finally {
    await engine.close();
  }
}

beforeAll(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // progress lines
  dir = await mkdtemp(join(tmpdir(), 'replay-e2e-'));
  data = join(dir, 'data');
  stores = localStores(data);
  // What Firehose delivered: two days, messages and events.
  await stores.raw.write(`${rawDayPrefix(D1)}TelegramRaw-1-2026-05-10-15-00-00-a.gz`, gzipSync([line(message(1, D1, 9, 'hello')), line(message(2, D1, 10, 'olá 😀')), line(edit(3, 1, D1)), line(reaction(4, 2, D1))].join('')));
  await stores.raw.write(`${rawDayPrefix(D2)}TelegramRaw-1-2026-05-11-15-00-00-b.gz`, gzipSync([line(message(10, D2, 8, 'bom dia')), line(reaction(11, 10, D2))].join('')));
  // What it could not deliver (arrival date D3, records of D1 and D2, one of them a duplicate of a delivered one).
  const failed = [message(5, D1, 20, 'late one'), message(6, D1, 21, 'another'), edit(7, 2, D1), message(12, D2, 22, 'night'), reaction(13, 12, D2), message(2, D1, 10, 'olá 😀')];
  // Four objects of ten records each (the kill test needs a few calls); ids 20.. are further messages of D2.
  const more = Array.from({ length: 34 }, (_, i) => message(20 + i, D2, 13, `m${i}`));
  const all = [...failed, ...more].map((u) => encodeErrorRecord(line(u), { arrivalTimestamp: Date.parse(`${ARRIVAL}T01:00:00Z`) }));
  for (let o = 0; o < 4; o += 1) {
    await stores.raw.write(`errors/DynamicPartitioning.MetadataExtractionFailed/date=${ARRIVAL}/TelegramRaw-${o}.gz`, gzipSync(`${all.slice(o * 10, o * 10 + 10).join('\n')}\n`));
  }
  expect((await tgpipe('replay', 'enrich', '--from', D1, '--to', D2, '--data', data)).code).toBe(0);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('replay on the local data folder', () => {
  let afterReplay: Record<string, unknown>;

  it('replays the error output; after enrichment every record appears exactly once', async () => {
    const before = await snapshot();
    expect(before.telegram).toEqual({ n: 3, ids: 3 });
    expect(before.telegram_events).toEqual({ n: 3, ids: 3 });

    const dry = await tgpipe('replay', 'stream', '--source', 'errors', '--from', ARRIVAL, '--to', ARRIVAL, '--data', data, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: 1 day(s), 4 objects, 40 records: would send 40');

    const r = await tgpipe('replay', 'stream', '--source', 'errors', '--from', ARRIVAL, '--to', ARRIVAL, '--data', data);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${ARRIVAL} objects=4 records=40 sent=40/40 .*-> context_date ${D1}=4 ${D2}=36`));
    expect(r.stdout).toContain(`next: rebuild the days they landed on: tgpipe replay enrich --from ${D1} --to ${D2} --data ${data}`);
    // Each record landed on its own context_date, not on the arrival date.
    expect(await readdir(join(data, 'raw', 'telegram'))).toEqual([`context_date=${D1}`, `context_date=${D2}`]);

    const e = await tgpipe('replay', 'enrich', '--from', D1, '--to', D2, '--data', data, '--concurrency', '2');
    expect(e.code).toBe(0);
    afterReplay = await snapshot();
    // D1: messages 1, 2, 5, 6 (2 was also in the error output); D2: 10, 12 and 20..53.
    expect(afterReplay.telegram).toEqual({ n: 4 + 2 + 34, ids: 40 });
    // D1: edits 3, 7, reaction 4; D2: reactions 11, 13.
    expect(afterReplay.telegram_events).toEqual({ n: 5, ids: 5 });
  });

  it('replaying again, the error output and the raw days themselves, changes no count and no report', async () => {
    expect((await tgpipe('replay', 'stream', '--source', 'errors', '--from', ARRIVAL, '--to', ARRIVAL, '--data', data)).code).toBe(0);
    const raw = await tgpipe('replay', 'stream', '--from', D1, '--to', D2, '--data', data);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toMatch(/2 day\(s\), \d+ objects, \d+ records: sent \d+/);
    expect((await tgpipe('replay', 'enrich', '--from', D1, '--to', D2, '--data', data)).code).toBe(0);
    expect(await snapshot()).toEqual(afterReplay);
  });

  it('a replay killed mid-way and run again leaves the enriched result and the reports unchanged', async () => {
    const linesBefore = await rawLines();
    const child = spawn(process.execPath, [BIN, 'replay', 'stream', '--source', 'errors', '--from', ARRIVAL, '--to', ARRIVAL, '--data', data, '--rate', '10'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // At rate 10 the 40 records take 4 seconds: kill once some of them are in the raw layer.
    child.stderr.on('data', (c) => (err += c));
    const deadline = Date.now() + 60_000;
    while ((await rawLines()) - linesBefore < 8) {
      if (Date.now() > deadline) throw new Error(`no progress: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toMatch(/records: sent/); // it never finished
    // What a restarted local Firehose does first: cut a torn trailing member of the killed writer, if any.
    await recoverLocalFirehose(stores.raw.root);
    const delivered = (await rawLines()) - linesBefore;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(40);

    expect((await tgpipe('replay', 'stream', '--source', 'errors', '--from', ARRIVAL, '--to', ARRIVAL, '--data', data)).code).toBe(0);
    expect((await tgpipe('replay', 'enrich', '--from', D1, '--to', D2, '--data', data)).code).toBe(0);
    expect(await snapshot()).toEqual(afterReplay);
  }, 90_000);
});

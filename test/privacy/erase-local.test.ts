/**
 * Erasure on the local face, end to end through `tgpipe`: ingest -> enrich -> erase --user -> every file
 * of the data folder searched; the other members' numbers unchanged; a second run changes nothing; a
 * replay of a raw backup and a re-import do not bring the person back; export-user.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { main } from '../../cli/main';
import { readRaw } from '../local/support/raw';
import { ANA, BEN, CHAT, conversation, DIA, everyWrittenFile, findForbidden } from './support';

const DIA_VALUES = [DIA.id, 'Diafirstzq', 'Textzq Dia says hi', 'Textzq day two'];
/** Every file but the erasure register, which holds the id and the time by design (nothing else). */
const dataFiles = async (dir: string) => (await everyWrittenFile(dir)).filter((f) => !f.path.endsWith('erasure-register.json'));

describe('tgpipe erase (local)', () => {
  let dir: string;
  let work: string;
  let input: string;
  let days: string[];
  let out = '';
  const io = () => ({ stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), env: { ...process.env, DATA_MODE: '', CONTEXT_UTC_OFFSET: '-03:00', TELEGRAM_WEBHOOK_SECRET: 'erase_test_secret' } });
  const tg = async (...argv: string[]) => {
    out = '';
    const code = await main(argv, io());
    return { code, out };
  };
  const enrichAll = async () => {
    for (const day of days) expect((await tg('enrich', '--date', day, '--data', dir, '--force')).code).toBe(0);
  };
  const numbers = async () => {
    const engine = await DuckDbEngine.open(dir);
    try {
      const messages = await engine.query(`SELECT user_id, count(*) AS n, sum(text_length) AS chars FROM telegram GROUP BY user_id ORDER BY user_id`);
      const events = await engine.query(`SELECT actor_user_id, count(*) AS n FROM telegram_events WHERE member_user_id IS NULL OR member_user_id <> ${DIA.id} GROUP BY actor_user_id ORDER BY actor_user_id`);
      const replies = await engine.query(`SELECT count(*) AS n FROM telegram WHERE reply_to_user_id = ${DIA.id} OR left_chat_member_id = ${DIA.id}`);
      return { messages, events, replies };
    } finally {
      await engine.close();
    }
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'erase-local-'));
    dir = join(work, 'data');
    input = join(work, 'updates.jsonl');
    await writeFile(input, conversation().map((u) => JSON.stringify(u)).join('\n'));
    expect((await tg('ingest', input, '--data', dir, '--allowed-chat-ids', String(CHAT))).code).toBe(0);
    days = [...new Set((await readRaw(dir)).map((e) => e.day))].sort();
    await enrichAll();
    await cp(join(dir, 'raw'), join(work, 'backup'), { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('removes the person from every layer and leaves the other members\' numbers as they were', async () => {
    const before = await numbers();
    expect(findForbidden(await everyWrittenFile(dir), DIA_VALUES).length).toBeGreaterThan(0);
    const diaRows = (before.messages as Array<{ user_id: number; n: number }>).find((r) => r.user_id === DIA.id)!.n;

    const first = await tg('erase', '--user', String(DIA.id), '--data', dir, '--json');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/register: 1 entry added/);
    const report = JSON.parse(first.out.trim().split('\n').at(-1)!);
    expect(report.raw.lines_dropped).toBe(4); // two messages, a reaction, a membership change about them
    expect(report.raw.lines_redacted).toBeGreaterThanOrEqual(5); // the join, the mention, the forward, the leave, the reply
    expect(report.rows_removed.telegram).toBe(diaRows);
    expect(report.days).toEqual(days.filter((d) => report.days.includes(d)));

    expect(findForbidden(await dataFiles(dir), DIA_VALUES)).toEqual([]);
    const after = await numbers();
    const others = (rows: Record<string, unknown>[]) => rows.filter((r) => r.user_id !== DIA.id);
    expect(after.messages).toEqual(others(before.messages));
    expect(after.events).toEqual((before.events as Array<{ actor_user_id: number }>).filter((r) => r.actor_user_id !== DIA.id));
    expect(after.replies).toEqual([{ n: 0 }]);
    const register = JSON.parse(await readFile(join(dir, 'raw', '_privacy', 'erasure-register.json'), 'utf8'));
    expect(register.entries).toEqual([{ kind: 'user', id: DIA.id, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    // Other people's updates are kept with the person taken out (a reply keeps its row, not its target).
    const raw = await readRaw(dir);
    const reply = raw.find((e) => e.record.ok && (e.record.update as any).message?.text === 'x')!;
    expect((reply.record as any).update.message.reply_to_message).toEqual({ message_id: 5010, tgpipe_erased: true });
    const join_ = raw.find((e) => e.record.ok && (e.record.update as any).message?.new_chat_members)!;
    expect((join_.record as any).update.message.new_chat_members).toEqual([{ tgpipe_erased: true }]);
  });

  it('is safe to run twice: the second run finds nothing left', async () => {
    const again = await tg('erase', '--user', String(DIA.id), '--data', dir, '--json');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.out.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ register_added: 0, raw: { objects_rewritten: 0, objects_deleted: 0, lines_dropped: 0, lines_redacted: 0 }, days: [] });
  });

  it('a replay of a raw backup and a re-import do not bring the person back', async () => {
    const replay = await tg('replay', 'stream', '--from', days[0]!, '--to', days.at(-1)!, '--data', dir, '--source-dir', join(work, 'backup'));
    expect(replay.code, replay.out).toBe(0);
    expect(replay.out).toMatch(/erased/);
    const reimport = await tg('ingest', input, '--data', dir, '--allowed-chat-ids', String(CHAT));
    expect(reimport.code, reimport.out).toBe(0);
    await enrichAll();
    expect(findForbidden(await dataFiles(dir), DIA_VALUES)).toEqual([]);
  });

  it('export-user writes a person\'s rows of both tables; none are left of the erased one', async () => {
    const ben = await tg('export-user', '--user', String(BEN.id), '--data', dir);
    expect(ben.code).toBe(0);
    const exported = JSON.parse(ben.out);
    expect(exported.telegram.length).toBe(5);
    expect(exported.telegram.every((r: { user_id: number }) => r.user_id === BEN.id)).toBe(true);
    const ana = JSON.parse((await tg('export-user', '--user', String(ANA.id), '--data', dir)).out);
    expect(ana.telegram_events.map((r: { event_kind: string }) => r.event_kind)).toContain('message_reaction');
    const dia = JSON.parse((await tg('export-user', '--user', String(DIA.id), '--data', dir)).out);
    expect(dia).toMatchObject({ telegram: [], telegram_events: [] });
  });
});

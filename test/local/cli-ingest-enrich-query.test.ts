/** The CLI on a temporary data folder: ingest (good and bad files), enrich, query, against an independent count. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tgpipe.mjs');
let dir: string;
const tgpipe = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ALLOWED_CHAT_IDS: '-100123', CONTEXT_UTC_OFFSET: '-03:00', TELEGRAM_WEBHOOK_SECRET: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const msg = (id: number, user: number, day: string, hour: number, text: string, chat = -100123) => ({
  update_id: id,
  message: { message_id: id, from: { id: user, is_bot: false, first_name: `user${user}` }, chat: { id: chat, type: 'supergroup', title: 'g' }, date: Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00-03:00`) / 1000, text },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('tgpipe ingest, enrich, query', () => {
  const updates = [
    msg(1, 7, '2026-04-01', 10, 'hello'),
    msg(2, 8, '2026-04-01', 23, 'late evening, still the 1st at -03:00'),
    msg(3, 7, '2026-04-02', 9, 'olá 😀'),
    msg(4, 9, '2026-04-02', 9, 'other chat', -100999),
  ];

  it('ingests every supported file shape, keeps the good updates and exits 1 naming the bad ones', async () => {
    const data = join(dir, 'data');
    await writeFile(join(dir, 'one.json'), JSON.stringify(updates[0], null, 2));
    await writeFile(join(dir, 'answer.json'), JSON.stringify({ ok: true, result: [updates[1]] }));
    await writeFile(join(dir, 'lines.jsonl.gz'), gzipSync(`${JSON.stringify(updates[2])}\n${JSON.stringify(updates[3])}\nnot json\n`));
    await writeFile(join(dir, 'array.json'), JSON.stringify([updates[0], { hello: 'world' }]));
    const r = await tgpipe('ingest', join(dir, 'one.json'), join(dir, 'answer.json'), join(dir, 'lines.jsonl.gz'), join(dir, 'array.json'), join(dir, 'missing.json'), '--data', data);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('accepted 4, ignored 1, rejected 2');
    expect(r.stderr).toMatch(/lines\.jsonl\.gz:3: not JSON/);
    expect(r.stderr).toMatch(/array\.json(:\d+ )?\[1\]: not a Telegram update/);
    // A missing file is named first, in words, and the others are still read (exit 1).
    expect(r.stderr).toMatch(/^tgpipe ingest: .*missing\.json: no such file or folder$/m);
    expect(r.stdout).toMatch(/stored on 2 day\(s\), 2026-04-01\.\.2026-04-02: next, tgpipe enrich --from 2026-04-01 --to 2026-04-02 --data /);

    const e = await tgpipe('enrich', '--from', '2026-04-01', '--to', '2026-04-02', '--data', data);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('telegram=3 telegram_events=0');

    const q = await tgpipe('query', 'messages_per_day', '--data', data, '--format', 'json');
    expect(JSON.parse(q.stdout)).toEqual([
      { context_date: '2026-04-02', message_amount: 1 },
      { context_date: '2026-04-01', message_amount: 2 },
    ]);
    const sql = await tgpipe('query', '--sql', 'SELECT count(DISTINCT update_id) AS n, sum(length(text)) AS chars FROM telegram', '--data', data, '--format', 'csv');
    const chars = [updates[0]!, updates[1]!, updates[2]!].reduce((n, u) => n + [...u.message.text].length, 0);
    expect(sql.stdout).toBe(`n,chars\n3,${chars}\n`);
  });

  it('takes negative values after a flag as they are written: --allowed-chat-ids -100..., --utc-offset -03:00', async () => {
    const data = join(dir, 'negative');
    await writeFile(join(dir, 'neg.json'), JSON.stringify([msg(11, 7, '2026-04-03', 10, 'kept', -100555), msg(12, 7, '2026-04-03', 11, 'other chat')]));
    const r = await tgpipe('ingest', join(dir, 'neg.json'), '--allowed-chat-ids', '-100555', '--utc-offset', '-03:00', '--data', data);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accepted 1, ignored 1, rejected 0');
    const q = await tgpipe('query', '--sql', 'SELECT count(*) AS n FROM telegram_raw', '--utc-offset', '-03:00', '--data', data, '--format', 'csv');
    expect(q.stdout).toBe('n\n1\n');
    // Still a usage error when the flag has no value at all.
    expect((await tgpipe('ingest', join(dir, 'neg.json'), '--data', data, '--allowed-chat-ids')).code).toBe(2);
  });

  it('reads the whole lines of a cut-off .gz and says the rest is lost', async () => {
    const data = join(dir, 'truncated');
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify(msg(1000 + i, 7, '2026-04-04', 12, `line ${i} ${'x'.repeat(i % 50)}`)));
    const whole = gzipSync(`${lines.join('\n')}\n`);
    await writeFile(join(dir, 'cut.jsonl.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = await tgpipe('ingest', join(dir, 'cut.jsonl.gz'), '--data', data);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.jsonl\.gz: truncated gzip: the file ends early \(after \d+ of its bytes\); what came before is read/);
    const accepted = Number(/accepted (\d+)/.exec(r.stdout)![1]);
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(400);
    // The cut-off file, and the line the cut went through.
    expect(r.stdout).toContain(`accepted ${accepted}, ignored 0, rejected 2`);
    expect(r.stderr).toMatch(new RegExp(`cut\\.jsonl\\.gz:${accepted + 1}: not JSON \\(the file ends inside it: truncated\\?\\)`));
  });

  it('answers bad usage with a message and exit 2', async () => {
    expect((await tgpipe('enrich', '--date', '2026-02-30')).code).toBe(2);
    expect((await tgpipe('enrich')).stderr).toMatch(/missing --date/);
    expect((await tgpipe('query', 'no_such_report', '--data', dir)).stderr).toMatch(/no report named/);
    expect((await tgpipe('nope')).code).toBe(2);
    const bare = await tgpipe();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/tgpipe: missing command[\s\S]*Usage: tgpipe <command> \[options\]/);
    expect((await tgpipe('--help')).code).toBe(0);
    for (const args of [['query', 'messages_per_day', '--utc-offset', '+99:00'], ['report', '--utc-offset', 'nonsense']]) {
      const bad = await tgpipe(...args, '--data', dir);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--utc-offset: invalid UTC offset/);
    }
    for (const c of ['serve', 'ingest', 'enrich', 'query', 'report', 'replay', 'set-webhook']) {
      const h = await tgpipe(c, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Usage: tgpipe/);
    }
  });
});

/** `tgpipe ingest` as a new user meets it: files checked first, folders read, days to build next, --enrich. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { prettyLine } from '../../core/log';

const run = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TELEGRAM_WEBHOOK_SECRET: 'test_secret' } });
  return { code, stdout, stderr };
};

const update = (id: number, day: string, chat = -100777) =>
  JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 5, is_bot: false, first_name: 'Ana' }, chat: { id: chat, type: 'supergroup', title: 'G' }, date: Date.parse(`${day}T15:00:00Z`) / 1000, text: `m${id}` } });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-ingest-'));
});

describe('tgpipe ingest', () => {
  it('names a missing file in words before complaining about settings', async () => {
    const r = await run('ingest', join(dir, 'nope.json'), '--data', join(dir, 'd0'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tgpipe ingest: ${join(dir, 'nope.json')}: no such file or folder`);
    expect(r.stderr).not.toContain('ALLOWED_CHAT_IDS');
  });

  it('reads the files of a folder (hidden ones left out), says which days to enrich, and builds them with --enrich', async () => {
    const folder = join(dir, 'exports');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'a.jsonl'), `${update(1, '2026-05-01')}\n${update(2, '2026-05-02')}\n`);
    await writeFile(join(folder, 'b.json'), `[${update(3, '2026-05-03')}]`);
    await writeFile(join(folder, '.hidden.json'), update(4, '2026-05-04'));
    const data = join(dir, 'd1');
    const r = await run('ingest', folder, '--allowed-chat-ids', '-100777', '--data', data);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accepted 3, ignored 0, rejected 0');
    expect(r.stdout).toContain(`stored on 3 day(s), 2026-05-01..2026-05-03: next, tgpipe enrich --from 2026-05-01 --to 2026-05-03 --data ${data} (or ingest with --enrich)`);

    const again = await run('ingest', join(folder, 'b.json'), '--all-chats', '--enrich', '--data', join(dir, 'd2'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^2026-05-03 built +objects=1 lines=1 telegram=1/m);
    expect(again.stdout).toContain('1 day(s): telegram=1 telegram_events=0 quarantined=0');
  });

  it('a folder with no files is an error, not a quiet success', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const r = await run('ingest', empty, '--all-chats', '--data', join(dir, 'd3'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no files in ${empty}`);
  });
});

describe('readable log lines', () => {
  it('prints time, level, message and the fields as key=value, without the metric envelope', () => {
    const line = prettyLine('warn', new Date('2026-05-01T12:34:56Z'), 'day set aside', { service: 'enrich', _aws: { x: 1 }, day: '2026-05-01', reason: 'two words', n: 3 });
    expect(line).toBe('12:34:56 WARN  day set aside  day=2026-05-01 reason="two words" n=3\n');
    expect(prettyLine('error', new Date(0), 'x', {}, true)).toContain('\x1b[31mERROR\x1b[0m');
  });

  it('leaves out zero counters and empty objects (JSON lines keep them), and keeps the non-zero ones of a nested count', () => {
    const line = prettyLine('info', new Date('2026-05-01T00:00:00Z'), 'day built', { lines: 12, duplicates: 0, rows: { telegram: 10, telegram_events: 0 }, data_modes: {}, flag: false });
    expect(line).toBe('00:00:00 INFO  day built  lines=12 rows={"telegram":10} flag=false\n');
  });
});

/**
 * What a person at a terminal sees against what a pipe gets, with the real command in a real
 * pseudo-terminal (util-linux `script` gives the child a pty; its own output is the pty's).
 * In a terminal: a progress line redrawn in place, readable coloured log lines. In a pipe: no
 * progress at all, one result line per day, and JSON log lines a machine can read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../bin/tgpipe.mjs');
const hasScript = spawnSync('script', ['--version']).status === 0;
const ENV = { ...process.env, TELEGRAM_WEBHOOK_SECRET: 'test_secret', NO_COLOR: '', FORCE_COLOR: '' };

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a child to its end (or SIGTERM after killAfterMs); what it wrote on stdout and on stderr. */
function runChild(file: string, args: string[], killAfterMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGTERM'), killAfterMs) : undefined;
    child.on('error', fail);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** tgpipe in a pseudo-terminal: everything the terminal showed (stdout and stderr are both the pty). */
async function inTerminal(args: string[], { killAfterMs }: { killAfterMs?: number } = {}): Promise<{ code: number | null; shown: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const r = await runChild('script', ['-qfec', `stty cols 120; ${command}`, '/dev/null'], killAfterMs);
  return { code: r.code, shown: r.stdout + r.stderr };
}

/** tgpipe with stdout and stderr as pipes. */
const inPipe = (args: string[], { killAfterMs }: { killAfterMs?: number } = {}) => runChild(process.execPath, [BIN, ...args], killAfterMs);

const update = (id: number, day: string) =>
  JSON.stringify({
    update_id: id,
    message: { message_id: id, from: { id: 5, is_bot: false, first_name: 'Ana' }, chat: { id: -100777, type: 'supergroup', title: 'G' }, date: Date.parse(`${day}T12:00:00Z`) / 1000, text: `m${id}` },
  });

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-terminal-'));
  file = join(dir, 'updates.jsonl');
  const lines: string[] = [];
  for (let i = 1; i <= 3000; i++) lines.push(update(i, `2026-05-0${1 + (i % 3)}`));
  await writeFile(file, `${lines.join('\n')}\n`);
});

describe.skipIf(!hasScript)('tgpipe in a terminal and in a pipe', () => {
  it('ingest --enrich: a progress line redrawn in place in a terminal; in a pipe none, and one line per day', async () => {
    const tty = await inTerminal(['ingest', file, '--all-chats', '--enrich', '--data', join(dir, 'tty')]);
    expect(tty.code).toBe(0);
    expect(tty.shown).toContain('\r');
    expect(tty.shown).toMatch(/\[[#.]{30}\] \d+\/\d+/);
    expect(tty.shown).toContain('accepted 3000, ignored 0, rejected 0');

    const pipe = await inPipe(['ingest', file, '--all-chats', '--enrich', '--data', join(dir, 'pipe')]);
    expect(pipe.code).toBe(0);
    expect(pipe.stderr).toBe('');
    expect(pipe.stdout).not.toContain('\r');
    expect(pipe.stdout).not.toMatch(/\[[#.]{30}\]/);
    const dayLines = pipe.stdout.split('\n').filter((l) => /^2026-05-0\d built/.test(l));
    expect(dayLines.map((l) => l.slice(0, 10))).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
    expect(pipe.stdout).toContain('accepted 3000, ignored 0, rejected 0');
  }, 120_000);

  it('serve: readable coloured log lines and the banner in a terminal; JSON lines in a pipe', async () => {
    const tty = await inTerminal(['serve', '--data', join(dir, 'serve-tty'), '--port', '0', '--allowed-chat-ids', '-100777'], { killAfterMs: 6000 });
    expect(tty.shown).toContain('tgpipe serve: listening on http://127.0.0.1:');
    expect(tty.shown).toContain('\x1b[');
    const ttyLogLines = tty.shown.split(/\r?\n/).filter((l) => l.trim().startsWith('{'));
    expect(ttyLogLines).toEqual([]);

    const pipe = await inPipe(['serve', '--data', join(dir, 'serve-pipe'), '--port', '0', '--allowed-chat-ids', '-100777'], { killAfterMs: 6000 });
    expect(pipe.stdout).toContain('tgpipe serve: listening on http://127.0.0.1:');
    const logLines = pipe.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(pipe.stderr).not.toContain('\x1b[');
  }, 60_000);
});

/**
 * `tgpipe ingest result.json`, as a new user tries it first: the streaming reader the command uses
 * recognises an export of either shape (also gzip-compressed, also written with the `\xHH` escapes that
 * make it no JSON) and answers with one rejection that points to `tgpipe import`, storing nothing.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { UpdateStreamParser, type StreamItem } from '../../core/update-stream';
import { accountExport, chatExport, dated } from '../support/tdesktop-export';

const T = Date.parse('2026-03-14T15:00:00Z') / 1000;
// Enough messages for the file to span many chunks; a control character written as \x01.
const messages = Array.from({ length: 400 }, (_, i) => ({ id: i + 1, type: 'message', ...dated(T + i), from: 'Ana', from_id: 'user11', text: `m${i}\u0001`, text_entities: [{ type: 'plain', text: `m${i}\u0001` }] }));
const chat = chatExport({ name: 'G', type: 'private_supergroup', id: 1555000111, messages });
const account = accountExport([{ name: 'G', type: 'private_group', id: 4055512345, messages }], [{ name: 'L', type: 'public_channel', id: 7, messages: [] }]);
const saved = chatExport({ name: null, type: 'saved_messages', id: 42, messages: messages.slice(0, 2) }).replace(/^\{\n "name": null,\n/, '{\n');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-export-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function stream(text: string, cuts: number[]): StreamItem[] {
  const parser = new UpdateStreamParser('result.json');
  const out: StreamItem[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  out.push(...parser.push(text.slice(at)), ...parser.end());
  return out;
}

describe('tgpipe ingest given a Telegram Desktop export', () => {
  it('rejects the file once, pointing to tgpipe import, and stores nothing (either shape, plain or gzip)', async () => {
    const files: string[] = [];
    for (const [name, text] of Object.entries({ chat, account, saved })) {
      files.push(join(dir, `${name}.json`));
      await writeFile(files[files.length - 1]!, text);
    }
    files.push(join(dir, 'chat.json.gz'));
    await writeFile(files[files.length - 1]!, gzipSync(chat));
    const out: string[] = [];
    const err: string[] = [];
    const data = join(dir, 'data');
    const code = await main(['ingest', ...files, '-d', data, '--all-chats'], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} as NodeJS.ProcessEnv });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/accepted 0, ignored 0, rejected 4\b/);
    const lines = err.join('').trim().split('\n');
    expect(lines).toEqual(files.map((f) => `rejected: ${f}: a Telegram Desktop export (result.json), not Telegram updates: import it with \`tgpipe import FILE\` (see tgpipe import --help)`));
    const stored = await readdir(join(data, 'raw'), { recursive: true }).catch(() => []);
    expect(stored.filter((f) => String(f).endsWith('.json') || String(f).endsWith('.gz'))).toEqual([]);
  });

  it('in any chunking, and a short export too (the head is looked at when the file ends)', () => {
    const expected = [{ kind: 'rejected', where: 'result.json', reason: expect.stringContaining('tgpipe import') }];
    const short = chatExport({ name: 'G', type: 'private_group', id: 1, messages: [] });
    expect(stream(short, [])).toEqual(expected);
    fc.assert(
      fc.property(fc.constantFrom(chat, account, saved), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        expect(stream(text, cuts.map((c) => c % text.length))).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('still reads updates that merely mention an export\'s keys', () => {
    const update = JSON.stringify({ update_id: 1, message: { message_id: 1, date: T, chat: { id: 1, type: 'private' }, text: '{"name": "G", "type": "x", "id": 1, "messages": [' } });
    expect(stream(`${update}\n${update.replace('"update_id":1', '"update_id":2')}\n`, [10]).map((i) => i.kind)).toEqual(['update', 'update']);
  });
});

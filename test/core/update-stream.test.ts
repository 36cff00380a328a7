/** Streaming reader of update files: the same updates, byte for byte, as the whole-file parser, in any chunking. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUpdateFile } from '../../core/ingest-files';
import { UpdateStreamParser, type StreamItem } from '../../core/update-stream';

const FIXTURES = join(import.meta.dirname, '../fixtures/updates');
const updates = readdirSync(FIXTURES)
  .filter((f) => /^\d+-.*\.json$/.test(f))
  .map((f) => readFileSync(join(FIXTURES, f), 'utf8').trim())
  .filter((t) => {
    try {
      return Number.isInteger(JSON.parse(t).update_id);
    } catch {
      return false;
    }
  });

function stream(text: string, cuts: number[], name = 'f.json'): StreamItem[] {
  const parser = new UpdateStreamParser(name);
  const out: StreamItem[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  out.push(...parser.push(text.slice(at)));
  out.push(...parser.end());
  return out;
}

const bodies = (items: StreamItem[]) => items.filter((i) => i.kind === 'update').map((i) => (i as { body: string }).body);
const rejections = (items: StreamItem[]) => items.filter((i) => i.kind === 'rejected').map((i) => `${i.where}: ${(i as { reason: string }).reason}`);

describe('UpdateStreamParser', () => {
  const compact = updates.map((u) => JSON.stringify(JSON.parse(u)));
  const shapes: Record<string, string> = {
    'one pretty update': updates[0]!,
    'a pretty array': `[\n${updates.slice(0, 5).join(',\n')}\n]\n`,
    'a compact array': `[${compact.slice(0, 5).join(',')}]`,
    'JSON lines': `${compact.slice(0, 6).join('\n')}\n`,
    'JSON lines, CRLF, blank lines': `${compact.slice(0, 3).join('\r\n\r\n')}\r\n`,
    'a getUpdates answer': JSON.stringify({ ok: true, result: compact.slice(0, 4).map((u) => JSON.parse(u)) }, null, 2),
    'getUpdates answers as lines': `${JSON.stringify({ ok: true, result: [JSON.parse(compact[0]!)] })}\n${JSON.stringify({ ok: true, result: [JSON.parse(compact[1]!)] })}\n`,
    'an array of strings and numbers': `[1, "x", ${compact[0]}, null, true]`,
    'with a BOM': `\ufeff${compact[0]}\n${compact[1]}\n`,
  };

  for (const [shape, text] of Object.entries(shapes)) {
    it(`reads ${shape} as the whole-file parser does, in any chunking`, () => {
      const whole = parseUpdateFile(text, 'f.json');
      fc.assert(
        fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
          const items = stream(text, cuts);
          expect(bodies(items)).toEqual(whole.updates.map((u) => u.body));
          expect(rejections(items).length).toBe(whole.rejected.length);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('reads pretty-printed documents one after another (the whole-file parser rejects their lines)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(updates[0]!.length * 2), { maxLength: 8 }), (cuts) => {
        expect(bodies(stream(`${updates[0]}\n${updates[1]}\n`, cuts))).toEqual([updates[0], updates[1]]);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps each update\'s exact bytes (spacing, escapes, key order)', () => {
    const odd = '{ "update_id" : 7,"message":{"message_id":1,"date":1,"chat":{"id":-1,"type":"group"},"text":"a\\u00e9\\"b\\\\"} }';
    expect(bodies(stream(`[${odd} ,\n ${odd}]`, [3, 40]))).toEqual([odd, odd]);
  });

  it('rejects a broken JSON line and reads the lines after it', () => {
    const text = `${compact[0]}\n{"update_id": 5, "message": {"text": "cut\n${compact[1]}\nnot json at all\n${compact[2]}\n`;
    const items = stream(text, [10, 200]);
    expect(bodies(items)).toEqual([compact[0], compact[1], compact[2]]);
    expect(rejections(items)).toEqual(['f.json:2: not JSON', 'f.json:4: not JSON']);
  });

  it('reads the good lines after a broken first line', () => {
    const text = `{"update_id": 1, "message": \n${compact[0]}\n${compact[1]}\n`;
    const items = stream(text, [5]);
    expect(bodies(items)).toEqual([compact[0], compact[1]]);
    expect(rejections(items)).toEqual(['f.json:1: not JSON']);
  });

  it('names a file that ends inside an array or a value, keeping what came before', () => {
    const cut = `[${compact[0]},${compact[1]},${compact[2]!.slice(0, 30)}`;
    const items = stream(cut, [17]);
    expect(bodies(items)).toEqual([compact[0], compact[1]]);
    expect(rejections(items)).toEqual(['f.json:1 [2]: the file ends inside a value that began on line 1 (truncated?)']);
  });

  it('rejects an empty file, and elements that are not updates by position', () => {
    expect(rejections(stream('  \n', []))).toEqual(['f.json: empty file']);
    expect(rejections(stream('[{"a":1}, 2]', []))).toEqual(['f.json:1 [0]: not a Telegram update (no integer update_id)', 'f.json:1 [1]: not a Telegram update (no integer update_id)']);
  });

  it('holds one value in memory, not the file: a large array streams element by element', () => {
    const parser = new UpdateStreamParser('big.json');
    parser.push('[');
    let seen = 0;
    let maxBuffered = 0;
    for (let k = 0; k < 20_000; k += 1) {
      seen += parser.push(`${k ? ',' : ''}${compact[k % compact.length]}`).length;
      maxBuffered = Math.max(maxBuffered, (parser as unknown as { buf: string }).buf.length);
    }
    seen += parser.push(']').length + parser.end().length;
    expect(seen).toBe(20_000);
    expect(maxBuffered).toBeLessThan(Math.max(...compact.map((c) => c.length)) * 2 + 2);
  });
});

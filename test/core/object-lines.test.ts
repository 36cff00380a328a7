import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { objectRecords } from '../../core/object-lines';
import { parseRawRecord } from '../../core/raw-records';

const collect = async (chunks: Buffer[]): Promise<string[]> => {
  const out: string[] = [];
  for await (const r of objectRecords(Readable.from(chunks))) out.push(r);
  return out;
};
const split = (buf: Buffer, size: number): Buffer[] => {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return parts;
};

describe('objectRecords', () => {
  const lines = ['{"update_id":1,"message":{"text":"olá 👍🏽"}}', '{"received_at":5,"context_date":"2026-01-01","update":{"update_id":2}}', 'garbage'];
  const text = Buffer.from(`${lines.join('\r\n')}\n\n`);

  it('splits plain JSON lines across any chunk boundary, multi-byte characters included', async () => {
    for (const size of [1, 3, 7, 1000]) expect(await collect(split(text, size))).toEqual(lines);
  });

  it('gunzips, including concatenated gzip members', async () => {
    const gz = Buffer.concat([gzipSync(Buffer.from(`${lines[0]}\n`)), gzipSync(Buffer.from(`${lines[1]}\n${lines[2]}`))]);
    expect(await collect(split(gz, 5))).toEqual(lines);
  });

  it('reads a pretty-printed bare update stored as one object', async () => {
    const pretty = Buffer.from(JSON.stringify({ update_id: 9, message: { text: 'a' } }, null, 2));
    const records = await collect([pretty]);
    expect(records).toHaveLength(1);
    expect(parseRawRecord(records[0]!)).toMatchObject({ ok: true, update: { update_id: 9 } });
  });

  it('yields nothing for an empty object', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect([Buffer.from('\n\n')])).toEqual([]);
  });
});

describe('parseRawRecord', () => {
  it('classifies envelopes, bare updates and bad lines', () => {
    expect(parseRawRecord('{"received_at":5,"context_date":"2026-01-01","update":{"update_id":2}}')).toEqual({
      ok: true, update: { update_id: 2 }, receivedAt: 5, contextDate: '2026-01-01',
    });
    expect(parseRawRecord('{"update_id":3}')).toEqual({ ok: true, update: { update_id: 3 } });
    expect(parseRawRecord('{"received_at":5,"context_date":"2026-01-01","unparsed":"x"}')).toMatchObject({ ok: false, reason: 'unparsed_envelope' });
    expect(parseRawRecord('{"update_id":"3"}')).toMatchObject({ ok: false, reason: 'not_an_update' });
    expect(parseRawRecord('[1]')).toMatchObject({ ok: false, reason: 'not_an_update' });
    expect(parseRawRecord('{"update_id":')).toMatchObject({ ok: false, reason: 'not_json' });
  });
});

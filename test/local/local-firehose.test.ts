/**
 * The local Firehose stand-in: layout, group commit, rotation, gzip members that survive a torn append,
 * recovery of what a killed writer left, fault injection, and the committed view for in-process readers.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { objectRecords } from '../../core/object-lines';
import { parseRawRecord } from '../../core/raw-records';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { compressedMember, storedMember, validPrefixLength } from '../../adapters/local/gzip-members';
import { contextDateOfLine, LOCAL_MAX_RECORD_BYTES, LocalFirehose, recoverLocalFirehose } from '../../adapters/local/local-firehose';
import { FIREHOSE_LIMITS } from '../../adapters/aws/firehose-sink';
import { SinkError } from '../../ports/record-sink';

let dir: string;
let raw: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-firehose-'));
  raw = join(dir, 'raw');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const update = (id: number, date: number, chat = -100123) => JSON.stringify({ update_id: id, message: { message_id: id, chat: { id: chat, type: 'group' }, date, text: `hello ${id} ✨` } });
const line = (id: number, date = 1773500000) => {
  const body = update(id, date);
  return buildEnvelope(body, parseUpdateBody(body), 1773500000123, -180).line;
};
const DAY_SECONDS = 86_400;

/** Every record of the raw layer, through the readers the enrichment uses. */
async function rawUpdateIds(root = raw): Promise<{ ids: number[]; byDay: Map<string, number[]>; objects: number }> {
  const store = new FsObjectStore(root);
  const ids: number[] = [];
  const byDay = new Map<string, number[]>();
  let objects = 0;
  for await (const o of store.list('telegram/')) {
    objects += 1;
    const day = /context_date=([\d-]+)\//.exec(o.key)![1]!;
    for await (const text of objectRecords(await store.read(o.key))) {
      const r = parseRawRecord(text);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.contextDate).toBe(day);
      ids.push(r.update.update_id);
      byDay.set(day, [...(byDay.get(day) ?? []), r.update.update_id]);
    }
  }
  return { ids, byDay, objects };
}

async function objectFiles(root = raw): Promise<string[]> {
  const out: string[] = [];
  for (const day of await readdir(join(root, 'telegram')).catch(() => [] as string[])) {
    for (const f of await readdir(join(root, 'telegram', day))) out.push(join(root, 'telegram', day, f));
  }
  return out.sort();
}

describe('gzip members', () => {
  it('stored and compressed members concatenate into one gzip stream, and a torn last member is found', () => {
    const a = Buffer.from('first line\n'.repeat(10));
    const b = Buffer.alloc(200_000, 'x'); // more than one stored block
    const c = Buffer.from('third ✨\n');
    const file = Buffer.concat([storedMember(a), compressedMember(b), storedMember(c), storedMember(Buffer.alloc(0))]);
    expect(gunzipSync(file).equals(Buffer.concat([a, b, c]))).toBe(true);
    expect(validPrefixLength(file)).toEqual({ length: file.length, members: 4 });
    const whole = storedMember(a).length + compressedMember(b).length;
    for (const cut of [whole + 1, whole + 12, file.length - 30, file.length - 1]) {
      const torn = file.subarray(0, cut);
      const valid = validPrefixLength(torn).length;
      expect(valid).toBeLessThanOrEqual(cut);
      expect(() => gunzipSync(torn.subarray(0, valid))).not.toThrow();
    }
    // A flipped byte in a member's data fails its CRC: nothing from it on is kept.
    const flipped = Buffer.from(file);
    const at = storedMember(a).length - 12;
    flipped[at] = flipped[at]! ^ 0xff;
    expect(validPrefixLength(flipped).length).toBe(0);
  });
});

describe('LocalFirehose', () => {
  it('reads context_date from the line head without parsing', () => {
    expect(contextDateOfLine(line(1))).toBe('2026-03-14');
    expect(() => contextDateOfLine('{"update_id":1}')).toThrow(SinkError);
    expect(() => contextDateOfLine('{"received_at":1,"context_date":"2026-3-1","update":{}}')).toThrow(SinkError);
    expect(LOCAL_MAX_RECORD_BYTES).toBe(FIREHOSE_LIMITS.maxRecordBytes);
  });

  it('writes each line under its context_date, as gzip JSON lines the raw readers read, with group commit', async () => {
    const sink = new LocalFirehose(raw);
    const lines = Array.from({ length: 600 }, (_, i) => line(i + 1, 1773500000 + (i % 3) * DAY_SECONDS));
    await Promise.all(lines.map((l) => sink.put(l)));
    // One append per day for a burst that arrived together, not one per line.
    expect(sink.stats.appends).toBe(3);
    await sink.close();
    const { ids, byDay, objects } = await rawUpdateIds();
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect([...byDay.keys()].sort()).toEqual(['2026-03-14', '2026-03-15', '2026-03-16']);
    expect(objects).toBe(3);
    for (const f of await objectFiles()) expect(f).toMatch(/telegram\/context_date=\d{4}-\d{2}-\d{2}\/local-firehose-\d{8}T\d{9}Z-\d+-\d+\.json\.gz$/);
    // A clean close leaves no journal behind.
    expect(await readdir(join(dir, '.firehose')).catch(() => [])).toEqual([]);
  });

  it('keeps a put that arrives during an append for the next one, and answers every put', async () => {
    let release: () => void = () => {};
    let appends = 0;
    const sink = new LocalFirehose(raw, {
      beforeAppend: async () => {
        appends += 1;
        if (appends === 1) await new Promise<void>((r) => (release = r));
      },
    });
    const first = sink.put(line(1));
    await new Promise((r) => setTimeout(r, 20));
    const later = Array.from({ length: 50 }, (_, i) => sink.put(line(i + 2)));
    release();
    await Promise.all([first, ...later]);
    expect(appends).toBe(2);
    await sink.close();
    expect((await rawUpdateIds()).ids).toHaveLength(51);
  });

  it('rotates objects by size and by age, and recompresses objects that hold stored members', async () => {
    let now = Date.parse('2026-03-14T12:00:00Z');
    const sink = new LocalFirehose(raw, { maxObjectBytes: 4000, maxObjectAgeMs: 60_000, now: () => now });
    for (let i = 0; i < 40; i += 1) await sink.put(line(i + 1)); // one at a time: stored members, ~150 bytes each
    const bySize = (await objectFiles()).length;
    expect(bySize).toBeGreaterThanOrEqual(2);
    now += 61_000;
    await sink.put(line(100));
    expect((await objectFiles()).length).toBe(bySize + 1);
    await sink.close();
    expect(sink.stats.recompressed).toBe(bySize + 1);
    const { ids } = await rawUpdateIds();
    expect(ids.sort((a, b) => a - b)).toEqual([...Array.from({ length: 40 }, (_, i) => i + 1), 100]);
    // Recompressed: smaller than the lines themselves.
    const first = (await objectFiles())[0]!;
    expect((await stat(first)).size).toBeLessThan(gunzipSync(await readFile(first)).length);
  });

  it('closes objects that stay idle past their age without a new put', async () => {
    const sink = new LocalFirehose(raw, { maxObjectAgeMs: 40 });
    await sink.put(line(1));
    // Closed and recompressed in the background (polled: on a loaded machine 300 ms was not always enough).
    for (const t = Date.now(); sink.stats.recompressed === 0 && Date.now() - t < 10_000; ) await new Promise((r) => setTimeout(r, 50));
    // A lone stored member became a compressed one.
    const [file] = await objectFiles();
    expect(validPrefixLength(await readFile(file!)).members).toBe(1);
    expect(sink.stats.recompressed).toBe(1);
    await sink.put(line(2));
    await sink.close();
    expect((await objectFiles()).length).toBe(2);
  });

  it('fails appends on the fault hook (SinkError, nothing stored) and keeps working', async () => {
    let fail = true;
    const sink = new LocalFirehose(raw, { beforeAppend: () => { if (fail) throw new Error('disk on fire'); } });
    await expect(sink.put(line(1))).rejects.toBeInstanceOf(SinkError);
    fail = false;
    await sink.put(line(2));
    const { failed, errors } = await sink.putBatch([line(3), '{"not":"an envelope"}', line(4)]);
    expect(failed).toEqual([1]);
    expect(errors[0]).toMatch(/context_date/);
    await sink.close();
    expect((await rawUpdateIds()).ids.sort()).toEqual([2, 3, 4]);
    await expect(sink.put(line(5))).rejects.toThrow(/closed/);
  });

  it('failRate fails about that share of appends', async () => {
    let r = 0;
    const sink = new LocalFirehose(raw, { failRate: 0.1, random: () => ((r += 1) % 10 === 0 ? 0.05 : 0.5) });
    const results = [];
    for (let i = 0; i < 50; i += 1) results.push(await sink.put(line(i + 1)).then(() => 'ok', () => 'failed'));
    await sink.close();
    expect(results.filter((x) => x === 'failed')).toHaveLength(5);
    expect((await rawUpdateIds()).ids).toHaveLength(45);
  });

  it('rejects records larger than Firehose accepts', async () => {
    const sink = new LocalFirehose(raw);
    const big = `{"received_at":1,"context_date":"2026-03-14","unparsed":"${'x'.repeat(LOCAL_MAX_RECORD_BYTES)}"}`;
    await expect(sink.put(big)).rejects.toThrow(/larger than/);
    await sink.close();
  });

  for (const durability of ['disk', 'process'] as const) {
    it(`${durability} durability: put resolves once the line is in the file`, async () => {
      const sink = new LocalFirehose(raw, { durability });
      await sink.put(line(1));
      const [file] = await objectFiles();
      expect(gunzipSync(await readFile(file!)).toString()).toBe(line(1));
      await Promise.all([2, 3, 4].map((i) => sink.put(line(i))));
      expect(gunzipSync(await readFile(file!)).toString().split('\n').filter(Boolean)).toHaveLength(4);
      await sink.close();
    });
  }

  it('shows in-process readers only acknowledged members of an object being written', async () => {
    const sink = new LocalFirehose(raw);
    await sink.put(line(1));
    const [file] = await objectFiles();
    // Simulate an append in progress: half a member at the end of the open object.
    const half = compressedMember(Buffer.from(line(2)));
    await appendFile(file!, half.subarray(0, 10));
    const view = sink.committedView(new FsObjectStore(raw));
    const listed = [];
    for await (const o of view.list('telegram/')) listed.push(o);
    expect(listed).toHaveLength(1);
    const texts = [];
    for await (const t of objectRecords(await view.read(listed[0]!.key))) texts.push(t);
    expect(texts).toEqual([line(1).trimEnd()]);
    expect(listed[0]!.size).toBe((await stat(file!)).size - 10);
    await sink.close().catch(() => undefined);
  });
});

describe('recovery after a crash', () => {
  it('cuts the torn member a killed writer left, keeping every acknowledged line, before anything is appended', async () => {
    // A real writer process, killed with SIGKILL while its object is open (its journal names the object).
    const script = `
      import { LocalFirehose } from ${JSON.stringify(join(import.meta.dirname, '../../adapters/local/local-firehose.ts'))};
      const sink = new LocalFirehose(${JSON.stringify(raw)});
      const lines = JSON.parse(process.env.LINES);
      for (const l of lines) await sink.put(l);
      process.stdout.write('acked\\n');
      setInterval(() => {}, 1000);
    `;
    const acked = Array.from({ length: 20 }, (_, i) => line(i + 1));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, LINES: JSON.stringify(acked) }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c) => String(c).includes('acked') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const journals = await readdir(join(dir, '.firehose'));
    expect(journals).toEqual([expect.stringMatching(/^open-\d+-[0-9a-f]+\.json$/)]);
    const [file] = await objectFiles();
    // The kill landed in the middle of the next append: half a member at the end.
    const torn = compressedMember(Buffer.from(line(21) + line(22)));
    await appendFile(file!, torn.subarray(0, torn.length - 7));
    await expect(readAll(file!)).rejects.toThrow();

    // The next writer repairs it before its first append; the acknowledged lines are all readable.
    const sink = new LocalFirehose(raw);
    await sink.put(line(23));
    expect(sink.recovery?.repaired).toEqual([{ path: file, cutBytes: torn.length - 7 }]);
    await sink.close();
    const { ids } = await rawUpdateIds();
    expect(ids.sort((a, b) => a - b)).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 23]);
    expect(await readdir(join(dir, '.firehose'))).toEqual([]);
  }, 30_000);

  it('leaves the objects of live writers alone', async () => {
    const live = new LocalFirehose(raw);
    await live.put(line(1));
    const [file] = await objectFiles();
    await appendFile(file!, Buffer.from([0x1f, 0x8b, 0x08, 0, 0])); // as if an append were in flight
    expect((await recoverLocalFirehose(raw)).repaired).toEqual([]);
    expect((await stat(file!)).size).toBeGreaterThan(validPrefixLength(await readFile(file!)).length);
    await live.close();
  });
});

async function readAll(path: string): Promise<string[]> {
  const { createReadStream } = await import('node:fs');
  const out: string[] = [];
  for await (const t of objectRecords(createReadStream(path))) out.push(t);
  return out;
}

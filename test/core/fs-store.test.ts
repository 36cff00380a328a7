import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../adapters/local/fs-store';

let root: string;
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fs-store-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

describe('FsObjectStore', () => {
  it('writes, lists by prefix in key order, reads and deletes', async () => {
    const store = new FsObjectStore(root);
    await store.write('telegram/context_date=2026-01-02/b.json', 'B');
    await store.write('telegram/context_date=2026-01-02/a.json', Buffer.from('A'));
    await store.write('telegram/context_date=2026-01-03/c.json', Readable.from([Buffer.from('C')]));
    await store.write('telegram_events/x', 'X');
    const keys = [];
    for await (const o of store.list('telegram/context_date=2026-01-02/')) keys.push(o.key);
    expect(keys).toEqual(['telegram/context_date=2026-01-02/a.json', 'telegram/context_date=2026-01-02/b.json']);
    const all = [];
    for await (const o of store.list('telegram/')) all.push(o.key);
    expect(all).toHaveLength(3);
    expect((await store.readSmall('telegram_events/x'))?.toString()).toBe('X');
    expect(await store.readSmall('missing')).toBeUndefined();
    await expect(store.read('missing')).rejects.toThrow();
    await store.delete('telegram_events/x');
    expect(await store.readSmall('telegram_events/x')).toBeUndefined();
  });

  it('leaves no temporary file behind and refuses keys outside the root', async () => {
    const store = new FsObjectStore(root);
    await store.write('a/b', 'x');
    expect(await readdir(join(root, 'a'))).toEqual(['b']);
    await expect(store.write('../escape', 'x')).rejects.toThrow(/invalid object key/);
  });
});

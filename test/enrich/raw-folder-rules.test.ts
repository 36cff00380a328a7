/**
 * One rule for what a raw object is (schemas/layout.ts isDataObjectKey), and nothing outside the data
 * folder is read (issue 17): links, a file where a day folder should be, hidden and `_` names, through the
 * enrichment, DuckDB's telegram_raw, replay's plan and `tgpipe repair`; and the work folders of a killed run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { planReplay } from '../../core/replay/snapshot';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { localCatalog, localStores, type LocalStores } from '../../adapters/local/data-dir';
import { main } from '../../cli/main';
import { isDataObjectKey, quarantineKey, rawDayPrefix } from '../../schemas';
import { ALLOWED_CHATS } from '../support/fixtures';

const DAY = '2026-03-14';
const at = Date.parse(`${DAY}T15:00:00Z`);
let dir: string;
let outside: string;
let stores: LocalStores;
const message = (id: number, text = `m${id}`) => JSON.stringify({ update_id: id, message: { message_id: id, from: { id: 7, is_bot: false, first_name: 'A' }, chat: { id: ALLOWED_CHATS[0], type: 'supergroup', title: 'g' }, date: at / 1000, text } });
const lines = (ids: number[], text?: string) => ids.map((id) => buildEnvelope(message(id, text), parseUpdateBody(message(id, text)), at, -180).line).join('');
const deps = (logger = memoryLogger('enrich'), tmp?: string) => ({ raw: stores.raw, enriched: stores.enriched, catalog: localCatalog, logger, enrichedLocation: stores.enriched.root, ...(tmp ? { tmpDir: tmp } : {}) });
const rawRows = async (): Promise<number> => {
  const engine = await DuckDbEngine.open(dir, { threads: 1 });
  try {
    return Number((await engine.query('SELECT count(*) AS n FROM telegram_raw'))[0]!.n);
  } finally {
    await engine.close();
  }
};
async function tgpipe(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-'));
  outside = await mkdtemp(join(tmpdir(), 'outside-'));
  stores = localStores(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('isDataObjectKey', () => {
  it('is a file directly in a day folder, not hidden, not _, not half-written', () => {
    expect(isDataObjectKey(`${rawDayPrefix(DAY)}a.json.gz`)).toBe(true);
    for (const key of [`${rawDayPrefix(DAY)}.a.json.gz`, `${rawDayPrefix(DAY)}_a.json.gz`, `${rawDayPrefix(DAY)}sub/a.json.gz`, `${rawDayPrefix(DAY)}a.json.gz.1.x.tmp-write`, 'telegram/context_date=x/a.gz', 'telegram/a.gz', 'errors/a.gz', `${rawDayPrefix(DAY)}`]) {
      expect(isDataObjectKey(key), key).toBe(false);
    }
    expect(isDataObjectKey('telegram/context_date=2026-03-14/part-00000.parquet', 'telegram/')).toBe(true);
  });
});

describe('the raw folder is not trusted', () => {
  it('a day folder that is a link out of the data folder is not followed: nothing of it is read or copied', async () => {
    await writeFile(join(outside, 'secret.json'), lines([1, 2], 'outside the data folder'));
    await writeFile(join(outside, 'not-json.txt'), 'the private text of another file\n');
    await mkdir(join(stores.raw.root, 'telegram'), { recursive: true });
    await symlink(outside, join(stores.raw.root, 'telegram', `context_date=${DAY}`));
    const skipped: string[] = [];
    const watched = localStores(dir, { onSkipped: (path, why) => skipped.push(`${path}: ${why}`) });
    const s = await enrichDay(DAY, { ...deps(), raw: watched.raw });
    expect(s).toMatchObject({ status: 'empty', objects: 0, lines: 0 });
    expect(skipped.join('\n')).toMatch(/context_date=2026-03-14: a symbolic link: not followed/);
    expect(existsSync(join(stores.enriched.root, quarantineKey(DAY)))).toBe(false);
    expect(await rawRows()).toBe(0);
    expect((await planReplay(stores.raw, [DAY], 'raw'))[0]!.objects).toEqual([]);
    await expect(stores.raw.read(`${rawDayPrefix(DAY)}secret.json`)).rejects.toThrow(/not a file inside/);
  });

  it('a linked file in a day folder is skipped by every reader', async () => {
    await writeFile(join(outside, 'other.json'), lines([9]));
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, lines([1, 2]));
    await symlink(join(outside, 'other.json'), join(stores.raw.root, rawDayPrefix(DAY), 'b.json'));
    const s = await enrichDay(DAY, deps());
    expect(s).toMatchObject({ status: 'built', objects: 1, rows: { telegram: 2 } });
    expect(await rawRows()).toBe(2);
  });

  it('a plain file named context_date=D: the day is empty with a warning, tgpipe enrich exits 0 (no ENOTDIR)', async () => {
    await mkdir(join(stores.raw.root, 'telegram'), { recursive: true });
    await writeFile(join(stores.raw.root, 'telegram', `context_date=${DAY}`), lines([1]));
    await stores.raw.write(`${rawDayPrefix('2026-03-15')}a.json`, lines([5]));
    const r = await tgpipe('enrich', '--data', dir, '--from', DAY, '--to', '2026-03-15');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/context_date=2026-03-14 is a file where a folder is expected: skipped/);
    expect(r.stdout).toMatch(/2026-03-14 empty/);
    expect(r.stdout).toMatch(/2026-03-15 built/);
    expect(await rawRows()).toBe(1);
  });

  it('hidden and _ names are skipped by the enrichment, telegram_raw, replay and repair alike (as Athena)', async () => {
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json.gz`, gzipSync(lines([1, 2])));
    await stores.raw.write(`${rawDayPrefix(DAY)}.hidden.json.gz`, gzipSync(lines([3])));
    await stores.raw.write(`${rawDayPrefix(DAY)}_meta.json.gz`, 'not gzip at all');
    await stores.raw.write(`${rawDayPrefix(DAY)}sub/x.json.gz`, gzipSync(lines([4])));
    const s = await enrichDay(DAY, deps());
    expect(s).toMatchObject({ status: 'built', objects: 1, lines: 2, rows: { telegram: 2 } });
    expect(await rawRows()).toBe(2);
    expect((await planReplay(stores.raw, [DAY], 'raw'))[0]!.objects.map((o) => o.key)).toEqual([`${rawDayPrefix(DAY)}a.json.gz`]);
    const r = await tgpipe('repair', '--data', dir, '--date', DAY);
    expect(r.stdout).toMatch(/checked=1 repaired=0/);
  });
});

describe('tgpipe repair', () => {
  it('dry run names the damage and changes nothing; the real run repairs, then tgpipe enrich builds the day', async () => {
    const bytes = gzipSync(lines([1, 2, 3, 4, 5, 6, 7, 8]));
    await stores.raw.write(`${rawDayPrefix(DAY)}a.json.gz`, bytes.subarray(0, bytes.length - 20));
    await stores.raw.write(`${rawDayPrefix(DAY)}b.json.gz`, lines([20, 21]));
    const dry = await tgpipe('repair', '--data', dir, '--date', DAY, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/checked=2 would repair=2/);
    expect(dry.stdout).toMatch(/a\.json\.gz: truncated at byte \d+/);
    expect(dry.stdout).toMatch(/b\.json\.gz: not gzip under a \.gz name/);
    expect(existsSync(join(stores.raw.root, '_damaged'))).toBe(false);
    const real = await tgpipe('repair', '--data', dir, '--date', DAY);
    expect(real.stdout).toMatch(/checked=2 repaired=2/);
    expect((await readdir(join(stores.raw.root, '_damaged', rawDayPrefix(DAY)))).sort()).toEqual(['a.json.gz', 'a.json.gz.damage.json', 'b.json.gz']);
    const e = await tgpipe('enrich', '--data', dir, '--date', DAY);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/2026-03-14 built .* quarantined=1/);
    const readable = Number(/(\d+) readable line/.exec(real.stdout)![1]);
    expect(readable).toBeGreaterThan(0);
    expect(await rawRows()).toBe(2 + readable);
    expect(e.stdout).toMatch(new RegExp(`telegram=${2 + readable} `));
  });

  it('usage: --target aws without a bucket, no days', async () => {
    expect((await tgpipe('repair', '--data', dir, '--date', DAY, '--target', 'aws')).stderr).toMatch(/--bucket/);
    expect((await tgpipe('repair', '--data', dir)).code).toBe(2);
  });
});

describe('work folders of a killed enrichment', () => {
  it('are removed by the next run; a live run elsewhere keeps its own', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'enrich-tmp-'));
    try {
      // A real run killed with SIGKILL once its work folder exists.
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${join(process.cwd(), 'core/enrich/work-dir.ts')}').then(async (m) => { await m.makeWorkDir(${JSON.stringify(tmp)}, '${DAY}'); console.log('made'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
      const alive = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      const live = join(tmp, `enrich-${DAY}-p${alive.pid}-abcdef`);
      await mkdir(live);
      const legacy = join(tmp, `enrich-${DAY}-Zx81Qa`);
      await mkdir(legacy);
      const killed = (await readdir(tmp)).find((n) => n.includes(`-p${child.pid}-`));
      expect(killed).toBeDefined();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await stores.raw.write(`${rawDayPrefix(DAY)}a.json`, lines([1]));
      const logger = memoryLogger('enrich');
      await enrichDay(DAY, deps(logger, tmp));
      alive.kill('SIGKILL');
      const left = await readdir(tmp);
      expect(left).not.toContain(killed);
      expect(left).toContain(`enrich-${DAY}-p${alive.pid}-abcdef`);
      expect(left).toContain(`enrich-${DAY}-Zx81Qa`); // old name form, but new: it may belong to a run in progress
      expect(left.filter((n) => n.startsWith('enrich-')).length).toBe(2); // the run's own folder is gone too
      expect(logger.lines.some((l) => l.event === 'stale_work_dir')).toBe(true);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

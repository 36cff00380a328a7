/**
 * Real Bot API updates recorded by other projects (/work/shared/recorded-updates, never copied here):
 * every one is stored or dropped-and-counted by kind, the same on the webhook's path (`tgpipe ingest`)
 * and on the original bucket layout's (bare updates enriched as they are). Skips when the folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';

const ROOT = join(import.meta.dirname, '..', '..');
// ../shared from a checkout beside it; ../../shared from a worktree under wt/.
const FOLDER = [join(ROOT, '..', 'shared', 'recorded-updates'), join(ROOT, '..', '..', 'shared', 'recorded-updates')].find((d) => existsSync(join(d, 'updates.jsonl')));

const run = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TELEGRAM_WEBHOOK_SECRET: 'test_secret' } });
  return { code, stdout, stderr };
};

/** Every `kind n` in the parenthesis after `prefix`. */
const namedCounts = (text: string, prefix: string): Record<string, number> => {
  const m = new RegExp(`${prefix}\\(([^)]*)\\)`).exec(text);
  return m ? Object.fromEntries(m[1]!.split(', ').map((p) => [p.split(' ')[0]!, Number(p.split(' ')[1])])) : {};
};

/** Whether an update names a chat anywhere the Bot API puts one (read here without the pipeline's rules). */
const namesAChat = (update: Record<string, unknown>): boolean => {
  const payload = Object.entries(update).find(([k]) => k !== 'update_id')?.[1] as Record<string, { chat?: unknown } | unknown> | undefined;
  return typeof (payload?.chat as { id?: unknown } | undefined)?.id === 'number' || typeof (payload?.message as { chat?: { id?: unknown } } | undefined)?.chat?.id === 'number' || typeof payload?.user_chat_id === 'number';
};

describe.skipIf(!FOLDER)('the recorded updates of other projects', () => {
  const lines = FOLDER ? readFileSync(join(FOLDER, 'updates.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  const updates = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const kindOf = (u: Record<string, unknown>) => Object.keys(u).find((k) => k !== 'update_id')!;
  const chatless: Record<string, number> = {};
  for (const u of updates) if (!namesAChat(u)) chatless[kindOf(u)] = (chatless[kindOf(u)] ?? 0) + 1;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recorded-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const rowIds = async (data: string): Promise<number[]> =>
    (await duckQuery(`SELECT update_id::BIGINT AS id FROM read_parquet('${join(data, 'enriched')}/telegram*/*/*.parquet', union_by_name = true) WHERE update_id IS NOT NULL`)).map((r) => Number(r.id));

  it('tgpipe ingest then enrich: each one a row, or dropped with no chat and named by kind', async () => {
    const data = join(dir, 'ingest');
    const r = await run('ingest', join(FOLDER!, 'updates.jsonl'), '--all-chats', '--enrich', '--data', data);
    expect(r.code).toBe(0);
    const dropped = Object.values(chatless).reduce((a, b) => a + b, 0);
    expect(r.stdout).toContain(`accepted ${updates.length - dropped}, ignored 0, dropped ${dropped} with no chat (`);
    expect(namedCounts(r.stdout, 'with no chat ')).toEqual(chatless);
    const ids = await rowIds(data);
    const kept = updates.filter(namesAChat).map((u) => u.update_id as number);
    expect(ids.sort()).toEqual([...kept].sort());
  });

  it('the original bucket layout (bare updates, enriched as they are): the same rows and the same drops', async () => {
    const data = join(dir, 'original');
    const folder = join(data, 'raw', rawDayPrefix('2020-01-01'));
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < lines.length; i += 25) await writeFile(join(folder, `part-${i}.json`), `${lines.slice(i, i + 25).join('\n')}\n`);
    const r = await run('enrich', '--date', '2020-01-01', '--data', data);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`lines=${lines.length} .* duplicates=0 quarantined=0 no_chat=`));
    expect(namedCounts(r.stdout, 'no_chat=\\d+ ')).toEqual(chatless);
    const kept = updates.filter(namesAChat).map((u) => u.update_id as number);
    expect((await rowIds(data)).sort()).toEqual([...kept].sort());
    // Undated ones are dated by their folder's day (core/arrival.ts), never NULL.
    const undated = await duckQuery(`SELECT count(*)::INT AS n FROM read_parquet('${join(data, 'enriched')}/telegram_events/*/*.parquet') WHERE event_ts IS NULL`);
    expect(undated[0]!.n).toBe(0);
  });
});

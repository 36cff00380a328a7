/**
 * Each data mode end to end: the real `tgpipe serve` (webhook) -> raw objects -> `tgpipe enrich` ->
 * Parquet -> SQL through the local Athena engine, then a search of every file the data folder holds (and
 * the server's log) for what the mode forbids. `pseudonymous` keeps every per-member number of `full`.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../adapters/local/duckdb-engine';
import { main } from '../../cli/main';
import { createPseudonymizer, isPseudonym } from '../../core/privacy/pseudonym';
import type { DataMode } from '../../core/privacy/data-mode';
import { readManifest } from '../../core/enrich/day-plan';
import { localStores } from '../../adapters/local/data-dir';
import { http, serve } from '../local/support/serve';
import { readRaw } from '../local/support/raw';
import { CHAT, conversation, everyWrittenFile, findForbidden, PERSONAL, TEXTS, USER_IDS } from './support';

const SECRET = 'privacy_modes-0123456789';

interface Run {
  dir: string;
  log: string;
  perMember: Array<{ user_id: number; messages: number; chars: number | null; kinds: number; first_kind: string; last_kind: string }>;
  events: Array<{ actor_user_id: number | null; n: number }>;
  days: string[];
}

async function runMode(mode: DataMode): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), `privacy-${mode}-`));
  const env = { TELEGRAM_WEBHOOK_SECRET: SECRET, ALLOWED_CHAT_IDS: String(CHAT), CONTEXT_UTC_OFFSET: '-03:00', DATA_MODE: mode };
  const server = await serve(dir, ['--log-level', 'debug'], env);
  for (const u of conversation()) {
    const a = await http(server.url, { body: JSON.stringify(u), headers: { 'x-telegram-bot-api-secret-token': SECRET } });
    expect(a.status).toBe(200);
  }
  await http(server.url, { body: 'not an update: Textzq hello from Ana', headers: { 'x-telegram-bot-api-secret-token': SECRET } });
  expect(await server.stop('SIGTERM')).toBe(0);
  const days = [...new Set((await readRaw(dir)).map((e) => e.day))].sort();
  let out = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), env: { ...process.env, ...env } };
  for (const day of days) expect(await main(['enrich', '--date', day, '--data', dir], io), out).toBe(0);
  const engine = await DuckDbEngine.open(dir);
  try {
    const perMember = (await engine.query(
      `SELECT user_id, count(*) AS messages, sum(text_length) AS chars, count(DISTINCT message_kind) AS kinds, min(message_kind) AS first_kind, max(message_kind) AS last_kind FROM telegram GROUP BY user_id ORDER BY messages DESC, user_id`,
    )) as Run['perMember'];
    const events = (await engine.query(`SELECT actor_user_id, count(*) AS n FROM telegram_events GROUP BY actor_user_id ORDER BY n DESC, actor_user_id`)) as Run['events'];
    return { dir, log: server.stderr() + server.stdout() + out, perMember, events, days };
  } finally {
    await engine.close();
  }
}

describe('data modes end to end', () => {
  const runs: Partial<Record<DataMode, Run>> = {};
  beforeAll(async () => {
    for (const mode of ['full', 'no-text', 'pseudonymous'] as const) runs[mode] = await runMode(mode);
  }, 240_000);
  afterAll(async () => {
    for (const r of Object.values(runs)) await rm(r!.dir, { recursive: true, force: true });
  });

  it('full keeps the updates byte-exact (the sample values are there: the search would find them)', async () => {
    const files = await everyWrittenFile(runs.full!.dir);
    expect(findForbidden(files, TEXTS).length).toBeGreaterThan(TEXTS.length);
    const raw = await readRaw(runs.full!.dir);
    const bodies = new Set(conversation().map((u) => JSON.stringify(u)));
    const kept = raw.filter((e) => e.record.ok).map((e) => e.text.slice(e.text.indexOf('"update":') + 9, -1));
    expect(kept.every((b) => bodies.has(b))).toBe(true);
    expect(raw.some((e) => e.text.includes('data_mode'))).toBe(false);
  });

  for (const mode of ['no-text', 'pseudonymous'] as const) {
    it(`${mode}: no written file and no log line holds a text, caption, poll text, file name, URL or query`, async () => {
      const run = runs[mode]!;
      const files = await everyWrittenFile(run.dir);
      expect(files.some((f) => f.path.endsWith('.parquet'))).toBe(true);
      expect(files.some((f) => f.path.includes(`${join('raw', 'telegram')}`))).toBe(true);
      const forbidden = mode === 'pseudonymous' ? [...TEXTS, 'Textzq', ...PERSONAL, ...USER_IDS] : [...TEXTS, 'Textzq'];
      expect(findForbidden(files, forbidden)).toEqual([]);
      expect(findForbidden([{ path: 'log', text: run.log }], forbidden)).toEqual([]);
      // Every raw envelope says its mode; the manifests record it per day.
      const raw = await readRaw(run.dir);
      expect(raw.every((e) => e.text.includes(`"data_mode":"${mode}"`))).toBe(true);
      const manifests = await Promise.all(run.days.map((day) => readManifest(localStores(run.dir).enriched, day)));
      expect(manifests.flatMap((m) => Object.keys(m?.data_modes ?? {}))).toEqual([mode, mode]);
    });
  }

  it('no-text keeps lengths, kinds and entity types: per-member numbers equal full', async () => {
    expect(runs['no-text']!.perMember).toEqual(runs.full!.perMember);
    expect(runs['no-text']!.events).toEqual(runs.full!.events);
    const engine = await DuckDbEngine.open(runs['no-text']!.dir);
    try {
      const rows = await engine.query(`SELECT count(*) AS n, count(text) AS texts, count(caption) AS captions, count(poll_question) AS polls, count(media_file_name) AS names, max(entity_types) AS types, max(data_mode) AS mode FROM telegram`);
      expect(rows[0]).toMatchObject({ texts: 0, captions: 0, polls: 0, names: 0, mode: 'no-text' });
      expect(String(rows[0]!.types)).toMatch(/text_link|text_mention|bold/);
      const lengths = await engine.query(`SELECT text_length FROM telegram WHERE message_kind = 'text' AND text_length IS NULL`);
      expect(lengths).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('pseudonymous: one keyed pseudonym per person, every per-member number equal to full', async () => {
    const dir = runs.pseudonymous!.dir;
    const keyFile = join(dir, '.pseudonym-key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const pseudonym = createPseudonymizer(await readFile(keyFile, 'utf8'));
    const full = runs.full!.perMember;
    const pseudo = runs.pseudonymous!.perMember;
    expect(pseudo.every((r) => r.user_id === null || isPseudonym(Number(r.user_id)))).toBe(true);
    const mapped = full.map((r) => ({ ...r, user_id: pseudonym(Number(r.user_id)) }));
    const byId = (a: { user_id: number }, b: { user_id: number }) => Number(a.user_id) - Number(b.user_id);
    expect([...pseudo].map((r) => ({ ...r, user_id: Number(r.user_id) })).sort(byId)).toEqual(mapped.sort(byId));
    const events = runs.full!.events.map((e) => ({ ...e, actor_user_id: e.actor_user_id === null ? null : pseudonym(Number(e.actor_user_id)) }));
    expect(runs.pseudonymous!.events.map((e) => ({ ...e, actor_user_id: e.actor_user_id === null ? null : Number(e.actor_user_id) })).sort((a, b) => Number(a.actor_user_id) - Number(b.actor_user_id))).toEqual(
      events.sort((a, b) => Number(a.actor_user_id) - Number(b.actor_user_id)),
    );
  });
});

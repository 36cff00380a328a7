/**
 * `tgpipe doctor --data DIR`: gathers the local face's facts for core/doctor/local.ts from real files
 * (the data folder, .secret, the raw and enriched folders, .serve.lock, the disk) and, with a bot token,
 * from Telegram's getWebhookInfo.
 */
import { readFileSync, statSync } from 'node:fs';
import { readdir, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SECRET_TOKEN_PATTERN } from '../core/config';
import { dateInOffset, type DayZone } from '../core/context-date';
import { readManifest, unchangedSince } from '../core/enrich/day-plan';
import type { DayBuild, LocalFacts } from '../core/doctor/local';
import { BOT_TOKEN_PATTERN, TelegramApi, type WebhookInfo } from '../core/telegram-api';
import { localStores } from '../adapters/local/data-dir';
import { RAW_PREFIX, SCHEMA_VERSION, rawDayPrefix } from '../schemas';
import type { ObjectInfo } from '../ports/object-store';
import { secretPath } from './secret-store';
import { SERVE_LOCK_FILE } from './serve-lock';
import { isProcessAlive } from '../core/process-alive';

export interface LocalDoctorOptions {
  readonly dataDir: string;
  readonly zone: DayZone;
  readonly env: NodeJS.ProcessEnv;
  readonly token?: string;
  readonly telegramApiBase?: string;
  readonly now?: number;
}

function folderKind(path: string): LocalFacts['folder'] {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function secretFact(dataDir: string, env: NodeJS.ProcessEnv): LocalFacts['secret'] {
  if (env.TELEGRAM_WEBHOOK_SECRET) return { source: 'env', valid: SECRET_TOKEN_PATTERN.test(env.TELEGRAM_WEBHOOK_SECRET) };
  const path = secretPath(dataDir);
  try {
    const mode = statSync(path).mode;
    return { source: 'file', valid: SECRET_TOKEN_PATTERN.test(readFileSync(path, 'utf8').trim()), mode };
  } catch {
    return { source: 'none', valid: false };
  }
}

function lockFact(dataDir: string): LocalFacts['lock'] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, SERVE_LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return { alive: false };
  return { pid, alive: pid === process.pid ? false : isProcessAlive(pid) };
}

/** Every raw day folder: its objects, and whether its enriched build is current. */
async function dayFacts(dataDir: string): Promise<Pick<LocalFacts, 'rawDays' | 'builds'>> {
  const stores = localStores(dataDir);
  let names: string[] = [];
  try {
    names = await readdir(join(stores.dataDir, 'raw', RAW_PREFIX));
  } catch {
    // no raw layer yet
  }
  const days = names.map((n) => /^context_date=(\d{4}-\d{2}-\d{2})$/.exec(n)?.[1]).filter((d): d is string => d !== undefined).sort();
  const rawDays: LocalFacts['rawDays'][number][] = [];
  const builds: Record<string, DayBuild> = {};
  for (const day of days) {
    const objects: ObjectInfo[] = [];
    for await (const o of stores.raw.list(rawDayPrefix(day))) objects.push(o);
    const newest = objects.reduce<Date | undefined>((n, o) => (!n || o.lastModified > n ? o.lastModified : n), undefined);
    rawDays.push({ day, objects: objects.length, ...(newest ? { newest } : {}) });
    const manifest = await readManifest(stores.enriched, day);
    builds[day] = !manifest ? 'missing' : unchangedSince(manifest, objects, SCHEMA_VERSION) ? 'built' : 'stale';
  }
  return { rawDays, builds };
}

export async function gatherLocalFacts(o: LocalDoctorOptions): Promise<LocalFacts> {
  const dataDir = resolve(o.dataDir);
  const now = o.now ?? Date.now();
  const folder = folderKind(dataDir);
  const tokenText = o.token ?? (o.env.TELEGRAM_BOT_TOKEN || undefined);
  const token: LocalFacts['token'] = tokenText === undefined ? { source: 'none', wellFormed: false } : { source: o.token !== undefined ? 'flag' : 'env', wellFormed: BOT_TOKEN_PATTERN.test(tokenText) };
  const base = { dataDir, now, today: dateInOffset(now, o.zone), folder, token };
  if (folder !== 'folder') return { ...base, secret: { source: 'none', valid: false }, rawDays: [], builds: {} };
  let webhook: LocalFacts['webhook'];
  if (tokenText !== undefined && token.wellFormed) {
    try {
      webhook = { value: await new TelegramApi(tokenText, { baseUrl: o.telegramApiBase }).getWebhookInfo() as WebhookInfo };
    } catch (error) {
      webhook = { error: (error as Error).message };
    }
  }
  let disk: LocalFacts['disk'];
  try {
    const s = await statfs(dataDir);
    disk = { value: { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize } };
  } catch (error) {
    disk = { error: (error as Error).message };
  }
  const lock = lockFact(dataDir);
  return {
    ...base,
    secret: secretFact(dataDir, o.env),
    ...(await dayFacts(dataDir)),
    ...(lock ? { lock } : {}),
    ...(webhook ? { webhook } : {}),
    disk,
  };
}

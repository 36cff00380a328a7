/**
 * `tgpipe erase`: takes people (or chats) out of every layer, on either face (the stores are
 * parameters). In this order, so an interruption at any point is finished by running it again:
 * 1. the erasure register gets the entry (ids and when, never data): from then on the enrichment,
 *    replay and import leave them out, even before this job has finished;
 * 2. each raw object that holds them is rewritten without their updates and with them taken out of
 *    other people's (atomically: a folder write is a rename, an S3 PUT replaces the object whole), or
 *    deleted when nothing is left; on a versioned bucket the older versions of that key are deleted too.
 *    The days touched are written to a pending list first;
 * 3. the pending days are rebuilt (the register applied), or their enriched files deleted when no raw
 *    object is left; the list is cleared;
 * 4. side files: quarantined lines, Firehose error output, replay's unsent files, report pages: lines
 *    that name them are removed (a page is deleted); Athena's query results are deleted.
 * Every step finds nothing left to do on a second run, so running it twice changes nothing more.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EnrichDeps, DaySummary } from '../enrich';
import { enrichDay } from '../enrich';
import { readManifest } from '../enrich/day-plan';
import { decodeErrorRecord, errorDocuments } from '../replay/error-output';
import type { ObjectStore } from '../../ports/object-store';
import { ATHENA_RESULTS_PREFIX, DAMAGE_NOTE_SUFFIX, DAMAGED_PREFIX, enrichedDayKey, FIREHOSE_ERROR_PREFIX, manifestKey, QUARANTINE_PREFIX, quarantineKey, RAW_PREFIX } from '../../schemas/layout';
import { ENRICHED_TABLES } from '../../schemas';
import { createMatcher, mentionsAny, type ErasureMatcher } from './erasure';
import type { Pseudonymizer } from './pseudonym';
import { applyPolicyToLine } from './raw-line';
import { withEntry, type RegisterEntry } from './register';
import { readRegister, writeRegister } from './register-store';
import type { DataMode } from './data-mode';

/** A store that can delete the older versions of a key (S3 with versioning). */
export interface VersionedStore {
  /** Deletes every version of `key` but the current one (all of them, delete markers too, if it was deleted). */
  deleteOldVersions(key: string): Promise<number>;
}
const versioned = (store: ObjectStore): VersionedStore | undefined =>
  typeof (store as Partial<VersionedStore>).deleteOldVersions === 'function' ? (store as unknown as VersionedStore) : undefined;

export const PENDING_KEY = '_privacy/erasure-pending.json';

/** Other places to clean: `filter` removes lines that name the ids; `delete` removes objects that do; `delete-all` every object. */
export interface SideLocation {
  readonly label: string;
  readonly store: ObjectStore;
  readonly prefix: string;
  readonly how: 'filter' | 'delete' | 'delete-all';
  readonly keys?: (key: string) => boolean;
}

export interface EraseRequest {
  readonly users: readonly number[];
  readonly chats: readonly number[];
  /** The deployment's mode: in `pseudonymous` the register records pseudonyms, not ids. */
  readonly mode: DataMode;
  readonly pseudonymize?: Pseudonymizer;
  readonly now?: () => Date;
}

export interface EraseDeps {
  readonly raw: ObjectStore;
  readonly enriched: ObjectStore;
  /** For the rebuilds (the same stores, the catalog, the deployment's privacy settings). */
  readonly enrich: EnrichDeps;
  readonly side?: readonly SideLocation[];
  readonly onProgress?: (message: string) => void;
}

export interface EraseReport {
  register_added: number;
  raw: { objects_rewritten: number; objects_deleted: number; lines_dropped: number; lines_redacted: number; old_versions_deleted: number };
  days: string[];
  rows_removed: { telegram: number; telegram_events: number };
  side: Record<string, { objects: number; lines: number }>;
}

interface FilterResult {
  kept: string[];
  dropped: number;
  redacted: number;
}

async function readAll(store: ObjectStore, key: string): Promise<{ text: string; gzip: boolean } | undefined> {
  const bytes = await store.readSmall(key);
  if (!bytes) return undefined;
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return { text: (gzip ? gunzipSync(bytes) : bytes).toString('utf8'), gzip };
}

/** Rewrites (or deletes, when nothing is left) one object with `decide` applied to each line. */
async function rewriteObject(
  store: ObjectStore,
  key: string,
  decide: (line: string) => { action: 'keep' } | { action: 'drop' } | { action: 'rewrite'; line: string },
  precheck: (text: string) => boolean,
  read?: { text: string; gzip: boolean },
): Promise<{ changed: boolean; deleted: boolean; dropped: number; redacted: number; versions: number }> {
  const none = { changed: false, deleted: false, dropped: 0, redacted: 0, versions: 0 };
  const content = read ?? (await readAll(store, key));
  if (!content || !precheck(content.text)) return none;
  const result: FilterResult = { kept: [], dropped: 0, redacted: 0 };
  for (const line of content.text.split('\n')) {
    if (line.trim() === '') continue;
    const outcome = decide(line);
    if (outcome.action === 'drop') result.dropped += 1;
    else if (outcome.action === 'rewrite') {
      result.redacted += 1;
      result.kept.push(outcome.line);
    } else result.kept.push(line);
  }
  if (result.dropped === 0 && result.redacted === 0) return none;
  let deleted = false;
  if (result.kept.length === 0) {
    await store.delete(key);
    deleted = true;
  } else {
    const text = `${result.kept.join('\n')}\n`;
    await store.write(key, content.gzip ? gzipSync(text) : Buffer.from(text), content.gzip ? 'application/gzip' : 'application/x-ndjson');
  }
  const versions = (await versioned(store)?.deleteOldVersions(key)) ?? 0;
  return { changed: true, deleted, dropped: result.dropped, redacted: result.redacted, versions };
}

const dayOfKey = (key: string): string | undefined => /context_date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];

async function readPending(store: ObjectStore): Promise<Set<string>> {
  const bytes = await store.readSmall(PENDING_KEY);
  if (!bytes) return new Set();
  try {
    const days = (JSON.parse(bytes.toString('utf8')) as { days?: unknown }).days;
    return new Set(Array.isArray(days) ? days.filter((d): d is string => typeof d === 'string') : []);
  } catch {
    return new Set();
  }
}
const writePending = (store: ObjectStore, days: Set<string>) => store.write(PENDING_KEY, JSON.stringify({ days: [...days].sort() }), 'application/json');

/** The register entries for a request (pseudonyms in `pseudonymous` mode). */
export function registerEntries(request: EraseRequest): RegisterEntry[] {
  const at = (request.now ?? (() => new Date()))().toISOString();
  const users = request.users.map((id): RegisterEntry =>
    request.mode === 'pseudonymous' ? { kind: 'user', pseudonym: request.pseudonymize!(id), at } : { kind: 'user', id, at },
  );
  return [...users, ...request.chats.map((id): RegisterEntry => ({ kind: 'chat', id, at }))];
}

const rowsOf = (summary: unknown): { telegram: number; telegram_events: number } => {
  const rows = (summary as DaySummary | undefined)?.rows;
  return { telegram: rows?.telegram ?? 0, telegram_events: rows?.telegram_events ?? 0 };
};

export async function eraseEverywhere(request: EraseRequest, deps: EraseDeps): Promise<EraseReport> {
  if (request.users.length === 0 && request.chats.length === 0) throw new Error('nothing to erase: give a user id or a chat id');
  if (request.mode === 'pseudonymous' && !request.pseudonymize) throw new Error('pseudonymous mode: the pseudonym key is needed to find the person');
  const say = deps.onProgress ?? (() => {});
  const report: EraseReport = {
    register_added: 0,
    raw: { objects_rewritten: 0, objects_deleted: 0, lines_dropped: 0, lines_redacted: 0, old_versions_deleted: 0 },
    days: [],
    rows_removed: { telegram: 0, telegram_events: 0 },
    side: {},
  };

  // 1. The register first.
  let { register } = await readRegister(deps.raw);
  for (const entry of registerEntries(request)) {
    const next = withEntry(register, entry);
    register = next.register;
    if (next.added) report.register_added += 1;
  }
  if (report.register_added > 0) await writeRegister(deps.raw, register);
  const matcher: ErasureMatcher = createMatcher(request.users, request.chats, request.pseudonymize);
  const policy = { mode: 'full' as const, erased: matcher };

  // 2. Raw objects.
  const pending = await readPending(deps.raw);
  for await (const object of deps.raw.list(RAW_PREFIX)) {
    const day = dayOfKey(object.key);
    let content: Awaited<ReturnType<typeof readAll>>;
    try {
      content = await readAll(deps.raw, object.key);
    } catch (error) {
      // A damaged object cannot be searched nor rewritten whole: repair keeps its readable lines first.
      throw new Error(`${object.key} is damaged (${(error as Error).message}): run tgpipe repair${day ? ` --date ${day}` : ''} first, then this erasure again`, { cause: error });
    }
    if (!content || !mentionsAny(content.text, matcher.needles)) continue;
    if (day && !pending.has(day)) {
      pending.add(day);
      await writePending(deps.raw, pending);
    }
    const r = await rewriteObject(deps.raw, object.key, (line) => applyPolicyToLine(line, policy), () => true, content);
    if (!r.changed) continue;
    if (r.deleted) report.raw.objects_deleted += 1;
    else report.raw.objects_rewritten += 1;
    report.raw.lines_dropped += r.dropped;
    report.raw.lines_redacted += r.redacted;
    report.raw.old_versions_deleted += r.versions;
    say(`raw ${object.key}: ${r.dropped} dropped, ${r.redacted} redacted${r.deleted ? ', object deleted' : ''}`);
  }

  // 3. Rebuild the days (the register now applies), or remove what is left of a day without raw objects.
  for (const day of [...pending].sort()) {
    const before = rowsOf((await readManifest(deps.enriched, day))?.summary);
    let hasRaw = false;
    for await (const _ of deps.raw.list(`${RAW_PREFIX}context_date=${day}/`)) {
      hasRaw = true;
      break;
    }
    let after = { telegram: 0, telegram_events: 0 };
    if (hasRaw) {
      after = rowsOf(await enrichDay(day, deps.enrich, { force: true }));
    } else {
      for (const key of [...ENRICHED_TABLES.map((t) => enrichedDayKey(t.name, day)), manifestKey(day), quarantineKey(day)]) {
        await deps.enriched.delete(key);
        report.raw.old_versions_deleted += (await versioned(deps.enriched)?.deleteOldVersions(key)) ?? 0;
      }
    }
    // The rebuilt Parquet replaced the old one: on a versioned enriched bucket the old versions go too.
    if (hasRaw) for (const t of ENRICHED_TABLES) report.raw.old_versions_deleted += (await versioned(deps.enriched)?.deleteOldVersions(enrichedDayKey(t.name, day))) ?? 0;
    report.rows_removed.telegram += Math.max(0, before.telegram - after.telegram);
    report.rows_removed.telegram_events += Math.max(0, before.telegram_events - after.telegram_events);
    report.days.push(day);
    pending.delete(day);
    await writePending(deps.raw, pending);
    say(`day ${day}: ${hasRaw ? 'rebuilt' : 'no raw left: enriched files removed'} (telegram ${before.telegram} -> ${after.telegram}, events ${before.telegram_events} -> ${after.telegram_events})`);
  }
  await deps.raw.delete(PENDING_KEY);

  // 4. Side files.
  const side: SideLocation[] = [
    { label: 'quarantine', store: deps.enriched, prefix: QUARANTINE_PREFIX, how: 'filter' },
    { label: 'firehose_errors', store: deps.raw, prefix: FIREHOSE_ERROR_PREFIX, how: 'filter' },
    { label: 'athena_results', store: deps.enriched, prefix: ATHENA_RESULTS_PREFIX, how: 'delete-all' },
    ...(deps.side ?? []),
  ];
  // The originals tgpipe repair keeps are damaged (they cannot be searched): every one goes, old versions
  // too; their notes (the set-aside lines, text) go when they name someone erased.
  const originals = (report.side.damaged_originals ??= { objects: 0, lines: 0 });
  for await (const object of deps.raw.list(DAMAGED_PREFIX)) {
    if (object.key.endsWith(DAMAGE_NOTE_SUFFIX)) continue;
    await deps.raw.delete(object.key);
    report.raw.old_versions_deleted += (await versioned(deps.raw)?.deleteOldVersions(object.key)) ?? 0;
    originals.objects += 1;
  }
  side.push({ label: 'damage_notes', store: deps.raw, prefix: DAMAGED_PREFIX, how: 'delete', keys: (k) => k.endsWith(DAMAGE_NOTE_SUFFIX) });
  for (const location of side) {
    const counts = (report.side[location.label] ??= { objects: 0, lines: 0 });
    for await (const object of location.store.list(location.prefix)) {
      if (location.keys && !location.keys(object.key)) continue;
      if (location.how === 'delete-all') {
        await location.store.delete(object.key);
        counts.objects += 1;
        continue;
      }
      if (location.how === 'delete') {
        const content = await readAll(location.store, object.key);
        if (content && mentionsAny(content.text, matcher.needles)) {
          await location.store.delete(object.key);
          await versioned(location.store)?.deleteOldVersions(object.key);
          counts.objects += 1;
        }
        continue;
      }
      const firehose = location.label === 'firehose_errors';
      const r = await rewriteObject(location.store, object.key, (line) => (lineNames(line, matcher, firehose) ? { action: 'drop' } : { action: 'keep' }), (text) => firehose || mentionsAny(text, matcher.needles));
      if (r.changed) {
        counts.objects += 1;
        counts.lines += r.dropped;
        report.raw.old_versions_deleted += r.versions;
      }
    }
  }
  return report;
}

/** True when a side-file line names an erased id; Firehose error records are decoded (base64) first. */
function lineNames(line: string, matcher: ErasureMatcher, firehose: boolean): boolean {
  if (mentionsAny(line, matcher.needles)) return true;
  if (!firehose) return false;
  for (const doc of errorDocuments(line)) {
    const decoded = decodeErrorRecord(doc);
    if (decoded.ok && decoded.lines.some((l) => applyPolicyToLine(l, { mode: 'full', erased: matcher }).action !== 'keep')) return true;
  }
  return false;
}

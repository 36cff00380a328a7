/**
 * Repairing damaged raw objects (`tgpipe repair`), through the ObjectStore port so S3 and the data folder
 * get the same: a damaged gzip object (truncated, changed bytes, junk after its last member) or a file
 * named `.gz` that is not gzip makes the raw table fail (DuckDB's telegram_raw on every query, Athena on
 * any query that reads it). Each such object is replaced, at its key, by a sound gzip object holding its
 * readable lines; the original is kept at `_damaged/<key>` (outside every table's folder: no reader takes
 * it for data), with a note of what the damage set aside, which the enrichment quarantines and counts as
 * it did before the repair. Order: original, note, then the sound object, so a repair that stops half-way
 * leaves the object as it was (and is run again).
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isGzip, type GzipDamage } from '../gzip-read';
import { objectLines, type ObjectDamage } from '../object-lines';
import type { ObjectStore } from '../../ports/object-store';
import { damagedKey, damageNoteKey, isDataObjectKey, rawDayPrefix } from '../../schemas';

export interface DamageNote {
  /** The repaired object's key (its readable lines are there now). */
  readonly key: string;
  /** Where the original bytes are kept. */
  readonly original: string;
  readonly damage: GzipDamage;
  /** What the damage set aside (as `ObjectDamage.records`): quarantined by every build of the day. */
  readonly records: string[];
  readonly readable_lines: number;
  readonly repaired_at: string;
}

export function parseDamageNote(bytes: Buffer | undefined): DamageNote | undefined {
  if (!bytes) return undefined;
  try {
    const note = JSON.parse(bytes.toString('utf8')) as DamageNote;
    const ok = typeof note.key === 'string' && Array.isArray(note.records) && note.records.every((r) => typeof r === 'string') && typeof note.damage?.offset === 'number';
    return ok ? { ...note, readable_lines: Number.isSafeInteger(note.readable_lines) ? note.readable_lines : 0 } : undefined;
  } catch {
    return undefined;
  }
}

export interface RepairedObject {
  readonly key: string;
  /** `damaged`: a gzip object with damage; `not_gzip`: named .gz, not gzip (every line kept, now compressed). */
  readonly kind: 'damaged' | 'not_gzip';
  readonly damage?: GzipDamage;
  readonly readableLines: number;
  /** Records the damage set aside (quarantined by the enrichment). */
  readonly setAside: number;
  readonly original: string;
}

export interface RepairReport {
  readonly date: string;
  readonly checked: number;
  readonly repaired: RepairedObject[];
  readonly dryRun: boolean;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What repair would do with one object's bytes; undefined when it is sound. */
export async function diagnose(key: string, bytes: Buffer): Promise<{ lines: string[]; damage?: ObjectDamage; notGzip: boolean } | undefined> {
  const notGzip = key.endsWith('.gz') && bytes.length > 0 && !isGzip(bytes);
  const found: { damage?: ObjectDamage } = {};
  const lines: string[] = [];
  for await (const line of objectLines(Readable.from([bytes]), (d) => (found.damage = d))) lines.push(line);
  if (!found.damage && !notGzip) return undefined;
  return { lines, notGzip, ...(found.damage ? { damage: found.damage } : {}) };
}

/**
 * Checks every raw data object of a day (by `isDataObjectKey`, as the readers) and repairs the damaged
 * ones; with `dryRun`, only says what it would do. Each object is read whole into memory (a rare, manual
 * step: one object at a time). Running it twice changes nothing more.
 */
export async function repairDay(store: ObjectStore, date: string, options: { dryRun?: boolean } = {}): Promise<RepairReport> {
  const repaired: RepairedObject[] = [];
  let checked = 0;
  const keys: string[] = [];
  for await (const o of store.list(rawDayPrefix(date))) if (isDataObjectKey(o.key)) keys.push(o.key);
  for (const key of keys) {
    checked += 1;
    const bytes = await bytesOf(await store.read(key));
    const found = await diagnose(key, bytes);
    if (!found) continue;
    const original = damagedKey(key);
    const { damage } = found;
    const entry: RepairedObject = {
      key,
      kind: damage ? 'damaged' : 'not_gzip',
      readableLines: found.lines.length,
      setAside: damage?.records.length ?? 0,
      original,
      ...(damage ? { damage: { offset: damage.offset, memberStart: damage.memberStart, reason: damage.reason, detail: damage.detail } } : {}),
    };
    repaired.push(entry);
    if (options.dryRun) continue;
    await store.write(original, bytes, 'application/octet-stream');
    if (damage) {
      const note: DamageNote = { key, original, damage: entry.damage!, records: damage.records, readable_lines: found.lines.length, repaired_at: new Date().toISOString() };
      await store.write(damageNoteKey(key), JSON.stringify(note), 'application/json');
    }
    const sound = gzipSync(found.lines.length > 0 ? `${found.lines.join('\n')}\n` : '');
    await store.write(key, sound, 'application/gzip');
  }
  return { date, checked, repaired, dryRun: options.dryRun === true };
}

/** The daily enrichment's plan: which day is D-1, the day manifest (read, compare), whether a day must be rebuilt. */
import { addDays, dateInOffset, type DayZone } from '../context-date';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import { manifestKey } from '../../schemas';

/** D-1 of a scheduled run: the day before the scheduled time's date in the configured offset. */
export function previousDay(scheduledAtMs: number, offsetMinutes: DayZone): string {
  return addDays(dateInOffset(scheduledAtMs, offsetMinutes), -1);
}

export interface ManifestObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

/**
 * Arrival-dated update_ids (kinds without a date of their own, see `eventDateOf`) a day may record in its
 * manifest; past this many it records none (`null`) and the cross-day check is off for that day.
 */
export const ARRIVAL_DATED_IDS_LIMIT = 200_000;

export interface DayManifest {
  readonly schema_version: number;
  readonly date: string;
  readonly built_at: string;
  readonly objects: ManifestObject[];
  /**
   * The update_ids the day kept whose context_date came from their arrival: a redelivery of one of them
   * after midnight lands in the next day's folder, whose build drops it. `null`: more than
   * ARRIVAL_DATED_IDS_LIMIT, not recorded. Absent in manifests written before the list existed.
   */
  readonly arrival_dated_ids?: number[] | null;
  /**
   * Rows per data mode (core/privacy) the day holds: one key normally; two when the mode changed that
   * day (flagged). Absent in manifests written before data modes: the day is `full`.
   */
  readonly data_modes?: Partial<Record<string, number>>;
  readonly summary: unknown;
}

/**
 * The arrival-dated update_ids a built day kept: a list; `null` when there were too many to record;
 * undefined when there is no manifest, or it predates the list (or holds something else there).
 */
export function arrivalDatedIdsOf(manifest: DayManifest | undefined): readonly number[] | null | undefined {
  const ids = manifest?.arrival_dated_ids;
  if (ids === null) return null;
  return Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id)) ? ids : undefined;
}

export const manifestObjects = (objects: readonly ObjectInfo[]): ManifestObject[] =>
  objects.map((o) => ({ key: o.key, etag: o.etag, size: o.size }));

/**
 * True when the raw listing is exactly what the manifest was built from (and with the same schema). A
 * manifest without the arrival-dated list (written before it existed) counts as changed: the day is
 * rebuilt once, so that its neighbours can be checked against it.
 */
export function unchangedSince(manifest: DayManifest | undefined, objects: readonly ObjectInfo[], schemaVersion: number): boolean {
  if (!manifest || manifest.schema_version !== schemaVersion || manifest.objects.length !== objects.length) return false;
  if (arrivalDatedIdsOf(manifest) === undefined) return false;
  return manifest.objects.every((m, i) => m.key === objects[i]!.key && m.etag === objects[i]!.etag && m.size === objects[i]!.size);
}

/** A day's manifest, or undefined when there is none or it cannot be read (the day is then rebuilt). */
export async function readManifest(store: ObjectStore, date: string): Promise<DayManifest | undefined> {
  const bytes = await store.readSmall(manifestKey(date));
  if (!bytes) return undefined;
  try {
    const manifest = JSON.parse(bytes.toString('utf8')) as unknown;
    return manifest !== null && typeof manifest === 'object' && Array.isArray((manifest as DayManifest).objects) ? (manifest as DayManifest) : undefined;
  } catch {
    return undefined; // a damaged manifest only means the day is rebuilt
  }
}

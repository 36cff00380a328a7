/** Pure helpers of the daily enrichment: which day is D-1, and whether a day must be rebuilt. */
import { addDays, dateInOffset } from '../context-date';
import type { ObjectInfo } from '../../ports/object-store';

/** D-1 of a scheduled run: the day before the scheduled time's date in the configured offset. */
export function previousDay(scheduledAtMs: number, offsetMinutes: number): string {
  return addDays(dateInOffset(scheduledAtMs, offsetMinutes), -1);
}

export interface ManifestObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

export interface DayManifest {
  readonly schema_version: number;
  readonly date: string;
  readonly built_at: string;
  readonly objects: ManifestObject[];
  readonly summary: unknown;
}

export const manifestObjects = (objects: readonly ObjectInfo[]): ManifestObject[] =>
  objects.map((o) => ({ key: o.key, etag: o.etag, size: o.size }));

/** True when the raw listing is exactly what the manifest was built from (and with the same schema). */
export function unchangedSince(manifest: DayManifest | undefined, objects: readonly ObjectInfo[], schemaVersion: number): boolean {
  if (!manifest || manifest.schema_version !== schemaVersion || manifest.objects.length !== objects.length) return false;
  return manifest.objects.every((m, i) => m.key === objects[i]!.key && m.etag === objects[i]!.etag && m.size === objects[i]!.size);
}

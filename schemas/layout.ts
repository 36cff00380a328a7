/**
 * Key layout shared by both buckets (DESIGN.md, Raw layer and Enriched layer). Only these functions
 * build keys, so the Firehose prefix, the readers, the writers and the DDL agree.
 */
export const RAW_PREFIX = 'telegram/';
export const FIREHOSE_ERROR_PREFIX = 'errors/';
export const MANIFEST_PREFIX = '_manifests/';
export const QUARANTINE_PREFIX = '_quarantine/';
export const ATHENA_RESULTS_PREFIX = '_athena-results/';

/** Folder of a raw day: `telegram/context_date=YYYY-MM-DD/`. */
export const rawDayPrefix = (contextDate: string): string => `${RAW_PREFIX}context_date=${contextDate}/`;

/** Folder of an enriched table: `<table>/`. */
export const tablePrefix = (table: string): string => `${table}/`;

/** Folder of an enriched day: `<table>/context_date=YYYY-MM-DD/`. */
export const enrichedDayPrefix = (table: string, contextDate: string): string =>
  `${tablePrefix(table)}context_date=${contextDate}/`;

/** The one Parquet file of a table's day: a fixed name, so re-running the day replaces it. */
export const enrichedDayKey = (table: string, contextDate: string): string =>
  `${enrichedDayPrefix(table, contextDate)}part-00000.parquet`;

/** Build manifest of a day (what raw objects it was built from). */
export const manifestKey = (contextDate: string): string => `${MANIFEST_PREFIX}context_date=${contextDate}.json`;

/** Quarantined lines of a day. */
export const quarantineKey = (contextDate: string): string => `${QUARANTINE_PREFIX}context_date=${contextDate}/lines.jsonl.gz`;

/** Where a damaged raw object is kept once repaired: outside every table's folder (`_damaged/<original key>`). */
export const DAMAGED_PREFIX = '_damaged/';
export const damagedKey = (key: string): string => `${DAMAGED_PREFIX}${key}`;
/** The note a repair leaves beside the kept original: where the damage was, what was lost (read by the enrichment). */
export const DAMAGE_NOTE_SUFFIX = '.damage.json';
export const damageNoteKey = (key: string): string => `${DAMAGED_PREFIX}${key}${DAMAGE_NOTE_SUFFIX}`;

/** Files being written by the local store end in this suffix: never data. */
export const TMP_WRITE_SUFFIX = '.tmp-write';
const DAY_FOLDER = /^context_date=\d{4}-\d{2}-\d{2}$/;

/**
 * The one rule for what a data object of a table is, used by every reader (the enrichment's listing,
 * the DuckDB views, replay, repair) so none reads what another skips: a file directly in a table's
 * `context_date=YYYY-MM-DD/` folder, whose name does not start with `_` or `.` (Athena and Hive ignore
 * those keys) and is not a half-written local file. `tablePrefix` defaults to the raw table's folder.
 */
export function isDataObjectKey(key: string, tableFolder: string = RAW_PREFIX): boolean {
  if (!key.startsWith(tableFolder)) return false;
  const parts = key.slice(tableFolder.length).split('/');
  if (parts.length !== 2 || !DAY_FOLDER.test(parts[0]!)) return false;
  const name = parts[1]!;
  return name !== '' && name[0] !== '_' && name[0] !== '.' && !name.endsWith(TMP_WRITE_SUFFIX);
}

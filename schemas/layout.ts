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

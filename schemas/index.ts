/** The one definition of the enriched tables, and everything derived from it. */
import { telegramTable } from './telegram';
import { telegramEventsTable } from './telegram-events';
import { telegramTermsTable } from './telegram-terms';

export { telegramTable } from './telegram';
export { telegramEventsTable } from './telegram-events';
export { telegramTermsTable, TERM_KINDS, type TermKind } from './telegram-terms';
export { rawTable, RAW_JSON_COLUMNS } from './raw';
export * from './column';
export * from './glue';
export * from './parquet';
export * from './layout';

export const ENRICHED_TABLES = [telegramTable, telegramEventsTable, telegramTermsTable] as const;

/** Version of the enriched schema as a whole. */
export const SCHEMA_VERSION = Math.max(...ENRICHED_TABLES.map((t) => t.version));

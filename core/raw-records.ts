/**
 * Reading the raw layer: one record per line in envelopes (`{"received_at","context_date","update"}`),
 * `unparsed` envelopes, `export` records (a message of a Telegram Desktop export, `tgpipe import`),
 * `sample` records (a measurement the pipeline took itself, e.g. getChatMemberCount), or
 * bare updates (the original pipeline's bucket: one update per line or per object). Pure: text in,
 * classified record out; never throws.
 */
import { isUpdate, type AnyUpdate } from './update-kinds';
import { isDataMode, type DataMode } from './privacy/data-mode';

export type BadRecordReason = 'not_json' | 'unparsed_envelope' | 'not_an_update' | 'bad_export' | 'export_record' | 'bad_sample' | 'sample_record';

/** The payload of an `export` record: a normalised exported message with its chat (core/export/normalise.ts). */
export interface ExportPayload {
  readonly chat: Record<string, unknown> & { readonly id: number };
  readonly message: Record<string, unknown> & { readonly id: number; readonly date: number };
}

/**
 * The payload of a `sample` record (DESIGN.md, Raw record kinds): one measurement, keyed by
 * (`kind`, `chat_id`, `at`). `at` is when it was taken, unix seconds (Telegram's own unit for dates).
 */
export interface SamplePayload {
  readonly kind: 'member_count';
  readonly chat_id: number;
  readonly count: number;
  readonly at: number;
}

/** A record of the update kinds (envelopes, bare updates); an `export` or `sample` record is `export_record` / `sample_record` here. */
export type RawRecord =
  | { readonly ok: true; readonly update: AnyUpdate; readonly receivedAt?: number; readonly contextDate?: string; readonly dataMode?: DataMode }
  | { readonly ok: false; readonly reason: BadRecordReason; readonly receivedAt?: number; readonly contextDate?: string };

/** An `export` record, as classifyRawLine reads it. */
export interface ExportRawRecord {
  readonly ok: true;
  readonly export: ExportPayload;
  readonly receivedAt?: number;
  readonly contextDate?: string;
}

/** A `sample` record, as classifyRawLine reads it. */
export interface SampleRawRecord {
  readonly ok: true;
  readonly sample: SamplePayload;
  readonly receivedAt?: number;
  readonly contextDate?: string;
}

/** Any raw line: one of the update kinds, an `export` record or a `sample` record. */
export type RawLine = RawRecord | ExportRawRecord | SampleRawRecord;

export const isExportRecord = (r: RawLine): r is ExportRawRecord => r.ok && 'export' in r;
export const isSampleRecord = (r: RawLine): r is SampleRawRecord => r.ok && 'sample' in r;

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An export payload the enrichment can key: a chat with an integer id, a message with an integer id and date. */
export function isExportPayload(v: unknown): v is ExportPayload {
  if (!isObject(v) || !isObject(v.chat) || !isObject(v.message)) return false;
  return Number.isSafeInteger(v.chat.id) && Number.isSafeInteger(v.message.id) && Number.isSafeInteger(v.message.date);
}

/**
 * A sample payload the enrichment can key: a known kind, an integer chat id, a count of 0 or more, and a
 * positive `at` in seconds (a value in milliseconds would be a date thousands of years ahead: refused).
 */
export function isSamplePayload(v: unknown): v is SamplePayload {
  if (!isObject(v) || v.kind !== 'member_count') return false;
  const count = v.count;
  const at = v.at;
  return Number.isSafeInteger(v.chat_id) && Number.isSafeInteger(count) && (count as number) >= 0 && Number.isSafeInteger(at) && (at as number) > 0 && (at as number) < 1e11;
}

/** Classifies an already-parsed JSON value (an envelope, an export record or a bare update). */
export function classifyRawLine(value: unknown): RawLine {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not_an_update' };
  const record = value as Record<string, unknown>;
  if ('update' in record || 'unparsed' in record) {
    const receivedAt = asNumber(record.received_at);
    const contextDate = asString(record.context_date);
    if (isUpdate(record.update)) {
      // Envelopes written in a data mode other than `full` say which (core/privacy); absent: full.
      const dataMode = isDataMode(record.data_mode) ? record.data_mode : undefined;
      return dataMode ? { ok: true, update: record.update, receivedAt, contextDate, dataMode } : { ok: true, update: record.update, receivedAt, contextDate };
    }
    return { ok: false, reason: 'unparsed' in record ? 'unparsed_envelope' : 'not_an_update', receivedAt, contextDate };
  }
  if ('export' in record && 'context_date' in record) {
    const receivedAt = asNumber(record.received_at);
    const contextDate = asString(record.context_date);
    if (isExportPayload(record.export)) return { ok: true, export: record.export, receivedAt, contextDate };
    return { ok: false, reason: 'bad_export', receivedAt, contextDate };
  }
  if ('sample' in record && ('context_date' in record || 'received_at' in record)) {
    const receivedAt = asNumber(record.received_at);
    const contextDate = asString(record.context_date);
    if (isSamplePayload(record.sample)) return { ok: true, sample: record.sample, receivedAt, contextDate };
    return { ok: false, reason: 'bad_sample', receivedAt, contextDate };
  }
  if (isUpdate(record)) return { ok: true, update: record };
  return { ok: false, reason: 'not_an_update' };
}

/**
 * Classifies a parsed value as one of the update kinds; an `export` record is
 * `{ok:false, reason:'export_record'}`, a `sample` record `{ok:false, reason:'sample_record'}`.
 */
export function classifyRawValue(value: unknown): RawRecord {
  const record = classifyRawLine(value);
  if (isExportRecord(record)) return { ok: false, reason: 'export_record', receivedAt: record.receivedAt, contextDate: record.contextDate };
  if (isSampleRecord(record)) return { ok: false, reason: 'sample_record', receivedAt: record.receivedAt, contextDate: record.contextDate };
  return record;
}

function parsed(text: string): { value?: unknown; bad?: RawRecord } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { bad: { ok: false, reason: 'not_json' } };
  }
}

/** Parses one raw line (or one whole object) into a classified record of the update kinds. */
export function parseRawRecord(text: string): RawRecord {
  const { value, bad } = parsed(text);
  return bad ?? classifyRawValue(value);
}

/** Parses one raw line of any kind (the enrichment's reader). */
export function parseRawLine(text: string): RawLine {
  const { value, bad } = parsed(text);
  return bad ?? classifyRawLine(value);
}

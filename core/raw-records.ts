/**
 * Reading the raw layer: one record per line in envelopes (`{"received_at","context_date","update"}`),
 * `unparsed` envelopes, or bare updates (the original pipeline's bucket: one update per line or per
 * object). Pure: text in, classified record out; never throws.
 */
import { isUpdate, type AnyUpdate } from './update-kinds';
import { isDataMode, type DataMode } from './privacy/data-mode';

export type BadRecordReason = 'not_json' | 'unparsed_envelope' | 'not_an_update';

export type RawRecord =
  | { readonly ok: true; readonly update: AnyUpdate; readonly receivedAt?: number; readonly contextDate?: string; readonly dataMode?: DataMode }
  | { readonly ok: false; readonly reason: BadRecordReason; readonly receivedAt?: number; readonly contextDate?: string };

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Classifies an already-parsed JSON value (an envelope or a bare update). */
export function classifyRawValue(value: unknown): RawRecord {
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
  if (isUpdate(record)) return { ok: true, update: record };
  return { ok: false, reason: 'not_an_update' };
}

/** Parses one raw line (or one whole object) into a classified record. */
export function parseRawRecord(text: string): RawRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  return classifyRawValue(value);
}

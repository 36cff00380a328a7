/**
 * Firehose error output (pure decoding). Records Firehose could not deliver land under the stream's error
 * prefix, here `errors/<error-output-type>/date=YYYY-MM-DD/` (infra/raw-landing.ts; the date is the
 * arrival date in the stream's time zone, not the record's context_date), one JSON document per failed
 * record, in the documented envelopes:
 *
 * - dynamic partitioning / S3 delivery failures:
 *   `{"attemptsMade":1,"arrivalTimestamp":...,"errorCode":"DynamicPartitioning.MetadataExtractionFailed",
 *     "errorMessage":"...","attemptEndingTimestamp":...,"rawData":"<base64>",...}`
 * - data transformation failures (`processing-failed/`): the same with `"lambdaArn"`;
 * - data format conversion failures: `"ErrorCode"`/`"ErrorMessage"` (or `lastErrorCode`/`lastErrorMessage`)
 *   with `"sequenceNumber"`, `"dataCatalogTable"`;
 * - decompression failures deliver the record "as is (in compressed format)".
 *
 * `rawData` is the base64 of the record as it was put: here an envelope line (with its newline). It is
 * gunzipped when it is gzip, and split into lines. The documents are read one per line, or back to back
 * (`{...}{...}`) when written without separators.
 */
import { gunzipSync } from 'node:zlib';
import { FIREHOSE_ERROR_PREFIX } from '../../schemas/layout';

export type ErrorOutputSkip = 'error_record_not_json' | 'error_record_without_rawdata' | 'rawdata_not_base64' | 'rawdata_not_gzip' | 'rawdata_not_utf8' | 'rawdata_empty';

export type DecodedErrorRecord =
  | {
      readonly ok: true;
      /** The record's lines (usually one envelope line), without line breaks. */
      readonly lines: string[];
      readonly errorCode?: string;
      readonly errorMessage?: string;
      /** When Firehose received the record (ms), if the envelope says. */
      readonly arrivalTimestamp?: number;
    }
  | { readonly ok: false; readonly reason: ErrorOutputSkip; readonly errorCode?: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const firstString = (o: Record<string, unknown>, ...keys: string[]): string | undefined => {
  for (const k of keys) if (typeof o[k] === 'string') return o[k] as string;
  return undefined;
};

const asMillis = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  return undefined;
};

/** Splits text holding JSON values back to back (`{..}{..}`, or `{..}\n{..}`) into the values' texts. */
export function splitJsonDocuments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

/** The JSON documents of one line of an error-output object. */
export function errorDocuments(line: string): unknown[] {
  try {
    return [JSON.parse(line)];
  } catch {
    const parts = splitJsonDocuments(line);
    const values: unknown[] = [];
    for (const p of parts) {
      try {
        values.push(JSON.parse(p));
      } catch {
        return [undefined];
      }
    }
    return values.length > 0 ? values : [undefined];
  }
}

/** Decodes one error-output document into the lines of the record Firehose could not deliver. */
export function decodeErrorRecord(value: unknown): DecodedErrorRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'error_record_not_json' };
  const o = value as Record<string, unknown>;
  const errorCode = firstString(o, 'errorCode', 'ErrorCode', 'lastErrorCode');
  const errorMessage = firstString(o, 'errorMessage', 'ErrorMessage', 'lastErrorMessage');
  if (typeof o.rawData !== 'string') return { ok: false, reason: 'error_record_without_rawdata', errorCode };
  const b64 = o.rawData.replace(/\s+/g, '');
  if (!BASE64.test(b64) || b64.length % 4 === 1) return { ok: false, reason: 'rawdata_not_base64', errorCode };
  let bytes: Buffer = Buffer.from(b64, 'base64');
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return { ok: false, reason: 'rawdata_not_gzip', errorCode };
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'rawdata_not_utf8', errorCode };
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '');
  if (lines.length === 0) return { ok: false, reason: 'rawdata_empty', errorCode };
  return { ok: true, lines, errorCode, errorMessage, arrivalTimestamp: asMillis(o.arrivalTimestamp) };
}

/** Encodes a record the way Firehose writes it to its error output (tests, drills, fixtures). */
export function encodeErrorRecord(record: string, fields: { errorCode?: string; errorMessage?: string; arrivalTimestamp?: number } = {}): string {
  const arrival = fields.arrivalTimestamp ?? Date.now();
  return JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: arrival,
    errorCode: fields.errorCode ?? 'DynamicPartitioning.MetadataExtractionFailed',
    errorMessage: fields.errorMessage ?? 'partition keys could not be extracted',
    attemptEndingTimestamp: arrival + 1000,
    rawData: Buffer.from(record, 'utf8').toString('base64'),
  });
}

/**
 * The arrival date of an error-output key: `errors/<type>/date=YYYY-MM-DD/...` (this stack's prefix), or
 * Firehose's default layout `errors/<type>/YYYY/MM/DD/HH/...`; undefined for anything else.
 */
export function errorOutputDate(key: string): string | undefined {
  if (!key.startsWith(FIREHOSE_ERROR_PREFIX)) return undefined;
  const parts = key.slice(FIREHOSE_ERROR_PREFIX.length).split('/');
  if (parts.length < 3) return undefined;
  const m = /^date=(\d{4}-\d{2}-\d{2})$/.exec(parts[1]!);
  if (m) return m[1];
  if (parts.length >= 5 && /^\d{4}$/.test(parts[1]!) && /^\d{2}$/.test(parts[2]!) && /^\d{2}$/.test(parts[3]!)) return `${parts[1]}-${parts[2]}-${parts[3]}`;
  return undefined;
}

/** The error-output type of a key (`errors/<type>/...`). */
export const errorOutputType = (key: string): string | undefined =>
  key.startsWith(FIREHOSE_ERROR_PREFIX) ? key.slice(FIREHOSE_ERROR_PREFIX.length).split('/')[0] : undefined;

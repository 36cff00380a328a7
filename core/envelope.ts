/**
 * The raw layer's line: an envelope around Telegram's exact bytes, built by string concatenation so the
 * update is never re-serialised (DESIGN.md, Raw layer).
 */
import { dateInOffset, eventDateOf, type DayZone } from './context-date';
import { isUpdate, type AnyUpdate } from './update-kinds';
import { hasDuplicateKeys } from './json-keys';
import type { DataMode } from './privacy/data-mode';

export interface ParsedBody {
  /** The parsed update, when the body is one. */
  readonly update?: AnyUpdate;
  /** Why the body is not an update, when it is not. */
  readonly error?: string;
}

/**
 * Parses a webhook body; never throws. A body every reader would not read alike is not an update: one
 * whose bytes were not valid UTF-8 (`invalidUtf8`, known to whoever decoded them; the text then holds
 * U+FFFD where they were), or with a key twice in an object (JSON.parse takes the last, DuckDB and
 * Athena the first). Both are kept as `unparsed`, quarantined by the enrichment (core/json-keys.ts).
 */
export function parseUpdateBody(body: string, options: { invalidUtf8?: boolean } = {}): ParsedBody {
  if (options.invalidUtf8) return { error: 'body is not valid UTF-8' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: 'body is not JSON' };
  }
  if (!isUpdate(value)) return { error: 'body is not a Telegram update (no integer update_id)' };
  if (hasDuplicateKeys(body)) return { error: 'body has a key twice in one object (readers would take different values)' };
  return { update: value };
}

/**
 * JSON allows whitespace but no raw line breaks inside strings, so a line break in a valid body is
 * insignificant whitespace; a JSON-lines record must not contain one.
 */
const LINE_BREAKS = /[\r\n]/;

export interface Envelope {
  /** One JSON line, newline-terminated. */
  readonly line: string;
  readonly contextDate: string;
  /** The update's event time (unix ms) that dated it, when it has one (else it was dated by arrival). */
  readonly eventAtMs?: number;
  /** True when the body was kept as `unparsed`. */
  readonly unparsed: boolean;
}

/**
 * The head every raw line starts with (DESIGN.md, Raw record kinds): Firehose's JQ and the readers of a
 * line's head find `context_date` right there.
 */
export const envelopeHead = (receivedAtMs: number, contextDate: string): string => `{"received_at":${receivedAtMs},"context_date":"${contextDate}",`;

/** A raw line (no line break) of a kind whose payload the pipeline wrote itself: an `export` or a `sample`. */
export const payloadLine = (receivedAtMs: number, contextDate: string, field: 'export' | 'sample', payloadJson: string): string =>
  `${envelopeHead(receivedAtMs, contextDate)}"${field}":${payloadJson}}`;

/**
 * Builds the envelope line for a received body. `dataMode`: set (not `full`) when the body is the update
 * as a data mode keeps it (core/privacy): the envelope then says so in `data_mode`. A `full` envelope has
 * no `data_mode` and holds the body byte for byte, as before data modes existed.
 */
export function buildEnvelope(body: string, parsed: ParsedBody, receivedAtMs: number, offsetMinutes: DayZone, dataMode?: Exclude<DataMode, 'full'>): Envelope {
  // As contextDateOf, keeping the event time for the caller.
  const seconds = parsed.update ? eventDateOf(parsed.update) : undefined;
  const eventAtMs = seconds === undefined ? undefined : seconds * 1000;
  const contextDate = dateInOffset(eventAtMs ?? receivedAtMs, offsetMinutes);
  const head = dataMode
    ? `${envelopeHead(receivedAtMs, contextDate)}"data_mode":"${dataMode}",`
    : envelopeHead(receivedAtMs, contextDate);
  if (parsed.update && !LINE_BREAKS.test(body)) {
    return { line: `${head}"update":${body}}\n`, contextDate, eventAtMs, unparsed: false };
  }
  if (parsed.update) {
    // Only insignificant whitespace is touched: the update's values stay byte-identical.
    return { line: `${head}"update":${body.replace(/[\r\n]+/g, ' ')}}\n`, contextDate, eventAtMs, unparsed: false };
  }
  return { line: `${head}"unparsed":${JSON.stringify(body)}}\n`, contextDate, unparsed: true };
}

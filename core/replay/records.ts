/**
 * What a replay puts for one raw record (pure):
 * - an envelope with a valid context_date goes as it is, byte for byte (it keeps its day);
 * - an `unparsed` envelope goes as it is too (it is data: the webhook kept it), and so does an `export`
 *   record (a message of a Telegram Desktop export, tgpipe import) and a `sample` record (a measurement
 *   the pipeline took, e.g. getChatMemberCount), which have no other copy;
 * - a bare update (the original pipeline's layout) is wrapped by `buildEnvelope` around its exact bytes,
 *   `received_at` = when the object was written (or Firehose's arrival time for error output), its
 *   context_date from its own event date;
 * - an envelope without a usable context_date gets one (its update re-serialised: the only case, as its
 *   original bytes are not separable from the envelope);
 * - anything else (not JSON, JSON that is not an update) is skipped with a reason, and so is a line over
 *   Firehose's 1,000 KiB record limit;
 * - an update with no chat (poll_answer, inline_query, ...: core/no-chat.ts) is dropped, named by its
 *   kind, as the webhook and the enrichment drop it: a replay never brings one into the new bucket.
 */
import { contextDateOfExport, contextDateOfSample, isIsoDate, type DayZone } from '../context-date';
import { buildEnvelope, payloadLine } from '../envelope';
import { classifyRawValue } from '../raw-records';
import { noChatKind } from '../no-chat';
import type { AnyUpdate } from '../update-kinds';

export type RecordKind = 'envelope' | 'unparsed' | 'export' | 'sample' | 'wrapped' | 'rebuilt';
export type SkipReason = 'not_json' | 'not_an_update' | 'oversized' | 'no_chat';

export type PreparedRecord =
  | { readonly ok: true; readonly kind: RecordKind; readonly line: string; readonly bytes: number; readonly contextDate: string; readonly updateId?: number }
  | { readonly ok: false; readonly reason: SkipReason; readonly updateId?: number; /** For `no_chat`: the update's kind. */ readonly kind?: string };

const encoder = new TextEncoder();
export const byteLength = (text: string): number => encoder.encode(text).length;

const updateIdOf = (update: AnyUpdate | undefined): number | undefined => (typeof update?.update_id === 'number' ? update.update_id : undefined);

/** Reads the envelope's context_date from the line's head, where buildEnvelope puts it. */
const headContextDate = (text: string): string | undefined => /^\{"received_at":-?\d+,"context_date":"(\d{4}-\d{2}-\d{2})",/.exec(text)?.[1];

/** Raw kinds the pipeline dated itself, by the reason the classifier gives, and their payload field. */
const SELF_DATED = { export_record: 'export', bad_export: 'export', sample_record: 'sample', bad_sample: 'sample' } as const;

/**
 * Prepares one raw record (a line, without its line break). `fallbackReceivedAtMs` stands in for
 * `received_at` where the record has none (a bare update).
 */
export function prepareRecord(text: string, fallbackReceivedAtMs: number, utcOffsetMinutes: DayZone, maxRecordBytes = 1000 * 1024): PreparedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const record = classifyRawValue(value);
  const updateId = record.ok ? updateIdOf(record.update) : undefined;
  const noChat = record.ok ? noChatKind(record.update) : undefined;
  if (noChat !== undefined) return { ok: false, reason: 'no_chat', updateId, kind: noChat };
  let kind: RecordKind;
  let line: string;
  let contextDate: string;
  const isEnvelope = typeof value === 'object' && value !== null && ('update' in value || 'unparsed' in value);
  const headDate = headContextDate(text);
  // A day the record carries where readers of the line's head look for it: it keeps that day.
  const keptDay = record.contextDate !== undefined && isIsoDate(record.contextDate) && headDate === record.contextDate ? record.contextDate : undefined;

  if (record.ok && !isEnvelope) {
    // A bare update: wrap its exact bytes.
    const envelope = buildEnvelope(text, { update: record.update }, fallbackReceivedAtMs, utcOffsetMinutes);
    kind = 'wrapped';
    line = envelope.line;
    contextDate = envelope.contextDate;
  } else if (!record.ok && record.reason in SELF_DATED) {
    // An export or a sample keeps its day (the import or the sampler dated it); one without a usable day
    // gets its payload's (a message's date, a sample's `at`).
    const field = SELF_DATED[record.reason as keyof typeof SELF_DATED];
    if (keptDay !== undefined) {
      kind = field;
      line = `${text}\n`;
      contextDate = keptDay;
    } else {
      const payload = (value as Record<string, unknown>)[field] as { message?: { date?: unknown }; at?: unknown } | undefined;
      const receivedAt = record.receivedAt ?? fallbackReceivedAtMs;
      contextDate = field === 'export' ? contextDateOfExport(payload?.message, receivedAt, utcOffsetMinutes) : contextDateOfSample(payload, receivedAt, utcOffsetMinutes);
      kind = 'rebuilt';
      line = `${payloadLine(receivedAt, contextDate, field, JSON.stringify(payload ?? null))}\n`;
    }
  } else if (record.ok || record.reason === 'unparsed_envelope') {
    if (keptDay !== undefined) {
      kind = record.ok ? 'envelope' : 'unparsed';
      line = `${text}\n`;
      contextDate = keptDay;
    } else {
      // An envelope without a usable context_date (or not where readers of the line's head look for it).
      const receivedAt = record.receivedAt ?? fallbackReceivedAtMs;
      const envelope = record.ok
        ? buildEnvelope(JSON.stringify(record.update), { update: record.update }, receivedAt, utcOffsetMinutes)
        : buildEnvelope(String((value as { unparsed: unknown }).unparsed), { error: 'unparsed' }, receivedAt, utcOffsetMinutes);
      kind = 'rebuilt';
      line = envelope.line;
      contextDate = envelope.contextDate;
    }
  } else {
    return { ok: false, reason: record.reason === 'not_json' ? 'not_json' : 'not_an_update' };
  }
  const bytes = byteLength(line);
  if (bytes > maxRecordBytes) return { ok: false, reason: 'oversized', updateId };
  return { ok: true, kind, line, bytes, contextDate, updateId };
}

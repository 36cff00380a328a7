/**
 * Flattening a `sample` record (a measurement the pipeline took itself) into a `telegram_events` row:
 * `event_kind` is the sample's kind (`member_count`), `event_date` / `event_ts` when it was taken, the
 * value in its own column. There is no update, so `update_id` is NULL; the enrichment keys samples by
 * (kind, chat_id, at) instead (DESIGN.md, Raw record kinds).
 */
import { telegramEventsTable, type Row } from '../../schemas';
import type { SamplePayload } from '../raw-records';
import type { DataMode } from '../privacy/data-mode';

/** `telegram_events` columns only sample rows fill (no update carries them). */
export const SAMPLE_ONLY_COLUMNS: readonly string[] = ['member_count'];

const EVENT_ROW: Row = Object.fromEntries(telegramEventsTable.columns.map((c) => [c.name, null]));

/** The dedupe key of a sample: one row per (kind, chat_id, at). */
export const sampleKey = (s: SamplePayload): string => `${s.kind}:${s.chat_id}:${s.at}`;

/** `dataMode`: the deployment's (a count holds nothing a mode withholds; the day's rows stay of one mode). */
export function flattenSample(sample: SamplePayload, receivedAtMs: number | undefined, dataMode: DataMode = 'full'): Row {
  const at = new Date(sample.at * 1000);
  return {
    ...EVENT_ROW,
    event_kind: sample.kind,
    event_date: sample.at,
    event_ts: at,
    received_at: receivedAtMs !== undefined && Number.isFinite(receivedAtMs) ? new Date(receivedAtMs) : null,
    chat_id: sample.chat_id,
    member_count: sample.count,
    data_mode: dataMode,
  };
}

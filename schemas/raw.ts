/**
 * The raw table: the envelopes Firehose lands (DESIGN.md, Raw layer), one JSON line each. Glue (CDK)
 * and the local engine's view both take their columns from here; `context_date` is the partition, read
 * from the path.
 */
import { defineTable, v1, v3, v4 } from './column';

export const rawTable = defineTable('telegram_raw', 'Raw records as Firehose lands them: one per update received, and one per imported export message.', [
  v1('received_at', 'bigint', 'Arrival time at the webhook, unix milliseconds.'),
  v1('update', 'string', 'The Telegram update exactly as received (JSON text); query it with json_extract.'),
  v1('unparsed', 'string', 'A body sent with a valid secret that was not an update, as text.'),
  v3('export', 'string', 'One message of a Telegram Desktop export with its chat, normalised: {"chat":{...},"message":{...}} (JSON text; tgpipe import).'),
  v4('sample', 'string', 'A measurement the pipeline took itself: {"kind":"member_count","chat_id":...,"count":...,"at":<unix seconds>} (JSON text; getChatMemberCount, once a day).'),
]);

/** Columns that hold a JSON value (the update object) kept as its text: readers must not parse them into a type. */
export const RAW_JSON_COLUMNS: ReadonlySet<string> = new Set(['update', 'export', 'sample']);

/**
 * Ingesting updates that did not come over HTTP (files, getUpdates, the demo) through the webhook's own
 * decision (`handleWebhook`, with the real secret) and the same sink, so they are checked, enveloped and
 * stored exactly as webhook deliveries are.
 */
import { handleWebhook, type WebhookDeps, type WebhookResult } from '../core/webhook';
import { SECRET_HEADER } from '../core/secret';
import { countNoChat, NO_KIND, type NoChatCounts } from '../core/no-chat';
import { LOCAL_MAX_RECORD_BYTES } from '../adapters/local/local-firehose';

export interface IngestCounts {
  /** Stored (as an update, or as `unparsed` for a string that is not one). */
  accepted: number;
  /** Answered 200 and dropped: chat not allowed, sender opted out, or too large to store. */
  ignored: number;
  /** Answered 200 and dropped as no group's data (core/no-chat.ts): updates with no chat, by kind. */
  noChat: NoChatCounts;
  /** Not stored because the sink failed (the webhook would have answered 503). */
  failed: number;
}

/** How many updates are in flight at once: each batch is one or a few group commits of the sink. */
const BATCH = 1000;

/**
 * Puts each update (a body string, kept byte for byte, or an object, serialised) through the webhook
 * decision. `deps.maxRecordBytes` defaults to the local Firehose's record limit, as for the server.
 */
export async function ingestUpdates(updates: Array<string | object>, deps: WebhookDeps, onResult?: (result: WebhookResult) => void): Promise<IngestCounts> {
  const counts: IngestCounts = { accepted: 0, ignored: 0, noChat: {}, failed: 0 };
  const headers = { [SECRET_HEADER.toLowerCase()]: deps.secret };
  const options: WebhookDeps = { ...deps, maxRecordBytes: deps.maxRecordBytes ?? LOCAL_MAX_RECORD_BYTES };
  for (let i = 0; i < updates.length; i += BATCH) {
    const results = await Promise.all(
      updates.slice(i, i + BATCH).map((u) => handleWebhook({ method: 'POST', headers, body: typeof u === 'string' ? u : JSON.stringify(u) }, options)),
    );
    for (const r of results) {
      onResult?.(r);
      if (r.outcome === 'stored' || r.outcome === 'stored_unparsed') counts.accepted += 1;
      else if (r.outcome === 'dropped_no_chat') countNoChat(counts.noChat, r.kind ?? NO_KIND);
      else if (r.status === 200) counts.ignored += 1;
      else counts.failed += 1;
    }
  }
  return counts;
}

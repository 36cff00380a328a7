/**
 * Ingesting updates that did not come over HTTP (files, getUpdates, the demo) through the webhook's own
 * decision and sink, so they are checked, enveloped and stored exactly as webhook deliveries are.
 */
import { handleWebhook, type WebhookDeps } from '../core/webhook';
import { SECRET_HEADER } from '../core/secret';

export interface IngestCounts {
  accepted: number;
  ignored: number;
  failed: number;
}

export async function ingestUpdates(updates: Array<string | object>, deps: WebhookDeps): Promise<IngestCounts> {
  const counts: IngestCounts = { accepted: 0, ignored: 0, failed: 0 };
  const headers = { [SECRET_HEADER.toLowerCase()]: deps.secret };
  // In parallel so the sink's group commit batches them; bounded so memory stays flat on big files.
  const batchSize = 500;
  for (let i = 0; i < updates.length; i += batchSize) {
    const results = await Promise.all(
      updates.slice(i, i + batchSize).map((u) => handleWebhook({ method: 'POST', headers, body: typeof u === 'string' ? u : JSON.stringify(u) }, deps)),
    );
    for (const r of results) {
      if (r.outcome === 'stored' || r.outcome === 'stored_unparsed') counts.accepted += 1;
      else if (r.status === 200) counts.ignored += 1;
      else counts.failed += 1;
    }
  }
  return counts;
}

/**
 * The webhook Lambda handler's own time per invocation (secret check, parse, classify, envelope, the
 * log line with its EMF metrics), in-process with a sink that accepts at once: what the handler adds to
 * the PutRecord round trip Lambda bills. Warm container, as for all but the first request.
 */
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/log';
import { createWebhookHandler } from '../../handlers/webhook';
import type { RecordSink } from '../../ports/record-sink';
import { percentile, round } from './stats';

const SECRET = 'bench_Secret-0123456789';

export async function measureHandlerMs(bodies: readonly string[], chatIds: readonly number[], invocations = 20_000) {
  const sink: RecordSink = { put: async () => {}, putBatch: async () => ({ failed: [], errors: [] }), close: async () => {} };
  let logBytes = 0;
  const handler = createWebhookHandler({
    config: loadConfig({ ALLOWED_CHAT_IDS: chatIds.join(','), CONTEXT_UTC_OFFSET: '-03:00' }),
    sink,
    logger: createLogger({ service: 'webhook', level: 'info', write: (l) => (logBytes += l.length) }),
    loadSecret: async () => SECRET,
    maxRecordBytes: 1000 * 1024,
  });
  const event = (body: string) => ({ headers: { 'x-telegram-bot-api-secret-token': SECRET }, body, isBase64Encoded: false, requestContext: { http: { method: 'POST' } } }) as never;
  for (let i = 0; i < 2_000; i += 1) await handler(event(bodies[i % bodies.length]!)); // warm
  const times = new Float64Array(invocations);
  for (let i = 0; i < invocations; i += 1) {
    const t = performance.now();
    await handler(event(bodies[i % bodies.length]!));
    times[i] = performance.now() - t;
  }
  times.sort();
  return { invocations, p50Ms: round(percentile(times, 50), 4), p99Ms: round(percentile(times, 99), 4), logBytesPerInvocation: Math.round(logBytes / (invocations + 2_000)) };
}

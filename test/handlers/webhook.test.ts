import { FirehoseClient, PutRecordCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config';
import { memoryLogger } from '../../core/log';
import { FIREHOSE_LIMITS, FirehoseSink } from '../../adapters/aws/firehose-sink';
import { createWebhookHandler, SECRET_REFRESH_MS } from '../../handlers/webhook';
import { ALLOWED_CHATS, loadFixtures } from '../support/fixtures';

const SECRET = 'test_Secret-0123456789abcdefXYZ';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const firehose = mockClient(FirehoseClient);
const fixtures = loadFixtures();

function event(body: string, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET }, method = 'POST', base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
    requestContext: { http: { method, path: '/webhook', protocol: 'HTTP/1.1', sourceIp: '149.154.167.220', userAgent: '' } },
  } as unknown as APIGatewayProxyEventV2;
}

function setup(allowed = ALLOWED_CHATS.join(',')) {
  const logger = memoryLogger('webhook');
  let secretReads = 0;
  const handler = createWebhookHandler({
    config: loadConfig({ ALLOWED_CHAT_IDS: allowed, CONTEXT_UTC_OFFSET: '-03:00' }),
    sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'raw-stream'),
    logger,
    loadSecret: async () => {
      secretReads += 1;
      return SECRET;
    },
    maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes,
    now: () => NOW,
  });
  return { handler, logger, secretReads: () => secretReads };
}

const putLines = (): string[] =>
  firehose.commandCalls(PutRecordCommand).map((c) => Buffer.from(c.args[0].input.Record!.Data!).toString('utf8'));

beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordCommand).resolves({ RecordId: 'r-1', Encrypted: true });
});

describe('webhook handler: every fixture', () => {
  it.each(fixtures.map((f) => [f.file, f] as const))('%s', async (_file, fixture) => {
    const { handler } = setup();
    const result = await handler(event(fixture.body));
    expect(result.statusCode).toBe(200);
    const lines = putLines();
    if (fixture.chat_id !== null && ALLOWED_CHATS.includes(fixture.chat_id)) {
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line.endsWith('}\n')).toBe(true);
      const envelope = JSON.parse(line);
      // The update inside the envelope is the body, byte for byte.
      const prefix = `{"received_at":${NOW},"context_date":"${envelope.context_date}","update":`;
      expect(line.startsWith(prefix)).toBe(true);
      expect(line.slice(prefix.length, -2)).toBe(fixture.body);
      const expectedDate = new Date((fixture.event_date !== null ? fixture.event_date * 1000 : NOW) - 3 * 3600_000).toISOString().slice(0, 10);
      expect(envelope.context_date).toBe(expectedDate);
    } else {
      expect(lines).toHaveLength(0);
    }
  });

  it('keeps the fixtures that matter: both allowed chats, another chat and chatless kinds', () => {
    const chats = new Set(fixtures.map((f) => f.chat_id));
    for (const id of ALLOWED_CHATS) expect(chats.has(id)).toBe(true);
    expect(fixtures.some((f) => f.chat_id !== null && !ALLOWED_CHATS.includes(f.chat_id))).toBe(true);
    expect(fixtures.some((f) => f.chat_id === null)).toBe(true);
  });
});

describe('webhook handler: answers (DESIGN.md, Webhook answers)', () => {
  const text = fixtures.find((f) => f.kind === 'message' && f.message_kind === 'text' && ALLOWED_CHATS.includes(f.chat_id!))!;

  it.each([
    ['missing', {}],
    ['wrong', { 'x-telegram-bot-api-secret-token': `${SECRET}x` }],
    ['empty', { 'x-telegram-bot-api-secret-token': '' }],
    ['prefix of', { 'x-telegram-bot-api-secret-token': SECRET.slice(0, -1) }],
  ])('401 for a %s secret, nothing stored', async (_name, headers) => {
    const { handler } = setup();
    const result = await handler(event(text.body, headers as Record<string, string>));
    expect(result.statusCode).toBe(401);
    expect(putLines()).toHaveLength(0);
  });

  it.each([1e13, 253_402_300_800, 1.5e9 + 0.5])('stores an update whose date (%d) names no calendar day, dated by its arrival', async (date) => {
    const { handler } = setup();
    const body = `{"update_id":77,"message":{"message_id":9,"date":${date},"chat":{"id":${ALLOWED_CHATS[0]},"type":"supergroup","title":"x"},"text":"hi"}}`;
    const result = await handler(event(body));
    expect(result.statusCode).toBe(200);
    const lines = putLines();
    expect(lines).toHaveLength(1);
    // Arrival 2026-06-01T12:00Z is 2026-06-01 at -03:00; the body stays as received.
    expect(lines[0]).toBe(`{"received_at":${NOW},"context_date":"2026-06-01","update":${body}}\n`);
  });

  it('takes a rotated secret: a wrong one reads the secret again, at most once per 30 s per container', async () => {
    let stored = SECRET;
    let reads = 0;
    let clock = NOW;
    const handler = createWebhookHandler({
      config: loadConfig({ ALLOWED_CHAT_IDS: ALLOWED_CHATS.join(','), CONTEXT_UTC_OFFSET: '-03:00' }),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'raw-stream'),
      logger: memoryLogger('webhook'),
      loadSecret: async () => {
        reads += 1;
        return stored;
      },
      now: () => clock,
    });
    const rotated = 'rotated_Secret-9876543210';
    const withSecret = (secret: string) => event(text.body, { 'x-telegram-bot-api-secret-token': secret });
    expect((await handler(withSecret(SECRET))).statusCode).toBe(200);
    expect(reads).toBe(1);
    stored = rotated; // put-secret-value, then set-webhook: Telegram now sends the new one
    expect((await handler(withSecret(rotated))).statusCode).toBe(200);
    expect(reads).toBe(2);
    expect((await handler(withSecret(SECRET))).statusCode).toBe(401); // the old one is gone
    expect((await handler(withSecret('probe'))).statusCode).toBe(401);
    expect(reads).toBe(2); // no read again within 30 s, however many wrong secrets
    clock += SECRET_REFRESH_MS;
    expect((await handler(withSecret('probe'))).statusCode).toBe(401);
    expect(reads).toBe(3);
    expect((await handler(withSecret(rotated))).statusCode).toBe(200);
    expect(putLines()).toHaveLength(3);
  });

  it('reads the secret header case-insensitively', async () => {
    const { handler } = setup();
    expect((await handler(event(text.body, { 'X-Telegram-Bot-Api-Secret-Token': SECRET }))).statusCode).toBe(200);
    expect((await handler(event(text.body, { 'X-TELEGRAM-BOT-API-SECRET-TOKEN': SECRET }))).statusCode).toBe(200);
    expect(putLines()).toHaveLength(2);
  });

  it('405 for anything but POST', async () => {
    const { handler } = setup();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const result = (await handler(event(text.body, undefined, method))) as { statusCode: number; headers: Record<string, string> };
      expect(result.statusCode).toBe(405);
      expect(result.headers.allow).toBe('POST');
    }
    expect(putLines()).toHaveLength(0);
  });

  it('200 and stored as unparsed for an invalid body with a valid secret', async () => {
    const { handler, logger } = setup();
    for (const body of ['not json', '{"no_update_id":true}', '']) {
      expect((await handler(event(body))).statusCode).toBe(200);
    }
    const stored = putLines().map((l) => JSON.parse(l));
    expect(stored.map((s) => s.unparsed)).toEqual(['not json', '{"no_update_id":true}', '']);
    expect(stored.every((s) => s.context_date === '2026-06-01' && s.received_at === NOW)).toBe(true);
    expect(logger.lines.filter((l) => l.outcome === 'stored_unparsed')).toHaveLength(3);
  });

  it('decodes base64 bodies (API Gateway binary mode)', async () => {
    const { handler } = setup();
    expect((await handler(event(text.body, undefined, 'POST', true))).statusCode).toBe(200);
    expect(putLines()[0]).toContain(text.body);
  });

  it('200 and dropped (counted) for a chat not allowed and for a chatless update', async () => {
    const { handler, logger } = setup('-1001987654321');
    const other = fixtures.find((f) => f.chat_id === -4055512345)!;
    const chatless = fixtures.find((f) => f.chat_id === null)!;
    expect((await handler(event(other.body))).statusCode).toBe(200);
    expect((await handler(event(chatless.body))).statusCode).toBe(200);
    expect(putLines()).toHaveLength(0);
    // The first update of a chat not allowed is also logged once, with its id, for the operator.
    expect(logger.lines.filter((l) => l.event === 'chat_not_allowed')).toHaveLength(1);
    expect(logger.lines.find((l) => l.event === 'chat_not_allowed')).toMatchObject({ level: 'warn', chat_id: expect.any(Number) });
    const requests = logger.lines.filter((l) => l.outcome !== undefined);
    expect(requests.map((l) => l.outcome)).toEqual(['dropped_chat_not_allowed', 'dropped_no_chat']);
    expect(requests[0]).toMatchObject({ Updates: 1, Outcome: 'dropped_chat_not_allowed' });
  });

  it('every chatless kind is dropped and counted by kind: a DroppedNoChat metric with its Kind dimension', async () => {
    const { handler, logger } = setup();
    const chatless = fixtures.filter((f) => f.chat_id === null);
    // poll_answer (a user's and a chat's vote), inline queries, payments, paid media, a callback on an inline message, ...
    expect(new Set(chatless.map((f) => f.kind))).toEqual(
      new Set(['inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query', 'purchased_paid_media', 'poll', 'poll_answer', 'managed_bot', 'subscription']),
    );
    for (const f of chatless) expect((await handler(event(f.body))).statusCode).toBe(200);
    expect(putLines()).toHaveLength(0);
    const dropped = logger.lines.filter((l) => l.event === 'dropped_no_chat');
    expect(dropped.map((l) => l.Kind)).toEqual(chatless.map((f) => f.kind));
    expect(dropped.map((l) => l.update_id)).toEqual(chatless.map((f) => f.update_id));
    for (const l of dropped) {
      expect(l).toMatchObject({ DroppedNoChat: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'TelegramPipeline', Dimensions: [['Kind']], Metrics: [{ Name: 'DroppedNoChat', Unit: 'Count' }] }] } });
    }
    // The request lines say the outcome and the kind too.
    expect(logger.lines.filter((l) => l.outcome === 'dropped_no_chat').map((l) => l.update_kind)).toEqual(chatless.map((f) => f.kind));
  });

  it('a body with only update_id and a forged kind name: dropped as no chat, the metric dimension kept to known shapes', async () => {
    const { handler, logger } = setup();
    await handler(event('{"update_id":1}'));
    await handler(event('{"update_id":2,"Weird Kind!":{"x":1}}'));
    expect(putLines()).toHaveLength(0);
    expect(logger.lines.filter((l) => l.event === 'dropped_no_chat').map((l) => [l.update_kind, l.Kind])).toEqual([
      ['(none)', '(none)'],
      ['Weird Kind!', 'other'],
    ]);
  });

  it('several allowed chats', async () => {
    const { handler } = setup(`${ALLOWED_CHATS.join(',')},42`);
    for (const id of ALLOWED_CHATS) {
      const f = fixtures.find((x) => x.chat_id === id)!;
      expect((await handler(event(f.body))).statusCode).toBe(200);
    }
    expect(putLines()).toHaveLength(2);
  });

  it('503 when Firehose fails or throttles, so Telegram retries', async () => {
    const { handler, logger } = setup();
    firehose.on(PutRecordCommand).rejects(new ServiceUnavailableException({ message: 'Slow down.', $metadata: {} }));
    const result = await handler(event(text.body));
    expect(result.statusCode).toBe(503);
    expect(logger.lines.at(-1)).toMatchObject({ outcome: 'sink_failed', Outcome: 'sink_failed' });
    firehose.on(PutRecordCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expect((await handler(event(text.body))).statusCode).toBe(503);
  });

  it('200 and logged when an update is larger than a Firehose record can be', async () => {
    const { handler, logger } = setup();
    const big = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1780000000, chat: { id: ALLOWED_CHATS[0], type: 'supergroup' }, text: 'x'.repeat(FIREHOSE_LIMITS.maxRecordBytes) } });
    expect((await handler(event(big))).statusCode).toBe(200);
    expect(putLines()).toHaveLength(0);
    expect(logger.lines.some((l) => l.event === 'oversized')).toBe(true);
  });

  it('reads the secret once per container, and again after a failed read', async () => {
    const logger = memoryLogger();
    let calls = 0;
    const handler = createWebhookHandler({
      config: loadConfig({ ALLOWED_CHAT_IDS: ALLOWED_CHATS.join(',') }),
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 's'),
      logger,
      loadSecret: async () => {
        calls += 1;
        if (calls === 1) throw new Error('extension not ready');
        return SECRET;
      },
    });
    expect((await handler(event(text.body))).statusCode).toBe(503);
    for (let i = 0; i < 3; i += 1) expect((await handler(event(text.body))).statusCode).toBe(200);
    expect(calls).toBe(2);
  });

  it('logs an error naming the new chat id when an allowed group migrates, on both sides of the migration', async () => {
    const { handler, logger } = setup();
    const to = fixtures.find((f) => (f.update.message as Record<string, unknown> | undefined)?.migrate_to_chat_id !== undefined)!;
    const from = fixtures.find((f) => (f.update.message as Record<string, unknown> | undefined)?.migrate_from_chat_id !== undefined)!;
    const newId = (to.update.message as { migrate_to_chat_id: number }).migrate_to_chat_id;
    await handler(event(to.body));
    await handler(event(from.body));
    const errors = logger.lines.filter((l) => l.event === 'chat_migrated');
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatchObject({ level: 'error', new_chat_id: newId });
    expect(logger.lines.filter((l) => l.ChatMigrated === 1)).toHaveLength(2);
  });

  it('one log line per request with outcome, kind, chat and latency; never the secret or message text', async () => {
    const { handler, logger } = setup();
    for (const f of fixtures) await handler(event(f.body));
    await handler(event(text.body, { 'x-telegram-bot-api-secret-token': 'wrong' }));
    const requestLines = logger.lines.filter((l) => l.message === 'webhook request');
    expect(requestLines).toHaveLength(fixtures.length + 1);
    for (const l of requestLines) {
      expect(typeof l.outcome).toBe('string');
      expect(typeof l.latency_ms).toBe('number');
    }
    const all = JSON.stringify(logger.lines);
    expect(all).not.toContain(SECRET);
    for (const f of fixtures) {
      const t = (f.update.message as { text?: string } | undefined)?.text;
      if (t && t.length > 12) expect(all).not.toContain(JSON.stringify(t).slice(1, -1));
    }
  });
});

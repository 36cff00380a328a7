/**
 * The watchdog's daily member-count task: getChatMemberCount from a real HTTP server playing Telegram on
 * 127.0.0.1, each answer put through Firehose (aws-sdk-client-mock) as a `sample` raw record. A chat
 * answering an error is skipped and logged; records a PutRecordBatch refuses are re-sent.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { memoryLogger } from '../../core/log';
import { parseRawLine } from '../../core/raw-records';
import { createWatchdogHandler, handler, SAMPLE_PUT_ATTEMPTS } from '../../handlers/watchdog';
import { startTelegramStandIn, type TelegramStandIn } from '../local/support/telegram-standin';

const TOKEN = '42:AAE_secret-part';
// 2026-03-01 02:30 UTC: still 2026-02-28 at -03:00, the day the sample must land in.
const NOW = Date.UTC(2026, 2, 1, 2, 30, 0);
let telegram: TelegramStandIn;
const firehose = mockClient(FirehoseClient);

beforeAll(async () => {
  telegram = await startTelegramStandIn(TOKEN);
  telegram.chats.set(-1001, 1234);
  telegram.chats.set(-1003, 56);
  telegram.chats.set(-1002, { error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' });
});
afterAll(() => telegram.close());
afterEach(() => firehose.reset());

const sentLines = (): string[] =>
  firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => (c.args[0].input.Records ?? []).map((r) => new TextDecoder().decode(r.Data as Uint8Array)));

describe('watchdog member-count task', () => {
  const deps = (logger = memoryLogger('watchdog')) => ({
    loadToken: async () => TOKEN,
    logger,
    apiBase: telegram.base,
    now: () => NOW,
    memberCounts: { sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1' }), 'raw-stream'), chatIds: new Set([-1001, -1002, -1003]), zone: -180 },
  });

  it('samples every allowed chat, skips and logs the one Telegram refuses, re-sends what a batch refused', async () => {
    // The first batch loses its second record (Firehose's partial failure); the re-sent one goes in.
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        Encrypted: false,
        RequestResponses: [{ RecordId: 'r1' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
      })
      .resolves({ FailedPutCount: 0, Encrypted: false, RequestResponses: [{ RecordId: 'r2' }] });
    const logger = memoryLogger('watchdog');
    const result = await createWatchdogHandler(deps(logger))({ task: 'member_count' });
    expect(result).toEqual({ status: 'ok', memberCounts: { stored: 2, failed: 1, notStored: 0 } });

    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.args[0].input.DeliveryStreamName === 'raw-stream')).toBe(true);
    const [first, again] = [sentLines().slice(0, 2), sentLines().slice(2)];
    expect(again).toEqual([first[1]]);
    // Each record is the raw contract's `sample` kind, dated by the offset's day.
    const records = first.map((l) => {
      expect(l.endsWith('\n')).toBe(true);
      return JSON.parse(l) as Record<string, unknown>;
    });
    expect(records).toEqual([
      { received_at: NOW, context_date: '2026-02-28', sample: { kind: 'member_count', chat_id: -1001, count: 1234, at: NOW / 1000 } },
      { received_at: NOW, context_date: '2026-02-28', sample: { kind: 'member_count', chat_id: -1003, count: 56, at: NOW / 1000 } },
    ]);
    expect(first.map((l) => parseRawLine(l.trimEnd()))).toMatchObject([{ ok: true, sample: { chat_id: -1001 } }, { ok: true, sample: { chat_id: -1003 } }]);

    expect(telegram.calls.filter((c) => c.method === 'getChatMemberCount').map((c) => c.chat_id)).toEqual(expect.arrayContaining([-1001, -1002, -1003]));
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', event: 'member_count_failed', chat_id: -1002, error: expect.stringContaining('403 Forbidden: bot was kicked') }));
    expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'member_count_put_partial', attempt: 1, errors: ['ServiceUnavailableException: Slow down.'] }));
    expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'member_count_stored', MemberCountSamples: 2, MemberCountFailures: 1 }));
    expect(JSON.stringify(logger.lines)).not.toContain('secret-part');
  });

  it('gives up after a few refused batches: counted and logged as an error, the run does not crash', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: input.Records.length,
      Encrypted: false,
      RequestResponses: input.Records.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' })),
    }));
    const logger = memoryLogger('watchdog');
    const result = await createWatchdogHandler(deps(logger))({ task: 'member_count' });
    expect(result.memberCounts).toEqual({ stored: 0, failed: 1, notStored: 2 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(SAMPLE_PUT_ATTEMPTS);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', event: 'member_count_stored', not_stored: 2 }));
  });

  it('the 5-minute event still checks the webhook, not the member counts', async () => {
    const logger = memoryLogger('watchdog');
    // The stand-in answers only getChatMemberCount: getWebhookInfo is refused, so the check fails loudly.
    await expect(createWatchdogHandler(deps(logger))({})).rejects.toThrow(/getWebhookInfo: 404/);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('production handler: token from Secrets Manager, chats and offset from the environment, records to DELIVERY_STREAM_NAME', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'arn:bot' }).resolves({ SecretString: TOKEN });
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, Encrypted: false, RequestResponses: [{ RecordId: 'a' }] });
    Object.assign(process.env, { BOT_TOKEN_SECRET_ARN: 'arn:bot', TELEGRAM_API_BASE: telegram.base, DELIVERY_STREAM_NAME: 'prod-stream', ALLOWED_CHAT_IDS: '-1001', CONTEXT_UTC_OFFSET: '+00:00' });
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await expect(handler({ task: 'member_count' })).resolves.toEqual({ status: 'ok', memberCounts: { stored: 1, failed: 0, notStored: 0 } });
    } finally {
      process.stdout.write = original;
      sm.restore();
    }
    const [call] = firehose.commandCalls(PutRecordBatchCommand);
    expect(call!.args[0].input.DeliveryStreamName).toBe('prod-stream');
    expect(JSON.parse(sentLines()[0]!)).toMatchObject({ sample: { kind: 'member_count', chat_id: -1001, count: 1234 } });
  });
});

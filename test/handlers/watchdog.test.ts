/** Watchdog Lambda: getWebhookInfo from a local server playing Telegram -> EMF metrics in the log line. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/log';
import { createWatchdogHandler, handler, tokenFromSecretString } from '../../handlers/watchdog';

const TOKEN = '42:AAE_secret-part';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
let server: Server;
let base: string;
let info: Record<string, unknown> = {};
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url === `/bot${TOKEN}/getWebhookInfo`) res.end(JSON.stringify({ ok: true, result: info }));
    else {
      res.statusCode = 401;
      res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('watchdog', () => {
  it('publishes pending updates, seconds since the last error and whether the webhook is ours', async () => {
    info = { url: 'https://x/webhook', pending_update_count: 17, last_error_date: NOW / 1000 - 125, last_error_message: 'Wrong response from the webhook: 503 Service Unavailable' };
    const logger = memoryLogger('watchdog');
    const run = createWatchdogHandler({ loadToken: async () => TOKEN, logger, apiBase: base, expectedUrl: 'https://x/webhook', now: () => NOW });
    const result = await run();
    expect(result).toEqual({ status: 'ok', pendingUpdateCount: 17, secondsSinceLastError: 125, webhookRegistered: true });
    const line = logger.lines.at(-1)!;
    expect(line).toMatchObject({ PendingUpdateCount: 17, SecondsSinceLastError: 125, WebhookRegistered: 1, bot_id: '42' });
    const emf = (line._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!;
    expect(emf.Namespace).toBe('TelegramPipeline');
    expect(emf.Dimensions).toEqual([[]]);
    expect(emf.Metrics).toEqual([
      { Name: 'PendingUpdateCount', Unit: 'Count' },
      { Name: 'WebhookRegistered', Unit: 'Count' },
      { Name: 'SecondsSinceLastError', Unit: 'Seconds' },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('secret-part');
  });

  it('omits SecondsSinceLastError when Telegram reports no error, and flags a webhook pointing elsewhere', async () => {
    info = { url: 'https://elsewhere/webhook', pending_update_count: 0 };
    const logger = memoryLogger('watchdog');
    const result = await createWatchdogHandler({ loadToken: async () => TOKEN, logger, apiBase: base, expectedUrl: 'https://x/webhook', now: () => NOW })();
    expect(result).toEqual({ status: 'ok', pendingUpdateCount: 0, secondsSinceLastError: undefined, webhookRegistered: false });
    expect(logger.lines.at(-1)).not.toHaveProperty('SecondsSinceLastError');
    expect(logger.lines.at(-1)).toMatchObject({ WebhookRegistered: 0 });
  });

  it('ends cleanly with a warning while the bot token is not set', async () => {
    const logger = memoryLogger('watchdog');
    const before = paths.length;
    const result = await createWatchdogHandler({ loadToken: async () => undefined, logger, apiBase: base })();
    expect(result).toEqual({ status: 'token_not_set' });
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', event: 'token_not_set' })]);
    expect(paths.length).toBe(before);
  });

  it('fails (so the Errors alarm counts it) on a wrong token, without the token in the message', async () => {
    const logger = memoryLogger('watchdog');
    const run = createWatchdogHandler({ loadToken: async () => '42:wrong_token', logger, apiBase: base });
    await expect(run()).rejects.toThrow(/getWebhookInfo: 401 Unauthorized/);
    await expect(run()).rejects.not.toThrow(/wrong_token/);
  });

  it('reads the token from the placeholder JSON, JSON or bare form', () => {
    expect(tokenFromSecretString('{"token":""}')).toBeUndefined();
    expect(tokenFromSecretString('')).toBeUndefined();
    expect(tokenFromSecretString(`{"token":"${TOKEN}"}`)).toBe(TOKEN);
    expect(tokenFromSecretString(` ${TOKEN}\n`)).toBe(TOKEN);
  });

  it('production handler reads the secret named by BOT_TOKEN_SECRET_ARN', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'arn:bot' }).resolves({ SecretString: TOKEN });
    info = { url: 'https://x/webhook', pending_update_count: 2 };
    Object.assign(process.env, { BOT_TOKEN_SECRET_ARN: 'arn:bot', TELEGRAM_API_BASE: base, EXPECTED_WEBHOOK_URL: 'https://x/webhook' });
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await expect(handler()).resolves.toMatchObject({ status: 'ok', pendingUpdateCount: 2, webhookRegistered: true });
    } finally {
      process.stdout.write = original;
      sm.restore();
    }
    expect(writes.join('')).toContain('"PendingUpdateCount":2');
  });
});

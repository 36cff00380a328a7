/**
 * Watchdog Lambda (every 5 minutes): asks Telegram `getWebhookInfo` and publishes what it says as metrics,
 * because Telegram keeps undelivered updates for 24 h only and says so nowhere else:
 * - `PendingUpdateCount`: updates waiting for the webhook (grows when deliveries fail);
 * - `SecondsSinceLastError`: age of Telegram's last delivery error (only when there is one);
 * - `WebhookRegistered`: 1 when the webhook points at this stack's URL, else 0 (deleted or moved).
 * The bot token is read from Secrets Manager at each run, so a token set after deploying is picked up;
 * while it is not set the run logs a warning and ends cleanly.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger, type Logger } from '../core/log';
import { emfFields } from '../core/metrics';
import { TelegramApi, type WebhookInfo } from '../core/telegram-api';

export interface WatchdogDeps {
  /** Resolves the bot token, or undefined when it has not been set yet. */
  readonly loadToken: () => Promise<string | undefined>;
  readonly logger: Logger;
  readonly apiBase?: string;
  /** The URL the webhook should point at (this stack's); compared with Telegram's. */
  readonly expectedUrl?: string;
  readonly now?: () => number;
  readonly fetchImpl?: typeof fetch;
}

export interface WatchdogResult {
  readonly status: 'ok' | 'token_not_set';
  readonly pendingUpdateCount?: number;
  readonly secondsSinceLastError?: number;
  readonly webhookRegistered?: boolean;
}

/** The token as stored: bare (`put-secret-value --secret-string 123:AA...`) or JSON `{"token": "..."}`. */
export function tokenFromSecretString(secretString: string | undefined): string | undefined {
  const trimmed = (secretString ?? '').trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const token = parsed.token ?? parsed.bot_token;
    return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
  }
  return trimmed;
}

export function createWatchdogHandler(deps: WatchdogDeps) {
  const now = deps.now ?? Date.now;
  return async (): Promise<WatchdogResult> => {
    const token = await deps.loadToken();
    if (!token) {
      deps.logger.warn('the bot token is not set yet: nothing to check (aws secretsmanager put-secret-value, see the README)', {
        event: 'token_not_set',
      });
      return { status: 'token_not_set' };
    }
    const api = new TelegramApi(token, { baseUrl: deps.apiBase, fetchImpl: deps.fetchImpl });
    const info: WebhookInfo = await api.getWebhookInfo();
    const nowMs = now();
    const secondsSinceLastError = info.last_error_date ? Math.max(0, Math.round(nowMs / 1000 - info.last_error_date)) : undefined;
    const webhookRegistered = deps.expectedUrl ? info.url === deps.expectedUrl : info.url !== '';
    deps.logger.info('telegram webhook info', {
      event: 'webhook_info',
      bot_id: api.botId,
      url_matches: webhookRegistered,
      pending_update_count: info.pending_update_count,
      last_error_date: info.last_error_date,
      // Telegram's own words about the last failed delivery (e.g. "Wrong response from the webhook: 503").
      last_error_message: info.last_error_message,
      max_connections: info.max_connections,
      ...emfFields(
        {
          PendingUpdateCount: { value: info.pending_update_count, unit: 'Count' },
          WebhookRegistered: { value: webhookRegistered ? 1 : 0, unit: 'Count' },
          ...(secondsSinceLastError !== undefined ? { SecondsSinceLastError: { value: secondsSinceLastError, unit: 'Seconds' } } : {}),
        },
        {},
        nowMs,
      ),
    });
    return { status: 'ok', pendingUpdateCount: info.pending_update_count, secondsSinceLastError, webhookRegistered };
  };
}

let production: ReturnType<typeof createWatchdogHandler> | undefined;

function productionHandler(): ReturnType<typeof createWatchdogHandler> {
  const secretArn = process.env.BOT_TOKEN_SECRET_ARN;
  if (!secretArn) throw new Error('BOT_TOKEN_SECRET_ARN is not set');
  const client = new SecretsManagerClient({});
  return createWatchdogHandler({
    logger: createLogger({ service: 'watchdog' }),
    apiBase: process.env.TELEGRAM_API_BASE || undefined,
    expectedUrl: process.env.EXPECTED_WEBHOOK_URL || undefined,
    loadToken: async () => {
      const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return tokenFromSecretString(secret.SecretString);
    },
  });
}

export const handler = (): Promise<WatchdogResult> => {
  production ??= productionHandler();
  return production();
};

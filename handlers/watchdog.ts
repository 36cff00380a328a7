/**
 * Watchdog Lambda (every 5 minutes): asks Telegram `getWebhookInfo` and publishes what it says as metrics,
 * because Telegram keeps undelivered updates for 24 h only and says so nowhere else:
 * - `PendingUpdateCount`: updates waiting for the webhook (grows when deliveries fail);
 * - `SecondsSinceLastError`: age of Telegram's last delivery error (only when there is one);
 * - `WebhookRegistered`: 1 when the webhook points at this stack's URL, else 0 (deleted or moved).
 * The bot token is read from Secrets Manager at each run, so a token set after deploying is picked up;
 * while it is not set the run logs a warning and ends cleanly.
 *
 * Once a day (its own schedule, event `{"task":"member_count"}`) it samples `getChatMemberCount` for every
 * allowed chat instead and puts each answer through Firehose as a `sample` raw record, like the webhook's
 * envelopes, so the counts land in the raw bucket by their day and the enrichment makes them
 * `telegram_events` rows (core/member-count.ts). A chat whose answer is an error is skipped and logged;
 * records Firehose refuses in a PutRecordBatch are re-sent, the rest logged and counted.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FirehoseSink } from '../adapters/aws/firehose-sink';
import { loadConfig } from '../core/config';
import type { DayZone } from '../core/context-date';
import { createLogger, type Logger } from '../core/log';
import { sampleMemberCounts } from '../core/member-count';
import { emfFields } from '../core/metrics';
import { TelegramApi, type WebhookInfo } from '../core/telegram-api';
import type { RecordSink } from '../ports/record-sink';

/** The daily schedule's event: sample the member counts (the 5-minute schedule sends EventBridge's own event). */
export interface WatchdogEvent {
  readonly task?: string;
}

export const MEMBER_COUNT_TASK = 'member_count';

/** PutRecordBatch calls per run at most: a refused record is re-sent this many times in all. */
export const SAMPLE_PUT_ATTEMPTS = 3;

export interface MemberCountDeps {
  readonly sink: RecordSink;
  readonly chatIds: ReadonlySet<number>;
  readonly zone: DayZone;
}

export interface WatchdogDeps {
  /** Resolves the bot token, or undefined when it has not been set yet. */
  readonly loadToken: () => Promise<string | undefined>;
  readonly logger: Logger;
  readonly apiBase?: string;
  /** The URL the webhook should point at (this stack's); compared with Telegram's. */
  readonly expectedUrl?: string;
  readonly now?: () => number;
  readonly fetchImpl?: typeof fetch;
  /** Where member-count samples go (Firehose) and for which chats; without it the task is refused. */
  readonly memberCounts?: MemberCountDeps;
}

export interface WatchdogResult {
  readonly status: 'ok' | 'token_not_set';
  readonly pendingUpdateCount?: number;
  readonly secondsSinceLastError?: number;
  readonly webhookRegistered?: boolean;
  /** The member-count task: chats sampled and stored, chats whose answer was an error, samples Firehose kept refusing. */
  readonly memberCounts?: { readonly stored: number; readonly failed: number; readonly notStored: number };
}

/** Puts lines through the sink, re-sending the ones a batch refused; returns how many never went in. */
async function putAll(sink: RecordSink, lines: readonly string[], logger: Logger): Promise<number> {
  let pending = [...lines];
  for (let attempt = 1; attempt <= SAMPLE_PUT_ATTEMPTS && pending.length > 0; attempt += 1) {
    try {
      const { failed, errors } = await sink.putBatch(pending);
      if (failed.length > 0) logger.warn(`Firehose refused ${failed.length} of ${pending.length} member-count samples (attempt ${attempt})`, { event: 'member_count_put_partial', attempt, errors: [...new Set(errors)] });
      pending = failed.map((i) => pending[i]!);
    } catch (error) {
      logger.warn(`Firehose PutRecordBatch failed (attempt ${attempt})`, { event: 'member_count_put_partial', attempt, errors: [(error as Error).message] });
    }
  }
  return pending.length;
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
  return async (event?: WatchdogEvent): Promise<WatchdogResult> => {
    const token = await deps.loadToken();
    if (!token) {
      deps.logger.warn('the bot token is not set yet: nothing to check (aws secretsmanager put-secret-value, see the README)', {
        event: 'token_not_set',
      });
      return { status: 'token_not_set' };
    }
    const api = new TelegramApi(token, { baseUrl: deps.apiBase, fetchImpl: deps.fetchImpl });
    if (event?.task === MEMBER_COUNT_TASK) {
      const target = deps.memberCounts;
      if (!target) throw new Error('member-count task without a delivery stream (DELIVERY_STREAM_NAME)');
      const run = await sampleMemberCounts({ api, chatIds: target.chatIds, zone: target.zone, logger: deps.logger, now });
      const notStored = run.lines.length ? await putAll(target.sink, run.lines, deps.logger) : 0;
      const stored = run.lines.length - notStored;
      const fields = {
        event: 'member_count_stored',
        stored,
        failed: run.failed.length,
        not_stored: notStored,
        ...emfFields(
          { MemberCountSamples: { value: stored, unit: 'Count' }, MemberCountFailures: { value: run.failed.length + notStored, unit: 'Count' } },
          {},
          now(),
        ),
      };
      if (notStored > 0) deps.logger.error(`${notStored} member-count samples not stored after ${SAMPLE_PUT_ATTEMPTS} attempts (the next day's run samples again)`, fields);
      else deps.logger.info(`${stored} member-count samples put on the delivery stream`, fields);
      if (target.chatIds.size === 0) deps.logger.warn('no allowed chats (ALLOWED_CHAT_IDS): no member counts to sample', { event: 'member_count_no_chats' });
      return { status: 'ok', memberCounts: { stored, failed: run.failed.length, notStored } };
    }
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
  const streamName = process.env.DELIVERY_STREAM_NAME;
  const config = loadConfig(process.env);
  return createWatchdogHandler({
    logger: createLogger({ service: 'watchdog' }),
    apiBase: process.env.TELEGRAM_API_BASE || undefined,
    expectedUrl: process.env.EXPECTED_WEBHOOK_URL || undefined,
    memberCounts: streamName ? { sink: new FirehoseSink(new FirehoseClient({}), streamName), chatIds: config.allowedChatIds, zone: config.utcOffsetMinutes } : undefined,
    loadToken: async () => {
      const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return tokenFromSecretString(secret.SecretString);
    },
  });
}

export const handler = (event?: WatchdogEvent): Promise<WatchdogResult> => {
  production ??= productionHandler();
  return production(event);
};

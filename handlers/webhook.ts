/**
 * Webhook Lambda (API Gateway HTTP API, payload v2): Telegram update -> raw envelope -> Firehose.
 * Clients and the secret live at container scope, so a warm invocation is one PutRecord.
 */
import { isUtf8 } from 'node:buffer';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig, type PipelineConfig } from '../core/config';
import { createLogger, type Logger } from '../core/log';
import { emfFields } from '../core/metrics';
import { NO_KIND } from '../core/no-chat';
import { handleWebhook, WEBHOOK_PATH, webhookLogFields, type WebhookDeps, type WebhookPrivacy } from '../core/webhook';
import { boundedRequests } from '../adapters/aws/bounded-requests';
import { FIREHOSE_LIMITS, FirehoseSink } from '../adapters/aws/firehose-sink';
import { readSecretStringViaExtension, readSecretViaExtension } from '../adapters/aws/secrets-extension';
import { readSecretStringViaSdk, readSecretViaSdk } from '../adapters/aws/secrets-sdk';
import type { DataMode } from '../core/privacy/data-mode';
import { RefreshingOptOut } from '../core/privacy/optout';
import { createPseudonymizer, type Pseudonymizer } from '../core/privacy/pseudonym';
import type { RecordSink } from '../ports/record-sink';

export interface WebhookHandlerDeps {
  readonly config: PipelineConfig;
  readonly sink: RecordSink;
  readonly logger: Logger;
  /** Resolves the webhook secret; called once per container and cached. */
  readonly loadSecret: () => Promise<string>;
  readonly maxRecordBytes?: number;
  readonly now?: () => number;
  /** Data mode, pseudonym key and opt-out list (core/privacy); absent: full, nobody opted out. */
  readonly privacy?: {
    readonly mode: DataMode;
    /** Reads the pseudonym key (once per container; needed in `pseudonymous` mode). */
    readonly loadPseudonymKey?: () => Promise<string>;
    /** The opt-out list, read again when stale (at most once a minute per container). */
    readonly optOut?: RefreshingOptOut;
  };
}

/** How often a container reads the opt-out list again (the extension's cache adds up to a minute). */
export const OPTOUT_REFRESH_MS = 60_000;

const NOT_FOUND_BODY = JSON.stringify({ ok: false, message: `not found: POST updates to ${WEBHOOK_PATH}` });

/**
 * Where secrets are read (WEBHOOK_SECRET_SOURCE, set by the stack per region; infra/secrets-access.ts):
 * the extension, or the SDK where no arm64 extension layer is published. `token` reads the webhook
 * secret's token, `string` any secret's SecretString (the pseudonym key, the opt-out list).
 */
export function secretReader(env: NodeJS.ProcessEnv): { token: (arn: string) => Promise<string>; string: (arn: string, what: string) => Promise<string> } {
  const source = env.WEBHOOK_SECRET_SOURCE ?? 'extension';
  if (source === 'extension') return { token: (arn) => readSecretViaExtension(arn), string: (arn, what) => readSecretStringViaExtension(arn, {}, what) };
  if (source === 'sdk') return { token: (arn) => readSecretViaSdk(arn), string: (arn, what) => readSecretStringViaSdk(arn, what) };
  throw new Error(`WEBHOOK_SECRET_SOURCE="${source}": expected extension or sdk`);
}

/**
 * The `Kind` dimension of DroppedNoChat: an update kind's name as the Bot API spells them; anything else
 * (a forged body sent with the right secret) is `other`, so the metric's dimensions stay few.
 */
export const metricKind = (kind: string | undefined): string => (kind !== undefined && /^[a-z][a-z_]{0,63}$/.test(kind) ? kind : kind === NO_KIND ? kind : 'other');

/** How often a container may read the secret again after a request with a wrong one. */
export const SECRET_REFRESH_MS = 30_000;

/** Builds a handler around its dependencies (tests pass their own; production uses `handler`). */
export function createWebhookHandler(deps: WebhookHandlerDeps) {
  let secret: Promise<string> | undefined;
  let lastRefresh = -Infinity;
  const secretOnce = (): Promise<string> => {
    // A failed read is not cached: the next invocation tries again.
    secret ??= deps.loadSecret().catch((error) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };
  /**
   * After a rotation (put-secret-value, then set-webhook) Telegram sends the new secret to containers
   * holding the old one: a wrong secret reads it again, at most once per SECRET_REFRESH_MS per container
   * (so probing cannot hammer Secrets Manager). Resolves to the secret if it changed.
   */
  const refreshedSecret = async (current: string): Promise<string | undefined> => {
    const now = (deps.now ?? Date.now)();
    if (now - lastRefresh < SECRET_REFRESH_MS) return undefined;
    lastRefresh = now;
    secret = undefined;
    try {
      const fresh = await secretOnce();
      return fresh !== current ? fresh : undefined;
    } catch {
      return undefined; // keep answering with what the container had; the next refresh tries again
    }
  };

  let pseudonymizer: Promise<Pseudonymizer | undefined> | undefined;
  const pseudonymizerOnce = (): Promise<Pseudonymizer | undefined> => {
    const load = deps.privacy?.loadPseudonymKey;
    if (deps.privacy?.mode !== 'pseudonymous' || !load) return Promise.resolve(undefined);
    pseudonymizer ??= load()
      .then(createPseudonymizer)
      .catch((error) => {
        pseudonymizer = undefined;
        throw error;
      });
    return pseudonymizer;
  };
  const privacyOf = async (): Promise<WebhookPrivacy | undefined> => {
    const p = deps.privacy;
    if (!p) return undefined;
    if (p.optOut?.stale) await p.optOut.refresh();
    const pseudonymize = await pseudonymizerOnce();
    if (p.mode === 'pseudonymous' && !pseudonymize) throw new Error('pseudonymous mode without a pseudonym key (PSEUDONYM_KEY_SECRET_ARN)');
    return { mode: p.mode, pseudonymize, optedOut: p.optOut?.current };
  };

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const started = performance.now();
    // Behind API Gateway only POST/ANY /webhook reaches the Lambda; a function URL passes every path.
    if (event.rawPath !== undefined && event.rawPath !== WEBHOOK_PATH) {
      deps.logger.info('webhook request', { outcome: 'not_found', status: 404 });
      return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: NOT_FOUND_BODY };
    }
    // Base64 bodies are bytes: ones that are not UTF-8 are kept as unparsed (as the local server does). A
    // text body was decoded by the platform before it got here, so it is valid UTF-8 by construction.
    const bytes = event.body !== undefined && event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
    const body = event.body === undefined ? '' : bytes ? bytes.toString('utf8') : event.body;
    const invalidUtf8 = bytes !== undefined && !isUtf8(bytes);
    let webhookSecret: string;
    try {
      webhookSecret = await secretOnce();
    } catch (error) {
      deps.logger.error('cannot read the webhook secret: answering 503 so Telegram retries', { event: 'secret_unavailable', error: (error as Error).message });
      return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: '{"ok":false,"message":"temporarily unavailable"}' };
    }
    let privacy: WebhookPrivacy | undefined;
    try {
      privacy = await privacyOf();
    } catch (error) {
      // Storing the update unredacted is not an option: Telegram retries a 503.
      deps.logger.error('cannot read the pseudonym key: answering 503 so Telegram retries', { event: 'pseudonym_key_unavailable', error: (error as Error).message });
      return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: '{"ok":false,"message":"temporarily unavailable"}' };
    }
    const webhookDeps: WebhookDeps = {
      privacy,
      secret: webhookSecret,
      allowedChatIds: deps.config.allowedChatIds,
      utcOffsetMinutes: deps.config.utcOffsetMinutes,
      sink: deps.sink,
      logger: deps.logger,
      maxRecordBytes: deps.maxRecordBytes,
      now: deps.now,
    };
    const request = { method: event.requestContext?.http?.method ?? 'POST', headers: event.headers, body, invalidUtf8 };
    let result = await handleWebhook(request, webhookDeps);
    if (result.outcome === 'unauthorized') {
      const fresh = await refreshedSecret(webhookSecret);
      if (fresh !== undefined) result = await handleWebhook(request, { ...webhookDeps, secret: fresh });
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    deps.logger.info('webhook request', {
      ...webhookLogFields(result),
      latency_ms: latencyMs,
      ...emfFields(
        {
          Updates: { value: 1, unit: 'Count' },
          WebhookLatency: { value: latencyMs, unit: 'Milliseconds' },
          ...(result.migratedToChatId !== undefined ? { ChatMigrated: { value: 1, unit: 'Count' } } : {}),
        },
        { Outcome: result.outcome },
      ),
    });
    if (result.outcome === 'dropped_no_chat') {
      // Counted by kind (poll_answer, inline_query, ...): the Updates metric alone would only say how many.
      deps.logger.info('update with no chat dropped', {
        event: 'dropped_no_chat',
        update_kind: result.kind,
        update_id: result.updateId,
        ...emfFields({ DroppedNoChat: { value: 1, unit: 'Count' } }, { Kind: metricKind(result.kind) }),
      });
    }
    if (result.botAccess?.lost && result.outcome !== 'dropped_chat_not_allowed') {
      // A chat the pipeline keeps just cut the bot off: the BotAccessLost alarm and `tgpipe doctor` read this.
      deps.logger.warn('bot access lost', {
        event: 'bot_access_lost',
        chat_id: result.chatId,
        old_status: result.botAccess.oldStatus,
        new_status: result.botAccess.newStatus,
        ...emfFields({ BotAccessLost: { value: 1, unit: 'Count' } }, { Change: result.botAccess.change }),
      });
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (result.status === 405) headers.allow = 'POST';
    return { statusCode: result.status, headers, body: result.body };
  };
}

let production: ReturnType<typeof createWebhookHandler> | undefined;

function productionHandler(): ReturnType<typeof createWebhookHandler> {
  const config = loadConfig(process.env);
  const streamName = process.env.DELIVERY_STREAM_NAME;
  if (!streamName) throw new Error('DELIVERY_STREAM_NAME is not set');
  const secretArn = config.webhookSecretArn;
  const readSecret = secretReader(process.env);
  // Bounded retries and timeouts: the answer must come well inside Telegram's webhook timeout, and a
  // 503 is better than a hang (Telegram retries it).
  const client = new FirehoseClient({
    maxAttempts: Number(process.env.FIREHOSE_MAX_ATTEMPTS ?? 3),
    requestHandler: boundedRequests({ connectMs: 1000, responseMs: 2500 }),
  });
  const logger = createLogger({ service: 'webhook' });
  const optOutArn = config.optOutSecretArn;
  const keyArn = config.pseudonymKeySecretArn;
  return createWebhookHandler({
    config,
    sink: new FirehoseSink(client, streamName),
    logger,
    privacy: {
      mode: config.dataMode,
      loadPseudonymKey: keyArn ? () => readSecret.string(keyArn, 'the pseudonym key') : undefined,
      optOut: optOutArn
        ? new RefreshingOptOut(() => readSecret.string(optOutArn, 'the opt-out list'), OPTOUT_REFRESH_MS, Date.now, (e) =>
            logger.error('cannot read the opt-out list: keeping the last one read', { event: 'optout_unreadable', error: e.message }),
          )
        : undefined,
    },
    maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes,
    loadSecret: async () => {
      if (config.webhookSecret) return config.webhookSecret;
      if (!secretArn) throw new Error('neither TELEGRAM_WEBHOOK_SECRET_ARN nor TELEGRAM_WEBHOOK_SECRET is set');
      return readSecret.token(secretArn);
    },
  });
}

export const handler = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  production ??= productionHandler();
  return production(event);
};

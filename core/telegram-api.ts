/**
 * A small Telegram Bot API client (global fetch): the methods `tgpipe set-webhook`, the watchdog and the member-count sampler use.
 * The base URL is configurable so tests point it at a local server. The bot token is part of every URL
 * (`<base>/bot<token>/<method>`), so no error message built here ever contains the URL or the token.
 */
export const DEFAULT_TELEGRAM_API_BASE = 'https://api.telegram.org';

export interface WebhookInfo {
  readonly url: string;
  readonly has_custom_certificate: boolean;
  readonly pending_update_count: number;
  readonly ip_address?: string;
  readonly last_error_date?: number;
  readonly last_error_message?: string;
  readonly last_synchronization_error_date?: number;
  readonly max_connections?: number;
  readonly allowed_updates?: string[];
}

export interface SetWebhookParams {
  readonly url: string;
  readonly secret_token?: string;
  readonly allowed_updates?: readonly string[];
  readonly max_connections?: number;
  readonly drop_pending_updates?: boolean;
  readonly ip_address?: string;
}

export interface TelegramApiOptions {
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

/** A Bot API answer with `ok: false`, or a transport failure; the message never holds the token. */
export class TelegramApiError extends Error {
  override name = 'TelegramApiError';
  constructor(
    message: string,
    readonly method: string,
    readonly errorCode?: number,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Bot tokens look like `123456789:AA...`; anything else is rejected before it is put in a URL. */
export const BOT_TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]+$/;

export class TelegramApi {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly token: string,
    options: TelegramApiOptions = {},
  ) {
    if (!BOT_TOKEN_PATTERN.test(token)) throw new Error('the bot token is not of the form <bot id>:<secret> (as BotFather gives it)');
    this.baseUrl = (options.baseUrl ?? DEFAULT_TELEGRAM_API_BASE).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  /** The bot's numeric id: the token's public part. */
  get botId(): string {
    return this.token.slice(0, this.token.indexOf(':'));
  }

  /** Calls a Bot API method with a JSON body and returns its `result`. */
  async call<T>(method: string, params: object = {}): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/bot${this.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      const reason = `${(error as Error).name}: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`;
      throw new TelegramApiError(`Telegram ${method}: request failed: ${this.redact(reason)}`, method);
    }
    const text = await response.text();
    let body: { ok?: boolean; result?: T; description?: string; error_code?: number; parameters?: { retry_after?: number } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new TelegramApiError(`Telegram ${method}: HTTP ${response.status}, answer is not JSON`, method, response.status);
    }
    if (!body.ok) {
      const code = body.error_code ?? response.status;
      throw new TelegramApiError(
        `Telegram ${method}: ${code} ${this.redact(body.description ?? 'no description')}`,
        method,
        code,
        body.parameters?.retry_after,
      );
    }
    return body.result as T;
  }

  setWebhook(params: SetWebhookParams): Promise<boolean> {
    return this.call<boolean>('setWebhook', params);
  }

  getWebhookInfo(): Promise<WebhookInfo> {
    return this.call<WebhookInfo>('getWebhookInfo');
  }

  /** Members of a chat (the bot must be in it); `chat_id` as the allow-list holds it. */
  getChatMemberCount(chatId: number): Promise<number> {
    return this.call<number>('getChatMemberCount', { chat_id: chatId });
  }

  private redact(text: string): string {
    return text.split(this.token).join('<token>');
  }
}

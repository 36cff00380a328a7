/**
 * Settings shared by the Lambdas and the local pipeline (DESIGN.md, Configuration). Environment first,
 * CLI flags override. Pure: the caller passes the environment and the flags.
 */
import { parseUtcOffset, type DayZone } from './context-date';
import { parseDataMode, type DataMode } from './privacy/data-mode';

export const DEFAULT_UTC_OFFSET = '-03:00';

export interface PipelineConfig {
  /** Chat ids whose updates are kept; empty means every update is dropped (and counted). */
  readonly allowedChatIds: ReadonlySet<number>;
  /** Configured offset text, e.g. `-03:00`. */
  readonly utcOffset: string;
  /** The same as minutes east of UTC (a fixed offset) or an IANA zone name (summer time followed). */
  readonly utcOffsetMinutes: DayZone;
  /** The webhook secret, when given directly (local face). */
  readonly webhookSecret?: string;
  /** ARN of the Secrets Manager secret holding the webhook secret (AWS face). */
  readonly webhookSecretArn?: string;
  /** What the pipeline keeps of each update (DATA_MODE: full, no-text, pseudonymous; core/privacy). */
  readonly dataMode: DataMode;
  /** ARN of the secret holding the pseudonym key (AWS face, PSEUDONYM_KEY_SECRET_ARN). */
  readonly pseudonymKeySecretArn?: string;
  /** ARN of the secret holding the opt-out list (AWS face, OPTOUT_SECRET_ARN). */
  readonly optOutSecretArn?: string;
}

export interface ConfigOverrides {
  readonly allowedChatIds?: string;
  readonly utcOffset?: string;
  readonly webhookSecret?: string;
  readonly dataMode?: string;
}

/** Parses `ALLOWED_CHAT_IDS`: comma- or space-separated integers; throws naming the bad entry. */
export function parseChatIds(text: string | undefined): Set<number> {
  const ids = new Set<number>();
  for (const part of (text ?? '').split(/[\s,]+/)) {
    if (part === '') continue;
    const id = Number(part);
    if (!/^-?\d+$/.test(part) || !Number.isSafeInteger(id)) {
      throw new Error(`ALLOWED_CHAT_IDS: "${part}" is not a chat id (an integer such as -1001234567890)`);
    }
    ids.add(id);
  }
  return ids;
}

/** Telegram accepts 1-256 characters of A-Z a-z 0-9 _ - as a webhook secret token. */
export const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): PipelineConfig {
  const utcOffset = overrides.utcOffset ?? env.CONTEXT_UTC_OFFSET ?? DEFAULT_UTC_OFFSET;
  const webhookSecret = overrides.webhookSecret ?? env.TELEGRAM_WEBHOOK_SECRET;
  if (webhookSecret !== undefined && webhookSecret !== '' && !SECRET_TOKEN_PATTERN.test(webhookSecret)) {
    throw new Error('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -');
  }
  return {
    allowedChatIds: parseChatIds(overrides.allowedChatIds ?? env.ALLOWED_CHAT_IDS),
    utcOffset,
    utcOffsetMinutes: parseUtcOffset(utcOffset),
    webhookSecret: webhookSecret || undefined,
    webhookSecretArn: env.TELEGRAM_WEBHOOK_SECRET_ARN || undefined,
    dataMode: parseDataMode(overrides.dataMode ?? env.DATA_MODE, overrides.dataMode !== undefined ? '--data-mode' : 'DATA_MODE'),
    pseudonymKeySecretArn: env.PSEUDONYM_KEY_SECRET_ARN || undefined,
    optOutSecretArn: env.OPTOUT_SECRET_ARN || undefined,
  };
}

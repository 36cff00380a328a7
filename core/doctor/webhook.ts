/** What Telegram's getWebhookInfo says about delivery, checked the same way on AWS and locally. */
import type { WebhookInfo } from '../telegram-api';
import { ALL_UPDATE_KINDS } from '../update-kinds';
import { describeAge, type CheckResult } from './result';

/** A delivery error this recent is a failure; older ones are shown as a warning (Telegram keeps the last one). */
export const RECENT_ERROR_MS = 60 * 60_000;
/** Pending updates above this with a recent error: deliveries are failing and piling up. */
export const PENDING_WARN = 100;

export interface WebhookExpectation {
  /** The URL Telegram should deliver to; undefined when any URL will do (a local tunnel). */
  readonly url?: string;
  readonly maxConnections?: number;
  /** The command that registers the webhook, for the fix. */
  readonly setWebhook: string;
  readonly now: number;
}

export function checkWebhookInfo(info: WebhookInfo, expect: WebhookExpectation): CheckResult {
  const title = "Telegram's webhook (getWebhookInfo)";
  const base = { id: 'webhook', title };
  if (!info.url) return { ...base, status: 'fail', detail: 'no webhook is set: Telegram delivers nothing', fix: expect.setWebhook };
  if (expect.url !== undefined && info.url !== expect.url) {
    return { ...base, status: 'fail', detail: `Telegram delivers to ${info.url}, not ${expect.url}`, fix: expect.setWebhook };
  }
  const lines: string[] = [`url ${info.url}`, `pending updates ${info.pending_update_count}`];
  const problems: string[] = [];
  let status: CheckResult['status'] = 'pass';
  const worst = (s: CheckResult['status']) => {
    if (s === 'fail' || (s === 'warn' && status === 'pass')) status = s;
  };
  const wanted = new Set(ALL_UPDATE_KINDS);
  const missing = info.allowed_updates === undefined || info.allowed_updates.length === 0
    ? ALL_UPDATE_KINDS.filter((k) => k === 'chat_member' || k === 'message_reaction' || k === 'message_reaction_count')
    : ALL_UPDATE_KINDS.filter((k) => !info.allowed_updates!.includes(k));
  if (missing.length) {
    worst('fail');
    problems.push(`allowed_updates lacks ${missing.join(', ')}`);
  } else lines.push(`allowed_updates: all ${wanted.size} kinds`);
  if (info.last_error_date) {
    const age = expect.now - info.last_error_date * 1000;
    lines.push(`last error ${describeAge(age)} ago: ${info.last_error_message ?? '(no message)'}`);
    if (age < RECENT_ERROR_MS) {
      worst('fail');
      problems.push(`delivery failed ${describeAge(age)} ago (${info.last_error_message ?? 'no message'})`);
    } else worst('warn');
  }
  if (info.pending_update_count > PENDING_WARN && status !== 'pass') problems.push(`${info.pending_update_count} updates waiting`);
  if (expect.maxConnections !== undefined && info.max_connections !== undefined && info.max_connections !== expect.maxConnections) {
    worst('warn');
    problems.push(`max_connections ${info.max_connections}, the stack was sized for ${expect.maxConnections}`);
  }
  const fix = missing.length || (expect.maxConnections !== undefined && info.max_connections !== expect.maxConnections)
    ? expect.setWebhook
    : info.last_error_date
      ? 'the error is in the webhook log (and the Ingress5xx / WebhookErrors alarms); Telegram retries for 24 h, so fix the cause and the pending updates arrive'
      : undefined;
  const detail = problems.length ? problems.join('; ') : `delivering to this webhook, ${info.pending_update_count} pending${info.last_error_date ? ', an older delivery error' : ''}`;
  return { ...base, status, detail, lines, ...(fix ? { fix } : {}) };
}

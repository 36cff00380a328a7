/**
 * `tgpipe chats --target aws`: the chats the deployed bot heard from. Stored chats come from Athena
 * (telegram and telegram_events: type, title, first and last seen, counts); dropped ones from the webhook
 * Lambda's log group with Logs Insights (every request line carries its outcome and chat_id, and the
 * first update of a chat not allowed logs chat_not_allowed with its title); whether each is allowed from
 * the function's ALLOWED_CHAT_IDS (Lambda GetFunctionConfiguration, which also names the log group).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { QueryEngine } from '../../ports/catalog';
import { runInsightsQuery } from './logs-insights';
import type { Retrying } from './doctor-retry';

export interface WebhookFunctionFacts {
  readonly allowedChatIds: string;
  readonly logGroup: string;
}

export async function webhookFunctionFacts(lambda: LambdaClient, functionName: string): Promise<WebhookFunctionFacts> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return {
    allowedChatIds: config.Environment?.Variables?.ALLOWED_CHAT_IDS ?? '',
    // A function without its own log group logs to the default one.
    logGroup: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName ?? functionName}`,
  };
}

export interface ChatSighting {
  type: string | null;
  title: string | null;
  first: number | null;
  last: number | null;
  messages: number;
  events: number;
  dropped: number;
}

const empty = (): ChatSighting => ({ type: null, title: null, first: null, last: null, messages: 0, events: 0, dropped: 0 });

/** Stored chats, one Athena query over both tables (one scan, one minimum charge). */
export const STORED_CHATS_SQL = `SELECT chat_id, max_by(chat_type, t) AS chat_type, max_by(chat_title, t) AS chat_title, min(t) AS first_seen, max(t) AS last_seen,
  sum(m) AS messages, sum(e) AS events
FROM (
  SELECT chat_id, chat_type, chat_title, "date" AS t, 1 AS m, 0 AS e FROM telegram WHERE chat_id IS NOT NULL
  UNION ALL
  SELECT chat_id, chat_type, chat_title, event_date AS t, 0 AS m, 1 AS e FROM telegram_events WHERE chat_id IS NOT NULL
)
GROUP BY chat_id`;

export async function storedChats(engine: QueryEngine): Promise<Map<number, ChatSighting>> {
  const out = new Map<number, ChatSighting>();
  for (const r of await engine.query(STORED_CHATS_SQL)) {
    out.set(Number(r.chat_id), {
      ...empty(),
      type: (r.chat_type as string | null) ?? null,
      title: (r.chat_title as string | null) ?? null,
      first: r.first_seen === null ? null : Number(r.first_seen) * 1000,
      last: r.last_seen === null ? null : Number(r.last_seen) * 1000,
      messages: Number(r.messages ?? 0),
      events: Number(r.events ?? 0),
    });
  }
  return out;
}

export const DROPPED_QUERY = `filter outcome = "dropped_chat_not_allowed" and ispresent(chat_id)
| stats count(*) as dropped, min(@timestamp) as first_seen, max(@timestamp) as last_seen by chat_id`;
export const NAMED_QUERY = `filter event = "chat_not_allowed"
| stats latest(chat_type) as chat_type, latest(chat_title) as chat_title by chat_id`;
export const NO_CHAT_QUERY = `filter outcome = "dropped_no_chat"
| stats count(*) as n by update_kind`;

/** Logs Insights prints @timestamp as `2026-12-01 12:00:00.000` (UTC). */
const insightsTime = (text: string | undefined): number | null => {
  if (!text) return null;
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? null : ms;
};

export interface DroppedChats {
  readonly chats: Map<number, ChatSighting>;
  readonly noChat: Record<string, number>;
}

export async function droppedChats(logs: CloudWatchLogsClient, logGroup: string, startMs: number, endMs: number, options: { sleep?: (ms: number) => Promise<void>; retrying?: Retrying } = {}): Promise<DroppedChats> {
  const q = (query: string) => runInsightsQuery(logs, { logGroup, query, startMs, endMs, ...options });
  const [dropped, named, noChatRows] = await Promise.all([q(DROPPED_QUERY), q(NAMED_QUERY), q(NO_CHAT_QUERY)]);
  const chats = new Map<number, ChatSighting>();
  const at = (id: string) => {
    const n = Number(id);
    if (!chats.has(n)) chats.set(n, empty());
    return chats.get(n)!;
  };
  for (const r of dropped) {
    if (!r.chat_id || Number.isNaN(Number(r.chat_id))) continue;
    const c = at(r.chat_id);
    c.dropped = Number(r.dropped ?? 0);
    c.first = insightsTime(r.first_seen);
    c.last = insightsTime(r.last_seen);
  }
  for (const r of named) {
    if (!r.chat_id || Number.isNaN(Number(r.chat_id))) continue;
    const c = at(r.chat_id);
    c.type = r.chat_type || null;
    c.title = r.chat_title || null;
  }
  const noChat: Record<string, number> = {};
  for (const r of noChatRows) noChat[r.update_kind || 'unknown'] = Number(r.n ?? 0);
  return { chats, noChat };
}

/**
 * The webhook's decision, shared by the Lambda and the local server: check the method and the secret,
 * find the update's chat, wrap the body in the raw envelope and put it on the sink. Answers follow
 * DESIGN.md (Webhook answers): Telegram retries every non-2xx, so only a sink failure is a 5xx.
 */
import { botAccessChange, type BotAccess } from './bot-access';
import { eventDateOf, type DayZone } from './context-date';
import { buildEnvelope, parseUpdateBody } from './envelope';
import type { Logger } from './log';
import { headerValue, secretMatches, SECRET_HEADER } from './secret';
import { classifyUpdate } from './update-kinds';
import { NO_KIND } from './no-chat';
import type { RecordSink } from '../ports/record-sink';
import type { DataMode } from './privacy/data-mode';
import { eraseFromUpdate, ownerIds, type ErasureMatcher } from './privacy/erasure';
import type { Pseudonymizer } from './privacy/pseudonym';
import { redactUpdate, withheldUnparsed } from './privacy/redact';

export interface WebhookRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined> | undefined;
  readonly body: string;
  /** The body's bytes were not valid UTF-8 (`body` holds U+FFFD for them): kept as `unparsed`. */
  readonly invalidUtf8?: boolean;
}

/** The webhook's path, on API Gateway and on the local server alike (DESIGN.md, Configuration). */
export const WEBHOOK_PATH = '/webhook';

/** Every answer the webhook counts (the `Outcome` dimension of its `Updates` metric). */
export const WEBHOOK_OUTCOMES = [
  'stored',
  'stored_unparsed',
  'dropped_chat_not_allowed',
  'dropped_no_chat',
  'dropped_oversized',
  'dropped_opted_out',
  'unauthorized',
  'method_not_allowed',
  'sink_failed',
] as const;

export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface WebhookResult {
  readonly status: number;
  readonly body: string;
  readonly outcome: WebhookOutcome;
  readonly kind?: string;
  readonly chatId?: number;
  /** The chat's type and, for groups and channels, its title (a private chat's "title" is a person's name: never kept here). */
  readonly chatType?: string;
  readonly chatTitle?: string;
  readonly updateId?: number;
  readonly contextDate?: string;
  /** Set when a group in the allow-list became a supergroup: the id to add to ALLOWED_CHAT_IDS. */
  readonly migratedToChatId?: number;
  /** Set for `my_chat_member`: the bot's own access to the chat changed (removed, demoted, added, ...). */
  readonly botAccess?: BotAccess;
  /** When the update's event happened (unix ms), where it says: `tgpipe chats` dates ingested history by it. */
  readonly eventAtMs?: number;
}

export interface WebhookDeps {
  readonly secret: string;
  readonly allowedChatIds: ReadonlySet<number>;
  readonly utcOffsetMinutes: DayZone;
  readonly sink: RecordSink;
  readonly logger: Logger;
  /** Largest envelope line the sink accepts (Firehose: 1,000 KiB per record). */
  readonly maxRecordBytes?: number;
  readonly now?: () => number;
  /** The data mode and opt-out list (core/privacy); absent: `full`, nobody opted out. */
  readonly privacy?: WebhookPrivacy;
}

export interface WebhookPrivacy {
  readonly mode: DataMode;
  /** The keyed pseudonym; required in `pseudonymous` mode. */
  readonly pseudonymize?: Pseudonymizer;
  /** The opted-out people as the adapter last read them (cached, refreshed), or undefined for none. */
  readonly optedOut?: () => ErasureMatcher | undefined;
}

const answer = (status: number, message: string): { status: number; body: string } => ({
  status,
  body: JSON.stringify({ ok: status < 300, message }),
});

/** The answer to each outcome, built once (the request path only copies it). */
const ANSWERS: Record<WebhookOutcome, { status: number; body: string }> = {
  stored: answer(200, 'stored'),
  stored_unparsed: answer(200, 'stored (unparsed)'),
  dropped_chat_not_allowed: answer(200, 'ignored: chat not allowed'),
  dropped_no_chat: answer(200, 'ignored: update has no chat'),
  dropped_oversized: answer(200, 'ignored: update too large to store'),
  dropped_opted_out: answer(200, 'ignored: sender opted out'),
  unauthorized: answer(401, 'missing or wrong secret token'),
  method_not_allowed: answer(405, 'method not allowed: POST updates to /webhook'),
  sink_failed: answer(503, 'storage unavailable, retry later'),
};

/** An outcome with its status and body. */
const answered = <O extends WebhookOutcome>(outcome: O) => ({ ...ANSWERS[outcome], outcome });

/**
 * A group that became a supergroup gets a new chat id: the allow-list would then drop everything
 * silently, so both sides of the migration are reported.
 */
function migrationTarget(payload: any, chatId: number, allowed: ReadonlySet<number>): number | undefined {
  const to = payload?.migrate_to_chat_id;
  if (typeof to === 'number' && allowed.has(chatId) && !allowed.has(to)) return to;
  const from = payload?.migrate_from_chat_id;
  if (typeof from === 'number' && allowed.has(from) && !allowed.has(chatId)) return chatId;
  return undefined;
}

/** The fields of a webhook request's log line (the Lambda's and the local server's): no body, no text. */
export function webhookLogFields(result: WebhookResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    status: result.status,
    update_kind: result.kind,
    chat_id: result.chatId,
    update_id: result.updateId,
    context_date: result.contextDate,
  };
}

/**
 * The answer decided on the method and the secret header alone, before any body byte is needed (the
 * local server answers these without reading the body); undefined: the body decides.
 */
export function answerOnHeaders(method: string, headers: WebhookRequest['headers'], secret: string): WebhookResult | undefined {
  if (method.toUpperCase() !== 'POST') return answered('method_not_allowed');
  if (!secretMatches(headerValue(headers, SECRET_HEADER), secret)) return answered('unauthorized');
  return undefined;
}

/** The chat object an update names (`message.chat`, or the message of a callback query). */
function chatOf(payload: any): { type?: unknown; title?: unknown } | undefined {
  const chat = payload?.chat ?? payload?.message?.chat;
  return chat !== null && typeof chat === 'object' ? chat : undefined;
}

function chatDescription(payload: any): { chatType?: string; chatTitle?: string } {
  const chat = chatOf(payload);
  const chatType = typeof chat?.type === 'string' ? chat.type : undefined;
  const chatTitle = chatType !== 'private' && typeof chat?.title === 'string' ? chat.title : undefined;
  return { chatType, chatTitle };
}

/** Chats whose dropping was logged by this process (a container on AWS): each is logged once. */
const droppedChatsLogged = new Set<number>();
const MAX_DROPPED_CHATS_LOGGED = 10_000;

/**
 * The first update of a chat that is not allowed is logged (id and, for groups, title) at warn, so an
 * operator setting up sees the id to add to ALLOWED_CHAT_IDS without debug logs; later ones are counted only.
 */
function logDroppedChatOnce(logger: WebhookDeps['logger'], chatId: number, chat: { chatType?: string; chatTitle?: string }): void {
  if (droppedChatsLogged.has(chatId) || droppedChatsLogged.size >= MAX_DROPPED_CHATS_LOGGED) return;
  droppedChatsLogged.add(chatId);
  logger.warn('updates from a chat that is not allowed are dropped: add its id to ALLOWED_CHAT_IDS to keep them', {
    event: 'chat_not_allowed',
    chat_id: chatId,
    chat_type: chat.chatType,
    chat_title: chat.chatTitle,
  });
}

export async function handleWebhook(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookResult> {
  const refused = answerOnHeaders(request.method, request.headers, deps.secret);
  if (refused) return refused;

  const receivedAt = (deps.now ?? Date.now)();
  const parsed = parseUpdateBody(request.body, { invalidUtf8: request.invalidUtf8 });
  let kind: string | undefined;
  let chatId: number | undefined;
  let migratedToChatId: number | undefined;
  let botAccess: BotAccess | undefined;
  let chat: { chatType?: string; chatTitle?: string } = {};
  const updateId = parsed.update?.update_id;

  if (parsed.update) {
    const classified = classifyUpdate(parsed.update);
    kind = classified?.kind;
    chatId = classified?.rule.chatId(classified.payload);
    if (chatId === undefined) {
      // Not a group's data (core/no-chat.ts): answered 200, counted by kind by the caller.
      return { ...answered('dropped_no_chat'), kind: kind ?? NO_KIND, updateId };
    }
    migratedToChatId = migrationTarget(classified?.payload, chatId, deps.allowedChatIds);
    botAccess = botAccessChange(kind, classified?.payload);
    if (botAccess) {
      const allowed = deps.allowedChatIds.has(chatId);
      const fields = { event: 'bot_access_changed', chat_id: chatId, change: botAccess.change, old_status: botAccess.oldStatus, new_status: botAccess.newStatus, chat_allowed: allowed, update_id: updateId };
      // Only a chat the pipeline keeps is cut off: that one is an error (and an alarm, BotAccessLost).
      if (botAccess.lost && allowed) deps.logger.error(`the bot lost access to chat ${chatId} (${botAccess.oldStatus} -> ${botAccess.newStatus}): its updates stop; add the bot back as an admin`, fields);
      else deps.logger.info(`the bot's membership in chat ${chatId} changed (${botAccess.oldStatus} -> ${botAccess.newStatus})`, fields);
    }
    if (migratedToChatId !== undefined) {
      deps.logger.error('chat migrated to a supergroup: add the new chat id to ALLOWED_CHAT_IDS', {
        event: 'chat_migrated',
        chat_id: chatId,
        new_chat_id: migratedToChatId,
        update_id: updateId,
      });
    }
    chat = chatDescription(classified?.payload);
    if (!deps.allowedChatIds.has(chatId)) {
      logDroppedChatOnce(deps.logger, chatId, chat);
      const eventSeconds = eventDateOf(parsed.update);
      const eventAtMs = eventSeconds === undefined ? undefined : eventSeconds * 1000;
      return { ...answered('dropped_chat_not_allowed'), kind, chatId, ...chat, updateId, migratedToChatId, botAccess, eventAtMs };
    }
  }

  // Privacy (core/privacy): opted-out people's updates are never stored, and are taken out of others';
  // a mode other than `full` keeps the update as the mode allows. `full` with nobody opted out passes
  // the body through untouched (byte-exact, no extra work on the hot path).
  let body = request.body;
  let dataMode: Exclude<DataMode, 'full'> | undefined;
  let forEnvelope = parsed;
  const privacy = deps.privacy;
  if (privacy) {
    let update = parsed.update;
    const optedOut = privacy.optedOut?.();
    if (update && optedOut && !optedOut.empty) {
      if (ownerIds(update).some((id) => optedOut.isUser(id))) return { ...answered('dropped_opted_out'), kind, chatId, updateId };
      const outcome = eraseFromUpdate(update, optedOut);
      if (outcome.action === 'drop') return { ...answered('dropped_opted_out'), kind, chatId, updateId };
      if (outcome.action === 'redact') {
        update = outcome.update;
        body = JSON.stringify(update);
      }
    }
    if (privacy.mode !== 'full') {
      dataMode = privacy.mode;
      try {
        body = update ? JSON.stringify(redactUpdate(update, privacy)) : withheldUnparsed(request.body, privacy.mode);
      } catch {
        // Nested deeper than the stack (not a real update): kept as its size only, like any unparsed body.
        body = withheldUnparsed(request.body, privacy.mode);
        forEnvelope = { error: 'update nested too deeply to apply the data mode' };
      }
    }
  }

  const envelope = buildEnvelope(body, forEnvelope, receivedAt, deps.utcOffsetMinutes, dataMode);
  const base = { kind, chatId, ...chat, updateId, contextDate: envelope.contextDate, migratedToChatId, botAccess, eventAtMs: envelope.eventAtMs };
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most updates are known to fit without encoding them.
  const max = deps.maxRecordBytes;
  if (max !== undefined && envelope.line.length * 3 > max && Buffer.byteLength(envelope.line) > max) {
    // Retrying cannot make it fit, and a non-2xx would block the chat for 24 h: log it loudly instead.
    deps.logger.error('update larger than the stream accepts: not stored', { event: 'oversized', bytes: Buffer.byteLength(envelope.line), update_id: updateId, chat_id: chatId });
    return { ...answered('dropped_oversized'), ...base };
  }
  try {
    await deps.sink.put(envelope.line);
  } catch (error) {
    deps.logger.error('sink failed: answering 503 so Telegram retries', {
      event: 'sink_failed',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      update_id: updateId,
    });
    return { ...answered('sink_failed'), ...base };
  }
  if (envelope.unparsed) {
    deps.logger.warn('body is not a valid update: stored as unparsed', { event: 'unparsed', error: forEnvelope.error, bytes: Buffer.byteLength(envelope.line) });
    return { ...answered('stored_unparsed'), ...base };
  }
  return { ...answered('stored'), ...base };
}

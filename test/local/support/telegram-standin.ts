/**
 * A Telegram Bot API stand-in on 127.0.0.1 for the member-count sampler: `getChatMemberCount` answers
 * the count set for a chat, Telegram's error answer for a chat set to an error (as the real API does for
 * a chat the bot was removed from), and 401 for another token. Every call is recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TelegramStandIn {
  readonly base: string;
  /** chat_id -> member count, or an error answer. */
  readonly chats: Map<number, number | { error_code: number; description: string }>;
  readonly calls: { method: string; chat_id: unknown }[];
  close(): Promise<void>;
}

export async function startTelegramStandIn(token: string): Promise<TelegramStandIn> {
  const chats = new Map<number, number | { error_code: number; description: string }>();
  const calls: { method: string; chat_id: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      let body: { chat_id?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { chat_id?: unknown };
      } catch {
        // a form or no body: chat_id missing
      }
      calls.push({ method: match?.[2] ?? '', chat_id: body.chat_id });
      if (!match || match[1] !== token) {
        res.statusCode = 401;
        res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
        return;
      }
      if (match[2] !== 'getChatMemberCount') {
        res.statusCode = 404;
        res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      const answer = chats.get(Number(body.chat_id));
      if (typeof answer === 'number') {
        res.end(JSON.stringify({ ok: true, result: answer }));
        return;
      }
      const error = answer ?? { error_code: 400, description: 'Bad Request: chat not found' };
      res.statusCode = error.error_code;
      res.end(JSON.stringify({ ok: false, ...error }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    chats,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

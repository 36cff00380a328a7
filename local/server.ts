/**
 * The local webhook server: `POST /webhook` with the Lambda's checks and answers (the same
 * `handleWebhook`), the local Firehose as the sink, `GET /` the report page, `GET /healthz`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PipelineConfig } from '../core/config';
import type { Logger } from '../core/log';
import { handleWebhook } from '../core/webhook';
import type { RecordSink } from '../ports/record-sink';

/** Telegram updates are far smaller; a bigger body is refused before it is buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalServerOptions {
  readonly config: PipelineConfig;
  readonly secret: string;
  readonly sink: RecordSink;
  readonly logger: Logger;
  /** Renders `GET /`. */
  readonly page?: () => Promise<string>;
  /** Logs every request at info level (off by default: bursts stay fast). */
  readonly logRequests?: boolean;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: string, type = 'application/json'): void => {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export async function startServer(options: LocalServerOptions, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const { config, logger } = options;
  const counts = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/webhook') {
        const started = performance.now();
        // Any other method still has its body drained, or it would be parsed as the next request on
        // this keep-alive connection.
        const body = req.method === 'POST' ? await readBody(req) : await readBody(req).then(() => '');
        if (body === undefined) {
          send(res, 413, '{"ok":false,"message":"body too large"}');
          return;
        }
        const result = await handleWebhook(
          { method: req.method ?? 'GET', headers: req.headers, body },
          { secret: options.secret, allowedChatIds: config.allowedChatIds, utcOffsetMinutes: config.utcOffsetMinutes, sink: options.sink, logger },
        );
        counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
        if (result.status === 405) res.setHeader('allow', 'POST');
        send(res, result.status, result.body);
        if (options.logRequests) {
          logger.info('webhook request', { outcome: result.outcome, status: result.status, update_kind: result.kind, chat_id: result.chatId, update_id: result.updateId, latency_ms: Math.round((performance.now() - started) * 100) / 100 });
        }
        return;
      }
      if (path === '/healthz' && req.method === 'GET') {
        send(res, 200, JSON.stringify({ ok: true, outcomes: Object.fromEntries(counts) }));
        return;
      }
      if (path === '/' && req.method === 'GET') {
        send(res, 200, options.page ? await options.page() : '<!doctype html><title>tgpipe</title><p>tgpipe is running. POST updates to /webhook.</p>', 'text/html; charset=utf-8');
        return;
      }
      req.resume();
      send(res, 404, '{"ok":false,"message":"not found"}');
    } catch (error) {
      logger.error('request failed', { error: (error as Error).message, path });
      if (!res.headersSent) send(res, 500, '{"ok":false,"message":"internal error"}');
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await options.sink.close();
    },
  };
}

/**
 * The local webhook server: `POST /webhook` with the Lambda's checks and answers (the same
 * `handleWebhook`, the same record limit), the local Firehose as the sink; `GET /` the report page,
 * `GET /healthz` the counters; 404 elsewhere.
 *
 * The request path is lean for bursts: no per-request log line unless asked (`logRequests`, i.e. log level
 * debug), no synchronous file system calls, the body kept as the bytes received.
 *
 * Bodies: up to `maxBodyBytes` (1 MiB) are read and decided by `handleWebhook`; an envelope over the
 * stream's record limit (1,000 KiB, as Firehose) is answered 200 and dropped with an error log, as the
 * Lambda does, because a non-2xx would make Telegram retry it (and hold the chat's later updates) for 24 h.
 * A body over 1 MiB is never buffered: the same decision is made on its headers (401 without the secret,
 * 405 for other methods, else 200 dropped as oversized), after the body was read to its end and thrown
 * away (up to 16 MiB, so the client sees the answer, not a reset), and the connection is closed.
 * Telegram's updates are far smaller.
 *
 * Unauthenticated clients cannot hold memory or connections: the method and the secret header are
 * checked before any body byte is read (401/405 at once; the body is read and thrown away, never
 * buffered, for at most `REFUSED_DRAIN_MS`, then the connection is closed); the headers must arrive
 * within `headersTimeoutMs` of the connection (or of the previous answer) and the whole request within
 * `requestTimeoutMs` (else 408 and close); at most `maxConnections` connections are open at once (more
 * are closed at once). Only a holder of the secret gets a body buffered, up to 1 MiB.
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { PipelineConfig } from '../core/config';
import type { Logger } from '../core/log';
import { answerOnHeaders, handleWebhook, WEBHOOK_PATH, webhookLogFields, type WebhookDeps, type WebhookPrivacy, type WebhookResult } from '../core/webhook';
import type { RecordSink } from '../ports/record-sink';
import { secretMatches } from '../core/secret';
import { LOCAL_MAX_RECORD_BYTES } from '../adapters/local/local-firehose';

/** Bodies up to this size are read; larger ones are decided on their headers alone. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** A larger body is read to its end and discarded up to this size before the answer; past it, cut off. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** A refused request's body (no or a wrong secret) is read and discarded for at most this long after the answer. */
export const REFUSED_DRAIN_MS = 2_000;
/** Defaults of the limits (LocalServerOptions). */
export const SERVER_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 256 } as const;

export interface LocalServerOptions {
  readonly config: PipelineConfig;
  readonly secret: string;
  readonly sink: RecordSink;
  readonly logger: Logger;
  /** Renders `GET /`; without it a plain page. */
  readonly page?: () => Promise<string>;
  /** One JSON log line per webhook request (off by default: bursts stay fast). */
  readonly logRequests?: boolean;
  readonly maxBodyBytes?: number;
  /** Called with every webhook answer (e.g. the chat registry's tally); must be cheap. */
  readonly onResult?: (result: WebhookResult) => void;
  /** Extra fields for `GET /healthz` (e.g. the sink's counters). */
  readonly health?: () => Record<string, unknown>;
  /** A new connection must send its first request's headers within this (default 10 s); so must each request. */
  readonly headersTimeoutMs?: number;
  /** The whole request, body included, within this (default 30 s): else 408 and the connection is closed. */
  readonly requestTimeoutMs?: number;
  /** Open connections at most (default 256; Telegram uses at most 100): more are closed at once. */
  readonly maxConnections?: number;
  /**
   * When set, `GET /` (the report, with member names and ids) asks for it: HTTP basic auth with this as
   * the password (any user name), or `Authorization: Bearer <token>`. `/healthz` (counters, no data) and
   * `/webhook` (its own secret) are not affected.
   */
  readonly pageToken?: string;
  /** The data mode and opt-out list (core/privacy); absent: full, nobody opted out. */
  readonly privacy?: WebhookPrivacy;
}

/** True when the request carries the page token (basic auth password, or bearer). */
export function pageAuthorized(authorization: string | undefined, token: string): boolean {
  if (!authorization) return false;
  const space = authorization.indexOf(' ');
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return secretMatches(value, token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return secretMatches(decoded.slice(decoded.indexOf(':') + 1), token);
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Answers per webhook outcome since start. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Stops accepting, lets in-flight requests finish (closing idle keep-alive connections), then resolves. The sink stays open. */
  close(graceMs?: number): Promise<void>;
}

const JSON_TYPE = 'application/json';
const FIRST_REQUEST = Symbol('first request timer');
type SocketWithTimer = Socket & { [FIRST_REQUEST]?: NodeJS.Timeout };
const PLAIN_PAGE =
  '<!doctype html><meta charset="utf-8"><title>tgpipe</title><p>tgpipe is running: POST Telegram updates to <code>/webhook</code>. ' +
  'The report page appears here once the reports are installed (<code>tgpipe report</code>).</p>';

function send(res: ServerResponse, status: number, body: string, type = JSON_TYPE): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startServer(options: LocalServerOptions, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const { logger } = options;
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const outcomes: Record<string, number> = {};
  const deps: WebhookDeps = {
    secret: options.secret,
    allowedChatIds: options.config.allowedChatIds,
    utcOffsetMinutes: options.config.utcOffsetMinutes,
    sink: options.sink,
    logger,
    maxRecordBytes: LOCAL_MAX_RECORD_BYTES,
    privacy: options.privacy,
  };
  let closing = false;

  const answer = (req: IncomingMessage, res: ServerResponse, started: number, bytes: number, result: WebhookResult): void => {
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    options.onResult?.(result);
    if (closing) res.setHeader('connection', 'close');
    if (result.status === 405) res.setHeader('allow', 'POST');
    send(res, result.status, result.body);
    if (options.logRequests) {
      logger.log('debug', 'webhook request', {
        ...webhookLogFields(result),
        bytes,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };

  const failed = (res: ServerResponse, error: unknown): void => {
    logger.error('webhook request failed', { error: (error as Error).message });
    if (!res.headersSent) send(res, 500, '{"ok":false,"message":"internal error"}');
  };

  /**
   * Refused on its headers (no or a wrong secret, not POST): answered at once with the connection closed;
   * the body is never buffered, only read and dropped for a short while so the client sees the answer.
   */
  const refuse = (req: IncomingMessage, res: ServerResponse, started: number, result: WebhookResult): void => {
    res.setHeader('connection', 'close');
    req.on('error', () => undefined);
    if (!req.complete) {
      req.resume();
      const cut = setTimeout(() => req.socket.destroy(), REFUSED_DRAIN_MS);
      cut.unref();
      req.socket.once('close', () => clearTimeout(cut));
    }
    answer(req, res, started, 0, result);
  };

  const webhook = (req: IncomingMessage, res: ServerResponse): void => {
    const started = options.logRequests ? performance.now() : 0;
    const method = req.method ?? 'GET';
    const refused = answerOnHeaders(method, req.headers, options.secret);
    if (refused) {
      refuse(req, res, started, refused);
      return;
    }
    let answeredOversized = false;
    const oversized = (bytes: number): void => {
      // Never buffered: decided on the headers, with a record limit nothing fits under.
      if (answeredOversized) return;
      answeredOversized = true;
      res.setHeader('connection', 'close');
      handleWebhook({ method, headers: req.headers, body: '' }, { ...deps, maxRecordBytes: 0, logger: logger.child({ body_bytes: bytes }) }).then(
        (result) => answer(req, res, started, bytes, result),
        (error) => failed(res, error),
      );
    };
    const declared = Number(req.headers['content-length']);
    if (declared > maxBody) {
      // Read to its end and thrown away (up to DRAIN_LIMIT_BYTES), so a client still sending gets the
      // answer rather than a reset it would retry; beyond that, answered at once and cut off.
      if (declared > DRAIN_LIMIT_BYTES) oversized(declared);
      else {
        req.on('end', () => oversized(declared));
        req.resume();
      }
      req.on('error', () => undefined);
      return;
    }
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > DRAIN_LIMIT_BYTES) oversized(size);
        return;
      }
      if (size > maxBody) {
        over = true;
        first = undefined;
        chunks = undefined;
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    });
    req.on('end', () => {
      if (over) {
        oversized(size);
        return;
      }
      const bytes = chunks ? Buffer.concat(chunks) : first;
      const body = bytes ? bytes.toString('utf8') : '';
      // Bytes that are not UTF-8 would be stored as U+FFFD: the body is kept as unparsed instead.
      const invalidUtf8 = bytes !== undefined && !isUtf8(bytes);
      handleWebhook({ method, headers: req.headers, body, invalidUtf8 }, deps).then(
        (result) => answer(req, res, started, size, result),
        (error) => failed(res, error),
      );
    });
    // A client that goes away mid-body gets no answer; nothing was stored.
    req.on('error', () => undefined);
  };

  // One page render at a time, shared by every request that arrives meanwhile: a flood of GET / costs
  // one render, not one each.
  let rendering: Promise<string> | undefined;
  const render = (): Promise<string> => {
    if (!options.page) return Promise.resolve(PLAIN_PAGE);
    rendering ??= options.page().finally(() => {
      rendering = undefined;
    });
    return rendering;
  };
  const page = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.pageToken !== undefined && !pageAuthorized(req.headers.authorization, options.pageToken)) {
      res.setHeader('www-authenticate', 'Basic realm="tgpipe report", charset="UTF-8"');
      send(res, 401, '<!doctype html><title>tgpipe</title><p>The report needs the page token (any user name; the token as the password).</p>', 'text/html; charset=utf-8');
      return;
    }
    try {
      send(res, 200, await render(), 'text/html; charset=utf-8');
    } catch (error) {
      logger.error('report page failed', { error: (error as Error).message });
      send(res, 500, '<!doctype html><title>tgpipe</title><p>The report page failed; see the server log.</p>', 'text/html; charset=utf-8');
    }
  };

  const headersTimeout = options.headersTimeoutMs ?? SERVER_LIMITS.headersTimeoutMs;
  const requestTimeout = options.requestTimeoutMs ?? SERVER_LIMITS.requestTimeoutMs;
  // Node checks its header and request timeouts this often (its default, 30 s, would let them run long).
  const server = createServer({ noDelay: true, keepAlive: true, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (req, res) => {
    const waiting = (req.socket as SocketWithTimer)[FIRST_REQUEST];
    if (waiting) {
      clearTimeout(waiting);
      (req.socket as SocketWithTimer)[FIRST_REQUEST] = undefined;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === WEBHOOK_PATH) {
      webhook(req, res);
      return;
    }
    req.resume();
    if (closing) res.setHeader('connection', 'close');
    if (path === '/healthz' || path === '/') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET');
        send(res, 405, '{"ok":false,"message":"method not allowed"}');
      } else if (path === '/') void page(req, res);
      else send(res, 200, JSON.stringify({ ok: true, outcomes, ...options.health?.() }));
      return;
    }
    send(res, 404, '{"ok":false,"message":"not found"}');
  });
  // Longer than any client's idle timeout, so the server is never the one closing a connection a request is racing on.
  server.keepAliveTimeout = 65_000;
  // Node's header timer runs from a request's first byte (an idle keep-alive connection is not timed by
  // it); a connection that never sends a byte is closed by the timer set on connection below.
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.maxConnections = options.maxConnections ?? SERVER_LIMITS.maxConnections;
  server.on('connection', (socket: SocketWithTimer) => {
    const timer = setTimeout(() => socket.destroy(), headersTimeout);
    timer.unref();
    socket[FIRST_REQUEST] = timer;
    socket.once('close', () => clearTimeout(timer));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closed: Promise<void> | undefined;
  return {
    server,
    url,
    outcomes,
    close(graceMs = 10_000) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const sweep = setInterval(() => server.closeIdleConnections(), 20);
        const hard = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(hard);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

/**
 * A lean HTTP/1.1 load generator for the local webhook: raw keep-alive sockets, one request in flight per
 * connection (as Telegram delivers), pre-built request bytes, minimal response parsing. node:http's
 * client costs more CPU per request than the server under test, so on a 2-core machine it would measure
 * itself; this one stays out of the way. Loopback only.
 *
 * As a script: `node --import tsx test/local/support/load.ts URL SECRET [updates] [connections]`.
 */
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** Body of the i-th request. */
  readonly body: (i: number) => string;
  readonly requests: number;
  readonly connections: number;
  /** Stop early after this long (ms). */
  readonly timeoutMs?: number;
  /** Called with each answer (index, status). */
  readonly onAnswer?: (i: number, status: number) => void;
}

export interface LoadFigures {
  readonly requests: number;
  readonly connections: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers by status; 0 = connection error. */
  readonly statuses: Record<string, number>;
}

const percentile = (sorted: Float64Array, p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Reads one HTTP response off the socket's buffered bytes; returns [status, bytesUsed] or undefined if incomplete. */
function parseResponse(buf: Buffer): [number, number] | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!m && /\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', end + 2);
    return last < 0 ? undefined : [status, last + 7];
  }
  const length = m ? Number(m[1]) : 0;
  if (buf.length < end + 4 + length) return undefined;
  return [status, end + 4 + length];
}

export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const target = new URL(options.url);
  const path = options.path ?? '/webhook';
  const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const head = `POST ${path} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\nconnection: keep-alive\r\n${extra}`;
  const latencies = new Float64Array(options.requests);
  const statuses: Record<string, number> = {};
  let next = 0;
  let done = 0;
  const deadline = performance.now() + (options.timeoutMs ?? 120_000);
  const started = performance.now();

  const worker = () =>
    new Promise<void>((resolve) => {
      let socket: Socket;
      let pending: Buffer = Buffer.alloc(0);
      let index = -1;
      let sentAt = 0;
      const count = (status: number) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        latencies[done++] = performance.now() - sentAt;
        options.onAnswer?.(index, status);
      };
      const send = (): void => {
        if (next >= options.requests || performance.now() > deadline) {
          index = -1;
          socket.end();
          return;
        }
        index = next++;
        const body = Buffer.from(options.body(index));
        sentAt = performance.now();
        socket.write(Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]));
      };
      const open = (): void => {
        pending = Buffer.alloc(0);
        socket = connect({ host: target.hostname, port: Number(target.port) }, send);
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          for (let r = parseResponse(pending); r; r = parseResponse(pending)) {
            pending = pending.subarray(r[1]);
            count(r[0]);
            send();
          }
        });
        socket.on('error', () => {});
        socket.on('close', () => {
          if (index >= 0) {
            // Reset or refused with a request in flight: an error answer, then reconnect.
            count(0);
            index = -1;
            if (next < options.requests && performance.now() < deadline) setTimeout(open, 5);
            else resolve();
          } else resolve();
        });
      };
      open();
    });

  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, done).sort();
  return {
    requests: done,
    connections: options.connections,
    seconds: round(seconds),
    perSecond: Math.round(done / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    statuses,
  };
}

/** A synthetic message update from a busy group (about 300 bytes, like a short text message). */
export const burstUpdate = (i: number, chatId: number, firstId = 1): string =>
  `{"update_id":${firstId + i},"message":{"message_id":${firstId + i},"from":{"id":${1000 + (i % 50)},"is_bot":false,"first_name":"U${i % 50}"},"chat":{"id":${chatId},"type":"supergroup","title":"Load"},"date":${1780000000 + Math.floor(i / 100)},"text":"burst message number ${i} 🚀"}}`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [url, secret, n = '20000', c = '40', chat = '-1001987654321'] = process.argv.slice(2);
  if (!url) {
    process.stderr.write('usage: load.ts URL SECRET [updates] [connections] [chat]\n');
    process.exit(2);
  }
  const first = Date.now() % 1e9;
  const figures = await runLoad({ url, headers: { 'x-telegram-bot-api-secret-token': secret ?? '' }, body: (i) => burstUpdate(i, Number(chat), first), requests: Number(n), connections: Number(c) });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

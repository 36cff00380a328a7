/**
 * The load generator: `connections` workers, each with its own keep-alive connection and one request at
 * a time, so exactly `connections` requests are in flight, as Telegram does with `max_connections`.
 * Bounded in count and in time. Transport `raw` (default): a lean HTTP/1.1 client on net.Socket
 * (raw-http.ts); `node-http`: one node:http Agent (keepAlive, maxSockets = connections), which costs
 * several times more client CPU per request.
 *
 * `retry: 'telegram'` re-sends an update until it gets a 2xx, as Telegram does (non-2xx and connection
 * errors alike), with a short pause; `stop()` ends the run early (the crash drill).
 */
import { Agent, request } from 'node:http';
import { RawConnection } from './raw-http';
import { percentile, round } from './stats';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface LoadOptions {
  /** Base URL (`http://127.0.0.1:PORT`); requests go to `${url}${path}`. */
  readonly url: string;
  readonly path?: string;
  /** Updates to deliver: indexes 0..count-1 (or the given indexes). */
  readonly count: number;
  readonly indexes?: readonly number[];
  readonly connections: number;
  /** The body of update `i`. */
  readonly body: (i: number) => string;
  readonly headers?: Record<string, string>;
  /** Hard wall-clock bound; the run stops issuing requests past it and reports `timedOut`. */
  readonly timeBudgetMs: number;
  readonly retry?: 'none' | 'telegram';
  /** Per-request timeout (a hung request counts as an error). */
  readonly requestTimeoutMs?: number;
  readonly transport?: 'raw' | 'node-http';
  /** Called with the index of every update answered 200. */
  readonly onAck?: (i: number) => void;
}

export interface LoadResult {
  /** Updates answered 200. */
  readonly ok: number;
  /** Requests sent, retries included. */
  readonly requests: number;
  /** Answers other than 200, by status (0: connection error or timeout). */
  readonly failures: Record<string, number>;
  readonly retries: number;
  readonly seconds: number;
  /** 200 answers per second. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly timedOut: boolean;
  readonly stopped: boolean;
  /** Every request's latency in ms (for pooling across rounds). */
  readonly latencies: Float64Array;
}

export interface LoadRun {
  readonly done: Promise<LoadResult>;
  /** Stop issuing requests; in-flight ones finish (or fail). */
  stop(): void;
}

function send(agent: Agent, url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number) => {
      if (!settled) {
        settled = true;
        resolve(status);
      }
    };
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => finish(res.statusCode ?? 0));
      res.on('error', () => finish(0));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
    req.on('error', () => finish(0));
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startLoad(o: LoadOptions): LoadRun {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const target = `${o.url}${o.path ?? '/webhook'}`;
  const raw = (o.transport ?? 'raw') === 'raw';
  const connectionsOpen: RawConnection[] = [];
  const headers = o.headers ?? {};
  const timeoutMs = o.requestTimeoutMs ?? 10_000;
  const total = o.indexes?.length ?? o.count;
  const latencies = new Float64Array(o.retry === 'telegram' ? total * 4 + 1024 : total);
  let lat = 0;
  let next = 0;
  let ok = 0;
  let requests = 0;
  let retries = 0;
  let stopped = false;
  let timedOut = false;
  const failures: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + o.timeBudgetMs;
  const record = (ms: number) => {
    if (lat < latencies.length) latencies[lat++] = ms;
  };

  const worker = async () => {
    const conn = raw ? new RawConnection(o.url) : undefined;
    if (conn) connectionsOpen.push(conn);
    const path = o.path ?? '/webhook';
    for (;;) {
      if (stopped) return;
      if (performance.now() > deadline) {
        timedOut = true;
        return;
      }
      if (next >= total) return;
      const slot = next++;
      const i = o.indexes ? o.indexes[slot]! : slot;
      const body = Buffer.from(o.body(i));
      for (let attempt = 0; ; attempt += 1) {
        const t = performance.now();
        const status = conn ? await conn.post(path, body, headers, timeoutMs) : await send(agent, target, body, headers, timeoutMs);
        record(performance.now() - t);
        requests += 1;
        if (status === 200) {
          ok += 1;
          o.onAck?.(i);
          break;
        }
        failures[status] = (failures[status] ?? 0) + 1;
        if (o.retry !== 'telegram' || stopped) break;
        if (performance.now() > deadline) {
          timedOut = true;
          return;
        }
        retries += 1;
        await sleep(Math.min(200, 2 + attempt * 10));
      }
    }
  };

  const done = Promise.all(Array.from({ length: o.connections }, worker)).then(() => {
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    for (const c of connectionsOpen) c.close();
    const all = latencies.slice(0, lat);
    const sorted = all.slice().sort();
    return {
      ok,
      requests,
      failures,
      retries,
      seconds: round(seconds, 3),
      perSecond: Math.round(ok / seconds),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(sorted[sorted.length - 1] ?? 0),
      timedOut,
      stopped,
      latencies: all,
    };
  });
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}

export const runLoad = (o: LoadOptions): Promise<LoadResult> => startLoad(o).done;

export interface InterleavedOptions {
  /** Base URLs of the servers compared, each with its own keep-alive connection. */
  readonly urls: readonly string[];
  readonly path?: string;
  /** Requests per server. */
  readonly count: number;
  /** The body of the `i`-th request overall (distinct across servers). */
  readonly body: (i: number) => string;
  readonly headers?: Record<string, string>;
  readonly timeBudgetMs: number;
  readonly requestTimeoutMs?: number;
}

/**
 * One request in flight at a time, taking turns between the servers (the first of each turn rotates),
 * so each server answers a sequence of requests as one busy chat sends them, and every server meets the
 * machine in the same state: a noisy neighbour, a CPU waking from idle or a warmed-up host hits all alike,
 * request by request, instead of whichever server's block of requests it happened to fall on. Raw client.
 */
export async function runInterleavedSequential(o: InterleavedOptions): Promise<LoadResult[]> {
  const path = o.path ?? '/webhook';
  const headers = o.headers ?? {};
  const timeoutMs = o.requestTimeoutMs ?? 10_000;
  const connections = o.urls.map((url) => new RawConnection(url));
  const latencies = o.urls.map(() => new Float64Array(o.count));
  const ok = o.urls.map(() => 0);
  const failures = o.urls.map((): Record<string, number> => ({}));
  const busyMs = o.urls.map(() => 0);
  const started = performance.now();
  let sent = 0;
  let timedOut = false;
  try {
    for (let round = 0; round < o.count; round += 1) {
      if (performance.now() - started > o.timeBudgetMs) {
        timedOut = true;
        break;
      }
      for (let k = 0; k < o.urls.length; k += 1) {
        const j = (round + k) % o.urls.length;
        const body = Buffer.from(o.body(sent++));
        const t = performance.now();
        const status = await connections[j]!.post(path, body, headers, timeoutMs);
        const ms = performance.now() - t;
        latencies[j]![round] = ms;
        busyMs[j]! += ms;
        if (status === 200) ok[j]! += 1;
        else failures[j]![status] = (failures[j]![status] ?? 0) + 1;
      }
    }
  } finally {
    for (const c of connections) c.close();
  }
  return o.urls.map((_, j) => {
    const all = latencies[j]!.slice(0, ok[j]! + Object.values(failures[j]!).reduce((a, b) => a + b, 0));
    const sorted = all.slice().sort();
    const seconds = busyMs[j]! / 1000;
    return {
      ok: ok[j]!,
      requests: all.length,
      failures: failures[j]!,
      retries: 0,
      // Time spent waiting on this server's answers: one connection's throughput is 1 / latency.
      seconds: round(seconds, 3),
      perSecond: seconds > 0 ? Math.round(ok[j]! / seconds) : 0,
      p50Ms: round(percentile(sorted, 50), 4),
      p99Ms: round(percentile(sorted, 99), 4),
      maxMs: round(sorted[sorted.length - 1] ?? 0, 4),
      timedOut,
      stopped: false,
      latencies: all,
    };
  });
}

/** Pools several rounds against one target into one figure: throughput over the summed time. */
export function pool(rounds: readonly LoadResult[]) {
  const ok = rounds.reduce((a, r) => a + r.ok, 0);
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  const n = rounds.reduce((a, r) => a + r.latencies.length, 0);
  const all = new Float64Array(n);
  let at = 0;
  for (const r of rounds) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  all.sort();
  const failures: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
  return {
    updates: ok,
    rounds: rounds.length,
    seconds: round(seconds, 2),
    perSecond: Math.round(ok / seconds),
    // Four decimals: a bare server answers in tens of microseconds here, and ratios are taken of these.
    p50Ms: round(percentile(all, 50), 4),
    p99Ms: round(percentile(all, 99), 4),
    maxMs: round(all[all.length - 1] ?? 0, 4),
    errors: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
  };
}

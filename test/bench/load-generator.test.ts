/**
 * The benchmark's load generator against real servers on 127.0.0.1: the interleaved one-connection run
 * sends exactly one request at a time, takes turns between the servers, counts non-200 answers as
 * failures, and `pool` merges its rounds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool, runInterleavedSequential } from '../../bench/lib/http-load';

interface Recorder {
  readonly server: Server;
  readonly url: string;
  readonly bodies: string[];
}

const log: string[] = [];
let inFlight = 0;
let maxInFlight = 0;

async function recorder(name: string, status: (body: string) => number): Promise<Recorder> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      log.push(name);
      // Answer a turn later, so an overlapping request would be seen in flight.
      setTimeout(() => {
        inFlight -= 1;
        const text = '{"ok":true}';
        res.writeHead(status(body), { 'content-type': 'application/json', 'content-length': text.length });
        res.end(text);
      }, 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

let a: Recorder;
let b: Recorder;

beforeAll(async () => {
  a = await recorder('a', () => 200);
  // Every fifth body this server gets is refused.
  b = await recorder('b', (body) => (Number(body) % 5 === 0 ? 503 : 200));
});

afterAll(async () => {
  for (const r of [a, b]) await new Promise((resolve) => r.server.close(resolve));
});

describe('runInterleavedSequential', () => {
  it('takes turns request by request, one in flight, every body once', async () => {
    const count = 40;
    const [ra, rb] = await runInterleavedSequential({ urls: [a.url, b.url], count, body: (i) => String(i), timeBudgetMs: 30_000 });
    expect(maxInFlight).toBe(1);
    // Turns: a b | b a | a b | ... (the first of each turn rotates).
    const expected = Array.from({ length: count }, (_, round) => (round % 2 === 0 ? ['a', 'b'] : ['b', 'a'])).flat();
    expect(log).toEqual(expected);
    const all = [...a.bodies, ...b.bodies].map(Number).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 2 * count }, (_, i) => i));
    expect(ra!.ok).toBe(count);
    expect(ra!.requests).toBe(count);
    expect(ra!.latencies).toHaveLength(count);
    const refused = b.bodies.filter((x) => Number(x) % 5 === 0).length;
    expect(refused).toBeGreaterThan(0);
    expect(rb!.failures).toEqual({ 503: refused });
    expect(rb!.ok).toBe(count - refused);
    // One connection's throughput is 1 / latency: answers over the time spent waiting for them.
    const waitedSeconds = ra!.latencies.reduce((x, y) => x + y, 0) / 1000;
    expect(ra!.latencies.every((ms) => ms > 0)).toBe(true);
    expect(ra!.perSecond).toBe(Math.round(count / waitedSeconds));
    const sorted = [...ra!.latencies].sort((x, y) => x - y);
    expect(ra!.p50Ms).toBeCloseTo(sorted[count / 2 - 1]!, 4);

    const pooled = pool([ra!, rb!]);
    expect(pooled.updates).toBe(2 * count - refused);
    expect(pooled.errors).toBe(refused);
    expect(pooled.failures).toEqual({ 503: refused });
  });
});

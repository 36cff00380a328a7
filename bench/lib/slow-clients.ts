/**
 * The slow-body attack on `tgpipe serve`, shared by the drill (test/drills/slow-clients.test.ts) and
 * `npm run bench -- --only reliability`: `connections` raw sockets without the secret, each declaring a
 * body of 1 MiB - 1 and sending it slowly, while one legitimate sender (with the secret) keeps
 * delivering. The server's resident memory is read from /proc (Linux): its peak (VmHWM) during the
 * attack and its RSS once the attackers are gone.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { round } from './stats';

export interface SlowBodyOptions {
  readonly url: string;
  readonly pid: number;
  readonly connections: number;
  /** Declared body size (default 1 MiB - 1: just under the server's buffering limit). */
  readonly bodyBytes?: number;
  /** Each attacker sends this much every `intervalMs` (default 64 KiB every 200 ms). */
  readonly chunkBytes?: number;
  readonly intervalMs?: number;
  /** The attack stops after this long (default 8 s). */
  readonly durationMs?: number;
  /** Sends a legitimate update (with the secret); resolves with its status (0: connection error). */
  readonly legit?: () => Promise<number>;
}

export interface SlowBodyResult {
  readonly connections: number;
  /** Attackers answered 401, and how long after their headers the slowest of them got it. */
  readonly answered401: number;
  readonly slowest401Ms: number;
  /** Attackers the server closed (or refused at once, over its connection cap) before the attack ended. */
  readonly closedByServer: number;
  /** The longest an attacker's connection stayed open. */
  readonly longestHeldMs: number;
  /** Body bytes the attackers managed to send in all. */
  readonly bytesSent: number;
  readonly rssBeforeMiB: number;
  /** Peak resident memory of the server process over its life so far (VmHWM). */
  readonly peakRssMiB: number;
  /** Resident memory once the attackers are gone (after a short settle). */
  readonly rssAfterMiB: number;
  /** Legitimate updates sent during the attack and how many got 200 (retried on errors, as Telegram does). */
  readonly legitSent: number;
  readonly legit200: number;
  readonly seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process's resident memory figures from /proc, in MiB (undefined where there is no /proc). */
export function processMemoryMiB(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: round(kib('VmRSS') / 1024, 1), peak: round(kib('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

export async function slowBodyAttack(o: SlowBodyOptions): Promise<SlowBodyResult> {
  const started = performance.now();
  const { hostname, port } = new URL(o.url);
  const bodyBytes = o.bodyBytes ?? 1024 * 1024 - 1;
  const chunk = Buffer.alloc(o.chunkBytes ?? 64 * 1024, 0x61);
  const duration = o.durationMs ?? 8_000;
  const before = processMemoryMiB(o.pid);
  let answered401 = 0;
  let slowest401 = 0;
  let closedByServer = 0;
  let longestHeld = 0;
  let bytesSent = 0;
  let over = false;
  const sockets: Socket[] = [];
  const attacker = (): Promise<void> =>
    new Promise((resolve) => {
      const opened = performance.now();
      const socket = connect({ host: hostname, port: Number(port) });
      sockets.push(socket);
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      socket.on('data', (d: Buffer) => {
        if (!answered && d.toString('latin1', 0, 12).startsWith('HTTP/1.1 401')) {
          answered = true;
          answered401 += 1;
          slowest401 = Math.max(slowest401, performance.now() - opened);
        }
      });
      socket.on('error', () => undefined);
      socket.once('close', () => {
        clearInterval(timer);
        if (!over) closedByServer += 1;
        longestHeld = Math.max(longestHeld, performance.now() - opened);
        resolve();
      });
      socket.once('connect', () => {
        socket.write(`POST /webhook HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
        timer = setInterval(() => {
          if (socket.destroyed || sent >= bodyBytes) return;
          const n = Math.min(chunk.length, bodyBytes - sent);
          socket.write(chunk.subarray(0, n));
          sent += n;
          bytesSent += n;
        }, o.intervalMs ?? 200);
      });
    });
  const attackers = Array.from({ length: o.connections }, attacker);
  let legitSent = 0;
  let legit200 = 0;
  const legitLoop = (async () => {
    if (!o.legit) return;
    await sleep(300);
    while (!over) {
      legitSent += 1;
      // Telegram retries one update until it gets a 2xx: count the update once it is answered 200.
      for (let attempt = 0; attempt < 50 && !over; attempt += 1) {
        if ((await o.legit()) === 200) {
          legit200 += 1;
          break;
        }
        await sleep(100);
      }
      await sleep(200);
    }
  })();
  await sleep(duration);
  over = true;
  for (const s of sockets) s.destroy();
  await Promise.all(attackers);
  await legitLoop;
  await sleep(1_000);
  const after = processMemoryMiB(o.pid);
  return {
    connections: o.connections,
    answered401,
    slowest401Ms: round(slowest401, 1),
    closedByServer,
    longestHeldMs: round(longestHeld, 0),
    bytesSent,
    rssBeforeMiB: before?.rss ?? NaN,
    peakRssMiB: after?.peak ?? NaN,
    rssAfterMiB: after?.rss ?? NaN,
    legitSent,
    legit200,
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

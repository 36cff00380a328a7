/**
 * Keeps a replay to a share of the stream's quota, so live webhooks keep going through. Firehose's
 * Direct PUT quota is per second and three-fold (records/s, requests/s, bytes/s, combined over PutRecord
 * and PutRecordBatch), so the limiter holds all three.
 *
 * It is a token bucket whose tokens come back exactly one second after they were spent (a sliding
 * one-second window): in no window of one second does the replay send more than its share, bursts
 * included. A plain bucket holding a second's worth lets twice the rate through in the second after an
 * idle one. A single call larger than the share (one record bigger than the byte share) waits until the
 * window is empty and then goes alone. The clock and sleep are injectable: tests run on simulated time.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface Rate {
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly requestsPerSecond: number;
}

/**
 * Firehose Direct PUT default quotas per stream (Amazon Data Firehose quota page): 500,000 records/s,
 * 2,000 requests/s and 5 MiB/s in us-east-1, us-west-2 and eu-west-1; 100,000 records/s, 1,000
 * requests/s and 1 MiB/s in the other regions. The smaller set is the default: it is safe everywhere.
 */
export const FIREHOSE_DEFAULT_QUOTA: Rate = { recordsPerSecond: 100_000, bytesPerSecond: 1024 * 1024, requestsPerSecond: 1_000 };
export const FIREHOSE_LARGE_REGION_QUOTA: Rate = { recordsPerSecond: 500_000, bytesPerSecond: 5 * 1024 * 1024, requestsPerSecond: 2_000 };
export const DEFAULT_SHARE = 0.5;

/** `share` of `quota`, each dimension; `recordsPerSecond` may be capped further (`--rate`). */
export function shareOf(quota: Rate, share: number, recordsCap?: number): Rate {
  if (!(share > 0 && share <= 1)) throw new Error(`share must be in (0, 1], got ${share}`);
  const records = quota.recordsPerSecond * share;
  return {
    recordsPerSecond: recordsCap !== undefined ? Math.min(records, recordsCap) : records,
    bytesPerSecond: quota.bytesPerSecond * share,
    requestsPerSecond: quota.requestsPerSecond * share,
  };
}

const WINDOW_MS = 1000;

export class RateLimiter {
  /** Sends of the last second: time, records, bytes. */
  private readonly window: Array<{ at: number; records: number; bytes: number }> = [];
  /** Simulated or real time spent waiting, for the summary. */
  waitedMs = 0;

  constructor(
    readonly rate: Rate,
    private readonly clock: Clock = realClock,
  ) {
    for (const [k, v] of Object.entries(rate)) if (!(v > 0)) throw new Error(`rate ${k} must be positive, got ${v}`);
  }

  private prune(now: number): void {
    while (this.window.length > 0 && this.window[0]!.at <= now - WINDOW_MS) this.window.shift();
  }

  /** How long until a call of `records` and `bytes` fits in the window (0: now). */
  private waitFor(now: number, records: number, bytes: number): number {
    if (this.window.length === 0) return 0; // a call larger than the share goes alone
    let r = records;
    let b = bytes;
    let q = 1;
    for (const e of this.window) {
      r += e.records;
      b += e.bytes;
      q += 1;
    }
    if (r <= this.rate.recordsPerSecond && b <= this.rate.bytesPerSecond && q <= this.rate.requestsPerSecond) return 0;
    // Drop the oldest sends until the call fits (or the window is empty): it can go when that one expires.
    for (const e of this.window) {
      r -= e.records;
      b -= e.bytes;
      q -= 1;
      if ((r <= this.rate.recordsPerSecond && b <= this.rate.bytesPerSecond && q <= this.rate.requestsPerSecond) || q === 1) {
        return Math.max(1, e.at + WINDOW_MS - now);
      }
    }
    return 1;
  }

  /** Waits until one call of `records` and `bytes` keeps within the rate, then counts it. */
  async take(records: number, bytes: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.prune(now);
      const wait = this.waitFor(now, records, bytes);
      if (wait === 0) {
        this.window.push({ at: now, records, bytes });
        return;
      }
      this.waitedMs += wait;
      await this.clock.sleep(wait);
    }
  }
}

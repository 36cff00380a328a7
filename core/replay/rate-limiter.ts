/**
 * Token buckets over records/s and bytes/s, so a replay takes only a share of the stream's quota and live
 * webhooks keep going through. The clock and sleep are injectable for tests.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export class RateLimiter {
  private records: number;
  private bytes: number;
  private last: number;

  constructor(
    readonly recordsPerSecond: number,
    readonly bytesPerSecond: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(recordsPerSecond > 0) || !(bytesPerSecond > 0)) throw new Error('rate limits must be positive');
    this.records = recordsPerSecond;
    this.bytes = bytesPerSecond;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    this.records = Math.min(this.recordsPerSecond, this.records + elapsed * this.recordsPerSecond);
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + elapsed * this.bytesPerSecond);
  }

  /** Waits until `records` and `bytes` may be sent, then takes them. */
  async take(records: number, bytes: number): Promise<void> {
    for (;;) {
      this.refill();
      const needRecords = Math.min(records, this.recordsPerSecond);
      const needBytes = Math.min(bytes, this.bytesPerSecond);
      if (this.records >= needRecords && this.bytes >= needBytes) {
        this.records -= records;
        this.bytes -= bytes;
        return;
      }
      const wait = Math.max((needRecords - this.records) / this.recordsPerSecond, (needBytes - this.bytes) / this.bytesPerSecond) * 1000;
      await this.clock.sleep(Math.ceil(wait));
    }
  }
}

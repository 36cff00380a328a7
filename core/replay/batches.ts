/**
 * PutRecordBatch batching within Firehose's limits: at most 500 records and 4 MiB per call, 1,000 KiB per
 * record (PutRecordBatch API reference; the limits cannot be raised). Pure: records in, batches out, in
 * input order; records over the per-record limit are returned apart, never dropped silently.
 */
export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
}

/** The same numbers as the adapter's FIREHOSE_LIMITS (a test keeps them equal); the core stays SDK-free. */
export const FIREHOSE_BATCH_LIMITS: BatchLimits = { maxRecords: 500, maxBatchBytes: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 };

/**
 * Batch limits for a rate: a call never carries more than one second's share of records or bytes, so a
 * single call cannot burst over the share (a record larger than the byte share still goes, alone).
 */
export function limitsForRate(rate: { readonly recordsPerSecond: number; readonly bytesPerSecond: number } | undefined, limits: BatchLimits = FIREHOSE_BATCH_LIMITS): BatchLimits {
  if (!rate) return limits;
  return {
    maxRecords: Math.max(1, Math.min(limits.maxRecords, Math.floor(rate.recordsPerSecond))),
    maxBatchBytes: Math.max(1, Math.min(limits.maxBatchBytes, Math.floor(rate.bytesPerSecond))),
    maxRecordBytes: limits.maxRecordBytes,
  };
}

/**
 * Incremental batcher: `add` returns the batch that is full once the next record does not fit in it.
 * A record alone in a batch may exceed `maxBatchBytes` only when `maxBatchBytes` is below
 * `maxRecordBytes` (a rate-derived limit); it never exceeds `maxRecordBytes`.
 */
export class Batcher<T> {
  private current: T[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits = FIREHOSE_BATCH_LIMITS) {}

  /** Whether a record of this size can be sent at all. */
  fits(size: number): boolean {
    return size <= this.limits.maxRecordBytes;
  }

  /** Adds a record (size must fit); returns the previous batch when this record starts a new one. */
  add(record: T, size: number): T[] | undefined {
    if (!this.fits(size)) throw new Error(`record of ${size} bytes is over the ${this.limits.maxRecordBytes}-byte limit`);
    let full: T[] | undefined;
    if (this.current.length > 0 && (this.current.length >= this.limits.maxRecords || this.bytes + size > this.limits.maxBatchBytes)) {
      full = this.current;
      this.current = [];
      this.bytes = 0;
    }
    this.current.push(record);
    this.bytes += size;
    return full;
  }

  /** The records not yet returned in a batch. */
  get pending(): readonly T[] {
    return this.current;
  }

  /** Returns the last, partial batch (undefined when empty). */
  drain(): T[] | undefined {
    if (this.current.length === 0) return undefined;
    const last = this.current;
    this.current = [];
    this.bytes = 0;
    return last;
  }
}

export interface Batched<T> {
  readonly batches: T[][];
  readonly oversized: T[];
}

/** All records at once: batches in input order, and the records too large to send. */
export function batchRecords<T>(records: readonly T[], sizeOf: (r: T) => number, limits: BatchLimits = FIREHOSE_BATCH_LIMITS): Batched<T> {
  const batcher = new Batcher<T>(limits);
  const batches: T[][] = [];
  const oversized: T[] = [];
  for (const r of records) {
    const size = sizeOf(r);
    if (!batcher.fits(size)) {
      oversized.push(r);
      continue;
    }
    const full = batcher.add(r, size);
    if (full) batches.push(full);
  }
  const last = batcher.drain();
  if (last) batches.push(last);
  return { batches, oversized };
}

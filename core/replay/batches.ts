/**
 * PutRecordBatch batching within Firehose's limits: at most 500 records and 4 MiB per call, 1,000 KiB per
 * record. Pure: records in, batches out; oversized records are returned apart, never dropped silently.
 */
export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
}

export const FIREHOSE_BATCH_LIMITS: BatchLimits = { maxRecords: 500, maxBatchBytes: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 };

export interface Batched<T> {
  readonly batches: T[][];
  readonly oversized: T[];
}

export function batchRecords<T>(records: readonly T[], sizeOf: (r: T) => number, limits: BatchLimits = FIREHOSE_BATCH_LIMITS): Batched<T> {
  const batches: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = sizeOf(r);
    if (size > limits.maxRecordBytes) {
      oversized.push(r);
      continue;
    }
    if (current.length > 0 && (current.length >= limits.maxRecords || bytes + size > limits.maxBatchBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

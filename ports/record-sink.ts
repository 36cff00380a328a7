/**
 * Where the webhook puts envelope lines: Firehose on AWS, the local buffered stand-in on one machine.
 * `put` resolves only once the record is durable (Firehose accepted it, or it is on disk locally), so
 * the webhook can answer 200.
 */
export interface RecordSink {
  put(line: string): Promise<void>;
  /**
   * Puts many lines; resolves with the indexes of the lines that were not accepted (empty when all
   * were), so callers re-send only those.
   */
  putBatch(lines: readonly string[]): Promise<{ failed: number[]; errors: string[] }>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}

/** Raised by a sink when the record was not stored; the webhook answers 503 so Telegram retries. */
export class SinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
  }
}

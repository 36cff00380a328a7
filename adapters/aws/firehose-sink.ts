/**
 * RecordSink on Kinesis Data Firehose. `put` is one PutRecord; `putBatch` one PutRecordBatch call whose
 * failed entries are reported by index, so callers re-send only those.
 */
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { SinkError, type RecordSink } from '../../ports/record-sink';

/** Firehose limits (per record and per PutRecordBatch call). */
export const FIREHOSE_LIMITS = {
  maxRecordBytes: 1000 * 1024,
  maxBatchRecords: 500,
  maxBatchBytes: 4 * 1024 * 1024,
} as const;

export class FirehoseSink implements RecordSink {
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly client: FirehoseClient,
    private readonly streamName: string,
  ) {}

  async put(line: string): Promise<void> {
    try {
      await this.client.send(new PutRecordCommand({ DeliveryStreamName: this.streamName, Record: { Data: this.encoder.encode(line) } }));
    } catch (error) {
      throw new SinkError(`Firehose PutRecord failed: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
  }

  async putBatch(lines: readonly string[]): Promise<{ failed: number[]; errors: string[] }> {
    const response = await this.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: this.streamName,
        Records: lines.map((line) => ({ Data: this.encoder.encode(line) })),
      }),
    );
    const failed: number[] = [];
    const errors: string[] = [];
    if ((response.FailedPutCount ?? 0) > 0) {
      (response.RequestResponses ?? []).forEach((entry, index) => {
        if (entry.ErrorCode) {
          failed.push(index);
          errors.push(`${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`);
        }
      });
    }
    return { failed, errors };
  }

  async close(): Promise<void> {}
}

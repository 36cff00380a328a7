/**
 * Replay Lambda, for operators without a laptop:
 *   aws lambda invoke --function-name <ReplayFunction> --cli-binary-format raw-in-base64-out \
 *     --payload '{"from":"2026-03-01","to":"2026-03-02","source":"errors"}' out.json
 * Puts the raw objects (or Firehose error output) of each day back onto the delivery stream.
 * Environment: RAW_BUCKET, DELIVERY_STREAM_NAME, CONTEXT_UTC_OFFSET, REPLAY_RECORDS_PER_SECOND, REPLAY_BYTES_PER_SECOND.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { dateRange, parseUtcOffset } from '../core/context-date';
import { createLogger } from '../core/log';
import { RateLimiter } from '../core/replay/rate-limiter';
import { replayDay, type ReplaySource } from '../core/replay/stream-replay';
import { FirehoseSink } from '../adapters/aws/firehose-sink';
import { S3ObjectStore } from '../adapters/aws/s3-store';

export interface ReplayEvent {
  readonly from: string;
  readonly to: string;
  readonly source?: ReplaySource;
  readonly dryRun?: boolean;
}

export const handler = async (event: ReplayEvent) => {
  const days = dateRange(event.from, event.to);
  const logger = createLogger({ service: 'replay' });
  const deps = {
    raw: new S3ObjectStore(new S3Client({}), process.env.RAW_BUCKET ?? ''),
    sink: new FirehoseSink(new FirehoseClient({ maxAttempts: 1 }), process.env.DELIVERY_STREAM_NAME ?? ''),
    logger,
    utcOffsetMinutes: parseUtcOffset(process.env.CONTEXT_UTC_OFFSET ?? '-03:00'),
    // Half of Firehose's smallest regional direct-put quota unless configured.
    limiter: new RateLimiter(Number(process.env.REPLAY_RECORDS_PER_SECOND ?? 50_000), Number(process.env.REPLAY_BYTES_PER_SECOND ?? 512 * 1024)),
  };
  const days_ = [];
  for (const day of days) {
    const s = await replayDay(day, event.source ?? 'raw', deps, { dryRun: event.dryRun });
    days_.push({ ...s, unsent: s.unsent.length });
    if (s.unsent.length > 0) throw new Error(`replay of ${day}: ${s.unsent.length} records not sent after the retry budget; invoke again`);
  }
  return { days: days_ };
};

/**
 * Replay (reprocessing, issue 7): a Lambda that puts raw objects or Firehose error output of a day range
 * back onto the delivery stream, for operators without a laptop (`aws lambda invoke`, see the README).
 * It belongs to raw landing: it reads the raw bucket and feeds the same stream.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIREHOSE_ERROR_PREFIX, RAW_PREFIX } from '../schemas/layout';
import { removalPolicyOf } from './buckets';
import type { StackConfig } from './config';
import { PipelineFunction } from './lambda';
import { acknowledgePrefixGrants } from './nag';

export interface ReplayProps {
  readonly config: StackConfig;
  readonly rawBucket: s3.IBucket;
  readonly deliveryStream: firehose.IDeliveryStream;
}

export class Replay extends Construct {
  readonly function: PipelineFunction;

  constructor(scope: Construct, id: string, props: ReplayProps) {
    super(scope, id);
    this.function = new PipelineFunction(this, 'Replay', {
      entry: 'handlers/replay.ts',
      description: 'Replay: raw objects or Firehose error output of a day range back onto the delivery stream',
      memoryMiB: 1024,
      timeout: Duration.minutes(15),
      logRetentionDays: props.config.logRetentionDays,
      removalPolicy: removalPolicyOf(false),
      environment: {
        RAW_BUCKET: props.rawBucket.bucketName,
        DELIVERY_STREAM_NAME: props.deliveryStream.deliveryStreamName,
        CONTEXT_UTC_OFFSET: props.config.utcOffset,
      },
      // Invoked by an operator, synchronously: no automatic retries of a long replay.
      retryAttempts: 0,
    });
    const role = this.function.role;
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListRaw', actions: ['s3:ListBucket'], resources: [props.rawBucket.bucketArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRawAndErrors',
        actions: ['s3:GetObject'],
        resources: [props.rawBucket.arnForObjects(`${RAW_PREFIX}*`), props.rawBucket.arnForObjects(`${FIREHOSE_ERROR_PREFIX}*`)],
      }),
    );
    props.deliveryStream.grantPutRecords(role);
    acknowledgePrefixGrants(role, props.rawBucket, [RAW_PREFIX, FIREHOSE_ERROR_PREFIX],
      'Replay reads objects whose names Firehose chose: the grant is limited to the raw and errors/ prefixes, read only.');
  }
}

/**
 * Enrichment: an EventBridge Scheduler schedule runs the enrichment Lambda once a day, after midnight in
 * the configured time zone and late enough for Firehose's last buffers of the day to land. The Lambda
 * derives D-1 from the scheduled time it is given (not from its clock), so a retry hours later still
 * builds the right day. Failed runs (after the Scheduler's and Lambda's own retries) land in a queue.
 */
import { Duration, Size, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENRICHED_TABLES } from '../schemas';
import { ATHENA_RESULTS_PREFIX, DAMAGE_NOTE_SUFFIX, DAMAGED_PREFIX, MANIFEST_PREFIX, QUARANTINE_PREFIX, RAW_PREFIX, tablePrefix } from '../schemas/layout';
import { removalPolicyOf } from './buckets';
import type { StackConfig } from './config';
import { PipelineFunction } from './lambda';
import { acknowledgePrefixGrants, objectArnFinding } from './nag';

export interface EnrichmentProps {
  readonly config: StackConfig;
  readonly rawBucket: s3.IBucket;
  readonly enrichedBucket: s3.IBucket;
  readonly database: glue.IDatabase;
  readonly tables: readonly glue.ITable[];
  readonly workGroupName: string;
  readonly workGroupArn: string;
}

/** What the schedule sends: the enrichment reads D-1 from `time` (DESIGN.md; issue 5). */
export const SCHEDULE_INPUT = { source: 'schedule', time: scheduler.ContextAttribute.scheduledTime } as const;

export class Enrichment extends Construct {
  readonly function: PipelineFunction;
  readonly failureQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: EnrichmentProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the schedule and of the Lambda\'s asynchronous invocations.',
    });

    this.function = new PipelineFunction(this, 'Enrichment', {
      entry: 'handlers/enrichment.ts',
      description: 'Daily enrichment: raw envelopes of a day -> Parquet tables, partitions registered in Athena',
      memoryMiB: 2048,
      timeout: Duration.minutes(15),
      // Parquet files are assembled in /tmp before their multipart upload.
      ephemeralStorage: Size.gibibytes(4),
      logRetentionDays: config.logRetentionDays,
      removalPolicy: removalPolicyOf(false),
      environment: {
        RAW_BUCKET: props.rawBucket.bucketName,
        ENRICHED_BUCKET: props.enrichedBucket.bucketName,
        ATHENA_WORKGROUP: props.workGroupName,
        GLUE_DATABASE: props.database.databaseName,
        CONTEXT_UTC_OFFSET: config.utcOffset,
        LOOKBACK_DAYS: String(config.lookbackDays),
      },
      // Asynchronous invocations (the schedule): Lambda retries twice, then the event goes to the queue.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failureQueue),
    });
    const role = this.function.role;

    const enrichedWritable = [...ENRICHED_TABLES.map((t) => tablePrefix(t.name)), MANIFEST_PREFIX, QUARANTINE_PREFIX];
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListBuckets',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [props.rawBucket.bucketArn, props.enrichedBucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRaw',
        actions: ['s3:GetObject'],
        // The day's objects, and the notes `tgpipe repair` leaves for the objects it rewrote (not the
        // damaged originals beside them): the enrichment quarantines what a repair set aside.
        resources: [props.rawBucket.arnForObjects(`${RAW_PREFIX}*`), props.rawBucket.arnForObjects(`${DAMAGED_PREFIX}${RAW_PREFIX}*${DAMAGE_NOTE_SUFFIX}`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteEnriched',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: enrichedWritable.map((prefix) => props.enrichedBucket.arnForObjects(`${prefix}*`)),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AthenaResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [props.enrichedBucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AthenaQueries',
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [props.workGroupArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'GluePartitions',
        // What Athena's ALTER TABLE ... ADD IF NOT EXISTS PARTITION needs, on this catalog, database and tables only.
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
        ],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          props.database.databaseArn,
          ...props.tables.map((t) => t.tableArn),
        ],
      }),
    );

    acknowledgePrefixGrants(role, props.rawBucket, [RAW_PREFIX], 'The enrichment reads every raw object of a day; it reads the raw prefix only.');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${objectArnFinding(props.rawBucket, `${DAMAGED_PREFIX}${RAW_PREFIX}*${DAMAGE_NOTE_SUFFIX}`)}]`,
      reason: 'The enrichment reads the damage notes tgpipe repair writes (what it set aside), not the damaged originals.',
    });
    acknowledgePrefixGrants(
      role,
      props.enrichedBucket,
      [...enrichedWritable, ATHENA_RESULTS_PREFIX],
      'The enrichment writes one Parquet file per table and day, manifests and quarantined lines, and Athena writes query results: each grant is limited to its folder.',
    );

    // Our own role for the schedule, so its one permission (invoke this function) is acknowledged here.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invokes the enrichment Lambda, dead letters to the failure queue',
    });
    const functionArn = stack.resolve(this.function.function.functionArn) as { 'Fn::GetAtt'?: [string, string] };
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionArn['Fn::GetAtt']?.[0]}.Arn>:*]`,
      reason: 'The Scheduler target grant covers the function and its versions/aliases (ARN:*), as the CDK LambdaInvoke target writes it.',
    });

    this.schedule = new scheduler.Schedule(this, 'DailySchedule', {
      description: 'Builds yesterday (in the configured offset) from the raw bucket',
      schedule: scheduler.ScheduleExpression.expression(config.scheduleCron, TimeZone.of(config.scheduleTimeZone)),
      target: new targets.LambdaInvoke(this.function.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject(SCHEDULE_INPUT),
        // The Scheduler's own retries cover failures to invoke (throttling, service errors).
        retryAttempts: 10,
        maxEventAge: Duration.hours(12),
        deadLetterQueue: this.failureQueue,
      }),
    });
  }
}

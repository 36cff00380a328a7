/**
 * Raw landing: the raw bucket and the Firehose delivery stream that writes the webhook's envelopes into
 * it, one folder per `context_date` (dynamic partitioning reads the envelope's own field, so replayed
 * records land in their original day). Also the log bucket that receives every bucket's access logs.
 */
import { CfnMapping, Duration, Lazy, Size, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIREHOSE_ERROR_PREFIX, RAW_PREFIX } from '../schemas/layout';
import { dataBucket, removalPolicyOf } from './buckets';
import type { StackConfig } from './config';
import { acknowledgePrefixGrants } from './nag';

/** The partition key Firehose extracts; the only field of the envelope it reads. */
export const PARTITION_QUERY = { context_date: '.context_date' } as const;
export const RAW_DATA_PREFIX = `${RAW_PREFIX}context_date=!{partitionKeyFromQuery:context_date}/`;
export const RAW_ERROR_PREFIX = `${FIREHOSE_ERROR_PREFIX}!{firehose:error-output-type}/date=!{timestamp:yyyy-MM-dd}/`;

/** The CfnMapping id the Firehose L2 looks up (aws-kinesisfirehose, setConnections). */
const FIREHOSE_CIDR_MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';

/**
 * The Firehose L2 looks up Firehose's CIDR block for the stack's region in CDK's region table, for the
 * security groups of VPC destinations (Redshift, OpenSearch), even for an S3 destination; a region the
 * table lacks (ap-southeast-6, me-west-1, mx-central-1 today) fails the synth. Such a region gets an
 * entry that is never rendered: this stack has no VPC destination, and if one were ever added the
 * synth would fail with this message instead of deploying a guessed address range.
 */
function firehoseCidrBlockFor(stack: Stack): void {
  if (Token.isUnresolved(stack.region) || RegionInfo.get(stack.region).firehoseCidrBlock || stack.node.tryFindChild(FIREHOSE_CIDR_MAPPING_ID)) return;
  const known = Object.fromEntries(
    RegionInfo.regions.filter((r) => r.firehoseCidrBlock).map((r) => [r.name, { FirehoseCidrBlock: r.firehoseCidrBlock! }]),
  );
  const unknown = Lazy.string({
    produce: () => {
      throw new Error(`Firehose's CIDR block for ${stack.region} is not in CDK's region table: a VPC destination needs it (see infra/raw-landing.ts)`);
    },
  });
  new CfnMapping(stack, FIREHOSE_CIDR_MAPPING_ID, { mapping: { ...known, [stack.region]: { FirehoseCidrBlock: unknown } }, lazy: true });
}

export interface RawLandingProps {
  readonly config: StackConfig;
}

export class RawLanding extends Construct {
  readonly logBucket: s3.Bucket;
  readonly rawBucket: s3.Bucket;
  readonly deliveryStream: firehose.DeliveryStream;
  readonly deliveryLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RawLandingProps) {
    super(scope, id);
    const { config } = props;

    this.logBucket = dataBucket(this, 'AccessLogBucket', {
      retainData: config.retainData,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(Math.max(config.logRetentionDays, 1)) }],
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would log every log delivery.',
    });

    this.rawBucket = dataBucket(this, 'RawBucket', {
      retainData: config.retainData,
      accessLogs: this.logBucket,
      accessLogsPrefix: 'raw/',
      // The raw bucket is the durable copy of everything received: keep overwritten or deleted objects a while.
      versioned: true,
      lifecycleRules: [
        {
          id: 'raw-to-intelligent-tiering',
          prefix: RAW_PREFIX,
          // Intelligent-Tiering (not Standard-IA): Firehose objects of a quiet group are small, and IA bills
          // every object as at least 128 KiB while Intelligent-Tiering leaves small objects in its frequent tier.
          transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(config.rawTransitionDays) }],
        },
      ],
    });

    // Monitoring listens (EventBridge) for objects Firehose writes under errors/. Set on the CfnBucket:
    // the L2's eventBridgeEnabled adds a custom-resource Lambda with a bucket-wide managed policy for it.
    (this.rawBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.deliveryLogGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyOf(false),
    });

    // Our own role with the documented Firehose-to-S3 permissions, scoped to the two prefixes it writes.
    // The L2 would add bucket-wide grantReadWrite (s3:DeleteObject*, s3:Abort*, ...) to a role it can
    // change, so it gets a view of this role that ignores grants.
    const role = new iam.Role(this, 'DeliveryRole', {
      // The trust policy of the Firehose developer guide ("Allow Firehose to assume an IAM role"):
      // sts:ExternalId is the account id, which Firehose passes when it assumes the role.
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': this.rawBucket.stack.account } },
      }),
      description: 'Firehose delivery of webhook envelopes to the raw bucket',
    });
    const policy = new iam.Policy(this, 'DeliveryPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'Bucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [this.rawBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'Objects',
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          resources: [this.rawBucket.arnForObjects(`${RAW_PREFIX}*`), this.rawBucket.arnForObjects(`${FIREHOSE_ERROR_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'DeliveryLogs',
          actions: ['logs:PutLogEvents'],
          resources: [this.deliveryLogGroup.logGroupArn],
        }),
      ],
    });
    acknowledgePrefixGrants(policy, this.rawBucket, [RAW_PREFIX, FIREHOSE_ERROR_PREFIX],
      'Firehose names its objects at delivery time: the grant is limited to the raw and errors/ prefixes.');

    firehoseCidrBlockFor(Stack.of(this));
    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      // Server-side encryption of the records while Firehose holds them (direct PUT stream).
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(this.rawBucket, {
        role: role.withoutPolicyUpdates(),
        dynamicPartitioning: { enabled: true, retryDuration: Duration.seconds(300) },
        processors: [firehose.MetadataExtractionProcessor.jq16({ ...PARTITION_QUERY })],
        dataOutputPrefix: RAW_DATA_PREFIX,
        errorOutputPrefix: RAW_ERROR_PREFIX,
        // The error folders are named by arrival date in the operator's time zone (replay reads them by day).
        timeZone: TimeZone.of(config.scheduleTimeZone),
        compression: firehose.Compression.GZIP,
        fileExtension: '.json.gz',
        bufferingInterval: Duration.seconds(config.bufferingIntervalSeconds),
        bufferingSize: Size.mebibytes(config.bufferingSizeMiB),
        loggingConfig: new firehose.EnableLogging(this.deliveryLogGroup),
      }),
    });
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: 'The Firehose L2 always adds its CIDR-block mapping; only VPC destinations (Redshift, OpenSearch) reference it, and this stream writes to S3.',
    });
    // The L2 adds the delivery log stream with the default Retain; it lives in a log group that goes with the stack.
    for (const c of this.deliveryLogGroup.node.findAll()) if (c instanceof logs.CfnLogStream) c.applyRemovalPolicy(removalPolicyOf(false));
    // Firehose checks its role's permissions when the stream is created.
    this.deliveryStream.node.addDependency(policy);
  }
}

/**
 * The stack's buckets share one baseline: Block Public Access, SSE-S3 encryption, a TLS-only bucket
 * policy (TLS 1.2 minimum), object ownership enforced, server access logs to the log bucket, and a removal
 * policy that keeps the data unless `retainData` is false.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface DataBucketProps {
  readonly retainData: boolean;
  /** Bucket receiving the server access logs; undefined only for the log bucket itself. */
  readonly accessLogs?: s3.IBucket;
  readonly accessLogsPrefix?: string;
  readonly versioned?: boolean;
  readonly lifecycleRules?: s3.LifecycleRule[];
  readonly eventBridgeEnabled?: boolean;
}

export function removalPolicyOf(retainData: boolean): RemovalPolicy {
  return retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

export function dataBucket(scope: Construct, id: string, props: DataBucketProps): s3.Bucket {
  const lifecycleRules: s3.LifecycleRule[] = [
    // Firehose writes large objects in parts; an interrupted upload would otherwise be billed forever.
    { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ...(props.versioned ? [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }] : []),
    ...(props.lifecycleRules ?? []),
  ];
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: props.versioned ?? false,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: props.accessLogs ? props.accessLogsPrefix : undefined,
    lifecycleRules,
    eventBridgeEnabled: props.eventBridgeEnabled,
    removalPolicy: removalPolicyOf(props.retainData),
    // Deleting the stack with retainData=false empties the buckets first (a CDK custom resource).
    autoDeleteObjects: !props.retainData,
  });
}

/**
 * cdk-nag acknowledgements that name resources: AwsSolutions-IAM5 reports each wildcard resource by its
 * template form (`<LogicalId.Arn>/prefix/*`), so the ids are computed from the constructs, never typed.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** The cdk-nag form of `bucket.arnForObjects(prefix + '*')`. */
export function objectArnFinding(bucket: s3.IBucket, pattern: string): string {
  const arn = Stack.of(bucket).resolve(bucket.bucketArn) as { 'Fn::GetAtt'?: [string, string] };
  const getAtt = arn['Fn::GetAtt'];
  if (!getAtt) throw new Error('objectArnFinding: the bucket is not defined in this stack');
  return `Resource::<${getAtt[0]}.${getAtt[1]}>/${pattern}`;
}

/** Acknowledges IAM5 for object grants limited to the given key prefixes of a bucket. */
export function acknowledgePrefixGrants(scope: IConstruct, bucket: s3.IBucket, prefixes: readonly string[], reason: string): void {
  for (const prefix of prefixes) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${objectArnFinding(bucket, `${prefix}*`)}]`, reason });
  }
}

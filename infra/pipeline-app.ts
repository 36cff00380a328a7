/**
 * Builds the CDK app: the stack from context, and cdk-nag's AwsSolutions checks as a validation plugin
 * (a violation that is not acknowledged in code, with its reason, fails the synth). Used by infra/app.ts
 * and by the tests, so both synthesize exactly the same thing.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackConfig } from './config';
import { PipelineStack } from './stack';

/** Feature flags the stack relies on (also in cdk.json). */
export const FEATURE_FLAGS = {
  // Server access logs delivered through a bucket policy, not ACLs (the buckets enforce object ownership).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

export const DEFAULT_STACK_NAME = 'TelegramPipeline';

export interface BuiltApp {
  readonly app: App;
  readonly stack: PipelineStack;
  readonly nag: AwsSolutionsChecks;
}

export interface BuildOptions {
  /** Add cdk-nag as a validation plugin (fails the synth on a finding); default true. */
  readonly nag?: boolean;
  /** The stack's account and region (default: CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, as the CDK CLI sets them). */
  readonly env?: { readonly account?: string; readonly region?: string };
}

export function buildApp(props: AppProps = {}, options: BuildOptions = {}): BuiltApp {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  const stackName = String(app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME);
  const stack = new PipelineStack(app, stackName, {
    stackName,
    description: 'Telegram group analytics: webhook -> Firehose -> S3 raw -> daily Parquet -> Glue/Athena',
    config,
    env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  const nag = new AwsSolutionsChecks(app);
  if (options.nag !== false) Validations.of(app).addPlugins(nag);
  return { app, stack, nag };
}

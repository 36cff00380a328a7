/**
 * Every Lambda of the stack is built the same way: a NodejsFunction bundled locally by esbuild from
 * devDependencies (no Docker), Node 24 on arm64, minified ESM, its own log group with the configured
 * retention, and its own role whose only log permission is writing to that log group (instead of the
 * AWSLambdaBasicExecutionRole managed policy, which allows every log group in the account).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_TARGET, BUNDLE_TSCONFIG, RUNTIME_PROVIDED } from './bundling';

/** The repository root (this file is infra/lambda.ts). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface PipelineFunctionProps {
  /** Entry file, relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly environment?: Record<string, string>;
  readonly reservedConcurrentExecutions?: number;
  readonly ephemeralStorage?: Size;
  readonly paramsAndSecrets?: lambda.ParamsAndSecretsLayerVersion;
  /** Lambda's own retries of asynchronous invocations (scheduled runs). */
  readonly retryAttempts?: number;
  readonly maxEventAge?: Duration;
  readonly onFailure?: lambda.IDestination;
}

export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // Log streams are created by Lambda at run time: their names are not known here.
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ephemeralStorageSize: props.ephemeralStorage,
      paramsAndSecrets: props.paramsAndSecrets,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure,
      bundling: {
        minify: true,
        sourceMap: false,
        target: BUNDLE_TARGET,
        // CommonJS and no file-wide "use strict": see infra/bundling.ts (parquetjs-lite needs sloppy mode).
        format: nodejs.OutputFormat.CJS,
        tsconfig: BUNDLE_TSCONFIG,
        // Pin the SDK the tests ran against rather than whatever version the runtime ships.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        // Everything bundled except what infra/bundling.ts says the runtime provides.
        externalModules: [...(RUNTIME_PROVIDED[props.entry] ?? [])],
      },
    });
  }
}

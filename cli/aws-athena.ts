/**
 * `--target aws` for the reading commands (query, report, chats): the Athena engine in the stack's
 * workgroup and database, taken from flags or else from the stack's outputs (as set-webhook reads them),
 * printing what each statement scanned and cost on stderr.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AthenaEngine, describeStats, formatBytes, formatUsd } from '../adapters/aws/athena';
import { stackOutputs } from '../adapters/aws/stack-outputs';
import type { CliIo } from './spec';
import { DEFAULT_STACK_NAME } from './defaults';

export interface AwsTargetValues {
  stack?: string;
  region?: string;
  workgroup?: string;
  database?: string;
}

export const stackNameOf = (values: { stack?: string }, env: NodeJS.ProcessEnv): string => values.stack ?? (env.TGPIPE_STACK || DEFAULT_STACK_NAME);

/** Reads a stack's outputs, or says how to do without them. */
export async function readStackOutputs(stackName: string, region: string | undefined, flags: string): Promise<Record<string, string>> {
  try {
    return await stackOutputs(new CloudFormationClient(region ? { region } : {}), stackName);
  } catch (error) {
    throw new Error(
      `could not read the outputs of stack ${stackName} (${(error as Error).message}): deploy it and configure AWS credentials and region (--region), ` +
        `name it with --stack (or TGPIPE_STACK), or pass ${flags}`,
      { cause: error },
    );
  }
}

export function needOutput(outputs: Record<string, string>, key: string, stackName: string): string {
  const value = outputs[key];
  if (!value) throw new Error(`stack ${stackName} has no ${key} output (is it the pipeline's stack?)`);
  return value;
}

/** The workgroup and database: flags, else ATHENA_WORKGROUP / GLUE_DATABASE, else the stack's outputs. */
export async function athenaTarget(values: AwsTargetValues, env: NodeJS.ProcessEnv): Promise<{ workGroup: string; database: string }> {
  let workGroup = values.workgroup ?? (env.ATHENA_WORKGROUP || undefined);
  let database = values.database ?? (env.GLUE_DATABASE || undefined);
  if (workGroup === undefined || database === undefined) {
    const stackName = stackNameOf(values, env);
    const outputs = await readStackOutputs(stackName, values.region, '--workgroup and --database');
    workGroup ??= needOutput(outputs, 'AthenaWorkGroup', stackName);
    database ??= needOutput(outputs, 'GlueDatabase', stackName);
  }
  return { workGroup, database };
}

/** An Athena engine that reports each statement's scan and cost on stderr (stdout keeps the rows). */
export async function openAthena(values: AwsTargetValues, io: CliIo, options: { quietPerQuery?: boolean } = {}): Promise<AthenaEngine> {
  const target = await athenaTarget(values, io.env);
  const client = new AthenaClient(values.region ? { region: values.region } : {});
  return new AthenaEngine(client, {
    ...target,
    onQuery: options.quietPerQuery ? undefined : (stats) => io.stderr(`${describeStats(stats)}\n`),
    onThrottled: (what, waitMs) => io.stderr(`athena: ${what} throttled, retrying in ${waitMs} ms\n`),
  });
}

/** One line with every statement an engine ran, added up. */
export function describeTotals(engine: AthenaEngine): string {
  const t = engine.totals;
  return `athena: ${t.queries} quer${t.queries === 1 ? 'y' : 'ies'}, scanned ${formatBytes(t.scannedBytes)}, billed ${formatBytes(t.billedBytes)}, ${formatUsd(t.costUsd)}`;
}

/**
 * A deployed stack's outputs (CloudFormation DescribeStacks): where every command that works on AWS
 * (set-webhook, doctor, query/report/chats --target aws) finds the stack's names and ARNs.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';

export interface StackDescription {
  readonly name: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly createdAt?: Date;
  readonly outputs: Record<string, string>;
}

export async function describeStack(client: CloudFormationClient, stackName: string): Promise<StackDescription> {
  const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = response.Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
  return {
    name: stack.StackName ?? stackName,
    status: stack.StackStatus ?? 'UNKNOWN',
    ...(stack.StackStatusReason ? { statusReason: stack.StackStatusReason } : {}),
    ...(stack.CreationTime ? { createdAt: stack.CreationTime } : {}),
    outputs,
  };
}

export async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  return (await describeStack(client, stackName)).outputs;
}

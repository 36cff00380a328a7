/**
 * Synthesizes the stack without bundling the Lambdas (`aws:cdk:bundling-stacks` empty: the assets are
 * placeholders), for tests about the template's shape across contexts and regions. The bundled synth
 * is test/infra/stack.test.ts's. cdk-nag runs on every template made here.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuildOptions } from '../../infra/pipeline-app';

export const TEST_ACCOUNT = '123456789012';

export interface QuickSynth {
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] }>; Outputs: Record<string, { Value: unknown }>; Mappings?: Record<string, unknown>; Conditions?: Record<string, unknown> };
  /** cdk-nag AwsSolutions findings not acknowledged. */
  readonly nagFindings: string[];
}

export function quickSynth(context: Record<string, unknown> = {}, env: BuildOptions['env'] = undefined): QuickSynth {
  const built = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }, { nag: false, env });
  const template = Template.fromStack(built.stack);
  const report = built.nag.validateScope(built.stack);
  const nagFindings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`);
  return { template, json: template.toJSON() as QuickSynth['json'], nagFindings };
}

export const ofType = (json: QuickSynth['json'], type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

export const webhookFunction = (json: QuickSynth['json']) =>
  ofType(json, 'AWS::Lambda::Function').find(([, r]) => /^Telegram webhook/.test(r.Properties?.Description ?? ''))!;

/**
 * How the webhook Lambda reads its secret, per region (infra/regions.ts): through the Parameters and
 * Secrets extension layer where AWS publishes an arm64 one, with the SDK's GetSecretValue where it does
 * not. The handler is told which by WEBHOOK_SECRET_SOURCE (`extension` | `sdk`).
 *
 * A stack synthesized for a known region gets that region's answer written in. An environment-agnostic
 * stack (no region at synth) carries the whole table as a CloudFormation mapping and picks at deploy
 * time: a condition on the mapped ARN adds the layer, or leaves it out and says `sdk`.
 */
import { Aws, CfnCondition, CfnMapping, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { LAMBDA_ARM64_REGIONS, REGION_NAMES, secretsLayerArn } from './regions';

export const SECRET_SOURCE_ENV = 'WEBHOOK_SECRET_SOURCE';

/** The extension's settings (cache, a short TTL so a rotated secret is taken within a minute). */
export const EXTENSION_OPTIONS: lambda.ParamsAndSecretsOptions = {
  cacheEnabled: true,
  cacheSize: 10,
  // The handler reads the secret once, and again only after a wrong one (a rotation): a short cache
  // lets warm containers take a rotated secret within about a minute.
  secretsManagerTtl: Duration.minutes(1),
  logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
};

const NONE = 'none';

export interface SecretsAccess {
  /** Passed to the function's props (undefined: no layer). */
  readonly paramsAndSecrets?: lambda.ParamsAndSecretsLayerVersion;
  readonly environment: Record<string, string>;
  /** Called with the function once it exists (the deploy-time choice overrides its Layers). */
  finish(fn: lambda.Function): void;
}

export function webhookSecretsAccess(scope: Construct): SecretsAccess {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) {
    const arn = secretsLayerArn(stack.region);
    return arn
      ? { paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersionArn(arn, EXTENSION_OPTIONS), environment: { [SECRET_SOURCE_ENV]: 'extension' }, finish: () => {} }
      : { environment: { [SECRET_SOURCE_ENV]: 'sdk' }, finish: () => {} };
  }
  const mapping = new CfnMapping(stack, 'ParamsAndSecretsLayerArm64', {
    mapping: Object.fromEntries(REGION_NAMES.map((r) => [r, { arn: secretsLayerArn(r) ?? NONE }])),
  });
  const mapped = mapping.findInMap(Aws.REGION, 'arn');
  const hasLayer = new CfnCondition(stack, 'SecretsExtensionPublished', { expression: Fn.conditionNot(Fn.conditionEquals(mapped, NONE)) });
  return {
    paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersionArn(mapped, EXTENSION_OPTIONS),
    environment: { [SECRET_SOURCE_ENV]: Fn.conditionIf(hasLayer.logicalId, 'extension', 'sdk').toString() },
    finish: (fn) => {
      (fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Layers', Fn.conditionIf(hasLayer.logicalId, [mapped], Aws.NO_VALUE));
    },
  };
}

/** For tests and docs: the regions where the SDK fallback is used. */
export const SDK_FALLBACK_REGIONS = REGION_NAMES.filter((r) => !LAMBDA_ARM64_REGIONS[r]!.layer);

/**
 * The regions the stack is built for: every commercial (`aws` partition) region where Lambda runs arm64,
 * with the arm64 layer of the AWS Parameters and Secrets Lambda Extension that AWS publishes for it.
 * This list is the one place that knows them: the stack reads the layer from it, a test synthesizes the
 * stack for every region in it, and the README points here.
 *
 * Source: AWS's published table, "AWS Parameters and Secrets Lambda Extension ARNs" (Systems Manager
 * user guide, ps-integration-lambda-extensions.html, linked from the Secrets Manager page "Use AWS
 * Secrets Manager secrets in AWS Lambda functions"), arm64 table last updated 2026-07-28. Newer versions:
 * `aws ssm get-parameter --name /aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest`.
 *
 * `layer: undefined` marks a region where no arm64 layer is published (me-west-1): the webhook Lambda
 * there reads its secret with the SDK's GetSecretValue instead (adapters/aws/secrets-sdk.ts, loaded
 * only in that case so the bundle's load time does not grow).
 */

export interface LambdaRegion {
  /** The account that publishes the layer in that region, and the layer version. */
  readonly layer?: { readonly account: string; readonly version: number };
}

export const LAYER_NAME = 'AWS-Parameters-and-Secrets-Lambda-Extension-Arm64';

const published = (account: string, version: number): LambdaRegion => ({ layer: { account, version } });

export const LAMBDA_ARM64_REGIONS: Readonly<Record<string, LambdaRegion>> = {
  'us-east-1': published('177933569100', 99),
  'us-east-2': published('590474943231', 109),
  'us-west-1': published('997803712105', 93),
  'us-west-2': published('345057560386', 99),
  'af-south-1': published('317013901791', 97),
  'ap-east-1': published('768336418462', 94),
  'ap-east-2': published('890742577149', 65),
  'ap-south-1': published('176022468876', 95),
  'ap-south-2': published('070087711984', 83),
  'ap-northeast-1': published('133490724326', 100),
  'ap-northeast-2': published('738900069198', 96),
  'ap-northeast-3': published('576959938190', 91),
  'ap-southeast-1': published('044395824272', 101),
  'ap-southeast-2': published('665172237481', 105),
  'ap-southeast-3': published('490737872127', 91),
  'ap-southeast-4': published('090732460067', 83),
  'ap-southeast-5': published('381492012281', 83),
  'ap-southeast-6': published('995508174458', 76),
  'ap-southeast-7': published('941377119484', 83),
  'ca-central-1': published('200266452380', 104),
  'ca-west-1': published('243964427225', 70),
  'eu-central-1': published('187925254637', 101),
  'eu-central-2': published('772501565639', 70),
  'eu-north-1': published('427196147048', 92),
  'eu-south-1': published('325218067255', 92),
  'eu-south-2': published('524103009944', 82),
  'eu-west-1': published('015030872274', 101),
  'eu-west-2': published('133256977650', 99),
  'eu-west-3': published('780235371811', 95),
  'il-central-1': published('148806536434', 70),
  'me-central-1': published('858974508948', 49),
  'me-south-1': published('832021897121', 55),
  'me-west-1': {},
  'mx-central-1': published('241533131596', 67),
  'sa-east-1': published('933737806257', 100),
};

export const REGION_NAMES = Object.keys(LAMBDA_ARM64_REGIONS);

/** The layer's ARN in a listed region, or undefined where none is published. */
export function secretsLayerArn(region: string): string | undefined {
  const entry = LAMBDA_ARM64_REGIONS[region];
  if (!entry) {
    throw new Error(
      `region ${region} is not in infra/regions.ts: add it with its arm64 Parameters and Secrets layer from AWS's published table (or with none, to read the secret with the SDK)`,
    );
  }
  return entry.layer ? `arn:aws:lambda:${region}:${entry.layer.account}:layer:${LAYER_NAME}:${entry.layer.version}` : undefined;
}

/**
 * The AWS stores, catalog and privacy settings for `tgpipe erase|export-user|retention --target aws`:
 * buckets, workgroup and database from flags or the variables the Lambdas use, DATA_MODE and the
 * pseudonym key secret (PSEUDONYM_KEY_SECRET_ARN, the stack's PseudonymKeySecretArn output).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../../core/log';
import type { EraseDeps } from '../../core/privacy/erase-job';
import { awsPrivacy } from './privacy';
import { AthenaCatalog } from './athena-catalog';
import { BATCH_JOB_BOUNDS, boundedRequests } from './bounded-requests';
import { S3ObjectStore } from './s3-store';
import type { DataMode } from '../../core/privacy/data-mode';
import type { Pseudonymizer } from '../../core/privacy/pseudonym';

type Values = Record<string, string | boolean | undefined>;

export function needValue(values: Values, env: NodeJS.ProcessEnv, flag: string, variable: string): string {
  const v = values[flag] ?? env[variable];
  if (typeof v !== 'string' || v === '') throw new Error(`--target aws needs --${flag} (or ${variable})`);
  return v;
}

export async function awsEraseTarget(values: Values, env: NodeJS.ProcessEnv, logger: Logger, clients: { s3?: S3Client; athena?: AthenaClient; secrets?: SecretsManagerClient } = {}): Promise<{ deps: EraseDeps; mode: DataMode; pseudonymize?: Pseudonymizer }> {
  const region = typeof values.region === 'string' ? { region: values.region } : {};
  const s3 = clients.s3 ?? new S3Client({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) });
  const rawBucket = needValue(values, env, 'bucket', 'RAW_BUCKET');
  const enrichedBucket = needValue(values, env, 'enriched-bucket', 'ENRICHED_BUCKET');
  const catalog = new AthenaCatalog(clients.athena ?? new AthenaClient({ ...region, requestHandler: boundedRequests(BATCH_JOB_BOUNDS) }), {
    workGroup: needValue(values, env, 'workgroup', 'ATHENA_WORKGROUP'),
    database: needValue(values, env, 'database', 'GLUE_DATABASE'),
  });
  const privacyEnv = {
    DATA_MODE: (values['data-mode'] as string | undefined) ?? env.DATA_MODE,
    PSEUDONYM_KEY_SECRET_ARN: (values['pseudonym-key-secret'] as string | undefined) ?? env.PSEUDONYM_KEY_SECRET_ARN,
  };
  const privacy = await awsPrivacy(privacyEnv, clients.secrets ?? new SecretsManagerClient(region));
  const raw = new S3ObjectStore(s3, rawBucket);
  const enriched = new S3ObjectStore(s3, enrichedBucket);
  return {
    mode: privacy.mode,
    pseudonymize: privacy.pseudonymize,
    deps: { raw, enriched, enrich: { raw, enriched, catalog, logger, enrichedLocation: `s3://${enrichedBucket}`, privacy } },
  };
}

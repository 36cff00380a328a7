/**
 * Privacy (README, Privacy and data protection): the pseudonym key and the opt-out list (two Secrets
 * Manager secrets), the data mode given to the Lambdas, and the grants the daily retention needs. Every
 * grant is made only when the setting that needs it is on: the webhook reads the pseudonym key only in
 * `pseudonymous` mode, and the enrichment may delete raw objects and old versions only when a raw
 * retention is set.
 */
import { SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OPTOUT_FORMAT } from '../core/privacy/optout';
import { REGISTER_KEY } from '../core/privacy/register';
import { ENRICHED_TABLES } from '../schemas';
import { DAMAGED_PREFIX, FIREHOSE_ERROR_PREFIX, MANIFEST_PREFIX, QUARANTINE_PREFIX, RAW_PREFIX, tablePrefix } from '../schemas/layout';
import type { StackConfig } from './config';
import type { PipelineFunction } from './lambda';
import { acknowledgePrefixGrants } from './nag';

export const PRIVACY_PREFIX = REGISTER_KEY.slice(0, REGISTER_KEY.indexOf('/') + 1);

export interface PrivacyProps {
  readonly config: StackConfig;
  readonly webhook: PipelineFunction;
  readonly enrichment: PipelineFunction;
  readonly replay: PipelineFunction;
  readonly rawBucket: s3.IBucket;
  readonly enrichedBucket: s3.IBucket;
  readonly database: glue.IDatabase;
  readonly tables: readonly glue.ITable[];
}

/** The retention environment of the enrichment (days by context_date; 0 or absent: kept forever). */
export const retentionEnvironment = (config: StackConfig): Record<string, string> => ({
  RETENTION_RAW_DAYS: String(config.retentionRawDays),
  RETENTION_ENRICHED_DAYS: String(config.retentionEnrichedDays),
  RETENTION_QUARANTINE_DAYS: String(config.retentionQuarantineDays),
});

export class Privacy extends Construct {
  readonly pseudonymKey: secretsmanager.Secret;
  readonly optOut: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PrivacyProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.pseudonymKey = new secretsmanager.Secret(this, 'PseudonymKey', {
      description: 'Key of the pseudonyms of pseudonymous mode (HMAC-SHA256 of user ids); changing it gives everyone a new pseudonym',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.pseudonymKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the pseudonym key would give every member a new pseudonym and split per-member numbers at the rotation; it is kept, like the data it keys.',
    });
    this.optOut = new secretsmanager.Secret(this, 'OptOut', {
      description: 'User ids whose updates are never stored (tgpipe optout add|remove|list --target aws edits it)',
      // A placeholder, not a secret: `tgpipe optout` puts the list; an unchanged template does not overwrite it.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ format: OPTOUT_FORMAT, user_ids: [] })),
    });
    Validations.of(this.optOut).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The opt-out list is data the operator edits (tgpipe optout), not a credential: there is nothing to rotate.',
    });

    const pseudonymous = config.dataMode === 'pseudonymous';
    const webhook = props.webhook.function;
    webhook.addEnvironment('DATA_MODE', config.dataMode);
    webhook.addEnvironment('OPTOUT_SECRET_ARN', this.optOut.secretArn);
    this.optOut.grantRead(props.webhook.role);
    if (pseudonymous) {
      webhook.addEnvironment('PSEUDONYM_KEY_SECRET_ARN', this.pseudonymKey.secretArn);
      this.pseudonymKey.grantRead(props.webhook.role);
    }

    // The enrichment and the replay apply the erasure register (and the enrichment the mode).
    const enrichment = props.enrichment.function;
    enrichment.addEnvironment('DATA_MODE', config.dataMode);
    for (const [k, v] of Object.entries(retentionEnvironment(config))) enrichment.addEnvironment(k, v);
    props.replay.function.addEnvironment('DATA_MODE', config.dataMode);
    // The key also matches register entries of the other form (an id erased before a switch to pseudonymous).
    enrichment.addEnvironment('PSEUDONYM_KEY_SECRET_ARN', this.pseudonymKey.secretArn);
    this.pseudonymKey.grantRead(props.enrichment.role);
    for (const fn of [props.enrichment, props.replay]) {
      fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadErasureRegister', actions: ['s3:GetObject'], resources: [props.rawBucket.arnForObjects(`${PRIVACY_PREFIX}*`)] }));
      acknowledgePrefixGrants(fn.role, props.rawBucket, [PRIVACY_PREFIX], 'Reads the erasure register, one object under _privacy/.');
    }

    // Daily retention by context_date (core/privacy/retention.ts), run by the enrichment after its build.
    if (config.retentionRawDays > 0 || config.retentionQuarantineDays > 0) {
      const prefixes = [...(config.retentionRawDays > 0 ? [RAW_PREFIX, `${DAMAGED_PREFIX}${RAW_PREFIX}`] : []), ...(config.retentionQuarantineDays > 0 ? [FIREHOSE_ERROR_PREFIX] : [])];
      props.enrichment.role.addToPolicy(new iam.PolicyStatement({ sid: 'RetentionListRawVersions', actions: ['s3:ListBucketVersions'], resources: [props.rawBucket.bucketArn] }));
      props.enrichment.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'RetentionDeleteRaw',
          actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: prefixes.map((p) => props.rawBucket.arnForObjects(`${p}*`)),
        }),
      );
      acknowledgePrefixGrants(props.enrichment.role, props.rawBucket, prefixes.filter((p) => p !== RAW_PREFIX), 'Retention deletes expired days under these prefixes only.');
    }
    if (config.retentionEnrichedDays > 0) {
      const enrichedPrefixes = [...ENRICHED_TABLES.map((t) => tablePrefix(t.name)), MANIFEST_PREFIX, QUARANTINE_PREFIX];
      props.enrichment.role.addToPolicy(new iam.PolicyStatement({ sid: 'RetentionListEnrichedVersions', actions: ['s3:ListBucketVersions'], resources: [props.enrichedBucket.bucketArn] }));
      props.enrichment.role.addToPolicy(
        new iam.PolicyStatement({ sid: 'RetentionDeleteEnrichedVersions', actions: ['s3:DeleteObjectVersion'], resources: enrichedPrefixes.map((p) => props.enrichedBucket.arnForObjects(`${p}*`)) }),
      );
      props.enrichment.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'RetentionDropPartitions',
          actions: ['glue:BatchDeletePartition', 'glue:DeletePartition'],
          resources: [stack.formatArn({ service: 'glue', resource: 'catalog' }), props.database.databaseArn, ...props.tables.map((t) => t.tableArn)],
        }),
      );
    }
  }
}

/**
 * The whole pipeline in one stack, one construct per stage:
 * raw landing (buckets, Firehose) <- ingestion (secrets, webhook Lambda, HTTP API)
 * -> catalog (enriched bucket, Glue, Athena) -> enrichment (daily Lambda) -> monitoring (watchdog, alarms).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Catalog } from './catalog';
import type { StackConfig } from './config';
import { Enrichment } from './enrichment';
import { Ingestion } from './ingestion';
import { Monitoring } from './monitoring';
import { RawLanding } from './raw-landing';
import { Privacy } from './privacy';
import { Replay } from './replay';

export interface PipelineStackProps extends StackProps {
  readonly config: StackConfig;
}

/** Output names `tgpipe set-webhook` and the README rely on. */
export const OUTPUTS = {
  webhookUrl: 'WebhookUrl',
  rawBucket: 'RawBucketName',
  enrichedBucket: 'EnrichedBucketName',
  webhookSecretArn: 'WebhookSecretArn',
  botTokenSecretArn: 'BotTokenSecretArn',
  athenaWorkGroup: 'AthenaWorkGroup',
  deliveryStream: 'DeliveryStreamName',
  glueDatabase: 'GlueDatabase',
  enrichmentFunction: 'EnrichmentFunctionName',
  replayFunction: 'ReplayFunctionName',
  alarmTopic: 'AlarmTopicArn',
  dashboard: 'DashboardName',
  pseudonymKeySecret: 'PseudonymKeySecretArn',
  optOutSecret: 'OptOutSecretArn',
  // What `tgpipe doctor` compares with the account (Lambda GetAccountSettings) and with Telegram.
  webhookFunction: 'WebhookFunctionName',
  webhookReservedConcurrency: 'WebhookReservedConcurrency',
  maxConnections: 'MaxConnections',
  ingress: 'Ingress',
} as const;

/** The `WebhookReservedConcurrency` output's value when no reservation is configured (the default). */
export const NO_RESERVATION = 'none';

export class PipelineStack extends Stack {
  readonly rawLanding: RawLanding;
  readonly ingestion: Ingestion;
  readonly catalog: Catalog;
  readonly enrichment: Enrichment;
  readonly replay: Replay;
  readonly monitoring: Monitoring;
  readonly privacy: Privacy;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.rawLanding = new RawLanding(this, 'RawLanding', { config });
    this.ingestion = new Ingestion(this, 'Ingestion', { config, deliveryStream: this.rawLanding.deliveryStream });
    this.catalog = new Catalog(this, 'Catalog', { config, rawBucket: this.rawLanding.rawBucket, logBucket: this.rawLanding.logBucket });
    this.enrichment = new Enrichment(this, 'Enrichment', {
      config,
      rawBucket: this.rawLanding.rawBucket,
      enrichedBucket: this.catalog.enrichedBucket,
      database: this.catalog.database,
      tables: this.catalog.enrichedTables,
      workGroupName: this.catalog.workGroupName,
      workGroupArn: this.catalog.workGroupArn,
    });
    this.enrichment.function.function.node.addDependency(this.catalog.workGroup);
    this.replay = new Replay(this, 'Replay', {
      config,
      rawBucket: this.rawLanding.rawBucket,
      deliveryStream: this.rawLanding.deliveryStream,
    });
    this.privacy = new Privacy(this, 'Privacy', {
      config,
      webhook: this.ingestion.webhook,
      enrichment: this.enrichment.function,
      replay: this.replay.function,
      rawBucket: this.rawLanding.rawBucket,
      enrichedBucket: this.catalog.enrichedBucket,
      database: this.catalog.database,
      tables: this.catalog.enrichedTables,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      deliveryStream: this.rawLanding.deliveryStream,
      rawBucket: this.rawLanding.rawBucket,
      webhook: this.ingestion.webhook.function,
      ingress: this.ingestion.ingressMetrics,
      enrichment: this.enrichment.function.function,
      enrichmentFailureQueue: this.enrichment.failureQueue,
      botTokenSecret: this.ingestion.botTokenSecret,
      webhookUrl: this.ingestion.webhookUrl,
    });

    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output(OUTPUTS.webhookUrl, this.ingestion.webhookUrl, 'Telegram webhook URL (tgpipe set-webhook registers it)');
    output(OUTPUTS.rawBucket, this.rawLanding.rawBucket.bucketName, 'Raw bucket: telegram/context_date=YYYY-MM-DD/ and errors/');
    output(OUTPUTS.enrichedBucket, this.catalog.enrichedBucket.bucketName, 'Enriched bucket: telegram/, telegram_events/, side files, Athena results');
    output(OUTPUTS.webhookSecretArn, this.ingestion.webhookSecret.secretArn, 'Secrets Manager ARN of the webhook secret token');
    output(OUTPUTS.botTokenSecretArn, this.ingestion.botTokenSecret.secretArn, 'Secrets Manager ARN of the bot token (put-secret-value it)');
    output(OUTPUTS.athenaWorkGroup, this.catalog.workGroupName, 'Athena workgroup (engine v3, enforced results location)');
    output(OUTPUTS.deliveryStream, this.rawLanding.deliveryStream.deliveryStreamName, 'Firehose delivery stream');
    output(OUTPUTS.glueDatabase, this.catalog.database.databaseName, 'Glue database');
    output(OUTPUTS.enrichmentFunction, this.enrichment.function.function.functionName, 'Enrichment Lambda (invoke with {"date":"YYYY-MM-DD"})');
    output(OUTPUTS.replayFunction, this.replay.function.function.functionName, 'Replay Lambda (invoke with {"from","to","source"})');
    output(OUTPUTS.alarmTopic, this.monitoring.topic.topicArn, 'SNS topic of every alarm');
    output(OUTPUTS.pseudonymKeySecret, this.privacy.pseudonymKey.secretArn, 'Secrets Manager ARN of the pseudonym key (pseudonymous mode, erasure)');
    output(OUTPUTS.optOutSecret, this.privacy.optOut.secretArn, 'Secrets Manager ARN of the opt-out list (tgpipe optout --target aws)');
    output(OUTPUTS.dashboard, this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard: every stage and every alarm on one page');
    output(OUTPUTS.webhookFunction, this.ingestion.webhook.function.functionName, 'Webhook Lambda (its concurrency: lambda get-function-concurrency)');
    output(
      OUTPUTS.webhookReservedConcurrency,
      config.webhookReservedConcurrency !== undefined ? String(config.webhookReservedConcurrency) : NO_RESERVATION,
      'Reserved concurrency of the webhook Lambda (context webhookReservedConcurrency; none = the account\'s unreserved pool)',
    );
    output(OUTPUTS.maxConnections, String(config.maxConnections), 'The max_connections set-webhook registers (context maxConnections)');
    output(OUTPUTS.ingress, config.ingress, 'How Telegram reaches the webhook: httpApi (API Gateway) or functionUrl (Lambda function URL)');
  }
}

/**
 * Monitoring: the watchdog Lambda and every alarm, all notifying one SNS topic (and an e-mail address
 * when `alarmEmail` is set). The README's "Operate" table says what each alarm means and what to do.
 */
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BOT_ACCESS_LOST } from '../core/bot-access';
import { METRICS_NAMESPACE } from '../core/metrics';
import { HEARTBEAT_METRIC } from '../handlers/deploy-heartbeat';
import { MEMBER_COUNT_TASK } from '../handlers/watchdog';
import { WEBHOOK_OUTCOMES } from '../core/webhook';
import { FIREHOSE_ERROR_PREFIX } from '../schemas/layout';
import { removalPolicyOf } from './buckets';
import type { StackConfig } from './config';
import type { IngressMetrics } from './ingestion';
import { PipelineFunction } from './lambda';

export interface MonitoringProps {
  readonly config: StackConfig;
  readonly deliveryStream: firehose.IDeliveryStream;
  readonly rawBucket: s3.IBucket;
  readonly webhook: lambda.IFunction;
  /** API Gateway's or the function URL's request and error counts, whichever is deployed. */
  readonly ingress: IngressMetrics;
  readonly enrichment: lambda.IFunction;
  readonly enrichmentFailureQueue: sqs.IQueue;
  readonly botTokenSecret: secretsmanager.ISecret;
  readonly webhookUrl: string;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly watchdog: PipelineFunction;
  readonly deployHeartbeat: PipelineFunction;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Telegram pipeline alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry only alarm names and metric values, no data. CloudWatch and EventBridge cannot ' +
        'publish to a topic encrypted with the AWS-managed SNS key, and a customer key would cost more than it protects.',
    });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const notify = new cwActions.SnsAction(this.topic);

    const alarm = (name: string, description: string, props: cloudwatch.CreateAlarmOptions, metric: cloudwatch.IMetric): cloudwatch.Alarm => {
      const created = metric instanceof cloudwatch.Metric || metric instanceof cloudwatch.MathExpression
        ? metric.createAlarm(this, name, { alarmDescription: description, ...props })
        : new cloudwatch.Alarm(this, name, { metric, alarmDescription: description, ...props });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms[name] = created;
      return created;
    };
    const sumOver = (metric: cloudwatch.Metric, period = FIVE_MINUTES) => metric.with({ statistic: 'Sum', period });
    const updates = (outcome: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'Updates', dimensionsMap: { Outcome: outcome }, statistic: 'Sum', period: FIVE_MINUTES });
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    // --- Firehose -> raw bucket
    alarm(
      'FirehoseDataFreshness',
      'Records wait in Firehose longer than its buffer interval plus 15 minutes: delivery to the raw bucket is failing or slow.',
      {
        threshold: config.bufferingIntervalSeconds + 900,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      props.deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', period: FIVE_MINUTES }),
    );
    alarm(
      'FirehoseDeliveryFailures',
      'Some Firehose deliveries to S3 failed (DeliveryToS3.Success below 1); see the delivery log group. Failed records go to errors/.',
      { ...atLeastOnce, threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD },
      props.deliveryStream.metric('DeliveryToS3.Success', { statistic: 'Minimum', period: FIVE_MINUTES }),
    );
    alarm(
      'FirehosePartitionCountExceeded',
      'Firehose exceeded its active-partition limit (too many context_date values at once, e.g. a replay of many days): records go to errors/.',
      atLeastOnce,
      props.deliveryStream.metric('PartitionCountExceeded', { statistic: 'Maximum', period: FIVE_MINUTES }),
    );

    // New objects under errors/ in the raw bucket: one notification per object Firehose could not deliver
    // or partition (replay them with `tgpipe replay stream --source errors`).
    const errorObjects = new events.Rule(this, 'FirehoseErrorObjects', {
      description: 'Firehose wrote records it could not deliver under errors/ in the raw bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.rawBucket.bucketName] }, object: { key: [{ prefix: FIREHOSE_ERROR_PREFIX }] } },
      },
    });
    errorObjects.addTarget(
      new eventTargets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `Firehose error output: s3://${events.EventField.fromPath('$.detail.bucket.name')}/${events.EventField.fromPath('$.detail.object.key')} ` +
            '(records Firehose could not deliver or partition; replay them with: tgpipe replay stream --source errors).',
        ),
      }),
    );

    // --- Webhook
    alarm(
      'WebhookSinkFailed',
      'The webhook could not put updates on Firehose and answered 503 (Telegram retries them, and holds the chat back meanwhile).',
      atLeastOnce,
      updates('sink_failed'),
    );
    alarm(
      'WebhookErrors',
      'The webhook Lambda failed (uncaught error or timeout): Telegram gets a 5xx and retries.',
      atLeastOnce,
      sumOver(props.webhook.metricErrors()),
    );
    alarm(
      'WebhookThrottles',
      'The webhook Lambda was throttled (its reserved concurrency, or the account\'s unreserved pool, was used up): set or raise webhookReservedConcurrency, lower max_connections, or ask for a higher Lambda concurrency quota.',
      atLeastOnce,
      sumOver(props.webhook.metricThrottles()),
    );
    alarm(
      'Ingress5xx',
      `${props.ingress.name} answered 5xx to Telegram (Lambda error, throttle, timeout or 503 from a failed Firehose put).`,
      atLeastOnce,
      props.ingress.serverErrors,
    );
    alarm(
      'WebhookUnauthorized',
      'At least 10 requests in 5 minutes had a missing or wrong secret: the webhook secret changed without `tgpipe set-webhook`, or someone is probing the URL.',
      { ...atLeastOnce, threshold: 10 },
      updates('unauthorized'),
    );
    // A group that becomes a supergroup changes its chat id: the old chat's last update (migrate_to_chat_id)
    // is stored, the new chat's first one (migrate_from_chat_id) is dropped by the allow-list. Either means
    // ALLOWED_CHAT_IDS needs the new id (the webhook log line names it).
    const migrated = (outcome: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'ChatMigrated', dimensionsMap: { Outcome: outcome }, statistic: 'Sum', period: FIVE_MINUTES });
    alarm(
      'ChatMigrated',
      'A group became a supergroup and its chat id changed: add the new id (in the webhook log, event chat_migrated) to allowedChatIds and redeploy.',
      atLeastOnce,
      new cloudwatch.MathExpression({
        expression: 'FILL(stored, 0) + FILL(dropped, 0)',
        usingMetrics: { stored: migrated('stored'), dropped: migrated('dropped_chat_not_allowed') },
        label: 'ChatMigrated (all outcomes)',
        period: FIVE_MINUTES,
      }),
    );

    // The bot removed from a kept group, or no longer an admin there (my_chat_member): the group's
    // updates stop (or shrink to commands) and Telegram says nothing else. The webhook log line
    // (event bot_access_lost) names the chat.
    const accessLost = (change: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'BotAccessLost', dimensionsMap: { Change: change }, statistic: 'Sum', period: FIVE_MINUTES });
    alarm(
      'BotAccessLost',
      'The bot was removed from a group in allowedChatIds or lost its admin rights there: that group\'s updates stop. The webhook log (event bot_access_lost) names the chat; add the bot back as an admin.',
      atLeastOnce,
      new cloudwatch.MathExpression({
        expression: 'FILL(removed, 0) + FILL(demoted, 0)',
        usingMetrics: Object.fromEntries(BOT_ACCESS_LOST.map((c) => [c, accessLost(c)])),
        label: 'BotAccessLost (removed + demoted)',
        period: FIVE_MINUTES,
      }),
    );

    // --- Enrichment
    alarm(
      'EnrichmentErrors',
      'The daily enrichment failed; Lambda retries it twice, then the event goes to the failure queue. Re-run the day (README, Operate).',
      atLeastOnce,
      sumOver(props.enrichment.metricErrors()),
    );
    alarm(
      'EnrichmentFailureQueue',
      'A scheduled enrichment failed after every retry (or could not be invoked): the message in the failure queue names the day.',
      atLeastOnce,
      props.enrichmentFailureQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES }),
    );

    // Errors and the failure queue say nothing when the schedule itself stops (disabled, deleted, or
    // the Lambda never invoked): every scheduled run that completes logs a heartbeat, and 30 hours (five
    // 6-hour periods, missing data breaching) without one alarm. A deploy logs one too (a custom
    // resource, created before the alarm), so a new stack is quiet until its first run is due instead of
    // alarming at once; when runs stop, the alarm fires 30 hours after the last heartbeat as before.
    this.deployHeartbeat = new PipelineFunction(this, 'DeployHeartbeat', {
      entry: 'handlers/deploy-heartbeat.ts',
      description: 'Deploy heartbeat: one EnrichmentHeartbeat at each deploy, so EnrichmentDidNotRun waits for the first scheduled run',
      memoryMiB: 128,
      timeout: Duration.minutes(2),
      logRetentionDays: config.logRetentionDays,
      removalPolicy: removalPolicyOf(false),
      environment: { HEARTBEAT_SETTLE_MS: '30000' },
    });
    const heartbeat = new CustomResource(this, 'DeployHeartbeatResource', {
      serviceToken: this.deployHeartbeat.function.functionArn,
      resourceType: 'Custom::EnrichmentHeartbeat',
    });
    const didNotRun = alarm(
      'EnrichmentDidNotRun',
      'No scheduled enrichment completed in the last 30 hours (nor a deploy): check the schedule (enabled?) and the enrichment log; re-run missed days (README, Operate).',
      { threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 5, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.BREACHING },
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: HEARTBEAT_METRIC, statistic: 'Sum', period: Duration.hours(6) }),
    );
    didNotRun.node.addDependency(heartbeat);
    // Bad lines never stop a day: they are set aside under _quarantine/ and counted. Someone should look.
    const enrichmentMetric = (name: string, statistic = 'Sum', period = Duration.hours(6)) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period });
    alarm(
      'EnrichmentQuarantined',
      'The daily build set raw lines aside (not JSON, not an update, or unparsed bodies the webhook kept): they are under _quarantine/ in the enriched bucket, named by day, object and line.',
      atLeastOnce,
      enrichmentMetric('Quarantined'),
    );

    // --- Watchdog: what Telegram says about the webhook
    this.watchdog = new PipelineFunction(this, 'Watchdog', {
      entry: 'handlers/watchdog.ts',
      description: 'Telegram getWebhookInfo -> PendingUpdateCount, SecondsSinceLastError and WebhookRegistered metrics; daily getChatMemberCount samples -> Firehose',
      memoryMiB: 256,
      timeout: Duration.seconds(30),
      logRetentionDays: config.logRetentionDays,
      removalPolicy: removalPolicyOf(false),
      environment: {
        BOT_TOKEN_SECRET_ARN: props.botTokenSecret.secretArn,
        EXPECTED_WEBHOOK_URL: props.webhookUrl,
        // The daily member-count samples: which chats, their day, and the stream the webhook also writes to.
        DELIVERY_STREAM_NAME: props.deliveryStream.deliveryStreamName,
        ALLOWED_CHAT_IDS: config.allowedChatIds,
        CONTEXT_UTC_OFFSET: config.utcOffset,
      },
    });
    // Least privilege: the bot token's secret (read only) and PutRecord/PutRecordBatch on the raw stream.
    props.botTokenSecret.grantRead(this.watchdog.role);
    props.deliveryStream.grantPutRecords(this.watchdog.role);
    new events.Rule(this, 'MemberCountSchedule', {
      description: 'Samples getChatMemberCount of every allowed chat once a day (the Members view\'s count over time)',
      // Midday UTC: well inside the day in every offset the pipeline is likely to use, long before its enrichment.
      schedule: events.Schedule.cron({ minute: '0', hour: '12' }),
      targets: [new eventTargets.LambdaFunction(this.watchdog.function, { retryAttempts: 2, event: events.RuleTargetInput.fromObject({ task: MEMBER_COUNT_TASK }) })],
    });
    new events.Rule(this, 'WatchdogSchedule', {
      description: 'Runs the Telegram webhook watchdog',
      schedule: events.Schedule.rate(FIVE_MINUTES),
      targets: [new eventTargets.LambdaFunction(this.watchdog.function, { retryAttempts: 0 })],
    });
    const watchdogMetric = (name: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period: FIVE_MINUTES });
    alarm(
      'PendingUpdatesGrowing',
      'Telegram holds undelivered updates and the number grew at every check for 15 minutes: deliveries are failing (Telegram drops them after 24 h).',
      { threshold: 1, evaluationPeriods: 3, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      new cloudwatch.MathExpression({
        expression: 'IF(pending > 0 AND DIFF(pending) > 0, 1, 0)',
        usingMetrics: { pending: watchdogMetric('PendingUpdateCount', 'Maximum') },
        label: 'Pending updates grew',
        period: FIVE_MINUTES,
      }),
    );
    alarm(
      'TelegramDeliveryErrors',
      'Telegram reported a failed webhook delivery in the last 15 minutes at two checks running (its last_error_message is in the watchdog log).',
      { threshold: 900, evaluationPeriods: 3, datapointsToAlarm: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      watchdogMetric('SecondsSinceLastError', 'Minimum'),
    );
    alarm(
      'WebhookNotRegistered',
      'Telegram\'s webhook URL is not this stack\'s (never set, deleted, or set elsewhere): run `tgpipe set-webhook`.',
      { threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
      watchdogMetric('WebhookRegistered', 'Maximum'),
    );
    alarm(
      'WatchdogErrors',
      'The watchdog could not ask Telegram for 15 minutes (wrong bot token, or Telegram unreachable).',
      { ...atLeastOnce, evaluationPeriods: 3 },
      sumOver(this.watchdog.function.metricErrors()),
    );

    this.dashboard = this.buildDashboard(props, updates, watchdogMetric, enrichmentMetric);
  }

  /** One page for the operator: every stage's flow and health, and every alarm's state. */
  private buildDashboard(
    props: MonitoringProps,
    updates: (outcome: string) => cloudwatch.Metric,
    watchdogMetric: (name: string, statistic: string) => cloudwatch.Metric,
    enrichmentMetric: (name: string, statistic?: string, period?: Duration) => cloudwatch.Metric,
  ): cloudwatch.Dashboard {
    const daily = Duration.days(1);
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = [], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      graph('Webhook: updates by outcome (5 min)', WEBHOOK_OUTCOMES.map((o) => updates(o).with({ label: o }))),
      graph(
        'Webhook: latency (ms) and Lambda errors',
        [
          new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'WebhookLatency', dimensionsMap: { Outcome: 'stored' }, statistic: 'p50', period: FIVE_MINUTES, label: 'p50 stored' }),
          new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'WebhookLatency', dimensionsMap: { Outcome: 'stored' }, statistic: 'p99', period: FIVE_MINUTES, label: 'p99 stored' }),
        ],
        [props.webhook.metricErrors({ period: FIVE_MINUTES }), props.webhook.metricThrottles({ period: FIVE_MINUTES })],
      ),
      graph(`${props.ingress.name}: requests, 4xx, 5xx`, [props.ingress.requests, props.ingress.clientErrors, props.ingress.serverErrors]),
    );
    dashboard.addWidgets(
      graph('Firehose: records in and delivered to S3', [
        props.deliveryStream.metric('IncomingRecords', { statistic: 'Sum', period: FIVE_MINUTES }),
        props.deliveryStream.metric('DeliveryToS3.Records', { statistic: 'Sum', period: FIVE_MINUTES }),
      ]),
      graph(
        'Firehose: freshness (s) and delivery success',
        [props.deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', period: FIVE_MINUTES })],
        [props.deliveryStream.metric('DeliveryToS3.Success', { statistic: 'Minimum', period: FIVE_MINUTES })],
      ),
      graph('Telegram (watchdog): pending updates, seconds since last error', [watchdogMetric('PendingUpdateCount', 'Maximum')], [watchdogMetric('SecondsSinceLastError', 'Minimum')]),
    );
    dashboard.addWidgets(
      graph('Enrichment: rows per day', [enrichmentMetric('EnrichedMessages', 'Sum', daily), enrichmentMetric('EnrichedEvents', 'Sum', daily)]),
      graph('Enrichment: duplicates and quarantined lines per day', [enrichmentMetric('Duplicates', 'Sum', daily), enrichmentMetric('Quarantined', 'Sum', daily)]),
      graph(
        'Enrichment: duration (ms) and Lambda errors',
        [enrichmentMetric('EnrichmentDuration', 'Maximum', daily)],
        [props.enrichment.metricErrors({ period: daily }), enrichmentMetric('ScheduledEnrichmentRuns', 'Sum', daily)],
      ),
    );
    // Updates with no chat (poll_answer, inline_query, ...: core/no-chat.ts), dropped by kind. The kinds
    // are whatever Telegram sends, so the webhook's series come from a search, one line per Kind.
    dashboard.addWidgets(
      graph(
        'Updates with no chat, dropped: webhook by kind (5 min), enrichment per day',
        [new cloudwatch.MathExpression({ expression: `SEARCH('{${METRICS_NAMESPACE},Kind} MetricName="DroppedNoChat"', 'Sum', 300)`, usingMetrics: {}, label: '', period: FIVE_MINUTES })],
        [enrichmentMetric('DroppedNoChat', 'Sum', daily)],
        24,
      ),
    );
    return dashboard;
  }
}

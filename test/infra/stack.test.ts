/**
 * The synthesized stack: properties of every stage, cdk-nag AwsSolutions with zero unacknowledged
 * findings, IAM without `*` actions or resources, and the Firehose JQ query run with the real jq.
 * Synthesized once (with the real esbuild bundling) for the whole file.
 */
import { execFileSync } from 'node:child_process';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { ENRICHED_TABLES, glueColumns } from '../../schemas';
import { buildApp } from '../../infra/pipeline-app';
import { CONTEXT_KEYS, DEFAULT_CONFIG, readStackConfig } from '../../infra/config';
import { NO_RESERVATION, OUTPUTS } from '../../infra/stack';
import { REGION_NAMES, secretsLayerArn } from '../../infra/regions';
import { WEBHOOK_OUTCOMES } from '../../core/webhook';
import { readFileSync } from 'node:fs';

let template: Template;
let resources: Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>;
let nagReport: ReturnType<ReturnType<typeof buildApp>['nag']['validateScope']>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]![1].Properties;
};
const functionByEntry = (description: RegExp) => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => description.test(r.Properties?.Description ?? ''));
  expect(found, String(description)).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  const built = buildApp({ context: { allowedChatIds: '-1001, -1002', alarmEmail: 'ops@example.org' } }, { nag: false });
  template = Template.fromStack(built.stack);
  resources = template.toJSON().Resources;
  nagReport = built.nag.validateScope(built.stack);
}, 180_000);

describe('ingestion', () => {
  it('/webhook on an HTTP API (every method to the Lambda: non-POST gets its 405) with stage throttling and access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /webhook' });
    expect(ofType('AWS::ApiGatewayV2::Route')).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: DEFAULT_CONFIG.apiRateLimit, ThrottlingBurstLimit: DEFAULT_CONFIG.apiBurstLimit },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('webhook Lambda: Node 24 arm64, no reserved concurrency by default (a new account can deploy it), env', () => {
    const [, webhook] = functionByEntry(/^Telegram webhook/);
    const p = webhook.Properties;
    expect(p.Runtime).toBe('nodejs24.x');
    expect(p.Architectures).toEqual(['arm64']);
    // Lambda keeps 100 unreserved: any reservation fails CREATE on an account with the new-account quota of 10.
    expect(p).not.toHaveProperty('ReservedConcurrentExecutions');
    for (const [, f] of ofType('AWS::Lambda::Function')) expect(f.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(template.toJSON().Outputs.WebhookReservedConcurrency.Value).toBe(NO_RESERVATION);
    expect(template.toJSON().Outputs.MaxConnections.Value).toBe(String(DEFAULT_CONFIG.maxConnections));
    expect(Object.keys(p.Environment.Variables)).toEqual(
      expect.arrayContaining(['DELIVERY_STREAM_NAME', 'ALLOWED_CHAT_IDS', 'CONTEXT_UTC_OFFSET', 'TELEGRAM_WEBHOOK_SECRET_ARN', 'WEBHOOK_SECRET_SOURCE']),
    );
    expect(p.Environment.Variables.ALLOWED_CHAT_IDS).toBe('-1001,-1002');
    expect(p.Environment.Variables.CONTEXT_UTC_OFFSET).toBe('-03:00');
  });

  it('no region at synth: the layer and the secret source are chosen at deploy from a mapping of every listed region', () => {
    const [, webhook] = functionByEntry(/^Telegram webhook/);
    const p = webhook.Properties;
    const mappings = template.toJSON().Mappings as Record<string, Record<string, { arn?: string }>>;
    const [mappingId, table] = Object.entries(mappings).find(([, m]) => 'me-west-1' in m && m['me-west-1']!.arn !== undefined)!;
    expect(Object.keys(table).sort()).toEqual([...REGION_NAMES].sort());
    for (const region of REGION_NAMES) expect(table[region]!.arn).toBe(secretsLayerArn(region) ?? 'none');
    const conditions = template.toJSON().Conditions as Record<string, unknown>;
    const [conditionId, condition] = Object.entries(conditions).find(([id]) => /SecretsExtension/.test(id))!;
    expect(condition).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::FindInMap': [mappingId, { Ref: 'AWS::Region' }, 'arn'] }, 'none'] }] });
    expect(p.Layers).toEqual({ 'Fn::If': [conditionId, [{ 'Fn::FindInMap': [mappingId, { Ref: 'AWS::Region' }, 'arn'] }], { Ref: 'AWS::NoValue' }] });
    expect(p.Environment.Variables.WEBHOOK_SECRET_SOURCE).toEqual({ 'Fn::If': [conditionId, 'extension', 'sdk'] });
    expect(p.Environment.Variables.PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED).toBe('true');
    expect(p.Environment.Variables.SECRETS_MANAGER_TTL).toBe('60');
  });

  it('every Lambda is bundled Node 24 arm64 with its own log group and retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBe(5); // webhook, enrichment, replay, watchdog, deploy heartbeat
    for (const [, f] of functions) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    for (const [, g] of ofType('AWS::Logs::LogGroup')) expect(g.Properties.RetentionInDays).toBe(DEFAULT_CONFIG.logRetentionDays);
  });

  it('the webhook secret is generated in Telegram charset, stored as {"token"}; nothing secret in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64, GenerateStringKey: 'token', SecretStringTemplate: '{}' },
    });
    const botToken = ofType('AWS::SecretsManager::Secret').find(([, s]) => /BotFather/.test(s.Properties.Description))!;
    expect(botToken[1].Properties.SecretString).toBe('{"token":""}');
  });
});

describe('raw landing', () => {
  it('Firehose: dynamic partitioning on .context_date, gzip .json.gz, errors prefix, >= 64 MiB buffer, logging, SSE', () => {
    const p = one('AWS::KinesisFirehose::DeliveryStream');
    expect(p.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const s3 = p.ExtendedS3DestinationConfiguration;
    expect(s3.Prefix).toBe('telegram/context_date=!{partitionKeyFromQuery:context_date}/');
    expect(s3.ErrorOutputPrefix).toBe('errors/!{firehose:error-output-type}/date=!{timestamp:yyyy-MM-dd}/');
    expect(s3.CompressionFormat).toBe('GZIP');
    expect(s3.FileExtension).toBe('.json.gz');
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    expect(s3.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(s3.BufferingHints.IntervalInSeconds).toBe(DEFAULT_CONFIG.bufferingIntervalSeconds);
    expect(s3.CloudWatchLoggingOptions.Enabled).toBe(true);
    expect(s3.CustomTimeZone).toBe(DEFAULT_CONFIG.scheduleTimeZone);
  });

  it('Firehose role: the trust policy of the Firehose developer guide (sts:ExternalId = the account id)', () => {
    const stream = one('AWS::KinesisFirehose::DeliveryStream');
    const roleId = stream.ExtendedS3DestinationConfiguration.RoleARN['Fn::GetAtt'][0] as string;
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'firehose.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('buckets: public access blocked, encrypted, TLS-only, logged, retained, lifecycle', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3); // access logs, raw, enriched
    for (const [id, b] of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect((resources[id] as any).DeletionPolicy).toBe('Retain');
      if (!/AccessLog/.test(id)) expect(b.Properties.LoggingConfiguration.DestinationBucketName).toBeDefined();
    }
    for (const [, policy] of ofType('AWS::S3::BucketPolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
    expect(ofType('AWS::S3::BucketPolicy')).toHaveLength(3);
    const raw = buckets.find(([id]) => /RawBucket/.test(id))![1].Properties;
    expect(raw.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'telegram/', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }] }),
      ]),
    );
    expect(raw.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    const enriched = buckets.find(([id]) => /EnrichedBucket/.test(id))![1].Properties;
    expect(enriched.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Prefix: '_athena-results/', ExpirationInDays: 7 })]),
    );
  });
});

describe('catalog', () => {
  it('raw table: OpenX JSON over the envelope, partition projection on context_date', () => {
    const table = ofType('AWS::Glue::Table').find(([, t]) => t.Properties.TableInput.Name === 'telegram_raw')![1].Properties.TableInput;
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(table.StorageDescriptor.Columns.map((c: any) => `${c.Name} ${c.Type}`)).toEqual(['received_at bigint', 'update string', 'unparsed string', 'export string', 'sample string']);
    expect(table.PartitionKeys.map((c: any) => `${c.Name} ${c.Type}`)).toEqual(['context_date date']);
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.context_date.type': 'date',
      'projection.context_date.format': 'yyyy-MM-dd',
      'projection.context_date.range': '2020-01-01,NOW+1DAYS', // east of UTC, today is ahead of UTC's date
    });
    expect(JSON.stringify(table.Parameters['storage.location.template'])).toContain('/telegram/context_date=${context_date}/');
  });

  it('enriched tables: Parquet, columns generated from schemas/, partitioned by context_date DATE, no projection', () => {
    for (const schema of ENRICHED_TABLES) {
      const table = ofType('AWS::Glue::Table').find(([, t]) => t.Properties.TableInput.Name === schema.name)![1].Properties.TableInput;
      expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(table.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(glueColumns(schema).map((c) => [c.name, c.type]));
      expect(table.PartitionKeys).toEqual([expect.objectContaining({ Name: 'context_date', Type: 'date' })]);
      expect(table.Parameters['projection.enabled']).toBeUndefined();
      expect(JSON.stringify(table.StorageDescriptor.Location)).toContain(`/${schema.name}/`);
    }
  });

  it('the catalog and the workgroup are deleted with the stack even though the buckets are kept (a failed first deploy can be retried)', () => {
    const derived = [...ofType('AWS::Glue::Database'), ...ofType('AWS::Glue::Table'), ...ofType('AWS::Athena::WorkGroup')];
    expect(derived).toHaveLength(1 + (ENRICHED_TABLES.length + 1) + 1); // database, raw + enriched tables, workgroup
    for (const [id] of derived) {
      expect((resources[id] as any).DeletionPolicy, id).toBe('Delete');
      expect((resources[id] as any).UpdateReplacePolicy, id).toBe('Delete');
    }
    for (const [id] of ofType('AWS::S3::Bucket')) expect((resources[id] as any).DeletionPolicy, id).toBe('Retain');
  });

  it('Athena workgroup: engine v3, enforced SSE result location outside the tables, scan limit', () => {
    const wg = one('AWS::Athena::WorkGroup').WorkGroupConfiguration;
    expect(wg.EnforceWorkGroupConfiguration).toBe(true);
    expect(wg.EngineVersion.SelectedEngineVersion).toBe('Athena engine version 3');
    expect(wg.BytesScannedCutoffPerQuery).toBe(10 * 1024 ** 3);
    expect(wg.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe('SSE_S3');
    expect(JSON.stringify(wg.ResultConfiguration.OutputLocation)).toContain('/_athena-results/');
  });
});

describe('enrichment', () => {
  it('Lambda: 2 GiB, 15 min, 4 GiB /tmp, agreed environment, async retries to the failure queue', () => {
    const [id, f] = functionByEntry(/^Daily enrichment/);
    expect(f.Properties).toMatchObject({ MemorySize: 2048, Timeout: 900, EphemeralStorage: { Size: 4096 } });
    expect(Object.keys(f.Properties.Environment.Variables).sort()).toEqual(
      ['ATHENA_WORKGROUP', 'CONTEXT_UTC_OFFSET', 'DATA_MODE', 'ENRICHED_BUCKET', 'GLUE_DATABASE', 'LOOKBACK_DAYS', 'PSEUDONYM_KEY_SECRET_ARN', 'RAW_BUCKET', 'RETENTION_ENRICHED_DAYS', 'RETENTION_QUARANTINE_DAYS', 'RETENTION_RAW_DAYS'],
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('schedule: cron in the configured time zone, scheduled time in the input, retries and a dead-letter queue', () => {
    const p = one('AWS::Scheduler::Schedule');
    expect(p.ScheduleExpression).toBe(DEFAULT_CONFIG.scheduleCron);
    expect(p.ScheduleExpressionTimezone).toBe('America/Sao_Paulo');
    expect(JSON.parse(p.Target.Input)).toEqual({ source: 'schedule', time: '<aws.scheduler.scheduled-time>' });
    expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(p.Target.DeadLetterConfig.Arn).toBeDefined();
  });
});

describe('monitoring', () => {
  it('watchdog every 5 minutes and every alarm notifying the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const names = alarms.map(([id]) => id).join(' ');
    for (const name of [
      'FirehoseDataFreshness', 'FirehoseDeliveryFailures', 'WebhookSinkFailed', 'WebhookErrors', 'Ingress5xx', 'ChatMigrated',
      'EnrichmentErrors', 'EnrichmentFailureQueue', 'EnrichmentDidNotRun', 'EnrichmentQuarantined', 'PendingUpdatesGrowing', 'TelegramDeliveryErrors',
      'WebhookNotRegistered', 'BotAccessLost',
    ]) {
      expect(names).toContain(name);
    }
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Updates', Namespace: 'TelegramPipeline', Dimensions: [{ Name: 'Outcome', Value: 'sink_failed' }],
    });
    const migrated = alarms.find(([id]) => /ChatMigrated/.test(id))![1].Properties;
    expect(JSON.stringify(migrated.Metrics)).toContain('"Value":"stored"');
    expect(JSON.stringify(migrated.Metrics)).toContain('"Value":"dropped_chat_not_allowed"');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: [{ prefix: 'errors/' }] } } },
    });
  });

  it('EnrichmentDidNotRun: quiet until the first run is due (a deploy heartbeat before the alarm exists), still fires when runs stop', () => {
    const [alarmId, alarm] = ofType('AWS::CloudWatch::Alarm').find(([id]) => /EnrichmentDidNotRun/.test(id))!;
    // 30 hours (five 6-hour periods) without a heartbeat, missing data breaching: a schedule that stopped alarms.
    expect(alarm.Properties).toMatchObject({
      MetricName: 'EnrichmentHeartbeat', Namespace: 'TelegramPipeline', Statistic: 'Sum', Period: 21_600,
      EvaluationPeriods: 5, DatapointsToAlarm: 5, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
    // The heartbeat resource is created (and its point logged) before the alarm: the alarm's first evaluation sees it.
    const [heartbeatId, heartbeat] = ofType('Custom::EnrichmentHeartbeat')[0]!;
    expect(resources[alarmId]!.DependsOn).toContain(heartbeatId);
    const [fnId, fn] = functionByEntry(/^Deploy heartbeat/);
    expect(heartbeat.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(fn.Properties.Timeout).toBeGreaterThan(Number(fn.Properties.Environment.Variables.HEARTBEAT_SETTLE_MS) / 1000);
  });

  it('BotAccessLost: the bot removed from a kept group or demoted there, from the webhook\'s metric', () => {
    const alarm = ofType('AWS::CloudWatch::Alarm').find(([id]) => /BotAccessLost/.test(id))![1].Properties;
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 1 });
    const metrics = JSON.stringify(alarm.Metrics);
    expect(metrics).toContain('"MetricName":"BotAccessLost"');
    expect(metrics).toContain('{"Name":"Change","Value":"removed"}');
    expect(metrics).toContain('{"Name":"Change","Value":"demoted"}');
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(removed, 0) + FILL(demoted, 0)');
  });

  it('lines the daily build set aside raise an alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Quarantined', Namespace: 'TelegramPipeline', Statistic: 'Sum', Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  it('one dashboard: every alarm, every webhook outcome, each stage\'s flow', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0] ?? [];
    expect(dashboard, 'dashboard').toBeDefined();
    // The body is a CloudFormation join of JSON text and references: resolve the references to their logical ids.
    const parts = dashboard!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, ''))).join(''));
    const widgets = body.widgets as Array<{ type: string; properties: any }>;
    const status = widgets.find((w) => w.properties.alarms !== undefined);
    const alarmIds = ofType('AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(status!.properties.alarms).toHaveLength(alarmIds.length);
    for (const id of alarmIds) expect(JSON.stringify(status!.properties.alarms)).toContain(id);
    const metrics = JSON.stringify(widgets.map((w) => w.properties.metrics ?? []));
    for (const outcome of WEBHOOK_OUTCOMES) expect(metrics).toContain(`"Outcome","${outcome}"`);
    for (const name of ['WebhookLatency', 'IncomingRecords', 'DeliveryToS3.DataFreshness', 'PendingUpdateCount', 'EnrichedMessages', 'EnrichedEvents', 'Duplicates', 'Quarantined', 'EnrichmentDuration', 'DroppedNoChat']) {
      expect(metrics).toContain(`"${name}"`);
    }
    // The webhook's updates with no chat, one series per Kind (a search: the kinds are Telegram's).
    expect(metrics).toContain('SEARCH(\'{TelegramPipeline,Kind} MetricName=\\"DroppedNoChat\\"\', \'Sum\', 300)');
  });

  it('outputs everything set-webhook and operators need', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const name of Object.values(OUTPUTS)) expect(outputs).toContain(name);
  });
});

describe('security', () => {
  it('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const findings = nagReport.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`);
    expect(findings).toEqual([]);
    expect(nagReport.success).toBe(true);
  });

  it('the enrichment reads the raw prefix and the damage notes of tgpipe repair, not the damaged originals', () => {
    const statements: any[] = [];
    for (const [, r] of ofType('AWS::IAM::Policy')) statements.push(...r.Properties.PolicyDocument.Statement);
    const readRaw = statements.find((s) => s.Sid === 'ReadRaw');
    const suffixes = [readRaw.Resource].flat().map((r: any) => JSON.stringify(r).replace(/.*"\/?([^"]*)"\]\]\}$/, '$1'));
    expect(suffixes).toEqual(['telegram/*', '_damaged/telegram/*.damage.json']);
  });

  it('no IAM statement allows a * action or the * resource', () => {
    const statements: any[] = [];
    for (const [, r] of ofType('AWS::IAM::Policy')) statements.push(...r.Properties.PolicyDocument.Statement);
    for (const [, r] of ofType('AWS::IAM::Role')) {
      for (const p of r.Properties.Policies ?? []) statements.push(...p.PolicyDocument.Statement);
      expect(r.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) {
      const actions = [s.Action].flat();
      const resourcesOf = [s.Resource].flat();
      for (const a of actions) expect(a === '*' || /^[a-z0-9-]+:\*$/.test(a), `action ${a}`).toBe(false);
      for (const res of resourcesOf) expect(res, JSON.stringify(s)).not.toBe('*');
    }
  });
});

describe('Firehose JQ query with the real jq', () => {
  it('gives each envelope line its own context_date', () => {
    const p = one('AWS::KinesisFirehose::DeliveryStream');
    const params = p.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors[0].Parameters;
    const query = params.find((x: any) => x.ParameterName === 'MetadataExtractionQuery').ParameterValue as string;
    expect(params.find((x: any) => x.ParameterName === 'JsonParsingEngine').ParameterValue).toBe('JQ-1.6');
    const at = Date.UTC(2026, 0, 1, 2, 0, 0); // 2025-12-31 23:00 at -03:00
    const bodies = [
      JSON.stringify({ update_id: 1, message: { message_id: 1, date: Date.UTC(2026, 0, 1, 4, 0) / 1000, chat: { id: -1001, type: 'supergroup' }, text: 'olá 👋 "quoted" \\ back' } }),
      JSON.stringify({ update_id: 2, edited_message: { message_id: 1, date: 1, edit_date: Date.UTC(2025, 5, 15, 12) / 1000, chat: { id: -1001, type: 'supergroup' } } }),
      JSON.stringify({ update_id: 3, poll: { id: 'p', question: 'q', options: [] } }),
      '{"update_id": 4,\n "message": {"message_id": 2, "date": 1700000000, "chat": {"id": 1, "type": "private"}}}',
      'not json at all',
      JSON.stringify({ hello: 'no update_id' }),
    ];
    const envelopes = bodies.map((body) => buildEnvelope(body, parseUpdateBody(body), at, -180));
    const input = envelopes.map((e) => e.line).join('');
    const out = execFileSync('jq', ['-c', query], { input, encoding: 'utf8' }).trim().split('\n');
    expect(out.map((line) => JSON.parse(line))).toEqual(envelopes.map((e) => ({ context_date: e.contextDate })));
    expect(envelopes.map((e) => e.contextDate)).toEqual(['2026-01-01', '2025-06-15', '2025-12-31', '2023-11-14', '2025-12-31', '2025-12-31']);
  });
});

describe('configuration', () => {
  it('defaults, and bad values stop the synth naming the key', () => {
    expect(readStackConfig(() => undefined)).toEqual(DEFAULT_CONFIG);
    const ctx = (values: Record<string, unknown>) => (key: string) => values[key];
    expect(readStackConfig(ctx({ bufferingSizeMiB: '128', retainData: 'false', allowedChatIds: [-1, -2] }))).toMatchObject({
      bufferingSizeMiB: 128, retainData: false, allowedChatIds: '-1,-2',
    });
    expect(() => readStackConfig(ctx({ bufferingSizeMiB: 32 }))).toThrow(/bufferingSizeMiB/);
    expect(() => readStackConfig(ctx({ webhookReservedConcurrency: 10 }))).toThrow(/at least maxConnections/);
    expect(() => readStackConfig(ctx({ allowedChatIds: '-100x' }))).toThrow(/ALLOWED_CHAT_IDS/);
    expect(() => readStackConfig(ctx({ utcOffset: '3h' }))).toThrow();
    expect(() => readStackConfig(ctx({ scheduleTimeZone: 'Mars/Olympus' }))).toThrow(/scheduleTimeZone/);
    expect(() => readStackConfig(ctx({ logRetentionDays: 31 }))).toThrow(/logRetentionDays/);
    expect(() => readStackConfig(ctx({ scheduleCron: '0 1 * * *' }))).toThrow(/scheduleCron/);
  });

  it('the README documents every context key', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of CONTEXT_KEYS) expect(readme, key).toContain(`\`${key}\``);
  });
});

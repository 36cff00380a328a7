/**
 * `tgpipe doctor` on AWS through the CLI: every AWS call mocked with answers shaped like the services'
 * (pages, throttling, a failed delivery stream, missing tables and partitions), Telegram played by a real
 * HTTP server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { EntityNotFoundException, GetPartitionsCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetAccountSettingsCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BOT_ACCESS_QUERY } from '../../adapters/aws/doctor';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { recentDays } from '../../cli/commands/doctor';
import { ALL_UPDATE_KINDS } from '../../core/update-kinds';
import { ENRICHED_TABLES, PARTITION_COLUMN, glueColumns, rawTable, type TableSchema } from '../../schemas';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const URL_OUT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhook';
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:TelegramPipeline-MonitoringAlarmTopicD1E2F3-AbCdEf';
const BOT_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:BotToken-abc';
const RAW = 'telegrampipeline-rawlandingrawbucket-1a2b3c';
const ENRICHED = 'telegrampipeline-catalogenrichedbucket-4d5e6f';
const DAYS = recentDays(Date.now(), 7, -180);
const TODAY = DAYS.at(-1)!;

let server: Server;
let base: string;
let webhook: Record<string, unknown>;
let telegramCalls = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      telegramCalls += 1;
      res.setHeader('content-type', 'application/json');
      if (req.url !== `/bot${TOKEN}/getWebhookInfo`) {
        res.statusCode = 401;
        res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
        return;
      }
      res.end(JSON.stringify({ ok: true, result: webhook }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const cfn = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);
const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const cw = mockClient(CloudWatchClient);
const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);

const OUTPUTS: Record<string, string> = {
  WebhookUrl: URL_OUT,
  RawBucketName: RAW,
  EnrichedBucketName: ENRICHED,
  WebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:WebhookSecret-xyz',
  BotTokenSecretArn: BOT_ARN,
  AthenaWorkGroup: 'TelegramPipeline-analytics',
  DeliveryStreamName: 'TelegramPipeline-RawLandingDeliveryStream-Xy12',
  GlueDatabase: 'telegram_analytics',
  EnrichmentFunctionName: 'TelegramPipeline-EnrichmentFunction-Ab12',
  AlarmTopicArn: TOPIC,
  WebhookFunctionName: 'TelegramPipeline-IngestionWebhook-Cd34',
  WebhookReservedConcurrency: 'none',
  MaxConnections: '40',
  Ingress: 'httpApi',
};

const glueTable = (t: TableSchema, drop?: string) => ({
  Table: {
    Name: t.name,
    DatabaseName: 'telegram_analytics',
    TableType: 'EXTERNAL_TABLE',
    StorageDescriptor: { Columns: glueColumns(t).filter((c) => c.name !== drop).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })), Location: `s3://${ENRICHED}/${t.name}/` },
    PartitionKeys: [{ Name: PARTITION_COLUMN.name, Type: PARTITION_COLUMN.type }],
  },
});

const alarm = (name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', reason = 'Threshold Crossed: no datapoints were received'): MetricAlarm => ({
  AlarmName: `TelegramPipeline-Monitoring${name}A1B2C3-XyZ${name.length}`,
  StateValue: state,
  StateReason: reason,
  StateUpdatedTimestamp: new Date(Date.now() - 20 * 60_000),
  AlarmActions: [TOPIC],
});

interface Scenario {
  readonly token?: string;
  readonly streamStatus?: string;
  readonly dropColumn?: string;
  readonly missingTable?: string;
  readonly unregistered?: string;
  readonly alarms?: readonly MetricAlarm[];
  readonly account?: { ConcurrentExecutions: number; UnreservedConcurrentExecutions: number };
}

let s3Calls: string[] = [];

function deploy(sc: Scenario = {}) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'TelegramPipeline', CreationTime: new Date('2026-10-01T00:00:00Z'), StackStatus: 'UPDATE_COMPLETE', Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
  });
  sm.on(DescribeSecretCommand, { SecretId: BOT_ARN }).resolves({ ARN: BOT_ARN, Name: 'BotToken-abc', LastChangedDate: new Date('2026-10-01T01:00:00Z') });
  sm.on(GetSecretValueCommand, { SecretId: BOT_ARN }).resolves({ ARN: BOT_ARN, SecretString: JSON.stringify({ token: sc.token ?? TOKEN }) });
  firehose.on(DescribeDeliveryStreamCommand).resolves({
    DeliveryStreamDescription: {
      DeliveryStreamName: OUTPUTS.DeliveryStreamName,
      DeliveryStreamARN: 'arn:aws:firehose:eu-west-1:111111111111:deliverystream/x',
      DeliveryStreamStatus: (sc.streamStatus ?? 'ACTIVE') as 'ACTIVE',
      ...(sc.streamStatus === 'CREATING_FAILED' ? { FailureDescription: { Type: 'RETIRE_KMS_GRANT_FAILED', Details: 'Access denied to the KMS key' } } : {}),
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      Destinations: [],
      HasMoreDestinations: false,
    },
  });
  // Raw: today's folder holds 1,500 objects over two pages; the other days one each, except 3 days ago.
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix: string; ContinuationToken?: string }) => {
    s3Calls.push(`${input.Bucket}:${input.Prefix}:${input.ContinuationToken ?? ''}`);
    if (input.Bucket === RAW) {
      const day = /context_date=([\d-]+)\//.exec(input.Prefix)![1]!;
      if (day === DAYS[3]) return { KeyCount: 0, IsTruncated: false };
      if (day === TODAY) {
        const first = !input.ContinuationToken;
        const n = first ? 1000 : 500;
        const at = (i: number) => new Date(Date.now() - (first ? 3600_000 : 60_000) + i);
        return {
          Contents: Array.from({ length: n }, (_, i) => ({ Key: `${input.Prefix}TelegramPipeline-1-${first ? i : 1000 + i}.gz`, LastModified: at(i), Size: 900, ETag: '"e"' })),
          KeyCount: n,
          IsTruncated: first,
          ...(first ? { NextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' } : {}),
        };
      }
      return { Contents: [{ Key: `${input.Prefix}TelegramPipeline-1-0.gz`, LastModified: new Date(`${day}T20:00:00Z`), Size: 812 }], KeyCount: 1, IsTruncated: false };
    }
    if (input.Prefix === '_manifests/') {
      return {
        Contents: DAYS.slice(0, -1).map((d) => ({ Key: `_manifests/context_date=${d}.json`, LastModified: d === DAYS.at(-2) ? new Date(Date.now() - 5 * 3600_000) : new Date(`${d}T12:00:00Z`), Size: 4000 })),
        KeyCount: DAYS.length - 1,
        IsTruncated: false,
      };
    }
    // An enriched day file: built for every day before today, except the one with no raw data.
    const day = /context_date=([\d-]+)\//.exec(input.Prefix)![1]!;
    if (day === TODAY || day === DAYS[3]) return { KeyCount: 0, IsTruncated: false };
    return { Contents: [{ Key: input.Prefix, LastModified: new Date(`${day}T12:00:00Z`), Size: 20_000 }], KeyCount: 1, IsTruncated: false };
  });
  const manifest = JSON.stringify({ schema_version: 3, date: DAYS.at(-2), built_at: new Date(Date.now() - 5 * 3600_000).toISOString(), objects: [], summary: { status: 'built', quarantined: 0 } });
  s3.on(GetObjectCommand).resolves({ Body: Object.assign(Readable.from([manifest]), { transformToString: async () => manifest }) as never });
  for (const t of [rawTable, ...ENRICHED_TABLES]) {
    if (t.name === sc.missingTable) glue.on(GetTableCommand, { Name: t.name }).rejects(new EntityNotFoundException({ message: `Table ${t.name} not found.`, $metadata: { httpStatusCode: 400 } }));
    else glue.on(GetTableCommand, { Name: t.name }).resolves(glueTable(t, sc.dropColumn));
  }
  // Partitions: two pages, every built day registered unless the scenario drops one.
  const registered = DAYS.slice(0, -1).filter((d) => d !== DAYS[3] && d !== sc.unregistered);
  const partitions = (table: string) => registered.map((d) => ({ Values: [d], DatabaseName: 'telegram_analytics', TableName: table }));
  glue.on(GetPartitionsCommand).callsFake((input: { TableName: string; NextToken?: string }) => {
    const all = partitions(input.TableName);
    return input.NextToken ? { Partitions: all.slice(3) } : { Partitions: all.slice(0, 3), NextToken: 'eyJsYXN0RXZhbHVhdGVkS2V5Ijp7fX0=' };
  });
  // Alarms: two pages; the first call is throttled, as CloudWatch does at a few calls per second.
  const alarms = sc.alarms ?? [alarm('FirehoseDataFreshness', 'OK'), alarm('BotAccessLost', 'OK'), alarm('EnrichmentDidNotRun', 'OK'), alarm('WebhookErrors', 'INSUFFICIENT_DATA')];
  let alarmCalls = 0;
  cw.on(DescribeAlarmsCommand).callsFake((input: { NextToken?: string; ActionPrefix?: string }) => {
    alarmCalls += 1;
    if (alarmCalls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(input.ActionPrefix).toBe(TOPIC);
    return input.NextToken ? { MetricAlarms: alarms.slice(2), CompositeAlarms: [] } : { MetricAlarms: alarms.slice(0, 2), CompositeAlarms: [], NextToken: 'page-2' };
  });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: sc.account ?? { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000, TotalCodeSize: 80530636800, CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800 }, AccountUsage: { FunctionCount: 6, TotalCodeSize: 12_000_000 } });
}

beforeEach(() => {
  for (const m of [cfn, sm, firehose, s3, glue, cw, lambda, logs]) m.reset();
  s3Calls = [];
  telegramCalls = 0;
  webhook = { url: URL_OUT, has_custom_certificate: false, pending_update_count: 0, max_connections: 40, allowed_updates: [...ALL_UPDATE_KINDS], ip_address: '203.0.113.7' };
});

async function doctor(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['doctor', '--utc-offset', '-03:00', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { TELEGRAM_API_BASE: base, AWS_REGION: 'eu-west-1', ...env } });
  return { code, stdout, stderr };
}

const line = (out: string, title: string) => out.split('\n').find((l) => l.slice(2).startsWith(title)) ?? `(no line for ${title})`;

describe('tgpipe doctor (AWS)', () => {
  it('passes a healthy stack: every stage checked, throttled and paged calls followed, exit 0', async () => {
    deploy();
    const r = await doctor();
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('✗');
    expect(r.code).toBe(0);
    expect(line(r.stdout, 'stack TelegramPipeline')).toMatch(/^✓ .*UPDATE_COMPLETE, 14 outputs/);
    expect(line(r.stdout, 'bot token secret')).toMatch(/^✓ .*set \(bot 123456789\)/);
    expect(line(r.stdout, "Telegram's webhook")).toMatch(/^✓ .*delivering to this webhook, 0 pending/);
    expect(line(r.stdout, 'ingress')).toMatch(/^✓ ingress: httpApi/);
    expect(line(r.stdout, 'Lambda concurrency')).toMatch(/^✓ .*no reservation; 1000 unreserved of 1000, enough for max_connections 40/);
    expect(line(r.stdout, 'delivery stream')).toMatch(/^✓ .*ACTIVE/);
    expect(line(r.stdout, 'raw objects')).toMatch(/^✓ .*6 of 7 days have data/);
    expect(r.stdout).toContain(`${TODAY}: 1500 objects`); // both pages counted
    expect(r.stdout).toContain(`${DAYS[3]}: none`);
    for (const t of [rawTable, ...ENRICHED_TABLES]) expect(line(r.stdout, `Glue table ${t.name}`)).toMatch(/^✓ .*columns as in schemas\//);
    expect(line(r.stdout, 'partitions')).toMatch(/^✓ .*every built day is registered/);
    expect(line(r.stdout, 'last enrichment run')).toMatch(new RegExp(`^✓ .*built ${DAYS.at(-2)} 5 h ago`));
    expect(line(r.stdout, 'bot access')).toMatch(/^✓ .*no loss reported \(alarm OK\)/);
    expect(line(r.stdout, 'alarms')).toMatch(/^✓ .*none of 4 in ALARM \(1 without data yet\)/);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(3); // throttled, page 1, page 2
    expect(glue.commandCalls(GetPartitionsCommand)).toHaveLength(2 * ENRICHED_TABLES.length);
    expect(s3Calls.filter((c) => c.startsWith(`${RAW}:telegram/context_date=${TODAY}/`))).toHaveLength(2);
    expect(r.stdout).not.toContain('\u001b[');  // no colours off a terminal
    expect(r.stdout).not.toContain(TOKEN.split(':')[1]);
    expect(telegramCalls).toBe(1);
    expect(logs.calls()).toHaveLength(0); // the webhook's log is read only when access was lost
  });

  it('names each broken stage with its fix and exits 1', async () => {
    const lost = alarm('BotAccessLost', 'ALARM', 'Threshold Crossed: 1 out of the last 1 datapoints [1.0 (02/12/26 00:45:00)] was greater than or equal to the threshold (1.0).');
    deploy({
      streamStatus: 'CREATING_FAILED',
      dropColumn: 'chat_title',
      missingTable: 'telegram_terms',
      unregistered: DAYS[1],
      alarms: [alarm('FirehoseDataFreshness', 'OK'), lost, alarm('EnrichmentErrors', 'ALARM', 'Threshold Crossed: 1 datapoint [2.0] >= 1.0'), alarm('WebhookErrors', 'OK')],
      account: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
    });
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.WebhookFunctionName }).resolves({
      FunctionName: OUTPUTS.WebhookFunctionName,
      LoggingConfig: { LogFormat: 'Text', LogGroup: 'TelegramPipeline-IngestionWebhookLogs1A2B3C-dEfGh' },
    });
    logs.on(StartQueryCommand, { logGroupName: 'TelegramPipeline-IngestionWebhookLogs1A2B3C-dEfGh', queryString: BOT_ACCESS_QUERY }).resolves({ queryId: 'b-1' });
    logs.on(GetQueryResultsCommand, { queryId: 'b-1' }).resolves({
      status: 'Complete',
      results: [[{ field: 'chat_id', value: '-1001111111111' }, { field: 'new_status', value: 'left' }, { field: 'at', value: '2026-12-02 00:41:07.000' }]],
    });
    webhook = { url: 'https://old.example.org/webhook', has_custom_certificate: false, pending_update_count: 812, last_error_date: Math.floor(Date.now() / 1000) - 300, last_error_message: 'Wrong response from the webhook: 502 Bad Gateway', max_connections: 40 };
    const r = await doctor();
    expect(r.code).toBe(1);
    expect(line(r.stdout, "Telegram's webhook")).toBe(`✗ Telegram's webhook (getWebhookInfo): Telegram delivers to https://old.example.org/webhook, not ${URL_OUT}`);
    expect(r.stdout).toContain('fix: tgpipe set-webhook');
    expect(line(r.stdout, 'delivery stream')).toMatch(/^✗ .*CREATING_FAILED: RETIRE_KMS_GRANT_FAILED Access denied to the KMS key/);
    expect(line(r.stdout, 'Glue table telegram:')).toMatch(/^✗ .*missing chat_title/);
    expect(line(r.stdout, 'Glue table telegram_terms')).toMatch(/^✗ .*not in the catalog/);
    expect(line(r.stdout, 'partitions')).toMatch(/^✗ .*1 built day is invisible to Athena/);
    expect(r.stdout).toContain(`fix: tgpipe replay enrich --target aws --catalog-only --from ${DAYS[1]} --to ${DAYS[1]}`);
    expect(line(r.stdout, 'last enrichment run')).toMatch(/^✗ .*failing: EnrichmentErrors/);
    expect(line(r.stdout, 'bot access')).toMatch(/^✗ .*removed from a kept group or lost its admin rights \(20 min ago\)/);
    expect(r.stdout).toContain('    chat -1001111111111: the bot is now left (2026-12-02 00:41:07.000 UTC)');
    expect(line(r.stdout, 'alarms')).toMatch(/^✗ .*2 of 4 in ALARM/);
    // A new account's quota of 10: Telegram's 40 connections would be throttled (a warning: it retries).
    expect(line(r.stdout, 'Lambda concurrency')).toMatch(/^! .*Telegram may open 40 connections, the account has 10 unreserved/);
    expect(line(r.stdout, 'Glue table telegram_events')).toMatch(/^✗ .*missing chat_title/);
    expect(r.stdout).toMatch(/5 passed, 1 warning, 9 failed/);
  });

  it('with the placeholder token: says how to set it, and does not ask Telegram', async () => {
    deploy({ token: '' });
    const r = await doctor(['--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; detail: string; fix?: string }> };
    expect(report.ok).toBe(false);
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('bot-token')).toMatchObject({ status: 'fail', detail: 'not set (still the placeholder the stack created)', fix: `aws secretsmanager put-secret-value --secret-id ${BOT_ARN} --secret-string "<token from BotFather>"` });
    expect(byId.get('webhook')).toMatchObject({ status: 'skip' });
    expect(byId.get('firehose')).toMatchObject({ status: 'pass' });
    expect(telegramCalls).toBe(0);
  });

  it("a reservation that leaves less than Lambda's 100 unreserved fails", async () => {
    OUTPUTS.WebhookReservedConcurrency = '50';
    try {
      deploy({ account: { ConcurrentExecutions: 120, UnreservedConcurrentExecutions: 70 } });
      const r = await doctor();
      expect(r.code).toBe(1);
      expect(line(r.stdout, 'Lambda concurrency')).toMatch(/^✗ .*reserves 50 of a quota of 120: Lambda keeps 100 unreserved/);
    } finally {
      OUTPUTS.WebhookReservedConcurrency = 'none';
    }
  });

  it('a stack that cannot be read is one failed check, with the way out', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
    const r = await doctor(['--stack', 'Nope']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ stack Nope: cannot read it: ValidationError: Stack with id Nope does not exist/);
    expect(r.stdout).toMatch(/0 passed, 1 failed/);
    expect(sm.calls()).toHaveLength(0);
  });

  it('refuses a bad --days', async () => {
    const r = await doctor(['--days', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--days must be an integer from 1 to 90/);
  });
});

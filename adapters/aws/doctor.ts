/**
 * `tgpipe doctor` on AWS: gathers the facts core/doctor/aws.ts checks, from the stack's outputs on.
 * Every call is a read (Describe/Get/List); a call that fails becomes that check's fact (its error), so
 * one missing permission never hides the other checks. The bot token is read to ask Telegram, never shown.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GlueClient } from '@aws-sdk/client-glue';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { botTokenOfSecret, type AlarmFact, type AwsFacts, type BotAccessLogFact, type ExpectedTable, type SecretFact, type StackFact } from '../../core/doctor/aws';
import type { Fact } from '../../core/doctor/result';
import { TelegramApi, type WebhookInfo } from '../../core/telegram-api';
import { ENRICHED_TABLES, PARTITION_COLUMN, glueColumns, rawTable } from '../../schemas';
import { webhookFunctionFacts } from './chats';
import { runInsightsQuery } from './logs-insights';
import { builtDayFacts, glueTableFact, lastManifestFact, rawDayFacts } from './doctor-storage';
import { throttleRetries, type Retrying } from './doctor-retry';
import { describeStack } from './stack-outputs';

/** AWS clients, one region; replaceable in tests. */
export interface DoctorClients {
  readonly cloudFormation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly cloudWatch: CloudWatchClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
}

export function doctorClients(region?: string): DoctorClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    secretsManager: new SecretsManagerClient(config),
    firehose: new FirehoseClient(config),
    s3: new S3Client(config),
    glue: new GlueClient(config),
    cloudWatch: new CloudWatchClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

/** The Glue tables as schemas/ defines them: the raw table is projected, the enriched ones registered. */
export const EXPECTED_TABLES: readonly ExpectedTable[] = [
  { table: rawTable.name, columns: glueColumns(rawTable), partitionKey: PARTITION_COLUMN, registered: false },
  ...ENRICHED_TABLES.map((t) => ({ table: t.name, columns: glueColumns(t), partitionKey: PARTITION_COLUMN, registered: true })),
];

export interface GatherOptions {
  readonly stackName: string;
  readonly region?: string;
  readonly days: readonly string[];
  readonly now: number;
  readonly telegramApiBase?: string;
  readonly retrying?: Retrying;
}

const messageOf = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return e.message && e.name && !e.message.includes(e.name) && e.name !== 'Error' ? `${e.name}: ${e.message}` : (e.message ?? String(error));
};

async function fact<T>(work: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/** The stack as set-webhook reads it (adapters/aws/stack-outputs.ts), its creation time included. */
const stackFact = (c: DoctorClients, stackName: string, retrying: Retrying): Promise<StackFact> => retrying('DescribeStacks', () => describeStack(c.cloudFormation, stackName));

async function secretFact(c: DoctorClients, arn: string, retrying: Retrying): Promise<SecretFact> {
  const described = await retrying('DescribeSecret', () => c.secretsManager.send(new DescribeSecretCommand({ SecretId: arn })));
  if (described.DeletedDate) return { deletedAt: described.DeletedDate, wellFormed: false };
  const value = await retrying('GetSecretValue', () => c.secretsManager.send(new GetSecretValueCommand({ SecretId: arn })));
  return { ...(described.LastChangedDate ? { lastChanged: described.LastChangedDate } : {}), ...botTokenOfSecret(value.SecretString) };
}

/** The stack's alarms: those notifying its topic (every alarm it makes does), all pages, metric and composite. */
async function alarmFacts(c: DoctorClients, topicArn: string, retrying: Retrying): Promise<AlarmFact[]> {
  const out: AlarmFact[] = [];
  let token: string | undefined;
  do {
    const input: DescribeAlarmsCommandInput = { ActionPrefix: topicArn, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token };
    const page = await retrying('DescribeAlarms', () => c.cloudWatch.send(new DescribeAlarmsCommand(input)));
    for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      out.push({ name: a.AlarmName ?? '', state: a.StateValue ?? 'UNKNOWN', ...(a.StateReason ? { reason: a.StateReason } : {}), ...(a.StateUpdatedTimestamp ? { updatedAt: a.StateUpdatedTimestamp } : {}) });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

export const BOT_ACCESS_QUERY = `filter event = "bot_access_lost"
| stats latest(new_status) as new_status, max(@timestamp) as at by chat_id`;

/** The chats whose bot access was lost in the last day, from the webhook's log group (Logs Insights). */
async function botAccessLost(c: DoctorClients, functionName: string, now: number, retrying: Retrying): Promise<BotAccessLogFact[]> {
  const { logGroup } = await retrying('GetFunctionConfiguration', () => webhookFunctionFacts(c.lambda, functionName));
  const rows = await runInsightsQuery(c.logs, { logGroup, query: BOT_ACCESS_QUERY, startMs: now - 86_400_000, endMs: now, retrying });
  return rows.filter((r) => r.chat_id).map((r) => ({ chatId: r.chat_id!, newStatus: r.new_status ?? '', at: r.at ?? '' }));
}

export async function gatherAwsFacts(c: DoctorClients, o: GatherOptions): Promise<AwsFacts> {
  const retrying = o.retrying ?? throttleRetries();
  const base = { stackName: o.stackName, ...(o.region ? { region: o.region } : {}), now: o.now, days: o.days, expectedTables: EXPECTED_TABLES };
  const stack = await fact(() => stackFact(c, o.stackName, retrying));
  if ('error' in stack) return { ...base, stack };
  const out = stack.value.outputs;

  const botToken = out.BotTokenSecretArn ? await fact(() => secretFact(c, out.BotTokenSecretArn!, retrying)) : undefined;
  const token = botToken && 'value' in botToken && botToken.value.wellFormed ? botToken.value.token : undefined;
  const [webhook, deliveryStream, rawDays, glueTables, builtDays, lastManifest, alarms, concurrency] = await Promise.all([
    token ? fact<WebhookInfo>(() => new TelegramApi(token, { baseUrl: o.telegramApiBase }).getWebhookInfo()) : undefined,
    out.DeliveryStreamName
      ? fact(async () => {
          const d = await retrying('DescribeDeliveryStream', () => c.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: out.DeliveryStreamName })));
          const desc = d.DeliveryStreamDescription;
          const failure = desc?.FailureDescription ? `${desc.FailureDescription.Type ?? ''} ${desc.FailureDescription.Details ?? ''}`.trim() : undefined;
          return { status: desc?.DeliveryStreamStatus ?? 'UNKNOWN', ...(failure ? { failure } : {}) };
        })
      : undefined,
    out.RawBucketName ? fact(() => rawDayFacts(c.s3, out.RawBucketName!, o.days, retrying)) : undefined,
    out.GlueDatabase
      ? fact(() => Promise.all(EXPECTED_TABLES.map((t) => glueTableFact(c.glue, out.GlueDatabase!, t.table, t.registered, retrying))))
      : undefined,
    out.EnrichedBucketName ? fact(() => builtDayFacts(c.s3, out.EnrichedBucketName!, ENRICHED_TABLES.map((t) => t.name), o.days, retrying)) : undefined,
    out.EnrichedBucketName ? fact(() => lastManifestFact(c.s3, out.EnrichedBucketName!, retrying)) : undefined,
    out.AlarmTopicArn ? fact(() => alarmFacts(c, out.AlarmTopicArn!, retrying)) : undefined,
    fact(async () => {
      const s = await retrying('GetAccountSettings', () => c.lambda.send(new GetAccountSettingsCommand({})));
      return { accountLimit: s.AccountLimit?.ConcurrentExecutions ?? 0, unreserved: s.AccountLimit?.UnreservedConcurrentExecutions ?? 0 };
    }),
  ]);
  // The alarm says that access was lost; the webhook's log says where (core/bot-access.ts, event bot_access_lost).
  const lost = alarms && 'value' in alarms && alarms.value.some((a) => /BotAccessLost/.test(a.name) && a.state === 'ALARM');
  const botAccessLog = lost && out.WebhookFunctionName ? await fact(() => botAccessLost(c, out.WebhookFunctionName!, o.now, retrying)) : undefined;
  const defined = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    ...base,
    stack,
    ...defined('botToken', botToken),
    ...defined('webhook', webhook),
    ...defined('deliveryStream', deliveryStream),
    ...defined('rawDays', rawDays),
    ...defined('glueTables', glueTables),
    ...defined('builtDays', builtDays),
    ...defined('lastManifest', lastManifest),
    ...defined('alarms', alarms),
    concurrency,
    ...defined('botAccessLog', botAccessLog),
  };
}

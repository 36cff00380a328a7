/**
 * The AWS deployment's checks (`tgpipe doctor`): facts gathered by adapters/aws/doctor*.ts in, one result
 * per stage out, in the order data flows: stack, bot token, Telegram, ingress, concurrency, Firehose, raw
 * days, Glue tables, partitions, enrichment, bot access, alarms.
 */
import type { WebhookInfo } from '../telegram-api';
import { BOT_TOKEN_PATTERN } from '../telegram-api';
import { checkWebhookInfo } from './webhook';
import { dayRange, describeAge, factError, factValue, type CheckResult, type Fact } from './result';

/** Outputs every check needs; a stack without them is not (this version of) the pipeline's. */
export const REQUIRED_OUTPUTS = ['WebhookUrl', 'BotTokenSecretArn', 'WebhookSecretArn', 'RawBucketName', 'EnrichedBucketName', 'DeliveryStreamName', 'GlueDatabase', 'AthenaWorkGroup', 'AlarmTopicArn'] as const;
/** Outputs added later: their absence is a warning (redeploy), not a broken stack. */
export const NEWER_OUTPUTS = ['WebhookReservedConcurrency', 'MaxConnections', 'Ingress', 'WebhookFunctionName'] as const;

/** Lambda keeps this much of the account's concurrency unreserved: a reservation may not eat into it. */
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** The enrichment runs daily; the EnrichmentDidNotRun alarm waits 30 hours. */
export const ENRICHMENT_LATE_MS = 30 * 3600_000;

export interface StackFact {
  readonly name: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly createdAt?: Date;
  readonly outputs: Record<string, string>;
}

export interface SecretFact {
  /** DescribeSecret: scheduled for deletion? */
  readonly deletedAt?: Date;
  readonly lastChanged?: Date;
  /** The stored value, parsed: the token when it is one; never printed. */
  readonly token?: string;
  readonly wellFormed: boolean;
}

export interface AlarmFact {
  readonly name: string;
  readonly state: string;
  readonly reason?: string;
  readonly updatedAt?: Date;
}

export interface GlueColumnFact {
  readonly name: string;
  readonly type: string;
}

export interface GlueTableFact {
  readonly table: string;
  /** Undefined when the table does not exist. */
  readonly columns?: readonly GlueColumnFact[];
  readonly partitionKeys?: readonly GlueColumnFact[];
  /** Partition days registered (context_date values); undefined for the raw table (projection). */
  readonly partitions?: readonly string[];
}

export interface ExpectedTable {
  readonly table: string;
  readonly columns: readonly GlueColumnFact[];
  readonly partitionKey: GlueColumnFact;
  /** Partitions are registered by the enrichment (not projected). */
  readonly registered: boolean;
}

export interface RawDayFact {
  readonly day: string;
  readonly objects: number;
  readonly newest?: Date;
}

export interface ManifestFact {
  readonly day: string;
  readonly writtenAt: Date;
  readonly builtAt?: string;
  readonly status?: string;
  readonly quarantined?: number;
}

/** A `bot_access_lost` line of the webhook's log: the chat, the bot's new status, when (Logs Insights time). */
export interface BotAccessLogFact {
  readonly chatId: string;
  readonly newStatus: string;
  readonly at: string;
}

export interface ConcurrencyFact {
  readonly accountLimit: number;
  readonly unreserved: number;
}

export interface AwsFacts {
  readonly stackName: string;
  readonly region?: string;
  readonly now: number;
  /** The days looked at, oldest first, ending today (in the context offset). */
  readonly days: readonly string[];
  readonly stack: Fact<StackFact>;
  readonly botToken?: Fact<SecretFact>;
  readonly webhook?: Fact<WebhookInfo>;
  readonly deliveryStream?: Fact<{ status: string; failure?: string }>;
  readonly rawDays?: Fact<readonly RawDayFact[]>;
  readonly expectedTables: readonly ExpectedTable[];
  readonly glueTables?: Fact<readonly GlueTableFact[]>;
  /** Per enriched table: the days of `days` whose Parquet file is in the enriched bucket. */
  readonly builtDays?: Fact<Record<string, readonly string[]>>;
  readonly lastManifest?: Fact<ManifestFact | null>;
  readonly alarms?: Fact<readonly AlarmFact[]>;
  readonly concurrency?: Fact<ConcurrencyFact>;
  /** Read only when BotAccessLost is in ALARM. */
  readonly botAccessLog?: Fact<readonly BotAccessLogFact[]>;
}

const stackFlags = (f: AwsFacts) => `${f.stackName !== 'TelegramPipeline' ? ` --stack ${f.stackName}` : ''}${f.region ? ` --region ${f.region}` : ''}`;

const notChecked = (id: string, title: string, why: string): CheckResult => ({ id, title, status: 'skip', detail: `not checked: ${why}` });

function checkStack(f: AwsFacts): CheckResult {
  const base = { id: 'stack', title: `stack ${f.stackName}` };
  const error = factError(f.stack);
  if (error) {
    return { ...base, status: 'fail', detail: `cannot read it: ${error}`, fix: 'deploy it (npx cdk deploy), configure AWS credentials and region (--region), or name it with --stack (or TGPIPE_STACK)' };
  }
  const stack = factValue(f.stack)!;
  const missing = REQUIRED_OUTPUTS.filter((k) => !stack.outputs[k]);
  const older = NEWER_OUTPUTS.filter((k) => !stack.outputs[k]);
  const broken = /FAILED|ROLLBACK_COMPLETE$|^ROLLBACK|DELETE/.test(stack.status) && stack.status !== 'UPDATE_ROLLBACK_COMPLETE';
  const lines = Object.keys(stack.outputs).sort().map((k) => `${k} = ${stack.outputs[k]}`);
  if (broken) return { ...base, status: 'fail', detail: `${stack.status}${stack.statusReason ? ` (${stack.statusReason})` : ''}`, fix: 'see the stack events (aws cloudformation describe-stack-events), fix the cause, and deploy again', lines };
  if (missing.length) return { ...base, status: 'fail', detail: `${stack.status}, but it has no ${missing.join(', ')} output${missing.length > 1 ? 's' : ''}: not the pipeline's stack?`, fix: 'name the pipeline\'s stack with --stack, or deploy this version (npx cdk deploy)', lines };
  if (stack.status.endsWith('_IN_PROGRESS')) return { ...base, status: 'warn', detail: `${stack.status}: a deploy is running, run doctor again when it ends`, lines };
  if (older.length) return { ...base, status: 'warn', detail: `${stack.status}, ${lines.length} outputs; no ${older.join(', ')} (deployed by an older version)`, fix: 'deploy this version (npx cdk deploy)', lines };
  const rolledBack = stack.status === 'UPDATE_ROLLBACK_COMPLETE';
  return { ...base, status: rolledBack ? 'warn' : 'pass', detail: `${stack.status}, ${lines.length} outputs${rolledBack ? ' (the last update was rolled back)' : ''}`, ...(rolledBack ? { lines } : {}) };
}

function checkBotToken(f: AwsFacts, outputs: Record<string, string>): CheckResult {
  const base = { id: 'bot-token', title: 'bot token secret' };
  const put = `aws secretsmanager put-secret-value --secret-id ${outputs.BotTokenSecretArn ?? '<BotTokenSecretArn>'} --secret-string "<token from BotFather>"`;
  if (!f.botToken) return notChecked(base.id, base.title, 'no BotTokenSecretArn output');
  const error = factError(f.botToken);
  if (error) return { ...base, status: 'fail', detail: `cannot read it: ${error}`, fix: 'your credentials need secretsmanager:DescribeSecret and GetSecretValue on it' };
  const s = factValue(f.botToken)!;
  if (s.deletedAt) return { ...base, status: 'fail', detail: `scheduled for deletion on ${s.deletedAt.toISOString()}`, fix: `aws secretsmanager restore-secret --secret-id ${outputs.BotTokenSecretArn}` };
  if (!s.token) return { ...base, status: 'fail', detail: 'not set (still the placeholder the stack created)', fix: put };
  if (!s.wellFormed) return { ...base, status: 'fail', detail: 'set, but not a bot token (<bot id>:<secret>, as BotFather gives it)', fix: put };
  return { ...base, status: 'pass', detail: `set (bot ${s.token.slice(0, s.token.indexOf(':'))})${s.lastChanged ? `, changed ${s.lastChanged.toISOString().slice(0, 10)}` : ''}` };
}

function checkWebhook(f: AwsFacts, outputs: Record<string, string>): CheckResult {
  const title = "Telegram's webhook (getWebhookInfo)";
  if (!f.webhook) return notChecked('webhook', title, 'no bot token to ask Telegram with');
  const error = factError(f.webhook);
  if (error) return { id: 'webhook', title, status: 'fail', detail: `Telegram did not answer: ${error}`, fix: 'check the bot token (BotFather) and that api.telegram.org is reachable' };
  const maxConnections = outputs.MaxConnections ? Number(outputs.MaxConnections) : undefined;
  return checkWebhookInfo(factValue(f.webhook)!, { url: outputs.WebhookUrl, maxConnections, setWebhook: `tgpipe set-webhook${stackFlags(f)}`, now: f.now });
}

function checkIngress(outputs: Record<string, string>): CheckResult {
  const base = { id: 'ingress', title: 'ingress' };
  const kind = outputs.Ingress;
  const url = outputs.WebhookUrl ?? '';
  if (!kind) return { ...base, status: 'warn', detail: 'the stack has no Ingress output (an older version: API Gateway HTTP API)', fix: 'deploy this version (npx cdk deploy)' };
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { ...base, status: 'fail', detail: `${kind}, but WebhookUrl "${url}" is not a URL` };
  }
  const expected = kind === 'functionUrl' ? /\.lambda-url\.[a-z0-9-]+\.on\.aws$/ : kind === 'httpApi' ? /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/ : undefined;
  if (!expected) return { ...base, status: 'fail', detail: `unknown ingress "${kind}" (httpApi or functionUrl)` };
  if (!expected.test(host)) return { ...base, status: 'fail', detail: `${kind}, but WebhookUrl's host ${host} is not a ${kind === 'functionUrl' ? 'Lambda function URL' : 'API Gateway'} host` };
  const what = kind === 'functionUrl' ? 'Lambda function URL (no per-request charge; throttling rests on the function\'s concurrency)' : 'API Gateway HTTP API';
  return { ...base, status: 'pass', detail: `${kind}: ${what}` };
}

function checkConcurrency(f: AwsFacts, outputs: Record<string, string>): CheckResult {
  const base = { id: 'concurrency', title: 'Lambda concurrency' };
  if (!f.concurrency) return notChecked(base.id, base.title, 'the stack was not read');
  const error = factError(f.concurrency);
  if (error) return { ...base, status: 'fail', detail: `GetAccountSettings failed: ${error}`, fix: 'your credentials need lambda:GetAccountSettings' };
  const { accountLimit, unreserved } = factValue(f.concurrency)!;
  const reservationText = outputs.WebhookReservedConcurrency;
  const reservation = reservationText && /^\d+$/.test(reservationText) ? Number(reservationText) : undefined;
  const maxConnections = outputs.MaxConnections && /^\d+$/.test(outputs.MaxConnections) ? Number(outputs.MaxConnections) : 40;
  const lines = [`account quota ${accountLimit}, unreserved ${unreserved}`, `webhook reservation ${reservation ?? 'none'}, max_connections ${maxConnections}`];
  const quota = 'ask for a higher quota: Service Quotas > AWS Lambda > Concurrent executions';
  if (reservation !== undefined) {
    // Deployed with a reservation: the rest of the account must keep Lambda's minimum unreserved pool.
    if (accountLimit - reservation < MIN_UNRESERVED_CONCURRENCY) {
      return { ...base, status: 'fail', detail: `the webhook reserves ${reservation} of a quota of ${accountLimit}: Lambda keeps ${MIN_UNRESERVED_CONCURRENCY} unreserved, so a deploy with it fails`, fix: `drop the reservation (-c webhookReservedConcurrency unset) or ${quota}`, lines };
    }
    if (maxConnections > reservation) {
      return { ...base, status: 'warn', detail: `Telegram may open ${maxConnections} connections, the webhook may run ${reservation} at once: the rest are throttled (Telegram retries them)`, fix: `lower maxConnections to ${reservation} (context, then tgpipe set-webhook) or raise webhookReservedConcurrency`, lines };
    }
    return { ...base, status: 'pass', detail: `${reservation} reserved for the webhook of ${accountLimit}, max_connections ${maxConnections}`, lines };
  }
  if (maxConnections > unreserved) {
    return { ...base, status: 'warn', detail: `Telegram may open ${maxConnections} connections, the account has ${unreserved} unreserved: bursts are throttled (Telegram retries them)`, fix: `${quota}, or lower maxConnections (context, then tgpipe set-webhook)`, lines };
  }
  return { ...base, status: 'pass', detail: `no reservation; ${unreserved} unreserved of ${accountLimit}, enough for max_connections ${maxConnections}`, lines };
}

function checkDeliveryStream(f: AwsFacts, outputs: Record<string, string>): CheckResult {
  const base = { id: 'firehose', title: `delivery stream ${outputs.DeliveryStreamName ?? ''}`.trimEnd() };
  if (!f.deliveryStream) return notChecked(base.id, base.title, 'no DeliveryStreamName output');
  const error = factError(f.deliveryStream);
  if (error) return { ...base, status: 'fail', detail: `cannot describe it: ${error}`, fix: 'deploy the stack (npx cdk deploy); your credentials need firehose:DescribeDeliveryStream' };
  const { status, failure } = factValue(f.deliveryStream)!;
  if (status === 'ACTIVE') return { ...base, status: 'pass', detail: 'ACTIVE' };
  if (status === 'CREATING') return { ...base, status: 'warn', detail: 'CREATING: run doctor again in a minute' };
  return { ...base, status: 'fail', detail: `${status}${failure ? `: ${failure}` : ''}`, fix: 'see the stream in the Firehose console (its failure description) and deploy again' };
}

function checkRawDays(f: AwsFacts): CheckResult {
  const base = { id: 'raw', title: `raw objects, last ${f.days.length} days` };
  if (!f.rawDays) return notChecked(base.id, base.title, 'no RawBucketName output');
  const error = factError(f.rawDays);
  if (error) return { ...base, status: 'fail', detail: `cannot list the raw bucket: ${error}`, fix: 'your credentials need s3:ListBucket on the raw bucket' };
  const days = factValue(f.rawDays)!;
  const lines = days.map((d) => `${d.day}: ${d.objects ? `${d.objects} object${d.objects === 1 ? '' : 's'}, newest ${d.newest!.toISOString()} (${describeAge(f.now - d.newest!.getTime())} ago)` : 'none'}`);
  const withData = days.filter((d) => d.objects > 0);
  if (withData.length === 0) {
    return { ...base, status: 'fail', detail: 'nothing arrived', fix: 'is the webhook set (tgpipe set-webhook), the bot in the group (an admin, or privacy mode off), the chat in allowedChatIds (tgpipe chats --target aws)?', lines };
  }
  const newest = Math.max(...withData.map((d) => d.newest!.getTime()));
  const quiet = f.now - newest > 24 * 3600_000;
  return { ...base, status: quiet ? 'warn' : 'pass', detail: `${withData.length} of ${days.length} days have data, the newest object ${describeAge(f.now - newest)} old${quiet ? ' (a quiet group, or deliveries stopped?)' : ''}`, lines };
}

const sameType = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function checkGlueTables(f: AwsFacts, outputs: Record<string, string>): CheckResult[] {
  const title = (t: string) => `Glue table ${t}`;
  if (!f.glueTables) return [notChecked('glue', 'Glue tables', 'no GlueDatabase output')];
  const error = factError(f.glueTables);
  if (error) return [{ id: 'glue', title: 'Glue tables', status: 'fail', detail: `cannot read the catalog: ${error}`, fix: 'your credentials need glue:GetTable and glue:GetPartitions' }];
  const found = new Map(factValue(f.glueTables)!.map((t) => [t.table, t]));
  const deploy = `deploy this version (npx cdk deploy): the stack makes the tables from schemas/${outputs.GlueDatabase ? ` in ${outputs.GlueDatabase}` : ''}`;
  return f.expectedTables.map((want): CheckResult => {
    const base = { id: `glue.${want.table}`, title: title(want.table) };
    const got = found.get(want.table);
    if (!got?.columns) return { ...base, status: 'fail', detail: 'not in the catalog', fix: deploy };
    const have = new Map(got.columns.map((c) => [c.name.toLowerCase(), c.type]));
    const wanted = new Map(want.columns.map((c) => [c.name.toLowerCase(), c.type]));
    const missing = want.columns.filter((c) => !have.has(c.name.toLowerCase())).map((c) => c.name);
    const extra = got.columns.filter((c) => !wanted.has(c.name.toLowerCase())).map((c) => c.name);
    const retyped = want.columns.filter((c) => have.has(c.name.toLowerCase()) && !sameType(have.get(c.name.toLowerCase())!, c.type)).map((c) => `${c.name} ${have.get(c.name.toLowerCase())} (schemas/: ${c.type})`);
    const keys = got.partitionKeys ?? [];
    const keyOk = keys.length === 1 && keys[0]!.name === want.partitionKey.name && sameType(keys[0]!.type, want.partitionKey.type);
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(retyped.length ? [`other types: ${retyped.join(', ')}`] : []),
      ...(extra.length ? [`not in schemas/: ${extra.join(', ')}`] : []),
      ...(keyOk ? [] : [`partitioned by ${keys.map((k) => `${k.name} ${k.type}`).join(', ') || 'nothing'}, not ${want.partitionKey.name} ${want.partitionKey.type}`]),
    ];
    if (problems.length) return { ...base, status: 'fail', detail: problems.join('; '), fix: deploy };
    return { ...base, status: 'pass', detail: `${want.columns.length} columns as in schemas/, partitioned by ${want.partitionKey.name}` };
  });
}

function checkPartitions(f: AwsFacts): CheckResult {
  const base = { id: 'partitions', title: `partitions, last ${f.days.length} days` };
  if (!f.builtDays || !f.glueTables) return notChecked(base.id, base.title, 'no EnrichedBucketName or GlueDatabase output');
  const error = factError(f.builtDays) ?? factError(f.glueTables);
  if (error) return { ...base, status: 'fail', detail: `cannot compare: ${error}`, fix: 'your credentials need s3:ListBucket on the enriched bucket and glue:GetPartitions' };
  const built = factValue(f.builtDays)!;
  const tables = new Map(factValue(f.glueTables)!.map((t) => [t.table, t]));
  const lines: string[] = [];
  const unregistered = new Set<string>();
  let builtCount = 0;
  for (const want of f.expectedTables.filter((t) => t.registered)) {
    const days = built[want.table] ?? [];
    builtCount += days.length;
    const table = tables.get(want.table);
    if (!table?.columns) {
      lines.push(`${want.table}: not in the catalog (above)`);
      continue;
    }
    const registered = new Set(table.partitions ?? []);
    const missing = days.filter((d) => !registered.has(d));
    for (const d of missing) unregistered.add(d);
    lines.push(`${want.table}: ${days.length} day${days.length === 1 ? '' : 's'} built${missing.length ? `, not registered: ${missing.join(', ')}` : ', all registered'}`);
  }
  if (unregistered.size) {
    const { from, to } = dayRange([...unregistered]);
    return { ...base, status: 'fail', detail: `${unregistered.size} built day${unregistered.size === 1 ? ' is' : 's are'} invisible to Athena`, fix: `tgpipe replay enrich --target aws --catalog-only --from ${from} --to ${to}${f.region ? ` --region ${f.region}` : ''}`, lines };
  }
  if (builtCount === 0) return { ...base, status: 'warn', detail: 'no enriched day built in the period yet', lines };
  return { ...base, status: 'pass', detail: 'every built day is registered', lines };
}

const ENRICHMENT_ALARMS = /Enrichment(Errors|FailureQueue|DidNotRun)/;

function checkEnrichment(f: AwsFacts, outputs: Record<string, string>): CheckResult {
  const base = { id: 'enrichment', title: 'last enrichment run' };
  if (!f.lastManifest) return notChecked(base.id, base.title, 'no EnrichedBucketName output');
  const error = factError(f.lastManifest);
  if (error) return { ...base, status: 'fail', detail: `cannot read the manifests: ${error}`, fix: 'your credentials need s3:ListBucket and s3:GetObject on the enriched bucket' };
  const manifest = factValue(f.lastManifest);
  const firing = (factValue(f.alarms) ?? []).filter((a) => ENRICHMENT_ALARMS.test(a.name) && a.state === 'ALARM');
  const rerun = `tgpipe replay enrich --target aws --from <day> --to <day>${f.region ? ` --region ${f.region}` : ''} (the enrichment log names the error; function ${outputs.EnrichmentFunctionName ?? '<EnrichmentFunctionName>'})`;
  const lines = firing.map((a) => `alarm ${a.name}: ${a.reason ?? a.state}`);
  if (!manifest) {
    const stack = factValue(f.stack);
    const young = stack?.createdAt && f.now - stack.createdAt.getTime() < ENRICHMENT_LATE_MS;
    if (young && firing.length === 0) return { ...base, status: 'warn', detail: 'none yet: the first scheduled run is due within a day of the deploy', lines };
    return { ...base, status: 'fail', detail: 'no day was ever built (no manifest under _manifests/)', fix: 'check the schedule and the enrichment log; build the missing days: ' + rerun, lines };
  }
  lines.unshift(`day ${manifest.day}${manifest.status ? ` ${manifest.status}` : ''}, written ${manifest.writtenAt.toISOString()}${manifest.quarantined ? `, ${manifest.quarantined} line${manifest.quarantined === 1 ? '' : 's'} quarantined` : ''}`);
  const age = f.now - manifest.writtenAt.getTime();
  if (firing.length) return { ...base, status: 'fail', detail: `failing: ${firing.map((a) => ENRICHMENT_ALARMS.exec(a.name)?.[0] ?? a.name).join(', ')}`, fix: rerun, lines };
  if (age > ENRICHMENT_LATE_MS) return { ...base, status: 'fail', detail: `the newest build is ${describeAge(age)} old: the daily run stopped`, fix: 'check the schedule (enabled?) and the enrichment log; then ' + rerun, lines };
  return { ...base, status: manifest.quarantined ? 'warn' : 'pass', detail: `built ${manifest.day} ${describeAge(age)} ago${manifest.quarantined ? ', with quarantined lines (under _quarantine/)' : ''}`, lines };
}

function botAccessLines(f: AwsFacts, alarm: AlarmFact): string[] {
  const log = f.botAccessLog;
  if (!log) return alarm.reason ? [alarm.reason] : [];
  const error = factError(log);
  if (error) return [`could not read the webhook log: ${error}`];
  const chats = factValue(log)!;
  if (chats.length === 0) return ['no bot_access_lost line in the webhook log of the last 24 h'];
  return chats.map((c) => `chat ${c.chatId}: the bot is now ${c.newStatus || 'unknown'} (${c.at} UTC)`);
}

function checkBotAccess(f: AwsFacts): CheckResult {
  const base = { id: 'bot-access', title: 'bot access to the groups (my_chat_member)' };
  if (!f.alarms) return notChecked(base.id, base.title, 'no AlarmTopicArn output');
  const alarms = factValue(f.alarms);
  if (!alarms) return { ...base, status: 'fail', detail: `cannot read the BotAccessLost alarm: ${factError(f.alarms)}`, fix: 'your credentials need cloudwatch:DescribeAlarms' };
  const alarm = alarms.find((a) => /BotAccessLost/.test(a.name));
  if (!alarm) return { ...base, status: 'warn', detail: 'the stack has no BotAccessLost alarm (an older version)', fix: 'deploy this version (npx cdk deploy)' };
  if (alarm.state === 'ALARM') {
    return { ...base, status: 'fail', detail: `the bot was removed from a kept group or lost its admin rights${alarm.updatedAt ? ` (${describeAge(f.now - alarm.updatedAt.getTime())} ago)` : ''}`, fix: "add the bot back as an admin of the group the webhook log's bot_access_lost line names (its updates stop until then)", lines: botAccessLines(f, alarm) };
  }
  return { ...base, status: 'pass', detail: `no loss reported (alarm ${alarm.state})` };
}

function checkAlarms(f: AwsFacts): CheckResult {
  const base = { id: 'alarms', title: 'alarms' };
  if (!f.alarms) return notChecked(base.id, base.title, 'no AlarmTopicArn output');
  const error = factError(f.alarms);
  if (error) return { ...base, status: 'fail', detail: `DescribeAlarms failed: ${error}`, fix: 'your credentials need cloudwatch:DescribeAlarms' };
  const alarms = factValue(f.alarms)!;
  if (alarms.length === 0) return { ...base, status: 'warn', detail: "none found notifying the stack's topic", fix: 'deploy this version (npx cdk deploy)' };
  const firing = alarms.filter((a) => a.state === 'ALARM');
  const insufficient = alarms.filter((a) => a.state === 'INSUFFICIENT_DATA').length;
  if (firing.length) {
    return {
      ...base,
      status: 'fail',
      detail: `${firing.length} of ${alarms.length} in ALARM`,
      lines: firing.map((a) => `${a.name}${a.updatedAt ? ` since ${a.updatedAt.toISOString()}` : ''}: ${a.reason ?? ''}`.trimEnd()),
      fix: "the README's Operate table says what each alarm means and what to do",
    };
  }
  return { ...base, status: 'pass', detail: `none of ${alarms.length} in ALARM${insufficient ? ` (${insufficient} without data yet)` : ''}` };
}

export function awsChecks(f: AwsFacts): CheckResult[] {
  const stack = checkStack(f);
  const outputs = factValue(f.stack)?.outputs ?? {};
  if (factError(f.stack)) return [stack];
  return [
    stack,
    checkBotToken(f, outputs),
    checkWebhook(f, outputs),
    checkIngress(outputs),
    checkConcurrency(f, outputs),
    checkDeliveryStream(f, outputs),
    checkRawDays(f),
    ...checkGlueTables(f, outputs),
    checkPartitions(f),
    checkEnrichment(f, outputs),
    checkBotAccess(f),
    checkAlarms(f),
  ];
}

/** The bot token as the secret stores it: the raw token, or the stack's JSON `{"token": ...}`. */
export function botTokenOfSecret(stored: string | undefined): { token?: string; wellFormed: boolean } {
  const text = (stored ?? '').trim();
  let token: string | undefined = text;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { token?: unknown };
      token = typeof parsed.token === 'string' ? parsed.token.trim() : undefined;
    } catch {
      token = text;
    }
  }
  if (!token) return { wellFormed: false };
  return { token, wellFormed: BOT_TOKEN_PATTERN.test(token) };
}

/**
 * The stack's settings, read from CDK context (`cdk.json` or `cdk deploy -c key=value`). Every key has a
 * documented default (README, "AWS" section); values given on the command line arrive as strings, values
 * from cdk.json as JSON, so each is parsed and checked here and a bad one stops the synth with its name.
 */
import { parseChatIds, DEFAULT_UTC_OFFSET } from '../core/config';
import { parseUtcOffset } from '../core/context-date';
import { parseDataMode, type DataMode } from '../core/privacy/data-mode';

export interface StackConfig {
  /** Chat ids whose updates are kept (ALLOWED_CHAT_IDS), as the comma-separated text the Lambda reads. */
  readonly allowedChatIds: string;
  /** Offset of the day boundary of `context_date` (CONTEXT_UTC_OFFSET). */
  readonly utcOffset: string;
  /** IANA time zone of the enrichment schedule and of the `errors/` arrival dates. */
  readonly scheduleTimeZone: string;
  /** EventBridge Scheduler cron expression, in `scheduleTimeZone`. */
  readonly scheduleCron: string;
  /** Firehose buffering: seconds (60-900 with dynamic partitioning). */
  readonly bufferingIntervalSeconds: number;
  /** Firehose buffering: MiB (64-128 with dynamic partitioning). */
  readonly bufferingSizeMiB: number;
  /** Days after which raw objects move to S3 Intelligent-Tiering. */
  readonly rawTransitionDays: number;
  /** Days after which Athena query results are deleted. */
  readonly athenaResultsExpirationDays: number;
  /** Athena's per-query scan limit, in GiB. */
  readonly athenaBytesScannedCutoffGiB: number;
  /** CloudWatch Logs retention of every log group, in days (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  /**
   * Reserved concurrency of the webhook Lambda, or undefined for none (the default): Lambda keeps 100 of
   * the account's concurrency unreserved, so any reservation fails to deploy on an account whose quota is
   * below 100 + the reservation (new accounts start at 10). When set, at least maxConnections.
   */
  readonly webhookReservedConcurrency?: number;
  /** The `max_connections` the webhook is registered with (1-100); the concurrency must cover it. */
  readonly maxConnections: number;
  /** API Gateway stage throttling: steady requests per second and burst. */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** Enrichment look-back (LOOKBACK_DAYS): earlier days re-checked for late raw data. */
  readonly lookbackDays: number;
  /** Name of the Glue database (lower case, digits, underscores). */
  readonly glueDatabase: string;
  /** How Telegram reaches the webhook Lambda: an API Gateway HTTP API, or a Lambda function URL. */
  readonly ingress: Ingress;
  /** E-mail subscribed to the alarm topic, if any. */
  readonly alarmEmail?: string;
  /** Keep buckets and their data when the stack is deleted. */
  readonly retainData: boolean;
  /** What is kept of each update (DATA_MODE): full, no-text or pseudonymous (README, Privacy). */
  readonly dataMode: DataMode;
  /** Days of raw objects kept, counted by context_date (0: forever). */
  readonly retentionRawDays: number;
  /** Days of enriched Parquet (and their Glue partitions and manifests) kept, by context_date (0: forever). */
  readonly retentionEnrichedDays: number;
  /** Days of quarantined lines and Firehose error output kept (0: forever). */
  readonly retentionQuarantineDays: number;
}

/** The two ingress options (context key `ingress`). */
export const INGRESS_OPTIONS = ['httpApi', 'functionUrl'] as const;
export type Ingress = (typeof INGRESS_OPTIONS)[number];

export const DEFAULT_CONFIG: StackConfig = {
  allowedChatIds: '',
  utcOffset: DEFAULT_UTC_OFFSET,
  scheduleTimeZone: 'America/Sao_Paulo',
  // 00:45 local: the day closed at 00:00, Firehose flushes every bufferingIntervalSeconds (<= 15 min),
  // and 30 more minutes cover Firehose's own delivery retries.
  scheduleCron: 'cron(45 0 * * ? *)',
  bufferingIntervalSeconds: 300,
  bufferingSizeMiB: 64,
  rawTransitionDays: 30,
  athenaResultsExpirationDays: 7,
  athenaBytesScannedCutoffGiB: 10,
  logRetentionDays: 90,
  maxConnections: 40,
  apiRateLimit: 200,
  apiBurstLimit: 400,
  lookbackDays: 2,
  glueDatabase: 'telegram_analytics',
  ingress: 'httpApi',
  retainData: true,
  dataMode: 'full',
  retentionRawDays: 0,
  retentionEnrichedDays: 0,
  retentionQuarantineDays: 0,
};

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

type ContextReader = (key: string) => unknown;

function integer(read: ContextReader, key: keyof StackConfig, min: number, max: number): number {
  const raw = read(key);
  const fallback = DEFAULT_CONFIG[key] as number;
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context ${key}: ${JSON.stringify(raw)} is not an integer from ${min} to ${max}`);
  }
  return value;
}

/** An integer setting with no default: unset, empty or `none` leave it unset. */
function optionalInteger(read: ContextReader, key: keyof StackConfig, min: number, max: number): number | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '' || raw === 'none') return undefined;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context ${key}: ${JSON.stringify(raw)} is not an integer from ${min} to ${max} (or none)`);
  }
  return value;
}

function text(read: ContextReader, key: keyof StackConfig): string {
  const raw = read(key);
  if (raw === undefined || raw === null) return DEFAULT_CONFIG[key] as string;
  if (Array.isArray(raw)) return raw.map(String).join(',');
  return String(raw).trim();
}

function boolean(read: ContextReader, key: keyof StackConfig): boolean {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return DEFAULT_CONFIG[key] as boolean;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`context ${key}: ${JSON.stringify(raw)} is not true or false`);
}

/** Reads and validates every setting; `read` is `node.tryGetContext`. */
export function readStackConfig(read: ContextReader): StackConfig {
  const allowedChatIds = text(read, 'allowedChatIds');
  // Same parser as the Lambda, so a typo fails the synth instead of silently dropping a chat.
  const ids = [...parseChatIds(allowedChatIds)];
  const utcOffset = text(read, 'utcOffset') || DEFAULT_UTC_OFFSET;
  parseUtcOffset(utcOffset);
  const scheduleTimeZone = text(read, 'scheduleTimeZone');
  try {
    new Intl.DateTimeFormat('en', { timeZone: scheduleTimeZone });
  } catch {
    throw new Error(`context scheduleTimeZone: "${scheduleTimeZone}" is not an IANA time zone`);
  }
  const scheduleCron = text(read, 'scheduleCron');
  if (!/^cron\(\S+( \S+){5}\)$/.test(scheduleCron)) {
    throw new Error(`context scheduleCron: "${scheduleCron}" is not a six-field cron(...) expression`);
  }
  const logRetentionDays = integer(read, 'logRetentionDays', 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new Error(`context logRetentionDays: ${logRetentionDays} is not one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const maxConnections = integer(read, 'maxConnections', 1, 100);
  const webhookReservedConcurrency = optionalInteger(read, 'webhookReservedConcurrency', 1, 1000);
  if (webhookReservedConcurrency !== undefined && webhookReservedConcurrency < maxConnections) {
    throw new Error(
      `context webhookReservedConcurrency (${webhookReservedConcurrency}) must be at least maxConnections (${maxConnections}): ` +
        'Telegram opens up to max_connections requests at once and a throttled one is retried late',
    );
  }
  const alarmEmail = text(read, 'alarmEmail' as keyof StackConfig);
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context alarmEmail: "${alarmEmail}" is not an e-mail address`);
  }
  const glueDatabase = text(read, 'glueDatabase');
  if (!/^[a-z0-9_]{1,255}$/.test(glueDatabase)) {
    throw new Error(`context glueDatabase: "${glueDatabase}" must be lower-case letters, digits and underscores`);
  }
  const ingress = text(read, 'ingress') || DEFAULT_CONFIG.ingress;
  if (!(INGRESS_OPTIONS as readonly string[]).includes(ingress)) {
    throw new Error(`context ingress: "${ingress}" is not one of ${INGRESS_OPTIONS.join(', ')}`);
  }
  const apiRateLimit = integer(read, 'apiRateLimit', 1, 10_000);
  const apiBurstLimit = integer(read, 'apiBurstLimit', 1, 5_000);
  return {
    allowedChatIds: ids.join(','),
    utcOffset,
    scheduleTimeZone,
    scheduleCron,
    bufferingIntervalSeconds: integer(read, 'bufferingIntervalSeconds', 60, 900),
    bufferingSizeMiB: integer(read, 'bufferingSizeMiB', 64, 128),
    rawTransitionDays: integer(read, 'rawTransitionDays', 0, 36_500),
    athenaResultsExpirationDays: integer(read, 'athenaResultsExpirationDays', 1, 3650),
    athenaBytesScannedCutoffGiB: integer(read, 'athenaBytesScannedCutoffGiB', 1, 1_000_000),
    logRetentionDays,
    ...(webhookReservedConcurrency !== undefined ? { webhookReservedConcurrency } : {}),
    maxConnections,
    apiRateLimit,
    apiBurstLimit,
    lookbackDays: integer(read, 'lookbackDays', 0, 31),
    glueDatabase,
    ingress: ingress as Ingress,
    ...(alarmEmail ? { alarmEmail } : {}),
    retainData: boolean(read, 'retainData'),
    dataMode: parseDataMode(text(read, 'dataMode'), 'context dataMode'),
    retentionRawDays: integer(read, 'retentionRawDays', 0, 36_500),
    retentionEnrichedDays: integer(read, 'retentionEnrichedDays', 0, 36_500),
    retentionQuarantineDays: integer(read, 'retentionQuarantineDays', 0, 36_500),
  };
}

/** The context keys, for the README table and the test that keeps it complete. */
export const CONTEXT_KEYS = [...Object.keys(DEFAULT_CONFIG), 'alarmEmail', 'webhookReservedConcurrency'] as const;

/**
 * Cost on paper per million messages, this design against one S3 object per message (the original
 * design), from measured sizes and counts. Every price is in PRICES below (us-east-1 list prices).
 *
 * This design: API Gateway HTTP API (or, with `ingress=functionUrl`, a Lambda function URL: no per-request
 * charge of its own, the Lambda's request and duration charges only) -> webhook Lambda -> Firehose PutRecord (billed per record rounded
 * up to 5 KB, plus dynamic partitioning per GB, per object delivered and per JQ hour) -> one raw object
 * per buffer interval -> the daily enrichment LISTs and GETs those objects and PUTs two Parquet files
 * and a manifest. The original design: the webhook Lambda PUTs one object per message; the enrichment
 * LISTs them (1,000 keys per page) and GETs each.
 */
import { execFileSync } from 'node:child_process';
import { buildEnvelope, parseUpdateBody } from '../core/envelope';
import { round } from './lib/stats';

/**
 * us-east-1 list prices, looked up 2026-11-23 with the project's search tool (aws.amazon.com pricing
 * pages for API Gateway, Lambda, S3, Data Firehose, and the Firehose usage types DPBytesDelivered,
 * S3DeliveryObjectCount, MetadataProcessingDuration). First tiers only: a group's traffic never reaches
 * the next tier.
 */
export const PRICES_AS_OF = '2026-11-23';
export const PRICES = [
  { key: 'apiGatewayHttpRequest', service: 'API Gateway', item: 'HTTP API request (first 300M/month; 512 KB increments)', usd: 1.0 / 1e6 },
  { key: 'lambdaRequest', service: 'Lambda', item: 'request', usd: 0.2 / 1e6 },
  { key: 'lambdaGbSecondArm', service: 'Lambda', item: 'GB-second, arm64', usd: 0.0000133334 },
  { key: 'firehoseIngestedGb', service: 'Data Firehose', item: 'GB ingested, Direct PUT (each record rounded up to 5 KB)', usd: 0.029 },
  { key: 'firehoseDpGb', service: 'Data Firehose', item: 'dynamic partitioning, GB delivered', usd: 0.02 },
  { key: 'firehoseDpObject', service: 'Data Firehose', item: 'dynamic partitioning, S3 object delivered', usd: 0.005 / 1000 },
  { key: 'firehoseJqHour', service: 'Data Firehose', item: 'JQ processing hour', usd: 0.07 },
  { key: 's3Put', service: 'S3 Standard', item: 'PUT/COPY/POST/LIST request', usd: 0.005 / 1000 },
  { key: 's3Get', service: 'S3 Standard', item: 'GET/SELECT request', usd: 0.0004 / 1000 },
] as const;
type PriceKey = (typeof PRICES)[number]['key'];
export const PRICE: Record<PriceKey, number> = Object.fromEntries(PRICES.map((p) => [p.key, p.usd])) as Record<PriceKey, number>;

export const FIREHOSE_BILLING_STEP = 5 * 1024;
const GiB = 1024 ** 3;

export type IngressOption = 'httpApi' | 'functionUrl';

export interface CostInputs {
  readonly messages: number;
  /** What carries Telegram's POST to the webhook Lambda (default httpApi, the stack's default). */
  readonly ingress?: IngressOption;
  /** Mean envelope line size in bytes (measured). */
  readonly envelopeBytes: number;
  /** Mean Firehose-billed bytes per record: each record rounded up to 5 KB (measured sizes). */
  readonly billedBytesPerRecord: number;
  /** Raw objects Firehose delivers for the day (stack buffering: one per interval per partition, or per size). */
  readonly rawObjects: number;
  /** Webhook Lambda billed ms per invocation and memory. */
  readonly webhookBilledMs: number;
  readonly webhookMemoryMiB: number;
  /** JQ processing hours for the day (estimate). */
  readonly jqHours: number;
  /** Enrichment Lambda: seconds for the day and memory (the same flattening work in both designs). */
  readonly enrichmentSeconds: number;
  readonly enrichmentMemoryMiB: number;
  /** Earlier days the enrichment re-lists for late data. */
  readonly lookbackDays: number;
}

export interface CostLine {
  readonly what: string;
  readonly quantity: number;
  readonly usd: number;
}

const line = (what: string, quantity: number, unitUsd: number): CostLine => ({ what, quantity: round(quantity, 4), usd: quantity * unitUsd });

export function costPerDay(i: CostInputs) {
  const webhook = [
    // A function URL is billed as the Lambda's own requests and duration: no line of its own.
    ...((i.ingress ?? 'httpApi') === 'httpApi' ? [line('API Gateway HTTP API requests', i.messages, PRICE.apiGatewayHttpRequest)] : []),
    line('webhook Lambda requests', i.messages, PRICE.lambdaRequest),
    line('webhook Lambda GB-s', i.messages * (i.webhookBilledMs / 1000) * (i.webhookMemoryMiB / 1024), PRICE.lambdaGbSecondArm),
  ];
  const enrichment = [
    line('enrichment Lambda requests', 1, PRICE.lambdaRequest),
    line('enrichment Lambda GB-s', i.enrichmentSeconds * (i.enrichmentMemoryMiB / 1024), PRICE.lambdaGbSecondArm),
  ];
  const listPages = (objects: number) => Math.max(1, Math.ceil(objects / 1000));
  const ours = [
    ...webhook,
    line('Firehose GB ingested (5 KB steps)', (i.messages * i.billedBytesPerRecord) / GiB, PRICE.firehoseIngestedGb),
    line('Firehose dynamic partitioning GB', (i.messages * i.envelopeBytes) / GiB, PRICE.firehoseDpGb),
    line('Firehose dynamic partitioning objects', i.rawObjects, PRICE.firehoseDpObject),
    line('Firehose JQ hours', i.jqHours, PRICE.firehoseJqHour),
    line('S3 PUT (raw objects by Firehose)', i.rawObjects, PRICE.s3Put),
    line('S3 LIST (enrichment, day + lookback)', listPages(i.rawObjects) * (1 + i.lookbackDays), PRICE.s3Put),
    line('S3 GET (enrichment reads raw objects)', i.rawObjects, PRICE.s3Get),
    line('S3 PUT (2 Parquet files + manifest)', 3, PRICE.s3Put),
    ...enrichment,
  ];
  const original = [
    ...webhook,
    line('S3 PUT (one object per message)', i.messages, PRICE.s3Put),
    line('S3 LIST (enrichment, day + lookback)', listPages(i.messages) * (1 + i.lookbackDays), PRICE.s3Put),
    line('S3 GET (enrichment reads every object)', i.messages, PRICE.s3Get),
    line('S3 PUT (2 Parquet files + manifest)', 3, PRICE.s3Put),
    ...enrichment,
  ];
  const total = (xs: CostLine[]) => xs.reduce((a, b) => a + b.usd, 0);
  const s3Requests = (xs: CostLine[]) => xs.filter((x) => x.what.startsWith('S3')).reduce((a, b) => a + b.quantity, 0);
  return {
    ours: { lines: ours, total: round(total(ours), 4), s3Requests: s3Requests(ours) },
    original: { lines: original, total: round(total(original), 4), s3Requests: s3Requests(original) },
    ratio: round(total(original) / total(ours), 2),
  };
}

/** Envelope sizes as the webhook builds them, and what Firehose bills for each. */
export function envelopeSizes(bodies: readonly string[]) {
  const sizes = bodies.map((b) => Buffer.byteLength(buildEnvelope(b, parseUpdateBody(b), 1_780_000_000_000, -180).line) - 1); // the line break is Firehose's delimiter, added by us: count it once below
  const billed = sizes.map((s) => Math.ceil((s + 1) / FIREHOSE_BILLING_STEP) * FIREHOSE_BILLING_STEP);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    count: sizes.length,
    meanBytes: Math.round(mean(sizes) + 1),
    maxBytes: Math.max(...sizes) + 1,
    over5KB: sizes.filter((s) => s + 1 > FIREHOSE_BILLING_STEP).length,
    billedBytesPerRecord: Math.round(mean(billed)),
  };
}

/** Raw objects a day's traffic makes with the stack's buffering (one per interval while traffic flows, or per size). */
export function rawObjectsPerDay(rawBytes: number, bufferingIntervalSeconds: number, bufferingSizeMiB: number): number {
  return Math.max(Math.ceil(86_400 / bufferingIntervalSeconds), Math.ceil(rawBytes / (bufferingSizeMiB * 1024 * 1024)));
}

/**
 * JQ hours for `messages` records, estimated from jq 1.6's own time to evaluate the stack's query
 * (`{context_date: .context_date}`) over `lines` on this machine (an estimate: AWS meters its own JQ).
 * Undefined when jq is not installed.
 */
export function jqHoursEstimate(lines: readonly string[], messages: number): { hours: number; secondsPerMillion: number } | undefined {
  try {
    const input = lines.join('\n');
    const t = performance.now();
    execFileSync('jq', ['-c', '{context_date: .context_date}'], { input, maxBuffer: 64 << 20, stdio: ['pipe', 'ignore', 'ignore'], timeout: 60_000 });
    const seconds = (performance.now() - t) / 1000;
    const secondsPerMillion = (seconds / lines.length) * 1e6;
    return { hours: (secondsPerMillion * (messages / 1e6)) / 3600, secondsPerMillion: round(secondsPerMillion, 2) };
  } catch {
    return undefined;
  }
}

/**
 * Cost on paper per million messages, this design against one S3 object per message (the original
 * pipeline), from measured sizes. Prices: us-east-1 list prices (2026), in one table so they are easy to update.
 */
export const PRICES_USD = {
  apiGatewayHttpPerMillion: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm: 0.0000133334,
  firehosePerGbIngested: 0.029, // billed per record rounded up to the next 5 KB
  firehoseDynamicPartitioningPerGb: 0.02,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  s3ListPer1000: 0.005,
} as const;

export interface CostInputs {
  readonly messages: number;
  /** Mean envelope size in bytes (measured). */
  readonly envelopeBytes: number;
  /** Raw objects Firehose writes for the day (measured: ~1,400 per million at 64 MiB / 900 s buffers). */
  readonly rawObjects: number;
  /** Webhook Lambda billed duration in ms (measured latency, rounded up to 1 ms) and memory in MB. */
  readonly webhookMs: number;
  readonly webhookMemoryMb: number;
}

export function costPerDay(i: CostInputs) {
  const gbBilledFirehose = (i.messages * Math.ceil(i.envelopeBytes / 5120) * 5120) / 1024 ** 3;
  const gbRaw = (i.messages * i.envelopeBytes) / 1024 ** 3;
  const lambda = (i.messages / 1e6) * PRICES_USD.lambdaPerMillionRequests + i.messages * (i.webhookMs / 1000) * (i.webhookMemoryMb / 1024) * PRICES_USD.lambdaPerGbSecondArm;
  const apiGateway = (i.messages / 1e6) * PRICES_USD.apiGatewayHttpPerMillion;
  const ours = {
    apiGateway,
    webhookLambda: lambda,
    firehose: gbBilledFirehose * PRICES_USD.firehosePerGbIngested + gbRaw * PRICES_USD.firehoseDynamicPartitioningPerGb,
    s3: (i.rawObjects / 1000) * PRICES_USD.s3PutPer1000 + (i.rawObjects / 1000) * PRICES_USD.s3GetPer1000 + (Math.ceil(i.rawObjects / 1000) / 1000) * PRICES_USD.s3ListPer1000,
  };
  const original = {
    apiGateway,
    webhookLambda: lambda,
    firehose: 0,
    // One PUT per message at ingestion, one GET per message at enrichment, LIST pages of 1,000 keys.
    s3: (i.messages / 1000) * PRICES_USD.s3PutPer1000 + (i.messages / 1000) * PRICES_USD.s3GetPer1000 + (Math.ceil(i.messages / 1000) / 1000) * PRICES_USD.s3ListPer1000,
  };
  const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  return { ours: { ...ours, total: total(ours) }, original: { ...original, total: total(original) }, s3Requests: { ours: i.rawObjects * 2, original: i.messages * 2 } };
}

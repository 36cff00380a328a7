/**
 * CloudWatch Embedded Metric Format: a log line that CloudWatch also turns into metrics, so the Lambdas
 * publish metrics without an SDK call on the request path. Alarms in the stack read these names.
 */
export const METRICS_NAMESPACE = 'TelegramPipeline';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Seconds' | 'None';

export interface MetricValue {
  readonly value: number;
  readonly unit: MetricUnit;
}

/** Fields to merge into a log line so it carries the metrics, under the given dimensions. */
export function emfFields(
  metrics: Record<string, MetricValue>,
  dimensions: Record<string, string> = {},
  timestamp = Date.now(),
  namespace = METRICS_NAMESPACE,
): Record<string, unknown> {
  const names = Object.keys(metrics);
  const fields: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: names.map((name) => ({ Name: name, Unit: metrics[name]!.unit })),
        },
      ],
    },
    ...dimensions,
  };
  for (const name of names) fields[name] = metrics[name]!.value;
  return fields;
}

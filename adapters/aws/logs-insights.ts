/**
 * One CloudWatch Logs Insights query to its end: StartQuery over a log group and a time range, then
 * GetQueryResults with backoff until Complete (Failed / Cancelled / Timeout are errors). Throttled calls
 * (Logs Insights allows a few concurrent queries per account) are retried like doctor's reads.
 */
import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { throttleRetries, type Retrying } from './doctor-retry';

export interface InsightsQuery {
  readonly logGroup: string;
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
  /** At most this many result rows (Logs Insights caps a query at 10,000). */
  readonly limit?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retrying?: Retrying;
}

/** The rows of the query, each field by name (Logs Insights returns every value as a string). */
export async function runInsightsQuery(client: CloudWatchLogsClient, q: InsightsQuery): Promise<Record<string, string>[]> {
  const sleep = q.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retrying = q.retrying ?? throttleRetries({ sleep });
  const deadline = Date.now() + (q.timeoutMs ?? 120_000);
  const { queryId } = await retrying('StartQuery', () =>
    client.send(new StartQueryCommand({ logGroupName: q.logGroup, queryString: q.query, startTime: Math.floor(q.startMs / 1000), endTime: Math.ceil(q.endMs / 1000), limit: q.limit ?? 10_000 })),
  );
  if (!queryId) throw new Error('Logs Insights returned no queryId');
  let wait = 250;
  for (;;) {
    const page = await retrying('GetQueryResults', () => client.send(new GetQueryResultsCommand({ queryId })));
    if (page.status === 'Complete') {
      return (page.results ?? []).map((fields) => Object.fromEntries(fields.filter((f) => f.field && f.field !== '@ptr').map((f) => [f.field!, f.value ?? ''])));
    }
    if (page.status === 'Failed' || page.status === 'Cancelled' || page.status === 'Timeout') throw new Error(`Logs Insights query ${queryId} on ${q.logGroup} ended ${page.status}`);
    if (Date.now() > deadline) {
      await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
      throw new Error(`Logs Insights query ${queryId} still ${page.status ?? 'unknown'} after the time limit; stopped`);
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 2000);
  }
}

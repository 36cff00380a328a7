/**
 * Registers partitions through the Athena API (DESIGN.md: the enriched tables have no projection):
 * StartQueryExecution in the stack's workgroup, then GetQueryExecution with backoff until a final state.
 */
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { addPartitionSql } from '../../schemas';
import type { PartitionCatalog } from '../../ports/catalog';

export interface AthenaCatalogOptions {
  readonly workGroup: string;
  readonly database: string;
  /** Upper bound on waiting for one statement. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'ThrottledException']);
const isThrottling = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  return THROTTLING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429 || /rate exceeded|throttl/i.test(e.message ?? '');
};

export class AthenaCatalog implements PartitionCatalog {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaCatalogOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Runs one statement to completion; throws with Athena's reason when it fails. */
  async execute(sql: string): Promise<string> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 5 * 60_000);
    let delay = 200;
    const retrying = async <T>(call: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await call();
        } catch (error) {
          if (!isThrottling(error) || Date.now() > deadline) throw error;
          await this.sleep(delay + Math.random() * delay);
          delay = Math.min(delay * 2, 5000);
        }
      }
    };
    const { QueryExecutionId: id } = await retrying(() =>
      this.client.send(
        new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.options.workGroup, QueryExecutionContext: { Database: this.options.database } }),
      ),
    );
    if (!id) throw new Error('Athena returned no QueryExecutionId');
    let poll = 250;
    for (;;) {
      const { QueryExecution: q } = await retrying(() => this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })));
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new Error(`Athena query ${id} ${state}: ${q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? 'no reason given'}`);
      }
      if (Date.now() > deadline) throw new Error(`Athena query ${id} still ${state} after the time limit`);
      await this.sleep(poll);
      poll = Math.min(poll * 2, 4000);
    }
  }

  async addPartition(table: string, contextDate: string, location: string): Promise<void> {
    await this.execute(addPartitionSql(table, contextDate, location, this.options.database));
  }
}

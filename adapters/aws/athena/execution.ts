/**
 * One Athena statement to its end: StartQueryExecution in a workgroup and database, then GetQueryExecution
 * with backoff until SUCCEEDED (returned) or FAILED / CANCELLED (thrown with Athena's reason and error).
 * Throttled calls (too many requests, too many queries running) are retried with jittered exponential
 * backoff until the deadline; other errors are not (the SDK has already retried transient ones).
 */
import { randomUUID } from 'node:crypto';
import { GetQueryExecutionCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, type AthenaClient, type QueryExecution } from '@aws-sdk/client-athena';
import { classifyFailure } from '../../../core/replay/retry-policy';

export interface AthenaTarget {
  readonly workGroup: string;
  readonly database: string;
}

export interface ExecutionOptions {
  /** Upper bound on one statement, queueing and throttling included (default 5 minutes). */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each wait after a throttled call (for a progress line). */
  readonly onThrottled?: (what: string, waitMs: number) => void;
}

/** A statement that ended FAILED or CANCELLED, or did not end in time. */
export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly state: string | undefined,
    readonly execution?: QueryExecution,
  ) {
    super(message);
  }
}

/** Throttling: Athena's TooManyRequestsException (rate, or too many queries running), 429, "Rate exceeded". */
export function isThrottling(error: unknown): boolean {
  const message = (error as { message?: string })?.message ?? '';
  return classifyFailure(error) === 'throttled' || /rate exceeded|throttl|too many (requests|queries)/i.test(message);
}

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The reason a statement failed, as the console shows it: Athena's text, then its error category and type. */
export function failureReason(execution: QueryExecution | undefined): string {
  const status = execution?.Status;
  const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
  const error = status?.AthenaError;
  const parts: string[] = [];
  if (error?.ErrorCategory !== undefined) parts.push(`category ${({ 1: 'SYSTEM', 2: 'USER', 3: 'OTHER' } as Record<number, string>)[error.ErrorCategory] ?? error.ErrorCategory}`);
  if (error?.ErrorType !== undefined) parts.push(`type ${error.ErrorType}`);
  if (error?.Retryable) parts.push('retryable');
  return parts.length ? `${reason} (${parts.join(', ')})` : reason;
}

export type Retrying = <T>(what: string, call: () => Promise<T>) => Promise<T>;

/** Retries a call while it is throttled, with jittered exponential backoff, until the deadline. */
export function throttleRetrier(options: ExecutionOptions & { readonly deadline: number }): Retrying {
  const sleep = options.sleep ?? defaultSleep;
  let throttleDelay = 200;
  return async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!isThrottling(error) || Date.now() > options.deadline) throw error;
        const wait = Math.round(throttleDelay / 2 + Math.random() * throttleDelay);
        options.onThrottled?.(what, wait);
        await sleep(wait);
        throttleDelay = Math.min(throttleDelay * 2, 10_000);
      }
    }
  };
}

/** Runs `sql` to completion and returns its final QueryExecution (state SUCCEEDED). */
export async function executeStatement(
  client: AthenaClient,
  target: AthenaTarget,
  sql: string,
  options: ExecutionOptions = {},
  retrying: Retrying = throttleRetrier({ ...options, deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) }),
): Promise<QueryExecution> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  // One token for every attempt: a start retried after a throttle that Athena had in fact accepted
  // returns the same query instead of running it twice.
  const token = randomUUID();
  const { QueryExecutionId: id } = await retrying('StartQueryExecution', () =>
    client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: target.workGroup,
        QueryExecutionContext: { Database: target.database },
        ClientRequestToken: token,
      }),
    ),
  );
  if (!id) throw new Error('Athena returned no QueryExecutionId');
  let poll = 200;
  for (;;) {
    const { QueryExecution: q } = await retrying('GetQueryExecution', () => client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })));
    const state = q?.Status?.State;
    if (state === 'SUCCEEDED') return { ...q, QueryExecutionId: q?.QueryExecutionId ?? id };
    if (state === 'FAILED' || state === 'CANCELLED') throw new AthenaQueryError(`Athena query ${id} ${state}: ${failureReason(q)}`, id, state, q);
    if (Date.now() > deadline) {
      // Left running, it would go on scanning (and costing) with nobody waiting for it.
      try {
        await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      } catch {
        // best effort: the workgroup's scan limit still bounds it
      }
      throw new AthenaQueryError(`Athena query ${id} still ${state ?? 'unknown'} after the time limit; stopped`, id, state, q);
    }
    await sleep(poll);
    poll = Math.min(Math.round(poll * 1.5), 3000);
  }
}

/**
 * Retry policy of a replay (pure). Firehose's advice for PutRecordBatch: check FailedPutCount even when
 * the call succeeds, re-send only the failed entries, and retry with exponential backoff and jitter.
 *
 * - A whole call that fails is classified: throttling (ThrottlingException, LimitExceededException,
 *   ServiceUnavailableException, HTTP 429/503...) and transient faults (5xx, time-outs, connection resets)
 *   are retried; anything else (ResourceNotFoundException, InvalidArgumentException, AccessDenied, bad
 *   credentials, other 4xx) is fatal: retrying cannot help, the replay stops at once.
 * - Failed entries of a call that succeeded (ServiceUnavailableException, InternalFailure per entry) are
 *   retried.
 * - Backoff is "full jitter": a uniform wait in [0, min(cap, base * 2^(attempt-1))); throttling starts
 *   from a larger base.
 * - The budget is a number of attempts per record. A record still failing after it has had its attempts
 *   means the stream is not taking records: the replay stops and reports what was not sent.
 */
export interface RetryPolicy {
  /** Attempts per record (the first send included). */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly throttledBaseMs: number;
  readonly capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseMs: 100, throttledBaseMs: 500, capMs: 20_000 };

export type FailureClass = 'throttled' | 'transient' | 'fatal';

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const TRANSIENT = new Set([
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'InternalServerException',
  'ServiceException',
  'ServiceFailureException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  'AbortError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);

/** Classifies an error thrown by a whole PutRecordBatch call. */
export function classifyFailure(error: unknown): FailureClass {
  const e = (error ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  const name = e.name ?? '';
  if (THROTTLED.has(name) || e.$retryable?.throttling) return 'throttled';
  if (TRANSIENT.has(name) || TRANSIENT_CODES.has(e.code ?? '') || TRANSIENT_CODES.has(name)) return 'transient';
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || status === 503) return 'throttled';
  if (status !== undefined && status >= 500) return 'transient';
  if (status !== undefined && status >= 400) return 'fatal';
  // Thrown before any answer (credentials, validation, configuration): retrying will not help.
  if (/Credentials|Validation|InvalidArgument|ResourceNotFound|AccessDenied|Unrecognized|ExpiredToken|InvalidKMS|KMS/.test(name)) return 'fatal';
  // A sink that fails without saying why (the local stand-in's disk error): worth a retry.
  return 'transient';
}

/** Classifies the error code of one failed entry of a call that succeeded. */
export function classifyEntryError(code: string | undefined): FailureClass {
  return code !== undefined && /ServiceUnavailable|Throttl|LimitExceeded/.test(code) ? 'throttled' : 'transient';
}

/** Full-jitter backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, failure: FailureClass, random: () => number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const base = failure === 'throttled' ? policy.throttledBaseMs : policy.baseMs;
  const ceiling = Math.min(policy.capMs, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(0.999999, Math.max(0, random())) * ceiling);
}

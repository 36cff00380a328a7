/**
 * HTTP handler options that really bound an AWS SDK call. `requestTimeout` alone only logs a warning in
 * @smithy/node-http-handler 4.x: without `throwOnRequestTimeout` a connection that accepts and never
 * answers holds the call (and the Lambda) until the function times out, and the SDK never retries it.
 * The request timeout runs until the response headers; `idleMs` bounds a streamed body's silences.
 */
export interface RequestBounds {
  /** Connecting (TCP + TLS). */
  readonly connectMs: number;
  /** From sending the request to the response headers; a TimeoutError the SDK retries. */
  readonly responseMs: number;
  /** Longest silence on the socket, e.g. while an S3 object streams. */
  readonly idleMs?: number;
}

export function boundedRequests(bounds: RequestBounds) {
  return {
    connectionTimeout: bounds.connectMs,
    requestTimeout: bounds.responseMs,
    throwOnRequestTimeout: true,
    ...(bounds.idleMs !== undefined ? { socketTimeout: bounds.idleMs } : {}),
  };
}

/** S3 and Athena calls of the daily build and the replay: generous, but never a 15-minute hang. */
export const BATCH_JOB_BOUNDS: RequestBounds = { connectMs: 5_000, responseMs: 30_000, idleMs: 60_000 };

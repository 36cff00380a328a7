/**
 * Retries for doctor's read calls: a throttled Describe/List/Get (CloudWatch, Glue and Lambda throttle
 * their control-plane APIs at a few calls per second) is retried with jittered backoff a few times,
 * beyond the SDK's own attempts, so a busy account gets a verdict instead of a throttling error.
 */
import { isThrottling } from './athena/execution';

export type Retrying = <T>(what: string, call: () => Promise<T>) => Promise<T>;

export function throttleRetries(options: { readonly attempts?: number; readonly sleep?: (ms: number) => Promise<void>; readonly onThrottled?: (what: string, ms: number) => void } = {}): Retrying {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= attempts || !isThrottling(error)) throw error;
        const wait = Math.round(Math.random() * 200 * 2 ** attempt);
        options.onThrottled?.(what, wait);
        await sleep(wait);
      }
    }
  };
}

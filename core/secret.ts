/** Constant-time comparison of the webhook secret header. */
import { timingSafeEqual } from 'node:crypto';

// The expected secret as bytes, kept between calls: it is the same for every request of a container.
let expectedText: string | undefined;
let expectedBytes: Buffer | undefined;
const bytesOfExpected = (expected: string): Buffer => {
  if (expected !== expectedText || !expectedBytes) {
    expectedBytes = Buffer.from(expected, 'utf8');
    expectedText = expected;
  }
  return expectedBytes;
};

/**
 * True when `received` equals `expected`, compared in constant time (crypto.timingSafeEqual) whatever
 * the content of the guess. Only the length can be told apart, and a Telegram secret token's length
 * (1-256 characters; the stack and `tgpipe serve` generate 64 and 43) tells an attacker nothing useful.
 * This replaced hashing both sides with SHA-256, which cost the local server about 14 µs a request.
 */
export function secretMatches(received: string | undefined, expected: string): boolean {
  if (received === undefined || expected === '') return false;
  const want = bytesOfExpected(expected);
  const got = Buffer.from(received, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Reads a header case-insensitively (API Gateway HTTP API lowercases names; Node keeps them lowercased too). */
export function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  // Node and API Gateway hand over lowercased names: look there first, scan only when that misses.
  const direct = headers[wanted];
  if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

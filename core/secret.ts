/** Constant-time comparison of the webhook secret header. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

// The expected secret is the same on every request of a container or server: hash it once.
let expectedText: string | undefined;
let expectedDigest: Buffer | undefined;
const digestOfExpected = (expected: string): Buffer => {
  if (expected !== expectedText || !expectedDigest) {
    expectedDigest = digest(expected);
    expectedText = expected;
  }
  return expectedDigest;
};

/**
 * True when `received` equals `expected`. Both sides are hashed first so the comparison takes the same
 * time whatever the length or content of the guess.
 */
export function secretMatches(received: string | undefined, expected: string): boolean {
  if (received === undefined || expected === '') return false;
  return timingSafeEqual(digest(received), digestOfExpected(expected));
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

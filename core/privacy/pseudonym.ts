/**
 * Pseudonyms for `pseudonymous` mode: a keyed HMAC-SHA256 of the user id with the deployment's secret,
 * so the same person keeps one pseudonym on every day (per-member numbers equal `full`'s) and nobody
 * without the key can tell who it is, or compute it from an id.
 *
 * A pseudonym is an integer in [2^52, 2^53): above every Telegram user id (the Bot API promises at most
 * 52 significant bits), so a pseudonym is never mistaken for a real id, and still a safe integer that
 * fits the `bigint` columns and JSON. Collisions: about n^2 / 2^53, one in a million for 100,000 members.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const PSEUDONYM_BASE = 2 ** 52;

export type Pseudonymizer = (id: number) => number;

/** True when `id` is a pseudonym (not a real Telegram user id). */
export const isPseudonym = (id: number): boolean => Number.isSafeInteger(id) && id >= PSEUDONYM_BASE;

/** 32 random bytes as base64url: the key file's / secret's content. */
export const generatePseudonymKey = (): string => randomBytes(32).toString('base64url');

/** At least 16 bytes of key, given as text (the secret string as stored). */
export function createPseudonymizer(key: string): Pseudonymizer {
  const secret = key.trim();
  if (Buffer.byteLength(secret) < 16) throw new Error('the pseudonym key is shorter than 16 bytes');
  const cache = new Map<number, number>();
  return (id: number): number => {
    if (isPseudonym(id)) return id; // already one: applying the mode twice changes nothing
    let p = cache.get(id);
    if (p === undefined) {
      const digest = createHmac('sha256', secret).update(`tgpipe-user:${id}`).digest();
      // 52 bits from the first 7 bytes.
      const high = digest.readUInt32BE(0) & 0x000fffff;
      const low = digest.readUInt32BE(4);
      p = PSEUDONYM_BASE + high * 2 ** 32 + low;
      if (cache.size > 100_000) cache.clear();
      cache.set(id, p);
    }
    return p;
  };
}

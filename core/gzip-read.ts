/**
 * Reads a gzip object member by member and says where it is damaged, instead of failing on the first bad
 * byte as a gunzip stream does (and losing the output zlib had not flushed yet). Each member is inflated
 * on its own and its trailer (CRC-32, length) checked, so the data of every whole member before the
 * damage is kept, plus what a damaged member decodes to before its damage. Pure: bytes in, parts out.
 */
import { constants, crc32, inflateRawSync } from 'node:zlib';

export type DamageReason = 'truncated' | 'corrupt' | 'crc_mismatch' | 'trailing_bytes';

export interface GzipDamage {
  /** Where the readable part ends, in the object's (compressed) bytes. */
  readonly offset: number;
  /** Where the damaged member starts (the damage is in it or after it). */
  readonly memberStart: number;
  readonly reason: DamageReason;
  /** zlib's message or what the check found. */
  readonly detail: string;
}

export interface GzipEnd {
  /** Data of a member that decoded but fails its CRC: which byte changed is unknown, so none of it is trusted. */
  readonly suspect?: Buffer;
  readonly damage?: GzipDamage;
  readonly members: number;
}

/** The length of a member header at `at`, or undefined when the bytes there are not (a whole) one. */
export function gzipHeaderLength(bytes: Buffer, at: number): number | undefined {
  if (bytes.length - at < 10 || bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b || bytes[at + 2] !== 0x08) return undefined;
  const flags = bytes[at + 3]!;
  let p = at + 10;
  if (flags & 0x04) {
    if (bytes.length - p < 2) return undefined;
    p += 2 + bytes.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const zero = bytes.indexOf(0, p);
      if (zero < 0) return undefined;
      p = zero + 1;
    }
  }
  if (flags & 0x02) p += 2;
  return p <= bytes.length ? p - at : undefined;
}

export const isGzip = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** Inflates as much of `deflate` as decodes cleanly (a sync flush at its end: a cut stream is not an error). */
function partialInflate(deflate: Buffer): Buffer | undefined {
  try {
    return inflateRawSync(deflate, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/**
 * The output of the longest prefix of a corrupt deflate stream that still decodes (binary search over
 * the prefix length: only damaged members pay this, O(n log n)).
 */
function decodableBefore(deflate: Buffer): { data: Buffer; length: number } {
  let lo = 0;
  let hi = deflate.length;
  let best: Buffer = Buffer.alloc(0);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const out = partialInflate(deflate.subarray(0, mid));
    if (out) {
      lo = mid;
      best = out;
    } else hi = mid - 1;
  }
  return { data: best, length: lo };
}

/**
 * Yields the decoded data of a gzip object (concatenated members) member by member, so one member at a
 * time is in memory, then what a damaged member decodes to before its damage; returns where the damage is.
 */
export function* gzipMemberData(bytes: Buffer): Generator<Buffer, GzipEnd> {
  let at = 0;
  let members = 0;
  const damaged = (damage: GzipDamage, suspect?: Buffer): GzipEnd => ({ members, damage, ...(suspect ? { suspect } : {}) });
  while (at < bytes.length) {
    const head = gzipHeaderLength(bytes, at);
    if (head === undefined) {
      // Not a member: junk after the last one, or a header cut short.
      const cut = bytes.length - at < 10 && bytes.subarray(at).equals(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]).subarray(0, bytes.length - at));
      if (cut) return damaged({ offset: at, memberStart: at, reason: 'truncated', detail: 'the object ends inside a gzip header' });
      return damaged({ offset: at, memberStart: at, reason: 'trailing_bytes', detail: `${bytes.length - at} bytes after the last gzip member are not a gzip member` });
    }
    const deflate = bytes.subarray(at + head);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(deflate, { info: true }) as unknown as typeof inflated;
    } catch (error) {
      const message = (error as Error).message;
      const whole = partialInflate(deflate);
      if (whole) {
        yield whole;
        return damaged({ offset: bytes.length, memberStart: at, reason: 'truncated', detail: message });
      }
      const { data, length } = decodableBefore(deflate);
      yield data;
      return damaged({ offset: at + head + length, memberStart: at, reason: 'corrupt', detail: message });
    }
    const end = at + head + inflated.engine.bytesWritten + 8;
    const data = inflated.buffer;
    if (end > bytes.length) {
      // The data is whole but its trailer is cut: nothing was changed, it is only unchecked.
      yield data;
      return damaged({ offset: bytes.length, memberStart: at, reason: 'truncated', detail: 'the object ends inside a gzip trailer' });
    }
    if (bytes.readUInt32LE(end - 8) !== crc32(data) >>> 0 || bytes.readUInt32LE(end - 4) !== data.length >>> 0) {
      return damaged({ offset: at, memberStart: at, reason: 'crc_mismatch', detail: 'a gzip member fails its CRC or length check' }, data);
    }
    yield data;
    at = end;
    members += 1;
  }
  return { members };
}

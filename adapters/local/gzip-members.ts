/**
 * Gzip members, one per group commit of the local Firehose. A file of concatenated members is one gzip
 * stream to every reader (gunzip, DuckDB, `core/object-lines.ts`), and a member is self-contained, so a
 * crash can only tear the last one, which `validPrefixLength` finds and the repair cuts off.
 *
 * Small groups (one busy chat: one update per fsync) are written as *stored* members: deflate's
 * uncompressed block type, built here with a CRC-32 and no zlib state, about 1 µs instead of the ~50 µs a
 * zlib stream costs to set up. Objects holding stored members are recompressed when they are rotated.
 */
import { crc32, gzipSync, inflateRawSync } from 'node:zlib';
import { gzipHeaderLength } from '../../core/gzip-read';

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
const MAX_STORED_BLOCK = 0xffff;

function trailer(data: Buffer): Buffer {
  const t = Buffer.allocUnsafe(8);
  t.writeUInt32LE(crc32(data) >>> 0, 0);
  t.writeUInt32LE(data.length >>> 0, 4);
  return t;
}

/** A gzip member holding `data` uncompressed (deflate stored blocks). */
export function storedMember(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_STORED_BLOCK));
  const out = Buffer.allocUnsafe(HEADER.length + blocks * 5 + data.length + 8);
  HEADER.copy(out, 0);
  let at = HEADER.length;
  for (let b = 0; b < blocks; b += 1) {
    const start = b * MAX_STORED_BLOCK;
    const len = Math.min(MAX_STORED_BLOCK, data.length - start);
    out[at] = b === blocks - 1 ? 0x01 : 0x00; // BFINAL on the last block, BTYPE 00 (stored)
    out.writeUInt16LE(len, at + 1);
    out.writeUInt16LE(~len & 0xffff, at + 3);
    data.copy(out, at + 5, start, start + len);
    at += 5 + len;
  }
  trailer(data).copy(out, at);
  return out;
}

/** A compressed gzip member (zlib; fast level by default: it runs on the request path). */
export function compressedMember(data: Buffer, level = 1): Buffer {
  return gzipSync(data, { level });
}

/**
 * The length of the longest prefix of `bytes` made of whole, valid gzip members (CRC and length
 * checked). A file cut in the middle of its last member (SIGKILL or power loss mid-append) gives the
 * offset where that member starts.
 */
export function validPrefixLength(bytes: Buffer): { length: number; members: number } {
  let at = 0;
  let members = 0;
  while (at < bytes.length) {
    const head = gzipHeaderLength(bytes, at);
    if (head === undefined) break;
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(bytes.subarray(at + head), { info: true }) as unknown as typeof inflated;
    } catch {
      break;
    }
    const end = at + head + inflated.engine.bytesWritten + 8;
    if (end > bytes.length) break;
    const data = inflated.buffer;
    if (bytes.readUInt32LE(end - 8) !== crc32(data) >>> 0 || bytes.readUInt32LE(end - 4) !== data.length >>> 0) break;
    at = end;
    members += 1;
  }
  return { length: at, members };
}

/**
 * Streams the records of one raw object: gunzips when the bytes start with the gzip magic number (Firehose
 * writes `.gz`; concatenated gzip members are read too), splits JSON lines without holding the object in
 * memory, and falls back to "one record per object" for a pretty-printed bare update.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';

/** An object larger than this cannot be a single pretty-printed update: its lines are taken as they are. */
export const MAX_WHOLE_OBJECT_CHARS = 16 * 1024 * 1024;

async function* decompressed(source: Readable): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return;
  const head: Buffer = first.value;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value as Buffer;
  };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        for await (const chunk of rest()) {
          if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
        }
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feed;
  } else {
    yield* rest();
  }
}

/** Yields each non-empty line (without the line break) of an object, decompressing when needed. */
export async function* objectLines(source: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of decompressed(source)) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) yield text.slice(start, end);
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry.trim() !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

const isCompleteJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * Yields the object's records: each JSON line, or, when the first line is not JSON on its own but the
 * whole (small) object is, the whole object as one record (a pretty-printed update).
 */
export async function* objectRecords(source: Readable): AsyncGenerator<string> {
  const lines = objectLines(source);
  const first = await lines.next();
  if (first.done) return;
  if (isCompleteJson(first.value) || !first.value.trimStart().startsWith('{')) {
    yield first.value;
    yield* lines;
    return;
  }
  const held: string[] = [first.value];
  let size = first.value.length;
  for await (const line of lines) {
    held.push(line);
    size += line.length + 1;
    if (size > MAX_WHOLE_OBJECT_CHARS) {
      // Too big to be one update: give the lines back one by one (each will be quarantined as it is).
      yield* held;
      yield* lines;
      return;
    }
  }
  const whole = held.join('\n');
  if (isCompleteJson(whole)) yield whole.replace(/[\r\n]+/g, ' ');
  else yield* held;
}

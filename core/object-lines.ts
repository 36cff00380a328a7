/**
 * Streams the records of one raw object: gunzips when the bytes start with the gzip magic number (Firehose
 * writes `.gz`; concatenated gzip members are read too, one at a time, and a damaged object gives every
 * line before its damage: core/gzip-read.ts), splits JSON lines, and falls back to "one record per object" for a pretty-printed bare update.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { gzipMemberData, isGzip, type GzipDamage } from './gzip-read';

/** An object larger than this cannot be a single pretty-printed update: its lines are taken as they are. */
export const MAX_WHOLE_OBJECT_CHARS = 16 * 1024 * 1024;

/**
 * Where an object is damaged and the records that damage sets aside: the decoded text after the last
 * whole line before the damage (maybe empty), then, when a member fails its CRC, each of its lines (they
 * decoded, but some byte in them changed). Counted and quarantined by the enrichment, one record each.
 */
export interface ObjectDamage extends GzipDamage {
  readonly records: string[];
}

export class DamagedObjectError extends Error {
  override name = 'DamagedObjectError';
  constructor(readonly damage: GzipDamage) {
    super(`damaged gzip object: ${damage.reason} at byte ${damage.offset} (${damage.detail}); tgpipe repair rewrites such an object into a sound one`);
  }
}

async function readAll(iterator: AsyncIterator<Buffer>, head: Buffer): Promise<Buffer> {
  const chunks = [head];
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) chunks.push(r.value as Buffer);
  return chunks.length === 1 ? head : Buffer.concat(chunks);
}

/** Splits decoded text into lines, carrying the unfinished last one. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  carry = '';

  *write(chunk: Buffer): Generator<string> {
    const text = this.carry + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) yield text.slice(start, end);
      start = nl + 1;
    }
    this.carry = text.slice(start);
  }

  /** The unfinished last line (with any partial character), emptied. */
  end(): string {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    return rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  }
}

/**
 * Yields each non-empty line (without the line break) of an object, decompressing when it starts with the
 * gzip magic number (concatenated members too). A damaged gzip object yields every line before its damage,
 * then calls `onDamage` (or, without it, throws DamagedObjectError). A gzip object is held compressed in
 * memory while it is read (members are checked one at a time); a plain one is streamed.
 */
export async function* objectLines(source: Readable, onDamage?: (damage: ObjectDamage) => void): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return;
  const head: Buffer = first.value;
  const lines = new LineSplitter();
  if (isGzip(head)) {
    const members = gzipMemberData(await readAll(iterator, head));
    let step = members.next();
    for (; !step.done; step = members.next()) yield* lines.write(step.value);
    const { damage, suspect } = step.value;
    if (damage) {
      if (!onDamage) throw new DamagedObjectError(damage);
      const records = [lines.end()];
      if (suspect) {
        const bad = new LineSplitter();
        for (const l of bad.write(suspect)) records.push(l);
        const rest = bad.end();
        if (rest.trim() !== '') records.push(rest);
      }
      onDamage({ ...damage, records });
      return;
    }
  } else {
    yield* lines.write(head);
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield* lines.write(r.value as Buffer);
  }
  const rest = lines.end();
  if (rest.trim() !== '') yield rest;
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
export async function* objectRecords(source: Readable, onDamage?: (damage: ObjectDamage) => void): AsyncGenerator<string> {
  const lines = objectLines(source, onDamage);
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

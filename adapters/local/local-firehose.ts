/**
 * The local stand-in for Firehose: envelope lines -> gzip JSON-lines objects under
 * `raw/telegram/context_date=YYYY-MM-DD/`, the same layout Firehose writes, rotated by size and age.
 *
 * Durability: `put` resolves only after its line is written and fsynced, so an update answered 200
 * survives SIGKILL. Group commit: every line that arrives while a flush is in flight goes into the next
 * flush, one gzip member and one fsync per day, so a burst costs a few fsyncs, not one per update. A
 * crash can only tear the last, un-acknowledged member; `repairObjects` cuts it off at start-up.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdir, open, readdir, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { rawDayPrefix } from '../../schemas';
import { SinkError, type RecordSink } from '../../ports/record-sink';

export interface LocalFirehoseOptions {
  /** Start a new object past this many compressed bytes (Firehose: buffer size). */
  readonly maxObjectBytes?: number;
  /** Start a new object when the current one is older than this (Firehose: buffer interval). */
  readonly maxObjectAgeMs?: number;
  /** Fault injection for drills: fail this share of flushes (0..1). */
  readonly failRate?: number;
  readonly random?: () => number;
}

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface OpenObject {
  readonly handle: FileHandle;
  readonly openedAt: number;
  bytes: number;
}

const CONTEXT_DATE_FIELD = '"context_date":"';
let sequence = 0;

/** The envelope's context_date, read from the line's head (the envelope puts it there) without parsing. */
export function contextDateOfLine(line: string): string {
  const at = line.indexOf(CONTEXT_DATE_FIELD);
  const date = at >= 0 && at < 64 ? line.slice(at + CONTEXT_DATE_FIELD.length, at + CONTEXT_DATE_FIELD.length + 10) : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new SinkError('record is not an envelope line with a context_date');
  return date;
}

export class LocalFirehose implements RecordSink {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private readonly objects = new Map<string, OpenObject>();
  private closed = false;
  private readonly maxBytes: number;
  private readonly maxAge: number;

  /** `rawRoot` is the raw "bucket" folder (e.g. `data/raw`). */
  constructor(
    readonly rawRoot: string,
    private readonly options: LocalFirehoseOptions = {},
  ) {
    this.maxBytes = options.maxObjectBytes ?? 64 * 1024 * 1024;
    this.maxAge = options.maxObjectAgeMs ?? 60_000;
  }

  put(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new SinkError('local firehose is closed'));
    try {
      contextDateOfLine(line);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: line.endsWith('\n') ? line : `${line}\n`, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  async putBatch(lines: readonly string[]): Promise<{ failed: number[]; errors: string[] }> {
    const results = await Promise.allSettled(lines.map((l) => this.put(l)));
    const failed: number[] = [];
    const errors: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failed.push(i);
        errors.push(String((r.reason as Error).message));
      }
    });
    return { failed, errors };
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        try {
          await this.writeGroup(group);
          for (const p of group) p.resolve();
        } catch (error) {
          const e = error instanceof SinkError ? error : new SinkError(`local firehose append failed: ${(error as Error).message}`, { cause: error });
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    if (this.options.failRate && (this.options.random ?? Math.random)() < this.options.failRate) {
      throw new SinkError('injected append failure');
    }
    const byDay = new Map<string, string[]>();
    for (const p of group) {
      const day = contextDateOfLine(p.line);
      let lines = byDay.get(day);
      if (!lines) byDay.set(day, (lines = []));
      lines.push(p.line);
    }
    await Promise.all(
      [...byDay].map(async ([day, lines]) => {
        const member = gzipSync(lines.join(''), { level: 1 });
        const object = await this.objectFor(day);
        await object.handle.write(member, 0, member.length, null);
        await object.handle.datasync();
        object.bytes += member.length;
      }),
    );
  }

  private async objectFor(day: string): Promise<OpenObject> {
    const current = this.objects.get(day);
    const now = Date.now();
    if (current && current.bytes < this.maxBytes && now - current.openedAt < this.maxAge) return current;
    if (current) await current.handle.close();
    const dir = join(this.rawRoot, ...rawDayPrefix(day).split('/').filter(Boolean));
    await mkdir(dir, { recursive: true });
    sequence += 1;
    const name = `local-firehose-${new Date(now).toISOString().replace(/[-:.]/g, '')}-${process.pid}-${sequence}.json.gz`;
    const object: OpenObject = { handle: await open(join(dir, name), 'a'), openedAt: now, bytes: 0 };
    this.objects.set(day, object);
    return object;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    for (const o of this.objects.values()) await o.handle.close();
    this.objects.clear();
  }
}

/**
 * Cuts a torn trailing gzip member (a SIGKILL in the middle of an append) off every local object, so
 * the readers never fail on it. Only un-acknowledged lines can be in such a member.
 */
export async function repairObjects(rawRoot: string): Promise<{ checked: number; repaired: string[] }> {
  const repaired: string[] = [];
  let checked = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.name.startsWith('local-firehose-') && e.name.endsWith('.json.gz')) {
        checked += 1;
        if (await repairObject(path)) repaired.push(path);
      }
    }
  };
  await walk(rawRoot);
  return { checked, repaired };
}

async function repairObject(path: string): Promise<boolean> {
  const bytes = await readFile(path);
  if (bytes.length === 0) return false;
  try {
    gunzipSync(bytes);
    return false;
  } catch {
    // Try member starts from the end: the longest prefix that decompresses is what was acknowledged.
    for (let at = bytes.length - 1; at >= 0; at -= 1) {
      if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b || bytes[at + 2] !== 0x08) continue;
      try {
        if (at > 0) gunzipSync(bytes.subarray(0, at));
        await truncate(path, at);
        return true;
      } catch {
        // not a member boundary: keep looking
      }
    }
    await truncate(path, 0);
    return (await stat(path)).size === 0;
  }
}

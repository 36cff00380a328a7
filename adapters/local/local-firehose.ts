/**
 * The local stand-in for Firehose: envelope lines -> gzip JSON-lines objects under
 * `<raw>/telegram/context_date=YYYY-MM-DD/`, the layout Firehose's dynamic partitioning writes, one object
 * per day at a time, rotated by size (uncompressed bytes, like Firehose's buffer size) and age (its buffer
 * interval).
 *
 * Durability. `put` resolves only once its line is in the object file, so an update answered 200 survives
 * SIGKILL of the server. With `durability: 'disk'` (the default) the file is opened O_DSYNC, so the append
 * is also on the device when `put` resolves (survives power loss); with `'process'` it is in the OS and
 * fdatasync'd in the background every `syncIntervalMs`. Group commit: every line that arrives while an
 * append is in flight goes into the next one, one gzip member and one synchronous write per day, so a
 * burst costs a few device flushes, not one per update.
 *
 * Crash safety. Each group is one self-contained gzip member written with one append, so only the last,
 * unacknowledged member of a file can be torn. The objects a process has open are listed in a journal
 * (`<data>/.firehose/open-<pid>-<id>.json`); the next LocalFirehose on the folder (first `put`, or
 * `recoverLocalFirehose` at start-up) cuts torn members off the objects of writers that are gone, before
 * anything is appended. Readers in the same process use `committedView`, which never shows a member that
 * is still being written.
 */
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream, writeSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { rawDayPrefix } from '../../schemas';
import { SinkError, type RecordSink } from '../../ports/record-sink';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import { compressedMember, storedMember, validPrefixLength } from './gzip-members';
import { isProcessAlive } from '../../core/process-alive';

export type Durability = 'disk' | 'process';

/** The file system steps a drill can make fail: object open, member write, journal write, recompression. */
export type FaultStep = 'open' | 'write' | 'journal' | 'recompress';

/** What Firehose accepts per record; the local stand-in accepts the same (1,000 KiB). */
export const LOCAL_MAX_RECORD_BYTES = 1000 * 1024;

export interface AppendInfo {
  readonly day: string;
  readonly lines: number;
  readonly bytes: number;
}

export interface LocalFirehoseOptions {
  /** Start a new object once this many uncompressed bytes went into the current one (default 64 MiB). */
  readonly maxObjectBytes?: number;
  /** Start a new object when the current one is older than this (default 60 s), written to or not. */
  readonly maxObjectAgeMs?: number;
  /** `disk` (default): on the device before `put` resolves. `process`: in the OS; fdatasync'd in the background. */
  readonly durability?: Durability;
  /** `process` durability: how often written objects are fdatasync'd (default 1,000 ms). */
  readonly syncIntervalMs?: number;
  /** Groups smaller than this (bytes) are stored uncompressed and recompressed at rotation (default 4 KiB). */
  readonly compressAboveBytes?: number;
  /** Where the open-object journals live (default `<raw>/../.firehose`). */
  readonly stateDir?: string;
  /** Fault injection for drills: this share of appends fails (0..1), answered 503 by the webhook. */
  readonly failRate?: number;
  readonly random?: () => number;
  /** Fault injection: called before each append (one per day per group); throwing fails that append. */
  readonly beforeAppend?: (info: AppendInfo) => void | Promise<void>;
  /**
   * Fault injection for drills where no real full or read-only file system can be had: called before
   * each file system step; throwing (e.g. an ENOSPC error) makes that step fail as the system call would.
   */
  readonly injectFault?: (step: FaultStep) => void;
  /**
   * Reports problems and their end: the storage failing (once per outage, with the error) and working
   * again, a failed recompression, sync or journal update.
   */
  readonly onWarning?: (message: string, fields: Record<string, unknown>) => void;
  readonly now?: () => number;
}

export interface RecoveryReport {
  /** Journals of writers that are gone. */
  readonly journals: number;
  /** Objects that had a torn trailing member, and how many bytes were cut. */
  readonly repaired: Array<{ readonly path: string; readonly cutBytes: number }>;
}

export interface LocalFirehoseStats {
  puts: number;
  appends: number;
  failedAppends: number;
  /** Appends that failed on the file system (full disk, read-only folder, ...), injected faults not counted. */
  storageFailures: number;
  bytesWritten: number;
  objectsOpened: number;
  recompressed: number;
}

interface Pending {
  readonly line: string;
  readonly day: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface OpenObject {
  readonly day: string;
  /** Key in the raw store, e.g. `telegram/context_date=2026-03-01/local-firehose-....json.gz`. */
  readonly key: string;
  readonly path: string;
  readonly handle: FileHandle;
  readonly openedAt: number;
  /** Uncompressed bytes appended (rotation by size, as Firehose buffers). */
  rawBytes: number;
  /** Bytes on disk that belong to acknowledged members. */
  committed: number;
  /** Bytes of stored (uncompressed) members: the object is recompressed when rotated. */
  storedBytes: number;
  /** `process` durability: written since the last fdatasync. */
  dirty: boolean;
  /** `process` durability: the background fdatasync in flight. */
  syncing?: Promise<void>;
}

interface Journal {
  readonly pid: number;
  readonly id: string;
  /** Paths relative to the raw root. */
  readonly open: string[];
  readonly compacting: string[];
}

const CONTEXT_DATE_FIELD = '"context_date":"';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OBJECT_PREFIX = 'local-firehose-';
const JOURNAL = /^open-(\d+)-([0-9a-f]+)\.json$/;
const JOURNAL_TMP = /^open-(\d+)-([0-9a-f]+)\.json\.tmp-write$/;
let sequence = 0;

function groupByDay(group: Pending[]): Map<string, Pending[]> {
  const first = group[0]!.day;
  if (group.every((p) => p.day === first)) return new Map([[first, group]]);
  const byDay = new Map<string, Pending[]>();
  for (const p of group) {
    const list = byDay.get(p.day);
    if (list) list.push(p);
    else byDay.set(p.day, [p]);
  }
  return byDay;
}

function linesOf(items: Pending[]): Buffer {
  if (items.length === 1) return Buffer.from(items[0]!.line, 'utf8');
  let text = '';
  for (const p of items) text += p.line;
  return Buffer.from(text, 'utf8');
}
/** LocalFirehose instances alive in this process (their journals are not stale). */
const liveInstances = new Set<string>();

/** The envelope's context_date, read from the line's head (the envelope puts it there) without parsing. */
export function contextDateOfLine(line: string): string {
  const at = line.indexOf(CONTEXT_DATE_FIELD);
  const start = at + CONTEXT_DATE_FIELD.length;
  const date = at >= 0 && at < 64 && line.charCodeAt(start + 10) === 34 ? line.slice(start, start + 10) : '';
  if (!DATE.test(date)) throw new SinkError('record is not an envelope line with a context_date');
  return date;
}

const defaultStateDir = (rawRoot: string): string => join(dirname(resolve(rawRoot)), '.firehose');
const recompressTmp = (path: string): string => join(dirname(path), `.${basename(path)}.recompress.tmp-write`);

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Cuts a torn trailing gzip member off one object; an object with no whole member is removed. */
export async function repairObject(path: string, sync = true): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const { length } = validPrefixLength(bytes);
  if (length === bytes.length) return 0;
  if (length === 0) await unlink(path);
  else {
    await truncate(path, length);
    if (sync) await fsyncPath(path);
  }
  return bytes.length - length;
}

/**
 * Repairs what writers that are gone left behind: torn trailing members of the objects their journals
 * list, and half-written recompressions. Safe to call while other writers run (their journals are
 * skipped while their process lives).
 */
export async function recoverLocalFirehose(rawRoot: string, options: { stateDir?: string; sync?: boolean } = {}): Promise<RecoveryReport> {
  const root = resolve(rawRoot);
  const stateDir = options.stateDir ?? defaultStateDir(root);
  const report: { journals: number; repaired: Array<{ path: string; cutBytes: number }> } = { journals: 0, repaired: [] };
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw error;
  }
  for (const name of names) {
    const m = JOURNAL.exec(name);
    if (!m) {
      // A journal being written by a writer that is gone (a live one renames it into place shortly).
      const tmp = JOURNAL_TMP.exec(name);
      if (tmp && !liveInstances.has(`${tmp[1]}-${tmp[2]}`) && (Number(tmp[1]) === process.pid || !isProcessAlive(Number(tmp[1])))) await rm(join(stateDir, name), { force: true });
      continue;
    }
    const pid = Number(m[1]);
    if (liveInstances.has(`${pid}-${m[2]}`) || (pid !== process.pid && isProcessAlive(pid))) continue;
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(await readFile(join(stateDir, name), 'utf8')) as Journal;
    } catch {
      journal = undefined; // written by rename, so never partial; unreadable means nothing to trust
    }
    report.journals += 1;
    for (const rel of journal?.open ?? []) {
      const path = join(root, rel);
      const cut = await repairObject(path, options.sync ?? true);
      if (cut > 0) report.repaired.push({ path, cutBytes: cut });
    }
    for (const rel of journal?.compacting ?? []) await rm(recompressTmp(join(root, rel)), { force: true });
    await unlink(join(stateDir, name));
  }
  return report;
}

export class LocalFirehose implements RecordSink {
  readonly rawRoot: string;
  readonly durability: Durability;
  readonly stats: LocalFirehoseStats = { puts: 0, appends: 0, failedAppends: 0, storageFailures: 0, bytesWritten: 0, objectsOpened: 0, recompressed: 0 };
  /** What the first use repaired (undefined until then). */
  recovery: RecoveryReport | undefined;

  private readonly id = `${process.pid}-${randomBytes(6).toString('hex')}`;
  private readonly stateDir: string;
  private readonly journalPath: string;
  private readonly maxBytes: number;
  private readonly maxAge: number;
  private readonly compressAbove: number;
  private readonly now: () => number;
  private pending: Pending[] = [];
  private scheduled = false;
  private loop: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Exclusive operations queued or running: the fast path waits for none. */
  private busy = 0;
  private recoveredOk = false;
  private readonly abandoned = new Set<OpenObject>();
  private readonly objects = new Map<string, OpenObject>();
  private readonly compacting = new Set<string>();
  private recompressions: Promise<void> = Promise.resolve();
  private journalChain: Promise<void> = Promise.resolve();
  private journalExists = false;
  /** A journal update that only removed entries failed: retried by `maintain` (harmless meanwhile). */
  private journalStale = false;
  /** The storage outage in progress: appends fail on the file system since `since`. */
  private outage: { since: number; failures: number; error: string } | undefined;
  private recovered: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSync = 0;
  private closing: Promise<void> | undefined;

  /** Whether appends currently succeed; during an outage, since when and the last error (for /healthz). */
  storage(): { ok: boolean; failingSince?: string; failedAppends?: number; error?: string } {
    const o = this.outage;
    return o ? { ok: false, failingSince: new Date(o.since).toISOString(), failedAppends: o.failures, error: o.error } : { ok: true };
  }

  /** `rawRoot` is the raw "bucket" folder (e.g. `data/raw`). */
  constructor(
    rawRoot: string,
    private readonly options: LocalFirehoseOptions = {},
  ) {
    this.rawRoot = resolve(rawRoot);
    this.durability = options.durability ?? 'disk';
    this.stateDir = options.stateDir ?? defaultStateDir(this.rawRoot);
    this.journalPath = join(this.stateDir, `open-${this.id}.json`);
    this.maxBytes = options.maxObjectBytes ?? 64 * 1024 * 1024;
    this.maxAge = options.maxObjectAgeMs ?? 60_000;
    this.compressAbove = options.compressAboveBytes ?? 4096;
    this.now = options.now ?? Date.now;
    liveInstances.add(this.id);
  }

  put(line: string): Promise<void> {
    if (this.closing) return Promise.reject(new SinkError('local firehose is closed'));
    let day: string;
    try {
      day = contextDateOfLine(line);
    } catch (error) {
      return Promise.reject(error);
    }
    if (line.length * 3 > LOCAL_MAX_RECORD_BYTES && Buffer.byteLength(line) > LOCAL_MAX_RECORD_BYTES) {
      return Promise.reject(new SinkError(`record larger than ${LOCAL_MAX_RECORD_BYTES} bytes`));
    }
    this.stats.puts += 1;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: line.endsWith('\n') ? line : `${line}\n`, day, resolve, reject });
      // Every put of this turn of the event loop (all the requests read in it) joins the group; while a
      // commit is in flight, the loop takes them next.
      if (!this.scheduled && !this.loop) {
        this.scheduled = true;
        setImmediate(this.kick);
      }
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

  /**
   * The raw store as this sink has acknowledged it: an object still being appended to reads (and lists)
   * only up to its last acknowledged member, so an enrichment in this process never meets a member that
   * is half written.
   */
  committedView(store: ObjectStore): ObjectStore {
    const openObject = (key: string): OpenObject | undefined => {
      const o = this.objects.get(/context_date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1] ?? '');
      return o && o.key === key ? o : undefined;
    };
    return {
      url: store.url,
      async *list(prefix: string): AsyncIterable<ObjectInfo> {
        for await (const info of store.list(prefix)) {
          const o = openObject(info.key);
          yield o ? { ...info, size: o.committed, etag: `${o.committed}-open` } : info;
        }
      },
      read: async (key: string) => {
        const o = openObject(key);
        if (!o) return store.read(key);
        return o.committed === 0 ? Readable.from([]) : createReadStream(o.path, { start: 0, end: o.committed - 1, highWaterMark: 256 * 1024 });
      },
      readSmall: (key) => store.readSmall(key),
      write: (key, body, type) => store.write(key, body, type),
      delete: (key) => store.delete(key),
    };
  }

  /** Waits for every line put so far to be acknowledged or failed. */
  async flush(): Promise<void> {
    while (this.loop || this.scheduled) await (this.loop ?? new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** Flushes, closes (and, with `process` durability, fdatasyncs) the open objects, waits for recompression. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      if (this.timer) clearInterval(this.timer);
      await this.exclusive(async () => {
        for (const o of [...this.objects.values()]) await this.retire(o);
      });
      await this.recompressions;
      await this.tidyJournal();
      liveInstances.delete(this.id);
    })();
    return this.closing;
  }

  /** Runs `fn` after every earlier exclusive operation (object opening and closing, slow commits). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.busy += 1;
    const done = async (): Promise<T> => {
      try {
        return await fn();
      } finally {
        this.busy -= 1;
      }
    };
    const run = this.queue.then(done, done);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private recover(): Promise<void> {
    this.recovered ??= recoverLocalFirehose(this.rawRoot, { stateDir: this.stateDir, sync: this.durability === 'disk' }).then(
      (report) => {
        this.recovery = report;
        this.recoveredOk = true;
        this.timer ??= setInterval(() => this.maintain(), Math.max(10, Math.min(1000, this.maxAge / 4, this.options.syncIntervalMs ?? 1000))).unref();
      },
      (error) => {
        this.recovered = undefined;
        throw error;
      },
    );
    return this.recovered;
  }

  private readonly kick = (): void => {
    this.scheduled = false;
    if (this.loop || this.pending.length === 0) return;
    if (!this.fastCommit()) this.loop = this.run();
  };

  /**
   * The common case with `process` durability: every day of the group has an open object with room, and
   * nothing else is in progress. The group is written right here, with no extra turn of the event loop.
   */
  private fastCommit(): boolean {
    if (this.durability !== 'process' || !this.recoveredOk || this.busy > 0 || this.options.beforeAppend || this.options.failRate || this.options.injectFault) return false;
    const groups = groupByDay(this.pending);
    const now = this.now();
    const ready: Array<[OpenObject, Pending[], Buffer]> = [];
    for (const [day, items] of groups) {
      const object = this.objects.get(day);
      const data = linesOf(items);
      if (!object || !this.hasRoom(object, data.length, now)) return false;
      ready.push([object, items, data]);
    }
    this.pending = [];
    for (const [object, items, data] of ready) {
      try {
        this.writeSyncMember(object, data);
      } catch (error) {
        this.failed(items, error);
        this.objects.delete(object.day);
        void this.exclusive(() => this.abandon(object));
        continue;
      }
      if (this.outage) this.recovered_();
      for (const p of items) p.resolve();
    }
    return true;
  }

  /** The group-commit loop: one append per day for everything that queued up meanwhile. */
  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        await this.exclusive(() => this.commit(group));
      }
    } finally {
      this.loop = undefined;
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    if (!this.recoveredOk) {
      try {
        await this.recover();
      } catch (error) {
        this.failed(group, new SinkError(`local firehose cannot recover ${this.stateDir}: ${(error as Error).message}`, { cause: error }), true);
        return;
      }
    }
    const groups = groupByDay(group);
    if (groups.size === 1) {
      const [day, items] = groups.entries().next().value!;
      await this.append(day, items);
    } else await Promise.all([...groups].map(([day, items]) => this.append(day, items)));
  }

  private async append(day: string, items: Pending[]): Promise<void> {
    let object: OpenObject | undefined;
    try {
      const data = linesOf(items);
      if (this.options.beforeAppend) await this.options.beforeAppend({ day, lines: items.length, bytes: data.length });
      if (this.options.failRate && (this.options.random ?? Math.random)() < this.options.failRate) throw new SinkError('injected append failure');
      object = await this.objectFor(day, data.length);
      if (this.durability === 'process') this.writeSyncMember(object, data);
      else await this.writeMember(object, data);
    } catch (error) {
      this.failed(items, error);
      if (object && this.objects.get(day) === object && error instanceof Error && !(error instanceof SinkError)) {
        this.objects.delete(day);
        await this.abandon(object);
      }
      return;
    }
    if (this.outage) this.recovered_();
    for (const p of items) p.resolve();
  }

  /** `storage`: the file system refused (by default: any error that is not already a SinkError, i.e. not injected). */
  private failed(items: Pending[], error: unknown, storage = !(error instanceof SinkError)): void {
    this.stats.failedAppends += 1;
    const e = error instanceof SinkError ? error : new SinkError(`local firehose append failed: ${(error as Error).message}`, { cause: error });
    if (storage) {
      // The file system refused (ENOSPC, EROFS, EACCES, EIO...): one warning per outage, not per request.
      this.stats.storageFailures += 1;
      const message = (error as Error).message;
      if (this.outage) {
        this.outage.failures += 1;
        this.outage.error = message;
      } else {
        this.outage = { since: this.now(), failures: 1, error: message };
        this.options.onWarning?.('raw storage is failing: updates are answered 503 (Telegram retries them) until appends succeed again', {
          event: 'raw_storage_failing',
          error: message,
          code: (error as NodeJS.ErrnoException).code,
        });
      }
    }
    for (const p of items) p.reject(e);
  }

  private recovered_(): void {
    const o = this.outage!;
    this.outage = undefined;
    this.options.onWarning?.('raw storage works again: updates are stored and answered 200', {
      event: 'raw_storage_recovered',
      failed_appends: o.failures,
      outage_ms: this.now() - o.since,
      last_error: o.error,
    });
  }

  private member(object: OpenObject, data: Buffer): { member: Buffer; stored: boolean } {
    const stored = data.length < this.compressAbove;
    return { member: stored ? storedMember(data) : compressedMember(data), stored };
  }

  private committed(object: OpenObject, data: Buffer, member: Buffer, stored: boolean): void {
    object.committed += member.length;
    object.rawBytes += data.length;
    if (stored) object.storedBytes += member.length;
    if (this.durability === 'process') object.dirty = true;
    this.stats.appends += 1;
    this.stats.bytesWritten += member.length;
  }

  /** `process` durability: an append to the page cache takes microseconds, less than a trip to the thread pool. */
  private writeSyncMember(object: OpenObject, data: Buffer): void {
    this.options.injectFault?.('write');
    const { member, stored } = this.member(object, data);
    let offset = 0;
    while (offset < member.length) offset += writeSync(object.handle.fd, member, offset, member.length - offset);
    this.committed(object, data, member, stored);
  }

  /** `disk` durability: the O_DSYNC write waits for the device, so it runs off the event loop. */
  private async writeMember(object: OpenObject, data: Buffer): Promise<void> {
    this.options.injectFault?.('write');
    const { member, stored } = this.member(object, data);
    let offset = 0;
    while (offset < member.length) offset += (await object.handle.write(member, offset, member.length - offset, null)).bytesWritten;
    this.committed(object, data, member, stored);
  }

  /**
   * After a failed write: a partial member must not stay in front of the next one, so the object is cut
   * back to what was acknowledged and closed (the next append opens a new one). If even that fails, the
   * object stays in the journal and the next start repairs it.
   */
  private async abandon(object: OpenObject): Promise<void> {
    this.abandoned.add(object);
    try {
      await object.handle.truncate(object.committed);
    } catch (error) {
      // It stays in the journal: the next start (or `tgpipe repair`) cuts the partial member off.
      await object.handle.close().catch(() => undefined);
      this.options.onWarning?.('a raw object could not be cut back after a failed append: it is repaired at the next start', { key: object.key, error: (error as Error).message });
      return;
    }
    this.abandoned.delete(object);
    await this.retire(object);
  }

  private hasRoom(object: OpenObject, incoming: number, now: number): boolean {
    return (object.rawBytes === 0 || object.rawBytes + incoming <= this.maxBytes) && now - object.openedAt < this.maxAge;
  }

  private async objectFor(day: string, incoming: number): Promise<OpenObject> {
    const current = this.objects.get(day);
    if (current && this.hasRoom(current, incoming, this.now())) return current;
    if (current) await this.retire(current);
    return this.openObject(day);
  }

  private async openObject(day: string): Promise<OpenObject> {
    const prefix = rawDayPrefix(day);
    const dir = join(this.rawRoot, ...prefix.split('/').filter(Boolean));
    const created = await mkdir(dir, { recursive: true });
    const now = this.now();
    const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | (this.durability === 'disk' ? constants.O_DSYNC : 0);
    let handle: FileHandle | undefined;
    let name = '';
    this.options.injectFault?.('open');
    while (!handle) {
      sequence += 1;
      name = `${OBJECT_PREFIX}${stamp}-${process.pid}-${sequence}.json.gz`;
      try {
        handle = await open(join(dir, name), flags, 0o644);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const object: OpenObject = { day, key: `${prefix}${name}`, path: join(dir, name), handle, openedAt: now, rawBytes: 0, committed: 0, storedBytes: 0, dirty: false };
    this.objects.set(day, object);
    this.stats.objectsOpened += 1;
    try {
      // Before anything in it is acknowledged: the journal names it (for the repair) and its folder entry is durable.
      await this.writeJournal();
      if (this.durability === 'disk') {
        const dirs = [dir];
        if (created) for (let d = dir; d !== dirname(created) && d !== dirname(d); ) dirs.push((d = dirname(d)));
        for (const d of dirs) await fsyncPath(d);
      }
    } catch (error) {
      // Nothing was written to it: it goes, so no empty object is left behind (the append fails: 503).
      if (this.objects.get(day) === object) this.objects.delete(day);
      await handle.close().catch(() => undefined);
      await rm(object.path, { force: true }).catch(() => undefined);
      throw error;
    }
    return object;
  }

  /** Closes an object for good: fdatasync (process durability), close, recompress if it holds stored members. */
  private async retire(object: OpenObject): Promise<void> {
    if (this.objects.get(object.day) === object) this.objects.delete(object.day);
    try {
      if (object.syncing) await object.syncing;
      if (object.dirty) await object.handle.datasync();
    } catch (error) {
      this.options.onWarning?.('fdatasync of a raw object failed at its rotation', { key: object.key, error: (error as Error).message });
    } finally {
      await object.handle.close().catch((e) => this.options.onWarning?.('could not close a raw object', { key: object.key, error: (e as Error).message }));
    }
    if (object.committed === 0) await rm(object.path, { force: true }).catch(() => undefined);
    else if (object.storedBytes > 0) this.recompress(object);
    await this.tidyJournal();
  }

  /** Background: rewrite an object that holds stored members fully compressed (same lines, same key). */
  private recompress(object: OpenObject): void {
    const rel = object.key;
    this.compacting.add(rel);
    this.recompressions = this.recompressions.then(async () => {
      const tmp = recompressTmp(object.path);
      try {
        // The journal names the temporary file before it exists (a crash leaves nothing unnamed).
        await this.writeJournal();
        this.options.injectFault?.('recompress');
        await pipeline(createReadStream(object.path), createGunzip(), createGzip({ level: 6 }), createWriteStream(tmp, { flags: 'wx' }));
        await fsyncPath(tmp);
        await rename(tmp, object.path);
        if (this.durability === 'disk') await fsyncPath(dirname(object.path));
        this.stats.recompressed += 1;
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => undefined);
        this.options.onWarning?.('could not recompress a raw object (it stays readable as written)', { key: rel, error: (error as Error).message });
      } finally {
        this.compacting.delete(rel);
        await this.tidyJournal();
      }
    });
  }

  /** Periodic: rotate objects past their age; `process` durability: fdatasync what was written. */
  private maintain(): void {
    if (this.closing) return;
    const now = this.now();
    if (this.journalStale && this.busy === 0) void this.exclusive(() => this.tidyJournal());
    if ([...this.objects.values()].some((o) => now - o.openedAt >= this.maxAge)) {
      void this.exclusive(async () => {
        for (const o of [...this.objects.values()]) {
          if (this.now() - o.openedAt < this.maxAge) continue;
          await this.retire(o).catch((e) => this.options.onWarning?.('could not close a raw object', { key: o.key, error: (e as Error).message }));
        }
      });
    }
    if (this.durability === 'process' && now - this.lastSync >= (this.options.syncIntervalMs ?? 1000)) {
      this.lastSync = now;
      // Off the commit path: appends go on while the device catches up.
      for (const o of this.objects.values()) {
        if (!o.dirty || o.syncing) continue;
        o.dirty = false;
        o.syncing = o.handle
          .datasync()
          .catch((e) => {
            o.dirty = true;
            this.options.onWarning?.('fdatasync of a raw object failed', { key: o.key, error: (e as Error).message });
          })
          .finally(() => {
            o.syncing = undefined;
          });
      }
    }
  }

  /** Rewrites this instance's journal (serialised; tmp + rename, synced with `disk` durability). */
  private writeJournal(): Promise<void> {
    const next = this.journalChain.then(async () => {
      this.options.injectFault?.('journal');
      const openKeys = [...this.objects.values(), ...this.abandoned].map((o) => o.key);
      const compacting = [...this.compacting];
      if (openKeys.length === 0 && compacting.length === 0) {
        if (this.journalExists) {
          await rm(this.journalPath, { force: true });
          this.journalExists = false;
        }
        return;
      }
      await mkdir(this.stateDir, { recursive: true });
      const journal: Journal = { pid: process.pid, id: this.id, open: openKeys, compacting };
      const tmp = `${this.journalPath}.tmp-write`;
      try {
        const handle = await open(tmp, 'w', 0o644);
        try {
          await handle.writeFile(JSON.stringify(journal));
          if (this.durability === 'disk') await handle.datasync();
        } finally {
          await handle.close();
        }
        await rename(tmp, this.journalPath);
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => undefined); // a full disk leaves no half journal behind
        throw error;
      }
      if (this.durability === 'disk') await fsyncPath(this.stateDir);
      this.journalExists = true;
    });
    this.journalChain = next.catch(() => undefined);
    return next;
  }

  /**
   * A journal update after objects closed (it names fewer of them): if it fails, the journal names an
   * object or a recompression that is finished, which a recovery only checks again. So it never fails
   * the caller; it is retried by `maintain` and at close, with one warning per failing streak.
   */
  private async tidyJournal(): Promise<void> {
    try {
      await this.writeJournal();
      this.journalStale = false;
    } catch (error) {
      if (!this.journalStale) {
        this.options.onWarning?.('could not update the open-object journal (retried; the objects it still names are only checked again at the next start)', {
          event: 'journal_stale',
          path: this.journalPath,
          error: (error as Error).message,
        });
      }
      this.journalStale = true;
    }
  }
}

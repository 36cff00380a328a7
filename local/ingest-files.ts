/**
 * `tgpipe ingest`'s reading of files: each file streamed (gunzipped when it is gzip), its updates put
 * through the webhook's path a batch at a time, so memory stays bounded whatever the files' size.
 * Folders are read file by file (sorted; hidden files skipped). Reports what was stored, dropped and
 * rejected, and the days (context_date) the stored updates landed on.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { describeFsError } from '../core/fs-errors';
import type { Rejection } from '../core/ingest-files';
import { UpdateStreamParser } from '../core/update-stream';
import type { WebhookDeps, WebhookResult } from '../core/webhook';
import { ingestUpdates, type IngestCounts } from './ingest';
import { addNoChat } from '../core/no-chat';

export interface IngestFilesReport extends IngestCounts {
  readonly files: number;
  bytes: number;
  readonly rejected: Rejection[];
  /** Rejections beyond the ones kept in `rejected`. */
  rejectedMore: number;
  /** Stored updates per context_date. */
  readonly days: Map<string, number>;
}

export interface IngestProgress {
  readonly file: string;
  readonly fileBytes: number;
  /** Bytes read of this file. */
  readonly bytesRead: number;
  /** Bytes read of all files so far. */
  readonly doneBytes: number;
  readonly totalBytes: number;
  readonly updates: number;
}

/** A path given on the command line that is not there, with the reason (checked before anything runs). */
export interface MissingPath {
  readonly path: string;
  readonly error: unknown;
}

const BATCH = 1000;
const KEEP_REJECTIONS = 1000;

/** The files the paths name: a file as it is, a folder's files (recursively, sorted, no hidden ones). */
export async function listInputFiles(paths: readonly string[]): Promise<{ files: Array<{ path: string; size: number }>; missing: MissingPath[] }> {
  const files: Array<{ path: string; size: number }> = [];
  const missing: MissingPath[] = [];
  const visit = async (path: string, top: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if (top) missing.push({ path, error });
      return;
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(join(path, name), false);
    } else if (info.isFile()) files.push({ path, size: info.size });
  };
  for (const path of paths) await visit(path, true);
  return { files, missing };
}

/** Whether a file starts with gzip's magic bytes. */
async function isGzip(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const head = Buffer.concat(chunks);
  return head[0] === 0x1f && head[1] === 0x8b;
}

export async function ingestFiles(
  files: ReadonlyArray<{ path: string; size: number }>,
  deps: WebhookDeps,
  onProgress?: (p: IngestProgress) => void,
  onEachResult?: (result: WebhookResult) => void,
): Promise<IngestFilesReport> {
  const report: IngestFilesReport = { accepted: 0, ignored: 0, noChat: {}, failed: 0, files: files.length, bytes: 0, rejected: [], rejectedMore: 0, days: new Map() };
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  let doneBytes = 0;
  const reject = (r: Rejection) => {
    if (report.rejected.length < KEEP_REJECTIONS) report.rejected.push(r);
    else report.rejectedMore += 1;
  };
  const onResult = (r: WebhookResult) => {
    onEachResult?.(r);
    if ((r.outcome === 'stored' || r.outcome === 'stored_unparsed') && r.contextDate) report.days.set(r.contextDate, (report.days.get(r.contextDate) ?? 0) + 1);
  };
  let pending: string[] = [];
  let updates = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const counts = await ingestUpdates(batch, deps, onResult);
    report.accepted += counts.accepted;
    report.ignored += counts.ignored;
    addNoChat(report.noChat, counts.noChat);
    report.failed += counts.failed;
  };

  for (const file of files) {
    const parser = new UpdateStreamParser(file.path);
    let bytesRead = 0;
    const take = async (items: ReturnType<UpdateStreamParser['push']>) => {
      for (const item of items) {
        if (item.kind === 'update') {
          pending.push(item.body);
          updates += 1;
        } else reject(item);
      }
      if (pending.length >= BATCH) await flush();
    };
    try {
      const gzip = await isGzip(file.path);
      const source = createReadStream(file.path);
      source.on('data', (chunk) => (bytesRead += (chunk as Buffer).length));
      const text = gzip ? source.pipe(createGunzip()) : source;
      text.setEncoding('utf8');
      source.on('error', (error) => text.destroy(error));
      try {
        for await (const chunk of text) {
          await take(parser.push(chunk as string));
          report.bytes = doneBytes + bytesRead;
          onProgress?.({ file: file.path, fileBytes: file.size, bytesRead, doneBytes: report.bytes, totalBytes, updates });
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (!gzip || !code?.startsWith('Z_')) throw error;
        // A cut-off or damaged download: what was read before the damage is kept, the rest named.
        reject({
          where: file.path,
          reason:
            code === 'Z_BUF_ERROR'
              ? `truncated gzip: the file ends early (after ${bytesRead} of its bytes); what came before is read`
              : `damaged gzip (${(error as Error).message}) within its first ${bytesRead} bytes; what came before the damage is read`,
        });
      }
      await take(parser.end());
    } catch (error) {
      reject({ where: file.path, reason: `cannot read: ${describeFsError(error)}` });
    }
    doneBytes += file.size;
    report.bytes = doneBytes;
  }
  await flush();
  return report;
}

/**
 * The bytes of an export to import: a `result.json` file (also gzip-compressed), the export's folder
 * (its `result.json`), or a `.zip` of the folder (every `result.json` in it, read by yauzl from the
 * central directory and inflated as a stream: nothing is unpacked to disk or held whole in memory).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';

export interface ExportSource {
  /** For messages and keys: the file, or `archive.zip:Folder/result.json`. */
  readonly name: string;
  /** Uncompressed size when known (progress). */
  readonly size?: number;
  open(): Promise<Readable>;
}

const CHUNK = 1024 * 1024;

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function zipEntries(path: string): Promise<ExportSource[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error(`cannot open ${path}`));
      const found: Array<{ fileName: string; size: number }> = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (basename(entry.fileName) === 'result.json') found.push({ fileName: entry.fileName, size: entry.uncompressedSize });
        zip.readEntry();
      });
      zip.on('error', reject);
      zip.on('end', () => {
        zip.close();
        resolve(
          found.map((f) => ({
            name: `${basename(path)}:${f.fileName}`,
            size: f.size,
            open: () => openZipEntry(path, f.fileName),
          })),
        );
      });
      zip.readEntry();
    });
  });
}

function openZipEntry(path: string, fileName: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error(`cannot open ${path}`));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== fileName) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${fileName} in ${path}`));
          stream.on('end', () => zip.close());
          resolve(stream);
        });
      });
      zip.on('error', reject);
      zip.on('end', () => reject(new Error(`${fileName} is no longer in ${path}`)));
      zip.readEntry();
    });
  });
}

/** The exports a path holds; throws with a plain message when it holds none. */
export async function exportSources(path: string): Promise<ExportSource[]> {
  const info = await stat(path);
  if (info.isDirectory()) return exportSources(join(path, 'result.json'));
  const magic = await head(path);
  if (magic[0] === 0x50 && magic[1] === 0x4b) {
    const entries = await zipEntries(path);
    if (entries.length === 0) throw new Error(`${path} holds no result.json (export with format "Machine-readable JSON")`);
    return entries;
  }
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    return [{ name: basename(path), open: async () => createReadStream(path, { highWaterMark: CHUNK }).pipe(createGunzip({ chunkSize: CHUNK })) }];
  }
  return [{ name: basename(path), size: info.size, open: async () => createReadStream(path, { highWaterMark: CHUNK }) }];
}

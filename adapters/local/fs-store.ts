/**
 * ObjectStore on a folder: keys are relative paths with the same layout as the S3 buckets. Writes go to a
 * temporary file and are renamed into place, so a reader or a crash never sees half an object.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import { TMP_WRITE_SUFFIX as TMP_SUFFIX } from '../../schemas/layout';

export interface FsObjectStoreOptions {
  /**
   * Told about what a listing passed over that a bucket could not hold: a symbolic link (never followed,
   * so nothing outside the folder is read), or a plain file where a folder of the prefix should be.
   */
  readonly onSkipped?: (path: string, why: string) => void;
}

export class FsObjectStore implements ObjectStore {
  readonly url: string;

  constructor(
    readonly root: string,
    private readonly options: FsObjectStoreOptions = {},
  ) {
    this.url = root;
  }

  private skipped(path: string, why: string): void {
    this.options.onSkipped?.(path, why);
  }

  /** Whether every folder from the root down to `dir` is a real folder (no link out, no plain file). */
  private async realFolder(dir: string): Promise<boolean> {
    const rel = relative(this.root, dir);
    if (rel === '') return true;
    let at = this.root;
    for (const part of rel.split(sep)) {
      at = join(at, part);
      let info;
      try {
        info = await lstat(at);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
        throw error;
      }
      if (info.isSymbolicLink()) {
        this.skipped(at, 'a symbolic link: not followed');
        return false;
      }
      if (!info.isDirectory()) {
        this.skipped(at, 'a file where a folder is expected: skipped');
        return false;
      }
    }
    return true;
  }

  private pathOf(key: string): string {
    if (key.split('/').some((part) => part === '..') || key.startsWith('/')) throw new Error(`invalid object key ${key}`);
    return join(this.root, ...key.split('/'));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk from the deepest folder the prefix names, then filter by the full prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    const start = this.pathOf(folder);
    const keys: string[] = [];
    if (!(await this.realFolder(start))) return;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isSymbolicLink()) this.skipped(path, 'a symbolic link: not followed');
        else if (entry.isFile() && !entry.name.endsWith(TMP_SUFFIX)) {
          const key = relative(this.root, path).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    keys.sort();
    for (const key of keys) {
      let info;
      try {
        info = await stat(this.pathOf(key));
      } catch {
        continue; // removed since the walk
      }
      yield { key, size: info.size, etag: `${info.size}-${Math.floor(info.mtimeMs)}`, lastModified: info.mtime };
    }
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    // A link (or a linked folder on the way) could lead out of the folder: the object is not there.
    if (!(await this.realFolder(dirname(path))) || (await lstat(path)).isSymbolicLink()) throw Object.assign(new Error(`${path}: not a file inside ${this.root}`), { code: 'ENOENT' });
    await stat(path); // a missing object fails here, not mid-stream
    return createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  async readSmall(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(key: string, body: Readable | Buffer | string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}${TMP_SUFFIX}`;
    try {
      const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
      await pipeline(source, createWriteStream(tmp));
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/**
 * A bucket: S3 on AWS, a folder on the local face. Keys use the same layout on both
 * (`telegram/context_date=YYYY-MM-DD/...`), so the core never knows which one it has.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Changes whenever the content changes (S3 ETag, or size+mtime locally): manifests compare it. */
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ObjectStore {
  /** A human-readable location for logs and SQL, e.g. `s3://bucket` or `/data/raw`. */
  readonly url: string;
  /** Every object under the prefix, all pages, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** The object's bytes as stored (still gzip-compressed if it was written so). */
  read(key: string): Promise<Readable>;
  /** Reads a whole small object; undefined when it does not exist. */
  readSmall(key: string): Promise<Buffer | undefined>;
  /** Writes (replaces) an object; streams are uploaded in parts where the store supports it. */
  write(key: string, body: Readable | Buffer | string, contentType?: string): Promise<void>;
  delete(key: string): Promise<void>;
}

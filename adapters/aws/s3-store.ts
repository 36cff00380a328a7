/** ObjectStore on an S3 bucket: paginated listings, streamed reads, multipart uploads. */
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';

export class S3ObjectStore implements ObjectStore {
  readonly url: string;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {
    this.url = `s3://${bucket}`;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? '', lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async read(key: string): Promise<Readable> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!response.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return response.Body as Readable;
  }

  async readSmall(key: string): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async write(key: string, body: Readable | Buffer | string, contentType?: string): Promise<void> {
    // lib-storage uploads in 8 MiB parts when the body is large, in one PUT otherwise.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body, ContentType: contentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    });
    await upload.done();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Deletes the older versions of `key` on a versioned bucket (erasure, retention): every version but the
   * current one; when the current one is a delete marker (the object was deleted), every version and
   * marker, so nothing of it is left. On an unversioned bucket there is nothing to list.
   */
  async deleteOldVersions(key: string): Promise<number> {
    const old: Array<{ Key: string; VersionId: string }> = [];
    let gone = false;
    const all: Array<{ Key: string; VersionId: string }> = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.client.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      for (const v of page.Versions ?? []) {
        if (v.Key !== key || !v.VersionId || v.VersionId === 'null') continue;
        all.push({ Key: key, VersionId: v.VersionId });
        if (!v.IsLatest) old.push({ Key: key, VersionId: v.VersionId });
      }
      for (const m of page.DeleteMarkers ?? []) {
        if (m.Key !== key || !m.VersionId) continue;
        all.push({ Key: key, VersionId: m.VersionId });
        old.push({ Key: key, VersionId: m.VersionId });
        if (m.IsLatest) gone = true;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    const doomed = gone ? all : old;
    for (let i = 0; i < doomed.length; i += 1000) {
      const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: doomed.slice(i, i + 1000), Quiet: true } }));
      if (answer.Errors?.length) {
        const e = answer.Errors[0]!;
        throw new Error(`s3://${this.bucket}/${key}: ${answer.Errors.length} old version(s) not deleted (${e.Code}: ${e.Message}); run the same command again`);
      }
    }
    return doomed.length;
  }
}

/** ObjectStore on an S3 bucket: paginated listings, streamed reads, multipart uploads. */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
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
}

/**
 * Erasure on the AWS face: the S3 stores against a versioned bucket played by aws-sdk-client-mock (the
 * S3-protocol test server has no versioning): listing pages, NoSuchKey, a new version per PUT, delete
 * markers, ListObjectVersions pages and DeleteObjects. After the erasure the raw object's current
 * version has no trace of the person and no older version of it is left; the day is rebuilt.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { localCatalog } from '../../adapters/local/data-dir';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { memoryLogger } from '../../core/log';
import { eraseEverywhere } from '../../core/privacy/erase-job';
import { rawDayPrefix } from '../../schemas';
import { duckQuery } from '../support/duckdb';
import { conversation, DAY1, DIA } from './support';

interface Version {
  id: string;
  body?: Buffer; // undefined: a delete marker
  at: Date;
}

/** A versioned bucket: key -> versions, newest last. */
class VersionedBucket {
  readonly keys = new Map<string, Version[]>();
  private n = 0;
  put(key: string, body: Buffer) {
    const list = this.keys.get(key) ?? [];
    list.push({ id: `v${++this.n}`, body, at: new Date(Date.UTC(2026, 2, 20) + this.n * 1000) });
    this.keys.set(key, list);
  }
  current(key: string): Buffer | undefined {
    return this.keys.get(key)?.at(-1)?.body;
  }
}

const s3 = mockClient(S3Client);
const buckets = { raw: new VersionedBucket(), enriched: new VersionedBucket() };
const bucketOf = (name?: string) => (name === 'raw-bucket' ? buckets.raw : buckets.enriched);

s3.on(ListObjectsV2Command).callsFake((input) => {
  const b = bucketOf(input.Bucket);
  const keys = [...b.keys.keys()].filter((k) => k.startsWith(input.Prefix ?? '') && b.current(k)).sort();
  // Two keys a page, so every listing is paginated.
  const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
  const page = keys.slice(start, start + 2);
  return {
    Contents: page.map((Key) => ({ Key, Size: b.current(Key)!.length, ETag: `"${b.keys.get(Key)!.at(-1)!.id}"`, LastModified: b.keys.get(Key)!.at(-1)!.at })),
    IsTruncated: start + 2 < keys.length,
    NextContinuationToken: start + 2 < keys.length ? String(start + 2) : undefined,
  };
});
s3.on(GetObjectCommand).callsFake((input) => {
  const body = bucketOf(input.Bucket).current(input.Key!);
  if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
  const stream = Readable.from([body]) as Readable & { transformToByteArray: () => Promise<Uint8Array> };
  stream.transformToByteArray = async () => new Uint8Array(body);
  return { Body: stream };
});
s3.on(PutObjectCommand).callsFake(async (input) => {
  const body = input.Body;
  let bytes: Buffer;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) bytes = Buffer.from(body);
  else if (typeof body === 'string') bytes = Buffer.from(body);
  else {
    const chunks: Buffer[] = [];
    for await (const c of body as Readable) chunks.push(Buffer.from(c));
    bytes = Buffer.concat(chunks);
  }
  bucketOf(input.Bucket).put(input.Key!, bytes);
  return { ETag: '"x"' };
});
s3.on(DeleteObjectCommand).callsFake((input) => {
  const b = bucketOf(input.Bucket);
  const list = b.keys.get(input.Key!);
  if (list) list.push({ id: `dm${list.length}`, at: new Date() }); // a delete marker
  return {};
});
s3.on(ListObjectVersionsCommand).callsFake((input) => {
  const b = bucketOf(input.Bucket);
  const entries = [...b.keys.entries()].filter(([k]) => k.startsWith(input.Prefix ?? '')).flatMap(([Key, vs]) => vs.map((v, i) => ({ Key, v, latest: i === vs.length - 1 })));
  // One version a page: the caller must follow the markers.
  const start = input.VersionIdMarker ? entries.findIndex((e) => e.v.id === input.VersionIdMarker) + 1 : 0;
  const e = entries[start];
  const more = start + 1 < entries.length;
  return {
    Versions: e && e.v.body ? [{ Key: e.Key, VersionId: e.v.id, IsLatest: e.latest }] : [],
    DeleteMarkers: e && !e.v.body ? [{ Key: e.Key, VersionId: e.v.id, IsLatest: e.latest }] : [],
    IsTruncated: more,
    NextKeyMarker: more ? e!.Key : undefined,
    NextVersionIdMarker: more ? e!.v.id : undefined,
  };
});
s3.on(DeleteObjectsCommand).callsFake((input) => {
  const b = bucketOf(input.Bucket);
  for (const o of input.Delete!.Objects!) {
    const list = b.keys.get(o.Key!)!;
    const i = list.findIndex((v) => v.id === o.VersionId);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) b.keys.delete(o.Key!);
  }
  return { Deleted: input.Delete!.Objects };
});

describe('tgpipe erase on S3 with versioning (mocked)', () => {
  let tmp: string;
  afterAll(async () => {
    s3.restore();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('rewrites the raw object without the person, deletes its old versions, rebuilds the day', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'erase-aws-'));
    const lines = conversation().map((u) => {
      const body = JSON.stringify(u);
      return buildEnvelope(body, parseUpdateBody(body), DAY1 * 1000, -180);
    });
    const day = lines[0]!.contextDate;
    const dayLines = lines.filter((l) => l.contextDate === day).map((l) => l.line).join('');
    const key = `${rawDayPrefix(day)}TelegramRaw-1-${day}-12-00-00-abc.gz`;
    // Two earlier versions (Firehose never rewrites, but a replay or a copy may have), then the current one.
    buckets.raw.put(key, gzipSync(dayLines.split('\n').slice(0, 3).join('\n')));
    buckets.raw.put(key, gzipSync(dayLines));
    buckets.raw.put(key, gzipSync(dayLines));
    buckets.raw.put(`${rawDayPrefix(day)}other-object.gz`, gzipSync(lines[1]!.line));

    const client = new S3Client({ region: 'eu-west-1' });
    const raw = new S3ObjectStore(client, 'raw-bucket');
    const enriched = new S3ObjectStore(client, 'enriched-bucket');
    const report = await eraseEverywhere(
      { users: [DIA.id], chats: [], mode: 'full' },
      { raw, enriched, enrich: { raw, enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: 's3://enriched-bucket', tmpDir: tmp } },
    );
    expect(report.raw.objects_rewritten).toBe(1);
    expect(report.raw.old_versions_deleted).toBe(3);
    expect(report.days).toEqual([day]);

    const versions = buckets.raw.keys.get(key)!;
    expect(versions).toHaveLength(1);
    const text = gunzipSync(versions[0]!.body!).toString('utf8');
    expect(text).not.toContain(String(DIA.id));
    expect(text).not.toContain('Diafirstzq');
    expect(text).toContain('"tgpipe_erased":true');
    expect(JSON.parse(buckets.raw.current('_privacy/erasure-register.json')!.toString()).entries[0]).toMatchObject({ kind: 'user', id: DIA.id });
    expect(buckets.raw.current('_privacy/erasure-pending.json')).toBeUndefined();

    const parquet = buckets.enriched.current(`telegram/context_date=${day}/part-00000.parquet`)!;
    const file = join(tmp, 'day.parquet');
    await writeFile(file, parquet);
    const rows = await duckQuery(`SELECT count(*) AS n, count(*) FILTER (WHERE user_id = ${DIA.id} OR reply_to_user_id = ${DIA.id}) AS dia FROM read_parquet('${file}')`);
    expect(Number(rows[0]!.dia)).toBe(0);
    expect(Number(rows[0]!.n)).toBeGreaterThan(5);

    // A second run: nothing left to do, no new version written.
    const again = await eraseEverywhere(
      { users: [DIA.id], chats: [], mode: 'full' },
      { raw, enriched, enrich: { raw, enriched, catalog: localCatalog, logger: memoryLogger(), enrichedLocation: 's3://enriched-bucket', tmpDir: tmp } },
    );
    expect(again).toMatchObject({ register_added: 0, raw: { objects_rewritten: 0, old_versions_deleted: 0 }, days: [] });
    expect(buckets.raw.keys.get(key)).toHaveLength(1);
  });
});

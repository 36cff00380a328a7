/**
 * `tgpipe doctor` on AWS, the data side: raw objects per recent day, enriched days built, the newest
 * build manifest (S3 ListObjectsV2, every page), and the Glue tables with their partitions (GetTable,
 * GetPartitions, every page). Facts only: core/doctor/aws.ts judges them.
 */
import { GetPartitionsCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { GlueTableFact, ManifestFact, RawDayFact } from '../../core/doctor/aws';
import { MANIFEST_PREFIX, enrichedDayKey, rawDayPrefix } from '../../schemas/layout';
import type { Retrying } from './doctor-retry';

interface Listed {
  readonly key: string;
  readonly lastModified: Date;
}

/** Every object under a prefix, all pages (a busy day has more than 1,000 raw objects). */
async function* listAll(s3: S3Client, bucket: string, prefix: string, retrying: Retrying): AsyncIterable<Listed> {
  let token: string | undefined;
  do {
    const page = await retrying('ListObjectsV2', () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
    for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) yield { key: o.Key, lastModified: o.LastModified ?? new Date(0) };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Per day: how many raw objects and when the newest was written. */
export async function rawDayFacts(s3: S3Client, bucket: string, days: readonly string[], retrying: Retrying): Promise<RawDayFact[]> {
  const out: RawDayFact[] = [];
  for (const day of days) {
    let objects = 0;
    let newest: Date | undefined;
    for await (const o of listAll(s3, bucket, rawDayPrefix(day), retrying)) {
      objects += 1;
      if (!newest || o.lastModified > newest) newest = o.lastModified;
    }
    out.push({ day, objects, ...(newest ? { newest } : {}) });
  }
  return out;
}

/** Per table: the days whose Parquet file is in the enriched bucket. */
export async function builtDayFacts(s3: S3Client, bucket: string, tables: readonly string[], days: readonly string[], retrying: Retrying): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    out[table] = [];
    for (const day of days) {
      const key = enrichedDayKey(table, day);
      for await (const o of listAll(s3, bucket, key, retrying)) {
        if (o.key === key) out[table].push(day);
      }
    }
  }
  return out;
}

/** The manifest written last (the last day the enrichment built or re-checked), with its summary. */
export async function lastManifestFact(s3: S3Client, bucket: string, retrying: Retrying): Promise<ManifestFact | null> {
  let newest: Listed | undefined;
  for await (const o of listAll(s3, bucket, MANIFEST_PREFIX, retrying)) if (!newest || o.lastModified > newest.lastModified) newest = o;
  if (!newest) return null;
  const day = /context_date=(\d{4}-\d{2}-\d{2})/.exec(newest.key)?.[1] ?? newest.key;
  let manifest: { built_at?: string; summary?: { status?: string; quarantined?: number } } = {};
  try {
    const body = await retrying('GetObject', () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: newest.key })));
    manifest = JSON.parse((await body.Body?.transformToString('utf8')) ?? '{}');
  } catch {
    // An unreadable manifest still says when the last build wrote it.
  }
  return {
    day,
    writtenAt: newest.lastModified,
    ...(typeof manifest.built_at === 'string' ? { builtAt: manifest.built_at } : {}),
    ...(typeof manifest.summary?.status === 'string' ? { status: manifest.summary.status } : {}),
    ...(typeof manifest.summary?.quarantined === 'number' ? { quarantined: manifest.summary.quarantined } : {}),
  };
}

const isNotFound = (error: unknown) => (error as { name?: string }).name === 'EntityNotFoundException';

/** A table's columns, partition keys and (when the enrichment registers them) its partition days. */
export async function glueTableFact(glue: GlueClient, database: string, table: string, withPartitions: boolean, retrying: Retrying): Promise<GlueTableFact> {
  let got;
  try {
    got = await retrying('GetTable', () => glue.send(new GetTableCommand({ DatabaseName: database, Name: table })));
  } catch (error) {
    if (isNotFound(error)) return { table };
    throw error;
  }
  const columns = (got.Table?.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' }));
  const partitionKeys = (got.Table?.PartitionKeys ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' }));
  if (!withPartitions) return { table, columns, partitionKeys };
  const partitions: string[] = [];
  let token: string | undefined;
  do {
    const page = await retrying('GetPartitions', () => glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: table, NextToken: token })));
    for (const p of page.Partitions ?? []) if (p.Values?.[0]) partitions.push(p.Values[0]);
    token = page.NextToken;
  } while (token);
  return { table, columns, partitionKeys, partitions };
}

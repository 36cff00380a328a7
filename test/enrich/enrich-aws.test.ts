import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { AthenaCatalog } from '../../adapters/aws/athena-catalog';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { planEnrichment } from '../../handlers/enrichment';

const s3 = mockClient(S3Client);
const athena = mockClient(AthenaClient);
const noSleep = async () => {};
beforeEach(() => {
  s3.reset();
  athena.reset();
});

/** A GetObject body as the SDK returns it in Node: a Readable with the transform helpers. */
const body = (text: string) =>
  Object.assign(Readable.from([Buffer.from(text)]), { transformToByteArray: async () => new Uint8Array(Buffer.from(text)) }) as never;

describe('S3ObjectStore', () => {
  it('lists every page (over 1,000 objects) and the enrichment reads them all', async () => {
    const day = '2026-02-01';
    const keys = Array.from({ length: 2500 }, (_, i) => `telegram/context_date=${day}/obj-${String(i).padStart(5, '0')}.json`);
    s3.on(ListObjectsV2Command).callsFake((input) => {
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = keys.slice(start, start + 1000);
      const next = start + 1000;
      return { Contents: page.map((Key) => ({ Key, Size: 100, ETag: `"${Key}"`, LastModified: new Date() })), IsTruncated: next < keys.length, NextContinuationToken: next < keys.length ? String(next) : undefined };
    });
    s3.on(GetObjectCommand).callsFake((input) => {
      if (!String(input.Key).startsWith('telegram/')) throw new NoSuchKey({ message: 'no', $metadata: {} });
      const i = keys.indexOf(input.Key!);
      const update = JSON.stringify({ update_id: i, message: { message_id: i, date: 1769990000, chat: { id: -100, type: 'supergroup' }, text: 't' } });
      return { Body: body(buildEnvelope(update, parseUpdateBody(update), 1769990000000, -180).line) };
    });
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const store = new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'raw');
    const enriched = new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'enriched');
    const summary = await enrichDay(day, { raw: store, enriched, catalog: new AthenaCatalog(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: noSleep }), logger: memoryLogger(), enrichedLocation: 's3://enriched' });
    expect(s3.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.Prefix === `telegram/context_date=${day}/`)).toHaveLength(3);
    expect(summary).toMatchObject({ objects: 2500, lines: 2500, rows: { telegram: 2500, telegram_events: 0 } });
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(puts).toContain(`telegram/context_date=${day}/part-00000.parquet`);
    const sql = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatchObject({ WorkGroup: 'wg', QueryExecutionContext: { Database: 'db' } });
    expect(sql[0]!.QueryString).toBe(`ALTER TABLE \`db\`.\`telegram\` ADD IF NOT EXISTS PARTITION (context_date = DATE '${day}') LOCATION 's3://enriched/telegram/context_date=${day}/'`);
  });
});

describe('AthenaCatalog', () => {
  const catalog = () => new AthenaCatalog(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: noSleep });

  it('polls until SUCCEEDED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await catalog().addPartition('telegram', '2026-01-01', 's3://b/telegram/context_date=2026-01-01/');
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
  });

  it('fails with Athena\'s reason when the query FAILED or was CANCELLED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Table not found telegram' } } });
    await expect(catalog().addPartition('telegram', '2026-01-01', 's3://b/x/')).rejects.toThrow(/FAILED: Table not found telegram/);
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'CANCELLED' } } });
    await expect(catalog().addPartition('telegram', '2026-01-01', 's3://b/x/')).rejects.toThrow(/CANCELLED/);
  });

  it('retries throttling on start and on polling', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    athena.on(StartQueryExecutionCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand).rejectsOnce(Object.assign(new Error('slow'), { name: 'ThrottlingException' })).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await catalog().addPartition('telegram', '2026-01-01', 's3://b/x/');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(3);
  });

  it('does not retry other errors', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('bad'), { name: 'InvalidRequestException' }));
    await expect(catalog().addPartition('telegram', '2026-01-01', 's3://b/x/')).rejects.toThrow('bad');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });
});

describe('planEnrichment', () => {
  it('takes D-1 from the scheduled time in the configured offset, not the clock', () => {
    // 02:30 UTC on the 10th is 23:30 on the 9th at -03:00: D-1 is the 8th.
    expect(planEnrichment({ source: 'schedule', time: '2026-03-10T02:30:00Z' }, -180, 2)).toEqual({ kind: 'scheduled', date: '2026-03-08', lookbackDays: 2 });
    expect(planEnrichment({ time: '2026-03-10T03:30:00Z' }, -180, 2)).toMatchObject({ date: '2026-03-09' });
    expect(planEnrichment({ time: '2026-03-10T03:30:00Z' }, 0, 3)).toMatchObject({ date: '2026-03-09', lookbackDays: 3 });
  });
  it('serves explicit days and refuses ranges and unknown events with a clear message', () => {
    expect(planEnrichment({ date: '2026-01-31' }, -180, 2)).toEqual({ kind: 'day', date: '2026-01-31', force: true });
    expect(() => planEnrichment({ date: '2026-02-30' }, -180, 2)).toThrow(/invalid date/);
    expect(() => planEnrichment({ from: '2026-01-01', to: '2026-01-03' } as never, -180, 2)).toThrow(/one day per invocation/);
    expect(() => planEnrichment({}, -180, 2)).toThrow(/unknown event/);
  });
});

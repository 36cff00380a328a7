/**
 * The S3 object store, the enrichment and the replay over HTTP against a real S3-protocol server
 * (s3rver, in a child process on 127.0.0.1), beside the SDK-mock tests: listing past 1,000 keys
 * (continuation tokens), gzip bodies, multipart uploads, deletes and LastModified as S3 sends them.
 * Only Athena (partition registration) and Firehose (the replay's sink) are mocked.
 */
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { repairCatalog } from '../../core/enrich/catalog-repair';
import { memoryLogger } from '../../core/log';
import { objectRecords } from '../../core/object-lines';
import { replayPlan, snapshotPlan } from '../../core/replay/stream-replay';
import { AthenaCatalog } from '../../adapters/aws/athena-catalog';
import { FirehoseSink } from '../../adapters/aws/firehose-sink';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { enrichedDayKey, manifestKey, rawDayPrefix } from '../../schemas';
import { startS3rver, type S3rverHandle } from '../support/s3rver';

const athena = mockClient(AthenaClient);
const firehose = mockClient(FirehoseClient);
let s3rver: S3rverHandle;
let client: S3Client;
let raw: S3ObjectStore;
let enriched: S3ObjectStore;

beforeAll(async () => {
  s3rver = await startS3rver(['raw', 'enriched', 'scratch']);
  client = s3rver.client();
  raw = new S3ObjectStore(client, 'raw');
  enriched = new S3ObjectStore(client, 'enriched');
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await s3rver?.stop();
});
beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  firehose.reset();
});

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const envelopeLine = (id: number, day: string, text = `m${id}`) => {
  const at = Date.parse(`${day}T15:00:00Z`);
  const body = JSON.stringify({ update_id: id, message: { message_id: id, date: at / 1000 + id, chat: { id: -100, type: 'supergroup' }, text } });
  return buildEnvelope(body, parseUpdateBody(body), at, -180).line;
};

describe('S3ObjectStore over HTTP (s3rver)', () => {
  it('lists past 1,000 keys through continuation tokens, in key order, with sizes, ETags and LastModified', async () => {
    const store = new S3ObjectStore(client, 'scratch');
    const before = Date.now() - 2000;
    const keys = Array.from({ length: 1050 }, (_, i) => `many/k-${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < keys.length; i += 32) await Promise.all(keys.slice(i, i + 32).map((k) => store.write(k, `{"i":"${k}"}`)));
    await store.write('other/x.json', '{}');
    const listed = await collect(store.list('many/'));
    expect(listed.map((o) => o.key)).toEqual(keys);
    for (const o of listed) {
      expect(o.size).toBe(Buffer.byteLength(`{"i":"${o.key}"}`));
      expect(o.etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(o.lastModified).toBeInstanceOf(Date);
      expect(o.lastModified.getTime()).toBeGreaterThanOrEqual(before);
      expect(o.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
    }
  }, 120_000);

  it('reads gzip bodies byte for byte (the enrichment unzips them), and small objects whole', async () => {
    const lines = [envelopeLine(1, '2026-06-01'), envelopeLine(2, '2026-06-01', 'olá 👋')];
    const gz = gzipSync(lines.join(''));
    await raw.write('gz-check/part.json.gz', gz, 'application/gzip');
    expect(Buffer.compare((await raw.readSmall('gz-check/part.json.gz'))!, gz)).toBe(0);
    expect(await collect(objectRecords(await raw.read('gz-check/part.json.gz')))).toEqual(lines.map((l) => l.trimEnd()));
    await raw.delete('gz-check/part.json.gz');
  });

  it('uploads a large stream in parts (multipart: three 8 MiB parts) and reads it back identical', async () => {
    // s3rver's ETag is the whole object's MD5 either way: the commands the SDK sent tell a multipart upload.
    const recorded = s3rver.client();
    const commands: string[] = [];
    recorded.middlewareStack.add((next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'recordCommands' });
    const store = new S3ObjectStore(recorded, 'scratch');
    const size = 17 * 1024 * 1024 + 124; // a multiple of 4 (filled 4 bytes at a time)
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    const chunks = function* () {
      for (let i = 0; i < size; i += 1 << 20) yield data.subarray(i, Math.min(size, i + (1 << 20)));
    };
    await store.write('big/part-00000.parquet', Readable.from(chunks()), 'application/vnd.apache.parquet');
    expect(commands.filter((c) => c !== 'HeadObjectCommand')).toEqual([
      'CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand',
    ]);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'scratch', Key: 'big/part-00000.parquet' }));
    expect(head.ContentLength).toBe(size);
    expect(head.ContentType).toBe('application/vnd.apache.parquet');
    const back = await store.readSmall('big/part-00000.parquet');
    expect(createHash('sha256').update(back!).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    recorded.destroy();
  }, 120_000);

  it('deletes (a missing key too, as S3 does) and reads a missing key as undefined', async () => {
    const store = new S3ObjectStore(client, 'scratch');
    await store.write('gone/a.json', 'a');
    await store.delete('gone/a.json');
    await store.delete('gone/never-there.json');
    expect(await store.readSmall('gone/a.json')).toBeUndefined();
    expect(await collect(store.list('gone/'))).toEqual([]);
    await expect(store.read('gone/a.json')).rejects.toThrow(/NoSuchKey|does not exist/);
  });
});

describe('the enrichment over s3rver', () => {
  it('builds a day from gzip raw objects, writes Parquet and the manifest, then finds it unchanged by the ETags S3 lists', async () => {
    const day = '2026-06-02';
    for (let o = 0; o < 3; o += 1) {
      const lines = Array.from({ length: 50 }, (_, i) => envelopeLine(o * 50 + i + 1, day)).join('') + envelopeLine(1, day); // one redelivery
      await raw.write(`${rawDayPrefix(day)}TelegramPipeline-${o}.json.gz`, gzipSync(lines), 'application/gzip');
    }
    const deps = {
      raw,
      enriched,
      catalog: new AthenaCatalog(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: async () => {} }),
      logger: memoryLogger(),
      enrichedLocation: 's3://enriched',
    };
    const summary = await enrichDay(day, deps);
    expect(summary).toMatchObject({ status: 'built', objects: 3, lines: 153, rows: { telegram: 150, telegram_events: 0 }, duplicates: 3 });
    const parquet = await enriched.readSmall(enrichedDayKey('telegram', day));
    expect(parquet!.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet!.subarray(-4).toString()).toBe('PAR1');
    expect(await enriched.readSmall(enrichedDayKey('telegram_events', day))).toBeUndefined();
    const manifest = JSON.parse((await enriched.readSmall(manifestKey(day)))!.toString());
    expect(manifest.objects).toHaveLength(3);
    // The day's partitions: telegram and telegram_terms (the texts' terms); no events that day.
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);

    expect((await enrichDay(day, deps)).status).toBe('unchanged');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(4); // registered again

    // And the catalog-only repair finds the day's file over HTTP.
    const repaired = await repairCatalog(day, '2026-06-03', deps);
    expect(repaired.registered).toMatchObject({ telegram: [day], telegram_events: [] });
    expect(repaired.withoutFiles).toEqual(['2026-06-03']);
  }, 120_000);
});

describe('the replay over s3rver', () => {
  it('streams a day\'s raw objects to Firehose, leaving out what was written after its snapshot (LastModified)', async () => {
    const day = '2026-06-04';
    await raw.write(`${rawDayPrefix(day)}a.json.gz`, gzipSync(envelopeLine(500, day) + envelopeLine(501, day)), 'application/gzip');
    await raw.write(`${rawDayPrefix(day)}b.json`, envelopeLine(502, day));
    await new Promise((r) => setTimeout(r, 1100)); // LastModified has one-second precision
    const listedBefore = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await raw.write(`${rawDayPrefix(day)}c-after.json`, envelopeLine(503, day));
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({ FailedPutCount: 0, RequestResponses: input.Records.map((_, i) => ({ RecordId: `r${i}` })) }));
    const logger = memoryLogger();
    const snapshot = await snapshotPlan(raw, [day], 'raw', { listedBefore });
    expect(snapshot.plans[0]!.objects.map((o) => o.key)).toEqual([`${rawDayPrefix(day)}a.json.gz`, `${rawDayPrefix(day)}b.json`]);
    expect(snapshot.plans[0]!.leftOut.map((o) => o.key)).toEqual([`${rawDayPrefix(day)}c-after.json`]);
    const report = await replayPlan(snapshot.plans, 'raw', {
      raw,
      sink: new FirehoseSink(new FirehoseClient({ region: 'us-east-1', maxAttempts: 1 }), 'stream'),
      logger,
      utcOffsetMinutes: -180,
    }, { listedBefore: snapshot.listedBefore });
    expect(report.days[0]).toMatchObject({ objects: 2, records: 3, sent: 3, leftOut: 1, complete: true });
    const sent = firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => c.args[0].input.Records!.map((r) => Buffer.from(r.Data!).toString()));
    expect(sent.map((l) => JSON.parse(l).update.update_id).sort()).toEqual([500, 501, 502]);
  }, 60_000);
});

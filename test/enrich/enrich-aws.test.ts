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
import { handler, MAX_RANGE_DAYS, planEnrichment, runEnrichment } from '../../handlers/enrichment';

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
    // telegram and telegram_terms (every text is "t": one term per sender); no events, no events partition.
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatchObject({ WorkGroup: 'wg', QueryExecutionContext: { Database: 'db' } });
    expect(sql[0]!.QueryString).toBe(`ALTER TABLE \`db\`.\`telegram\` ADD IF NOT EXISTS PARTITION (context_date = DATE '${day}') LOCATION 's3://enriched/telegram/context_date=${day}/'`);
    expect(sql[1]!.QueryString).toBe(`ALTER TABLE \`db\`.\`telegram_terms\` ADD IF NOT EXISTS PARTITION (context_date = DATE '${day}') LOCATION 's3://enriched/telegram_terms/context_date=${day}/'`);
    expect(puts).toContain(`telegram_terms/context_date=${day}/part-00000.parquet`);
    expect(summary.rows.telegram_terms).toBe(1);
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
    expect(() => planEnrichment({}, -180, 2)).toThrow(/unknown event/);
    expect(() => planEnrichment({ time: 'yesterday' }, -180, 2)).toThrow(/invalid scheduled time/);
  });
  it('builds a short range in one invocation and refuses a long one, naming the way to fan out', () => {
    expect(planEnrichment({ from: '2026-01-30', to: '2026-02-01' }, -180, 2)).toEqual({ kind: 'range', days: ['2026-01-30', '2026-01-31', '2026-02-01'], force: true });
    expect(MAX_RANGE_DAYS).toBe(3);
    expect(() => planEnrichment({ from: '2026-01-01', to: '2026-01-04' }, -180, 2)).toThrow(/4 days.*at most 3.*tgpipe replay enrich/);
    expect(() => planEnrichment({ from: '2026-01-04', to: '2026-01-01' }, -180, 2)).toThrow(/after/);
    expect(() => planEnrichment({ from: '2026-01-04' }, -180, 2)).toThrow(/both "from" and "to"/);
  });
});

describe('enrichment handler', () => {
  const emptyBucket = () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  };

  it('scheduled: D-1 of the scheduled time near midnight at -03:00 plus LOOKBACK_DAYS, from the environment', async () => {
    emptyBucket();
    const env = { RAW_BUCKET: 'raw', ENRICHED_BUCKET: 'enriched', ATHENA_WORKGROUP: 'wg', GLUE_DATABASE: 'db', CONTEXT_UTC_OFFSET: '-03:00', LOOKBACK_DAYS: '2', AWS_REGION: 'us-east-1', LOG_LEVEL: 'warn' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let days;
    try {
      // 02:59 UTC on 1 March is 23:59 on 28 February at -03:00: D-1 is 27 February (retries hours later keep it).
      ({ days } = await handler({ source: 'schedule', time: '2026-03-01T02:59:00Z' }));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(days.map((d) => [d.date, d.status])).toEqual([['2026-02-25', 'empty'], ['2026-02-26', 'empty'], ['2026-02-27', 'empty']]);
    const prefixes = s3.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]);
    expect(prefixes).toEqual(['25', '26', '27'].map((d) => ['raw', `telegram/context_date=2026-02-${d}/`]));
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('a scheduled run that completes logs the heartbeat metric the EnrichmentDidNotRun alarm watches; a failing one does not', async () => {
    emptyBucket();
    const logger = memoryLogger();
    const deps = { raw: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'raw'), enriched: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'enriched'), catalog: { addPartition: async () => {} }, logger, enrichedLocation: 's3://enriched' };
    await runEnrichment({ source: 'schedule', time: '2026-03-10T06:00:00Z' }, deps, { LOOKBACK_DAYS: '1' });
    const beats = logger.lines.filter((l) => l.event === 'scheduled_run');
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ date: '2026-03-09', days: ['2026-03-08:empty', '2026-03-09:empty'], ScheduledEnrichmentRuns: 1 });
    expect(JSON.stringify((beats[0] as { _aws: unknown })._aws)).toContain('"Name":"ScheduledEnrichmentRuns"');
    // The EnrichmentDidNotRun alarm's metric (a deploy logs one too).
    expect(beats[0]).toMatchObject({ EnrichmentHeartbeat: 1 });
    expect(JSON.stringify((beats[0] as { _aws: unknown })._aws)).toContain('"Name":"EnrichmentHeartbeat"');
    // A manual day is not the schedule; a failing scheduled run leaves no heartbeat.
    await runEnrichment({ date: '2026-03-01' }, deps, {});
    s3.on(ListObjectsV2Command).rejects(new Error('AccessDenied'));
    await expect(runEnrichment({ source: 'schedule', time: '2026-03-11T06:00:00Z' }, deps, { LOOKBACK_DAYS: '0' })).rejects.toThrow(/AccessDenied/);
    expect(logger.lines.filter((l) => l.event === 'scheduled_run')).toHaveLength(1);
  });

  it('a range stops before a day it has no time left for, naming the payload to finish', async () => {
    emptyBucket();
    const deps = { raw: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'raw'), enriched: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'enriched'), catalog: { addPartition: async () => {} }, logger: memoryLogger(), enrichedLocation: 's3://enriched' };
    let left = 70_000;
    const clock = { getRemainingTimeInMillis: () => (left -= 20_000) };
    await expect(runEnrichment({ from: '2026-01-01', to: '2026-01-03' }, deps, {}, clock)).rejects.toThrow(/stopped before 2026-01-02 .*built: 2026-01-01.*\{"from": "2026-01-02", "to": "2026-01-03"\}/);
    const plenty = { getRemainingTimeInMillis: () => 800_000 };
    expect((await runEnrichment({ from: '2026-01-01', to: '2026-01-03' }, deps, {}, plenty)).map((d) => d.date)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
  });

  it('rejects a bad LOOKBACK_DAYS instead of guessing', async () => {
    const deps = { raw: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'raw'), enriched: new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'enriched'), catalog: { addPartition: async () => {} }, logger: memoryLogger(), enrichedLocation: 's3://enriched' };
    await expect(runEnrichment({ time: '2026-03-01T04:00:00Z' }, deps, { LOOKBACK_DAYS: 'two' })).rejects.toThrow(/LOOKBACK_DAYS="two"/);
  });
});

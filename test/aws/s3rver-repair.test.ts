/**
 * A damaged raw object on S3 (issue 17), against a real S3-protocol server (s3rver on 127.0.0.1): the
 * enrichment builds the day with the damage quarantined, `tgpipe repair --target aws` rewrites the object
 * at its key and keeps the original at _damaged/<key> (outside the raw table's prefix, where Athena
 * reads), and the rebuilt day counts the same. Only Athena (partition registration) is mocked.
 */
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay } from '../../core/enrich';
import { memoryLogger } from '../../core/log';
import { AthenaCatalog } from '../../adapters/aws/athena-catalog';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { main } from '../../cli/main';
import { damagedKey, damageNoteKey, quarantineKey, rawDayPrefix } from '../../schemas';
import { startS3rver, type S3rverHandle } from '../support/s3rver';

const DAY = '2026-04-02';
const athena = mockClient(AthenaClient);
let s3rver: S3rverHandle;
let client: S3Client;
let raw: S3ObjectStore;
let enriched: S3ObjectStore;

beforeAll(async () => {
  s3rver = await startS3rver(['raw', 'enriched']);
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
});

const line = (id: number) => {
  const at = Date.parse(`${DAY}T15:00:00Z`);
  const body = JSON.stringify({ update_id: id, message: { message_id: id, date: at / 1000 + id, chat: { id: -100, type: 'supergroup' }, text: `m${id} ${Math.cos(id)}` } });
  return buildEnvelope(body, parseUpdateBody(body), at, -180).line;
};
const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => line(from + i)).join('');
const deps = () => ({
  raw,
  enriched,
  catalog: new AthenaCatalog(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: async () => {} }),
  logger: memoryLogger('enrich'),
  enrichedLocation: 's3://enriched',
});

describe('a damaged raw object on S3', () => {
  it('costs only its damage; tgpipe repair --target aws moves it out of the table prefix; the rebuilt day counts the same', async () => {
    const prefix = rawDayPrefix(DAY);
    for (let n = 1; n <= 4; n += 1) await raw.write(`${prefix}fh-${n}.gz`, gzipSync(lines(n * 1000, 50)));
    const sound = Buffer.concat([gzipSync(lines(9000, 50)), gzipSync(lines(9050, 50))]);
    const damaged = sound.subarray(0, sound.length - 300); // an upload cut short, inside its second member
    await raw.write(`${prefix}fh-5.gz`, damaged);
    await raw.write(`${prefix}fh-6.gz`, gunzipSync(gzipSync(lines(9500, 10)))); // plain text under a .gz name

    const s = await enrichDay(DAY, deps());
    expect(s.status).toBe('built');
    expect(s.rows.telegram).toBeGreaterThanOrEqual(4 * 50 + 50 + 10);
    expect(s.rows.telegram + s.rows.telegram_events + s.duplicates + s.quarantined).toBe(s.lines);
    expect(s.quarantined).toBe(1);
    expect(await enriched.readSmall(quarantineKey(DAY))).toBeDefined();

    let stdout = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stdout += t), env: {}, s3: client };
    expect(await main(['repair', '--target', 'aws', '--bucket', 'raw', '--date', DAY, '--dry-run'], io)).toBe(0);
    expect(stdout).toMatch(/checked=6 would repair=2/);
    expect(await raw.readSmall(damagedKey(`${prefix}fh-5.gz`))).toBeUndefined();
    stdout = '';
    expect(await main(['repair', '--target', 'aws', '--bucket', 'raw', '--date', DAY], io)).toBe(0);
    expect(stdout).toMatch(/checked=6 repaired=2/);
    expect(await raw.readSmall(damagedKey(`${prefix}fh-5.gz`))).toEqual(damaged);
    expect(await raw.readSmall(damageNoteKey(`${prefix}fh-5.gz`))).toBeDefined();
    // Under the table prefix only sound gzip objects remain (what Athena reads).
    const listed: string[] = [];
    for await (const o of raw.list(prefix)) listed.push(o.key);
    expect(listed).toHaveLength(6);
    for (const key of listed) {
      const bytes = (await raw.readSmall(key))!;
      expect(() => gunzipSync(bytes), key).not.toThrow();
    }

    const again = await enrichDay(DAY, deps());
    expect({ rows: again.rows, lines: again.lines, quarantined: again.quarantined }).toEqual({ rows: s.rows, lines: s.lines, quarantined: s.quarantined });
  }, 120_000);
});

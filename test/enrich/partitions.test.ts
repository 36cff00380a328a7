/**
 * Partitions are registered on every visit of a day (built or found unchanged), and a catalog-only repair
 * registers a range's built days without rebuilding any: real enrichment over folders, the Athena
 * catalog adapter over a mocked Athena (the statements it sends are what is checked).
 */
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { enrichDay, type EnrichDeps } from '../../core/enrich';
import { repairCatalog } from '../../core/enrich/catalog-repair';
import { memoryLogger } from '../../core/log';
import { AthenaCatalog, PARTITIONS_PER_STATEMENT } from '../../adapters/aws/athena-catalog';
import { FsObjectStore } from '../../adapters/local/fs-store';
import { planEnrichment, runCatalogRepair } from '../../handlers/enrichment';
import { addPartitionsSql, enrichedDayKey } from '../../schemas';

const athena = mockClient(AthenaClient);
let dir: string;
let deps: EnrichDeps;

const statements = () => athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString!);

beforeEach(async () => {
  athena.reset();
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q${++n}` }));
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  dir = await mkdtemp(join(tmpdir(), 'partitions-'));
  deps = {
    raw: new FsObjectStore(join(dir, 'raw')),
    enriched: new FsObjectStore(join(dir, 'enriched')),
    catalog: new AthenaCatalog(new AthenaClient({ region: 'us-east-1' }), { workGroup: 'wg', database: 'db', sleep: async () => {} }),
    logger: memoryLogger(),
    enrichedLocation: 's3://enriched',
  };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One raw object for the day: a message, and (when asked) an edit, so both tables get a file. */
async function rawDay(day: string, withEvent = true): Promise<void> {
  const at = Date.parse(`${day}T15:00:00Z`);
  const bodies = [JSON.stringify({ update_id: at / 1000, message: { message_id: 1, date: at / 1000, chat: { id: -100, type: 'supergroup' }, dice: { emoji: '🎲', value: 3 } } })] // no text: no telegram_terms rows, so no terms partition in these statements;
  if (withEvent) bodies.push(JSON.stringify({ update_id: at / 1000 + 1, edited_message: { message_id: 1, date: at / 1000, edit_date: at / 1000 + 60, chat: { id: -100, type: 'supergroup' }, text: 'oi!' } }));
  const lines = bodies.map((b) => buildEnvelope(b, parseUpdateBody(b), at, -180).line).join('');
  await deps.raw.write(`telegram/context_date=${day}/part-1.json`, lines);
}

const addSql = (table: string, day: string) =>
  `ALTER TABLE \`db\`.\`${table}\` ADD IF NOT EXISTS PARTITION (context_date = DATE '${day}') LOCATION 's3://enriched/${table}/context_date=${day}/'`;

describe('partitions on every visit', () => {
  it('a day found unchanged registers its partitions again (a dropped partition or a recreated table heals), rebuilding nothing', async () => {
    await rawDay('2026-03-01');
    expect((await enrichDay('2026-03-01', deps)).status).toBe('built');
    expect(statements()).toEqual([addSql('telegram', '2026-03-01'), addSql('telegram_events', '2026-03-01')]);
    const parquet = join(dir, 'enriched', ...enrichedDayKey('telegram', '2026-03-01').split('/'));
    const builtAt = (await stat(parquet)).mtimeMs;

    athena.resetHistory();
    const again = await enrichDay('2026-03-01', deps);
    expect(again).toMatchObject({ status: 'unchanged', rows: { telegram: 1, telegram_events: 1 } });
    expect(statements()).toEqual([addSql('telegram', '2026-03-01'), addSql('telegram_events', '2026-03-01')]);
    expect((await stat(parquet)).mtimeMs).toBe(builtAt);
  });

  it('a table with no rows that day has no file and no partition, built or unchanged', async () => {
    await rawDay('2026-03-02', false);
    await enrichDay('2026-03-02', deps);
    await enrichDay('2026-03-02', deps);
    expect(statements()).toEqual([addSql('telegram', '2026-03-02'), addSql('telegram', '2026-03-02')]);
  });

  it('a failing registration fails the visit (the scheduled run retries), even for an unchanged day', async () => {
    await rawDay('2026-03-03');
    await enrichDay('2026-03-03', deps);
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Table not found telegram' } } });
    await expect(enrichDay('2026-03-03', deps)).rejects.toThrow(/Table not found/);
  });
});

describe('catalog-only repair of a range', () => {
  it('registers every built day of the range, one statement per table, and reports the days without files', async () => {
    for (const day of ['2026-04-01', '2026-04-02', '2026-04-04']) {
      await rawDay(day, day !== '2026-04-02');
      await enrichDay(day, deps);
    }
    await rawDay('2026-03-31'); // outside the range
    await enrichDay('2026-03-31', deps);
    athena.resetHistory();
    const summary = await repairCatalog('2026-04-01', '2026-04-05', deps);
    expect(summary).toMatchObject({
      days: 5,
      registered: { telegram: ['2026-04-01', '2026-04-02', '2026-04-04'], telegram_events: ['2026-04-01', '2026-04-04'] },
      withoutFiles: ['2026-04-03', '2026-04-05'],
    });
    expect(statements()).toEqual([
      addPartitionsSql('telegram', ['2026-04-01', '2026-04-02', '2026-04-04'].map((d) => ({ contextDate: d, location: `s3://enriched/telegram/context_date=${d}/` })), 'db'),
      addPartitionsSql('telegram_events', ['2026-04-01', '2026-04-04'].map((d) => ({ contextDate: d, location: `s3://enriched/telegram_events/context_date=${d}/` })), 'db'),
    ]);
    expect(statements()[0]).toBe(
      "ALTER TABLE `db`.`telegram` ADD IF NOT EXISTS\n" +
        "PARTITION (context_date = DATE '2026-04-01') LOCATION 's3://enriched/telegram/context_date=2026-04-01/'\n" +
        "PARTITION (context_date = DATE '2026-04-02') LOCATION 's3://enriched/telegram/context_date=2026-04-02/'\n" +
        "PARTITION (context_date = DATE '2026-04-04') LOCATION 's3://enriched/telegram/context_date=2026-04-04/'",
    );
  });

  it('a year of days goes in statements of at most PARTITIONS_PER_STATEMENT partitions', async () => {
    // Files laid out as the build leaves them (the repair only looks for them).
    const days: string[] = [];
    for (let t = Date.UTC(2025, 0, 1); t <= Date.UTC(2025, 11, 31); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    for (const d of days) await deps.enriched.write(enrichedDayKey('telegram', d), 'PAR1');
    const summary = await repairCatalog('2025-01-01', '2025-12-31', deps);
    expect(summary.registered.telegram).toHaveLength(365);
    const sql = statements();
    expect(sql).toHaveLength(Math.ceil(365 / PARTITIONS_PER_STATEMENT));
    expect(sql.map((q) => q.split('\nPARTITION').length - 1)).toEqual([100, 100, 100, 65]);
    expect(sql.join('\n').match(/DATE '(\d{4}-\d{2}-\d{2})'/g)).toHaveLength(365);
  });

  it('the enrichment Lambda serves {"catalogOnly": true} for a day or a range of any length, and refuses half a range', async () => {
    expect(planEnrichment({ catalogOnly: true, from: '2025-01-01', to: '2026-01-01' }, -180, 2)).toEqual({ kind: 'catalog', from: '2025-01-01', to: '2026-01-01' });
    expect(planEnrichment({ catalogOnly: true, date: '2026-04-01' }, -180, 2)).toEqual({ kind: 'catalog', from: '2026-04-01', to: '2026-04-01' });
    expect(() => planEnrichment({ catalogOnly: true, from: '2026-04-01' }, -180, 2)).toThrow(/catalog-only repair needs/);
    expect(() => planEnrichment({ catalogOnly: true, from: '2026-04-02', to: '2026-04-01' }, -180, 2)).toThrow();
    await rawDay('2026-04-01');
    await enrichDay('2026-04-01', deps);
    athena.resetHistory();
    const repaired = await runCatalogRepair({ catalogOnly: true, date: '2026-04-01' }, deps);
    expect(repaired?.registered).toEqual({ telegram: ['2026-04-01'], telegram_events: ['2026-04-01'], telegram_terms: [] });
    expect(statements()).toHaveLength(2);
    expect(await runCatalogRepair({ date: '2026-04-01' }, deps)).toBeUndefined();
  });
});

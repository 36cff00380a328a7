/** Retention by context_date: day arithmetic, the job on a data folder, and the stack's grants. */
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { localStores } from '../../adapters/local/data-dir';
import { applyRetention, firstKeptDay, isExpired, retentionFromEnv } from '../../core/privacy/retention';
import { enrichedDayKey, manifestKey, quarantineKey, rawDayPrefix } from '../../schemas';
import { buildApp } from '../../infra/pipeline-app';
import { readStackConfig } from '../../infra/config';

describe('retention day arithmetic', () => {
  it('keeps N days up to today, by context_date; 0 keeps everything', () => {
    expect(firstKeptDay('2026-03-10', 3)).toBe('2026-03-08');
    expect(isExpired('2026-03-07', '2026-03-10', 3)).toBe(true);
    expect(isExpired('2026-03-08', '2026-03-10', 3)).toBe(false);
    expect(isExpired('2000-01-01', '2026-03-10', 0)).toBe(false);
    expect(firstKeptDay('2026-03-01', 1)).toBe('2026-03-01');
    expect(retentionFromEnv({ RETENTION_RAW_DAYS: '30' })).toEqual({ rawDays: 30, enrichedDays: 0, quarantineDays: 0 });
    expect(() => retentionFromEnv({ RETENTION_RAW_DAYS: '-1' })).toThrow(/RETENTION_RAW_DAYS/);
  });
});

describe('retention on a data folder', () => {
  it('deletes expired days of each layer by context_date, whatever the files\' age', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'retention-'));
    try {
      const { raw, enriched } = localStores(dir);
      for (const day of ['2026-03-01', '2026-03-05', '2026-03-09']) {
        await raw.write(`${rawDayPrefix(day)}a.json.gz`, 'x');
        for (const t of ['telegram', 'telegram_events']) await enriched.write(enrichedDayKey(t, day), 'p');
        await enriched.write(manifestKey(day), '{}');
        await enriched.write(quarantineKey(day), 'q');
        await raw.write(`errors/processing-failed/date=${day}/e.gz`, 'e');
        // What tgpipe repair kept of a damaged object of that day, and its note.
        await raw.write(`_damaged/${rawDayPrefix(day)}b.json.gz`, 'd');
        await raw.write(`_damaged/${rawDayPrefix(day)}b.json.gz.damage.json`, '{}');
      }
      // A day rebuilt today (a fresh file) is still expired by its context_date.
      const fresh = join(dir, 'enriched', 'telegram', 'context_date=2026-03-01', 'part-00000.parquet');
      await utimes(fresh, new Date(), new Date());
      const r = await applyRetention('2026-03-10', { rawDays: 3, enrichedDays: 7, quarantineDays: 2 }, { raw, enriched });
      expect(r.kept_from).toEqual({ raw: '2026-03-08', enriched: '2026-03-04', quarantine: '2026-03-09' });
      expect(r.deleted.raw_days).toEqual(['2026-03-01', '2026-03-05']);
      expect(r.deleted.enriched_days).toEqual(['2026-03-01']);
      const keys = async (store: typeof raw, prefix: string) => {
        const out: string[] = [];
        for await (const o of store.list(prefix)) out.push(o.key);
        return out;
      };
      expect(await keys(raw, 'telegram/')).toEqual([`${rawDayPrefix('2026-03-09')}a.json.gz`]);
      expect(await keys(raw, 'errors/')).toEqual(['errors/processing-failed/date=2026-03-09/e.gz']);
      expect((await keys(raw, '_damaged/')).sort()).toEqual([`_damaged/${rawDayPrefix('2026-03-09')}b.json.gz`, `_damaged/${rawDayPrefix('2026-03-09')}b.json.gz.damage.json`]);
      expect((await keys(enriched, 'telegram/')).map((k) => k.split('/')[1])).toEqual(['context_date=2026-03-05', 'context_date=2026-03-09']);
      expect(await keys(enriched, '_quarantine/')).toEqual([quarantineKey('2026-03-09')]);
      expect(JSON.parse((await enriched.readSmall('_manifests/retention.json'))!.toString()).kept_from.raw).toBe('2026-03-08');
      // Run again: nothing more.
      const again = await applyRetention('2026-03-10', { rawDays: 3, enrichedDays: 7, quarantineDays: 2 }, { raw, enriched });
      expect(again.deleted).toMatchObject({ raw_objects: 0, enriched_days: [], error_objects: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('retention in the stack', () => {
  const synth = (context: Record<string, unknown>) => Template.fromStack(buildApp({ context }, { nag: false }).stack).toJSON();
  const statements = (t: any) => JSON.stringify(Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::IAM::Policy'));

  it('gives the enrichment its retention settings and, only when set, the delete grants', () => {
    const off = synth({ dataMode: 'pseudonymous' });
    expect(statements(off)).not.toContain('RetentionDeleteRaw');
    expect(statements(off)).not.toContain('glue:BatchDeletePartition');
    const on = synth({ retentionRawDays: '30', retentionEnrichedDays: '365', retentionQuarantineDays: '14' });
    const policies = statements(on);
    for (const sid of ['RetentionDeleteRaw', 'RetentionListRawVersions', 'RetentionDropPartitions', 'RetentionDeleteEnrichedVersions']) expect(policies).toContain(sid);
    expect(policies).toContain('s3:DeleteObjectVersion');
    expect(policies).toContain('/_damaged/telegram/*');
    const fn = Object.values(on.Resources).find((r: any) => r.Type === 'AWS::Lambda::Function' && /^Daily enrichment/.test(r.Properties.Description)) as any;
    expect(fn.Properties.Environment.Variables).toMatchObject({ RETENTION_RAW_DAYS: '30', RETENTION_ENRICHED_DAYS: '365', RETENTION_QUARANTINE_DAYS: '14' });
    expect(() => readStackConfig((k) => ({ retentionRawDays: 'soon' })[k as 'retentionRawDays'])).toThrow(/retentionRawDays/);
    expect(() => readStackConfig((k) => ({ dataMode: 'private' })[k as 'dataMode'])).toThrow(/dataMode/);
    // The pseudonym key reaches the webhook only in pseudonymous mode.
    const webhookEnv = (t: any) => (Object.values(t.Resources).find((r: any) => r.Type === 'AWS::Lambda::Function' && /^Telegram webhook/.test(r.Properties.Description)) as any).Properties.Environment.Variables;
    expect(webhookEnv(on)).not.toHaveProperty('PSEUDONYM_KEY_SECRET_ARN');
    expect(webhookEnv(off)).toMatchObject({ DATA_MODE: 'pseudonymous', PSEUDONYM_KEY_SECRET_ARN: expect.anything(), OPTOUT_SECRET_ARN: expect.anything() });
  }, 300_000);

});

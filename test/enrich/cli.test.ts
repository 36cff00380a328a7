import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import { main } from '../../cli/main';
import { localStores } from '../../adapters/local/data-dir';
import { enrichedDayKey, rawDayPrefix } from '../../schemas';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enrich-cli-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function tgpipe(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

const put = async (day: string, id: number) => {
  const body = JSON.stringify({ update_id: id, message: { message_id: id, chat: { id: -100, type: 'supergroup' }, date: Date.parse(`${day}T12:00:00Z`) / 1000, text: `m${id}` } });
  await localStores(dir).raw.write(`${rawDayPrefix(day)}o-${id}.json`, buildEnvelope(body, parseUpdateBody(body), Date.parse(`${day}T12:00:01Z`), -180).line);
};

describe('tgpipe enrich', () => {
  it('warns when --data has no raw folder (a typo would otherwise look like empty days)', async () => {
    const missing = await tgpipe('enrich', '--date', '2026-03-01', '--data', join(dir, 'no-such-folder'));
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/warning: no raw folder at .*no-such-folder.*is --data .* the right folder/);
    await put('2026-03-01', 1);
    const present = await tgpipe('enrich', '--date', '2026-03-01', '--data', dir);
    expect(present.stderr).not.toMatch(/warning/);
  });

  it('refuses bad dates and ranges with exit 2 and a clear message', async () => {
    for (const [argv, message] of [
      [['--date', '2026-02-30'], /invalid --date "2026-02-30"/],
      [['--from', '2026-03-02', '--to', '2026-03-01'], /2026-03-02 is after 2026-03-01/],
      [['--from', '2026-03-01'], /missing --to \(the last day of the range from 2026-03-01\)/],
      [['--to', '2026-03-01'], /missing --from \(the first day of the range up to 2026-03-01\)/],
      [[], /missing --date D, or --from D --to D/],
      [['--date', '2026-03-01', '--from', '2026-03-01', '--to', '2026-03-02'], /not both/],
      [['--day', '2026-03-01'], /unknown option '--day' \(did you mean one of --data, --date\?\)/],
    ] as const) {
      const r = await tgpipe('enrich', ...argv, '--data', dir);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('tgpipe enrich --help');
    }
    const help = await tgpipe('enrich', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tgpipe enrich \[options\]/);
    for (const flag of ['--date <day>', '--from <day>', '--to <day>', '--force', '-q, --quiet', '-d, --data <dir>']) expect(help.stdout).toContain(flag);
  });

  it('builds a range day by day, skips unchanged days, rebuilds with --force', async () => {
    await put('2026-03-01', 1);
    await put('2026-03-01', 2);
    await put('2026-03-03', 3);
    const first = await tgpipe('enrich', '--from', '2026-03-01', '--to', '2026-03-03', '--data', dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2026-03-01 built +objects=2 lines=2 telegram=2 events=0 duplicates=0 quarantined=0/);
    expect(first.stdout).toMatch(/2026-03-02 empty +objects=0/);
    expect(first.stdout).toMatch(/3 day\(s\): telegram=3 telegram_events=0 quarantined=0/);
    expect(await localStores(dir).enriched.readSmall(enrichedDayKey('telegram', '2026-03-03'))).toBeDefined();
    const again = await tgpipe('enrich', '--date', '2026-03-01', '--data', dir);
    expect(again.stdout).toMatch(/2026-03-01 unchanged/);
    const forced = await tgpipe('enrich', '--date', '2026-03-01', '--data', dir, '--force');
    expect(forced.stdout).toMatch(/2026-03-01 built/);
  });

  it('a day that fails exits 1 naming the day and where to resume', async () => {
    await put('2026-03-02', 1);
    // A file where the manifest folder should be: the day's last write fails.
    await mkdir(join(dir, 'enriched'), { recursive: true });
    await writeFile(join(dir, 'enriched', '_manifests'), 'in the way');
    const r = await tgpipe('enrich', '--from', '2026-03-01', '--to', '2026-03-03', '--data', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2026-03-01 empty/);
    expect(r.stderr).toMatch(/enrichment of 2026-03-02 failed: .*; 1 earlier day\(s\) built, re-run with --from 2026-03-02 --to 2026-03-03/);
  });
});

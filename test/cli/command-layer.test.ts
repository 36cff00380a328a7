/** The `tgpipe` command layer (commander): help, version, short flags, suggestions, option errors. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main, reflow, VERSION } from '../../cli/main';
import { COMMANDS } from '../../cli/registry';
import { didYouMean, editDistance, suggestNames } from '../../core/suggest';
import type { CommandSpec } from '../../cli/spec';

const tgpipe = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
};

const leaves = (specs: readonly CommandSpec[], prefix: string[] = []): Array<{ path: string[]; spec: CommandSpec }> =>
  specs.flatMap((s) => (s.subcommands ? leaves(s.subcommands, [...prefix, s.name]) : [{ path: [...prefix, s.name], spec: s }]));

describe('tgpipe command layer', () => {
  it('prints its version with --version and -V, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await tgpipe(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`tgpipe ${VERSION}\n`);
      expect(r.stderr).toBe('');
    }
  });

  it('`help CMD` and `CMD --help` print that command\'s help, listing every option it declares', async () => {
    for (const { path, spec } of leaves(COMMANDS)) {
      const viaFlag = await tgpipe(...path, '--help');
      expect(viaFlag.code, path.join(' ')).toBe(0);
      expect(viaFlag.stdout).toContain(`Usage: tgpipe ${path.join(' ')} [options]`);
      for (const o of spec.options ?? []) if (!o.hidden) expect(viaFlag.stdout, `${path.join(' ')} ${o.flags}`).toContain(o.flags);
    }
    const viaHelp = await tgpipe('help', 'query');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: tgpipe query [options] [name]');
    expect(viaHelp.stdout).toContain('-f, --format <format>');
    const serve = await tgpipe('serve', '--help');
    for (const flag of ['--lookback', '--buffer-mib', '--buffer-seconds', '--fail-rate']) expect(serve.stdout).toContain(flag);
  });

  it('takes short flags', async () => {
    const list = await tgpipe('query', '-l');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^messages_per_day +/m);
    const bad = await tgpipe('query', '-f', 'xml', 'messages_per_day');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'xml' is invalid. Allowed choices are table, csv, json.");
  });

  it('suggests the nearest command and option on a typo, with the help hint, exit 2', async () => {
    const cmd = await tgpipe('qeury');
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe("tgpipe: unknown command 'qeury' (did you mean query?)\nRun `tgpipe --help` for usage.\n");
    const opt = await tgpipe('report', '--otu', 'x.html');
    expect(opt.code).toBe(2);
    expect(opt.stderr).toBe("tgpipe report: unknown option '--otu' (did you mean --out?)\nRun `tgpipe report --help` for usage.\n");
    const far = await tgpipe('query', '--bogus');
    expect(far.stderr).toBe("tgpipe query: unknown option '--bogus'\nRun `tgpipe query --help` for usage.\n");
  });

  it('takes negative values after an option (chat ids, western offsets)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tgpipe-neg-'));
    const r = await tgpipe('query', '--utc-offset', '-03:00', '--explain', '--sql', 'SELECT 1', '--data', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the installed command starts from compiled JavaScript and keeps the SDK warning out', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/tgpipe.mjs'), '--version']);
    expect(stdout).toBe(`tgpipe ${VERSION}\n`);
    expect(stderr).toBe('');
  });
});

describe('suggestions', () => {
  it('measures typos as edits, a swap of two letters as one', () => {
    expect(editDistance('messages_per_dya', 'messages_per_day')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only near names, or names that contain the word', () => {
    const names = ['messages_per_day', 'messages_per_month', 'top_posters'];
    expect(suggestNames('messages_per_dya', names)).toEqual(['messages_per_day']);
    expect(suggestNames('posters', names)).toEqual(['top_posters']);
    expect(suggestNames('zzz', names)).toEqual([]);
    expect(didYouMean('top_poster', names)).toBe(' (did you mean "top_posters"?)');
  });
});

describe('help text', () => {
  it('joins the lines of a prose paragraph so commander can wrap it, and keeps indented lists', () => {
    expect(reflow('one\ntwo\n\nlist:\n  a  b\n  c  d')).toBe('one two\n\nlist:\n  a  b\n  c  d');
  });
});

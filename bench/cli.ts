/**
 * The command line: how fast `tgpipe --help` / `--version` start (the compiled command, beside a bare
 * `node -e 0`), and the peak memory of `tgpipe ingest` on a large file (a JSON array and JSON lines of
 * N updates), measured in the real command's process.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './lib/processes';
import { median, round } from './lib/stats';
import { syntheticUpdate } from './synthetic';

const run = promisify(execFile);
const BIN = join(PROJECT_ROOT, 'bin', 'tgpipe.mjs');
const RSS = join(PROJECT_ROOT, 'bench', 'lib', 'report-rss.mjs');

export interface CliBenchResult {
  startMs: { help: number; version: number; nodeAlone: number };
  ingest: Array<{ shape: 'array' | 'lines'; updates: number; fileMiB: number; seconds: number; peakRssMiB: number; accepted: number }>;
}

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(process.execPath, args, { cwd: PROJECT_ROOT });
  return performance.now() - t0;
}

/** Writes N synthetic updates (about 250 bytes each) as one JSON array or as JSON lines. */
async function writeUpdates(path: string, updates: number, shape: 'array' | 'lines'): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  if (shape === 'array') await write('[\n');
  for (let i = 0; i < updates; i += 1) await write(shape === 'array' ? `${i ? ',\n' : ''}${syntheticUpdate(i)}` : `${syntheticUpdate(i)}\n`);
  if (shape === 'array') await write('\n]\n');
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

export async function runCliBench({ updates = 300_000, runs = 9 }: { updates?: number; runs?: number } = {}): Promise<CliBenchResult> {
  // The compiled command, as installed (npm run build; bin/tgpipe.mjs falls back to tsx if it is stale).
  await run(process.execPath, [join(PROJECT_ROOT, 'cli', 'build.mjs')], { cwd: PROJECT_ROOT });
  const help: number[] = [];
  const version: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    bare.push(await timed(['-e', '0']));
    help.push(await timed([BIN, '--help']));
    version.push(await timed([BIN, '--version']));
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
  const ingest: CliBenchResult['ingest'] = [];
  try {
    for (const shape of ['array', 'lines'] as const) {
      const file = join(dir, `updates-${shape}.json`);
      await writeUpdates(file, updates, shape);
      const rssFile = join(dir, `rss-${shape}`);
      const t0 = performance.now();
      const { stdout } = await run(process.execPath, ['--import', RSS, BIN, 'ingest', file, '--all-chats', '--data', join(dir, `data-${shape}`)], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, REPORT_RSS_FILE: rssFile },
        maxBuffer: 16 * 1024 * 1024,
      });
      const seconds = (performance.now() - t0) / 1000;
      ingest.push({
        shape,
        updates,
        fileMiB: round((await stat(file)).size / 1024 ** 2, 1),
        seconds: round(seconds, 1),
        peakRssMiB: round(Number(await readFile(rssFile, 'utf8')) / 1024, 1),
        accepted: Number(/accepted (\d+)/.exec(stdout)?.[1] ?? -1),
      });
      await rm(file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { startMs: { help: round(median(help), 0), version: round(median(version), 0), nodeAlone: round(median(bare), 0) }, ingest };
}

if (process.argv[1] === import.meta.filename) {
  const updates = Number(process.argv[2] ?? 300_000);
  console.log(JSON.stringify(await runCliBench({ updates }), null, 2));
}

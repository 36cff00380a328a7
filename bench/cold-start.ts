/**
 * Cold start, side by side: the bundled webhook Lambda (bundled exactly as the stack does it:
 * infra/bundling.ts's esbuild options, CommonJS, minified, node22, AWS SDK v3 inside) beside a bundle
 * holding only `new FirehoseClient({})` + `PutRecordCommand`; the enrichment Lambda beside a bundle of
 * just its clients (S3 + lib-storage + Athena + parquetjs-lite). Load time = median over fresh `node`
 * processes requiring the bundle, A and B interleaved. What the bundle adds over its baseline is taken
 * from esbuild's metafile, per package.
 *
 * Alone: `node --import tsx bench/cold-start.ts [--runs 21]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { esbuildOptionsFor } from '../infra/bundling';
import { median, ratio, round } from './lib/stats';

const ROOT = join(import.meta.dirname, '..');

async function bundle(entry: string, outfile: string): Promise<{ bytes: number; metafile: Metafile }> {
  const result = await build({ ...esbuildOptionsFor(relative(ROOT, entry)), entryPoints: [entry], outfile, logLevel: 'silent', absWorkingDir: ROOT, metafile: true });
  return { bytes: (await stat(outfile)).size, metafile: result.metafile };
}

/** Bytes in the output per package (`@aws-sdk/client-firehose`, `tslib`, ...; `(project)` for our sources). */
export function bytesByPackage(metafile: Metafile): Map<string, number> {
  const out = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.replace(/\\/g, '/'));
      const key = m ? m[1]! : '(project)';
      out.set(key, (out.get(key) ?? 0) + bytesInOutput);
    }
  }
  return out;
}

/** ms from the start of `require` to its end, in a fresh process (warnings off: the SDK's Node 20 notice is noise here). */
function loadMs(file: string): number {
  const out = execFileSync(process.execPath, ['--no-warnings', '-e', `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`], { timeout: 30_000 });
  return Number(out.toString());
}

export interface ColdStartPair {
  bundleKiB: number;
  baselineKiB: number;
  loadMs: number;
  baselineLoadMs: number;
  /** loadMs / baselineLoadMs (medians). */
  ratio: number;
  /** Packages whose bytes in the bundle exceed the baseline's, largest first (KiB). */
  addedKiB: Array<{ package: string; kib: number }>;
  runs: number;
}

export async function runColdStartBench({ runs = 21 } = {}): Promise<Record<'webhook' | 'enrichment', ColdStartPair>> {
  // Inside the project (bench/out is git-ignored) so the baselines resolve the same node_modules.
  const dir = join(ROOT, 'bench', 'out', 'cold-start');
  await mkdir(dir, { recursive: true });
  try {
    const firehoseOnly = join(dir, 'firehose-only.ts');
    await writeFile(
      firehoseOnly,
      `import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';\nlet client: FirehoseClient | undefined;\nexport const handler = async (event: { body?: string }) => { client ??= new FirehoseClient({}); await client.send(new PutRecordCommand({ DeliveryStreamName: 's', Record: { Data: Buffer.from(event.body ?? '') } })); return { statusCode: 200 }; };\n`,
    );
    const clientsOnly = join(dir, 'clients-only.ts');
    await writeFile(
      clientsOnly,
      `import { S3Client, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';\nimport { Upload } from '@aws-sdk/lib-storage';\nimport { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';\nimport parquet from 'parquetjs-lite';\nexport const handler = async () => [new S3Client({}), new AthenaClient({}), Upload, GetObjectCommand, ListObjectsV2Command, StartQueryExecutionCommand, parquet.ParquetWriter];\n`,
    );
    const pairs = [
      ['webhook', join(ROOT, 'handlers/webhook.ts'), firehoseOnly],
      ['enrichment', join(ROOT, 'handlers/enrichment.ts'), clientsOnly],
    ] as const;
    const result = {} as Record<'webhook' | 'enrichment', ColdStartPair>;
    for (const [name, ours, baseline] of pairs) {
      const a = join(dir, `${name}.cjs`);
      const b = join(dir, `${name}-baseline.cjs`);
      const bundleA = await bundle(ours, a);
      const bundleB = await bundle(baseline, b);
      const ta: number[] = [];
      const tb: number[] = [];
      loadMs(a); // page cache
      loadMs(b);
      for (let i = 0; i < runs; i += 1) {
        if (i % 2 === 0) {
          ta.push(loadMs(a));
          tb.push(loadMs(b));
        } else {
          tb.push(loadMs(b));
          ta.push(loadMs(a));
        }
      }
      const pa = bytesByPackage(bundleA.metafile);
      const pb = bytesByPackage(bundleB.metafile);
      const added = [...pa]
        .map(([pkg, bytes]) => ({ package: pkg, kib: round((bytes - (pb.get(pkg) ?? 0)) / 1024, 1) }))
        .filter((x) => x.kib >= 0.5)
        .sort((x, y) => y.kib - x.kib)
        .slice(0, 8);
      result[name] = {
        bundleKiB: Math.round(bundleA.bytes / 1024),
        baselineKiB: Math.round(bundleB.bytes / 1024),
        loadMs: round(median(ta), 1),
        baselineLoadMs: round(median(tb), 1),
        ratio: ratio(median(ta), median(tb)),
        addedKiB: added,
        runs,
      };
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--runs');
  console.log(JSON.stringify(await runColdStartBench({ runs: i > 0 ? Number(process.argv[i + 1]) : 21 }), null, 2));
}

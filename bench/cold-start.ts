/**
 * Cold start on paper and in a fresh process: the bundled webhook Lambda (as CDK bundles it: esbuild,
 * minified, node22) beside a bundle holding only the Firehose client; the same for the enrichment Lambda
 * beside its clients alone. Load time = median of fresh `node` processes importing the bundle, A/B interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling';

const ROOT = join(import.meta.dirname, '..');

async function bundle(entry: string, outfile: string): Promise<number> {
  await build({ ...ESBUILD_OPTIONS, entryPoints: [entry], outfile, logLevel: 'silent', absWorkingDir: ROOT });
  return (await stat(outfile)).size;
}

function loadMs(file: string): number {
  const out = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`]);
  return Number(out.toString());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runColdStartBench({ runs = 15 } = {}) {
  // Inside the project so the baselines resolve the same node_modules.
  const dir = join(ROOT, 'bench', 'out', 'cold-start');
  await mkdir(dir, { recursive: true });
  try {
    const firehoseOnly = join(dir, 'firehose-only.ts');
    await writeFile(firehoseOnly, `import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';\nexport const handler = async () => new FirehoseClient({}).send(new PutRecordCommand({ DeliveryStreamName: 's', Record: { Data: new Uint8Array() } }));\n`);
    const clientsOnly = join(dir, 'clients-only.ts');
    await writeFile(clientsOnly, `import { S3Client } from '@aws-sdk/client-s3';\nimport { Upload } from '@aws-sdk/lib-storage';\nimport { AthenaClient } from '@aws-sdk/client-athena';\nimport parquet from 'parquetjs-lite';\nexport const handler = async () => [new S3Client({}), new AthenaClient({}), Upload, parquet];\n`);
    const pairs = [
      ['webhook', join(ROOT, 'handlers/webhook.ts'), firehoseOnly],
      ['enrichment', join(ROOT, 'handlers/enrichment.ts'), clientsOnly],
    ] as const;
    const result: Record<string, unknown> = {};
    for (const [name, ours, baseline] of pairs) {
      const a = join(dir, `${name}.cjs`);
      const b = join(dir, `${name}-baseline.cjs`);
      const sizeA = await bundle(ours, a);
      const sizeB = await bundle(baseline, b);
      const ta: number[] = [];
      const tb: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        ta.push(loadMs(a));
        tb.push(loadMs(b));
      }
      result[name] = { bundleKiB: Math.round(sizeA / 1024), baselineKiB: Math.round(sizeB / 1024), loadMs: Math.round(median(ta) * 10) / 10, baselineLoadMs: Math.round(median(tb) * 10) / 10, ratio: Math.round((median(ta) / median(tb)) * 100) / 100 };
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `tgpipe repair`: damaged raw objects of the days (truncated, changed bytes, junk after the last gzip
 * member, or not gzip under a .gz name) are rewritten into sound objects at their keys, the originals kept
 * under `_damaged/` with a note (core/enrich/repair.ts); the same code on the data folder and on the raw bucket.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { repairDay, type RepairReport } from '../../core/enrich/repair';
import { localStores } from '../../adapters/local/data-dir';
import { S3ObjectStore } from '../../adapters/aws/s3-store';
import { lockHolder } from '../../local/serve-lock';
import type { ObjectStore } from '../../ports/object-store';
import { UsageError, type CliIo, type OptionValues } from '../command';
import { daysOption } from './enrich';

interface Values {
  data: string;
  date?: string;
  from?: string;
  to?: string;
  target: 'local' | 'aws';
  bucket?: string;
  region?: string;
  'dry-run'?: boolean;
}

export function formatRepair(r: RepairReport): string {
  const head = `${r.date} checked=${r.checked} ${r.dryRun ? 'would repair' : 'repaired'}=${r.repaired.length}`;
  const each = r.repaired.map((o) =>
    o.kind === 'not_gzip'
      ? `  ${o.key}: not gzip under a .gz name; its ${o.readableLines} line(s) ${r.dryRun ? 'would be' : 'are'} compressed, the original kept at ${o.original}`
      : `  ${o.key}: ${o.damage!.reason} at byte ${o.damage!.offset} (${o.damage!.detail}); ${o.readableLines} readable line(s) ${r.dryRun ? 'would be' : 'were'} rewritten, ${o.setAside} record(s) set aside, the original kept at ${o.original}`,
  );
  return [head, ...each].join('\n');
}

export async function run(options: OptionValues, _positionals: string[], io: CliIo & { s3?: S3Client }): Promise<number> {
  const values = options as unknown as Values;
  const days = daysOption(values);
  const dryRun = values['dry-run'] === true;
  let store: ObjectStore;
  if (values.target === 'aws') {
    const bucket = values.bucket ?? io.env.RAW_BUCKET;
    if (!bucket) throw new UsageError('--target aws needs --bucket (the stack output RawBucketName) or RAW_BUCKET');
    store = new S3ObjectStore(io.s3 ?? new S3Client({ region: values.region ?? io.env.AWS_REGION }), bucket);
  } else {
    const stores = localStores(values.data);
    if (!existsSync(stores.raw.root)) throw new UsageError(`no raw folder at ${stores.raw.root} (is --data ${values.data} the right folder?)`);
    const pid = lockHolder(stores.dataDir); // a running tgpipe serve appends to the day's open object: repair waits
    if (pid !== undefined && !dryRun) throw new UsageError(`tgpipe serve (PID ${pid}) is writing to ${values.data}: stop it first (it appends to the open objects), or use --dry-run`);
    store = stores.raw;
  }
  let total = 0;
  for (const day of days) {
    const report = await repairDay(store, day, { dryRun });
    total += report.repaired.length;
    io.stdout(`${formatRepair(report)}\n`);
  }
  const rebuild = values.target === 'aws' ? 'tgpipe replay enrich --target aws' : 'tgpipe enrich';
  if (total > 0 && !dryRun) io.stdout(`${total} object(s) repaired: rebuild the day(s) with ${rebuild} (the damage stays quarantined and counted)\n`);
  if (total > 0 && dryRun) io.stdout(`${total} object(s) to repair: run again without --dry-run\n`);
  return 0;
}

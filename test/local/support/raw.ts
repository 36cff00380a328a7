/** Reads a data folder's raw layer the way the enrichment does: FsObjectStore + objectRecords + parseRawRecord. */
import { objectRecords } from '../../../core/object-lines';
import { parseRawRecord, type RawRecord } from '../../../core/raw-records';
import { localStores } from '../../../adapters/local/data-dir';

export interface RawEntry {
  readonly key: string;
  readonly day: string;
  readonly record: RawRecord;
  readonly text: string;
}

export async function readRaw(dataDir: string): Promise<RawEntry[]> {
  const { raw } = localStores(dataDir);
  const out: RawEntry[] = [];
  for await (const o of raw.list('telegram/')) {
    const day = /context_date=([\d-]+)\//.exec(o.key)?.[1] ?? '';
    for await (const text of objectRecords(await raw.read(o.key))) out.push({ key: o.key, day, record: parseRawRecord(text), text });
  }
  return out;
}

/** update_id -> how many times it is in the raw layer. */
export async function rawUpdateCounts(dataDir: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const e of await readRaw(dataDir)) if (e.record.ok) counts.set(e.record.update.update_id, (counts.get(e.record.update.update_id) ?? 0) + 1);
  return counts;
}

/**
 * The local data folder: `raw/` and `enriched/` play the two buckets, with the same key layout as S3.
 */
import { join, resolve } from 'node:path';
import { FsObjectStore, type FsObjectStoreOptions } from './fs-store';
import type { PartitionCatalog } from '../../ports/catalog';

export interface LocalStores {
  readonly dataDir: string;
  readonly raw: FsObjectStore;
  readonly enriched: FsObjectStore;
}

/** `options` reach both stores (e.g. who is told about a link or a stray file a listing skipped). */
export function localStores(dataDir: string, options: FsObjectStoreOptions = {}): LocalStores {
  const root = resolve(dataDir);
  return { dataDir: root, raw: new FsObjectStore(join(root, 'raw'), options), enriched: new FsObjectStore(join(root, 'enriched'), options) };
}

/** Locally, DuckDB reads the Hive-partitioned folders directly: there is nothing to register. */
export const localCatalog: PartitionCatalog = {
  async addPartition() {},
};

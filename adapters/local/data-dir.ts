/**
 * The local data folder: `raw/` and `enriched/` play the two buckets, with the same key layout as S3.
 */
import { join, resolve } from 'node:path';
import { FsObjectStore } from './fs-store';
import type { PartitionCatalog } from '../../ports/catalog';

export interface LocalStores {
  readonly dataDir: string;
  readonly raw: FsObjectStore;
  readonly enriched: FsObjectStore;
}

export function localStores(dataDir: string): LocalStores {
  const root = resolve(dataDir);
  return { dataDir: root, raw: new FsObjectStore(join(root, 'raw')), enriched: new FsObjectStore(join(root, 'enriched')) };
}

/** Locally, DuckDB reads the Hive-partitioned folders directly: there is nothing to register. */
export const localCatalog: PartitionCatalog = {
  async addPartition() {},
};

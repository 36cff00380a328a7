/**
 * One `tgpipe serve` per data folder: two servers would both append to the same raw objects and run the
 * daily enrichment twice. `DIR/.serve.lock` holds the running server's PID; a lock whose process is gone
 * (a crash, SIGKILL) is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../core/process-alive';

export const SERVE_LOCK_FILE = '.serve.lock';

export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError';
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(`another tgpipe serve (PID ${pid}) is running on ${dataDir}: stop it first, or give this one another --data folder`);
  }
}

/** The PID of another live process holding the folder's lock (a running tgpipe serve), if any. */
export function lockHolder(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, SERVE_LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid) ? pid : undefined;
}

/** Takes the folder's lock; returns how to release it and whether a stale lock was taken over. */
export function lockDataFolder(dataDir: string): { release: () => void; staleFrom?: number } {
  const path = join(dataDir, SERVE_LOCK_FILE);
  let staleFrom: number | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { release, staleFrom };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) throw new DataFolderLockedError(pid, dataDir);
    staleFrom = Number.isInteger(pid) ? pid : undefined;
    rmSync(path, { force: true });
  }
  throw new Error(`could not take ${path}`);
}

/**
 * The enrichment's temporary work folders (`<tmp>/enrich-<day>-p<pid>-XXXXXX`): Parquet files being
 * written, the day's quarantine, export records. A run that is killed (SIGKILL, a Lambda timeout, the
 * machine stopping) leaves its folder behind; the next run removes every folder no running enrichment owns.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log';
import { isProcessAlive } from '../process-alive';

/** Folders of the current name form: the pid of the process that made them. */
const WORK_DIR = /^enrich-\d{4}-\d{2}-\d{2}-p(\d+)-[A-Za-z0-9]{6}$/;
/** Folders named before the pid was part of the name: stale once this old (no run lasts hours). */
const LEGACY_WORK_DIR = /^enrich-\d{4}-\d{2}-\d{2}-[A-Za-z0-9]{6}$/;
export const LEGACY_STALE_MS = 6 * 60 * 60 * 1000;

/** Folders of runs in progress in this process (a pid alone is not enough: Lambda sandboxes reuse pids). */
const live = new Set<string>();

export async function makeWorkDir(base: string, date: string): Promise<string> {
  const dir = await mkdtemp(join(base, `enrich-${date}-p${process.pid}-`));
  live.add(dir);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

/**
 * Removes work folders no running enrichment owns: made by a process that is gone, or by this process's
 * pid but not by a run in progress here (an earlier process with the same pid), or of the old name form
 * and older than LEGACY_STALE_MS. Only folders of ours (same owner, not links) are touched; failures are
 * logged, never thrown (the run needs its own folder, not a clean /tmp).
 */
export async function cleanStaleWorkDirs(base: string, logger: Logger, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of names) {
    const current = WORK_DIR.exec(name);
    if (!current && !LEGACY_WORK_DIR.test(name)) continue;
    const path = join(base, name);
    if (live.has(path)) continue;
    try {
      const info = await lstat(path);
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
      const pid = current ? Number(current[1]) : undefined;
      const stale = pid !== undefined ? pid === process.pid || !isProcessAlive(pid) : now - info.mtimeMs > LEGACY_STALE_MS;
      if (!stale) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch (error) {
      logger.warn(`could not remove the stale enrichment folder ${path}: ${(error as Error).message}`, { event: 'stale_work_dir', path });
    }
  }
  if (removed.length > 0) logger.info(`removed ${removed.length} work folder(s) left by enrichment runs that were killed`, { event: 'stale_work_dir', removed });
  return removed;
}

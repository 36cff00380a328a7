/**
 * The local face's privacy files, in the data folder: the pseudonym key (`.pseudonym-key`, mode 0600,
 * generated once when first needed, never printed) and the opt-out list (`optout.json`, edited by
 * `tgpipe optout`). The erasure register lives in the raw store (`raw/_privacy/`), as on S3.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataMode } from '../../core/privacy/data-mode';
import { createPseudonymizer, generatePseudonymKey, type Pseudonymizer } from '../../core/privacy/pseudonym';
import { RefreshingOptOut } from '../../core/privacy/optout';
import type { WebhookPrivacy } from '../../core/webhook';

export const pseudonymKeyPath = (dataDir: string): string => join(dataDir, '.pseudonym-key');
export const optOutPath = (dataDir: string): string => join(dataDir, 'optout.json');

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The pseudonym key: PSEUDONYM_KEY when set, else the data folder's key file (created when `create`). */
export async function loadPseudonymKey(dataDir: string, options: { create: boolean; env?: NodeJS.ProcessEnv }): Promise<string | undefined> {
  const configured = options.env?.PSEUDONYM_KEY;
  if (configured) return configured;
  const path = pseudonymKeyPath(dataDir);
  const existing = (await readIfExists(path))?.trim();
  if (existing) return existing;
  if (!options.create) return undefined;
  await mkdir(dataDir, { recursive: true });
  const key = generatePseudonymKey();
  try {
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(path, 'utf8')).trim();
    throw error;
  }
  return key;
}

/** The pseudonymizer of the data folder (undefined when there is no key and `create` is false). */
export async function localPseudonymizer(dataDir: string, options: { create: boolean; env?: NodeJS.ProcessEnv }): Promise<Pseudonymizer | undefined> {
  const key = await loadPseudonymKey(dataDir, options);
  return key ? createPseudonymizer(key) : undefined;
}

export const readOptOutFile = (dataDir: string): Promise<string | undefined> => readIfExists(optOutPath(dataDir));

/** Writes the opt-out list atomically (temporary file, then rename). */
export async function writeOptOutFile(dataDir: string, text: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = optOutPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

export interface LocalPrivacy {
  readonly mode: DataMode;
  readonly pseudonymize?: Pseudonymizer;
  readonly webhook: WebhookPrivacy;
  /** Stops the opt-out list's refresh timer. */
  stop(): void;
}

/**
 * The webhook's privacy settings for the local face: the mode, the key (created in `pseudonymous`
 * mode), and the opt-out file, read at start and again every `refreshMs` in the background (the request
 * path never waits for it).
 */
export async function localPrivacy(dataDir: string, mode: DataMode, options: { env?: NodeJS.ProcessEnv; refreshMs?: number; onError?: (e: Error) => void } = {}): Promise<LocalPrivacy> {
  const pseudonymize = await localPseudonymizer(dataDir, { create: mode === 'pseudonymous', env: options.env });
  const refreshMs = options.refreshMs ?? 5_000;
  const optOut = new RefreshingOptOut(() => readOptOutFile(dataDir), 0, Date.now, options.onError);
  await optOut.refresh();
  const timer = setInterval(() => void optOut.refresh(), refreshMs);
  timer.unref();
  return {
    mode,
    pseudonymize,
    webhook: { mode, pseudonymize, optedOut: optOut.current },
    stop: () => clearInterval(timer),
  };
}

/** The enrichment's privacy settings locally: DATA_MODE and the data folder's key (when there is one). */
export async function localEnrichPrivacy(dataDir: string, env: NodeJS.ProcessEnv, mode?: DataMode): Promise<{ mode: DataMode; pseudonymize?: Pseudonymizer }> {
  const { parseDataMode } = await import('../../core/privacy/data-mode');
  const dataMode = mode ?? parseDataMode(env.DATA_MODE);
  return { mode: dataMode, pseudonymize: await localPseudonymizer(dataDir, { create: dataMode === 'pseudonymous', env }) };
}

/**
 * The files of one folder (not its sub-folders) whose names match, as an object store, for the side
 * files erasure cleans outside the data layout: replay's unsent files, report pages.
 */
export function topLevelFiles(dir: string, pattern: RegExp): import('../../ports/object-store').ObjectStore {
  // Imported lazily to keep this module light for the webhook path.
  const store = new FsObjectStoreLazy(dir);
  return {
    url: dir,
    async *list() {
      const { readdir, stat } = await import('node:fs/promises');
      let names: string[];
      try {
        names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && pattern.test(e.name)).map((e) => e.name).sort();
      } catch {
        return;
      }
      for (const name of names) {
        const info = await stat(join(dir, name));
        yield { key: name, size: info.size, etag: `${info.size}-${Math.floor(info.mtimeMs)}`, lastModified: info.mtime };
      }
    },
    read: (key) => store.get().then((s) => s.read(key)),
    readSmall: (key) => store.get().then((s) => s.readSmall(key)),
    write: (key, body) => store.get().then((s) => s.write(key, body)),
    delete: (key) => store.get().then((s) => s.delete(key)),
  };
}

class FsObjectStoreLazy {
  private store: Promise<import('./fs-store').FsObjectStore> | undefined;
  constructor(private readonly dir: string) {}
  get() {
    this.store ??= import('./fs-store').then((m) => new m.FsObjectStore(this.dir));
    return this.store;
  }
}

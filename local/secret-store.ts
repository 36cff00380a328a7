/**
 * The local webhook secret: TELEGRAM_WEBHOOK_SECRET, else one generated once (crypto-random, Telegram's
 * charset) and kept in `<data>/.secret` with mode 0600. The value is never printed or logged: the server
 * prints where it is, and `tgpipe set-webhook --secret "$(cat data/.secret)"` reads it from there.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRET_TOKEN_PATTERN } from '../core/config';

/** 43 characters of Telegram's secret charset (base64url is exactly A-Z a-z 0-9 _ -), 256 random bits. */
export const generateSecret = (): string => randomBytes(32).toString('base64url');

export const secretPath = (dataDir: string): string => join(dataDir, '.secret');

/** Where `tgpipe serve` keeps the report page's token when it listens beyond loopback (mode 0600). */
export const pageTokenPath = (dataDir: string): string => join(dataDir, '.page-token');

/** The report page's token: TGPIPE_PAGE_TOKEN, else one generated once into `<data>/.page-token`. */
export const loadOrCreatePageToken = (dataDir: string, configured?: string) => loadOrCreateSecret(dataDir, configured, pageTokenPath(dataDir), 'TGPIPE_PAGE_TOKEN');

export async function loadOrCreateSecret(dataDir: string, configured?: string, path = secretPath(dataDir), envName = 'TELEGRAM_WEBHOOK_SECRET'): Promise<{ secret: string; source: string; created: boolean }> {
  if (configured) return { secret: configured, source: envName, created: false };
  const read = async (): Promise<string | undefined> => {
    try {
      const stored = (await readFile(path, 'utf8')).trim();
      if (SECRET_TOKEN_PATTERN.test(stored)) return stored;
      throw new Error(`${path} does not hold a valid secret (1-256 of A-Z a-z 0-9 _ -): fix or delete it`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const existing = await read();
  if (existing) return { secret: existing, source: path, created: false };
  await mkdir(dataDir, { recursive: true });
  const secret = generateSecret();
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600); // whatever the umask
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { secret: (await read())!, source: path, created: false };
    throw error;
  }
  return { secret, source: path, created: true };
}

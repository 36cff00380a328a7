/** The local webhook secret: TELEGRAM_WEBHOOK_SECRET, else one generated once and kept in `<data>/.secret` (0600). */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRET_TOKEN_PATTERN } from '../core/config';

/** 43 characters of Telegram's secret charset (base64url is exactly A-Z a-z 0-9 _ -). */
export const generateSecret = (): string => randomBytes(32).toString('base64url');

export async function loadOrCreateSecret(dataDir: string, configured?: string): Promise<{ secret: string; source: string }> {
  if (configured) return { secret: configured, source: 'TELEGRAM_WEBHOOK_SECRET' };
  const path = join(dataDir, '.secret');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (SECRET_TOKEN_PATTERN.test(stored)) return { secret: stored, source: path };
  } catch {
    // not created yet
  }
  await mkdir(dataDir, { recursive: true });
  const secret = generateSecret();
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return { secret, source: path };
}

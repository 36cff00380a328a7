/** Data folders as the reading commands need them. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeFsError } from '../core/fs-errors';

export { describeFsError };

/** Raised when the data folder a command reads does not exist: exit 1 with how to get data. */
export class NoDataFolderError extends Error {
  override name = 'NoDataFolderError';
}

/**
 * The data folder a reading command (query, report, chats) needs: a folder that does not exist is an
 * error that says how to get data, rather than empty answers that look like a quiet group.
 */
export function requireDataFolder(dir: string): string {
  const path = resolve(dir);
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    throw new NoDataFolderError(
      `no data folder at ${path} (${describeFsError(error)}). Get data first: \`tgpipe serve\` (or \`npm start\` for a demo group) ` +
        'stores what the bot receives, `tgpipe ingest FILE` stores updates from files; or name the folder with --data DIR (or TGPIPE_DATA)',
    );
  }
  if (!isFolder) throw new NoDataFolderError(`--data ${dir}: ${path} is a file, not a data folder`);
  return path;
}

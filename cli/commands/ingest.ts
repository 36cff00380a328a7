/** `tgpipe ingest`: not built yet (see the issues); answers --help and exits 2. */
import type { Command } from '../command';

export const command: Command = {
  name: 'ingest',
  summary: '(not built yet)',
  help: 'Usage: tgpipe ingest\n\nNot built yet.\n',
  async run(_argv, io) {
    io.stderr('tgpipe ingest: not built yet\n');
    return 2;
  },
};

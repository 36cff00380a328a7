/** `tgpipe query`: not built yet (see the issues); answers --help and exits 2. */
import type { Command } from '../command';

export const command: Command = {
  name: 'query',
  summary: '(not built yet)',
  help: 'Usage: tgpipe query\n\nNot built yet.\n',
  async run(_argv, io) {
    io.stderr('tgpipe query: not built yet\n');
    return 2;
  },
};

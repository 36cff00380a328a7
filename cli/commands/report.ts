/** `tgpipe report`: not built yet (see the issues); answers --help and exits 2. */
import type { Command } from '../command';

export const command: Command = {
  name: 'report',
  summary: '(not built yet)',
  help: 'Usage: tgpipe report\n\nNot built yet.\n',
  async run(_argv, io) {
    io.stderr('tgpipe report: not built yet\n');
    return 2;
  },
};

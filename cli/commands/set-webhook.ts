/** `tgpipe set-webhook`: not built yet (see the issues); answers --help and exits 2. */
import type { Command } from '../command';

export const command: Command = {
  name: 'set-webhook',
  summary: '(not built yet)',
  help: 'Usage: tgpipe set-webhook\n\nNot built yet.\n',
  async run(_argv, io) {
    io.stderr('tgpipe set-webhook: not built yet\n');
    return 2;
  },
};

/** `tgpipe`: the pipeline's command line. Each sub-command lives in `cli/commands/<name>.ts`. */
import { defaultIo, UsageError, type CliIo, type Command } from './command';

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  serve: () => import('./commands/serve'),
  ingest: () => import('./commands/ingest'),
  enrich: () => import('./commands/enrich'),
  query: () => import('./commands/query'),
  report: () => import('./commands/report'),
  replay: () => import('./commands/replay'),
  'set-webhook': () => import('./commands/set-webhook'),
};

async function usage(): Promise<string> {
  const lines = ['Usage: tgpipe <command> [options]', '', 'Commands:'];
  for (const name of Object.keys(COMMANDS)) {
    const { command } = await COMMANDS[name]!();
    lines.push(`  ${name.padEnd(12)} ${command.summary}`);
  }
  lines.push('', 'Run `tgpipe <command> --help` for a command\'s options.', '');
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`tgpipe: missing command\n\n${await usage()}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(await usage());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`tgpipe: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tgpipe ${name}: ${error.message}\nRun \`tgpipe ${name} --help\` for usage.\n`);
      return 2;
    }
    io.stderr(`tgpipe ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/**
 * `tgpipe`: the pipeline's command line, on commander (sub-commands, generated help and usage lines,
 * `--version`, short flags, "did you mean" for commands and options). The commands are declared in
 * cli/registry.ts; each one's code is imported only when it runs.
 */
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { COMMANDS } from './registry';
import { defaultIo, UsageError, type CliIo, type CommandSpec, type OptionValues } from './spec';

export { UsageError } from './spec';
export const VERSION: string = pkg.version;

/** Commander's option values keyed by long name (`allowed-chat-ids`; `no-timer` is true when given). */
function valuesOf(cmd: Command): OptionValues {
  const opts = cmd.opts();
  const values: OptionValues = {};
  for (const option of cmd.options as Option[]) {
    const long = option.long?.replace(/^--/, '');
    if (!long) continue;
    const value = opts[option.attributeName()] as string | boolean | undefined;
    values[long] = option.negate ? value === false : option.isBoolean() ? value === true : value;
  }
  return values;
}

interface Run {
  path: string;
  exit?: number;
}

function addCommand(parent: Command, spec: CommandSpec, io: CliIo, run: Run): void {
  const cmd = parent.command(spec.name).summary(spec.summary).description(reflow(spec.description ?? spec.summary));
  configure(cmd, io);
  if (spec.arguments) cmd.arguments(spec.arguments);
  for (const o of spec.options ?? []) {
    const option = new Option(o.flags, o.description);
    if (o.default !== undefined && !option.negate) option.default(o.default);
    if (o.choices) option.choices(o.choices);
    if (o.hidden) option.hideHelp();
    cmd.addOption(option);
  }
  if (spec.after) cmd.addHelpText('after', spec.after);
  for (const sub of spec.subcommands ?? []) addCommand(cmd, sub, io, run);
  const load = spec.load;
  if (load) {
    cmd.action(async (...args: unknown[]) => {
      const self = args.at(-1) as Command;
      run.path = commandPath(self);
      const positionals = (self.processedArgs as unknown[]).flat().filter((a): a is string => typeof a === 'string');
      const module = await load();
      run.exit = await module.run(valuesOf(self), positionals, io);
    });
  }
}

/**
 * Prose paragraphs as single lines, so commander wraps them to the terminal's width; a paragraph with
 * indented lines (a list) keeps its line breaks.
 */
export const reflow = (text: string): string =>
  text
    .split(/\n\s*\n/)
    .map((p) => (/\n\s/.test(p) ? p : p.replace(/\s*\n\s*/g, ' ')))
    .join('\n\n');

const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Output through `io`, errors as `tgpipe CMD: message` with the help hint, no process.exit. */
function configure(cmd: Command, io: CliIo): void {
  cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      getOutHelpWidth: () => (io.isTTY?.stdout ? process.stdout.columns : undefined) ?? 100,
      getErrHelpWidth: () => (io.isTTY?.stderr ? process.stderr.columns : undefined) ?? 100,
      outputError: (message, write) => {
        const path = commandPath(cmd);
        const text = message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').trimEnd();
        write(`${path}: ${text}\nRun \`${path} --help\` for usage.\n`);
      },
    });
}

export function buildProgram(io: CliIo, run: Run = { path: 'tgpipe' }): Command {
  const program = new Command('tgpipe')
    .description('Telegram group analytics: the local pipeline (folders + DuckDB) and the tools for its AWS stack.')
    .version(`tgpipe ${VERSION}`, '-V, --version', 'print the version')
    .usage('<command> [options]')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', '\nRun `tgpipe <command> --help` (or `tgpipe help <command>`) for a command\'s options.');
  configure(program, io);
  for (const spec of COMMANDS) addCommand(program, spec, io, run);
  return program;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const run: Run = { path: 'tgpipe' };
  const program = buildProgram(io, run);
  if (argv.length === 0) {
    io.stderr(`tgpipe: missing command\n\n${program.helpInformation()}`);
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (run.exit !== undefined) return run.exit;
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, `help CMD` and --version exit 0; a bare command group (`tgpipe replay`) printed its help
      // on stderr and exits 2 like any other bad usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr(`${run.path}: ${error.message}\nRun \`${run.path} --help\` for usage.\n`);
      return 2;
    }
    io.stderr(`${run.path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

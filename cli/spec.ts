/**
 * How a `tgpipe` sub-command is declared: its name, help and options live here, light enough to load
 * for `tgpipe --help`; its code (`load`) is imported only when the command runs.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The terminal streams, when output goes to a terminal (progress bars, colours); undefined in tests. */
  readonly isTTY?: { stdout: boolean; stderr: boolean };
}

export interface OptionSpec {
  /** Commander flags, e.g. `-f, --format <format>`, `--quiet`, `--no-timer`. */
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean;
  readonly choices?: readonly string[];
  /** Left out of --help (fault injection for drills). */
  readonly hidden?: boolean;
}

/** Parsed options keyed by their long name without dashes (`allowed-chat-ids`, `no-timer`). */
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandModule {
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for `tgpipe --help`. */
  readonly summary: string;
  /** Commander argument syntax: `<name>`, `[paths...]`. */
  readonly arguments?: string;
  /** Prose shown above the options. */
  readonly description?: string;
  readonly options?: readonly OptionSpec[];
  /** Prose shown after the options (examples, exit status). */
  readonly after?: string;
  readonly subcommands?: readonly CommandSpec[];
  readonly load?: () => Promise<CommandModule>;
}

/** Raised for bad usage: the CLI prints the message and the command's help hint, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
});

/** The shape of a `tgpipe` sub-command, and the argument parsing they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  /** One line for `tgpipe --help`. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Runs the command; resolves with the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Raised for bad usage: the CLI prints the message and the command's help hint, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with `--help` built in and bad flags turned into UsageError. */
export function parseCommandArgs<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});

/** The `--data DIR` option every local command takes. */
export const DATA_OPTION = { data: { type: 'string' as const, default: process.env.TGPIPE_DATA ?? 'data' } };

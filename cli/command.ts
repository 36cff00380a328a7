/** The shape of a `tgpipe` sub-command, and the argument parsing they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_UTC_OFFSET } from '../core/config';
import { parseUtcOffset } from '../core/context-date';

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

/** A value that starts with a minus but is no flag: a chat id (-1001234567890), an offset (-03:00). */
const NEGATIVE_VALUE = /^-\d/;

/**
 * `--name -100123` as `--name=-100123` for string options: group chat ids and western UTC offsets start
 * with a minus, which util.parseArgs would otherwise refuse as an ambiguous option argument.
 */
export function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_VALUE.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** `util.parseArgs` with `--help` built in and bad flags turned into UsageError. */
export function parseCommandArgs<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    const args = joinNegativeValues(argv, options);
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
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

/** The day boundary's offset from `--utc-offset`, else CONTEXT_UTC_OFFSET, else -03:00; a bad one is a usage error. */
export function utcOffsetOption(flag: string | undefined, env: NodeJS.ProcessEnv): { text: string; minutes: number } {
  const text = flag ?? (env.CONTEXT_UTC_OFFSET || DEFAULT_UTC_OFFSET);
  try {
    return { text, minutes: parseUtcOffset(text) };
  } catch (error) {
    throw new UsageError(`${flag !== undefined ? '--utc-offset' : 'CONTEXT_UTC_OFFSET'}: ${(error as Error).message}`);
  }
}

/** Helpers the `tgpipe` sub-commands share (the declarations are in cli/registry.ts). */
import { DEFAULT_UTC_OFFSET } from '../core/config';
import { parseUtcOffset, type DayZone } from '../core/context-date';
import { UsageError } from './spec';

export { defaultIo, UsageError, type CliIo, type CommandModule, type OptionValues } from './spec';

/** The day boundary's offset from `--utc-offset`, else CONTEXT_UTC_OFFSET, else -03:00; a bad one is a usage error. */
export function utcOffsetOption(flag: string | undefined, env: NodeJS.ProcessEnv): { text: string; minutes: DayZone } {
  const text = flag ?? (env.CONTEXT_UTC_OFFSET || DEFAULT_UTC_OFFSET);
  try {
    return { text, minutes: parseUtcOffset(text) };
  } catch (error) {
    throw new UsageError(`${flag !== undefined ? '--utc-offset' : 'CONTEXT_UTC_OFFSET'}: ${(error as Error).message}`);
  }
}

/** A string option's value (commander gives strings for `<value>` options). */
export const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

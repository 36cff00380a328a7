/** The logger of a command a person runs: readable lines on stderr, coloured in a terminal. */
import { createLogger, type Logger, type LogLevel } from '../core/log';
import type { CliIo } from './spec';

export interface CliLoggerOptions {
  readonly format?: 'pretty' | 'json';
  /** Runs before each line, e.g. to clear a progress bar. */
  readonly beforeWrite?: () => void;
}

export function cliLogger(service: string, level: LogLevel, io: CliIo, options: CliLoggerOptions = {}): Logger {
  const write = (line: string) => {
    options.beforeWrite?.();
    io.stderr(line);
  };
  return createLogger({ service, level, write, format: options.format ?? 'pretty', color: Boolean(io.isTTY?.stderr), withoutMetricEnvelope: true });
}

/**
 * Structured JSON logs, one object per line (CloudWatch and `jq` read them as they are). Callers pass
 * only fields that are safe to log: never the secret, never message text.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LogLevel;
  /** Where lines go; stdout by default (Lambda ships it to CloudWatch). */
  readonly write?: (line: string) => void;
  readonly fields?: LogFields;
  /**
   * Leave out the CloudWatch Embedded Metric Format envelope (`_aws`): off Lambda nothing turns it into
   * metrics, and it triples a terminal line. The metric values stay as plain fields.
   */
  readonly withoutMetricEnvelope?: boolean;
  /**
   * `json` (default: what CloudWatch and jq read) or `pretty`: one readable line for a person at a
   * terminal (`12:00:01 WARN  message  key=value ...`), without the metric envelope.
   */
  readonly format?: 'json' | 'pretty';
  /** Colour the level in pretty lines (a terminal). */
  readonly color?: boolean;
}

const COLORS: Record<LogLevel, string> = { debug: '\x1b[2m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

/** A pretty line: time, level, message, then the fields as key=value (values JSON-quoted when needed). */
/**
 * A person reading a terminal wants what happened, not a list of zero counters: the readable format
 * leaves out zeros and empty objects (the JSON format keeps every field, for machines).
 */
const isNothing = (value: unknown): boolean =>
  value === 0 ||
  (Array.isArray(value) && value.length === 0) ||
  (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isNothing));

const withoutNothing = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([, v]) => !isNothing(v)))
    : value;

export function prettyLine(level: LogLevel, time: Date, message: string, fields: LogFields, color = false): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || key === '_aws' || key === 'service' || isNothing(value)) continue;
    const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(withoutNothing(value));
    parts.push(`${key}=${text}`);
  }
  const tag = level.toUpperCase().padEnd(5);
  const hhmmss = time.toISOString().slice(11, 19);
  const details = parts.length ? `  ${color ? `\x1b[2m${parts.join(' ')}\x1b[0m` : parts.join(' ')}` : '';
  return `${hhmmss} ${color ? `${COLORS[level]}${tag}\x1b[0m` : tag} ${message}${details}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const minimum = LEVELS[options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? LEVELS.info;
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const base = { service: options.service, ...options.fields };
  const log = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[level] < minimum) return;
    if (options.format === 'pretty') {
      write(prettyLine(level, new Date(), message, { ...base, ...fields }, options.color));
      return;
    }
    const line: LogFields = { level, time: new Date().toISOString(), message, ...base, ...fields };
    if (options.withoutMetricEnvelope) delete line._aws;
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    log,
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}

/** A logger that keeps lines in memory, for tests and for commands that print their own summary. */
export function memoryLogger(service = 'test'): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({ service, level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}

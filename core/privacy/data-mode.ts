/**
 * Data modes (`DATA_MODE` / context key `dataMode`): how much of each update a deployment keeps.
 * Not Telegram's "privacy mode" (which is about what a bot sees in a group).
 *
 * - `full`: the update byte-exact, as received (the default).
 * - `no-text`: no message text, caption, poll text, quote, file name, URL or query anywhere; lengths,
 *   kinds and entity types stay.
 * - `pseudonymous`: `no-text`, and user ids replaced by a keyed pseudonym; names, usernames, phone
 *   numbers and locations dropped.
 */
export const DATA_MODES = ['full', 'no-text', 'pseudonymous'] as const;
export type DataMode = (typeof DATA_MODES)[number];

/** How much a mode withholds: a record is never made less strict than it was stored. */
const STRICTNESS: Record<DataMode, number> = { full: 0, 'no-text': 1, pseudonymous: 2 };

export function isDataMode(value: unknown): value is DataMode {
  return typeof value === 'string' && (DATA_MODES as readonly string[]).includes(value);
}

/** Parses `DATA_MODE` (empty or absent: `full`); throws naming the bad value. */
export function parseDataMode(text: string | undefined, name = 'DATA_MODE'): DataMode {
  const value = (text ?? '').trim();
  if (value === '') return 'full';
  if (!isDataMode(value)) throw new Error(`${name}: "${value}" is not a data mode (${DATA_MODES.join(', ')})`);
  return value;
}

/** The stricter of two modes: what a record holds once the deployment's mode is applied to it. */
export const stricterMode = (a: DataMode, b: DataMode): DataMode => (STRICTNESS[a] >= STRICTNESS[b] ? a : b);

export const withholdsText = (mode: DataMode): boolean => mode !== 'full';

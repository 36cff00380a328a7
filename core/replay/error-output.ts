/**
 * Firehose error output: records Firehose could not deliver land under
 * `errors/<error-output-type>/date=YYYY-MM-DD/` as JSON lines with the original record base64-encoded in
 * `rawData` (with attemptsMade, arrivalTimestamp, errorCode, errorMessage, ...). Pure decoding.
 */
export interface ErrorOutputRecord {
  readonly rawData: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly arrivalTimestamp?: number;
}

export type DecodedErrorLine = { readonly ok: true; readonly line: string; readonly errorCode?: string } | { readonly ok: false; readonly reason: string };

export function decodeErrorOutputLine(text: string): DecodedErrorLine {
  let value: Partial<ErrorOutputRecord>;
  try {
    value = JSON.parse(text) as Partial<ErrorOutputRecord>;
  } catch {
    return { ok: false, reason: 'error-output line is not JSON' };
  }
  if (typeof value.rawData !== 'string' || value.rawData === '') return { ok: false, reason: 'error-output record has no rawData' };
  const line = Buffer.from(value.rawData, 'base64').toString('utf8');
  return { ok: true, line: line.endsWith('\n') ? line : `${line}\n`, errorCode: value.errorCode };
}

/** The error-output folder of one arrival day: `errors/<type>/date=YYYY-MM-DD/` under any type. */
export const errorDayPattern = (date: string): RegExp => new RegExp(`^errors/[^/]+/date=${date}/`);

/**
 * Updates from files for `tgpipe ingest` and from getUpdates answers: one update per file, a JSON array
 * of updates, JSON lines, or a getUpdates answer `{"ok":true,"result":[...]}`. Pure: text in, update
 * bodies and rejections out.
 *
 * Each update keeps its exact bytes (the slice of the file that holds it), as a webhook body would: the
 * raw layer never holds a re-serialised update.
 */
import { isUpdate } from './update-kinds';
import { EXPORT_GIVEN_TO_INGEST, looksLikeExport } from './export/detect';

export interface FileUpdate {
  /** The update's exact text in the file. */
  readonly body: string;
  readonly updateId: number;
  /** Where it was, e.g. `export.json:12` or `answer.json:1 result[3]`. */
  readonly where: string;
}

export interface Rejection {
  readonly where: string;
  readonly reason: string;
}

export interface FileItems {
  readonly updates: FileUpdate[];
  /** Elements that are not updates, with where they were. */
  readonly rejected: Rejection[];
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i += 1;
  return i;
}

/** End (exclusive) of the JSON value starting at `i`, in text already known to be valid JSON. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    for (let j = i + 1; j < text.length; j += 1) {
      const d = text.charCodeAt(j);
      if (d === 0x5c) j += 1;
      else if (d === 0x22) return j + 1;
    }
    return text.length;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j += 1) {
      const d = text[j];
      if (d === '"') j = valueEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth += 1;
      else if (d === '}' || d === ']') {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !WS.has(text.charCodeAt(j)) && text[j] !== ',' && text[j] !== ']' && text[j] !== '}') j += 1;
  return j;
}

/** Exact slices of the elements of the (valid) JSON array starting at `i`, with their offsets. */
export function arrayElements(text: string, i: number): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let j = skipWs(text, i + 1);
  if (text[j] === ']') return out;
  for (;;) {
    j = skipWs(text, j);
    const end = valueEnd(text, j);
    out.push({ text: text.slice(j, end), offset: j });
    j = skipWs(text, end);
    if (text[j] !== ',') return out;
    j += 1;
  }
}

/** Offset of the value of the top-level key `key` in the (valid) JSON object starting at `i`. */
function memberValue(text: string, i: number, key: string): number | undefined {
  let j = skipWs(text, i + 1);
  while (text[j] === '"') {
    const keyEnd = valueEnd(text, j);
    const name = JSON.parse(text.slice(j, keyEnd)) as string;
    j = skipWs(text, skipWs(text, keyEnd) + 1); // past the colon
    if (name === key) return j;
    j = skipWs(text, valueEnd(text, j));
    if (text[j] !== ',') return undefined;
    j = skipWs(text, j + 1);
  }
  return undefined;
}

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) line += 1;
  return line;
};

export const NOT_AN_UPDATE = 'not a Telegram update (no integer update_id)';

export function classify(value: unknown, body: string, where: string, out: { updates: FileUpdate[]; rejected: Rejection[] }): void {
  if (isUpdate(value)) out.updates.push({ body, updateId: value.update_id, where });
  else out.rejected.push({ where, reason: NOT_AN_UPDATE });
}

const isGetUpdatesAnswer = (value: unknown): value is { ok: unknown; result: unknown[] } =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 'result' in value && Array.isArray((value as { result: unknown }).result);

/** One JSON document (update, array, or getUpdates answer) that parsed as `value`. */
export function fromDocument(text: string, start: number, value: unknown, name: string, lineOffset: number, out: { updates: FileUpdate[]; rejected: Rejection[] }): void {
  let arrayStart: number | undefined;
  let items: unknown[] | undefined;
  let label = '';
  if (Array.isArray(value)) {
    arrayStart = start;
    items = value;
  } else if (isGetUpdatesAnswer(value)) {
    if (value.ok === false) {
      out.rejected.push({ where: `${name}:${lineOffset + 1}`, reason: 'a getUpdates answer with "ok": false' });
      return;
    }
    arrayStart = memberValue(text, start, 'result');
    items = value.result;
    label = 'result';
  }
  if (arrayStart === undefined || !items) {
    classify(value, text.slice(start, valueEnd(text, start)), `${name}:${lineOffset + lineAt(text, start)}`, out);
    return;
  }
  // Each element is classified from its own slice, so the bytes kept are the bytes classified.
  const slices = arrayElements(text, arrayStart);
  const values: unknown[] = [];
  try {
    for (const slice of slices) values.push(JSON.parse(slice.text));
  } catch {
    // The scanner should never disagree with JSON.parse; if it does, fall back to re-serialising.
    const at = `${name}:${lineOffset + lineAt(text, arrayStart)}`;
    items.forEach((item, k) => classify(item, JSON.stringify(item), `${at} ${label}[${k}]`, out));
    return;
  }
  slices.forEach((slice, k) => classify(values[k], slice.text, `${name}:${lineOffset + lineAt(text, slice.offset)} ${label}[${k}]`, out));
}

/** Parses a file's text. `name` prefixes every `where`. */
export function parseUpdateFile(text: string, name: string): FileItems {
  const out = { updates: [] as FileUpdate[], rejected: [] as Rejection[] };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = skipWs(text, 0);
  if (start === text.length) {
    out.rejected.push({ where: name, reason: 'empty file' });
    return out;
  }
  if (looksLikeExport(text.slice(start))) {
    out.rejected.push({ where: name, reason: EXPORT_GIVEN_TO_INGEST });
    return out;
  }
  let whole: unknown;
  let parsed = false;
  try {
    whole = JSON.parse(text);
    parsed = true;
  } catch {
    // not one JSON document: JSON lines
  }
  if (parsed) {
    fromDocument(text, start, whole, name, 0, out);
    return out;
  }
  let lineStart = 0;
  for (let line = 1; lineStart < text.length; line += 1) {
    const nl = text.indexOf('\n', lineStart);
    const end = nl === -1 ? text.length : nl;
    const raw = text.slice(lineStart, end);
    lineStart = end + 1;
    const s = skipWs(raw, 0);
    if (s === raw.length) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      out.rejected.push({ where: `${name}:${line}`, reason: 'not JSON' });
      continue;
    }
    fromDocument(raw, s, value, name, line - 1, out);
  }
  return out;
}

/** A getUpdates answer: its updates (exact bytes), or why it is not a good answer. */
export function parseGetUpdatesAnswer(text: string): { ok: true; updates: FileUpdate[]; rejected: Rejection[] } | { ok: false; description: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, description: 'answer is not JSON' };
  }
  if (!isGetUpdatesAnswer(value) || value.ok !== true) {
    const description = value && typeof value === 'object' && 'description' in value ? String((value as { description: unknown }).description) : 'no result';
    return { ok: false, description };
  }
  const out = { updates: [] as FileUpdate[], rejected: [] as Rejection[] };
  fromDocument(text, skipWs(text, 0), value, 'getUpdates', 0, out);
  return { ok: true, ...out };
}

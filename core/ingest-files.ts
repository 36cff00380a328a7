/**
 * Updates from files for `tgpipe ingest`: one update per file, a JSON array, JSON lines, or a getUpdates
 * answer `{"ok":true,"result":[...]}`. Pure: text in, update bodies and rejections out.
 */
import { isUpdate } from './update-kinds';

export interface FileItems {
  /** Update bodies, compact JSON. */
  readonly updates: string[];
  /** Elements that are not updates, with where they were. */
  readonly rejected: Array<{ readonly where: string; readonly reason: string }>;
}

function fromValue(value: unknown, where: string, out: { updates: string[]; rejected: Array<{ where: string; reason: string }> }): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => fromValue(v, `${where}[${i}]`, out));
    return;
  }
  if (value && typeof value === 'object' && 'result' in value && Array.isArray((value as { result: unknown }).result)) {
    fromValue((value as { result: unknown[] }).result, `${where}.result`, out);
    return;
  }
  if (isUpdate(value)) out.updates.push(JSON.stringify(value));
  else out.rejected.push({ where, reason: 'not a Telegram update (no integer update_id)' });
}

export function parseUpdateFile(text: string, name: string): FileItems {
  const out = { updates: [] as string[], rejected: [] as Array<{ where: string; reason: string }> };
  const trimmed = text.trim();
  if (trimmed === '') {
    out.rejected.push({ where: name, reason: 'empty file' });
    return out;
  }
  try {
    fromValue(JSON.parse(trimmed), name, out);
    return out;
  } catch {
    // not one JSON document: JSON lines
  }
  trimmed.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      fromValue(JSON.parse(line), `${name}:${i + 1}`, out);
    } catch {
      out.rejected.push({ where: `${name}:${i + 1}`, reason: 'not JSON' });
    }
  });
  return out;
}

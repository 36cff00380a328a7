/**
 * Writes Telegram Desktop exports for tests, formatted as its writer (export_output_json.cpp) formats
 * them: pretty-printed objects, one key per line, `"key": value`, control characters in strings as
 * `\xHH`, line/paragraph separators as `\u2028`/`\u2029`, other characters as raw UTF-8, dates as local
 * ISO times without zone and unixtimes as strings. Written from the writer's rules, not from a sample.
 */

type Value = string | number | boolean | null | Value[] | { [key: string]: Value | undefined };

/** The writer's SerializeString. */
export function serializeString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 32) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c === 0x2028) out += '\\u2028';
    else if (c === 0x2029) out += '\\u2029';
    else out += ch;
  }
  return `${out}"`;
}

/** Serializes like SerializeObject / SerializeArray, at the given nesting depth. */
export function serialize(value: Value, depth = 0): string {
  const indent = ' '.repeat(depth);
  const next = ' '.repeat(depth + 1);
  if (value === null) return 'null';
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => `\n${next}${serialize(v, depth + 1)}`).join(',')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined) as Array<[string, Value]>;
  return `{${entries.map(([k, v]) => `\n${next}${serializeString(k)}: ${serialize(v, depth + 1)}`).join(',')}\n${indent}}`;
}

/** The exporting computer's offset, minutes east of UTC, used for `date` (local time, no zone). */
export const EXPORTER_OFFSET_MINUTES = 120;

export const localDate = (unix: number, offsetMinutes = EXPORTER_OFFSET_MINUTES): string => new Date((unix + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);

/** A message's date fields as the writer puts them: `date` local, `date_unixtime` a string. */
export const dated = (unix: number): { date: string; date_unixtime: string } => ({ date: localDate(unix), date_unixtime: String(unix) });

export interface ChatExport {
  name: string | null;
  type: string;
  id: number;
  messages: Value[];
}

/** A single chat's export (Export chat history). */
export function chatExport(chat: ChatExport): string {
  // The writer's chat object: name, type, id, then the messages array.
  return `${serialize({ name: chat.name, type: chat.type, id: chat.id, messages: chat.messages } as Value)}\n`;
}

/** A whole account's export (Settings > Advanced > Export Telegram data). */
export function accountExport(chats: ChatExport[], leftChats: ChatExport[] = []): string {
  const toValue = (c: ChatExport) => ({ name: c.name, type: c.type, id: c.id, messages: c.messages }) as Value;
  return `${serialize({
    about: 'Here is the data you requested.',
    personal_information: { user_id: 42, first_name: 'Me', last_name: '', phone_number: '+1 555', bio: 'line\nbreak' },
    profile_pictures: [{ ...dated(1600000000), photo: 'profile_pictures/p.jpg' }],
    contacts: { about: 'contacts', list: [{ user_id: 7, first_name: 'A', last_name: 'B', phone_number: '+1', ...dated(1600000000) }] },
    frequent_contacts: { about: 'x', list: [{ id: 7, category: 'people', type: 'user', name: 'A B', rating: 0.5 }] },
    chats: { about: 'This page lists all chats from this export.', list: chats.map(toValue) },
    left_chats: { about: 'This page lists all supergroups and channels from this export that you have left.', list: leftChats.map(toValue) },
    other_data: { about: 'x', changes_log: [{ a: [1, 2, { b: null }] }] },
  } as Value)}`;
}

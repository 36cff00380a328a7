/**
 * Recognises a Telegram Desktop export from the start of a file (pure), so `tgpipe ingest` given a
 * result.json can point to `tgpipe import` instead of rejecting it line by line.
 */

/** Bytes of the file's head that detection needs (the chat's name comes before its messages). */
export const EXPORT_HEAD_CHARS = 64 * 1024;

const STRING = '(?:null|"(?:[^"\\\\]|\\\\.)*")';
/** A single chat's export: `{"name": ..., "type": "...", "id": N, "messages": [` as the writer orders them. */
const CHAT_HEAD = new RegExp(`^\\{\\s*(?:"name":\\s*${STRING},\\s*)?"type":\\s*"[a-z_]*",\\s*"id":\\s*-?\\d+,\\s*"messages":\\s*\\[`);
/** A whole account's export: `{"about": "...", ...` with its sections. */
const ACCOUNT_HEAD = new RegExp(`^\\{\\s*"about":\\s*${STRING},\\s*"(?:personal_information|profile_pictures|stories|contacts|frequent_contacts|sessions|web_sessions|chats|left_chats|other_data)":`);

/** True when the text (its head is enough) is a Telegram Desktop "Machine-readable JSON" export. */
export function looksLikeExport(text: string): boolean {
  const head = text.slice(0, EXPORT_HEAD_CHARS).replace(/^\uFEFF/, '');
  return CHAT_HEAD.test(head) || ACCOUNT_HEAD.test(head);
}

export const EXPORT_GIVEN_TO_INGEST = 'a Telegram Desktop export (result.json), not Telegram updates: import it with `tgpipe import FILE` (see tgpipe import --help)';

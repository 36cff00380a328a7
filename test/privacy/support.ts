/**
 * Shared by the privacy tests: a small group conversation whose every private value is distinctive, so a
 * search of every written file can prove it is not there, and a reader of every file a data folder holds.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { duckQuery } from '../support/duckdb';

export const CHAT = -1001234500001;
export const DAY1 = 1773500000; // 2026-03-14 in -03:00
export const DAY2 = DAY1 + 86_400;

/** Members: ids, names and usernames that occur nowhere else. */
export const ANA = { id: 910000001, is_bot: false, first_name: 'Anafirstzq', last_name: 'Analastzq', username: 'ana_userzq', language_code: 'pt-br' };
export const BEN = { id: 910000002, is_bot: false, first_name: 'Benfirstzq', username: 'ben_userzq' };
export const CAI = { id: 910000003, is_bot: false, first_name: 'Caifirstzq', last_name: 'Cailastzq' };
export const DIA = { id: 910000004, is_bot: false, first_name: 'Diafirstzq' };
const chat = { id: CHAT, type: 'supergroup', title: 'Privacy test group' };

/** Values no file may hold in `no-text` (texts, captions, poll texts, file names, URLs, queries). */
export const TEXTS = [
  'Textzq hello from Ana',
  'Textzq a reply from Ben',
  'Captionzq of a photo',
  'Pollzq question',
  'Optionzq one',
  'Optionzq two',
  'Filezq_report.pdf',
  'https://linkzq.example/x',
  'Textzq edited by Cai',
  'Queryzq inline',
  'Textzq Dia says hi',
  'Textzq mentions Dia',
  'Textzq day two',
];
/** Further values no file may hold in `pseudonymous` (names, usernames, phone numbers, places). */
export const PERSONAL = ['Anafirstzq', 'Analastzq', 'ana_userzq', 'Benfirstzq', 'ben_userzq', 'Caifirstzq', 'Cailastzq', 'Diafirstzq', '+5511987650000', '-23.5505199', '-46.6333094'];
export const USER_IDS = [ANA.id, BEN.id, CAI.id, DIA.id];

let nextId = 5000;
const msg = (from: object, date: number, fields: object) => ({ update_id: nextId++, message: { message_id: nextId, from, chat, date, ...fields } });

/** Two days of a conversation: every place a member's data can appear. */
export function conversation(): object[] {
  nextId = 5000;
  const first = msg(ANA, DAY1, { text: 'Textzq hello from Ana', entities: [{ type: 'bold', offset: 0, length: 6 }] });
  const firstMessage = (first as { message: Record<string, unknown> }).message;
  return [
    first,
    msg(BEN, DAY1 + 60, { text: 'Textzq a reply from Ben', reply_to_message: firstMessage, quote: { text: 'Textzq hello', position: 0 } }),
    msg(ANA, DAY1 + 120, { photo: [{ file_id: 'AgAD1', file_unique_id: 'u1', width: 90, height: 90, file_size: 1000 }], caption: 'Captionzq of a photo' }),
    msg(CAI, DAY1 + 180, { poll: { id: 'poll1', question: 'Pollzq question', options: [{ text: 'Optionzq one', voter_count: 0 }, { text: 'Optionzq two', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: false, type: 'regular', allows_multiple_answers: false } }),
    msg(BEN, DAY1 + 240, { document: { file_id: 'BQAD1', file_unique_id: 'u2', file_name: 'Filezq_report.pdf', mime_type: 'application/pdf', file_size: 2000 } }),
    msg(CAI, DAY1 + 300, { text: 'see here', entities: [{ type: 'text_link', offset: 0, length: 3, url: 'https://linkzq.example/x' }] }),
    msg(ANA, DAY1 + 360, { contact: { phone_number: '+5511987650000', first_name: 'Benfirstzq', user_id: BEN.id } }),
    msg(BEN, DAY1 + 420, { location: { latitude: -23.5505199, longitude: -46.6333094 } }),
    msg(ANA, DAY1 + 480, { new_chat_members: [DIA], new_chat_member: DIA, new_chat_participant: DIA }),
    msg(DIA, DAY1 + 540, { text: 'Textzq Dia says hi' }),
    msg(ANA, DAY1 + 600, { text: 'Textzq mentions Dia', entities: [{ type: 'text_mention', offset: 16, length: 3, user: DIA }] }),
    msg(BEN, DAY1 + 660, { text: 'fwd', forward_origin: { type: 'user', date: DAY1 - 1000, sender_user: DIA } }),
    { update_id: nextId++, edited_message: { message_id: 5004, from: CAI, chat, date: DAY1 + 180, edit_date: DAY1 + 700, text: 'Textzq edited by Cai' } },
    { update_id: nextId++, message_reaction: { chat, message_id: 5010, user: ANA, date: DAY1 + 720, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] } },
    { update_id: nextId++, message_reaction: { chat, message_id: 5001, user: DIA, date: DAY1 + 730, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '🔥' }] } },
    { update_id: nextId++, chat_member: { chat, from: ANA, date: DAY1 + 740, old_chat_member: { user: DIA, status: 'left' }, new_chat_member: { user: DIA, status: 'member' } } },
    msg(DIA, DAY2, { text: 'Textzq day two' }),
    msg(ANA, DAY2 + 60, { left_chat_member: DIA }),
    msg(BEN, DAY2 + 120, { text: 'x', reply_to_message: { message_id: 5010, from: DIA, chat, date: DAY1 + 540, text: 'Textzq Dia says hi' } }),
    { update_id: nextId++, inline_query: { id: 'iq1', from: CAI, query: 'Queryzq inline', offset: '' } },
  ];
}

/** Every file under `dir`, as text: gzip members unpacked, Parquet files read row by row (DuckDB). */
export async function everyWrittenFile(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const bytes = await readFile(path);
        let text: string;
        if (path.endsWith('.parquet')) {
          const rows = await duckQuery(`SELECT * FROM read_parquet('${path}')`);
          text = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + bytes.toString('latin1');
        } else if (bytes[0] === 0x1f && bytes[1] === 0x8b) text = gunzipSync(bytes).toString('utf8');
        else text = bytes.toString('utf8');
        out.push({ path, text });
      }
    }
  };
  await walk(dir);
  return out;
}

/** The values of `forbidden` found in the files, with where. */
export function findForbidden(files: Array<{ path: string; text: string }>, forbidden: readonly (string | number)[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    for (const v of forbidden) {
      const needle = String(v);
      const re = typeof v === 'number' ? new RegExp(`(?<![0-9])${needle}(?![0-9])`) : undefined;
      if (re ? re.test(f.text) : f.text.includes(needle)) found.push(`${needle} in ${f.path}`);
    }
  }
  return found;
}

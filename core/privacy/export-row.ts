/**
 * The privacy policy applied to a row built from an `export` record (pure). The import refuses to run
 * under a data mode other than `full` (the raw layer must never hold what a mode withholds, and an export
 * record is not redacted at the source), so export records are `full` in the raw layer; a deployment
 * whose mode became stricter later, or an erasure, still applies to their rows here, as applyPolicy does
 * for updates:
 * - erased: a row whose sender or chat is erased is dropped; an erased reactor leaves recent_reactions;
 * - no-text: the words go (text, caption, poll question, file name, topic and chat-title changes,
 *   author signature), their lengths stay (text_length);
 * - pseudonymous: also names and places go, and user ids (sender, recent reactors) become pseudonyms,
 *   placeholder users included, as the live path's redaction does for every person object.
 */
import type { Row } from '../../schemas';
import type { DataMode } from './data-mode';
import type { PrivacyPolicy } from './policy';

const WORDS = ['text', 'caption', 'poll_question', 'media_file_name', 'forum_topic_name', 'new_chat_title', 'author_signature'] as const;
const PERSON = ['user_first_name', 'user_last_name', 'user_username', 'location_latitude', 'location_longitude'] as const;

export type ExportRowOutcome = { readonly keep: false } | { readonly keep: true; readonly row: Row; readonly mode: DataMode };

export function applyPolicyToExportRow(row: Row, policy: PrivacyPolicy): ExportRowOutcome {
  const erased = policy.erased && !policy.erased.empty ? policy.erased : undefined;
  if (erased) {
    const user = row.user_id;
    const chat = row.chat_id;
    if ((typeof user === 'number' && erased.isUser(user)) || (typeof chat === 'number' && erased.isChat(chat))) return { keep: false };
    if (typeof row.sender_chat_id === 'number' && erased.isChat(row.sender_chat_id)) return { keep: false };
  }
  const mode = policy.mode;
  const out: Row = { ...row, data_mode: mode };
  let recent: Array<Record<string, unknown>> | undefined;
  if (typeof row.recent_reactions === 'string') {
    recent = JSON.parse(row.recent_reactions) as Array<Record<string, unknown>>;
    if (erased) recent = recent.filter((r) => !(typeof r.user_id === 'number' && erased.isUser(r.user_id)));
  }
  if (mode !== 'full') for (const c of WORDS) out[c] = null;
  if (mode === 'pseudonymous') {
    if (!policy.pseudonymize) throw new Error('pseudonymous mode needs the pseudonym key');
    const p = policy.pseudonymize;
    for (const c of PERSON) out[c] = null;
    if (typeof row.user_id === 'number') out.user_id = p(row.user_id);
    if (recent) recent = recent.map((r) => (typeof r.user_id === 'number' ? { ...r, user_id: p(r.user_id) } : r));
  }
  if (recent) out.recent_reactions = JSON.stringify(recent);
  return { keep: true, row: out, mode };
}

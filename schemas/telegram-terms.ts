/**
 * `telegram_terms`: the words, emoji, hashtags, mentions and linked domains of a day's `telegram` rows,
 * counted during the enrichment (core/terms) so that no reader has to scan texts: one row per
 * (chat_id, user_id, term_kind, term) per day. Rebuilt with its day, like the other tables.
 */
import { defineTable, v3 } from './column';

/** What a term is; `term_kind` holds one of these. */
export const TERM_KINDS = ['word', 'emoji', 'hashtag', 'mention', 'domain'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

export const telegramTermsTable = defineTable('telegram_terms', 'Terms (words, emoji, hashtags, mentions, linked domains) per chat, sender and day, counted from text and caption of telegram rows.', [
  v3('chat_id', 'bigint', 'Chat of the messages (telegram.chat_id).'),
  v3('user_id', 'bigint', 'Sender of the messages (telegram.user_id, message.from.id); null for channel posts without a sender.'),
  v3('term_kind', 'string', "word, emoji, hashtag, mention or domain."),
  v3('term', 'string', 'Normalised term: words NFKC and lowercased; emoji one grapheme (ZWJ sequences and skin tones kept, U+FE0F added to a lone text-default emoji); #hashtag and @mention lowercased; domain lowercased without www.'),
  v3('occurrences', 'bigint', 'Times the term occurs in these messages, text and caption.'),
  v3('messages', 'bigint', 'Messages (telegram rows) containing the term at least once.'),
  v3('is_stop_word', 'boolean', 'A word on the stop-word list of any language of stopwords-iso (58 languages, English and Portuguese included); false for other kinds.'),
  v3('stop_word_languages', 'string', 'ISO 639-1 codes of the languages whose stop-word list holds the word, comma-separated (e.g. "en,pt"); null when none.'),
]);

/** Terms of messages (words, emoji, hashtags, mentions, domains) and their per-day counts: `telegram_terms`. */
export { messageTerms, textTerms, wordTerms, emojiTerms, MAX_WORD_LENGTH, type TermSink } from './extract';
export { domainOf, foldWord, normaliseEmoji, normaliseHashtag, normaliseMention } from './normalise';
export { stopWordLanguages } from './stop-words';
export { TermCounter } from './counter';

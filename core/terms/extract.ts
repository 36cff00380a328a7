/**
 * Terms of a message: words, emoji, hashtags, mentions and linked domains of its text and caption.
 *
 * - Telegram's entities name the hashtags, mentions and URLs (and `text_link` targets) of a message:
 *   they are used whenever the message carries an entity list. A message without one (an import, the
 *   original pipeline's bucket, a bot's plain text) is scanned with patterns for the same three kinds.
 *   The text of those entities, and of e-mails, phone numbers, commands, cashtags and code, is not read
 *   for words (a URL is not the words "https" and "com").
 * - Words, fast path: runs of letters and marks (joined by an apostrophe or hyphen between letters), by
 *   one regular expression: alphabetic scripts (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari,
 *   Hangul, ...) separate words with spaces or punctuation. Only a run holding a script written without
 *   spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) goes through `Intl.Segmenter`, whose
 *   dictionaries find the words inside it. Words longer than MAX_WORD_LENGTH are noise (a key mashed),
 *   not counted.
 * - Emoji: graphemes (`Intl.Segmenter`) of the runs of emoji code points, kept when they hold an
 *   Extended_Pictographic character, a flag (two regional indicators) or a keycap: a ZWJ family, a skin
 *   tone, a flag stay one term. ©, ® and ™ typed as text are not emoji.
 * Pure and total: any JSON value goes in, terms come out through `emit`, nothing throws.
 */
import type { TermKind } from '../../schemas';
import { domainOf, foldWord, normaliseEmoji, normaliseHashtag, normaliseMention } from './normalise';

export type TermSink = (kind: TermKind, term: string) => void;

/** Longer words are not counted (UTF-16 units). */
export const MAX_WORD_LENGTH = 64;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Entity kinds whose text is not read for words (the first three are terms of their own). */
const NOT_WORDS = new Set(['hashtag', 'mention', 'url', 'email', 'phone_number', 'bot_command', 'cashtag', 'code', 'pre']);

// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included, on purpose
const ASCII_TEXT = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[A-Za-z]+(?:['-][A-Za-z]+)*/g;
const WORD = /\p{L}[\p{L}\p{M}]*(?:['\u2019\-\u2010]\p{L}[\p{L}\p{M}]*)*/gu;
const NO_SPACE_SCRIPT = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
const HAS_LETTER = /\p{L}/u;

const HAS_EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u;
// eslint-disable-next-line no-misleading-character-class -- a run of emoji parts: joiners and variation selectors are meant as single members
const EMOJI_RUN = /(?:[#*0-9]\ufe0f?\u20e3|[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\u200d\ufe0e\ufe0f\u{e0020}-\u{e007f}])+/gu;
const EMOJI_GRAPHEME = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20e3/u;
const SINGLE_PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
/** Extended_Pictographic, yet in running text they are typography, not emoji (unless sent with U+FE0F). */
const TYPOGRAPHIC = new Set(['\u00a9', '\u00ae', '\u2122']);

// Patterns for messages without an entity list (Telegram's own rules, roughly: a hashtag holds a letter,
// a username is 4-32 of A-Z a-z 0-9 _ starting with a letter).
const URL_PATTERN = /(?:\bhttps?:\/\/|\bwww\.)[^\s<>"'`]+/giu;
const URL_TAIL = /[.,;:!?)\]}'"»]+$/u;
const HASHTAG_PATTERN = /(?<![\p{L}\p{M}\p{N}_&#/])#[\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*/gu;
const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const MENTION_PATTERN = /(?<![\p{L}\p{M}\p{N}_@.])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_@])/gu;

let wordSegmenter: Intl.Segmenter | undefined;
let graphemeSegmenter: Intl.Segmenter | undefined;

/** The words of one run of letters (a WORD match) that holds a script written without spaces. */
function segmentWords(run: string, emit: TermSink): void {
  wordSegmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  for (const s of wordSegmenter.segment(run)) {
    if (!s.isWordLike || s.segment.length > MAX_WORD_LENGTH || !HAS_LETTER.test(s.segment)) continue;
    emit('word', foldWord(s.segment));
  }
}

/** Words of a text (entity spans already blanked). */
export function wordTerms(text: string, emit: TermSink): void {
  if (ASCII_TEXT.test(text)) {
    // Most texts of many groups: no folding beyond toLowerCase, no segmenter, no emoji.
    ASCII_WORD.lastIndex = 0;
    for (let m = ASCII_WORD.exec(text); m !== null; m = ASCII_WORD.exec(text)) {
      if (m[0].length <= MAX_WORD_LENGTH) emit('word', m[0].toLowerCase());
    }
    return;
  }
  const segmentable = NO_SPACE_SCRIPT.test(text);
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const run = m[0];
    if (segmentable && NO_SPACE_SCRIPT.test(run)) segmentWords(run, emit);
    else if (run.length <= MAX_WORD_LENGTH) emit('word', foldWord(run));
  }
}

/** Emoji of a text, one term per grapheme. */
export function emojiTerms(text: string, emit: TermSink): void {
  if (!HAS_EMOJI.test(text)) return;
  EMOJI_RUN.lastIndex = 0;
  for (let m = EMOJI_RUN.exec(text); m !== null; m = EMOJI_RUN.exec(text)) {
    const run = m[0];
    // The common case, one pictograph alone (😀, 🚀, ❤): no segmenter needed.
    if (SINGLE_PICTOGRAPH.test(run)) {
      if (!TYPOGRAPHIC.has(run)) emit('emoji', normaliseEmoji(run));
      continue;
    }
    graphemeSegmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
    for (const { segment } of graphemeSegmenter.segment(run)) {
      if (EMOJI_GRAPHEME.test(segment) && !TYPOGRAPHIC.has(segment)) emit('emoji', normaliseEmoji(segment));
    }
  }
}

/** The text with the given [start, end) spans replaced by spaces (same length, so offsets hold). */
function blank(text: string, spans: number[]): string {
  let out = '';
  let at = 0;
  const order = [];
  for (let i = 0; i < spans.length; i += 2) order.push(i);
  order.sort((a, b) => spans[a]! - spans[b]!);
  for (const i of order) {
    const start = Math.max(at, spans[i]!);
    const end = spans[i + 1]!;
    if (end <= start) continue;
    out += text.slice(at, start) + ' '.repeat(end - start);
    at = end;
  }
  return out + text.slice(at);
}

/** Hashtags, mentions and domains from Telegram's entities; returns the spans not to read for words. */
function entityTerms(text: string, entities: readonly unknown[], emit: TermSink): number[] {
  const spans: number[] = [];
  for (const e of entities) {
    if (!isObject(e) || typeof e.type !== 'string') continue;
    if (e.type === 'text_link') {
      const domain = typeof e.url === 'string' ? domainOf(e.url) : undefined;
      if (domain) emit('domain', domain);
      continue;
    }
    if (!NOT_WORDS.has(e.type)) continue;
    const offset = e.offset;
    const length = e.length;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) continue;
    const start = offset as number;
    const end = start + (length as number);
    if (start < 0 || end > text.length || end <= start) continue;
    spans.push(start, end);
    const span = text.slice(start, end);
    if (e.type === 'hashtag' && span.startsWith('#') && span.length > 1) emit('hashtag', normaliseHashtag(span));
    else if (e.type === 'mention' && span.startsWith('@') && span.length > 1) emit('mention', normaliseMention(span));
    else if (e.type === 'url') {
      const domain = domainOf(span);
      if (domain) emit('domain', domain);
    }
  }
  return spans;
}

/** Hashtags, mentions and URL domains found by pattern (no entity list); returns their spans. */
function patternTerms(text: string, emit: TermSink): number[] {
  const spans: number[] = [];
  if (text.includes('http') || text.includes('www.') || text.includes('WWW.')) {
    URL_PATTERN.lastIndex = 0;
    for (let m = URL_PATTERN.exec(text); m !== null; m = URL_PATTERN.exec(text)) {
      const url = m[0].replace(URL_TAIL, '');
      spans.push(m.index, m.index + url.length);
      const domain = domainOf(url);
      if (domain) emit('domain', domain);
    }
  }
  if (text.includes('@')) {
    // E-mail addresses: neither a mention nor words.
    EMAIL_PATTERN.lastIndex = 0;
    for (let m = EMAIL_PATTERN.exec(text); m !== null; m = EMAIL_PATTERN.exec(text)) spans.push(m.index, m.index + m[0].length);
  }
  const rest = spans.length > 0 ? blank(text, spans) : text;
  if (rest.includes('#')) {
    HASHTAG_PATTERN.lastIndex = 0;
    for (let m = HASHTAG_PATTERN.exec(rest); m !== null; m = HASHTAG_PATTERN.exec(rest)) {
      spans.push(m.index, m.index + m[0].length);
      emit('hashtag', normaliseHashtag(m[0]));
    }
  }
  if (rest.includes('@')) {
    MENTION_PATTERN.lastIndex = 0;
    for (let m = MENTION_PATTERN.exec(rest); m !== null; m = MENTION_PATTERN.exec(rest)) {
      spans.push(m.index, m.index + m[0].length);
      emit('mention', normaliseMention(m[0]));
    }
  }
  return spans;
}

/** Terms of one text with its entity list (`entities` / `caption_entities`; anything else: none). */
export function textTerms(text: string, entities: unknown, emit: TermSink): void {
  if (text === '') return;
  const spans = Array.isArray(entities) ? entityTerms(text, entities, emit) : patternTerms(text, emit);
  const readable = spans.length > 0 ? blank(text, spans) : text;
  wordTerms(readable, emit);
  if (!ASCII_TEXT.test(readable)) emojiTerms(readable, emit);
}

/** Terms of a message (a `telegram` row's update payload): its text and its caption. */
export function messageTerms(message: unknown, emit: TermSink): void {
  if (!isObject(message)) return;
  if (typeof message.text === 'string') textTerms(message.text, message.entities, emit);
  if (typeof message.caption === 'string') textTerms(message.caption, message.caption_entities, emit);
}

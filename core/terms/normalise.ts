/**
 * How each kind of term is written in `telegram_terms` (the dashboard groups by the exact text): words
 * NFKC and lowercased with a few case-folding fixes, hashtags and mentions lowercased with their sign,
 * domains lowercased without `www.`, emoji as one grapheme in its emoji presentation.
 */

// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included, on purpose
const ASCII = /^[\x00-\x7f]*$/;
const FINAL_SIGMA = /ς/g;
const CURLY_APOSTROPHE = /[\u2019\u02bc]/g;

/**
 * A word folded for counting: NFKC (fullwidth and compatibility forms become plain letters), lowercased,
 * Greek final sigma as sigma (Unicode case folding maps both to σ), typographic apostrophes as `'`.
 * ASCII words only need toLowerCase.
 */
export function foldWord(word: string): string {
  if (ASCII.test(word)) return word.toLowerCase();
  return word.normalize('NFKC').toLowerCase().replace(FINAL_SIGMA, 'σ').replace(CURLY_APOSTROPHE, "'");
}

/** `#Tag` -> `#tag`; `#Tag@Chat` (a hashtag of another chat) is kept whole, lowercased. */
export const normaliseHashtag = (text: string): string => text.toLowerCase();

/** `@UserName` -> `@username` (usernames are case-insensitive). */
export const normaliseMention = (text: string): string => text.toLowerCase();

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const WEB_SCHEMES = /^(https?|ftp)$/i;
/** Something with a scheme but no `//` (mailto:, tg:, javascript:): not a web address. */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;
const HOST = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u;

/**
 * The domain of a URL as a person wrote it (`https://WWW.Example.com/x`, `example.com:8080`, `t.me/x`):
 * lowercased, without `www.`, port, user info or trailing dot; undefined for non-web schemes (tg://,
 * mailto:) and for anything that is not a dotted host name.
 */
export function domainOf(url: string): string | undefined {
  let rest = url.trim();
  const scheme = SCHEME.exec(rest);
  if (scheme) {
    if (!WEB_SCHEMES.test(scheme[1]!)) return undefined;
    rest = rest.slice(scheme[0].length);
  } else if (OTHER_SCHEME.test(rest)) {
    return undefined;
  }
  const end = rest.search(/[/?#\\\s]/);
  let host = end < 0 ? rest : rest.slice(0, end);
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  host = host.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase();
  if (host.startsWith('www.')) host = host.slice(4);
  return host.length <= 253 && HOST.test(host) ? host : undefined;
}

const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;
const PRESENTATION_SELECTORS = /[\ufe0e\ufe0f]/g;

/**
 * One emoji grapheme as counted: a lone pictograph that defaults to text presentation (❤, ☀) gets
 * U+FE0F, so `❤` and `❤️` are one term; U+FE0E (text style) is dropped. Sequences (ZWJ, skin tones,
 * flags, keycaps) are kept as sent.
 */
export function normaliseEmoji(grapheme: string): string {
  const bare = grapheme.replace(PRESENTATION_SELECTORS, '');
  const first = bare.codePointAt(0)!;
  if (bare.length === (first > 0xffff ? 2 : 1)) return EMOJI_PRESENTATION.test(bare) ? bare : `${bare}\ufe0f`;
  return grapheme.replace(/\ufe0e/g, '');
}

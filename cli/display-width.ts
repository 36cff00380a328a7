/**
 * How many terminal columns a text takes, so tables line up for names in every script: East Asian
 * wide and fullwidth characters and emoji take two columns, combining marks and zero-width joiners
 * none (UAX #11's W/F classes, by the Unicode blocks that hold them).
 */
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{1FA70}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
const ZERO = /^(?:\p{Mn}|\p{Me}|[\u200B-\u200F]|[\uFE00-\uFE0F])$/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function displayWidth(text: string): number {
  // ASCII (most cells) without segmenting.
  if (/^[\x20-\x7E]*$/.test(text)) return text.length;
  let columns = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (ZERO.test(segment)) continue;
    columns += WIDE.test(segment) || /\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation}/u.test(segment) ? 2 : 1;
  }
  return columns;
}

/**
 * Stop words of many languages: stopwords-iso (58 languages, MIT), folded as words are, so a word's
 * lookup is one Map read. The list is the union of its languages, each word with the codes of the
 * languages that list it (a group's readers can keep only their own languages' lists).
 */
import stopwordsIso from 'stopwords-iso';
import { foldWord } from './normalise';

let byWord: Map<string, string> | undefined;

function build(): Map<string, string> {
  const languages = new Map<string, string[]>();
  const lists = stopwordsIso as Record<string, readonly string[]>;
  for (const code of Object.keys(lists).sort()) {
    for (const raw of lists[code] ?? []) {
      const word = foldWord(raw.trim());
      if (word === '') continue;
      const codes = languages.get(word);
      if (!codes) languages.set(word, [code]);
      else if (codes.at(-1) !== code) codes.push(code);
    }
  }
  return new Map([...languages].map(([word, codes]) => [word, codes.join(',')]));
}

/** The comma-separated ISO 639-1 codes of the languages listing this (folded) word, or undefined. */
export function stopWordLanguages(foldedWord: string): string | undefined {
  byWord ??= build();
  return byWord.get(foldedWord);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainOf, foldWord, messageTerms, normaliseEmoji, stopWordLanguages, textTerms, MAX_WORD_LENGTH } from '../../core/terms';
import { TERM_KINDS } from '../../schemas';

/** All terms of a text as "kind:term", in the order found. */
const terms = (text: string, entities?: unknown) => {
  const out: string[] = [];
  textTerms(text, entities, (kind, term) => out.push(`${kind}:${term}`));
  return out;
};
const ofKind = (kind: string, text: string, entities?: unknown) => terms(text, entities).filter((t) => t.startsWith(`${kind}:`)).map((t) => t.slice(kind.length + 1));
const words = (text: string, entities?: unknown) => ofKind('word', text, entities);
const emoji = (text: string) => ofKind('emoji', text);

describe('words', () => {
  it('Latin with accents: lowercased, accents kept, punctuation and digits split', () => {
    expect(words('Olá, São Paulo! Você está aí? É ÓTIMO às 3pm')).toEqual(['olá', 'são', 'paulo', 'você', 'está', 'aí', 'é', 'ótimo', 'às', 'pm']);
    // Decomposed input (e + combining acute) is the same word as the precomposed one.
    expect(words('cafe\u0301 CAFÉ')).toEqual(['café', 'café']);
  });
  it('apostrophes and hyphens inside a word keep it whole; typographic apostrophes become \'', () => {
    expect(words("don’t DON'T bem-vindo guarda-chuva -solo- l'été")).toEqual(["don't", "don't", 'bem-vindo', 'guarda-chuva', 'solo', "l'été"]);
  });
  it('Cyrillic and Greek, with case folding (final sigma) and NFKC (fullwidth letters)', () => {
    expect(words('Привет, как дела? ПРИВЕТ Ёжик')).toEqual(['привет', 'как', 'дела', 'привет', 'ёжик']);
    expect(words('ΟΔΟΣ οδος ＡＢＣ')).toEqual(['οδοσ', 'οδοσ', 'abc']);
  });
  it('Arabic and Hebrew (marks stay in the word), Devanagari, Hangul: spaced scripts, fast path', () => {
    expect(words('مرحبا بكم في المجموعة!')).toEqual(['مرحبا', 'بكم', 'في', 'المجموعة']);
    expect(words('שָׁלוֹם עולם')).toEqual(['שָׁלוֹם', 'עולם']);
    expect(words('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
    expect(words('안녕하세요 여러분')).toEqual(['안녕하세요', '여러분']);
  });
  it('Chinese and Japanese: runs without spaces are split into words by Intl.Segmenter', () => {
    const zh = words('今天天气很好，我们去公园吧');
    expect(zh.join('')).toBe('今天天气很好我们去公园吧');
    expect(zh).toContain('今天');
    expect(zh).toContain('公园');
    expect(zh.length).toBeGreaterThan(3);
    const ja = words('東京に行きたいです。カタカナ');
    expect(ja).toContain('東京');
    expect(ja).toContain('カタカナ');
    // A Latin word glued to Han keeps its own word.
    expect(words('iPhone很好用')[0]).toBe('iphone');
  });
  it('Thai, Lao, Khmer: segmented words, none of them the whole run', () => {
    const th = words('สวัสดีครับวันนี้อากาศดีมาก');
    expect(th.join('')).toBe('สวัสดีครับวันนี้อากาศดีมาก');
    expect(th).toContain('สวัสดี');
    expect(th.length).toBeGreaterThanOrEqual(5);
    expect(words('ສະບາຍດີ').length).toBeGreaterThanOrEqual(1);
    expect(words('សួស្តីពិភពលោក').length).toBeGreaterThan(1);
  });
  it('a run of letters longer than MAX_WORD_LENGTH is not a word', () => {
    expect(words(`${'a'.repeat(MAX_WORD_LENGTH + 1)} ok ${'b'.repeat(MAX_WORD_LENGTH)}`)).toEqual(['ok', 'b'.repeat(MAX_WORD_LENGTH)]);
  });
});

describe('emoji', () => {
  it('one term per grapheme: ZWJ sequences, skin tones, flags, keycaps stay whole', () => {
    expect(emoji('família 👨‍👩‍👧‍👦 ok 👍🏽👍 🇧🇷🇵🇹 🏳️‍🌈 1️⃣ ❤️‍🔥')).toEqual(['👨‍👩‍👧‍👦', '👍🏽', '👍', '🇧🇷', '🇵🇹', '🏳️‍🌈', '1️⃣', '❤️‍🔥']);
  });
  it('❤ and ❤️ are one term; ©, ® and ™ typed as text are not emoji; emoji are not words', () => {
    expect(emoji('❤ ❤️ ☀ ☀️ ❤︎')).toEqual(['❤️', '❤️', '☀️', '☀️', '❤️']);
    expect(emoji('Brand™ © ®')).toEqual([]);
    expect(words('kkk😂😂 ok')).toEqual(['kkk', 'ok']);
    expect(emoji('kkk😂😂 ok')).toEqual(['😂', '😂']);
    expect(normaliseEmoji('😀')).toBe('😀');
  });
});

describe('hashtags, mentions and domains', () => {
  const text = 'Veja https://WWW.Exemplo.com.br/a?b=1 #Reunião com @Fulano_123 e o site';
  const at = (s: string) => text.indexOf(s);
  const entities = [
    { type: 'url', offset: at('https'), length: 'https://WWW.Exemplo.com.br/a?b=1'.length },
    { type: 'hashtag', offset: at('#'), length: '#Reunião'.length },
    { type: 'mention', offset: at('@'), length: '@Fulano_123'.length },
    { type: 'text_link', offset: at('site'), length: 4, url: 'http://docs.Example.org:8080/x' },
    { type: 'bold', offset: 0, length: 4 },
  ];
  it('from Telegram\'s entities: their text is not read for words; a text_link gives its target\'s domain and keeps its words', () => {
    expect(terms(text, entities)).toEqual(['domain:exemplo.com.br', 'hashtag:#reunião', 'mention:@fulano_123', 'domain:docs.example.org', 'word:veja', 'word:com', 'word:e', 'word:o', 'word:site']);
  });
  it('with an entity list, only its entities count (Telegram found no hashtag in "#1")', () => {
    expect(terms('#1 #abc', [{ type: 'bold', offset: 0, length: 2 }])).toEqual(['word:abc']);
  });
  it('entities with offsets outside the text are ignored, not thrown on', () => {
    expect(terms('ab', [{ type: 'hashtag', offset: 5, length: 3 }, { type: 'url', offset: -1, length: 2 }, null, 'x', { type: 'mention', offset: 0.5, length: 1 }])).toEqual(['word:ab']);
  });
  it('without an entity list, by pattern: URLs, hashtags with a letter, usernames; e-mails are neither mentions nor words', () => {
    expect(terms('see https://github.com/x/y). and www.Google.com, #Tag #123 C#sharp @UserName mail a.b@c.com')).toEqual([
      'domain:github.com',
      'domain:google.com',
      'hashtag:#tag',
      'mention:@username',
      'word:see',
      'word:and',
      'word:c',
      'word:sharp',
      'word:mail',
    ]);
  });
  it('domainOf: lowercased, no www., port, user info or trailing dot; nothing for non-web schemes', () => {
    expect(domainOf('HTTPS://www.Example.COM./path')).toBe('example.com');
    expect(domainOf('example.com:8080/x')).toBe('example.com');
    expect(domainOf('http://user:pw@host.example.net/')).toBe('host.example.net');
    expect(domainOf('t.me/joinchat/abc')).toBe('t.me');
    expect(domainOf('https://пример.рф/')).toBe('пример.рф');
    expect(domainOf('tg://user?id=1')).toBeUndefined();
    expect(domainOf('mailto:a@b.com')).toBeUndefined();
    expect(domainOf('http://localhost/')).toBeUndefined();
    expect(domainOf('https://')).toBeUndefined();
  });
});

describe('messages', () => {
  it('text and caption both count, each with its own entity list (an empty one: no hashtag, "#c" reads as the word c)', () => {
    const out: string[] = [];
    messageTerms({ text: '#a b', entities: [{ type: 'hashtag', offset: 0, length: 2 }], caption: '#c d', caption_entities: [] }, (k, t) => out.push(`${k}:${t}`));
    expect(out).toEqual(['hashtag:#a', 'word:b', 'word:c', 'word:d']);
  });
  it('is total: any JSON value goes in, only known kinds of normalised terms come out', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'grapheme' }), fc.array(fc.record({ type: fc.constantFrom('url', 'hashtag', 'mention', 'text_link', 'code', 'bold'), offset: fc.integer({ min: -2, max: 40 }), length: fc.integer({ min: -2, max: 40 }), url: fc.string() })), (junk, text, entities) => {
        const seen: Array<[string, string]> = [];
        messageTerms(junk, (k, t) => seen.push([k, t]));
        messageTerms({ text, entities, caption: text }, (k, t) => seen.push([k, t]));
        messageTerms({ text, caption: text }, (k, t) => seen.push([k, t]));
        for (const [kind, term] of seen) {
          expect(TERM_KINDS).toContain(kind);
          expect(term.length).toBeGreaterThan(0);
          if (kind === 'word') expect(foldWord(term)).toBe(term);
          if (kind === 'hashtag') expect(term.startsWith('#') && term === term.toLowerCase()).toBe(true);
          if (kind === 'mention') expect(term.startsWith('@') && term === term.toLowerCase()).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('stop words', () => {
  it('English and Portuguese lists, with the languages that list a word', () => {
    expect(stopWordLanguages('the')).toMatch(/(^|,)en(,|$)/);
    expect(stopWordLanguages('você')).toMatch(/(^|,)pt(,|$)/);
    expect(stopWordLanguages('и')).toMatch(/(^|,)ru(,|$)/);
    expect(stopWordLanguages('dashboard')).toBeUndefined();
  });
});

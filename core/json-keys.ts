/**
 * Duplicate keys in a JSON text. `{"chat":{"id":-999},"chat":{"id":-100123}}` is valid JSON that readers
 * read differently: JavaScript's JSON.parse (the webhook, the enrichment) takes the last value, DuckDB's
 * and Athena's JSON readers the first. Telegram never sends such a body, so the webhook keeps one as an
 * `unparsed` record (quarantined at enrichment) and every reader agrees that it is not an update.
 *
 * On the webhook's hot path: one pass over the characters, no allocation for keys without escapes beyond
 * the key strings themselves, small objects checked by a linear search (`npm run bench -- --only
 * reliability` prints the cost per update).
 */

/** Objects up to this many keys are searched linearly (faster than a Set for the few keys of an update). */
const LINEAR_KEYS = 16;

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** True when some object in `text` (already known to be valid JSON) has the same key twice. */
export function hasDuplicateKeys(text: string): boolean {
  // One entry per open container: its keys so far (objects) or null (arrays).
  const stack: Array<string[] | null> = [];
  let keys: string[] | null = null;
  let wide: WeakMap<string[], Set<string>> | undefined;
  const n = text.length;
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // The string's end: the next quote not escaped (an odd run of backslashes before it escapes it).
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return false; // not JSON after all: nothing to compare
        let b = j - 1;
        while (text.charCodeAt(b) === 92) b -= 1;
        if ((j - 1 - b) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (keys !== null) {
        let k = j + 1;
        while (k < n && isSpace(text.charCodeAt(k))) k += 1;
        if (text.charCodeAt(k) === 58) {
          // A key: compared as JSON reads it ("\u0061" and "a" are one key).
          const raw = text.slice(i + 1, j);
          const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
          if (keys.length < LINEAR_KEYS) {
            if (keys.includes(key)) return true;
            keys.push(key);
          } else {
            // A wide object (no update has one): a set, so a body of many keys stays linear.
            const set = (wide ??= new WeakMap()).get(keys) ?? new Set(keys);
            if (set.has(key)) return true;
            set.add(key);
            wide.set(keys, set);
          }
        }
      }
      i = j;
    } else if (c === 123) {
      stack.push(keys);
      keys = [];
    } else if (c === 91) {
      stack.push(keys);
      keys = null;
    } else if (c === 125 || c === 93) {
      keys = stack.pop() ?? null;
    }
  }
  return false;
}

/**
 * Athena (engine v3, Trino) SQL on DuckDB. Reports are written once, in Athena's dialect; the local engine
 * runs them through `toDuckDbSql`, a pure rewrite of the SQL text, plus the session set-up below (Trino
 * functions DuckDB lacks, as macros; UTC; integer division). Where the two engines give different answers
 * to the same text and the difference can be translated, the local engine gives Athena's answer; where it
 * cannot, the rewrite refuses with an AthenaCompatError instead of answering differently (DESIGN.md,
 * Presentation: "a difference never passes silently").
 *
 * What is translated, and why (each has a test in test/local/reports-compat.test.ts):
 * - `EXTRACT(dow | day_of_week FROM x)`: Trino 1 = Monday .. 7 = Sunday (ISO); DuckDB's dow is 0 = Sunday.
 *   Rewritten to DuckDB's `isodow`. `doy`/`day_of_year`, `yow`/`year_of_week`, `day_of_month` are renamed
 *   to DuckDB's fields; `week` is the ISO week in both. DuckDB-only fields (`epoch`, `isodow`, ...) are
 *   refused: they would fail on Athena.
 * - `date_format(x, '<MySQL format>')` / `date_parse(s, '<MySQL format>')`: Trino uses MySQL codes (`%i`
 *   minutes, `%s` seconds, `%W` weekday name, `%v`/`%x` ISO week and year); DuckDB's strftime/strptime use
 *   C codes (`%M` minutes, `%W` week number!). The format must be a literal; it is translated code by code.
 *   Codes Trino itself rejects (`%D %U %u %V %w %X`) are refused.
 * - `CAST(x AS INTEGER | INT | BIGINT | SMALLINT | TINYINT)` (and TRY_CAST): Trino rounds a double half
 *   away from zero (2.5 -> 3); DuckDB rounds half to even (2.5 -> 2). Rewritten so a DOUBLE/FLOAT operand
 *   goes through `round()` (half away from zero in DuckDB) first; other operand types cast as before.
 * - `date_diff(unit, a, b)`: Trino counts whole units elapsed; DuckDB's date_diff counts boundaries crossed,
 *   its `date_sub` counts whole units: renamed.
 * - `concat(a, b, ...)`: Trino returns NULL when an argument is NULL; DuckDB's skips NULLs: rewritten to `||`.
 * - `regexp_extract`: Trino returns NULL when nothing matches, DuckDB ''.
 * - Refused (same name, different meaning, no faithful rewrite): `format()` (Java vs fmt patterns),
 *   `greatest`/`least` (Trino: NULL if any argument is NULL; DuckDB ignores NULLs), and a decimal literal
 *   or type in a query that divides (Trino divides decimals at the operands' scale: 1.0 / 3 = 0.3; DuckDB
 *   divides them in double: 0.333...).
 * - Session: TimeZone UTC (Athena's), integer division for `/` on integers (Trino: 5 / 2 = 2), NULLS LAST.
 *
 * Known differences left (documented in the README, not detectable in the text): division by zero is NULL
 * locally, an error on Athena for integers and decimals, Infinity/NaN for doubles; `CAST(double AS VARCHAR)` formats differently; unaliased expression
 * columns are named `_col0`... on Athena and after the expression locally (reports alias every column).
 */

export class AthenaCompatError extends Error {
  override name = 'AthenaCompatError';
}

type TokenType = 'ws' | 'comment' | 'string' | 'qident' | 'ident' | 'number' | 'punct';

interface Token {
  readonly type: TokenType;
  readonly text: string;
}

/** Splits SQL into tokens; concatenating the texts gives the input back exactly. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i]!)) i += 1;
      tokens.push({ type: 'ws', text: sql.slice(start, i) });
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i += 1;
      tokens.push({ type: 'comment', text: sql.slice(start, i) });
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new AthenaCompatError('unterminated /* comment');
      i = end + 2;
      tokens.push({ type: 'comment', text: sql.slice(start, i) });
    } else if (c === "'" || c === '"') {
      i += 1;
      for (;;) {
        if (i >= n) throw new AthenaCompatError(`unterminated ${c === "'" ? 'string literal' : 'quoted identifier'}`);
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        i += 1;
      }
      tokens.push({ type: c === "'" ? 'string' : 'qident', text: sql.slice(start, i) });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(sql[i]!)) i += 1;
      tokens.push({ type: 'ident', text: sql.slice(start, i) });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9.eE]/.test(sql[i]!)) {
        if ((sql[i] === 'e' || sql[i] === 'E') && (sql[i + 1] === '-' || sql[i + 1] === '+')) i += 1;
        i += 1;
      }
      tokens.push({ type: 'number', text: sql.slice(start, i) });
    } else {
      i += 1;
      tokens.push({ type: 'punct', text: c });
    }
  }
  return tokens;
}

const isTrivia = (t: Token | undefined): boolean => t !== undefined && (t.type === 'ws' || t.type === 'comment');
const isPunct = (t: Token | undefined, text: string): boolean => t !== undefined && t.type === 'punct' && t.text === text;
const isWord = (t: Token | undefined, word: string): boolean => t !== undefined && t.type === 'ident' && t.text.toLowerCase() === word;

/** Index of the next non-trivia token at or after i (or end). */
function skip(tokens: Token[], i: number, end: number): number {
  while (i < end && isTrivia(tokens[i])) i += 1;
  return i;
}

/** Index of the `)` matching the `(` at open. */
function matching(tokens: Token[], open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i += 1) {
    const t = tokens[i]!;
    if (t.type !== 'punct') continue;
    if (t.text === '(') depth += 1;
    else if (t.text === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new AthenaCompatError('unbalanced parentheses');
}

/** Top-level argument ranges [start, end) between an opening paren and its match. */
function splitArgs(tokens: Token[], open: number, close: number): Array<[number, number]> {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i += 1) {
    const t = tokens[i]!;
    if (t.type !== 'punct') continue;
    if (t.text === '(' || t.text === '[') depth += 1;
    else if (t.text === ')' || t.text === ']') depth -= 1;
    else if (t.text === ',' && depth === 0) {
      args.push([start, i]);
      start = i + 1;
    }
  }
  if (skip(tokens, start, close) < close || args.length > 0) args.push([start, close]);
  return args;
}

/** The single string literal an argument range holds, unquoted; undefined when it is anything else. */
function literalString(tokens: Token[], [start, end]: [number, number]): string | undefined {
  const i = skip(tokens, start, end);
  if (i >= end || tokens[i]!.type !== 'string') return undefined;
  if (skip(tokens, i + 1, end) < end) return undefined;
  return tokens[i]!.text.slice(1, -1).replace(/''/g, "'");
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Trino EXTRACT fields -> DuckDB date_part names. Anything else is not Athena SQL. */
const EXTRACT_FIELDS: Record<string, string> = {
  year: 'year',
  quarter: 'quarter',
  month: 'month',
  week: 'week', // ISO week in both engines
  day: 'day',
  day_of_month: 'day',
  day_of_week: 'isodow', // Trino: 1 = Monday .. 7 = Sunday
  dow: 'isodow',
  day_of_year: 'doy',
  doy: 'doy',
  year_of_week: 'isoyear',
  yow: 'isoyear',
  hour: 'hour',
  minute: 'minute',
  second: 'second',
  timezone_hour: 'timezone_hour',
  timezone_minute: 'timezone_minute',
};

/** MySQL/Trino date_format codes -> DuckDB strftime codes (Trino's createDateTimeFormatter). */
const FORMAT_CODES: Record<string, string> = {
  a: '%a', // abbreviated weekday name
  b: '%b', // abbreviated month name
  c: '%-m', // month 1..12
  d: '%d', // day 01..31
  e: '%-d', // day 1..31
  f: '%f', // fraction of second, 6 digits
  H: '%H', // hour 00..23
  h: '%I', // hour 01..12
  I: '%I',
  i: '%M', // minutes 00..59
  j: '%j', // day of year 001..366
  k: '%-H', // hour 0..23
  l: '%-I', // hour 1..12
  M: '%B', // month name
  m: '%m', // month 01..12
  p: '%p', // AM or PM
  r: '%I:%M:%S %p',
  S: '%S', // seconds
  s: '%S',
  T: '%H:%M:%S',
  v: '%V', // ISO week 01..53
  x: '%G', // ISO week-based year
  W: '%A', // weekday name
  Y: '%Y',
  y: '%y',
  '%': '%%',
};
/** Codes Trino rejects ("not supported in date format string"). */
const UNSUPPORTED_FORMAT_CODES = new Set(['D', 'U', 'u', 'V', 'w', 'X']);

/** Translates a Trino (MySQL-style) date format into a DuckDB strftime/strptime format. */
export function translateDateFormat(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i += 1) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i += 1;
    if (i >= format.length) break; // Trino ignores a trailing lone %
    const code = format[i]!;
    if (UNSUPPORTED_FORMAT_CODES.has(code)) {
      throw new AthenaCompatError(`date format code %${code} is not supported by Athena (Trino rejects it)`);
    }
    const mapped = FORMAT_CODES[code];
    // Trino prints any other %<x> as the literal character x.
    out += mapped ?? (code === '%' ? '%%' : code);
  }
  return out;
}

const INTEGER_TYPES = new Set(['integer', 'int', 'bigint', 'smallint', 'tinyint']);

/** Functions with the same name in both engines and a different meaning, with no faithful rewrite. */
const REFUSED_FUNCTIONS: Record<string, string> = {
  format: 'Trino format() takes Java format patterns, DuckDB format() takes fmt patterns',
  greatest: 'Trino greatest() returns NULL when an argument is NULL, DuckDB ignores NULLs; use CASE',
  least: 'Trino least() returns NULL when an argument is NULL, DuckDB ignores NULLs; use CASE',
  format_datetime: 'Joda-Time patterns are not translated; use date_format with MySQL codes',
  parse_datetime: 'Joda-Time patterns are not translated; use date_parse with MySQL codes',
};

/** Rewrites the token range [start, end) into DuckDB SQL text. */
function rewrite(tokens: Token[], start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const t = tokens[i]!;
    if (t.type !== 'ident') {
      out += t.text;
      i += 1;
      continue;
    }
    const word = t.text.toLowerCase();
    const open = skip(tokens, i + 1, end);
    const prev = out.trimEnd().slice(-1);
    const isCall = isPunct(tokens[open], '(') && prev !== '.';
    if (!isCall) {
      out += t.text;
      i += 1;
      continue;
    }
    if (word in REFUSED_FUNCTIONS) {
      throw new AthenaCompatError(`${t.text}(): ${REFUSED_FUNCTIONS[word]}; the local engine refuses it rather than answer differently`);
    }
    const close = matching(tokens, open, end);
    const between = tokens.slice(i + 1, open).map((x) => x.text).join('');
    switch (word) {
      case 'extract': {
        const f = skip(tokens, open + 1, close);
        const from = skip(tokens, f + 1, close);
        const field = tokens[f];
        if (!field || field.type !== 'ident' || !isWord(tokens[from], 'from')) {
          throw new AthenaCompatError('EXTRACT must read EXTRACT(<field> FROM <value>)');
        }
        const mapped = EXTRACT_FIELDS[field.text.toLowerCase()];
        if (!mapped) {
          throw new AthenaCompatError(`EXTRACT(${field.text} ...) is not an Athena field (Athena: ${Object.keys(EXTRACT_FIELDS).join(', ')})`);
        }
        out += `${t.text}${between}(${rewrite(tokens, open + 1, f)}${mapped}${rewrite(tokens, f + 1, close)})`;
        break;
      }
      case 'date_format':
      case 'date_parse': {
        const args = splitArgs(tokens, open, close);
        if (args.length !== 2) throw new AthenaCompatError(`${t.text}() takes 2 arguments`);
        const format = literalString(tokens, args[1]!);
        if (format === undefined) {
          throw new AthenaCompatError(`${t.text}(): the local engine needs the format as a string literal to translate its MySQL codes`);
        }
        const fn = word === 'date_format' ? 'strftime' : 'strptime';
        out += `${fn}(${rewrite(tokens, args[0]![0], args[0]![1])}, ${quote(translateDateFormat(format))})`;
        break;
      }
      case 'cast':
      case 'try_cast': {
        let as = -1;
        let depth = 0;
        for (let k = open + 1; k < close; k += 1) {
          const x = tokens[k]!;
          if (isPunct(x, '(')) depth += 1;
          else if (isPunct(x, ')')) depth -= 1;
          else if (depth === 0 && isWord(x, 'as')) {
            as = k;
            break;
          }
        }
        if (as < 0) throw new AthenaCompatError(`${t.text}() without AS`);
        const expr = rewrite(tokens, open + 1, as);
        const typeText = tokens.slice(as + 1, close).map((x) => x.text).join('').trim();
        if (!INTEGER_TYPES.has(typeText.toLowerCase())) {
          out += `${t.text}${between}(${expr}${rewrite(tokens, as, close)})`;
          break;
        }
        // Trino rounds a double half away from zero (2.5 -> 3); DuckDB's cast rounds half to even.
        const e = expr.trim();
        out +=
          `(CASE WHEN typeof(${e}) IN ('DOUBLE', 'FLOAT') ` +
          `THEN ${t.text}(round(TRY_CAST(${e} AS DOUBLE)) AS ${typeText}) ` +
          `ELSE ${t.text}(${e} AS ${typeText}) END)`;
        break;
      }
      case 'date_diff':
        out += `date_sub${between}(${rewrite(tokens, open + 1, close)})`;
        break;
      case 'concat': {
        const args = splitArgs(tokens, open, close);
        if (args.length === 0) throw new AthenaCompatError('concat() needs arguments');
        out += `(${args.map(([a, b]) => `(${rewrite(tokens, a, b).trim()})`).join(' || ')})`;
        break;
      }
      case 'regexp_extract': {
        const args = splitArgs(tokens, open, close).map(([a, b]) => rewrite(tokens, a, b).trim());
        if (args.length < 2 || args.length > 3) throw new AthenaCompatError('regexp_extract() takes 2 or 3 arguments');
        out += `(CASE WHEN regexp_matches(${args[0]}, ${args[1]}) THEN regexp_extract(${args.join(', ')}) END)`;
        break;
      }
      default:
        out += `${t.text}${between}(${rewrite(tokens, open + 1, close)})`;
    }
    i = close + 1;
  }
  return out;
}

/** Athena (Trino) SQL -> DuckDB SQL with Athena's answers; throws AthenaCompatError where it cannot. */
export function toDuckDbSql(athenaSql: string): string {
  const tokens = tokenize(athenaSql);
  const decimal = tokens.find((t) => (t.type === 'number' && /^[0-9]*\.[0-9]*$/.test(t.text)) || isWord(t, 'decimal'));
  if (decimal && tokens.some((t) => isPunct(t, '/'))) {
    throw new AthenaCompatError(
      `decimal ${decimal.type === 'number' ? `literal ${decimal.text}` : 'type'} in a query that divides: Athena divides decimals at the ` +
        `dividend's scale (1.0 / 3 = 0.3), DuckDB in double (0.333...). Write the number as a double (1e0, 100e0) ` +
        `or CAST(... AS double) so both engines give the same answer`,
    );
  }
  return rewrite(tokens, 0, tokens.length);
}

/**
 * Statements run once per DuckDB connection: Athena's session behaviour and the Trino functions DuckDB
 * lacks, as macros (a macro shadows a DuckDB function of the same name).
 */
export const DUCKDB_SESSION_SETUP: readonly string[] = [
  `SET TimeZone = 'UTC'`,
  `SET integer_division = true`,
  `SET default_null_order = 'nulls_last'`,
  // DuckDB 1.5 (seen on 1.5.5 and 1.5.6) fails with an INTERNAL error ("Attempted to access index N within vector of size N") on
  // min/max of a Hive partition column over a single Parquet file, in this optimizer. Disabling an
  // optimizer never changes an answer; filter pushdown into Parquet still works.
  `SET disabled_optimizers = 'statistics_propagation'`,
  // Trino: from_unixtime(double) -> timestamp(3) with time zone, in the session zone (UTC on Athena).
  `CREATE OR REPLACE MACRO from_unixtime(x) AS to_timestamp(x)`,
  `CREATE OR REPLACE MACRO to_unixtime(x) AS epoch(x)`,
  // Trino: at_timezone(timestamp with time zone, zone) -> the same instant in the zone, whose hour(),
  // day_of_week(), date() and date_format() are local. DuckDB's timezone(zone, timestamptz) gives that
  // local wall time as a TIMESTAMP; its zones are ICU's IANA names, without fixed offsets ('-03:00'),
  // which are added as minutes to UTC instead.
  `CREATE OR REPLACE MACRO at_timezone(ts, zone) AS timezone(CASE WHEN regexp_full_match(zone, '[+-][0-9]{2}:[0-9]{2}') THEN 'UTC' ELSE zone END, CAST(ts AS TIMESTAMPTZ)) + CASE WHEN regexp_full_match(zone, '[+-][0-9]{2}:[0-9]{2}') THEN to_minutes((CASE WHEN starts_with(zone, '-') THEN -1 ELSE 1 END) * (CAST(substr(zone, 2, 2) AS BIGINT) * 60 + CAST(substr(zone, 5, 2) AS BIGINT))) ELSE INTERVAL 0 MINUTE END`,
  `CREATE OR REPLACE MACRO day_of_week(x) AS isodow(x)`,
  `CREATE OR REPLACE MACRO dow(x) AS isodow(x)`,
  `CREATE OR REPLACE MACRO day_of_month(x) AS day(x)`,
  `CREATE OR REPLACE MACRO day_of_year(x) AS dayofyear(x)`,
  `CREATE OR REPLACE MACRO doy(x) AS dayofyear(x)`,
  `CREATE OR REPLACE MACRO week_of_year(x) AS week(x)`,
  `CREATE OR REPLACE MACRO year_of_week(x) AS isoyear(x)`,
  `CREATE OR REPLACE MACRO yow(x) AS isoyear(x)`,
  `CREATE OR REPLACE MACRO "date"(x) AS CAST(x AS DATE)`,
  // JSON: Trino json_extract_scalar returns NULL for objects and arrays.
  `CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(json_extract(j, p)) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END`,
  `CREATE OR REPLACE MACRO json_parse(x) AS CAST(x AS JSON)`,
  `CREATE OR REPLACE MACRO json_format(x) AS CAST(x AS VARCHAR)`,
  `CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  `CREATE OR REPLACE MACRO cardinality(x) AS len(x)`,
  `CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x)`,
];

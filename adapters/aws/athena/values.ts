/**
 * Athena's answer cells as JavaScript values. GetQueryResults sends every cell as text (`VarCharValue`;
 * a missing one is NULL) and the column's type in `ColumnInfo.Type`; this turns the text into the value
 * the local engine (DuckDbEngine) gives for the same SQL over the same data:
 *
 * | Athena type | value |
 * | --- | --- |
 * | tinyint, smallint, integer | number |
 * | bigint | number; the text when beyond 2^53 (as DuckDbEngine) |
 * | real / float | number rounded to single precision (as DuckDB reads a FLOAT) |
 * | double, decimal | number (NaN, Infinity and -Infinity included) |
 * | boolean | true / false |
 * | date | `YYYY-MM-DD` |
 * | timestamp | `YYYY-MM-DD HH:MM:SS[.fff]`, trailing zeros of the fraction dropped (DuckDB's form) |
 * | varchar, char, json, time, uuid, ... | the text (json: the JSON text, as DuckDB gives a JSON value) |
 * | array, map, row | a JSON value: array, or object by key / field name |
 * | unknown (the type of a bare NULL) | null |
 *
 * Athena writes arrays, maps and rows in Trino's display form, `[a, b]` and `{k=v, k2=v2}`, with strings
 * unquoted and `ColumnInfo.Type` only `array`/`map`/`row`: the element types are not sent. Elements are
 * read as null, booleans and numbers when they look like one, else as text; a string element with `, `, `=`
 * or brackets in it cannot be told apart, so such text is kept whole rather than guessed. SQL that needs
 * exact nested values casts them to JSON (`CAST(x AS JSON)`), which both engines return as JSON text.
 */

/** The parts of Athena's ColumnInfo this needs. */
export interface AthenaColumn {
  readonly Name?: string;
  readonly Label?: string;
  readonly Type?: string;
}

/** A column's type name without parameters: `decimal(10,2)` -> `decimal`, `timestamp(3)` -> `timestamp`. */
export function baseType(type: string | undefined): string {
  return (type ?? 'varchar').toLowerCase().replace(/\(.*$/, '').trim();
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int']);
const NUMBER_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TIMESTAMP_TEXT = /^(\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?$/;

/** `2024-01-02 03:04:05.600` -> `2024-01-02 03:04:05.6`; `.000` dropped. Other text unchanged. */
export function normalTimestamp(text: string): string {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return text;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction === '.' ? m[1]! : `${m[1]}${fraction}`;
}

/** An integer's text as a number when exact, else kept as text (as DuckDbEngine does for BIGINT). */
function integerValue(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** The value of one cell; `text` undefined is NULL. */
export function athenaValue(text: string | undefined, type: string | undefined): unknown {
  if (text === undefined) return null;
  const base = baseType(type);
  if (INTEGER_TYPES.has(base)) return Number(text);
  switch (base) {
    case 'bigint':
      return integerValue(text);
    case 'real':
    case 'float':
      return Math.fround(Number(text));
    case 'double':
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp':
      return normalTimestamp(text);
    case 'array':
    case 'map':
    case 'row':
      return parseNested(text);
    case 'unknown':
      return null;
    default:
      // varchar, char, date, json, time, timestamp with time zone, uuid, varbinary, interval ...
      return text;
  }
}

/** A scalar inside an array, map or row: null, boolean, number or text. */
function nestedScalar(text: string): unknown {
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return Number(text);
  if (NUMBER_TEXT.test(text)) return /[.eE]/.test(text) ? Number(text) : integerValue(text);
  return normalTimestamp(text);
}

class NestedSyntaxError extends Error {}

/**
 * Trino's display form of an array, map or row as a JSON value. Text that does not parse as one whole
 * value is returned as it is: never guessed, never lost.
 */
export function parseNested(text: string): unknown {
  try {
    const [value, end] = readValue(text, 0, '');
    if (end !== text.length) throw new NestedSyntaxError('trailing text');
    return value;
  } catch (error) {
    if (error instanceof NestedSyntaxError) return text;
    throw error;
  }
}

/**
 * Reads a value at `i`. `closer` is the bracket that ends the enclosing container (`]` or `}`; '' at the
 * top), so a scalar ends at `, ` or at that bracket.
 */
function readValue(text: string, i: number, closer: string): [unknown, number] {
  if (text[i] === '[') return readArray(text, i);
  if (text[i] === '{') return readObject(text, i);
  let end = i;
  if (closer === '') end = text.length;
  else {
    while (end < text.length && !(text.startsWith(', ', end) || text[end] === closer)) end += 1;
  }
  return [nestedScalar(text.slice(i, end)), end];
}

function readArray(text: string, i: number): [unknown[], number] {
  const items: unknown[] = [];
  let at = i + 1;
  if (text[at] === ']') return [items, at + 1];
  for (;;) {
    const [value, end] = readValue(text, at, ']');
    items.push(value);
    if (text[end] === ']') return [items, end + 1];
    if (!text.startsWith(', ', end)) throw new NestedSyntaxError('expected , or ]');
    at = end + 2;
  }
}

function readObject(text: string, i: number): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  let at = i + 1;
  if (text[at] === '}') return [out, at + 1];
  for (;;) {
    const eq = text.indexOf('=', at);
    if (eq < 0) throw new NestedSyntaxError('expected key=');
    const key = text.slice(at, eq);
    if (/[{}[\],]/.test(key)) throw new NestedSyntaxError('bad key');
    const [value, end] = readValue(text, eq + 1, '}');
    out[key] = value;
    if (text[end] === '}') return [out, end + 1];
    if (!text.startsWith(', ', end)) throw new NestedSyntaxError('expected , or }');
    at = end + 2;
  }
}

/** Rows of cells (header row already removed) as objects keyed by column label. */
export function typedRows(columns: readonly AthenaColumn[], rows: ReadonlyArray<{ Data?: ReadonlyArray<{ VarCharValue?: string }> }>): Record<string, unknown>[] {
  const names = columns.map((c, i) => c.Label ?? c.Name ?? `_col${i}`);
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      out[name] = athenaValue(row.Data?.[i]?.VarCharValue, columns[i]!.Type);
    });
    return out;
  });
}

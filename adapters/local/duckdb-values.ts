/**
 * DuckDB's values as plain JavaScript, the same at any depth and the same as the Athena engine gives
 * (adapters/aws/athena/values.ts): integers as numbers (as text beyond 2^53), DECIMAL, FLOAT and DOUBLE
 * as numbers (NaN and Infinity included, which DuckDB's JSON form turns into text), a MAP as an object by
 * key (DuckDB's JSON form is a list of {key, value}); everything else as DuckDB's JSON form gives it
 * (DATE and TIMESTAMP as text, LIST as array, STRUCT as object, JSON as its text).
 */
import type * as DuckDb from '@duckdb/node-api';

type Converter = DuckDb.DuckDBValueConverter<unknown>;

const keyText = (key: unknown): string => (typeof key === 'string' ? key : key !== null && typeof key === 'object' ? JSON.stringify(key) : String(key));

/** The converter for `result.convertRows`; `duck` is the lazily imported @duckdb/node-api. */
export function plainValueConverter(duck: typeof DuckDb): Converter {
  const T = duck.DuckDBTypeId;
  const json = duck.JsonDuckDBValueConverter as Converter;
  const convert: Converter = (value, type, self) => {
    if (value === null || value === undefined) return null;
    switch (type.typeId) {
      case T.BIGINT:
      case T.UBIGINT:
      case T.HUGEINT:
      case T.UHUGEINT: {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : String(value);
      }
      case T.FLOAT:
      case T.DOUBLE:
        return Number(value);
      case T.DECIMAL:
        return duck.doubleFromDecimalValue(value);
      case T.MAP:
        if (value instanceof duck.DuckDBMapValue && type instanceof duck.DuckDBMapType) {
          const out: Record<string, unknown> = {};
          for (const entry of value.entries) out[keyText(self(entry.key, type.keyType, self))] = self(entry.value, type.valueType, self);
          return out;
        }
        return json(value, type, self);
      default:
        return json(value, type, self);
    }
  };
  return convert;
}

/**
 * Rows of a result whose columns are all of the plain types (booleans, integers, floating point, text),
 * made column by column from DuckDB's JS form with the same values as `plainValueConverter` gives
 * (integers beyond 2^53 as text); undefined for any other column type (the converter is used then).
 * Over half a million rows (the dashboard's activity) it takes well under half the converter's time: the
 * type is decided once per column, not once per value.
 */
export function fastRows(duck: typeof DuckDb, result: DuckDb.DuckDBResultReader): Record<string, unknown>[] | undefined {
  const T = duck.DuckDBTypeId;
  const wide = new Set<number>([T.BIGINT, T.UBIGINT, T.HUGEINT, T.UHUGEINT]);
  const plain = new Set<number>([T.BOOLEAN, T.TINYINT, T.SMALLINT, T.INTEGER, T.UTINYINT, T.USMALLINT, T.UINTEGER, T.FLOAT, T.DOUBLE, T.VARCHAR, ...wide]);
  const types = result.columnTypes();
  if (!types.every((t) => plain.has(t.typeId))) return undefined;
  const names = result.columnNames();
  const columns = result.getColumnsJS() as unknown[][];
  columns.forEach((column, c) => {
    if (!wide.has(types[c]!.typeId)) return;
    for (let i = 0; i < column.length; i += 1) {
      const v = column[i];
      if (v === null || v === undefined) continue;
      const n = Number(v);
      column[i] = Number.isSafeInteger(n) ? n : String(v);
    }
  });
  const rows = result.currentRowCount;
  const out: Record<string, unknown>[] = new Array(rows);
  for (let i = 0; i < rows; i += 1) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c += 1) row[names[c]!] = columns[c]![i] ?? null;
    out[i] = row;
  }
  return out;
}

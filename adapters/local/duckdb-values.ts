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

import {
  DuckDBDecimalValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import type { ColumnType } from './types.ts';

/** A value that survives JSON.stringify unchanged. */
export type JsonSafe = string | number | boolean | null | JsonSafe[] | { [key: string]: JsonSafe };

function bigintToJson(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

/**
 * DuckDB value → JSON-safe value: BIGINT → number when safe else string, DATE → 'YYYY-MM-DD', TIMESTAMP →
 * ISO 8601 local time without offset (TIMESTAMP has no zone; microseconds are kept so keyset cursors stay exact),
 * DECIMAL → number. Everything else follows the library's JSON converter (recursing through this one).
 */
export const toJsonValue: DuckDBValueConverter<JsonSafe> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return typeof value === 'bigint' ? bigintToJson(value) : String(value);
    case DuckDBTypeId.DECIMAL:
      return value instanceof DuckDBDecimalValue ? value.toDouble() : Number(value);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      // JSON has no NaN/Infinity; null is what JSON.stringify would produce anyway.
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return String(value).replace(' ', 'T');
    case DuckDBTypeId.DATE:
      return String(value);
    default:
      return JsonDuckDBValueConverter(value, type, converter as DuckDBValueConverter<Json>) as JsonSafe;
  }
};

/** Converts one result chunk to row arrays of JSON-safe values. */
export function chunkRows(chunk: DuckDBDataChunk): JsonSafe[][] {
  return chunk.convertRows(toJsonValue) as JsonSafe[][];
}

/** Maps a DuckDB result type to the datastore's logical type (for fields of user SQL and aggregates). */
export function logicalType(type: DuckDBType): ColumnType {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'integer';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return 'decimal';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'datetime';
    default:
      return 'text';
  }
}

export type BindValue = DuckDBValue;

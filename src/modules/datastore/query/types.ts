/** Logical column types of the datastore (what a caller sees, after masking). */
export type ColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text';

export interface ReadableColumn {
  name: string;
  type: ColumnType;
  /**
   * SQL expression that produces the value the caller may see, e.g. a masking expression over the raw column
   * (built by someone else); default: the quoted raw column. Used for SELECT, WHERE, ORDER BY and GROUP BY, so a
   * caller can never filter/sort/group on a raw value they can't see.
   */
  expr?: string;
}

export interface TableSource {
  parquetPath: string;
  /**
   * The file leaves `_id` out: it is the row's 1-based position (dataFileScan); false: the file stores `_id`. Required,
   * so that whoever builds a source says which (DataEngine.idStored reads it from the file).
   */
  idFromPosition: boolean;
  /** Includes `_id`. */
  columns: ReadableColumn[];
  /** Extra trusted WHERE from a grant. */
  rowFilterSql?: string;
  /** Rows in the file, when known (table_versions records it), so a total needs no read of the file footer. */
  rowCount?: number;
}

export type FilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'contains' | 'is_null' | 'between';

export interface FilterCondition {
  field: string;
  op: FilterOp;
  value?: unknown;
}

export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | FilterCondition;

export interface SortKey {
  field: string;
  dir: 'asc' | 'desc';
}

export type AggregateFn = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max';

export interface AggregateSpec {
  fn: AggregateFn;
  field?: string;
  as?: string;
}

export interface RowsRequest {
  /** Subset of readable columns; undefined = all. */
  fields?: string[];
  filters?: FilterNode;
  sort: SortKey[];
  limit: number;
  offset: number;
  /** Opaque keyset cursor from a previous page's nextCursor. */
  cursor?: string;
  groupBy?: string[];
  aggregates?: AggregateSpec[];
}

export interface ResultField {
  id: string;
  type: ColumnType;
}

export interface RowsResult {
  fields: ResultField[];
  records: Record<string, unknown>[];
  total: number;
  totalExact: boolean;
  nextCursor?: string;
}

export const SQL_TYPES: Record<ColumnType, string> = {
  integer: 'BIGINT',
  decimal: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
  text: 'VARCHAR',
};

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
/** Above this many rows in a file, a filtered total is estimated instead of counted. */
export const EXACT_COUNT_MAX_ROWS = 1_000_000;
/**
 * Up to this many rows in a file, a filtered page and its exact total are one statement (the count is a scalar
 * subquery): one round trip instead of two, for a second scan that costs little on a file this size.
 */
export const COUNT_WITH_PAGE_MAX_ROWS = 200_000;

import type { DataEngine } from '../../platform/duckdb/index.ts';

export type ColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text';
export type SourceFormat = 'csv' | 'tsv' | 'xlsx' | 'json' | 'ndjson' | 'geojson';
export type SourceEncoding = 'utf-8' | 'gb18030' | 'gbk';

export interface IngestProgress {
  phase: 'reading' | 'inferring' | 'writing';
  bytesRead: number;
  bytesTotal: number;
  rowsRead: number;
}

export interface IngestOptions {
  /** The uploaded file on disk. */
  filePath: string;
  /** Client's file name: only its extension is used (format detection), never as a path. */
  originalName: string;
  format?: SourceFormat;
  encoding?: SourceEncoding;
  delimiter?: string;
  /** XLSX sheet name or 1-based index; default: first sheet with data. */
  sheet?: string | number;
  /** Number of header rows (merged multi-row headers are joined with '/'). */
  headerRows?: number;
  /** Forced column types, by final column name. */
  typeOverrides?: Record<string, ColumnType>;
  badValuePolicy?: 'widen' | 'reject_row';
  /**
   * CSV/TSV: rows the single-scan load chooses types from before it checks every later value against
   * them (default 10,000; the result is the same whatever the size, only the speed differs).
   */
  inferenceSampleRows?: number;
  /**
   * CSV/TSV of at least this many bytes (default 8 MiB): the single-scan load writes with plain casts while a
   * WebAssembly check of the raw bytes vouches for them (csv-check.ts). Smaller files: the checked COPY alone. Tests
   * set 0 to take the fast path on small files; the result is the same either way.
   */
  fastCheckMinBytes?: number;
  /** How the fast path went (diagnostics: loads log it at debug level). */
  onFastCheck?: (outcome: FastCheckOutcome) => void;
  outFile: string;
  /** Scratch space; everything ingest puts there is removed before it returns or throws. */
  tmpDir: string;
  /**
   * A directory where large scratch copies (a GB18030 file's UTF-8 copy) are kept between loads, to be written over
   * by the next one instead of into a new file (scratch-pool.ts); without it each copy is removed. The server keeps
   * it under data/tmp.
   */
  scratchPool?: string;
  engine: DataEngine;
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
}

export type FastCheckOutcome =
  /** The rows written with plain casts were vouched for. */
  | { used: true }
  /**
   * They were not (or the COPY was stopped): the checked COPY wrote the file. `offset`: where in the file (the value,
   * or the record whose layout the check does not read as DuckDB does); `count`: the check and the file disagree on
   * the number of rows; `encoding`: the file, taken for UTF-8 from its start, is not UTF-8 without NUL throughout (the
   * load starts again, fully checked); `error`: the check could not read the file.
   */
  | {
      used: false;
      reason: 'value' | 'layout' | 'encoding' | 'count' | 'error';
      offset: number | null;
      column: number | null;
      error?: string;
    };

/**
 * What a warning about a load says, as a code and its parameters: the portal words it in the user's language
 * (`message` is the English wording, which the API's `warnings` and the CLI give).
 */
export const NOTICE_CODES = [
  'nul_bytes_removed',
  'empty_headers',
  'duplicate_headers',
  'reserved_headers',
  'title_rows_skipped',
  'notes_rows_left_out',
  'no_data_rows',
  'more_rejected_than_loaded',
  'misfits_rejected',
  'misfits_kept_as_text',
  'misfits_nulled',
  'excel_serial_dates',
  'excel_error_cells',
  'excel_uncalculated_formulas',
  'excel_long_numbers',
  'totals_rows',
  'json_records_from_member',
  'line_ends_normalized',
  'merge_widened',
  'merge_missing_columns',
  'merge_new_columns',
  'upsert_repeated_keys',
  'upsert_empty_keys',
] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];

export interface Notice {
  code: NoticeCode;
  params: Record<string, string | number>;
  message: string;
}

/** Why a row was rejected, for the portal to word (`reason` is the reader's own English text). */
export const REJECTION_CODES = [
  'missing_columns',
  'too_many_columns',
  'unquoted_value',
  'line_too_long',
  'invalid_unicode',
  'bad_value',
  'cast_failed',
  'not_json_object',
  'invalid_feature',
  'invalid_geometry',
  'unreadable_row',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  /** 1-based data row (the first row after the header is 1). */
  row: number;
  column: string | null;
  value: string | null;
  code: RejectionCode;
  /** bad_value: `type`, the column's type, and `nulled` 1 when the value was stored as NULL (policy widen). */
  params?: Record<string, string | number>;
  reason: string;
}

export interface IngestColumn {
  name: string;
  type: ColumnType;
  /** 0-based position of the column in the source (header order). */
  sourceIndex: number;
  nullCount: number;
}

export interface IngestResult {
  format: SourceFormat;
  encoding: string | null;
  delimiter: string | null;
  sheet: string | null;
  /** Excludes _id. */
  columns: IngestColumn[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** At most MAX_REJECTIONS entries; rowsRejected is the true count. */
  rejections: Rejection[];
  geometry: { column: string; crs: string; geometryTypes: string[] } | null;
  /** The notices' English wording. */
  warnings: string[];
  notices: Notice[];
}

/** The columns ingest adds for a GeoJSON source: the geometry as GeoJSON text, and a point's coordinates. */
export const GEOJSON_COLUMNS = { geometry: '_geometry', lon: '_lon', lat: '_lat' } as const;

export const MAX_REJECTIONS = 1000;

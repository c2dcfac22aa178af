/**
 * Ingest: turns one department file (CSV/TSV, XLSX, JSON, NDJSON, GeoJSON) into one typed Parquet
 * file, and merges versions. No HTTP and no metadata store here; DuckDB does the heavy lifting.
 */
export type {
  ColumnType,
  SourceFormat,
  SourceEncoding,
  IngestProgress,
  IngestOptions,
  Rejection,
  RejectionCode,
  Notice,
  NoticeCode,
  IngestColumn,
  IngestResult,
  FastCheckOutcome,
} from './types.ts';
export { GEOJSON_COLUMNS, MAX_REJECTIONS, NOTICE_CODES, REJECTION_CODES } from './types.ts';
export { ingestFile } from './ingest.ts';
export { columnTypeOf, mergeVersions, type MergeOptions } from './merge.ts';
export { rejectionsToCsv, type LoadFailure, type StoredRejection } from './report.ts';

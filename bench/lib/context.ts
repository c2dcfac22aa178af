import type { PgLookup } from './pg.ts';

/** Sizes of a run: every one is a parameter; the defaults are the full sizes, --quick scales them down. */
export interface BenchSizes {
  /** Rows of the 12-column CSV loaded by the ingest figures (UTF-8 and GB18030). */
  ingestRows: number;
  /** Rows of the table the filtered-page and group-by latencies are measured on. */
  queryRows: number;
  /** Timed runs of the filtered 20-row page (after warm-up), on each engine. */
  pageRuns: number;
  /** Timed runs of the group-by, on each engine. */
  groupRuns: number;
  /** Rows loaded into the HTTP bench's resource. */
  httpRows: number;
  /** Seconds of autocannon per endpoint. */
  httpSeconds: number;
  httpConnections: number;
  /** Bytes of CSV uploaded through the API for the peak-memory figure. */
  memoryBytes: number;
  searchDocs: number;
  searchQueries: number;
}

export const FULL_SIZES: BenchSizes = {
  ingestRows: 10_000_000,
  queryRows: 100_000_000,
  pageRuns: 50,
  groupRuns: 10,
  httpRows: 100_000,
  httpSeconds: 10,
  httpConnections: 10,
  memoryBytes: 10 * 1024 ** 3,
  searchDocs: 20_000,
  searchQueries: 500,
};

export const QUICK_SIZES: BenchSizes = {
  ingestRows: 200_000,
  queryRows: 2_000_000,
  pageRuns: 30,
  groupRuns: 10,
  httpRows: 10_000,
  httpSeconds: 2,
  httpConnections: 10,
  memoryBytes: 64 * 1024 ** 2,
  searchDocs: 5_000,
  searchQueries: 300,
};

export interface BenchContext {
  sizes: BenchSizes;
  quick: boolean;
  /** Scratch directory of this run, removed at the end. */
  tmpDir: string;
  /** Looked up once per run; sections whose peer is PostgreSQL report `missing` instead of failing. */
  postgres(): Promise<PgLookup>;
  log(message: string): void;
}

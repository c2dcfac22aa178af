import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral, type DataEngine } from '../../../platform/duckdb/index.ts';
import { AppError, badRequest } from '../../../platform/http/errors.ts';
import { buildRowsQuery, encodeCursor } from './build.ts';
import {
  COUNT_WITH_PAGE_MAX_ROWS,
  EXACT_COUNT_MAX_ROWS,
  type RowsRequest,
  type RowsResult,
  type TableSource,
} from './types.ts';
import { toJsonValue, type BindValue, type JsonSafe } from './values.ts';

/** Row groups read to estimate a filtered total over a big file (~120k rows each with DuckDB's default). */
const ESTIMATE_ROW_GROUPS = 8;

/** Parquet row count from the footer: no data is read. */
export async function parquetRowCount(conn: DuckDBConnection, parquetPath: string): Promise<number> {
  const r = await conn.runAndReadAll(
    `SELECT CAST(sum(num_rows) AS BIGINT) AS n FROM parquet_file_metadata(${quoteLiteral(parquetPath)})`,
  );
  return Number(r.getRows()[0]?.[0] ?? 0);
}

/** Maps DuckDB errors caused by request values to 400; anything else is ours and stays a 500. */
export function mapQueryError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/^(Conversion|Invalid Input|Out of Range) Error/.test(message))
    return badRequest('invalid_filter_value', message.split('\n')[0] ?? message);
  return err;
}

type Query = (sql: string, params: BindValue[]) => Promise<JsonSafe[][]>;

async function countExact(query: Query, sql: string, params: BindValue[]): Promise<number> {
  const rows = await query(sql, params);
  return Number(rows[0]?.[0] ?? 0);
}

/** Row-group _id ranges of recently read files; a data file never changes once written, so its footer is read once. */
const ID_RANGES = new Map<string, { min: string; max: string }[]>();
const ID_RANGES_KEPT = 256;

async function idRanges(
  query: Query,
  parquetPath: string,
  idFromPosition: boolean,
): Promise<{ min: string; max: string }[]> {
  const known = ID_RANGES.get(parquetPath);
  if (known) return known;
  let groups: { min: string; max: string }[];
  if (idFromPosition) {
    // _id is the row's position: each row group holds the next row_group_num_rows of them.
    const meta = await query(
      `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${quoteLiteral(parquetPath)}) ORDER BY 1`,
      [],
    );
    let next = 1;
    groups = meta.map((r) => {
      const n = Number(r[1] ?? 0);
      const g = { min: String(next), max: String(next + n - 1) };
      next += n;
      return g;
    });
  } else {
    const meta = await query(
      `SELECT row_group_id, stats_min, stats_max FROM parquet_metadata(${quoteLiteral(parquetPath)})` +
        ` WHERE path_in_schema = '_id' ORDER BY row_group_id`,
      [],
    );
    groups = meta.map((r) => ({ min: String(r[1] ?? ''), max: String(r[2] ?? '') }));
  }
  groups = groups.filter((g) => /^-?\d+$/.test(g.min) && /^-?\d+$/.test(g.max) && BigInt(g.min) <= BigInt(g.max));
  if (ID_RANGES.size >= ID_RANGES_KEPT) ID_RANGES.delete(ID_RANGES.keys().next().value as string);
  ID_RANGES.set(parquetPath, groups);
  return groups;
}

/**
 * Estimates a filtered count by counting matches in a few row groups spread over the file, found through the _id
 * statistics in the footer (or, when _id is the row's position, the row groups' sizes), so the scan prunes every
 * other row group.
 */
async function estimateCount(
  query: Query,
  src: TableSource,
  totalRows: number,
  /** The expression of `_id` in the statements countOf builds. */
  idSql: string,
  countOf: (where: string) => { sql: string; params: BindValue[] },
): Promise<number> {
  const groups = await idRanges(query, src.parquetPath, src.idFromPosition);
  const picked: { min: string; max: string }[] = [];
  const k = Math.min(ESTIMATE_ROW_GROUPS, groups.length);
  for (let i = 0; i < k; i++) {
    const g = groups[Math.floor((i * groups.length) / k)];
    if (g) picked.push(g);
  }
  if (!picked.length) return 0;
  const parts: string[] = [];
  const params: BindValue[] = [];
  for (const g of picked) {
    // The bounds are digits read from the file footer (checked above), not request input.
    const c = countOf(`${idSql} BETWEEN ${g.min} AND ${g.max}`);
    parts.push(c.sql);
    params.push(...c.params);
  }
  const rows = await query(
    `SELECT CAST(sum(m) AS BIGINT), CAST(sum(n) AS BIGINT) FROM (${parts.join(' UNION ALL ')})`,
    params,
  );
  const row = rows[0];
  const matched = Number(row?.[0] ?? 0);
  const scanned = Number(row?.[1] ?? 0);
  return scanned ? Math.round((matched / scanned) * totalRows) : 0;
}

/**
 * Small results of recent statements. Every statement here reads one data file, which never changes once written (a
 * load writes a new file under a new name), and is deterministic (masking, the grant's row filter and the request's
 * values are all in its text and parameters), so the same statement always gives the same rows. Only the DuckDB work
 * is skipped: the caller's right to read, the grant and the version are checked, and the read logged, on every call.
 */
const RESULTS = new Map<string, JsonSafe[][]>();
const RESULTS_KEPT = 128;
/** Bigger results are not kept (128 × 2,000 cells bounds the memory). */
const RESULT_MAX_CELLS = 2_000;

function resultKey(sql: string, params: BindValue[]): string | null {
  // Only plain values make a key (DuckDB value objects of different types could write alike).
  const plain: unknown[] = [];
  for (const p of params) {
    if (typeof p === 'bigint') plain.push({ bigint: p.toString() });
    else if (p === null || typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean') plain.push(p);
    else return null;
  }
  return `${sql}\u0000${JSON.stringify(plain)}`;
}

function keepResult(key: string, rows: JsonSafe[][]): void {
  if (rows.length * (rows[0]?.length ?? 1) > RESULT_MAX_CELLS) return;
  if (RESULTS.size >= RESULTS_KEPT) RESULTS.delete(RESULTS.keys().next().value as string);
  RESULTS.set(key, rows);
}

/** Runs a rows or aggregate request: one page of records, a total (exact when cheap), and the next cursor. */
export async function runRowsQuery(
  engine: DataEngine,
  src: TableSource,
  req: RowsRequest,
  /** reuse: false runs every statement (benchmarks measuring the engine, not the result cache). */
  opts: { reuse?: boolean } = {},
): Promise<RowsResult> {
  const knownRows = src.rowCount;
  // A filtered page of a small file brings its exact total along (one statement instead of two).
  const withTotal = knownRows !== undefined && knownRows <= COUNT_WITH_PAGE_MAX_ROWS;
  const built = buildRowsQuery(src, req, { withTotal });
  const query = async (sql: string, params: BindValue[]) => {
    const key = opts.reuse === false ? null : resultKey(sql, params);
    const known = key === null ? undefined : RESULTS.get(key);
    if (known) {
      // Most recently used last.
      RESULTS.delete(key!);
      RESULTS.set(key!, known);
      return known;
    }
    try {
      const rows = await engine.query(sql, params, toJsonValue);
      if (key !== null) keepResult(key, rows);
      return rows;
    } catch (err) {
      throw mapQueryError(err);
    }
  };
  const rows = (await query(built.sql, built.params)) as JsonSafe[][];
  const hasMore = rows.length > req.limit;
  const page = rows.slice(0, req.limit);
  const nVisible = built.fields.length;
  const records = page.map((r) => {
    const rec: Record<string, unknown> = {};
    built.fields.forEach((f, i) => (rec[f.id] = r[i] ?? null));
    return rec;
  });
  const result: RowsResult = { fields: built.fields, records, total: 0, totalExact: true };
  const last = page[page.length - 1];
  if (hasMore && last && !built.isAggregate && built.hiddenColumns > 0) {
    const keyValues = last.slice(nVisible, nVisible + built.hiddenColumns);
    result.nextCursor = encodeCursor(
      built.sortSignature,
      keyValues.slice(0, -1),
      keyValues[keyValues.length - 1] ?? null,
    );
  }

  // The page itself proves the total when it is the last one (and no cursor hides the rows before it).
  if (!hasMore && !req.cursor && (page.length > 0 || req.offset === 0)) {
    result.total = req.offset + page.length;
    return result;
  }
  const first = rows[0];
  if (built.withTotal && first) {
    result.total = Number(first[first.length - 1] ?? 0);
    return result;
  }
  const fileRows = knownRows ?? (await engine.withConnection((conn) => parquetRowCount(conn, src.parquetPath)));
  if (built.isAggregate) {
    if (fileRows <= EXACT_COUNT_MAX_ROWS) {
      result.total = await countExact(query, `SELECT count(*) FROM (${built.groupSql})`, built.whereParams);
    } else {
      // Counting groups means aggregating the whole file again: report what is known to exist.
      result.total = req.offset + page.length + (hasMore ? 1 : 0);
      result.totalExact = false;
    }
    return result;
  }
  if (!built.whereSql) {
    result.total = fileRows;
    return result;
  }
  if (fileRows <= EXACT_COUNT_MAX_ROWS) {
    result.total = await countExact(
      query,
      `SELECT count(*) FROM ${built.fromSql} WHERE ${built.whereSql}`,
      built.whereParams,
    );
    return result;
  }
  const estimate = await estimateCount(query, src, fileRows, built.idSql, (range) => ({
    sql: `SELECT count(*) FILTER (WHERE ${built.whereSql}) AS m, count(*) AS n FROM ${built.fromSql} WHERE ${range}`,
    params: built.whereParams,
  }));
  result.total = Math.max(estimate, req.offset + page.length + (hasMore ? 1 : 0));
  result.totalExact = false;
  return result;
}

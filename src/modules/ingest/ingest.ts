import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';
import { DATA_FILE_FORMAT, dataFileScan, quoteIdent, quoteLiteral } from '../../platform/duckdb/index.ts';
import { AppError, badRequest } from '../../platform/http/errors.ts';
import type {
  ColumnType,
  FastCheckOutcome,
  IngestOptions,
  IngestProgress,
  IngestResult,
  Notice,
  Rejection,
  RejectionCode,
  SourceFormat,
} from './types.ts';
import { GEOJSON_COLUMNS, MAX_REJECTIONS } from './types.ts';
import { releaseScratch } from './scratch-pool.ts';
import { badFile, cancelled, notice, throwIfAborted } from './errors.ts';
import {
  lineOfOffset,
  mixedLineEnd,
  nonBlankLine,
  offsetInOriginal,
  normalizeLineEnds,
  prepareTextSource,
  readHead,
  restIsUtf8,
  type TextSource,
} from './encoding.ts';
import { detectFormat, jsonText, readHeaderRecords, sniffDelimiter } from './detect.ts';
import { joinHeaderRows, makeColumnNames } from './names.ts';
import {
  checkedValue,
  chooseType,
  cleanExpr,
  longStatsQuery,
  mayFitExpr,
  ROWS_COLUMN,
  statsFromRow,
  samePlan,
  surelyPlainText,
  STATS_PER_COLUMN,
  wideStatsQuery,
  type ColumnPlan,
  type ColumnStats,
} from './infer.ts';
import { stageXlsx } from './xlsx.ts';
import { splitFeatureCollection } from './geojson.ts';
import { FAST_CHECK_MAX_COLUMNS, checkCsv, fastColumn, type FastCheckResult, type FastColumn } from './csv-check.ts';

const COLUMN_TYPES: ColumnType[] = ['integer', 'decimal', 'boolean', 'date', 'datetime', 'text'];
const MAX_FIELD_BYTES = 32 << 20;
// DuckDB sizes its CSV buffers from max_line_size unless told (16x: 512 MB per thread).
const CSV_BUFFER_BYTES = 64 << 20;
/**
 * Up to this many columns, inference is one SELECT with a list of aggregates per column (a single
 * scan, no grouping); wider tables use the (column, value) stream, whose query size does not grow.
 */
const WIDE_STATS_MAX_COLUMNS = 64;
/**
 * Sources up to this size (or the first-rows sample) are counted by the long form of the inference query, which
 * sets up in a tenth of the time; the wide form's single pass is faster from a few hundred thousand rows on.
 */
const SMALL_SOURCE_BYTES = 8 * 1024 * 1024;
/**
 * DuckDB holds a vector per column in every chunk (10,000 VARCHAR columns need > 1 GB just to scan 3
 * rows), so very wide files are refused up front with a clear error instead of running out of memory.
 */
export const MAX_COLUMNS = 2000;
const VALUE_PREVIEW = 500;

/** A source read into the scratch database: raw VARCHAR columns c1..cN in load order. */
interface Stage {
  /** Table expression with __rid (load order) and c1..cN (+ extra typed columns). */
  from: string;
  headers: string[];
  /** Filter selecting the data rows of `from`. */
  where: string;
  /**
   * The data rows in load order without __rid, for the scans that need no row number (inference and
   * the final COPY). row_number() OVER () would make those single-threaded, so CSV gives its reader here.
   */
  rows?: string;
  /** SQL mapping __rid to the row a report names: the 1-based data row, or for Excel the row number in the sheet. */
  srcRow: (rid: string) => string;
  extras: { name: string; col: string }[];
  /** Rows dropped while reading (ragged CSV rows, invalid features...). */
  pre: { count: number; sample: Rejection[] };
  encoding: string | null;
  delimiter: string | null;
  sheet: string | null;
  stripNul: boolean;
  geometry: IngestResult['geometry'];
  warnings: Notice[];
  /** Inference counts when the stage computed them while reading (CSV: the first of its two scans). */
  stats?: ScanStats;
}

/** Data rows and, per raw column c1..cN, the ColumnStats row of infer.ts. */
interface ScanStats {
  staged: number;
  byCol: Map<string, unknown[]>;
}

interface Ctx {
  opts: IngestOptions;
  conn: DuckDBConnection;
  db: string;
  work: string;
  bytesTotal: number;
  progress: (phase: IngestProgress['phase'], bytesRead: number, rowsRead: number) => void;
  sql: (text: string) => Promise<DuckDBResultReader>;
  /** Runs a long query, reporting DuckDB's own progress as bytes of the source read. */
  sqlWithProgress: (text: string, phase?: IngestProgress['phase']) => Promise<DuckDBResultReader>;
}

const colName = (i: number) => `c${i + 1}`;
const rand = () => crypto.randomBytes(6).toString('hex');

export async function ingestFile(opts: IngestOptions): Promise<IngestResult> {
  return ingest(opts, true);
}

/**
 * One load. `mayNormalize`: a CSV that DuckDB's reader refuses because its lines end in two ways (LF and CR LF) is
 * loaded again from a copy whose lines all end in LF (normalizeLineEnds), with a warning saying so; false for that
 * second load itself.
 */
async function ingest(opts: IngestOptions, mayNormalize: boolean): Promise<IngestResult> {
  validateOptions(opts);
  throwIfAborted(opts.signal);
  let size: number;
  try {
    size = (await fsp.stat(opts.filePath)).size;
  } catch {
    throw badRequest('file_not_found', 'The uploaded file is missing on the server', { field: 'filePath' });
  }
  if (size === 0) throw badFile('empty_file', 'The file is empty', { field: 'file' });
  await fsp.mkdir(opts.tmpDir, { recursive: true });
  const work = await fsp.mkdtemp(path.join(opts.tmpDir, 'ingest-'));
  const partial = path.join(path.dirname(opts.outFile), `.${path.basename(opts.outFile)}.${rand()}.partial`);
  try {
    const format = opts.format ?? detectFormat(opts.filePath, opts.originalName);
    const result = await opts.engine.withConnection(async (conn) => {
      const db = `ingest_${rand()}`;
      const ctx = makeCtx(opts, conn, db, work, size);
      await ctx.sql(`ATTACH ${quoteLiteral(path.join(work, 'scratch.duckdb'))} AS ${db}`);
      // DuckDB only tracks a query's progress (conn.progress, read by sqlWithProgress) with its progress bar on.
      if (opts.onProgress) await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
      try {
        if (format === 'csv' || format === 'tsv') {
          // A file for the fast path is first checked to be UTF-8 only as far as the sample reads: the fast path's
          // check reads the rest anyway. If it is not UTF-8 without NUL after all, the load starts again.
          let csv = await openCsv(ctx, format, size >= fastCheckMinBytes(opts));
          for (;;) {
            if (csv.width <= WIDE_STATS_MAX_COLUMNS) {
              const fast = await singleScanCsv(ctx, csv, format, partial);
              if (fast === RESTART) {
                csv = await openCsv(ctx, format);
                continue;
              }
              if (fast) return fast;
            }
            if (!(await checkedSource(ctx, csv))) {
              csv = await openCsv(ctx, format);
              continue;
            }
            break;
          }
          throwIfAborted(opts.signal);
          return await loadStage(ctx, await stageCsv(ctx, csv), format, partial);
        }
        const stage = await stageSource(ctx, format);
        throwIfAborted(opts.signal);
        return await loadStage(ctx, stage, format, partial);
      } finally {
        await conn.run(`DETACH DATABASE IF EXISTS ${db}`).catch(() => undefined);
        if (opts.onProgress) {
          await conn.run('RESET enable_progress_bar; RESET enable_progress_bar_print').catch(() => undefined);
        }
      }
    });
    throwIfAborted(opts.signal);
    await fsp.rename(partial, opts.outFile);
    return result;
  } catch (err) {
    await fsp.rm(partial, { force: true });
    if (opts.signal?.aborted) throw cancelled();
    const format = opts.format ?? detectFormatSafe(opts);
    if (mayNormalize && (format === 'csv' || format === 'tsv') && CSV_STATE_ERROR.test(messageOf(err))) {
      // The first attempt's scratch files (a transcoded copy, DuckDB's scratch database) make room for the second's.
      await releaseScratch(path.join(work, TRANSCODED), opts.scratchPool);
      await fsp.rm(work, { recursive: true, force: true });
      await fsp.mkdir(work);
      const result = await loadWithLineEndsNormalized(opts, format, size, work);
      if (result) return result;
    }
    throw await translateError(err, opts, work, format);
  } finally {
    await releaseScratch(path.join(work, TRANSCODED), opts.scratchPool);
    await fsp.rm(work, { recursive: true, force: true });
  }
}

function detectFormatSafe(opts: IngestOptions): SourceFormat | null {
  try {
    return detectFormat(opts.filePath, opts.originalName);
  } catch {
    return null;
  }
}

function checkWidth(width: number, what: string): void {
  if (width > MAX_COLUMNS) {
    throw badFile(
      'too_many_columns',
      `The ${what} has ${width} columns; at most ${MAX_COLUMNS} are supported. Split the table or transpose it.`,
      {
        columns: width,
        limit: MAX_COLUMNS,
      },
    );
  }
}

function validateOptions(opts: IngestOptions): void {
  for (const [name, t] of Object.entries(opts.typeOverrides ?? {})) {
    if (!COLUMN_TYPES.includes(t)) {
      throw badRequest('invalid_type', `Type override for ${name} must be one of ${COLUMN_TYPES.join(', ')}`, {
        field: `typeOverrides.${name}`,
      });
    }
  }
  if (
    opts.headerRows !== undefined &&
    !(Number.isInteger(opts.headerRows) && opts.headerRows >= 1 && opts.headerRows <= 20)
  ) {
    throw badRequest('invalid_header_rows', 'headerRows must be an integer from 1 to 20', { field: 'headerRows' });
  }
  if (
    opts.delimiter !== undefined &&
    (opts.delimiter.length !== 1 || opts.delimiter === '"' || /[\r\n]/.test(opts.delimiter))
  ) {
    throw badRequest('invalid_delimiter', 'delimiter must be a single character other than a quote or a line break', {
      field: 'delimiter',
    });
  }
}

/**
 * The load's progress as reported to onProgress: bytes capped at the file's size, and within a phase neither bytes nor
 * rows ever go back (a later statement of the same phase, such as the text-column counts after the write, reports
 * DuckDB's progress of its own from 0, which would move a progress bar backwards).
 */
export function progressReporter(
  bytesTotal: number,
  onProgress: IngestOptions['onProgress'],
): (phase: IngestProgress['phase'], bytesRead: number, rowsRead: number) => void {
  let last = { phase: '', bytes: 0, rows: 0 };
  return (phase, bytesRead, rowsRead) => {
    const same = phase === last.phase;
    const bytes = Math.max(Math.min(bytesRead, bytesTotal), same ? last.bytes : 0);
    const rows = Math.max(rowsRead, same ? last.rows : 0);
    last = { phase, bytes, rows };
    onProgress?.({ phase, bytesRead: bytes, bytesTotal, rowsRead: rows });
  };
}

function makeCtx(opts: IngestOptions, conn: DuckDBConnection, db: string, work: string, bytesTotal: number): Ctx {
  const progress = progressReporter(bytesTotal, opts.onProgress);
  const sql = async (text: string) => {
    throwIfAborted(opts.signal);
    const onAbort = () => conn.interrupt();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      return await conn.runAndReadAll(text);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  };
  const sqlWithProgress = async (text: string, phase: IngestProgress['phase'] = 'reading') => {
    const timer = opts.onProgress
      ? setInterval(() => {
          const pct = conn.progress.percentage;
          if (pct > 0) progress(phase, Math.round((bytesTotal * pct) / 100), 0);
        }, 250)
      : null;
    try {
      return await sql(text);
    } finally {
      if (timer) clearInterval(timer);
    }
  };
  return { opts, conn, db, work, bytesTotal, progress, sql, sqlWithProgress };
}

async function scalar(ctx: Ctx, text: string): Promise<number> {
  const r = await ctx.sql(text);
  return Number(r.getRows()[0]?.[0] ?? 0);
}

function stageSource(ctx: Ctx, format: Exclude<SourceFormat, 'csv' | 'tsv'>): Promise<Stage> {
  switch (format) {
    case 'xlsx':
      return stageExcel(ctx);
    case 'json':
    case 'ndjson':
      return stageJson(ctx, format);
    case 'geojson':
      return stageGeoJson(ctx);
  }
}

/** The text source; `provisional`: only the first CSV_BUFFER_BYTES are checked to be UTF-8 (see TextSource). */
async function prepareText(ctx: Ctx, provisional = false) {
  const src = await prepareTextSource(
    ctx.opts.filePath,
    ctx.opts.encoding,
    { file: path.join(ctx.work, TRANSCODED), pool: ctx.opts.scratchPool },
    { signal: ctx.opts.signal, onBytes: (n) => ctx.progress('reading', n, 0) },
    // The sample's rows usually lie in these bytes; whatever it read past them is checked before it is trusted.
    provisional ? CSV_BUFFER_BYTES : undefined,
  );
  const warnings: Notice[] = [];
  if (src.firstNul) {
    const { offset, line } = src.firstNul;
    warnings.push(
      notice(
        'nul_bytes_removed',
        { offset, line },
        `the file contains NUL bytes (first at byte offset ${offset}, line ${line}); they were removed from values`,
      ),
    );
  }
  return { src, warnings };
}

/** read_csv's columns: c1..cN, VARCHAR unless `types` names another type. */
const columnsParam = (n: number, types?: (string | null)[]) =>
  `{${Array.from({ length: n }, (_, i) => `${quoteLiteral(colName(i))}: ${quoteLiteral(types?.[i] ?? 'VARCHAR')}`).join(', ')}}`;

/**
 * Inference counts over `from` (raw VARCHAR columns) in one scan. The query is built per width: a
 * list of aggregates per column for ordinary tables, the long (column, value) form for wide ones.
 */
async function scanStats(
  ctx: Ctx,
  from: string,
  width: number,
  stripNul: boolean,
  phase: IngestProgress['phase'],
  /** The source is small (a sample, a file up to SMALL_SOURCE_BYTES): counted by the long form. */
  small = false,
): Promise<ScanStats> {
  const cols = Array.from({ length: width }, (_, i) => colName(i));
  const byCol = new Map<string, unknown[]>();
  if (width === 0) return { staged: await scalar(ctx, `SELECT count(*) FROM ${from}`), byCol };
  if (small && width <= WIDE_STATS_MAX_COLUMNS) {
    // Few rows: the long form, one scan (the row count rides along). The list of aggregates per column costs
    // ~0.5-1 s to set up whatever the size (measured: 2,500 rows x 15 columns 0.8-1.2 s wide, 0.1 s long); from
    // a few hundred thousand rows on, the wide form's single pass wins.
    let staged = 0;
    const r = await ctx.sqlWithProgress(longStatsQuery(from, cols, stripNul, true), phase);
    for (const row of r.getRows()) {
      if (row[0] === ROWS_COLUMN) staged = Number(row[row.length - 1] ?? 0);
      else byCol.set(String(row[0]), row.slice(1));
    }
    return { staged, byCol };
  }
  if (width <= WIDE_STATS_MAX_COLUMNS) {
    const row = (await ctx.sqlWithProgress(wideStatsQuery(from, cols, stripNul), phase)).getRows()[0] ?? [];
    cols.forEach((c, i) => byCol.set(c, row.slice(1 + i * STATS_PER_COLUMN, 1 + (i + 1) * STATS_PER_COLUMN)));
    return { staged: Number(row[0] ?? 0), byCol };
  }
  const staged = await scalar(ctx, `SELECT count(*) FROM ${from}`);
  if (staged > 0) {
    const r = await ctx.sqlWithProgress(longStatsQuery(from, cols, stripNul), phase);
    for (const row of r.getRows()) byCol.set(String(row[0]), row.slice(1));
  }
  return { staged, byCol };
}

/** A CSV/TSV source opened for reading: UTF-8 text, delimiter and header known, reader built. */
interface CsvSource {
  src: TextSource;
  warnings: Notice[];
  delim: string;
  /** Header records skipped before the data. */
  h: number;
  width: number;
  headers: string[];
  /**
   * read_csv over the data rows as raw VARCHAR c1..cN (or the `types` given for some); with `rejects`, malformed rows
   * (and with `types`, values the reader cannot parse as their type) are recorded there.
   */
  reader: (rejects?: { table: string; scan: string }, serial?: boolean, types?: (string | null)[]) => string;
}

async function openCsv(ctx: Ctx, format: 'csv' | 'tsv', provisional = false): Promise<CsvSource> {
  const { src, warnings } = await prepareText(ctx, provisional);
  const delim =
    ctx.opts.delimiter ?? (format === 'tsv' ? '\t' : sniffDelimiter(readHead(src.path, 64 * 1024).toString('utf8')));
  const h = ctx.opts.headerRows ?? 1;
  const headerRecords = await readHeaderRecords(src.path, delim, h);
  if (headerRecords.length === 0 || headerRecords.every((r) => r.every((f) => f.trim() === ''))) {
    throw badFile('empty_file', 'The file has no header row (it is empty or blank)', { field: 'file' });
  }
  const width = Math.max(...headerRecords.map((r) => r.length));
  checkWidth(width, 'header row');
  const headers = h > 1 ? joinHeaderRows(headerRecords, width) : (headerRecords[0] ?? []);
  const badHeader = headerRecords.findIndex((r) => r.length !== width);
  if (h > 1 && badHeader >= 0) {
    throw badFile('bad_header', `Header row ${badHeader + 1} has a different number of fields than the others`, {
      row: badHeader + 1,
    });
  }
  /*
   * Every scan of the CSV uses the same options, so ignore_errors drops the same rows and the
   * rows come in the same load order (preserve_insertion_order stays on: it is what makes a parallel
   * COPY and row_number() OVER () keep the file order). skip = h drops the header records (quote-aware).
   */
  const reader = (rejects?: { table: string; scan: string }, serial = false, types?: (string | null)[]) =>
    `read_csv(${quoteLiteral(src.path)}, header = false, auto_detect = false,
        columns = ${columnsParam(width, types)}, delim = ${quoteLiteral(delim)}, quote = '"', escape = '"',
        max_line_size = ${MAX_FIELD_BYTES}, buffer_size = ${CSV_BUFFER_BYTES}, skip = ${h}, ignore_errors = true${
          serial ? ', parallel = false' : ''
        }${
          rejects
            ? `, store_rejects = true, rejects_table = ${quoteLiteral(rejects.table)}, rejects_scan = ${quoteLiteral(rejects.scan)}`
            : ''
        })`;
  return { src, warnings, delim, h, width, headers, reader };
}

/** The malformed rows DuckDB recorded while reading: count and the first MAX_REJECTIONS (unbalanced quotes throw). */
async function csvRejects(ctx: Ctx, csv: CsvSource, rejTable: string) {
  const { h, headers } = csv;
  // DuckDB's `line` is the 1-based record number (header included), not the physical line.
  const rej = `(SELECT line, min(column_name) AS column_name, min(csv_line) AS csv_line, min(error_type) AS error_type,
                 min(error_message) AS error_message, min(byte_position) AS byte_position FROM ${rejTable} GROUP BY line)`;
  const unbalanced = (
    await ctx.sql(
      `SELECT line, byte_position FROM ${rej} WHERE error_message ILIKE '%unterminated quote%' ORDER BY line LIMIT 1`,
    )
  ).getRows()[0];
  if (unbalanced) {
    const row = Number(unbalanced[0]) - h;
    // DuckDB's byte_position of an unterminated quote is one past the quote (measured), in the file it read.
    const at = Math.max(0, Number(unbalanced[1]) - 1);
    const { offset, line } =
      csv.src.path === ctx.opts.filePath
        ? { offset: at, line: await lineOfOffset(csv.src.path, at) }
        : await offsetInOriginal(csv.src.path, at, ctx.opts.filePath, 'gb18030');
    throw badFile(
      'unbalanced_quote',
      `Unbalanced quote at data row ${row} (line ${line}, byte offset ${offset}): a field opened with " is never closed`,
      { row, line, offset },
    );
  }
  const count = await scalar(ctx, `SELECT count(*) FROM ${rej}`);
  const sample = (
    await ctx.sql(
      `SELECT line - ${h}, column_name, left(ltrim(csv_line, chr(10)), ${VALUE_PREVIEW}), lower(error_type) || ': ' || error_message,
         error_type
       FROM ${rej} ORDER BY line LIMIT ${MAX_REJECTIONS}`,
    )
  )
    .getRows()
    .map((r): Rejection => ({
      row: Number(r[0]),
      column: r[1] === null ? null : headerLabel(headers, String(r[1])),
      value: r[2] === null ? null : String(r[2]),
      code: CSV_REJECTION_CODES[String(r[4])] ?? 'unreadable_row',
      reason: String(r[3]),
    }));
  return { rej, count, sample };
}

async function stageCsv(ctx: Ctx, csv: CsvSource): Promise<Stage> {
  const { src, warnings, delim, h, width, headers, reader } = csv;
  const rejects = { table: `rejects_${rand()}`, scan: `scans_${rand()}` };
  /*
   * The CSV is never materialised: it is scanned twice, once here for the inference counts (which
   * also records the malformed rows) and once by the final COPY to Parquet.
   */
  // __rid keeps counting the header records so that __rid + 1 is the record number DuckDB reports
  // in the rejects table.
  const numbered = `(SELECT row_number() OVER () - 1 + ${h} AS __rid, * FROM ${reader()})`;
  try {
    let from = numbered;
    let stats: ScanStats | undefined;
    if (width <= WIDE_STATS_MAX_COLUMNS) {
      ctx.progress('inferring', 0, 0);
      const small = ctx.bytesTotal <= SMALL_SOURCE_BYTES;
      stats = await scanStats(ctx, reader(rejects), width, src.firstNul !== null, 'inferring', small);
    } else {
      // A parallel COPY straight from the CSV keeps a Parquet writer per thread with buffers for
      // every column (1,500 columns exhaust 512 MB), so wide files go through a scratch table.
      const table = `${ctx.db}.raw`;
      await ctx.sqlWithProgress(`CREATE TABLE ${table} AS SELECT * FROM ${reader(rejects)}`);
      from = `(SELECT rowid + ${h} AS __rid, * FROM ${table})`;
    }
    const { rej, count: preCount, sample } = await csvRejects(ctx, csv, rejects.table);
    let srcRow = (rid: string) => `(${rid} + 1 - ${h})`;
    if (preCount > 0) {
      // Loaded record m (1-based) is source record m + #{j : R_j - j < m} for the sorted rejected records R.
      await ctx.sql(
        `CREATE TABLE ${ctx.db}.gaps AS SELECT line - j AS t, max(j) AS j
         FROM (SELECT line, row_number() OVER (ORDER BY line) AS j FROM ${rej}) GROUP BY ALL`,
      );
      srcRow = (rid: string) =>
        `(${rid} + 1 + coalesce((SELECT max(g.j) FROM ${ctx.db}.gaps g WHERE g.t < ${rid} + 1), 0) - ${h})`;
    }
    return {
      from,
      headers,
      where: `__rid >= ${h}`,
      rows: stats ? reader() : undefined,
      srcRow,
      extras: [],
      pre: { count: preCount, sample },
      encoding: src.encoding,
      delimiter: delim,
      sheet: null,
      stripNul: src.firstNul !== null,
      geometry: null,
      warnings,
      stats,
    };
  } finally {
    await ctx.conn
      .run(`DROP TABLE IF EXISTS ${rejects.table}; DROP TABLE IF EXISTS ${rejects.scan}`)
      .catch(() => undefined);
  }
}

/** c3 → the header text of column 3 (DuckDB reports our internal names). */
function headerLabel(headers: string[], col: string): string {
  const i = Number(col.replace(/^c/, '')) - 1;
  return headers[i]?.trim() || col;
}

async function stageExcel(ctx: Ctx): Promise<Stage> {
  const csvPath = path.join(ctx.work, 'sheet.csv');
  const x = await stageXlsx({
    filePath: ctx.opts.filePath,
    csvPath,
    sheet: ctx.opts.sheet,
    headerRows: ctx.opts.headerRows,
    signal: ctx.opts.signal,
    onBytes: (n) => ctx.progress('reading', n, 0),
  });
  const width = Math.max(1, x.width);
  checkWidth(width, `sheet ${x.sheet}`);
  const table = `${ctx.db}.raw`;
  // parallel = false: null_padding and quoted line breaks do not mix in the parallel reader.
  // Each staged row starts with its row number in the sheet: rejections name the row the user sees in Excel.
  await ctx.sql(
    `CREATE TABLE ${table} AS SELECT * FROM read_csv(${quoteLiteral(csvPath)}, header = false, auto_detect = false,
      columns = {'__sheet_row': 'BIGINT', ${columnsParam(width).slice(1)}, delim = ',', quote = '"', escape = '"',
      null_padding = true, parallel = false, max_line_size = ${MAX_FIELD_BYTES}, buffer_size = ${CSV_BUFFER_BYTES})`,
  );
  const headers = Array.from({ length: width }, (_, i) => x.headers[i] ?? '');
  return {
    from: `(SELECT rowid AS __rid, * EXCLUDE (__sheet_row) FROM ${table})`,
    headers,
    where: `__rid < ${x.dataRows}`,
    srcRow: (rid) => `(SELECT __sheet_row FROM ${table} WHERE rowid = ${rid})`,
    extras: [],
    pre: { count: 0, sample: [] },
    encoding: null,
    delimiter: null,
    sheet: x.sheet,
    stripNul: false,
    geometry: null,
    warnings: x.warnings,
  };
}

/** JSON Pointer for a top-level key (handles '/', '~', quotes and dots in keys). */
const pointer = (key: string) => quoteLiteral('/' + key.replace(/~/g, '~0').replace(/\//g, '~1'));

/** Top-level keys in order of first appearance. */
async function objectKeys(ctx: Ctx, table: string, objExpr: string, where: string): Promise<string[]> {
  const r = await ctx.sql(
    `SELECT k FROM (SELECT rowid AS rid, unnest(json_keys(${objExpr})) AS k, unnest(range(len(json_keys(${objExpr})))) AS i
       FROM ${table} WHERE ${where}) GROUP BY k ORDER BY min(rid), arg_min(i, rid)`,
  );
  return r.getRows().map((row) => String(row[0]));
}

/**
 * Adds VARCHAR columns c1..cN for the top-level keys of objExpr (nested values stay JSON text).
 * The list form of json_extract_string parses each object once for all keys.
 */
function flattened(objExpr: string, keys: string[], inner: string): string {
  if (keys.length === 0) return inner;
  const list = `json_extract_string(${objExpr}, [${keys.map(pointer).join(', ')}])`;
  const cols = keys.map((_, i) => `__v[${i + 1}] AS ${colName(i)}`).join(', ');
  return `(SELECT *, ${cols} FROM (SELECT *, ${list} AS __v FROM ${inner}))`;
}

/**
 * The member holding the records of a JSON file that is one object wrapping them, as API dumps do
 * ({"code": 200, "msg": "success", "data": [{...}, ...]}): its only member that is an array starting with an object.
 * Null for any other file.
 */
async function recordsMember(ctx: Ctx, objects: string): Promise<string | null> {
  const r = await ctx.sql(
    `SELECT k FROM (SELECT unnest(json_keys(json)) AS k, json FROM ${objects}
       WHERE json_type(json) = 'OBJECT' AND (SELECT count(*) FROM ${objects}) = 1)
     WHERE json_type(json_extract(json, '$."' || k || '"[0]')) = 'OBJECT' AND k <> '' AND strpos(k, '"') = 0 AND strpos(k, chr(92)) = 0`,
  );
  const rows = r.getRows();
  return rows.length === 1 ? String(rows[0]?.[0]) : null;
}

async function stageJson(ctx: Ctx, format: 'json' | 'ndjson'): Promise<Stage> {
  const { src, warnings } = await prepareText(ctx);
  const objects = `${ctx.db}.objects`;
  await ctx.sqlWithProgress(
    `CREATE TABLE ${objects} AS SELECT json FROM read_json_objects(${quoteLiteral(src.path)},
      format = ${format === 'ndjson' ? "'newline_delimited'" : "'auto'"}, maximum_object_size = ${MAX_FIELD_BYTES})`,
  );
  if (format === 'json' && jsonText(readHead(src.path, 64 * 1024)).startsWith('{')) {
    const member = await recordsMember(ctx, objects);
    if (member !== null) {
      const path = quoteLiteral(`$."${member}"[*]`);
      await ctx.sql(
        `CREATE OR REPLACE TABLE ${objects} AS SELECT unnest(json_extract(json, ${path})) AS json FROM ${objects}`,
      );
      warnings.push(
        notice(
          'json_records_from_member',
          { member },
          `the file is one JSON object: its records were read from its "${member}" array, and its other members left out`,
        ),
      );
    }
  }
  const isObj = `json_type(json) = 'OBJECT'`;
  const keys = await objectKeys(ctx, objects, 'json', isObj);
  if (keys.length === 0) throw badFile('no_data', 'The JSON has no records with fields', { field: 'file' });
  checkWidth(keys.length, 'JSON (distinct top-level keys)');
  const table = `${ctx.db}.raw`;
  await ctx.sql(
    `CREATE TABLE ${table} AS SELECT * EXCLUDE (json, __v)
       FROM ${flattened('json', keys, `(SELECT ${isObj} AS __ok, json FROM ${objects})`)}`,
  );
  const notObject = `(SELECT rowid AS __rid, * FROM ${table}) WHERE NOT __ok`;
  const preCount = await scalar(ctx, `SELECT count(*) FROM ${notObject}`);
  const sample = (await ctx.sql(`SELECT __rid + 1 FROM ${notObject} ORDER BY __rid LIMIT ${MAX_REJECTIONS}`))
    .getRows()
    .map((r): Rejection => ({
      row: Number(r[0]),
      column: null,
      value: null,
      code: 'not_json_object',
      reason: 'record is not a JSON object',
    }));
  return {
    from: `(SELECT rowid AS __rid, * FROM ${table})`,
    headers: keys,
    where: '__ok',
    srcRow: (rid) => `(${rid} + 1)`,
    extras: [],
    pre: { count: preCount, sample },
    encoding: src.encoding,
    delimiter: null,
    sheet: null,
    stripNul: src.firstNul !== null,
    geometry: null,
    warnings,
  };
}

const GEOMETRY_TYPES = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
];
const GEOGRAPHIC_CRS = ['EPSG:4326', 'EPSG:4490', 'EPSG:4214', 'EPSG:4610', 'EPSG:4555'];

function normaliseCrs(name: string | null): string {
  if (!name) return 'EPSG:4326';
  if (/CRS84$/i.test(name)) return 'EPSG:4326';
  const m = /EPSG:+(?:[\d.]*:)?(\d+)$/i.exec(name);
  return m ? `EPSG:${m[1]}` : name;
}

/** crs.properties.name of a GeoJSON crs member (raw JSON text), if any. */
function crsName(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { properties?: { name?: unknown } } | null;
    return typeof v?.properties?.name === 'string' ? v.properties.name : null;
  } catch {
    return null;
  }
}

async function stageGeoJson(ctx: Ctx): Promise<Stage> {
  const { src, warnings } = await prepareText(ctx);
  const split = await splitFeatureCollection(src.path, path.join(ctx.work, 'features.ndjson'), {
    signal: ctx.opts.signal,
    onBytes: (b) => ctx.progress('reading', b, 0),
  });
  const typeMember = split.members.get('type');
  if (typeMember !== '"FeatureCollection"' || !split.hasFeatureArray) {
    throw badFile('invalid_geojson', 'The file is not a GeoJSON FeatureCollection with a "features" array', {
      field: 'file',
    });
  }
  const crs = normaliseCrs(crsName(split.members.get('crs')));
  const features = `${ctx.db}.features`;
  // One feature per line, so DuckDB's line numbers in JSON errors are feature numbers.
  await ctx.sqlWithProgress(
    `CREATE TABLE ${features} AS SELECT json AS f FROM read_json_objects(${quoteLiteral(path.join(ctx.work, 'features.ndjson'))},
      format = 'newline_delimited', maximum_object_size = ${Math.max(MAX_FIELD_BYTES, split.maxFeatureBytes + 1024)})`,
  );
  const props = `json_extract(f, '$.properties')`;
  const keys = await objectKeys(ctx, features, props, `json_type(${props}) = 'OBJECT'`);
  checkWidth(keys.length + 3, 'GeoJSON (distinct property names)');
  const g = `json_extract(f, '$.geometry')`;
  const gtype = `json_extract_string(f, '$.geometry.type')`;
  const num = (p: string) => `coalesce(json_type(f, '${p}') IN ('DOUBLE', 'UBIGINT', 'BIGINT'), false)`;
  const lon = `TRY_CAST(json_extract_string(f, '$.geometry.coordinates[0]') AS DOUBLE)`;
  const lat = `TRY_CAST(json_extract_string(f, '$.geometry.coordinates[1]') AS DOUBLE)`;
  const geographic = GEOGRAPHIC_CRS.includes(crs);
  // Whether an element x of the JSON array at path `p` fails `test`; a ring (RFC 7946 3.1.6) is closed, of 4+ positions.
  const anyOf = (p: string, test: string) =>
    `coalesce(list_bool_or(list_transform(json_extract(f, '${p}'), x -> ${test})), false)`;
  const position = (p: string) => `TRY_CAST(json_extract(x, '${p}') AS DOUBLE[])`;
  const badRing = `json_array_length(x) < 4 OR ${position('$[0]')} IS DISTINCT FROM ${position('$[#-1]')}`;
  const reason = `CASE
      WHEN json_type(f) IS DISTINCT FROM 'OBJECT' THEN 'feature is not a JSON object'
      WHEN json_extract_string(f, '$.type') IS DISTINCT FROM 'Feature' THEN 'feature "type" is not "Feature"'
      WHEN ${g} IS NULL OR json_type(${g}) = 'NULL' THEN NULL
      WHEN json_type(${g}) <> 'OBJECT' THEN 'geometry is not an object'
      WHEN ${gtype} IS NULL OR ${gtype} NOT IN (${GEOMETRY_TYPES.map(quoteLiteral).join(', ')})
        THEN 'invalid geometry type ' || coalesce(${gtype}, '(missing)')
      WHEN ${gtype} = 'GeometryCollection' THEN
        CASE WHEN json_type(f, '$.geometry.geometries') IS DISTINCT FROM 'ARRAY' THEN 'GeometryCollection without a geometries array' END
      WHEN json_type(f, '$.geometry.coordinates') IS DISTINCT FROM 'ARRAY' THEN 'geometry has no coordinates array'
      WHEN ${gtype} = 'Point' AND NOT (${num('$.geometry.coordinates[0]')} AND ${num('$.geometry.coordinates[1]')})
        THEN 'Point coordinates must be numbers [x, y]'
      WHEN ${gtype} = 'Point' AND ${geographic} AND (abs(${lon}) > 180 OR abs(${lat}) > 90)
        THEN 'Point coordinates out of range for ${crs}'
      WHEN ${gtype} <> 'Point' AND json_array_length(f, '$.geometry.coordinates') = 0 THEN 'geometry has empty coordinates'
      WHEN ${gtype} = 'LineString' AND json_array_length(f, '$.geometry.coordinates') < 2
        THEN 'LineString needs at least two positions'
      WHEN ${gtype} = 'MultiLineString' AND ${anyOf('$.geometry.coordinates[*]', 'json_array_length(x) < 2')}
        THEN 'MultiLineString has a line of fewer than two positions'
      WHEN ${gtype} = 'Polygon' AND ${anyOf('$.geometry.coordinates[*]', badRing)}
        THEN 'Polygon ring not closed or of fewer than four positions'
      WHEN ${gtype} = 'MultiPolygon' AND ${anyOf('$.geometry.coordinates[*][*]', badRing)}
        THEN 'MultiPolygon ring not closed or of fewer than four positions'
    END`;
  const table = `${ctx.db}.raw`;
  const inner = `(SELECT f, ${reason} AS __reason, ${gtype} AS __gtype,
      CASE WHEN json_type(${g}) = 'OBJECT' THEN ${g}::VARCHAR END AS __geom,
      CASE WHEN ${gtype} = 'Point' THEN ${lon} END AS __lon,
      CASE WHEN ${gtype} = 'Point' THEN ${lat} END AS __lat
    FROM ${features})`;
  await ctx.sql(
    `CREATE TABLE ${table} AS SELECT * EXCLUDE (f${keys.length > 0 ? ', __v' : ''}) FROM ${flattened(props, keys, inner)}`,
  );
  const bad = `(SELECT rowid AS __rid, * FROM ${table}) WHERE __reason IS NOT NULL`;
  const preCount = await scalar(ctx, `SELECT count(*) FROM ${bad}`);
  const sample = (
    await ctx.sql(
      `SELECT __rid + 1, left(__geom, ${VALUE_PREVIEW}), __reason FROM ${bad} ORDER BY __rid LIMIT ${MAX_REJECTIONS}`,
    )
  )
    .getRows()
    .map((r): Rejection => ({
      row: Number(r[0]),
      column: '_geometry',
      value: r[1] === null ? null : String(r[1]),
      code: String(r[2]).startsWith('feature ') ? 'invalid_feature' : 'invalid_geometry',
      reason: String(r[2]),
    }));
  const types = (
    await ctx.sql(`SELECT DISTINCT __gtype FROM ${table} WHERE __reason IS NULL AND __gtype IS NOT NULL ORDER BY 1`)
  )
    .getRows()
    .map((r) => String(r[0]));
  const extras: { name: string; col: string }[] = [{ name: GEOJSON_COLUMNS.geometry, col: '__geom' }];
  if (types.includes('Point'))
    extras.push({ name: GEOJSON_COLUMNS.lon, col: '__lon' }, { name: GEOJSON_COLUMNS.lat, col: '__lat' });
  return {
    from: `(SELECT rowid AS __rid, * FROM ${table})`,
    headers: keys,
    where: '__reason IS NULL',
    srcRow: (rid) => `(${rid} + 1)`,
    extras,
    pre: { count: preCount, sample },
    encoding: src.encoding,
    delimiter: null,
    sheet: null,
    stripNul: src.firstNul !== null,
    geometry: { column: '_geometry', crs, geometryTypes: types },
    warnings,
  };
}

/** Rows of the CSV sample the single-scan load chooses its types from (IngestOptions.inferenceSampleRows). */
const SAMPLE_ROWS = 10_000;
/** Marks the error() a value raises when it does not fit the sample's plan (see checkedValue in infer.ts). */
const TYPE_CHECK_FAILED = 'citydata_type_check_failed';

/**
 * The load of an ordinary CSV (up to WIDE_STATS_MAX_COLUMNS columns) in one scan of the file, which
 * is most of the cost. Types are chosen from the first rows, then the one COPY to Parquet checks
 * every later value against its column's plan (checkedValue): the first value that does not fit, or
 * that could change what whole-file inference chooses, aborts the COPY and the load falls back to the
 * two-scan path (inference counts over the whole file, then the COPY): null. Text columns are counted
 * afterwards over the whole file from the Parquet file (a fast columnar read), so their warnings and
 * the choice to keep them as text rest on every value too (unless the sample was the whole file).
 */
async function singleScanCsv(
  ctx: Ctx,
  csv: CsvSource,
  format: 'csv' | 'tsv',
  partial: string,
): Promise<IngestResult | null | typeof RESTART> {
  const { opts } = ctx;
  const policy = opts.badValuePolicy ?? 'widen';
  const { names, nameWarnings, overrides } = columnNames(ctx, csv.headers, []);
  const stripNul = csv.src.firstNul !== null;
  const sampleRows = Math.max(1, opts.inferenceSampleRows ?? SAMPLE_ROWS);
  ctx.progress('inferring', 0, 0);
  const sample = await scanStats(
    ctx,
    // The serial reader stops after the first rows; the parallel one would parse a buffer per thread.
    `(SELECT * FROM ${csv.reader(undefined, true)} LIMIT ${sampleRows})`,
    csv.width,
    stripNul,
    'inferring',
    sampleRows <= 100_000 || ctx.bytesTotal <= SMALL_SOURCE_BYTES,
  );
  // Fewer data rows than asked for: the sample is the whole file and its counts are exact.
  const whole = sample.staged < sampleRows;
  const stats = names.map((_, i) => statsFromRow(sample.byCol.get(colName(i)) ?? []));
  const plans = names.map((name, i) => chooseType(name, stats[i] as ColumnStats, policy, overrides[name]));
  // Values to reject (reject_row, or a forced type most values fit) need the two-scan path's report.
  if (plans.some((p) => p.mayReject)) return null;
  throwIfAborted(opts.signal);

  const rejects = { table: `rejects_${rand()}`, scan: `scans_${rand()}` };
  /*
   * The COPY's query. With `fast`, DuckDB's CSV reader parses the columns the WebAssembly check covers as their type,
   * with no cast or check (the check vouches that each value is in a form where the reader's value is the checked
   * expression's, '' being NULL for both); the other columns keep the checked expression.
   */
  const query = (fast: FastColumn[] | null) => {
    // Each checked column's cast, once per row in a projection under the checks (`v<n>`, next to the raw `c<n>`).
    const casts: string[] = [];
    const select = plans.map((p, i) => {
      const c = colName(i);
      const name = names[i] as string;
      if (fast && fast[i]?.kind !== 'none') return `${c} AS ${quoteIdent(name)}`;
      const cleaned = cleanExpr(c, stripNul, true);
      // Checked even when the sample was the whole file: it was read by the serial reader, this is the parallel one.
      const checked = checkedValue(p, stats[i] as ColumnStats, overrides[name] !== undefined);
      if (!checked) return `${p.fastCast(`(${cleaned})`)}::${p.sqlType} AS ${quoteIdent(name)}`;
      const v = `v${i + 1}`;
      if (checked.pre) casts.push(`${checked.pre(c)} AS ${v}`);
      return `${checked.expr(c, v, cleaned, `error('${TYPE_CHECK_FAILED} ${i + 1}')`)}::${p.sqlType} AS ${quoteIdent(name)}`;
    });
    const types = fast?.map((f, i) => (f.kind === 'none' ? null : (plans[i] as ColumnPlan).sqlType));
    const reader = csv.reader(rejects, false, types);
    const source = casts.length > 0 ? `(SELECT *, ${casts.join(', ')} FROM ${reader})` : reader;
    return `SELECT ${select.join(', ')} FROM ${source}`;
  };
  const fast = fastColumns(ctx, csv, plans, stripNul);
  // The fast path's check, when it vouched for the file: it also counted the text columns' values.
  let vouched: (FastCheckResult & { ok: true }) | null;
  try {
    ctx.progress('writing', 0, sample.staged);
    try {
      vouched = fast && (await writeFastChecked(ctx, csv, fast, query(fast), partial, rejects.table));
      if (vouched) csv.src.provisional = false; // the check read every byte
      if (!vouched && !(await checkedSource(ctx, csv))) return RESTART;
      if (!vouched) {
        await ctx.conn.run(`DROP TABLE IF EXISTS ${rejects.table}; DROP TABLE IF EXISTS ${rejects.scan}`);
        await writeRows(ctx, query(null), partial);
      }
    } catch (err) {
      if (opts.signal?.aborted || !String((err as Error)?.message ?? err).includes(TYPE_CHECK_FAILED)) throw err;
      await fsp.rm(partial, { force: true });
      return null;
    }
    const pre = await csvRejects(ctx, csv, rejects.table);

    // Text columns: whole-file counts from the written values (cleaned the same way), same choice.
    let textCols = whole
      ? []
      : names.flatMap((name, i) => (plans[i]?.type === 'text' && overrides[name] === undefined ? [i] : []));
    if (textCols.length > 0 && vouched) {
      // The same bound from the check's counts of the raw values (which are the written ones: no blank to trim).
      const { counts } = vouched;
      textCols = textCols.filter((i) => !surelyPlainText(counts[i]?.nonNull ?? 0, counts[i]?.mayFit ?? 0));
    } else if (textCols.length > 0) {
      // First a cheap bound: a column with too few values that could be anything but text stays text without a
      // warning whatever the full counts say, so only the others are counted in full.
      const file = `read_parquet(${quoteLiteral(partial)})`;
      const bound = (
        await ctx.sql(
          `SELECT ${textCols
            .map((i) => {
              const q = quoteIdent(names[i] as string);
              return `count(${q}), count_if(${mayFitExpr(q)})`;
            })
            .join(', ')} FROM ${file}`,
        )
      ).getRows()[0];
      textCols = textCols.filter((_, k) => !surelyPlainText(Number(bound?.[2 * k]), Number(bound?.[2 * k + 1])));
    }
    if (textCols.length > 0) {
      const from = `(SELECT ${textCols.map((i, k) => `${quoteIdent(names[i] as string)} AS ${colName(k)}`).join(', ')}
        FROM read_parquet(${quoteLiteral(partial)}))`;
      const counted = await scanStats(
        ctx,
        from,
        textCols.length,
        false,
        'writing',
        ctx.bytesTotal <= SMALL_SOURCE_BYTES,
      );
      for (const [k, i] of textCols.entries()) {
        const plan = chooseType(
          names[i] as string,
          statsFromRow(counted.byCol.get(colName(k)) ?? []),
          policy,
          undefined,
        );
        if (!samePlan(plan, plans[i] as ColumnPlan)) {
          await fsp.rm(partial, { force: true });
          return null;
        }
        plans[i] = plan;
      }
    }
    const warnings = [...csv.warnings, ...nameWarnings, ...plans.flatMap((p) => (p.warning ? [p.warning] : []))];
    return await finishResult(ctx, partial, false, names, plans, warnings, {
      source: { format, encoding: csv.src.encoding, delimiter: csv.delim, sheet: null, geometry: null },
      rowsRejected: pre.count,
      rejections: pre.sample,
    });
  } finally {
    await ctx.conn
      .run(`DROP TABLE IF EXISTS ${rejects.table}; DROP TABLE IF EXISTS ${rejects.scan}`)
      .catch(() => undefined);
  }
}

const fastCheckMinBytes = (opts: IngestOptions) => opts.fastCheckMinBytes ?? SMALL_SOURCE_BYTES;

/** singleScanCsv's answer when the provisional source was not UTF-8 without NUL after all: open the file again. */
const RESTART = Symbol('restart');

/**
 * Makes sure a provisional source (only its start checked) is UTF-8 without NUL throughout, before anything trusts
 * what was read from it: false if it is not (the load must open it again, fully checked).
 */
async function checkedSource(ctx: Ctx, csv: CsvSource): Promise<boolean> {
  if (!csv.src.provisional) return true;
  if (!(await restIsUtf8(csv.src.path, ctx.opts.signal))) return false;
  csv.src.provisional = false;
  return true;
}

/** The fast check's column kinds for this load, or null where it does not apply (small file, NULs, wide, ...). */
function fastColumns(ctx: Ctx, csv: CsvSource, plans: ColumnPlan[], stripNul: boolean): FastColumn[] | null {
  if (ctx.bytesTotal < fastCheckMinBytes(ctx.opts)) return null;
  if (stripNul || csv.delim.charCodeAt(0) > 127) return null;
  if (plans.length > FAST_CHECK_MAX_COLUMNS) return null;
  const columns = plans.map(fastColumn);
  return columns.some((c) => c.kind !== 'none') ? columns : null;
}

/**
 * Writes the rows from the typed reader (`query`, see singleScanCsv) while checkCsv reads the same bytes; a value or
 * layout the check does not vouch for interrupts the COPY. The check's result when the file is written and vouched
 * for (the check counted as many records as the file has rows, and DuckDB rejected none); null when the caller must
 * write it with the checked COPY (the partial file is removed). Errors of the COPY itself (a failed check of a column
 * the fast check leaves to the COPY, a cancellation, a full disk) are thrown as they are.
 */
async function writeFastChecked(
  ctx: Ctx,
  csv: CsvSource,
  columns: FastColumn[],
  query: string,
  partial: string,
  rejectsTable: string,
): Promise<(FastCheckResult & { ok: true }) | null> {
  let copying = true;
  let copyFailed = false;
  const outcome = (o: FastCheckOutcome) => ctx.opts.onFastCheck?.(o);
  const check = checkCsv(csv.src.path, {
    delimiter: csv.delim,
    headerRecords: csv.h,
    bom: csv.src.hasBom,
    columns,
    utf8: csv.src.provisional === true,
    stop: () => copyFailed || ctx.opts.signal?.aborted === true,
  }).then(
    (r): FastCheckResult | { ok: false; reason: 'error'; error: unknown } => {
      if (!r.ok && copying) ctx.conn.interrupt();
      return r;
    },
    (error: unknown) => {
      // The check could not read the file: the COPY's own error, if any, says more; else the checked COPY runs.
      if (copying) ctx.conn.interrupt();
      return { ok: false, reason: 'error', error } as const;
    },
  );
  const notUsed = (r: Exclude<Awaited<typeof check>, { ok: true }>) =>
    r.reason !== 'stopped' &&
    outcome(
      r.reason === 'error'
        ? { used: false, reason: 'error', offset: null, column: null, error: String(r.error) }
        : { used: false, reason: r.reason, offset: r.offset, column: r.column },
    );
  try {
    await writeRows(ctx, query, partial);
  } catch (err) {
    copyFailed = true;
    const r = await check;
    const ours = !r.ok && r.reason !== 'stopped' && /interrupt/i.test(String((err as Error)?.message ?? err));
    if (!ours || ctx.opts.signal?.aborted) throw err;
    await fsp.rm(partial, { force: true });
    notUsed(r);
    return null;
  } finally {
    copying = false;
  }
  const r = await check;
  if (!r.ok) {
    await fsp.rm(partial, { force: true });
    notUsed(r);
    return null;
  }
  const rows = await scalar(
    ctx,
    `SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(${quoteLiteral(partial)})`,
  );
  const rejected = await scalar(ctx, `SELECT count(*) FROM ${rejectsTable}`);
  if (rows !== r.records || rejected > 0) {
    await fsp.rm(partial, { force: true });
    outcome({ used: false, reason: 'count', offset: null, column: null });
    return null;
  }
  outcome({ used: true });
  return r;
}

/** Final column names (header text kept) and the type overrides, which must name some of them. */
function columnNames(ctx: Ctx, headers: string[], extras: Stage['extras']) {
  // file_row_number: the name under which readers get a row's position from a data file (dataFileScan).
  const { names, warnings: nameWarnings } = makeColumnNames(headers, [
    '_id',
    'file_row_number',
    ...extras.map((e) => e.name),
  ]);
  const overrides = ctx.opts.typeOverrides ?? {};
  for (const name of Object.keys(overrides)) {
    if (!names.includes(name)) {
      throw badRequest('unknown_column', `Type override names column ${name}, which the file does not have`, {
        field: `typeOverrides.${name}`,
        columns: names,
      });
    }
  }
  return { names, nameWarnings, overrides };
}

/**
 * Writes the rows of `query` (typed columns, in load order) as the data file, without _id, on every thread: the
 * batch COPY keeps the rows in order, and _id is each row's position in the file (dataFileScan). A row_number() OVER ()
 * here would make the whole pipeline under it, CSV parsing and casts included, single-threaded (DuckDB's streaming
 * window is not a parallel operator).
 */
async function writeRows(ctx: Ctx, query: string, file: string): Promise<void> {
  await ctx.sqlWithProgress(`COPY (${query}) TO ${quoteLiteral(file)} (${DATA_FILE_FORMAT})`, 'writing');
}

/** Row and null counts from the Parquet footer's statistics: no scan of the data. */
async function parquetCounts(
  ctx: Ctx,
  partial: string,
  idStored: boolean,
  names: string[],
): Promise<{ rowsLoaded: number; nullCounts: number[] }> {
  const n = names.length;
  const meta = `parquet_metadata(${quoteLiteral(partial)})`;
  const rowsLoaded = await scalar(
    ctx,
    `SELECT coalesce(sum(row_group_num_rows), 0) FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM ${meta})`,
  );
  const nullByColumn = new Map(
    (await ctx.sql(`SELECT column_id, sum(stats_null_count) FROM ${meta} GROUP BY column_id`))
      .getRows()
      .map((r) => [Number(r[0]), r[1] === null ? null : Number(r[1])]),
  );
  const nullCounts: number[] = [];
  for (let i = 0; i < n; i++) {
    const known = nullByColumn.get(idStored ? i + 1 : i); // a stored _id is column 0
    nullCounts.push(
      known ??
        (rowsLoaded === 0
          ? 0
          : await scalar(
              ctx,
              `SELECT count(*) - count(${quoteIdent(names[i] as string)}) FROM read_parquet(${quoteLiteral(partial)})`,
            )),
    );
  }

  return { rowsLoaded, nullCounts };
}

/** Infers types over the staged columns, lists bad values, and writes the Parquet file. */
async function loadStage(ctx: Ctx, stage: Stage, format: SourceFormat, partial: string): Promise<IngestResult> {
  const { opts } = ctx;
  const policy = opts.badValuePolicy ?? 'widen';
  const { names, nameWarnings, overrides } = columnNames(ctx, stage.headers, stage.extras);
  const n = names.length;
  const xs = names.map((_, i) => `x${i + 1}`);
  const cleanCols = [
    ...names.map((_, i) => `${cleanExpr(colName(i), stage.stripNul)} AS ${xs[i]}`),
    ...stage.extras.map((e) => e.col),
  ].join(', ');
  const cleaned = `(SELECT __rid, ${cleanCols} FROM ${stage.from} WHERE ${stage.where})`;
  const dataRows = stage.rows ?? `(SELECT * FROM ${stage.from} WHERE ${stage.where})`;

  if (!stage.stats) ctx.progress('inferring', ctx.bytesTotal, stage.pre.count);
  const stats =
    stage.stats ??
    (await scanStats(ctx, dataRows, n, stage.stripNul, 'inferring', ctx.bytesTotal <= SMALL_SOURCE_BYTES));
  const staged = stats.staged;
  ctx.progress('inferring', ctx.bytesTotal, staged + stage.pre.count);
  const plans = names.map((name, i) =>
    chooseType(name, statsFromRow(stats.byCol.get(colName(i)) ?? []), policy, overrides[name]),
  );
  throwIfAborted(opts.signal);
  const warnings = [...stage.warnings, ...nameWarnings, ...plans.flatMap((p) => (p.warning ? [p.warning] : []))];

  // Values that do not fit their column's type (only when a type was forced or most values fit).
  const risky = plans.flatMap((p, i) => (p.mayReject ? [i] : []));
  const bad = (i: number) => `(${xs[i]} IS NOT NULL AND ${(plans[i] as ColumnPlan).cast(xs[i] as string)} IS NULL)`;
  const anyBad = risky.length > 0 ? risky.map(bad).join(' OR ') : 'false';
  let typeRejections: Rejection[] = [];
  let typeRejectedRows = 0;
  if (risky.length > 0 && staged > 0) {
    // One scan: the number of bad rows and the first MAX_REJECTIONS of them (a bounded top-n).
    const vals = risky.map((i) => `CASE WHEN ${bad(i)} THEN left(${xs[i]}, ${VALUE_PREVIEW}) END`).join(', ');
    const r = (
      await ctx.sqlWithProgress(
        `SELECT count(*), arg_min({'rid': __rid, 'vals': [${vals}]}, __rid, ${MAX_REJECTIONS}) FROM ${cleaned} WHERE ${anyBad}`,
        'inferring',
      )
    ).getRows()[0];
    typeRejectedRows = policy === 'reject_row' ? Number(r?.[0] ?? 0) : 0;
    const first = ((r?.[1] as { items?: unknown[] } | null)?.items ?? []) as {
      entries: { rid: unknown; vals: { items: unknown[] } };
    }[];
    const rids = first.map((e) => Number(e.entries.rid));
    const srcRows =
      rids.length === 0
        ? []
        : (
            await ctx.sql(
              `SELECT ${stage.srcRow('r')} FROM (SELECT unnest([${rids.join(', ')}]::BIGINT[]) AS r, generate_subscripts([${rids.join(', ')}], 1) AS k) ORDER BY k`,
            )
          )
            .getRows()
            .map((row) => Number(row[0]));
    first.forEach((e, k) => {
      e.entries.vals.items.forEach((v, j) => {
        if (v === null || typeRejections.length >= MAX_REJECTIONS) return;
        const plan = plans[risky[j] as number] as ColumnPlan;
        const reason = `not a valid ${plan.type}`;
        typeRejections.push({
          row: srcRows[k] ?? rids[k] ?? 0,
          column: names[risky[j] as number] as string,
          value: String(v),
          code: 'bad_value',
          params: { type: plan.type, nulled: policy === 'reject_row' ? 0 : 1 },
          reason: policy === 'reject_row' ? reason : `${reason}; stored as NULL`,
        });
      });
    });
    typeRejections = typeRejections.slice(0, MAX_REJECTIONS);
  }

  ctx.progress('writing', 0, staged + stage.pre.count);
  const select = [
    ...plans.map((p, i) => {
      // Columns whose every value fits need no regex gate before the cast.
      const cast = p.mayReject ? p.cast : p.fastCast;
      return `${cast(xs[i] as string)}::${p.sqlType} AS ${quoteIdent(names[i] as string)}`;
    }),
    ...stage.extras.map((e) => `${e.col} AS ${quoteIdent(e.name)}`),
  ];
  const keep = policy === 'reject_row' && risky.length > 0 ? `WHERE NOT (${anyBad})` : '';
  const rows = `SELECT ${select.join(', ')} FROM (SELECT ${cleanCols} FROM ${dataRows}) ${keep}`;
  if (select.length > WIDE_STATS_MAX_COLUMNS) {
    // Every thread of a parallel COPY keeps a Parquet writer with buffers for each column, which very wide
    // tables cannot afford: row_number() OVER () keeps this one to a single thread.
    await ctx.sqlWithProgress(
      `COPY (SELECT row_number() OVER () AS _id, * FROM (${rows})) TO ${quoteLiteral(partial)} (${DATA_FILE_FORMAT})`,
      'writing',
    );
  } else {
    await writeRows(ctx, rows, partial);
  }

  return finishResult(ctx, partial, select.length > WIDE_STATS_MAX_COLUMNS, names, plans, warnings, {
    source: {
      format,
      encoding: stage.encoding,
      delimiter: stage.delimiter,
      sheet: stage.sheet,
      geometry: stage.geometry,
    },
    rowsRejected: stage.pre.count + typeRejectedRows,
    rejections: [...stage.pre.sample, ...typeRejections].sort((a, b) => a.row - b.row),
    staged,
  });
}

/**
 * The result of a load both paths end with: counts from the written Parquet file, the warnings about empty or mostly
 * rejected files, and the report. `staged` (rows read, when known) decides "no data rows"; else rows loaded do.
 */
async function finishResult(
  ctx: Ctx,
  partial: string,
  /** The file stores _id (the single-threaded write of very wide tables); else _id is the row's position. */
  idStored: boolean,
  names: string[],
  plans: ColumnPlan[],
  warnings: Notice[],
  r: {
    source: Pick<IngestResult, 'format' | 'encoding' | 'delimiter' | 'sheet' | 'geometry'>;
    rowsRejected: number;
    rejections: Rejection[];
    staged?: number;
  },
): Promise<IngestResult> {
  const { rowsLoaded, nullCounts } = await parquetCounts(ctx, partial, idStored, names);
  const { rowsRejected } = r;
  // A column kept as text because of a few values: the warning names the first, for the user to find and correct.
  for (const [i, p] of plans.entries()) {
    const w = p.warning;
    if (!p.misfit || w?.code !== 'misfits_kept_as_text') continue;
    const col = quoteIdent(names[i] as string);
    const scan = dataFileScan(partial, idStored);
    const first = (
      await ctx.sql(
        `SELECT ${scan.id}, left(${col}, ${VALUE_PREVIEW}) FROM ${scan.from}
         WHERE ${col} IS NOT NULL AND ${p.misfit.cast(col)} IS NULL LIMIT 1`,
      )
    ).getRows()[0];
    if (!first) continue;
    const [row, value] = [Number(first[0]), String(first[1])];
    w.params = { ...w.params, row, value };
    w.message += `; the first is "${value}" (_id ${row})`;
  }
  if ((r.staged ?? rowsLoaded) === 0)
    warnings.push(notice('no_data_rows', {}, 'the file has a header but no data rows'));
  if (rowsRejected > rowsLoaded)
    warnings.push(
      notice(
        'more_rejected_than_loaded',
        { rejected: rowsRejected, loaded: rowsLoaded },
        `more rows were rejected (${rowsRejected}) than loaded (${rowsLoaded}): check the delimiter, header rows and encoding`,
      ),
    );
  ctx.progress('writing', ctx.bytesTotal, rowsLoaded + rowsRejected);
  return {
    ...r.source,
    columns: names.map((name, i) => ({
      name,
      type: (plans[i] as ColumnPlan).type,
      sourceIndex: i,
      nullCount: nullCounts[i] ?? 0,
    })),
    rowsRead: rowsLoaded + rowsRejected,
    rowsLoaded,
    rowsRejected,
    rejections: r.rejections.slice(0, MAX_REJECTIONS),
    warnings: warnings.map((w) => w.message),
    notices: warnings,
  };
}

/** The rejection code of each error_type of DuckDB's CSV rejects table. */
const CSV_REJECTION_CODES: Partial<Record<string, RejectionCode>> = {
  CAST: 'cast_failed',
  'MISSING COLUMNS': 'missing_columns',
  'TOO MANY COLUMNS': 'too_many_columns',
  'UNQUOTED VALUE': 'unquoted_value',
  'LINE SIZE OVER MAXIMUM': 'line_too_long',
  'INVALID UNICODE': 'invalid_unicode',
};

/** DuckDB's CSV reader on a file it refuses as a whole (lines ending in two ways, among others), saying not where. */
const CSV_STATE_ERROR = /state machine reached an invalid state/i;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The load of a CSV DuckDB refused whose lines end in two ways, from a copy in `work` whose lines all end in LF, with
 * a warning naming the first line that ended otherwise; null if the file's line ends are all of one kind (the refusal
 * has another cause). Rows, lines and values are those of the file as sent (only line ends change; quoted values keep
 * theirs); a byte offset in an error or warning of this load is moved back to the file as sent (inOriginal).
 */
async function loadWithLineEndsNormalized(
  opts: IngestOptions,
  format: 'csv' | 'tsv',
  size: number,
  work: string,
): Promise<IngestResult | null> {
  const ending = { LF: 'LF (\\n)', CRLF: 'CR LF (\\r\\n)' };
  let mixed: Awaited<ReturnType<typeof mixedLineEnd>> = null;
  let changed: number;
  let result: IngestResult;
  const copy = path.join(work, 'line-ends.txt');
  try {
    mixed = await mixedLineEnd(opts.filePath, opts.signal);
    if (!mixed) return null;
    const progress = progressReporter(size, opts.onProgress);
    changed = await normalizeLineEnds(opts.filePath, copy, {
      signal: opts.signal,
      onBytes: (n) => progress('reading', n, 0),
    });
    result = await ingest({ ...opts, filePath: copy, format }, false);
  } catch (err) {
    if (opts.signal?.aborted) throw cancelled();
    // DuckDB refuses the copy too: what is known for sure is where the file's line ends first change.
    const m = mixed;
    if (m && err instanceof AppError && err.code === 'invalid_csv' && CSV_STATE_ERROR.test(err.message)) {
      throw badFile(
        'mixed_line_endings',
        `Line ${m.line} of ${opts.originalName} ends with ${ending[m.then]} but the lines before it end with ${ending[m.first]} (byte offset ${m.offset}), and the file could not be read with every line ending in LF either: save it with one kind of line ending and upload again.`,
        { line: m.line, offset: m.offset },
      );
    }
    throw await inOriginal(err, copy, opts.filePath);
  }
  const note = notice(
    'line_ends_normalized',
    { line: mixed.line, then: mixed.then, first: mixed.first, changed },
    `the file's lines end in two ways (line ${mixed.line} ends with ${ending[mixed.then]}, the lines before it with ${ending[mixed.first]}): it was read with every line ending in LF (${changed} ${changed === 1 ? 'line end' : 'line ends'} changed from CR LF)`,
  );
  result.notices = await Promise.all(result.notices.map((n) => inOriginal(n, copy, opts.filePath)));
  result.notices.push(note);
  result.warnings = result.notices.map((n) => n.message);
  return result;
}

/**
 * An error or notice of a load of the line-end copy, with its byte offset (and line) in the file as sent: the copy
 * has the file's lines, and a line's bytes before its end are the same in both.
 */
async function inOriginal<T>(what: T, copy: string, original: string): Promise<T> {
  const where = what instanceof AppError ? what.extras : isNotice(what) ? what.params : null;
  const at = where?.offset;
  if (typeof at !== 'number') return what;
  const { offset, line } = await offsetInOriginal(copy, at, original, 'same');
  const placed = { ...where, offset, ...(where?.line !== undefined ? { line } : {}) };
  const text = (message: string) => message.replace(`byte offset ${at}`, `byte offset ${offset}`);
  if (what instanceof AppError) return new AppError(what.status, what.code, text(what.message), placed) as T;
  return { ...(what as Notice), params: placed, message: text((what as Notice).message) } as T;
}

const isNotice = (x: unknown): x is Notice => typeof x === 'object' && x !== null && 'code' in x && 'params' in x;

/** The scratch file a text source is transcoded into (GB18030 to UTF-8), in the load's work directory. */
const TRANSCODED = 'utf8.txt';

/**
 * Where NDJSON's `n`th record (DuckDB counts lines that are not blank) and the 1-based byte `byte` in it lie in the
 * file as sent: its physical line and byte offset. `work` may hold the UTF-8 copy DuckDB read instead of the file.
 */
async function ndjsonPlace(filePath: string, work: string, n: number, byte: number) {
  const copy = path.join(work, TRANSCODED);
  const read = fs.existsSync(copy) ? copy : filePath;
  const at = await nonBlankLine(read, n);
  if (!at) return null;
  const offset = at.start + Math.max(0, byte - 1);
  return read === filePath ? { line: at.line, offset } : offsetInOriginal(read, offset, filePath, 'gb18030');
}

/** Turns DuckDB reader errors about the file into AppErrors that name where it went wrong. */
async function translateError(
  err: unknown,
  opts: Pick<IngestOptions, 'filePath' | 'originalName'>,
  work: string,
  format: SourceFormat | null,
): Promise<unknown> {
  if (err instanceof AppError) return err;
  const { originalName } = opts;
  const message = messageOf(err);
  const json = /Malformed JSON in file "[^"]*", at byte (\d+) in (record\/value|line) (\d+): (.*)/s.exec(message);
  if (json) {
    // GeoJSON is read from the scratch file of its features, one per line.
    const where = format === 'geojson' ? 'feature' : json[2] === 'line' ? 'line' : 'record';
    // DuckDB 1.5 reports the record/line after the broken one (measured: an error in line 1 says line 2).
    const position = Math.max(1, Number(json[3]) - 1);
    const what = (json[4] ?? '').trim();
    const place = where === 'line' ? await ndjsonPlace(opts.filePath, work, position, Number(json[1])) : null;
    if (place) {
      return badFile(
        'invalid_json',
        `Invalid JSON in ${originalName} at line ${place.line} (byte offset ${place.offset}): ${what}`,
        { line: place.line, offset: place.offset },
      );
    }
    // Within a record of an array or a GeoJSON feature: the byte counts from the record's start.
    return badFile(
      'invalid_json',
      `Invalid JSON in ${originalName} at ${where} ${position} (near byte ${json[1]} of it): ${what}`,
      { [where]: position, offsetInRecord: Number(json[1]) },
    );
  }
  if (/JSON/.test(message) && /Invalid Input Error/.test(message)) {
    return badFile('invalid_json', `Invalid JSON in ${originalName}: ${message.replace(/"\/[^"]*"/g, 'the file')}`);
  }
  if (/CSV Error|Error when sniffing file|read_csv/i.test(message) || CSV_STATE_ERROR.test(message)) {
    return badFile('invalid_csv', `The file could not be read as CSV: ${message.replace(/"\/[^"]*"/g, 'the file')}`);
  }
  return err;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { quoteLiteral, type DataEngine } from '../../../platform/duckdb/index.ts';
import { badRequest } from '../../../platform/http/errors.ts';
import { GEOJSON_COLUMNS } from '../../ingest/index.ts';
import { buildRowsQuery } from '../query/build.ts';
import { mapQueryError } from '../query/run.ts';
import type { ResultField, RowsRequest, TableSource } from '../query/types.ts';
import { chunkRows, type JsonSafe } from '../query/values.ts';
import type { CsvEncoding, ExportFormat } from './headers.ts';

export interface ExportOptions {
  /** CSV only: UTF-8 (default), UTF-8 with a BOM so Excel detects it, or GB18030 for older Chinese software. */
  encoding?: CsvEncoding;
  /** Where the Parquet export is staged; default os.tmpdir(). */
  tempDir?: string;
  /** Stops after this many rows (e.g. a per-role download limit). */
  maxRows?: number;
  /** Worksheet name for XLSX. */
  sheetName?: string;
}

export interface ExportResult {
  rows: number;
}

/** Geometry column name: GeoJSON geometry text written by ingest. */
export const GEOMETRY_COLUMN = GEOJSON_COLUMNS.geometry;
/** Excel's sheet limit is 1,048,576 rows including the header. */
const XLSX_ROWS_PER_SHEET = 1_048_575;

/**
 * Waits for the first of two events of a stream, leaving no listener behind: the other wait is called off (a plain
 * race of two `once` calls kept the loser's 'close' and 'error' listeners until the stream closed, one more for
 * every wait of a long export).
 */
async function either(out: Writable, a: string, b: string): Promise<void> {
  const off = new AbortController();
  try {
    await Promise.race([once(out, a, { signal: off.signal }), once(out, b, { signal: off.signal })]);
  } finally {
    off.abort();
  }
}

/** Writes with backpressure, failing fast when the reader went away. */
async function write(out: Writable, data: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('export destination closed');
  if (!out.write(data)) await either(out, 'drain', 'close');
}

async function waitDrain(out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('export destination closed');
  if (out.writableNeedDrain) await either(out, 'drain', 'close');
}

function csvCell(v: JsonSafe): string {
  if (v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface RowSink {
  begin(fields: ResultField[]): Promise<void>;
  rows(rows: JsonSafe[][]): Promise<void>;
  end(): Promise<void>;
}

function textSink(
  out: Writable,
  encode: (s: string) => string | Buffer,
  fmt: 'csv' | 'json' | 'ndjson' | 'geojson',
  bom: boolean,
): RowSink {
  let fields: ResultField[] = [];
  let first = true;
  let geomIdx = -1;
  // CSV date-times as 2025-01-01 08:00:00 (what Excel and WPS read as a date-time), not ISO's 2025-01-01T08:00:00.
  let csvCells: (v: JsonSafe, i: number) => string = csvCell;
  const record = (r: JsonSafe[]) => Object.fromEntries(fields.map((f, i) => [f.id, r[i] ?? null]));
  return {
    async begin(f) {
      fields = f;
      geomIdx = fields.findIndex((x) => x.id === GEOMETRY_COLUMN);
      const datetime = new Set(fields.flatMap((x, i) => (x.type === 'datetime' ? [i] : [])));
      if (datetime.size > 0)
        csvCells = (v, i) => csvCell(datetime.has(i) && typeof v === 'string' ? v.replace('T', ' ') : v);
      if (fmt === 'csv')
        await write(out, encode((bom ? '\uFEFF' : '') + fields.map((x) => csvCell(x.id)).join(',') + '\r\n'));
      if (fmt === 'json') await write(out, encode('['));
      if (fmt === 'geojson') await write(out, encode('{"type":"FeatureCollection","features":['));
    },
    async rows(rows) {
      let text = '';
      for (const r of rows) {
        if (fmt === 'csv') text += r.map(csvCells).join(',') + '\r\n';
        else if (fmt === 'ndjson') text += JSON.stringify(record(r)) + '\n';
        else if (fmt === 'json') text += (first ? '\n' : ',\n') + JSON.stringify(record(r));
        else {
          const properties: Record<string, JsonSafe> = {};
          fields.forEach((f, i) => {
            if (i !== geomIdx) properties[f.id] = r[i] ?? null;
          });
          let geometry: unknown = null;
          const g = r[geomIdx];
          if (typeof g === 'string' && g) {
            try {
              geometry = JSON.parse(g);
            } catch {
              geometry = null;
            }
          } else if (g && typeof g === 'object') geometry = g;
          text += (first ? '\n' : ',\n') + JSON.stringify({ type: 'Feature', geometry, properties });
        }
        first = false;
      }
      if (text) await write(out, encode(text));
    },
    async end() {
      if (fmt === 'json') await write(out, encode(first ? ']' : '\n]'));
      if (fmt === 'geojson') await write(out, encode(first ? ']}' : '\n]}'));
      out.end();
      await either(out, 'finish', 'close');
    },
  };
}

function xlsxSink(out: Writable, sheetName: string): RowSink {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  let fields: ResultField[] = [];
  let sheet: ExcelJS.Worksheet | undefined;
  let sheetRows = 0;
  let sheetNo = 0;
  const newSheet = () => {
    sheet?.commit();
    sheetNo++;
    sheet = wb.addWorksheet(sheetNo === 1 ? sheetName : `${sheetName} (${sheetNo})`);
    sheet.columns = fields.map((f) => ({
      header: f.id,
      key: f.id,
      width: Math.min(40, Math.max(10, f.id.length * 2 + 2)),
      style:
        f.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : f.type === 'datetime' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
    }));
    sheetRows = 0;
  };
  // Excel has no time zones: a wall-clock time is written as that UTC instant so Excel shows the same digits.
  const cell = (v: JsonSafe, f: ResultField): ExcelJS.CellValue => {
    if (v === null) return null;
    if (f.type === 'date' && typeof v === 'string') return new Date(`${v}T00:00:00Z`);
    if (f.type === 'datetime' && typeof v === 'string') return new Date(`${v.slice(0, 23)}Z`);
    if (typeof v === 'object') return JSON.stringify(v);
    return v;
  };
  return {
    async begin(f) {
      fields = f;
      newSheet();
    },
    async rows(rows) {
      for (const r of rows) {
        if (sheetRows >= XLSX_ROWS_PER_SHEET) newSheet();
        sheet?.addRow(fields.map((f, i) => cell(r[i] ?? null, f))).commit();
        sheetRows++;
      }
      await waitDrain(out);
    },
    async end() {
      sheet?.commit();
      await wb.commit();
    },
  };
}

function exportRequest(src: TableSource, req: RowsRequest, format: ExportFormat): RowsRequest {
  const r: RowsRequest = { ...req, offset: 0 };
  delete r.cursor;
  if (format === 'geojson') {
    if (!src.columns.some((c) => c.name === GEOMETRY_COLUMN))
      throw badRequest('geojson_unavailable', 'this table has no geometry, so it cannot be exported as GeoJSON', {
        field: 'format',
      });
    if (r.aggregates || r.groupBy)
      throw badRequest('geojson_unavailable', 'aggregated rows have no geometry; use another format', {
        field: 'format',
      });
    if (r.fields && !r.fields.includes(GEOMETRY_COLUMN)) r.fields = [...r.fields, GEOMETRY_COLUMN];
  }
  return r;
}

/**
 * Streams every row matching req (same spec as a rows request, without limit/offset/cursor) to out, in DuckDB result
 * chunks, and ends out. Parquet is written by DuckDB to a temporary file, streamed, then deleted. On failure out is
 * destroyed so an HTTP client sees a broken download, not a truncated "complete" one.
 */
export async function exportRows(
  engine: DataEngine,
  src: TableSource,
  req: RowsRequest,
  format: ExportFormat,
  out: Writable,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const built = buildRowsQuery(src, exportRequest(src, req, format), { unlimited: true });
  const sql = built.sql + (opts.maxRows !== undefined ? ` LIMIT ${Math.max(0, Math.floor(opts.maxRows))}` : '');
  try {
    if (format === 'parquet') {
      const file = path.join(opts.tempDir ?? os.tmpdir(), `citydata-export-${randomUUID()}.parquet`);
      try {
        const rows = await engine.withConnection(async (conn) => {
          const r = await conn.run(
            `COPY (${sql}) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`,
            built.params,
          );
          return r.rowsChanged;
        });
        await pipeline(fs.createReadStream(file), out);
        return { rows };
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
    const encoding = opts.encoding ?? 'utf8';
    const sink =
      format === 'xlsx'
        ? xlsxSink(out, (opts.sheetName ?? 'data').replace(/[[\]:*?/\\]/g, '_').slice(0, 25) || 'data')
        : textSink(
            out,
            format === 'csv' && encoding === 'gb18030' ? (s) => iconv.encode(s, 'gb18030') : (s) => s,
            format,
            format === 'csv' && encoding === 'utf8-bom',
          );
    let rows = 0;
    await engine.withConnection(async (conn) => {
      const result = await conn.stream(sql, built.params);
      await sink.begin(built.fields);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const batch = chunkRows(chunk);
        rows += batch.length;
        await sink.rows(batch);
      }
    });
    await sink.end();
    return { rows };
  } catch (err) {
    const mapped = mapQueryError(err);
    out.destroy(mapped instanceof Error ? mapped : undefined);
    throw mapped;
  }
}

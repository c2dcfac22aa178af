import fs from 'node:fs';
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { badRequest, notFound } from '../../platform/http/errors.ts';
import { findSpec, resourceRowCount } from './catalogue.ts';
import { Rng } from './random.ts';
import { GEOMETRY_FIELD } from './resources/spec.ts';
import type { Cell, DemoCity, Geometry } from './types.ts';

export type DemoFileFormat = 'csv' | 'geojson' | 'csv-gb18030' | 'xlsx';

export interface WriteResourceOptions {
  scale: number;
  format: DemoFileFormat;
  /** A path (created/overwritten and closed) or a stream (written to, left open for the caller). */
  out: NodeJS.WritableStream | string;
  /** Called every 100,000 rows and at the end with the rows written so far. */
  onRows?: (rows: number) => void;
}

const FLUSH_CHARS = 64 * 1024;
const PROGRESS_EVERY = 100_000;
const XML_RATIO = 4;
const XLSX_BACKLOG = 16 * 1024 * 1024;

function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function wkt(g: Geometry): string {
  const pt = (c: [number, number]) => `${c[0]} ${c[1]}`;
  switch (g.type) {
    case 'Point':
      return `POINT (${pt(g.coordinates)})`;
    case 'LineString':
      return `LINESTRING (${g.coordinates.map(pt).join(', ')})`;
    case 'Polygon':
      return `POLYGON (${g.coordinates.map((ring) => `(${ring.map(pt).join(', ')})`).join(', ')})`;
  }
}

async function write(out: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  // Backpressure: wait for 'drain' whenever the destination's buffer is full.
  if (!out.write(chunk)) await once(out as Writable, 'drain');
}

/**
 * Streams the rows of one resource into `out`; deterministic for (city.seed, key, scale).
 * CSV: UTF-8 without BOM (or GB18030), header = field names, '\n' line ends. GeoJSON: a
 * FeatureCollection whose properties are the fields except the geometry field.
 */
export async function writeResourceData(
  city: DemoCity,
  key: string,
  opts: WriteResourceOptions,
): Promise<{ rows: number; bytes: number }> {
  const resource = city.resources.find((r) => r.key === key);
  const spec = findSpec(key);
  if (!resource || !spec) throw notFound('demo resource', key);
  if (!spec.generate || resource.rows === 0)
    throw badRequest('demo_no_data', `demo resource ${key} is metadata only and has no data to write`);
  if (!(opts.scale > 0) || !Number.isFinite(opts.scale))
    throw badRequest('demo_bad_scale', `scale must be a positive number, got ${opts.scale}`);
  if (opts.format === 'geojson' && !resource.geo)
    throw badRequest('demo_not_geo', `demo resource ${key} has no geometry; write it as csv or xlsx`);

  const rows = resourceRowCount(resource, opts.scale);
  const next = spec.generate({
    seed: city.seed,
    scale: opts.scale,
    rows,
    rng: new Rng(`${city.seed}:${key}:${opts.scale}`),
  });
  const names = resource.fields.map((f) => f.name);
  const geomIdx = names.indexOf(GEOMETRY_FIELD);

  const ownStream = typeof opts.out === 'string';
  const target: NodeJS.WritableStream = typeof opts.out === 'string' ? fs.createWriteStream(opts.out) : opts.out;
  let bytes = 0;

  const rowValues = (i: number): { values: Cell[]; geometry?: Geometry } => {
    const row = next(i);
    if (row.values.length !== names.length)
      throw new Error(`demo generator ${key} gave ${row.values.length} values for ${names.length} fields at row ${i}`);
    if (geomIdx >= 0 && row.geometry) row.values[geomIdx] = wkt(row.geometry);
    return row;
  };

  try {
    if (opts.format === 'xlsx') {
      bytes = await writeXlsx(target, resource.name, names, rows, rowValues, opts.onRows);
    } else {
      const gb = opts.format === 'csv-gb18030';
      let buf = '';
      const flush = async () => {
        if (!buf) return;
        const chunk = gb ? iconv.encode(buf, 'gb18030') : Buffer.from(buf, 'utf8');
        buf = '';
        bytes += chunk.length;
        await write(target, chunk);
      };
      if (opts.format === 'geojson') {
        const props = names.map((n, k) => [n, k] as const).filter(([, k]) => k !== geomIdx);
        buf += '{"type":"FeatureCollection","name":' + JSON.stringify(key) + ',"features":[\n';
        for (let i = 0; i < rows; i++) {
          const row = rowValues(i);
          const p: Record<string, Cell> = {};
          for (const [n, k] of props) p[n] = row.values[k] ?? null;
          buf += (i ? ',\n' : '') + JSON.stringify({ type: 'Feature', properties: p, geometry: row.geometry ?? null });
          if (buf.length >= FLUSH_CHARS) await flush();
          if ((i + 1) % PROGRESS_EVERY === 0) opts.onRows?.(i + 1);
        }
        buf += '\n]}\n';
      } else {
        buf += names.map(csvCell).join(',') + '\n';
        for (let i = 0; i < rows; i++) {
          const { values } = rowValues(i);
          buf += values.map(csvCell).join(',') + '\n';
          if (buf.length >= FLUSH_CHARS) await flush();
          if ((i + 1) % PROGRESS_EVERY === 0) opts.onRows?.(i + 1);
        }
      }
      await flush();
    }
    opts.onRows?.(rows);
  } finally {
    if (ownStream) {
      target.end();
      await finished(target as Writable);
    }
  }
  return { rows, bytes };
}

/** Excel sheet names: ≤ 31 characters, none of \ / ? * [ ] : */
function sheetName(name: string): string {
  return name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1';
}

async function writeXlsx(
  target: NodeJS.WritableStream,
  title: string,
  names: string[],
  rows: number,
  rowValues: (i: number) => { values: Cell[] },
  onRows?: (rows: number) => void,
): Promise<number> {
  // exceljs writes into a zip stream; count what reaches the target through a pass-through that does
  // not end a caller's stream.
  let bytes = 0;
  const counter = new PassThrough();
  counter.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const piped = counter.pipe(target as Writable, { end: false });
  const fixed = new Date(Date.UTC(2026, 0, 1));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: counter,
    useStyles: false,
    useSharedStrings: false,
    zip: { zlib: { level: 1 } },
  });
  wb.created = fixed;
  wb.modified = fixed;
  wb.creator = 'CityData demo';
  const ws = wb.addWorksheet(sheetName(title));
  ws.addRow(names).commit();
  // exceljs pipes into its zip without backpressure, so rows pile up in memory when generation
  // outruns deflate. Bound the backlog: estimate the sheet XML written and wait for compressed output
  // while xml - compressed × ratio is too big. The ratio starts low and is recalibrated whenever the
  // output goes quiet (deflate has caught up, so everything written so far has been compressed).
  let xml = 0;
  let ratio = XML_RATIO;
  const dataOrTimeout = () =>
    new Promise<boolean>((resolve) => {
      const onData = () => {
        clearTimeout(t);
        resolve(true);
      };
      const t = setTimeout(() => {
        counter.off('data', onData);
        resolve(false);
      }, 50);
      counter.once('data', onData);
    });
  for (let i = 0; i < rows; i++) {
    const values = rowValues(i).values;
    for (const v of values) xml += 24 + (typeof v === 'string' ? v.length * 2 : 8);
    ws.addRow(values).commit();
    if ((i + 1) % 1000 === 0) {
      while (xml - bytes * ratio > XLSX_BACKLOG) {
        if (!(await dataOrTimeout())) {
          ratio = Math.max(ratio, (xml - XLSX_BACKLOG / 2) / Math.max(1, bytes));
          break;
        }
      }
      if ((piped as Writable).writableNeedDrain) await once(piped as Writable, 'drain');
    }
    if ((i + 1) % PROGRESS_EVERY === 0) onRows?.(i + 1);
  }
  ws.commit();
  await wb.commit();
  if (!counter.readableEnded) await once(counter, 'end');
  counter.unpipe(target as Writable);
  return bytes;
}

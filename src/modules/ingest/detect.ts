import fs from 'node:fs';
import path from 'node:path';
import type { SourceFormat } from './types.ts';
import { badFile } from './errors.ts';
import { readHead } from './encoding.ts';

const DELIMITERS = [',', '\t', ';', '|'];
const MAX_HEADER_BYTES = 64 << 20;

/** Format from the client's file name extension (name only, never a path), else from content. */
export function detectFormat(filePath: string, originalName: string): SourceFormat {
  const ext = path.extname(originalName).toLowerCase();
  const head = readHead(filePath, 64 * 1024);
  if (ext === '.xls' || ext === '.xlsx' || ext === '.xlsm') {
    const wrong = notAWorkbook(head, ext);
    if (wrong) throw wrong;
    // An .xlsx workbook named .xls.
    if (ext === '.xls' && isZip(head)) return 'xlsx';
  }
  if (ext === '.xls') {
    throw badFile(
      'unsupported_format',
      'Legacy .xls (Excel 97-2003) files are not supported; save the sheet as .xlsx or .csv',
      {
        field: 'file',
      },
    );
  }
  switch (ext) {
    case '.csv':
      return 'csv';
    case '.tsv':
    case '.tab':
      return 'tsv';
    case '.xlsx':
    case '.xlsm':
      return 'xlsx';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.geojson':
      return 'geojson';
    case '.json':
      return sniffJsonKind(head) ?? 'json';
    default:
      return sniffFormat(head);
  }
}

/** A JSON text's start: past a byte order mark and white space. */
export function jsonText(head: Buffer): string {
  return head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
}

function sniffJsonKind(head: Buffer): SourceFormat | null {
  const text = jsonText(head);
  if (text.startsWith('[')) return 'json';
  if (!text.startsWith('{')) return null;
  if (/"type"\s*:\s*"FeatureCollection"/.test(text)) return 'geojson';
  // One object per line: NDJSON; a single (pretty-printed) object: JSON.
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 1 && lines.slice(0, -1).every((l) => l.trim().startsWith('{') && l.trim().endsWith('}'))
    ? 'ndjson'
    : 'json';
}

const isZip = (head: Buffer) => head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
/** An OLE compound file: a legacy .xls workbook, or an .xlsx one encrypted with a password. */
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/**
 * What a file named as an Excel workbook is when it is not an .xlsx one (a zip archive), as the error to give; null
 * when it is a zip, or an OLE file named .xls (the legacy format's own error follows).
 */
function notAWorkbook(head: Buffer, ext: string): ReturnType<typeof badFile> | null {
  if (isZip(head)) return null;
  if (head.subarray(0, OLE.length).equals(OLE)) {
    if (ext === '.xls') return null;
    return badFile(
      'xlsx_protected',
      `The file is named ${ext} but is a password-protected workbook or an old .xls one renamed: remove the password (or open it in Excel and save it as .xlsx) and upload it again`,
      { field: 'file' },
    );
  }
  const text = head
    .subarray(0, 4096)
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart()
    .toLowerCase();
  if (text.includes('urn:schemas-microsoft-com:office:spreadsheet')) {
    return badFile(
      'xlsx_is_xml',
      `The file is named ${ext} but is an Excel 2003 XML spreadsheet, as some systems export tables: open it in Excel or WPS, save it as .xlsx and upload it again`,
      { field: 'file' },
    );
  }
  if (/^<(!doctype html|html|table|meta|head|body)/.test(text) || /<table[\s>]/.test(text)) {
    return badFile(
      'xlsx_is_html',
      `The file is named ${ext} but is a web page (HTML), as some systems export tables: open it in Excel or WPS, save it as .xlsx and upload it again`,
      { field: 'file' },
    );
  }
  if (!head.subarray(0, 4096).includes(0)) {
    return badFile(
      'xlsx_is_text',
      `The file is named ${ext} but is text, not an Excel workbook: if it is a CSV export, name it .csv (or save it as .xlsx) and upload it again`,
      { field: 'file' },
    );
  }
  return badFile(
    'corrupt_xlsx',
    `The file is named ${ext} but is not an Excel workbook (an .xlsx file is a zip archive)`,
    {
      field: 'file',
    },
  );
}

function sniffFormat(head: Buffer): SourceFormat {
  if (isZip(head)) return 'xlsx';
  const json = sniffJsonKind(head);
  if (json) return json;
  return sniffDelimiter(head.toString('latin1')) === '\t' ? 'tsv' : 'csv';
}

/** Splits text into records (RFC 4180 quoting). Stops after maxRecords; the last one may be cut. */
export function parseRecords(
  text: string,
  delim: string,
  maxRecords: number,
): { records: string[][]; consumed: number; complete: boolean } {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let inQuotes = false;
  let i = 0;
  let atFieldStart = true;
  while (i < text.length && records.length < maxRecords) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (ch === delim) {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      records.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else {
      field += ch;
      atFieldStart = false;
    }
    i++;
  }
  const complete = records.length >= maxRecords;
  if (!complete && (field !== '' || row.length > 0)) {
    row.push(field);
    records.push(row);
  }
  return { records, consumed: i, complete };
}

/** Picks the delimiter that splits the first lines into the most consistent number of fields (>1). */
export function sniffDelimiter(sample: string): string {
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const { records } = parseRecords(sample, d, 50);
    const rows = records.length > 1 ? records.slice(0, -1) : records; // the last may be cut mid-record
    const counts = new Map<number, number>();
    for (const r of rows) if (r.length > 1) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let modeCount = 0;
    let mode = 0;
    for (const [n, c] of counts) if (c > modeCount || (c === modeCount && n > mode)) [mode, modeCount] = [n, c];
    const score = rows.length === 0 ? 0 : (modeCount / rows.length) * 1000 + mode;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Reads the first `count` records of a UTF-8 text file (the header rows). Streams, so a header
 * with 10,000 columns or a huge field costs only what it holds.
 */
export async function readHeaderRecords(file: string, delim: string, count: number): Promise<string[][]> {
  const decoder = new TextDecoder('utf-8'); // strips a BOM
  let text = '';
  let read = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      text += decoder.decode(chunk, { stream: true });
      read += chunk.length;
      const { records, complete } = parseRecords(text, delim, count);
      if (complete) return records.slice(0, count);
      if (read > MAX_HEADER_BYTES) {
        throw badFile(
          'header_too_large',
          `The header row is larger than ${MAX_HEADER_BYTES >> 20} MB; is the delimiter or quoting wrong?`,
          {
            row: 0,
          },
        );
      }
    }
  } finally {
    stream.destroy();
  }
  text += decoder.decode();
  return parseRecords(text, delim, count).records;
}

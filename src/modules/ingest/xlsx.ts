import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { AppError } from '../../platform/http/errors.ts';
import { badFile, notice, throwIfAborted } from './errors.ts';
import { joinHeaderRows } from './names.ts';
import type { Notice } from './types.ts';
import { scratchWriter } from './scratch-writer.ts';

/*
 * XLSX through exceljs' streaming WorkbookReader. Rows are written to a scratch CSV (every value
 * quoted) so the rest of the pipeline is the same DuckDB path as for CSV files.
 * The streaming reader does not report merged ranges (they sit after the rows in the sheet XML and
 * it skips them), so merged headers are recognised from their shape: an upper header row with gaps
 * that the row below fills.
 */

export interface XlsxStage {
  csvPath: string;
  sheet: string;
  headers: string[];
  width: number;
  /** Data rows written to csvPath that belong to the table (trailing notes rows excluded). */
  dataRows: number;
  warnings: Notice[];
}

type Cell = string | null;

const NOTE_ROW =
  /^\s*(?:(注|备注|说明|附注|附件|数据来源|资料来源|来源|填报说明|填表说明|制表|制表人|制表单位|填表人|填报人|审核人|负责人|联系人|联系电话)\s*(\d+\s*)?[:：.、]|注\s*$|[*＊※]\s*[^\sA-Za-z])/;
const NUMERIC = /^[+-]?[\d,]*\.?\d+(?:[eE][+-]?\d+)?$/;
const YEAR = /^(19|20)\d{2}$/;
const HEAD_BUFFER = 30;

const pad = (n: number) => String(n).padStart(2, '0');

const timeOf = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

function formatDate(d: Date): string {
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = timeOf(d);
  return time === '00:00:00' ? date : `${date} ${time}`;
}

/** Excel cell value → text (the inference step types it). */
function cellText(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  // Excel keeps 15 significant digits; more is binary noise (0.1 + 0.2).
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(15))) : null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : formatDate(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('error' in o) return null;
    if (typeof o.text === 'string') return o.text;
  }
  return String(v);
}

/** An Excel error value (#DIV/0!, #N/A, ...) in a cell (a formula's saved one: formulaValue). */
const isErrorValue = (v: unknown) => typeof v === 'object' && v !== null && 'error' in v;

/**
 * The reader met a cell of the shared text table before reading the table: exceljs's streaming reader misses
 * xl/sharedStrings.xml when the zip stores it after the sheets, last or nearly (seen in files rewritten by some tools;
 * Excel and WPS store it before), and gives {sharedString: n} for every text cell, which would load as
 * "[object Object]".
 */
function stringsUnread(): AppError {
  return badFile(
    'xlsx_strings_unread',
    'The workbook stores its text (xl/sharedStrings.xml) after its sheets, in an order this reader cannot read: open the file in Excel or WPS, save it again and upload it again (or save it as CSV)',
    { field: 'file' },
  );
}

/** A cell of exceljs's streaming reader, for what row.values does not say of a formula cell. */
interface StreamCell {
  address: string;
  /** The number format (styles read): tells a date from a number. */
  numFmt?: string;
  /**
   * `result`: a formula's saved value as the reader parsed it; `rawValue.result` for a cell of a formula filled down
   * (stored once, `<f t="shared" si="0"/>` below), which the reader makes a text cell holding the value.
   */
  model: { result?: unknown; rawValue?: { result?: unknown } };
}

/**
 * Whether an Excel number format shows a date or time: exceljs's own test (utils.isDateFmt, not exported), which its
 * reader applies to plain cells: a y, m, d, h, s or b outside quoted text and [...] parts.
 */
function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return /[ymdhMsb]/.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** An Excel serial day number as a date (exceljs's utils.excelToDate): 1900 or 1904 date system. */
const serialToDate = (v: number, date1904: boolean) =>
  new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));

/** A format that shows a time of day alone (h:mm, [h]:mm:ss, mm:ss): hours or seconds, and no year, day or month name. */
function isTimeFormat(fmt: string | undefined): boolean {
  if (!isDateFormat(fmt)) return false;
  const f = (fmt ?? '').replace(/"[^"]*"/g, '').toLowerCase();
  return /[hs]/.test(f) && !/[ydb]|mmm/.test(f.replace(/\[[^\]]*]/g, ''));
}

const isFormula = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && ('formula' in v || 'sharedFormula' in v);

/**
 * A formula cell's saved value. exceljs's streaming reader parses it as a number unless it is text, whatever the
 * cell's type or format, and row.values drops a result that is falsy: so it is read from the cell's model, where a
 * date (=B3+30 in a date column) is its serial number, an error value (#DIV/0!) NaN, FALSE 0 and TRUE 1 (not told
 * from numbers), an empty text "" and a formula saved without a value undefined.
 */
function formulaValue(
  v: Record<string, unknown>,
  cell: StreamCell,
  date1904: boolean,
): { value: unknown; emptied: 'error' | 'formula' | null } {
  const saved = cell.model.result ?? cell.model.rawValue?.result ?? v.result;
  if (saved === undefined || saved === null) return { value: null, emptied: 'formula' };
  if (typeof saved === 'number' && Number.isNaN(saved)) return { value: null, emptied: 'error' };
  if (typeof saved === 'number' && isDateFormat(cell.numFmt))
    return { value: serialToDate(saved, date1904), emptied: null };
  return { value: saved, emptied: null };
}

/** How a cell's value differs from what the user typed: each kind is counted for a warning of its own. */
type CellLoss = 'error' | 'formula' | 'long_number';

/**
 * A row's cells as text; `onLoss(column, kind)` for each cell whose value is not what the user typed: an Excel error
 * value or a formula saved without its value (loaded as empty), or a number of more than 15 digits (Excel kept 15).
 * `cellAt` gives a cell, for a formula's saved value (formulaValue) and a number's format.
 */
function rowCells(
  values: unknown,
  onLoss: (column: number, kind: CellLoss) => void,
  cellAt: (column: number) => StreamCell,
  date1904: boolean,
): Cell[] {
  const arr = Array.isArray(values) ? (values as unknown[]) : [];
  const out: Cell[] = [];
  // exceljs row.values is 1-based and sparse.
  for (let c = 1; c < arr.length; c++) {
    let v = arr[c];
    if (typeof v === 'object' && v !== null && 'sharedString' in v) throw stringsUnread();
    if (isFormula(v)) {
      const f = formulaValue(v, cellAt(c), date1904);
      if (f.emptied) onLoss(c, f.emptied);
      v = f.value;
    } else if (isErrorValue(v)) onLoss(c, 'error');
    if (typeof v === 'number' && Number.isInteger(v)) {
      // An 18-digit identity card number typed as a number: Excel kept its first 15 digits.
      if (Math.abs(v) >= 1e15) onLoss(c, 'long_number');
      // A code shown with leading zeros by its format (0000): the text the user sees.
      const fmt = cellAt(c).numFmt;
      if (fmt && /^0+$/.test(fmt)) v = `${v < 0 ? '-' : ''}${String(Math.abs(v)).padStart(fmt.length, '0')}`;
    }
    // A time of day alone (h:mm): Excel keeps it as a fraction of day 0 (1899-12-30, or 1904-01-01): the time.
    if (v instanceof Date && isTimeFormat(cellAt(c).numFmt)) v = timeOf(v);
    const t = cellText(v);
    out.push(t === null || t.trim() === '' ? null : t);
  }
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  return out;
}

const nonEmpty = (r: Cell[]) => r.filter((c) => c !== null).length;

/**
 * Whether the workbook has a sheet named as `sheet` (a number too), from its list of sheets (xl/workbook.xml, read
 * before the sheets: see stageXlsx); null when the list is not known.
 */
function sheetNamed(reader: unknown, sheet: string | number | undefined): boolean | null {
  if (sheet === undefined) return false;
  const sheets = (reader as { model?: { sheets?: { name?: string }[] } }).model?.sheets;
  return sheets ? sheets.some((s) => s.name === String(sheet)) : null;
}

/**
 * Whether `lower` is the second row of a merged two-row header under `upper`: it holds no number and fills gaps of
 * the upper row (the columns under a group such as 2020年): two or more, or the one gap of a single group with
 * nothing under the headers of one column (地区 spanning both rows). A first data row under a header with one
 * unnamed column (a roster's 姓名, 性别, …, 住址) fills that gap too, but also has values under 姓名 and 性别.
 */
function isHeaderContinuation(upper: Cell[], lower: Cell[] | undefined): boolean {
  if (!lower) return false;
  const width = Math.max(upper.length, lower.length);
  let gapsFilled = 0;
  let underSingles = false;
  for (let c = 0; c < width; c++) {
    const u = upper[c] ?? null;
    const l = lower[c] ?? null;
    // Numbers are data, but for years (2022, 2023 under 常住人口), which headers hold as numbers too.
    if (l !== null && NUMERIC.test(l.trim()) && !YEAR.test(l.trim())) return false;
    if (u === null && l !== null) gapsFilled++;
    // A value under a header of one column (not followed by a gap it heads; a row's array ends at its last value).
    if (u !== null && l !== null && (c + 1 >= width || (upper[c + 1] ?? null) !== null)) underSingles = true;
  }
  return gapsFilled >= 2 || (gapsFilled === 1 && !underSingles);
}

/**
 * A line above a header saying who filled the form in, the unit or the period (填报单位：民政局 … 单位：个): every
 * filled cell starts with such a label. Skipped with the title rows.
 */
const META_CELL =
  /^\s*(填报单位|填表单位|报送单位|制表单位|统计单位|编制单位|单位|计量单位|金额单位|填报日期|填表日期|报送日期|统计时间|统计日期|统计期|报告期|数据时间|截止日期|截至日期|时间)\s*[:：]/;
const isMetaRow = (cells: Cell[]) => cells.every((c) => c === null || META_CELL.test(c));

/** A row of totals (合计, 总计, 小计): loaded as data, with a warning, since it sums the other rows. */
const TOTALS_CELL = /^\s*(合\s*计|总\s*计|小\s*计|全市合计|全区合计|全县合计|总合计)\s*[:：]?\s*$/;

const csvField = (c: Cell) => (c === null ? '' : `"${c.replace(/"/g, '""')}"`);

interface XlsxOptions {
  filePath: string;
  csvPath: string;
  sheet?: string | number;
  headerRows?: number;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

/** Reads of a workbook tried at most, for ExcelJS's streaming-reader race below. */
const XLSX_ATTEMPTS = 3;

/**
 * ExcelJS 4.4's streaming WorkbookReader now and then misses one of the last entries of the zip (a race in its unzip
 * pass, exceljs/exceljs#3064: the same file often reads fine the next time). Missing xl/workbook.xml (which ExcelJS
 * itself writes last) it fails reading `this.model.sheets`; missing xl/sharedStrings.xml stored after the sheets, it
 * gives placeholders for text (stringsUnread). Those two are retried; the whole file is read again each time.
 */
export async function stageXlsx(opts: XlsxOptions): Promise<XlsxStage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await stageXlsxOnce(opts);
    } catch (err) {
      const race = err instanceof AppError && err.code === 'corrupt_xlsx' && /reading 'sheets'/.test(err.message);
      const strings = err instanceof AppError && err.code === 'xlsx_strings_unread';
      if (!(race || strings) || opts.signal?.aborted) throw err;
      if (strings && attempt >= XLSX_ATTEMPTS) throw err;
      if (attempt >= XLSX_ATTEMPTS) {
        // Every read missed the workbook's list of sheets: it is missing, or stored where the reader cannot find it.
        throw badFile(
          'corrupt_xlsx',
          "The Excel file's list of sheets (xl/workbook.xml) could not be read: the file may be damaged or written by a tool that stores it unusually; open it in Excel or WPS, save it again and upload it again",
          { field: 'file' },
        );
      }
    }
  }
}

async function stageXlsxOnce(opts: XlsxOptions): Promise<XlsxStage> {
  const input = fs.createReadStream(opts.filePath, { highWaterMark: 1 << 20 });
  let bytes = 0;
  input.on('data', (chunk) => {
    bytes += chunk.length;
    opts.onBytes?.(bytes);
  });
  const out = scratchWriter(opts.csvPath);
  const warnings: Notice[] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let sheetIndex = 0;
  let result: XlsxStage | null = null;
  const sheetNames: string[] = [];
  const hiddenSheets: string[] = [];
  // Whether the sheet asked for is a name of the workbook's (null: not known yet).
  let byName: boolean | null = null;
  try {
    for await (const ws of reader) {
      sheetIndex++;
      const name = (ws as unknown as { name: string }).name;
      sheetNames.push(name);
      // By default the first visible sheet with data (a hidden one holds lookup lists and the like). A number is a
      // sheet's name when the workbook has a sheet so named (tabs 汇总, 1, 2, … 12: sheet=1 is the sheet named 1),
      // else its position.
      const hidden = (ws as unknown as { state?: string }).state;
      if (opts.sheet === undefined && (hidden === 'hidden' || hidden === 'veryHidden')) hiddenSheets.push(name);
      byName ??= sheetNamed(reader, opts.sheet);
      const wanted =
        opts.sheet === undefined
          ? hidden !== 'hidden' && hidden !== 'veryHidden'
          : String(opts.sheet) === name || (!byName && opts.sheet === sheetIndex);
      if (!wanted || result) {
        for await (const _row of ws) throwIfAborted(opts.signal); // drain: the zip is read in order
        continue;
      }
      // The workbook's date system (workbook.xml is read before its sheets: see stageXlsx), for formulas' dates.
      const date1904 = (reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties?.model
        ?.date1904;
      // Rows before the header is decided, with their row number in the sheet.
      const head: { cells: Cell[]; number: number }[] = [];
      let headers: string[] | null = null;
      let width = 0;
      let written = 0;
      let dataRows = 0;
      // Cells whose value is not what the user typed, by kind: how many, and the first's reference (B7).
      const lost: Record<CellLoss, { count: number; first: string }> = {
        error: { count: 0, first: '' },
        formula: { count: 0, first: '' },
        long_number: { count: 0, first: '' },
      };
      // Notes at the end: from a row of one cell starting as a note (注：…, ※…) on, rows of a cell or two (numbered
      // lines of the note) until a row that is data again; only the block at the very end is left out.
      let inNotes = false;
      const totals = { count: 0, first: 0 };
      // Each staged row starts with its row number in the sheet (what the user sees in Excel), for the report.
      const writeRow = async ({ cells, number }: { cells: Cell[]; number: number }) => {
        width = Math.max(width, cells.length);
        written++;
        const filled = nonEmpty(cells);
        const text = cells.find((c) => c !== null) ?? null;
        if (filled === 1 && text !== null && NOTE_ROW.test(text)) inNotes = true;
        else if (!(inNotes && filled <= Math.min(2, width - 1))) {
          inNotes = false;
          dataRows = written;
        }
        if (!inNotes && text !== null && TOTALS_CELL.test(text) && totals.count++ === 0) totals.first = number;
        await out.write(`${number},${cells.map(csvField).join(',')}\n`);
      };
      const decideHeader = async () => {
        const maxCells = Math.max(0, ...head.map((r) => nonEmpty(r.cells)));
        let start = head.findIndex((r) => nonEmpty(r.cells) >= Math.min(2, maxCells) && !isMetaRow(r.cells));
        if (start < 0) start = 0;
        if (start > 0) {
          warnings.push(
            notice('title_rows_skipped', { count: start }, `skipped ${start} title row(s) above the header`),
          );
        }
        let count = opts.headerRows ?? 1;
        const first = head[start];
        if (opts.headerRows === undefined && first && isHeaderContinuation(first.cells, head[start + 1]?.cells))
          count = 2;
        const headerRows = head.slice(start, start + count).map((r) => r.cells);
        const w = Math.max(0, ...headerRows.map((r) => r.length));
        headers = joinHeaderRows(headerRows, w);
        width = w;
        for (const r of head.slice(start + count)) await writeRow(r);
        head.length = 0;
      };
      for await (const row of ws) {
        throwIfAborted(opts.signal);
        const r = row as { number: number; values: unknown; getCell(column: number): StreamCell };
        const { number } = r;
        const cells = rowCells(
          r.values,
          (column, kind) => {
            const e = lost[kind];
            if (e.count++ === 0) e.first = r.getCell(column).address;
          },
          (column) => r.getCell(column),
          date1904 === true,
        );
        if (nonEmpty(cells) === 0) continue;
        if (headers) await writeRow({ cells, number });
        else {
          head.push({ cells, number });
          if (head.length >= HEAD_BUFFER) await decideHeader();
        }
      }
      if (!headers && head.length > 0) await decideHeader();
      if (!headers) {
        if (opts.sheet !== undefined) throw badFile('no_data', `Sheet ${name} has no data`, { sheet: name });
        continue; // default: the first sheet with data
      }
      const { error, formula, long_number: long } = lost;
      if (long.count > 0) {
        warnings.push(
          notice(
            'excel_long_numbers',
            { count: long.count, cell: long.first },
            `${long.count} cell(s) hold a number of more than 15 digits (the first: ${long.first}), of which Excel keeps only the first 15: the last digits are lost. Identity card numbers and other long codes must be stored as text in Excel`,
          ),
        );
      }
      if (error.count > 0) {
        warnings.push(
          notice(
            'excel_error_cells',
            { count: error.count, cell: error.first },
            `${error.count} cell(s) hold an Excel error value such as #DIV/0! or #N/A (the first: ${error.first}); they were loaded as empty`,
          ),
        );
      }
      if (formula.count > 0) {
        warnings.push(
          notice(
            'excel_uncalculated_formulas',
            { count: formula.count, cell: formula.first },
            `${formula.count} cell(s) hold a formula saved without its value (the first: ${formula.first}); they were loaded as empty: open the file in Excel, save it and upload it again`,
          ),
        );
      }
      if (totals.count > 0) {
        warnings.push(
          notice(
            'totals_rows',
            { count: totals.count, row: totals.first },
            `${totals.count} row(s) look like totals (合计, 总计, 小计; the first is sheet row ${totals.first}): they were loaded as data; leave them out of the file if the table should hold only its items`,
          ),
        );
      }
      if (written > dataRows) {
        const count = written - dataRows;
        warnings.push(
          notice('notes_rows_left_out', { count }, `left out ${count} notes row(s) at the end of the sheet`),
        );
      }
      result = { csvPath: opts.csvPath, sheet: name, headers, width, dataRows, warnings };
    }
  } catch (err) {
    // The scratch file's own failure (a full disk) is not the workbook's fault.
    if (err instanceof AppError || err === out.error) throw err;
    throw badFile('corrupt_xlsx', `The Excel file could not be read: ${(err as Error).message}`, { field: 'file' });
  } finally {
    input.destroy();
    await out.close();
  }
  if (!result) {
    if (opts.sheet !== undefined) {
      throw badFile(
        'sheet_not_found',
        `Sheet ${String(opts.sheet)} not found; the workbook has: ${sheetNames.join(', ')}`,
        {
          field: 'sheet',
        },
      );
    }
    if (hiddenSheets.length > 0) {
      throw badFile(
        'no_visible_sheet',
        `The Excel file has no visible sheet with data (hidden: ${hiddenSheets.join(', ')}); name the sheet to load a hidden one`,
        { field: 'file', hidden: hiddenSheets.join(', ') },
      );
    }
    throw badFile('no_data', 'The Excel file has no sheet with data', { field: 'file' });
  }
  return result;
}

import { isUtf8 } from 'node:buffer';
import { BOOL_WORDS, type ColumnPlan } from './infer.ts';
import { fileChunks, TEXT_CHUNK_BYTES } from './encoding.ts';
import { instantiate, type WasmMemory } from './wasm.ts';

/**
 * The fast path of the single-scan CSV load: a WebAssembly check of the raw bytes (wasm/csv-check.ts, built into
 * csv-check.wasm) that runs while a COPY writes the Parquet file from DuckDB's typed CSV reader, without casts or
 * checks for the columns it covers. If every value of those columns is in a canonical form (text without blanks at
 * its ends, `12`, `-3.25` within the column's scale, `2023-01-02`, `2023-01-02 08:30:00`), the reader's value is the
 * one the checked expression gives, and the ~5 CPU-seconds per 10M rows that the checks and the text trimming cost
 * inside the COPY are saved. On the first value or layout it does not
 * vouch for, the COPY is stopped and the checked COPY runs instead. Hand-written because no library checks CSV bytes
 * against DuckDB's casts; WebAssembly because a JS byte loop costs as much CPU as the SQL checks it would replace.
 */

/** What the check knows about a column; `none`: the COPY keeps its checked expression for it. */
export type FastKind = 'none' | 'text' | 'integer' | 'decimal' | 'date' | 'datetime';

export interface FastColumn {
  kind: FastKind;
  /** Decimal: the scale s and the integer digits w - s of DECIMAL(w, s). */
  scale?: number;
  maxIntDigits?: number;
}

export type FastCheckResult =
  /** `counts`: per column, for text columns, its values and those that could fit another type (mayFitExpr). */
  | { ok: true; records: number; counts: { nonNull: number; mayFit: number }[] }
  | { ok: false; reason: 'value' | 'layout' | 'encoding' | 'stopped'; offset: number; column: number | null };

const KIND_CODES: Record<FastKind, number> = { none: 0, text: 1, integer: 2, decimal: 3, date: 4, datetime: 5 };
export const FAST_CHECK_MAX_COLUMNS = 64;
/** Room in front of each chunk for the unfinished record of the one before; a longer record leaves the fast path. */
const CARRY = 1 << 20;
// A slot: room for the carry, a chunk, and the 16 bytes past its end the SIMD loads may read.
const SLOT = CARRY + TEXT_CHUNK_BYTES + 64;

interface Exports {
  memory: WasmMemory;
  heapBase(): number;
  setup(columns: number, delimiter: number, headerRecords: number): void;
  setColumn(i: number, kind: number, scale: number, maxIntDigits: number): void;
  setWord(i: number, low: number, high: number, length: number): void;
  nonNullCount(i: number): number;
  mayFitCount(i: number): number;
  scan(start: number, end: number, final: number): number;
  recordCount(): number;
  failOffset(): number;
  failedColumn(): number;
}

/** The fast check's view of a column's plan, from the same facts checkedValue's fast test uses. */
export function fastColumn(plan: ColumnPlan): FastColumn {
  switch (plan.type) {
    case 'text':
      return { kind: 'text' };
    case 'integer':
      return { kind: 'integer' };
    case 'decimal': {
      const m = /^DECIMAL\((\d+), (\d+)\)$/.exec(plan.sqlType);
      if (!m) return { kind: 'none' };
      const width = Number(m[1]);
      const scale = Number(m[2]);
      return { kind: 'decimal', scale, maxIntDigits: width - scale };
    }
    case 'date':
      return { kind: plan.excelSerial ? 'none' : 'date' };
    case 'datetime':
      return { kind: 'datetime' };
    case 'boolean':
      return { kind: 'none' };
  }
}

/**
 * Checks the CSV at `file` (UTF-8, `bom` when it starts with one) record by record: `headerRecords` records are
 * skipped, every other must have columns.length fields separated by `delimiter` (one ASCII character). Reads the file
 * through fileChunks, straight into the check's memory; `stop()` is asked between chunks.
 */
export async function checkCsv(
  file: string,
  opts: {
    delimiter: string;
    headerRecords: number;
    bom: boolean;
    columns: FastColumn[];
    /** Also check that the bytes are UTF-8 without NUL (reason `encoding` if not): a provisional TextSource. */
    utf8?: boolean;
    stop?: () => boolean;
  },
): Promise<FastCheckResult> {
  const { columns } = opts;
  const delimiter = opts.delimiter.charCodeAt(0);
  if (opts.delimiter.length !== 1 || delimiter > 127 || columns.length > FAST_CHECK_MAX_COLUMNS) {
    throw new Error('checkCsv: unsupported delimiter or width');
  }
  const wasm = instantiate<Exports>('csv-check', 2 * SLOT);
  const base = wasm.heapBase();
  const mem = new Uint8Array(wasm.memory.buffer);
  wasm.setup(columns.length, delimiter, opts.headerRecords);
  columns.forEach((c, i) => wasm.setColumn(i, KIND_CODES[c.kind], c.scale ?? 0, c.maxIntDigits ?? 0));
  for (const [i, word] of BOOL_WORDS.entries()) {
    const bytes = Buffer.alloc(8);
    const length = bytes.write(word, 'utf8');
    if (length > 5 || word !== word.toLowerCase() || i >= 32) throw new Error(`checkCsv: cannot match ${word}`);
    wasm.setWord(i, bytes.readUInt32LE(0), bytes.readUInt32LE(4), length);
  }
  // Chunk data of slot k starts at dataAt(k); the carried unfinished record sits just before it.
  const dataAt = (k: number) => base + k * SLOT + CARRY;
  const slots: [Buffer, Buffer] = [0, 1].map((k) => Buffer.from(wasm.memory.buffer, base + k * SLOT, SLOT)) as [
    Buffer,
    Buffer,
  ];
  let k = 0;
  let carry = 0;
  let position = 0; // file offset of the next chunk's first byte
  /** Scans [start, end) of slot k, whose data starts at file offset `at`: where the next record starts, or an answer. */
  const scan = (start: number, end: number, at: number, final: boolean): number | FastCheckResult => {
    const dataStart = dataAt(k);
    const next = wasm.scan(start, end, final ? 1 : 0);
    if (next < 0) {
      const col = wasm.failedColumn();
      return {
        ok: false,
        reason: next === -1 ? 'value' : 'layout',
        offset: at + (wasm.failOffset() - dataStart),
        column: col >= 0 ? col : null,
      };
    }
    // Whole records: no UTF-8 sequence is cut at either end (a line end is ASCII).
    const checked = mem.subarray(start, next);
    if (opts.utf8 && (!isUtf8(checked) || checked.indexOf(0) >= 0)) {
      return { ok: false, reason: 'encoding', offset: at - (dataStart - start), column: null };
    }
    return next;
  };
  for await (const c of fileChunks(file, { buffers: slots, room: CARRY })) {
    if (opts.stop?.()) return { ok: false, reason: 'stopped', offset: c.pos, column: null };
    const dataStart = dataAt(k);
    const end = dataStart + (c.end - c.start);
    const next = scan(dataStart - carry + (c.pos === 0 && opts.bom ? 3 : 0), end, c.pos, false);
    if (typeof next !== 'number') return next;
    carry = end - next;
    if (carry > CARRY) return { ok: false, reason: 'layout', offset: c.pos + (next - dataStart), column: null };
    // Into the other slot's room: its read in flight fills only its chunk part.
    mem.copyWithin(dataAt(1 - k) - carry, next, end);
    position = c.pos + (c.end - c.start);
    k = 1 - k;
  }
  // The last record, if the file does not end with a line end (it sits in slot k's room), or nothing.
  const last = scan(dataAt(k) - carry, dataAt(k), position, true);
  if (typeof last !== 'number') return last;
  const counts = columns.map((_, i) => ({ nonNull: wasm.nonNullCount(i), mayFit: wasm.mayFitCount(i) }));
  return { ok: true, records: wasm.recordCount(), counts };
}

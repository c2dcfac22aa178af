/*
 * AssemblyScript source of src/modules/ingest/csv-check.wasm (build: `npm run build:wasm`; a test rebuilds it and
 * compares). It checks, on the raw bytes of a UTF-8 CSV, that every value of the columns it is told about is in the
 * canonical form for which the single-scan load's plain cast gives the same typed value as its checked expression
 * (see checkedValue in infer.ts and csv-check.ts), and that the file's layout is one DuckDB's reader and this
 * tokenizer read alike (same delimiter, `"` quotes with `""` escapes, LF or CRLF line ends, every record as wide as
 * the header). It answers no for anything else; the caller then runs the checked COPY. Sixteen bytes are compared
 * at a time against the delimiter, LF, CR and `"` (SIMD), then each field is checked by a short scalar test.
 */

const MAX_COLUMNS: i32 = 64;

// Per column: kind, decimal scale, largest number of integer digits (decimal).
const KINDS: usize = memory.data(MAX_COLUMNS * 4);
const SCALES: usize = memory.data(MAX_COLUMNS * 4);
const INT_DIGITS: usize = memory.data(MAX_COLUMNS * 4);
// The boolean words, lower-case, as their UTF-8 bytes (first byte lowest) and lengths.
const MAX_WORDS: i32 = 32;
const WORDS: usize = memory.data(MAX_WORDS * 8);
const WORD_LENGTHS: usize = memory.data(MAX_WORDS * 4);
let wordCount: i32 = 0;
// 1 at each byte a word can start with (either case).
const WORD_FIRST: usize = memory.data(256);
// The text values counted in the record being read, as col | mayFit << 8: taken back when the record is cut by the
// end of the data (it is read again, whole, with the next chunk).
const PENDING: usize = memory.data(MAX_COLUMNS * 4);
let pendingLength: i32 = 0;
// Per text column: values (not empty), and values that could count towards another type (mayFitExpr in infer.ts).
const NON_NULL: usize = memory.data(MAX_COLUMNS * 8);
const MAY_FIT: usize = memory.data(MAX_COLUMNS * 8);

const KIND_NONE: i32 = 0;
const KIND_TEXT: i32 = 1;
const KIND_INTEGER: i32 = 2;
const KIND_DECIMAL: i32 = 3;
const KIND_DATE: i32 = 4;
const KIND_DATETIME: i32 = 5;

/** A value off the fast path. */
const OFF_PATH: i32 = -1;
/** A layout the tokenizer does not claim to read as DuckDB does (quote inside a field, ragged record, lone CR...). */
const UNUSUAL: i32 = -2;

let width: i32 = 0;
let delim: i32 = 44;
let skip: i32 = 0;
let records: f64 = 0;
let failAt: usize = 0;
let failColumn: i32 = -1;

/** Where the caller may put its buffers: past the static data, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

export function setup(columns: i32, delimiter: i32, headerRecords: i32): void {
  width = columns;
  delim = delimiter;
  skip = headerRecords;
  records = 0;
  failAt = 0;
  failColumn = -1;
  wordCount = 0;
  pendingLength = 0;
  memory.fill(WORD_FIRST, 0, 256);
  memory.fill(NON_NULL, 0, MAX_COLUMNS * 8);
  memory.fill(MAY_FIT, 0, MAX_COLUMNS * 8);
}

export function setColumn(i: i32, kind: i32, scale: i32, maxIntDigits: i32): void {
  store<i32>(KINDS + ((<usize>i) << 2), kind);
  store<i32>(SCALES + ((<usize>i) << 2), scale);
  store<i32>(INT_DIGITS + ((<usize>i) << 2), maxIntDigits);
}

/** Word i of the boolean words: its bytes 0-3 in low, 4-7 in high (at most 5 are used), and its length. */
export function setWord(i: i32, low: u32, high: u32, length: i32): void {
  store<u32>(WORDS + ((<usize>i) << 3), low);
  store<u32>(WORDS + ((<usize>i) << 3) + 4, high);
  store<i32>(WORD_LENGTHS + ((<usize>i) << 2), length);
  const first = low & 0xff;
  store<u8>(WORD_FIRST + first, 1);
  if (first >= 97 && first <= 122) store<u8>(WORD_FIRST + first - 32, 1);
  if (i >= wordCount) wordCount = i + 1;
}

export function recordCount(): f64 {
  return records;
}

export function nonNullCount(i: i32): f64 {
  return load<f64>(NON_NULL + ((<usize>i) << 3));
}

export function mayFitCount(i: i32): f64 {
  return load<f64>(MAY_FIT + ((<usize>i) << 3));
}

export function failOffset(): usize {
  return failAt;
}

export function failedColumn(): i32 {
  return failColumn;
}

function isDigit(c: u32): bool {
  return c - 48 < 10;
}

/** No blank at either end: the bytes trim() would remove (ASCII up to space, U+00A0, U+3000). */
function textOk(s: usize, e: usize): bool {
  const n = e - s;
  const a = <u32>load<u8>(s);
  if (a <= 32) return false;
  if (a == 0xc2 && n >= 2 && load<u8>(s + 1) == 0xa0) return false;
  if (a == 0xe3 && n >= 3 && load<u8>(s + 1) == 0x80 && load<u8>(s + 2) == 0x80) return false;
  const z = <u32>load<u8>(e - 1);
  if (z <= 32) return false;
  if (z == 0xa0 && n >= 2 && load<u8>(e - 2) == 0xc2) return false;
  if (z == 0x80 && n >= 3 && load<u8>(e - 2) == 0x80 && load<u8>(e - 3) == 0xe3) return false;
  return true;
}

/**
 * Whether a text value could count towards a type other than text (mayFitExpr in infer.ts): it starts with a digit, a
 * sign or a point, or, lower-cased, it is one of the boolean words (at most 5 bytes each, set by setWord).
 */
function mayFit(s: usize, e: usize): bool {
  const a = <u32>load<u8>(s);
  if ((a >= 48 && a <= 57) || a == 43 || a == 45 || a == 46) return true;
  const n = e - s;
  if (n > 5 || load<u8>(WORD_FIRST + a) == 0) return false;
  let v: u64 = 0;
  for (let k: usize = 0; k < n; k++) {
    let c = <u64>load<u8>(s + k);
    if (c >= 65 && c <= 90) c += 32;
    v |= c << ((<u64>k) << 3);
  }
  for (let w = 0; w < wordCount; w++) {
    if (load<i32>(WORD_LENGTHS + ((<usize>w) << 2)) == <i32>n && load<u64>(WORDS + ((<usize>w) << 3)) == v) return true;
  }
  return false;
}

/** `-?(0|[1-9][0-9]*)`, at most 15 bytes, not -0: the integers DuckDB renders back as they are written. */
function integerOk(s: usize, e: usize): bool {
  if (e - s > 15) return false;
  let p = s;
  if (load<u8>(p) == 45) {
    p++;
    if (p == e || load<u8>(p) == 48) return false;
  }
  if (load<u8>(p) == 48) return p + 1 == e;
  for (; p < e; p++) {
    if (!isDigit(<u32>load<u8>(p))) return false;
  }
  return true;
}

/**
 * `-?(0|[1-9][0-9]*)(\.[0-9]{1,scale})?` with at most maxInt integer digits, not a negative zero: the start of
 * DuckDB's rendering of the value as DECIMAL(w, scale), which the cast reaches without rounding.
 */
function decimalOk(s: usize, e: usize, scale: i32, maxInt: i32): bool {
  let p = s;
  let negative = false;
  if (load<u8>(p) == 45) {
    negative = true;
    p++;
  }
  const ip = p;
  while (p < e && isDigit(<u32>load<u8>(p))) p++;
  const intDigits = <i32>(p - ip);
  if (intDigits == 0 || intDigits > maxInt) return false;
  let zero = load<u8>(ip) == 48;
  if (zero && intDigits > 1) return false;
  if (p < e) {
    if (load<u8>(p) != 46 || scale == 0) return false;
    p++;
    const fp = p;
    while (p < e && isDigit(<u32>load<u8>(p))) {
      if (load<u8>(p) != 48) zero = false;
      p++;
    }
    const fracDigits = <i32>(p - fp);
    if (p != e || fracDigits == 0 || fracDigits > scale) return false;
  }
  return !(negative && zero);
}

function two(p: usize): i32 {
  const a = <u32>load<u8>(p) - 48;
  const b = <u32>load<u8>(p + 1) - 48;
  if (a > 9 || b > 9) return -1;
  return <i32>(a * 10 + b);
}

/**
 * decimalOk for a value of at most 16 bytes, on its bytes at once: masks of its digits, points and zeros (SIMD), then
 * the same rules on the masks. The 16 bytes after the value's start are readable (the caller's padding).
 */
function shortDecimalOk(s: usize, n: i32, scale: i32, maxInt: i32): bool {
  const v = v128.load(s);
  const inside = lanes(<usize>n);
  const digits = i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10))) & inside;
  const points = i8x16.bitmask(i8x16.eq(v, i8x16.splat(46))) & inside;
  const minus = <i32>(load<u8>(s) == 45);
  if ((digits | points | minus) != inside || popcnt(points) > 1) return false;
  const point = points != 0 ? ctz(points) : n;
  const intDigits = point - minus;
  if (intDigits == 0 || intDigits > maxInt) return false;
  if (load<u8>(s + <usize>minus) == 48 && intDigits > 1) return false;
  if (points != 0) {
    const fracDigits = n - point - 1;
    if (fracDigits == 0 || fracDigits > scale) return false;
  }
  if (minus == 0) return true;
  // Not a negative zero: some digit other than 0.
  const zeros = i8x16.bitmask(i8x16.eq(v, i8x16.splat(48))) & inside;
  return (zeros | points | 1) != inside;
}

/** `YYYY-MM-DD`, a real day of a year from 1000 to 9999. */
function dateOk(s: usize): bool {
  const hi = two(s);
  const lo = two(s + 2);
  if (hi < 10 || lo < 0 || load<u8>(s + 4) != 45 || load<u8>(s + 7) != 45) return false;
  const year = hi * 100 + lo;
  const month = two(s + 5);
  const day = two(s + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  let last = 31;
  if (month == 2) {
    last = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  } else if (month == 4 || month == 6 || month == 9 || month == 11) {
    last = 30;
  }
  return day <= last;
}

/** `YYYY-MM-DD HH:MM:SS`. */
function datetimeOk(s: usize): bool {
  if (!dateOk(s) || load<u8>(s + 10) != 32 || load<u8>(s + 13) != 58 || load<u8>(s + 16) != 58) return false;
  const h = two(s + 11);
  const m = two(s + 14);
  const sec = two(s + 17);
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && sec >= 0 && sec <= 59;
}

/** The field [s, e) of column col (inside the quotes for a quoted field); an empty field is NULL whatever the type. */
function fieldOk(col: i32, s: usize, e: usize): bool {
  if (skip > 0 || s == e) return true;
  const o = (<usize>col) << 2;
  const kind = load<i32>(KINDS + o);
  if (kind == KIND_NONE) return true;
  if (kind == KIND_TEXT) {
    if (!textOk(s, e)) return false;
    const fit = mayFit(s, e);
    count(col, fit, 1);
    store<i32>(PENDING + ((<usize>pendingLength) << 2), col | ((<i32>fit) << 8));
    pendingLength++;
    return true;
  }
  if (kind == KIND_INTEGER) return integerOk(s, e);
  if (kind == KIND_DECIMAL) {
    const n = e - s;
    return n <= 16
      ? shortDecimalOk(s, <i32>n, load<i32>(SCALES + o), load<i32>(INT_DIGITS + o))
      : decimalOk(s, e, load<i32>(SCALES + o), load<i32>(INT_DIGITS + o));
  }
  if (kind == KIND_DATE) return e - s == 10 && dateOk(s);
  if (kind == KIND_DATETIME) return e - s == 19 && datetimeOk(s);
  return false;
}

function count(col: i32, fit: bool, by: f64): void {
  const o = (<usize>col) << 3;
  store<f64>(NON_NULL + o, load<f64>(NON_NULL + o) + by);
  if (fit) store<f64>(MAY_FIT + o, load<f64>(MAY_FIT + o) + by);
}

/** The record at recordStart is not complete: its counts are taken back, and it is where the next call starts. */
function incomplete(recordStart: usize): i32 {
  for (let k = 0; k < pendingLength; k++) {
    const entry = load<i32>(PENDING + ((<usize>k) << 2));
    count(entry & 0xff, entry >> 8 != 0, -1);
  }
  pendingLength = 0;
  return <i32>recordStart;
}

function fail(code: i32, at: usize, col: i32): i32 {
  failAt = at;
  failColumn = col;
  return code;
}

/** Bits of the first `n` of 16 lanes (all of them from 16 on). */
function lanes(n: usize): i32 {
  return n >= 16 ? 0xffff : (1 << (<i32>n)) - 1;
}

/**
 * Checks the whole records in [start, end), which begins at a record's start; `final` when end is the end of the
 * file. Returns where the first record not yet complete begins (end when all are), or OFF_PATH / UNUSUAL with
 * failOffset() and failedColumn() set. The caller keeps 16 readable bytes after end.
 */
export function scan(start: usize, end: usize, final: bool): i32 {
  const vDelim = i8x16.splat(<i8>delim);
  const vLf = i8x16.splat(10);
  const vCr = i8x16.splat(13);
  const vQuote = i8x16.splat(34);
  let recordStart = start;
  let fieldStart = start;
  let col: i32 = 0;
  let block = start;
  let v = v128.load(block);
  let mask =
    i8x16.bitmask(
      v128.or(v128.or(i8x16.eq(v, vDelim), i8x16.eq(v, vLf)), v128.or(i8x16.eq(v, vCr), i8x16.eq(v, vQuote))),
    ) & lanes(end - block);
  while (true) {
    while (mask == 0) {
      block += 16;
      if (block >= end) break;
      v = v128.load(block);
      mask =
        i8x16.bitmask(
          v128.or(v128.or(i8x16.eq(v, vDelim), i8x16.eq(v, vLf)), v128.or(i8x16.eq(v, vCr), i8x16.eq(v, vQuote))),
        ) & lanes(end - block);
    }
    if (mask == 0) {
      // No line end before the end of the data.
      if (!final) return incomplete(recordStart);
      if (recordStart == end) return <i32>end;
      if (!fieldOk(col, fieldStart, end)) return fail(OFF_PATH, fieldStart, col);
      if (skip > 0) {
        skip--;
        pendingLength = 0;
      } else {
        if (col != width - 1) return fail(UNUSUAL, recordStart, col);
        records++;
        pendingLength = 0;
      }
      return <i32>end;
    }
    const pos = block + <usize>ctz(mask);
    mask &= mask - 1;
    const b = <i32>load<u8>(pos);
    if (b == delim) {
      if (!fieldOk(col, fieldStart, pos)) return fail(OFF_PATH, fieldStart, col);
      col++;
      if (col >= width && skip == 0) return fail(UNUSUAL, recordStart, col);
      fieldStart = pos + 1;
      continue;
    }
    if (b == 34) {
      if (pos != fieldStart) return fail(UNUSUAL, pos, col);
      // The closing quote: the next `"` not followed by another.
      let q = pos + 1;
      let closed = false;
      while (!closed) {
        let m = 0;
        while (q < end) {
          m = i8x16.bitmask(i8x16.eq(v128.load(q), vQuote)) & lanes(end - q);
          if (m != 0) break;
          q += 16;
        }
        if (m == 0) return final ? fail(UNUSUAL, pos, col) : incomplete(recordStart);
        q += <usize>ctz(m);
        if (q + 1 >= end) {
          if (!final) return incomplete(recordStart);
          closed = true;
        } else if (load<u8>(q + 1) == 34) {
          q += 2;
        } else {
          closed = true;
        }
      }
      const after = q + 1;
      if (after < end) {
        const c = <i32>load<u8>(after);
        if (c != delim && c != 10 && c != 13) return fail(UNUSUAL, after, col);
      }
      if (!fieldOk(col, pos + 1, q)) return fail(OFF_PATH, pos, col);
      // The field is checked: what follows up to the delimiter or line end is empty, which passes.
      fieldStart = after;
      block = after;
      v = v128.load(block);
      mask =
        i8x16.bitmask(
          v128.or(v128.or(i8x16.eq(v, vDelim), i8x16.eq(v, vLf)), v128.or(i8x16.eq(v, vCr), i8x16.eq(v, vQuote))),
        ) & lanes(end - block);
      continue;
    }
    // A line end: LF, or CR followed by LF.
    let next = pos + 1;
    if (b == 13) {
      if (next >= end) return final ? fail(UNUSUAL, pos, col) : incomplete(recordStart);
      if (load<u8>(next) != 10) return fail(UNUSUAL, pos, col);
      next++;
    }
    if (pos == recordStart) {
      // An empty line, which DuckDB skips (it is no record): at the end of the file it passes, before more data it is
      // still a layout left to the checked COPY. Empty lines at the end of a read are kept for the next.
      let p = pos;
      while (p < end) {
        const c = <i32>load<u8>(p);
        if (c == 10) p++;
        else if (c == 13 && p + 1 < end && load<u8>(p + 1) == 10) p += 2;
        else break;
      }
      if (p < end && !(p + 1 == end && load<u8>(p) == 13 && !final)) return fail(UNUSUAL, pos, col);
      return final ? <i32>end : incomplete(recordStart);
    }
    if (!fieldOk(col, fieldStart, pos)) return fail(OFF_PATH, fieldStart, col);
    if (skip > 0) {
      skip--;
      pendingLength = 0;
    } else {
      if (col != width - 1) return fail(UNUSUAL, recordStart, col);
      records++;
      pendingLength = 0;
    }
    col = 0;
    recordStart = next;
    fieldStart = next;
    if (b == 13) {
      block = next;
      if (block >= end) {
        mask = 0;
        continue;
      }
      v = v128.load(block);
      mask =
        i8x16.bitmask(
          v128.or(v128.or(i8x16.eq(v, vDelim), i8x16.eq(v, vLf)), v128.or(i8x16.eq(v, vCr), i8x16.eq(v, vQuote))),
        ) & lanes(end - block);
    }
  }
  return 0;
}

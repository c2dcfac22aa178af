import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import type { SourceEncoding } from './types.ts';
import { badFile, throwIfAborted } from './errors.ts';
import { instantiate, type WasmMemory } from './wasm.ts';
import { claimScratch, openForOverwrite } from './scratch-pool.ts';

/** Read size of the error paths' re-reads (line of an offset, where a GB18030 error starts). */
const CHUNK = 1 << 20;
/**
 * Bytes the encoding check and the transcoder read at a time, into two buffers in turn (fileChunks). Measured on the
 * 1 GB benchmark file: the UTF-8 check 0.19 s with two 4 MiB buffers, 0.41 s through a 1 MiB read stream.
 */
export const TEXT_CHUNK_BYTES = 4 << 20;
/** Free bytes before each chunk, where the caller puts the start of a sequence the previous chunk cut (≤ 3 bytes). */
const CARRY_ROOM = 4;

interface FileChunk {
  /** The chunk's buffer: the chunk is buf[start, end), and the bytes before start are the caller's. */
  buf: Buffer;
  start: number;
  end: number;
  /** File offset of buf[start]. */
  pos: number;
}

/** Bytes of each of fileChunks' two buffers with the default room. */
const CHUNK_BUFFER_BYTES = CARRY_ROOM + TEXT_CHUNK_BYTES;

/**
 * A file's bytes TEXT_CHUNK_BYTES at a time, read into two buffers in turn: the next chunk is read while the caller
 * works on this one. A chunk (and its buffer) is the caller's until it asks for the next; nothing is allocated per
 * chunk. Each chunk starts `room` bytes into its buffer (default CARRY_ROOM), where the caller may put what it carries
 * over from the chunk before (in the other buffer: the read in flight fills only its chunk part). `buffers`: the
 * caller's own, of room + TEXT_CHUNK_BYTES bytes each.
 */
export async function* fileChunks(
  file: string,
  opts: { buffers?: [Buffer, Buffer]; room?: number } = {},
): AsyncGenerator<FileChunk> {
  const room = opts.room ?? CARRY_ROOM;
  const fh = await fsp.open(file, 'r');
  const bufs = opts.buffers ?? [Buffer.allocUnsafe(CHUNK_BUFFER_BYTES), Buffer.allocUnsafe(CHUNK_BUFFER_BYTES)];
  const read = (buf: Buffer, at: number) => handled(fh.read(buf, room, TEXT_CHUNK_BYTES, at));
  let pos = 0;
  let k = 0;
  let pending = read(bufs[0] as Buffer, 0);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const buf = bufs[k] as Buffer;
      const at = pos;
      pos += bytesRead;
      k ^= 1;
      pending = read(bufs[k] as Buffer, pos);
      yield { buf, start: room, end: room + bytesRead, pos: at };
    }
  } finally {
    // Never close the file under a read still in flight (the caller stopped early, or a read failed).
    await pending.catch(() => undefined);
    await fh.close();
  }
}

/**
 * A promise left in flight while the caller awaits something else: its failure is seen where it is awaited, and is
 * never an unhandled rejection (which ends the process) if it fails first.
 */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Writes all of bytes at a file offset (one write may write less: a full disk, a network file system). */
async function writeAll(fh: fsp.FileHandle, bytes: Buffer, at: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, at + done);
    if (bytesWritten <= 0)
      throw new Error(`Could not write the transcoded file (nothing written at offset ${at + done})`);
    done += bytesWritten;
  }
}

/** Puts the carried bytes before the chunk: the bytes to work on, and the file offset of their first. */
function withCarry(c: FileChunk, carry: Buffer, carryLength: number): { bytes: Buffer; at: number } {
  carry.copy(c.buf, c.start - carryLength, 0, carryLength);
  return { bytes: c.buf.subarray(c.start - carryLength, c.end), at: c.pos - carryLength };
}

export interface TextSource {
  /** A UTF-8 file DuckDB can read: the original, or a transcoded copy in the scratch directory. */
  path: string;
  encoding: 'utf-8' | 'gb18030' | 'gbk';
  hasBom: boolean;
  /** Where the first NUL byte sits, if any (values get NULs stripped and a warning). */
  firstNul: { offset: number; line: number } | null;
  /**
   * Only the file's first bytes were checked (prepareTextSource's provisionalBytes): it is UTF-8 without NUL if the
   * rest is too, which whoever reads it must make sure of before trusting what it read (restIsUtf8).
   */
  provisional?: boolean;
}

export interface ScanHooks {
  signal?: AbortSignal;
  onBytes?: (bytesRead: number) => void;
}

/** Length of a UTF-8 sequence from its lead byte; 0 for a continuation or invalid lead. */
function seqLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** How many bytes at the end of buf start a sequence that continues in the next chunk. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = seqLength(b);
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first invalid UTF-8 sequence in buf. Hand-written because isUtf8 only says yes/no
 * and the user needs to know where the file goes wrong. Only runs on a chunk already known to be bad.
 */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] ?? 0;
    const n = seqLength(b);
    if (n === 0) return i;
    if (n > 1) {
      if (i + n > buf.length) return i;
      const b1 = buf[i + 1] ?? 0;
      if ((b1 & 0xc0) !== 0x80) return i;
      if (b === 0xe0 && b1 < 0xa0) return i;
      if (b === 0xed && b1 > 0x9f) return i;
      if (b === 0xf0 && b1 < 0x90) return i;
      if (b === 0xf4 && b1 > 0x8f) return i;
      for (let k = 2; k < n; k++) if (((buf[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += n;
  }
  return buf.length;
}

/** 1-based line of a byte offset (re-reads the file up to it; only used on error paths). */
export async function lineOfOffset(file: string, offset: number): Promise<number> {
  return (await lineAt(file, offset)).line;
}

/** The 1-based line of a byte offset and the offset where that line starts, in one read of the file up to it. */
async function lineAt(file: string, offset: number): Promise<{ line: number; start: number }> {
  let line = 1;
  let start = 0;
  if (offset <= 0) return { line, start };
  let pos = 0;
  const stream = fs.createReadStream(file, { end: offset - 1, highWaterMark: CHUNK });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let p = chunk.indexOf(10); p !== -1; p = chunk.indexOf(10, p + 1)) {
      line++;
      start = pos + p + 1;
    }
    pos += chunk.length;
  }
  return { line, start };
}

/** Byte offset where 1-based line `line` starts, after the file's (line - 1)th LF; the file's size past its last line. */
async function offsetOfLine(file: string, line: number): Promise<number> {
  if (line <= 1) return 0;
  let seen = 1;
  let size = 0;
  for await (const c of fileChunks(file)) {
    for (let p = c.buf.indexOf(10, c.start); p !== -1 && p < c.end; p = c.buf.indexOf(10, p + 1)) {
      if (++seen === line) return c.pos + (p - c.start) + 1;
    }
    size = c.pos + (c.end - c.start);
  }
  return size;
}

/**
 * The `n`th line of a file that is not blank (spaces, tabs, CR, form feed or vertical tab only): its 1-based number among all lines and the
 * offset where it starts; null if the file has fewer. Reads the file up to it (error paths only).
 */
export async function nonBlankLine(file: string, n: number): Promise<{ line: number; start: number } | null> {
  let line = 1;
  let start = 0;
  let blank = true;
  let seen = 0;
  for await (const c of fileChunks(file)) {
    for (let i = c.start; i < c.end; i++) {
      const b = c.buf[i] as number;
      if (b === 0x0a) {
        if (!blank && ++seen === n) return { line, start };
        line++;
        start = c.pos + (i - c.start) + 1;
        blank = true;
      } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0c && b !== 0x0b) blank = false;
    }
  }
  return !blank && seen + 1 === n ? { line, start } : null;
}

/**
 * Where a byte of a copy of a file lies in the file as sent, for the messages of errors found in the copy. The copy
 * has the file's lines (the file transcoded from GB18030 to UTF-8, or with its line ends changed by normalizeLineEnds:
 * only a line's end changes), so the byte is on the same line, after that line's bytes before it in the file's own
 * encoding (`gb18030`: as many characters of the file as the copy has before it). Reads both files up to the line: error
 * paths only.
 */
export async function offsetInOriginal(
  copy: string,
  offset: number,
  original: string,
  encoding: 'same' | 'gb18030',
): Promise<{ offset: number; line: number }> {
  const { line, start } = await lineAt(copy, offset);
  const lineStart = await offsetOfLine(original, line);
  let before = offset - start;
  if (encoding === 'gb18030' && before > 0) {
    // The characters before the byte in the copy (a character the byte falls inside not counted), then as many of
    // the original's: one byte below 0x80 and 0x80 itself, four for a lead byte followed by a digit, else two.
    const prefix = await readRange(copy, start, before);
    const chars = [...prefix.subarray(0, prefix.length - incompleteTail(prefix)).toString('utf8')].length;
    const bytes = await readRange(original, lineStart, 4 * chars);
    let at = 0;
    for (let k = 0; k < chars && at < bytes.length; k++) {
      const b = bytes[at] as number;
      const next = bytes[at + 1] ?? 0;
      at += b <= 0x80 || b === 0xff ? 1 : next >= 0x30 && next <= 0x39 ? 4 : 2;
    }
    before = Math.min(at, bytes.length);
  }
  return { offset: lineStart + before, line };
}

/** `length` bytes of a file from `start` (fewer at its end). */
async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const fh = await fsp.open(file, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await fh.read(bytes, 0, length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface Utf8Scan {
  valid: boolean;
  badOffset: number;
  nulOffset: number;
  /** Offset of the first byte above 0x7F (-1: the file is ASCII up to where the scan stopped). */
  nonAsciiOffset: number;
  /** The scan reached the end of the file (not stopped by an invalid byte or by `upTo`). */
  whole: boolean;
  hasBom: boolean;
}

/**
 * Checks the whole file is UTF-8, a chunk at a time with isUtf8 (never the whole file in memory), up to the first
 * invalid byte, or only its first chunks up to at least `upTo` bytes.
 */
async function scanUtf8(file: string, hooks: ScanHooks, upTo = Infinity): Promise<Utf8Scan> {
  const carry = Buffer.alloc(CARRY_ROOM);
  let carryLength = 0;
  let pos = 0; // file offset just past the bytes checked
  let nulOffset = -1;
  let nonAsciiOffset = -1;
  let hasBom = false;
  let first = true;
  for await (const c of fileChunks(file)) {
    throwIfAborted(hooks.signal);
    const { bytes: chunk, at } = withCarry(c, carry, carryLength);
    if (nonAsciiOffset < 0 && !isAscii(chunk)) {
      let k = 0;
      while (k < chunk.length && (chunk[k] ?? 0) < 0x80) k++;
      nonAsciiOffset = at + k;
    }
    if (first) {
      hasBom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      first = false;
    }
    if (nulOffset < 0) {
      const z = chunk.indexOf(0);
      if (z >= 0) nulOffset = at + z;
    }
    const tail = incompleteTail(chunk);
    const body = chunk.subarray(0, chunk.length - tail);
    if (!isUtf8(body))
      return { valid: false, badOffset: at + firstInvalidUtf8(body), nulOffset, nonAsciiOffset, hasBom, whole: false };
    carryLength = chunk.copy(carry, 0, body.length);
    pos = at + body.length;
    hooks.onBytes?.(pos);
    if (pos >= upTo) return { valid: true, badOffset: -1, nulOffset, nonAsciiOffset, hasBom, whole: false };
  }
  if (carryLength > 0) return { valid: false, badOffset: pos, nulOffset, nonAsciiOffset, hasBom, whole: true };
  return { valid: true, badOffset: -1, nulOffset, nonAsciiOffset, hasBom, whole: true };
}

let gbPairs: Uint16Array | null = null;

/**
 * The BMP code point of every GB18030 two-byte sequence (lead 0x81–0xFE, trail 0x40–0x7E or
 * 0x80–0xFE), 0 where there is none; built once from the platform's own decoder, so the mapping is
 * the WHATWG one TextDecoder uses.
 */
function gbPairTable(): Uint16Array {
  if (gbPairs) return gbPairs;
  const table = new Uint16Array(126 * 190);
  const decoder = new TextDecoder('gb18030', { fatal: true });
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let k = 0; k < 190; k++) {
      pair[0] = lead;
      pair[1] = k < 63 ? 0x40 + k : 0x41 + k;
      try {
        const s = decoder.decode(pair);
        const c = s.charCodeAt(0);
        if (s.length === 1 && c >= 0x80 && (c < 0xd800 || c > 0xdfff)) table[(lead - 0x81) * 190 + k] = c;
      } catch {
        // no mapping: left 0
      }
    }
  }
  gbPairs = table;
  return table;
}

const gbFourByte = new TextDecoder('gb18030', { fatal: true });

let gbPairsUtf8: Uint32Array | null = null;

/**
 * gbPairTable's code points as UTF-8: the bytes in the low three bytes (first byte lowest), the length (2 or 3) in
 * the top byte; 0 where there is none.
 */
function gbPairUtf8Table(): Uint32Array {
  if (gbPairsUtf8) return gbPairsUtf8;
  const cps = gbPairTable();
  const table = new Uint32Array(cps.length);
  for (let k = 0; k < cps.length; k++) {
    const cp = cps[k] as number;
    if (cp === 0) continue;
    table[k] =
      cp < 0x800
        ? 0xc0 | (cp >> 6) | ((0x80 | (cp & 0x3f)) << 8) | (2 << 24)
        : 0xe0 | (cp >> 12) | ((0x80 | ((cp >> 6) & 0x3f)) << 8) | ((0x80 | (cp & 0x3f)) << 16) | (3 << 24);
  }
  gbPairsUtf8 = table;
  return table;
}

/**
 * Output room for n input bytes: at most 1.5 output bytes per input byte (a two-byte sequence becomes at most three),
 * and 16 bytes for the whole blocks and four-byte stores the WebAssembly loop writes past what it keeps.
 */
const utf8Room = (n: number) => Math.ceil(n * 1.5) + 16;

interface GbExports {
  memory: WasmMemory;
  heapBase(): number;
  setTable(at: number): void;
  transcode(src: number, end: number, dst: number): number;
  inputEnd(): number;
  outputEnd(): number;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * GB18030 bytes → UTF-8 bytes, straight from byte to byte, in WebAssembly (wasm/gb18030.ts): ASCII is copied sixteen
 * bytes at a time, two-byte sequences go through gbPairUtf8Table, four-byte ones through TextDecoder. About fifteen
 * times the speed of decoding to a JS string and encoding it again (and three times a JS byte loop). One instance
 * per transcoding: its input buffer of `capacity` bytes and two output buffers, one of which can be written to a
 * file while the next chunk is transcoded into the other. Hand-written: iconv-lite and TextDecoder both go through
 * JS strings.
 */
class GbTranscoder {
  private readonly wasm: GbExports;
  private readonly mem: Uint8Array;
  private readonly inAt: [number, number];
  private readonly outAt: [number, number];
  /** Two input buffers of `capacity` bytes (fileChunks can read into them: run then copies nothing). */
  readonly inputs: [Buffer, Buffer];
  readonly outputs: [Buffer, Buffer];

  constructor(readonly capacity: number) {
    const table = gbPairUtf8Table();
    const inRoom = align16(capacity);
    const outRoom = align16(utf8Room(capacity));
    this.wasm = instantiate<GbExports>('gb18030', table.byteLength + 2 * inRoom + 2 * outRoom);
    const base = this.wasm.heapBase();
    const buffer = this.wasm.memory.buffer;
    new Uint32Array(buffer, base, table.length).set(table);
    this.wasm.setTable(base);
    this.mem = new Uint8Array(buffer);
    const at = base + table.byteLength;
    this.inAt = [at, at + inRoom];
    this.outAt = [at + 2 * inRoom, at + 2 * inRoom + outRoom];
    this.inputs = [Buffer.from(buffer, this.inAt[0], capacity), Buffer.from(buffer, this.inAt[1], capacity)];
    this.outputs = [Buffer.from(buffer, this.outAt[0], outRoom), Buffer.from(buffer, this.outAt[1], outRoom)];
  }

  /**
   * src (at most `capacity` bytes, starting at a sequence; inside one of `inputs`, or copied into the first) into
   * output k. Null at anything unusual (an invalid or unmapped sequence, 0x80), and the caller decodes that part with
   * TextDecoder, which reports or replaces it. `consumed` stops before a sequence cut by the end of src. The result
   * is a view of output k.
   */
  run(src: Uint8Array, k: 0 | 1): { out: Buffer; consumed: number } | null {
    if (src.length > this.capacity) throw new RangeError('GbTranscoder: input larger than its buffer');
    const { wasm } = this;
    let start = src.byteOffset;
    if (src.buffer !== this.mem.buffer) {
      start = this.inAt[0];
      this.mem.set(src, start);
    }
    const end = start + src.length;
    const dst = this.outAt[k];
    const output = this.outputs[k];
    let i = start;
    let o = dst;
    for (;;) {
      const status = wasm.transcode(i, end, o);
      i = wasm.inputEnd();
      o = wasm.outputEnd();
      if (status === 0) break;
      if (status !== 1) return null;
      // A four-byte sequence.
      let s: string;
      try {
        s = gbFourByte.decode(this.mem.subarray(i, i + 4));
      } catch {
        return null;
      }
      o += output.write(s, o - dst, 'utf8');
      i += 4;
    }
    return { out: output.subarray(0, o - dst), consumed: i - start };
  }
}

let shared: GbTranscoder | null = null;

/**
 * GbTranscoder's conversion of one buffer, into a new Buffer (null at anything unusual). One instance serves every
 * call (nothing awaits between its input and its copied output), grown for a larger input.
 */
export function gb18030ToUtf8(src: Uint8Array): { out: Buffer; consumed: number } | null {
  if (!shared || shared.capacity < src.length) shared = new GbTranscoder(Math.max(src.length, 64 * 1024));
  const r = shared.run(src, 0);
  return r && { out: Buffer.from(r.out), consumed: r.consumed };
}

/**
 * Where the first sequence the GB18030 decoder refuses starts in buf, which begins at a sequence
 * boundary (-1: none), and where a sequence cut by the end of buf starts (buf.length: none).
 * Follows the WHATWG decoder TextDecoder uses; only runs on error paths, to say where the file goes wrong.
 */
function scanGb18030(buf: Uint8Array): { bad: number; complete: number } {
  const table = gbPairTable();
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i] as number;
    if (b <= 0x80) {
      i++; // ASCII, or 0x80 (U+20AC)
      continue;
    }
    if (b === 0xff) return { bad: i, complete: i };
    if (i + 1 >= n) return { bad: -1, complete: i };
    const t = buf[i + 1] as number;
    if (t >= 0x30 && t <= 0x39) {
      if (i + 3 >= n) return { bad: -1, complete: i };
      const t2 = buf[i + 2] as number;
      const t3 = buf[i + 3] as number;
      if (t2 < 0x81 || t2 > 0xfe || t3 < 0x30 || t3 > 0x39) return { bad: i, complete: i };
      try {
        gbFourByte.decode(buf.subarray(i, i + 4));
      } catch {
        return { bad: i, complete: i };
      }
      i += 4;
      continue;
    }
    if (t < 0x40 || t === 0x7f || t === 0xff) return { bad: i, complete: i };
    if (table[(b - 0x81) * 190 + t - (t < 0x7f ? 0x40 : 0x41)] === 0) return { bad: i, complete: i };
    i += 2;
  }
  return { bad: -1, complete: n };
}

/** File offset of the first undecodable GB18030 sequence at or after `from` (a sequence boundary). */
async function firstUndecodableGb18030(file: string, from: number): Promise<number> {
  const stream = fs.createReadStream(file, { start: from, highWaterMark: CHUNK });
  let carry: Buffer = Buffer.alloc(0);
  let pos = from; // file offset of carry[0]
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      const chunk = carry.length > 0 ? Buffer.concat([carry, raw]) : raw;
      const r = scanGb18030(chunk);
      if (r.bad >= 0) return pos + r.bad;
      carry = Buffer.from(chunk.subarray(r.complete));
      pos += r.complete;
    }
  } finally {
    stream.destroy();
  }
  // A sequence cut by the end of the file, or (should the two decoders ever disagree) where the search began.
  return carry.length > 0 ? pos : from;
}

/** Where a transcoded copy goes: `file`, written over a kept file from `pool` if it has one (scratch-pool.ts). */
export interface ScratchCopy {
  file: string;
  pool?: string;
}

const encodingLabel = (e: 'gb18030' | 'gbk') => (e === 'gbk' ? 'GBK' : 'GB18030');

/**
 * Streams file through a GB18030 decoder into a UTF-8 file: the one transcoding pass. Bytes the decoder
 * cannot decode are an error naming their byte offset and line, never silent U+FFFD replacements.
 * `declared`: the encoding the user declared, if any (named in the error).
 */
async function transcodeGb18030(
  file: string,
  scratch: ScratchCopy,
  declared: 'gb18030' | 'gbk' | null,
  hooks: ScanHooks,
): Promise<{ nulOffset: number }> {
  // WHATWG's 'gbk' label decodes with the gb18030 decoder, a superset of GBK.
  const decoder = new TextDecoder('gb18030', { fatal: true });
  // Written over a copy an earlier load left in the pool, when there is one (see scratch-pool.ts), and cut to its size.
  await claimScratch(scratch.pool, scratch.file, (await fsp.stat(file)).size);
  const output = await openForOverwrite(scratch.file);
  // Two output buffers in turn: one is being written while the next chunk is transcoded into the other.
  const transcoder = new GbTranscoder(CHUNK_BUFFER_BYTES);
  let writing: Promise<unknown> = Promise.resolve();
  let written = 0;
  const write = async (bytes: Buffer) => {
    await writing;
    writing = handled(writeAll(output, bytes, written));
    written += bytes.length;
  };
  let nulOffset = -1;
  // Byte-to-byte while the input is ordinary; from the first unusual sequence on, TextDecoder.
  let direct = true;
  const carry = Buffer.alloc(CARRY_ROOM);
  let carryLength = 0;
  let chunks = 0;
  // A file offset where a sequence starts, at or before any undecodable byte not yet passed: where the
  // search for the exact offset of an error begins.
  let boundary = 0;
  const decode = (bytes: Uint8Array, stream: boolean) => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      return null;
    }
  };
  const undecodable = async () => {
    const offset = await firstUndecodableGb18030(file, boundary);
    const line = await lineOfOffset(file, offset);
    if (declared) {
      const label = encodingLabel(declared);
      return badFile(
        'encoding_mismatch',
        `The file was declared ${label} but byte offset ${offset} (line ${line}) is not valid ${label}; check the file's encoding and upload again.`,
        { offset, line, declared },
      );
    }
    return badFile(
      'unknown_encoding',
      `The file is neither UTF-8 nor GB18030/GBK: undecodable bytes at byte offset ${offset} (line ${line}). Save it as UTF-8 and upload again.`,
      { offset, line },
    );
  };
  try {
    // The chunks are read straight into the transcoder's memory.
    for await (const c of fileChunks(file, { buffers: transcoder.inputs })) {
      throwIfAborted(hooks.signal);
      if (nulOffset < 0) {
        const z = c.buf.subarray(c.start, c.end).indexOf(0);
        if (z >= 0) nulOffset = c.pos + z;
      }
      // In direct mode every chunk starts at a sequence (the carry is a cut sequence's start).
      const { bytes: chunk, at } = direct
        ? withCarry(c, carry, carryLength)
        : { bytes: c.buf.subarray(c.start, c.end), at: c.pos };
      if (direct) boundary = at;
      carryLength = 0;
      let bytes: Buffer | null = null;
      if (direct) {
        const r = transcoder.run(chunk, chunks++ % 2 === 0 ? 0 : 1);
        if (r) {
          bytes = r.out;
          carryLength = chunk.copy(carry, 0, r.consumed);
        } else direct = false;
      }
      if (!direct) {
        const text = decode(chunk, true);
        if (text === null) throw await undecodable();
        bytes = Buffer.from(text, 'utf8');
      }
      await write(bytes as Buffer);
      hooks.onBytes?.(c.pos + (c.end - c.start));
    }
    const rest = direct
      ? carryLength > 0
        ? decode(carry.subarray(0, carryLength), false)
        : ''
      : decode(new Uint8Array(0), false);
    if (rest === null) throw await undecodable();
    if (rest) await write(Buffer.from(rest, 'utf8'));
    await writing;
    await output.truncate(written);
  } finally {
    await writing.catch(() => undefined);
    await output.close();
  }
  return { nulOffset };
}

function sniffUtf16(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes a text file readable as UTF-8. Strict UTF-8 (with or without BOM) is tried first over the
 * whole stream; only on the first invalid byte do we fall back to GB18030, because decoding UTF-8 as
 * GB18030 "succeeds" and yields mojibake. For the same reason a file declared GB18030/GBK that is
 * valid UTF-8 with multi-byte characters is refused (ASCII alone is the same in both and loads).
 */
export async function prepareTextSource(
  file: string,
  declared: SourceEncoding | undefined,
  scratch: ScratchCopy,
  hooks: ScanHooks,
  /**
   * Check only this many first bytes of a file not declared GB18030/GBK: if they are UTF-8 without NUL, the file is
   * taken as UTF-8 (`provisional`), and its reader checks the rest (the fast path's check, or restIsUtf8).
   */
  provisionalBytes?: number,
): Promise<TextSource> {
  if (sniffUtf16(file)) {
    throw badFile(
      'unsupported_encoding',
      'The file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 or GB18030',
      {
        offset: 0,
      },
    );
  }
  // The UTF-8 check and the transcoding each read from the start: progress never goes back.
  let reported = 0;
  const scanHooks: ScanHooks = {
    signal: hooks.signal,
    onBytes: (n) => {
      if (n <= reported) return;
      reported = n;
      hooks.onBytes?.(n);
    },
  };
  const nul = async (offset: number) => (offset < 0 ? null : { offset, line: await lineOfOffset(file, offset) });
  let head: Utf8Scan | null = null;
  if (provisionalBytes !== undefined && declared !== 'gb18030' && declared !== 'gbk') {
    head = await scanUtf8(file, scanHooks, provisionalBytes);
    if (head.valid && !head.whole && head.nulOffset < 0) {
      return { path: file, encoding: 'utf-8', hasBom: head.hasBom, firstNul: null, provisional: true };
    }
  }
  // Stops at the first invalid byte: for a real GB18030 file that is in its first chunk. The head's scan is the
  // whole one when it reached the end or an invalid byte.
  const scan = head && (head.whole || !head.valid) ? head : await scanUtf8(file, scanHooks);
  if (declared === 'gb18030' || declared === 'gbk') {
    if (scan.valid && scan.nonAsciiOffset < 0)
      return { path: file, encoding: declared, hasBom: false, firstNul: await nul(scan.nulOffset) };
    if (scan.valid) {
      const label = encodingLabel(declared);
      const line = await lineOfOffset(file, scan.nonAsciiOffset);
      throw badFile(
        'encoding_mismatch',
        `The file was declared ${label} but looks like UTF-8: it is valid UTF-8 throughout, with multi-byte characters from byte offset ${scan.nonAsciiOffset} (line ${line}) on, which as ${label} would load as garbled text. Upload it again as UTF-8 (or without declaring an encoding).`,
        { offset: scan.nonAsciiOffset, line, declared, detected: 'utf-8' },
      );
    }
    const { nulOffset } = await transcodeGb18030(file, scratch, declared, scanHooks);
    return { path: scratch.file, encoding: declared, hasBom: false, firstNul: await nul(nulOffset) };
  }
  if (scan.valid) return { path: file, encoding: 'utf-8', hasBom: scan.hasBom, firstNul: await nul(scan.nulOffset) };
  if (declared === 'utf-8') {
    const line = await lineOfOffset(file, scan.badOffset);
    throw badFile(
      'encoding_mismatch',
      `The file was declared UTF-8 but byte offset ${scan.badOffset} (line ${line}) is not valid UTF-8; it may be GB18030/GBK`,
      { offset: scan.badOffset, line },
    );
  }
  // Many characters read as UTF-8 before the bad byte: a UTF-8 file with a damaged byte (or text of another encoding
  // pasted in), not GB18030, whose Chinese text stops being UTF-8 within a character or two. Read as GB18030 it would
  // load garbled.
  const before = await utf8CharsBefore(file, scan.badOffset, UTF8_EVIDENCE);
  if (before >= UTF8_EVIDENCE) {
    const line = await lineOfOffset(file, scan.badOffset);
    throw badFile(
      'invalid_utf8',
      `The file reads as UTF-8 up to byte offset ${scan.badOffset} (line ${line}), which is not valid UTF-8: the file is damaged there, or has text in another encoding pasted in (read as GB18030 it would load garbled). Correct that line and save the file as UTF-8, or upload it declared as GB18030 if that is its encoding.`,
      { offset: scan.badOffset, line },
    );
  }
  const { nulOffset } = await transcodeGb18030(file, scratch, null, scanHooks);
  return { path: scratch.file, encoding: 'gb18030', hasBom: false, firstNul: await nul(nulOffset) };
}

/**
 * Multi-byte UTF-8 characters before a file's first invalid UTF-8 byte that make it a UTF-8 file: GB18030 Chinese
 * text forms a valid UTF-8 sequence for about one character in seven (a lead byte C2-DF or E0-EF followed by bytes
 * 80-BF), so eight before the first invalid byte happen by chance in fewer than one file in five million ((1/7)^8).
 */
const UTF8_EVIDENCE = 8;

/** Multi-byte characters in the valid UTF-8 bytes [0, upTo) of a file, counted up to `enough` (error path only). */
async function utf8CharsBefore(file: string, upTo: number, enough: number): Promise<number> {
  let count = 0;
  for await (const c of fileChunks(file)) {
    const end = Math.min(c.end, c.start + (upTo - c.pos));
    // Each lead byte of a valid sequence starts one character.
    for (let i = c.start; i < end; i++) if ((c.buf[i] as number) >= 0xc2) if (++count >= enough) return count;
    if (c.pos + (c.end - c.start) >= upTo) break;
  }
  return count;
}

/** Whether the whole file is UTF-8 without NUL bytes: what a provisional TextSource assumed. */
export async function restIsUtf8(file: string, signal?: AbortSignal): Promise<boolean> {
  const scan = await scanUtf8(file, { signal });
  return scan.valid && scan.nulOffset < 0;
}

/**
 * Where a CSV first ends a line otherwise than its first line (LF against CR LF), outside quoted fields: DuckDB's
 * reader refuses such a file as a whole. Reads the original file (the line ends and quotes of GB18030 are ASCII's
 * too); only on that error's path. Null if its line ends are all of one kind.
 */
export async function mixedLineEnd(
  file: string,
  signal?: AbortSignal,
): Promise<{ offset: number; line: number; first: 'LF' | 'CRLF'; then: 'LF' | 'CRLF' } | null> {
  let first: 'LF' | 'CRLF' | null = null;
  let quoted = false;
  let prev = 0;
  for await (const c of fileChunks(file)) {
    throwIfAborted(signal);
    const { buf } = c;
    for (let i = c.start; i < c.end; i++) {
      const b = buf[i] as number;
      if (b === 0x22) quoted = !quoted;
      else if (b === 0x0a && !quoted) {
        const kind = prev === 0x0d ? 'CRLF' : 'LF';
        first ??= kind;
        if (kind !== first) {
          const offset = c.pos + (i - c.start) - (kind === 'CRLF' ? 1 : 0);
          return { offset, line: await lineOfOffset(file, offset), first, then: kind };
        }
      }
      prev = b;
    }
  }
  return null;
}

const CR = Buffer.from('\r');

/**
 * Copies a CSV file into `out` with the CR of every CR LF outside quoted values left out, so that lines that ended in
 * two ways (mixedLineEnd) all end in LF, the way DuckDB's reader can read them; quoted values keep their bytes, and
 * line numbers do not change. CR, LF and the quote never occur inside a multi-byte sequence of UTF-8 or of GB18030,
 * so the file is copied in its own encoding. Quotes are read as the CSV reader is told to read them (quote and escape
 * both `"`), so what is quoted here is what DuckDB reads as quoted. Returns how many line ends it changed. Only a file
 * DuckDB refused goes through here (a plain byte loop: about 1 s per GB).
 */
export async function normalizeLineEnds(
  file: string,
  out: string,
  hooks: { signal?: AbortSignal; onBytes?: (bytesRead: number) => void } = {},
): Promise<number> {
  const output = await fsp.open(out, 'w');
  let quoted = false;
  // The last chunk ended with a CR outside quotes: whether it ends a CR LF depends on the next chunk's first byte.
  let crPending = false;
  let written = 0;
  let changed = 0;
  const write = async (bytes: Buffer) => {
    await writeAll(output, bytes, written);
    written += bytes.length;
  };
  try {
    for await (const c of fileChunks(file)) {
      throwIfAborted(hooks.signal);
      const { buf } = c;
      const spans: Buffer[] = [];
      if (crPending) {
        if (buf[c.start] === 0x0a) changed++;
        else spans.push(CR);
        crPending = false;
      }
      let from = c.start;
      for (let i = c.start; i < c.end; i++) {
        const b = buf[i] as number;
        if (b === 0x22) quoted = !quoted;
        else if (b === 0x0d && !quoted) {
          if (i + 1 === c.end) {
            spans.push(buf.subarray(from, i));
            from = c.end;
            crPending = true;
          } else if (buf[i + 1] === 0x0a) {
            spans.push(buf.subarray(from, i));
            from = i + 1;
            changed++;
          }
        }
      }
      spans.push(buf.subarray(from, c.end));
      // A copy: the chunk's buffer is read into again once the next chunk is asked for.
      await write(Buffer.concat(spans));
      hooks.onBytes?.(c.pos + (c.end - c.start));
    }
    if (crPending) await write(CR);
  } finally {
    await output.close();
  }
  return changed;
}

/** Reads the first bytes of a file (format and delimiter sniffing). */
export function readHead(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

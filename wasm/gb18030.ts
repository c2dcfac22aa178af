/*
 * AssemblyScript source of src/modules/ingest/gb18030.wasm (build: `npm run build:wasm`; a test rebuilds it and
 * compares): GB18030 bytes to UTF-8 bytes, the inner loop of gb18030ToUtf8 in encoding.ts. ASCII is copied sixteen
 * bytes at a time (SIMD), a two-byte sequence goes through the caller's table of UTF-8 encodings (gbPairUtf8Table:
 * the bytes in the low three bytes, the length in the top one, 0 for none). It stops at a four-byte sequence (the
 * caller decodes it with TextDecoder and calls again), at a sequence cut by the end of the input, and at anything
 * unusual (the caller hands the chunk to TextDecoder).
 */

/** Stopped at the end of the input, or before a sequence it cuts. */
const END: i32 = 0;
/** Stopped before a four-byte sequence. */
const FOUR_BYTES: i32 = 1;
/** Stopped before a byte or sequence with no direct mapping (0x80, 0xFF, an invalid trail, an unmapped pair). */
const UNUSUAL: i32 = 2;

let table: usize = 0;
let inputStop: usize = 0;
let outputStop: usize = 0;

/** Where the caller may put its table and buffers: past the static data, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

export function setTable(at: usize): void {
  table = at;
}

/** Where the last call stopped in the input and in the output. */
export function inputEnd(): usize {
  return inputStop;
}

export function outputEnd(): usize {
  return outputStop;
}

/**
 * Transcodes [src, end) to dst. The output needs 1.5 bytes per input byte and 16 more (whole blocks and four-byte
 * stores write past what they keep). Returns END, FOUR_BYTES or UNUSUAL; inputEnd() and outputEnd() say where.
 */
export function transcode(src: usize, end: usize, dst: usize): i32 {
  let i = src;
  let o = dst;
  let status = END;
  while (true) {
    // Sixteen bytes at a time while they are ASCII; the block is stored whole, and kept up to its first other byte.
    while (i + 16 <= end) {
      const v = v128.load(i);
      const m = i8x16.bitmask(v);
      v128.store(o, v);
      if (m == 0) {
        i += 16;
        o += 16;
        continue;
      }
      const k = <usize>ctz(m);
      i += k;
      o += k;
      break;
    }
    if (i >= end) break;
    const b = <u32>load<u8>(i);
    if (b < 0x80) {
      store<u8>(o, <u8>b);
      i++;
      o++;
      continue;
    }
    if (b == 0x80 || b == 0xff) {
      status = UNUSUAL;
      break;
    }
    if (i + 1 >= end) break;
    const t = <u32>load<u8>(i + 1);
    if (t >= 0x30 && t <= 0x39) {
      if (i + 3 < end) status = FOUR_BYTES;
      break;
    }
    if (t < 0x40 || t == 0x7f || t == 0xff) {
      status = UNUSUAL;
      break;
    }
    const k = (b - 0x81) * 190 + t - (t < 0x7f ? 0x40 : 0x41);
    const utf8 = load<u32>(table + ((<usize>k) << 2));
    if (utf8 == 0) {
      status = UNUSUAL;
      break;
    }
    store<u32>(o, utf8 & 0xffffff);
    o += <usize>(utf8 >>> 24);
    i += 2;
    // Chinese text comes in runs: the next two-byte sequence straight away, without trying a block of ASCII first.
    while (i + 1 < end) {
      const b2 = <u32>load<u8>(i);
      const t2 = <u32>load<u8>(i + 1);
      if (b2 < 0x81 || b2 == 0xff || t2 < 0x40 || t2 == 0x7f || t2 == 0xff) break;
      const u = load<u32>(table + ((<usize>((b2 - 0x81) * 190 + t2 - (t2 < 0x7f ? 0x40 : 0x41))) << 2));
      if (u == 0) break;
      store<u32>(o, u & 0xffffff);
      o += <usize>(u >>> 24);
      i += 2;
    }
  }
  inputStop = i;
  outputStop = o;
  return status;
}

import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import type { SourceEncoding } from './types.ts';
import { badFile, throwIfAborted } from './errors.ts';

const CHUNK = 1 << 20;

export interface TextSource {
  /** A UTF-8 file DuckDB can read: the original, or a transcoded copy in the scratch directory. */
  path: string;
  encoding: 'utf-8' | 'gb18030' | 'gbk';
  hasBom: boolean;
  /** Where the first NUL byte sits, if any (values get NULs stripped and a warning). */
  firstNul: { offset: number; line: number } | null;
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
async function lineOfOffset(file: string, offset: number): Promise<number> {
  if (offset <= 0) return 1;
  let line = 1;
  const stream = fs.createReadStream(file, { end: offset - 1, highWaterMark: CHUNK });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let p = chunk.indexOf(10);
    while (p !== -1) {
      line++;
      p = chunk.indexOf(10, p + 1);
    }
  }
  return line;
}

interface Utf8Scan {
  valid: boolean;
  badOffset: number;
  nulOffset: number;
  hasBom: boolean;
}

async function scanUtf8(file: string, hooks: ScanHooks, stopAtInvalid: boolean): Promise<Utf8Scan> {
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK });
  let carry: Buffer = Buffer.alloc(0);
  let pos = 0; // file offset of carry[0]
  let nulOffset = -1;
  let hasBom = false;
  let first = true;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      throwIfAborted(hooks.signal);
      const chunk = carry.length > 0 ? Buffer.concat([carry, raw]) : raw;
      if (first) {
        hasBom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
        first = false;
      }
      if (nulOffset < 0) {
        const z = chunk.indexOf(0);
        if (z >= 0) nulOffset = pos + z;
      }
      const tail = incompleteTail(chunk);
      const body = tail > 0 ? chunk.subarray(0, chunk.length - tail) : chunk;
      if (!isUtf8(body)) {
        const bad = pos + firstInvalidUtf8(body);
        if (stopAtInvalid) return { valid: false, badOffset: bad, nulOffset, hasBom };
      }
      carry = tail > 0 ? Buffer.from(chunk.subarray(chunk.length - tail)) : Buffer.alloc(0);
      pos += body.length;
      hooks.onBytes?.(pos);
    }
  } finally {
    stream.destroy();
  }
  if (carry.length > 0) return { valid: false, badOffset: pos, nulOffset, hasBom };
  return { valid: true, badOffset: -1, nulOffset, hasBom };
}

/** Streams file through a GB18030 decoder into a UTF-8 file: the one transcoding pass. */
async function transcodeGb18030(
  file: string,
  out: string,
  fatal: boolean,
  hooks: ScanHooks,
): Promise<{ nulOffset: number }> {
  // WHATWG's 'gbk' label decodes with the gb18030 decoder, a superset of GBK.
  const decoder = new TextDecoder('gb18030', { fatal });
  const input = fs.createReadStream(file, { highWaterMark: CHUNK });
  const output = fs.createWriteStream(out);
  let pos = 0;
  let nulOffset = -1;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      throwIfAborted(hooks.signal);
      if (nulOffset < 0) {
        const z = chunk.indexOf(0);
        if (z >= 0) nulOffset = pos + z;
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        const line = await lineOfOffset(file, pos);
        throw badFile(
          'unknown_encoding',
          `The file is neither UTF-8 nor GB18030/GBK: undecodable bytes near byte offset ${pos} (line ${line}). Save it as UTF-8 and upload again.`,
          { offset: pos, line },
        );
      }
      pos += chunk.length;
      if (!output.write(text)) await once(output, 'drain');
      hooks.onBytes?.(pos);
    }
    const rest = decoder.decode();
    if (rest) output.write(rest);
  } finally {
    input.destroy();
    output.end();
    await once(output, 'close');
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
 * GB18030 "succeeds" and yields mojibake.
 */
export async function prepareTextSource(
  file: string,
  declared: SourceEncoding | undefined,
  scratchFile: string,
  hooks: ScanHooks,
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
  const nul = async (offset: number) => (offset < 0 ? null : { offset, line: await lineOfOffset(file, offset) });
  if (declared === 'gb18030' || declared === 'gbk') {
    const { nulOffset } = await transcodeGb18030(file, scratchFile, false, hooks);
    return { path: scratchFile, encoding: declared, hasBom: false, firstNul: await nul(nulOffset) };
  }
  const scan = await scanUtf8(file, hooks, true);
  if (scan.valid) return { path: file, encoding: 'utf-8', hasBom: scan.hasBom, firstNul: await nul(scan.nulOffset) };
  if (declared === 'utf-8') {
    const line = await lineOfOffset(file, scan.badOffset);
    throw badFile(
      'encoding_mismatch',
      `The file was declared UTF-8 but byte offset ${scan.badOffset} (line ${line}) is not valid UTF-8; it may be GB18030/GBK`,
      { offset: scan.badOffset, line },
    );
  }
  const { nulOffset } = await transcodeGb18030(file, scratchFile, true, hooks);
  return { path: scratchFile, encoding: 'gb18030', hasBom: false, firstNul: await nul(nulOffset) };
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

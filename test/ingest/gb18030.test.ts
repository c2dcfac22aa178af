import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { gb18030ToUtf8 } from '../../src/modules/ingest/encoding.ts';

/** Decodes like the transcoding pass: byte to byte, the cut tail carried into the next piece. */
function transcode(bytes: Buffer, piece: number): string | null {
  const out: Buffer[] = [];
  let carry = Buffer.alloc(0);
  for (let i = 0; i < bytes.length; i += piece) {
    const chunk = Buffer.concat([carry, bytes.subarray(i, i + piece)]);
    const r = gb18030ToUtf8(chunk);
    if (!r) return null;
    out.push(Buffer.from(r.out));
    carry = Buffer.from(chunk.subarray(r.consumed));
  }
  return carry.length > 0 ? null : Buffer.concat(out).toString('utf8');
}

describe('GB18030 to UTF-8, byte to byte', () => {
  it('gives what TextDecoder gives for every two-byte character and for four-byte ones', () => {
    // Every mapped two-byte sequence, then characters outside GBK (four bytes in GB18030).
    const pairs: number[] = [];
    const decoder = new TextDecoder('gb18030', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        try {
          decoder.decode(Buffer.from([lead, trail]));
          pairs.push(lead, trail, 0x2c);
        } catch {
          // unmapped pair
        }
      }
    }
    const rare = iconv.encode('𠀀,㐀,€,·,ü,𪚥,\u00e9,abc\n', 'gb18030');
    // Each pair once after a comma, once back to back with the others (a run of Chinese text).
    const run = pairs.filter((_, i) => i % 3 !== 2);
    const bytes = Buffer.concat([Buffer.from(pairs), Buffer.from(run), rare]);
    const expected = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    for (const piece of [bytes.length, 4096, 7, 3, 1])
      expect(transcode(bytes, piece), `pieces of ${piece}`).toBe(expected);
  });

  it('copies runs of ASCII of every length and alignment between characters (sixteen bytes at a time)', () => {
    const words = ['站', '€', '𠀀', 'ü', '气象站'];
    let text = '';
    for (let run = 0; run <= 40; run++)
      for (const w of words) text += `${'0123456789,\n"'.repeat(4).slice(0, run)}${w}${'x'.repeat(run % 17)}`;
    const bytes = iconv.encode(text, 'gb18030');
    const lead = 'abcdefghijklmno';
    for (let skip = 0; skip < 16; skip++) {
      // The same bytes starting at each offset of a 16-byte block.
      const shifted = Buffer.concat([Buffer.from(lead.slice(0, skip)), bytes]);
      for (const piece of [shifted.length, 4096, 17, 5, 1])
        expect(transcode(shifted, piece), `offset ${skip}, pieces of ${piece}`).toBe(lead.slice(0, skip) + text);
    }
  });

  it('hands invalid sequences back to TextDecoder (null)', () => {
    expect(gb18030ToUtf8(Buffer.from([0x41, 0x81, 0x7f]))).toBeNull();
    expect(gb18030ToUtf8(Buffer.from([0xff, 0x41]))).toBeNull();
    expect(gb18030ToUtf8(Buffer.from([0x81, 0x30, 0x20, 0x30]))).toBeNull();
  });
});

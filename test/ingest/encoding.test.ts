import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { TEXT_CHUNK_BYTES, normalizeLineEnds, prepareTextSource } from '../../src/modules/ingest/encoding.ts';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const text = '单位名称,地址\n广州市白云区人民政府,广州市白云区云城东路\n黄埔区,开发大道\n';

/** Rows `i,x` (at least 4 bytes each) longer in all than the chunk the encoding check and the transcoder read. */
const PAST_A_CHUNK = Math.ceil(TEXT_CHUNK_BYTES / 4);

/** ASCII rows `000001,xxxxxxxx` filling exactly `bytes` bytes (at least 16): the same bytes in UTF-8 and GB18030. */
function asciiRows(bytes: number): string {
  const n = Math.floor(bytes / 16);
  const rows = Array.from({ length: n }, (_, i) => `${String(i).padStart(6, '0')},xxxxxxxx\n`);
  rows[n - 1] = `${String(n - 1).padStart(6, '0')},${'x'.repeat(8 + (bytes % 16))}\n`;
  return rows.join('');
}

describe('encoding detection', () => {
  it('reads UTF-8 without a BOM', async () => {
    const r = await h.ingest(Buffer.from(text, 'utf8'), 'u.csv');
    expect(r.encoding).toBe('utf-8');
    expect((await h.rows(r.out))[0]).toMatchObject({ 单位名称: '广州市白云区人民政府' });
  });

  it('reads UTF-8 with a BOM (the BOM is not part of the first name)', async () => {
    const r = await h.ingest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'b.csv');
    expect(r.encoding).toBe('utf-8');
    expect(r.columns[0]?.name).toBe('单位名称');
  });

  it('falls back to GB18030 for a file without a BOM', async () => {
    const r = await h.ingest(iconv.encode(text, 'gb18030'), 'g.csv');
    expect(r.encoding).toBe('gb18030');
    expect(r.columns.map((c) => c.name)).toEqual(['单位名称', '地址']);
    expect((await h.rows(r.out)).map((x) => x.地址)).toEqual(['广州市白云区云城东路', '开发大道']);
    expect(leftovers(h)).toEqual([]);
  });

  it('only falls back when the invalid byte comes late (the whole stream is checked)', async () => {
    const ascii = 'a,b\n' + Array.from({ length: 40_000 }, (_, i) => `${i},x`).join('\n') + '\n';
    const r = await h.ingest(Buffer.concat([Buffer.from(ascii), iconv.encode('99999,中文\n', 'gbk')]), 'late.csv');
    expect(r.encoding).toBe('gb18030');
    expect((await h.rows(r.out)).at(-1)).toMatchObject({ b: '中文' });
  });

  it('honours a declared GBK encoding', async () => {
    const r = await h.ingest(iconv.encode(text, 'gbk'), 'k.csv', { encoding: 'gbk' });
    expect(r.encoding).toBe('gbk');
    expect(r.columns[0]?.name).toBe('单位名称');
  });

  it('says where a file declared UTF-8 is not', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n'), iconv.encode('3,中文\n', 'gb18030')]);
    const err = await appError(() => h.ingest(bytes, 'm.csv', { encoding: 'utf-8' }));
    expect(err.code).toBe('encoding_mismatch');
    expect(err.extras).toMatchObject({ offset: 10, line: 3 });
    expect(err.message).toMatch(/byte offset 10 \(line 3\)/);
    expect(leftovers(h)).toEqual([]);
  });

  it('refuses a file declared GBK or GB18030 that is really UTF-8, instead of loading mojibake', async () => {
    const bytes = Buffer.from(text, 'utf8');
    for (const declared of ['gbk', 'gb18030'] as const) {
      const err = await appError(() => h.ingest(bytes, 'u8.csv', { encoding: declared }));
      expect(err.code).toBe('encoding_mismatch');
      expect(err.message).toContain(`declared ${declared.toUpperCase()}`);
      expect(err.message).toMatch(/looks like UTF-8/);
      // The first Chinese character is the first byte of the file.
      expect(err.message).toMatch(/byte offset 0 \(line 1\)/);
      expect(err.extras).toMatchObject({ declared, detected: 'utf-8', offset: 0, line: 1 });
    }
    // Also when the UTF-8 text only starts late, past the first chunk the check reads.
    const late = 'a,b\n' + Array.from({ length: PAST_A_CHUNK }, (_, i) => `${i},x`).join('\n') + '\n';
    const err = await appError(() =>
      h.ingest(Buffer.concat([Buffer.from(late), Buffer.from('1,广州\n', 'utf8')]), 'late8.csv', { encoding: 'gbk' }),
    );
    expect(err.code).toBe('encoding_mismatch');
    expect(err.extras).toMatchObject({ offset: Buffer.byteLength(late) + 2, line: PAST_A_CHUNK + 2 });
    expect(leftovers(h)).toEqual([]);
  });

  it('loads a pure-ASCII file declared GBK (ASCII is the same in both)', async () => {
    const r = await h.ingest(Buffer.from('code,name\n440111,Baiyun\n440112,Huangpu\n'), 'a.csv', { encoding: 'gbk' });
    expect(r.encoding).toBe('gbk');
    expect(await h.rows(r.out)).toMatchObject([
      { code: '440111', name: 'Baiyun' },
      { code: '440112', name: 'Huangpu' },
    ]);
    expect(leftovers(h)).toEqual([]);
  });

  it('says where a file declared GB18030/GBK has bytes it cannot decode (no silent replacement characters)', async () => {
    // 0x81 0x20: a lead byte followed by a space is no GB18030 sequence (nor UTF-8).
    const head = iconv.encode('单位,地址\n白云,云城\n', 'gb18030');
    const bytes = Buffer.concat([head, Buffer.from([0x31, 0x2c, 0x81, 0x20, 0x0a])]);
    const err = await appError(() => h.ingest(bytes, 'bad.csv', { encoding: 'gb18030' }));
    expect(err.code).toBe('encoding_mismatch');
    expect(err.extras).toMatchObject({ offset: head.length + 2, line: 3, declared: 'gb18030' });
    expect(err.message).toBe(
      `The file was declared GB18030 but byte offset ${head.length + 2} (line 3) is not valid GB18030; check the file's encoding and upload again.`,
    );
    expect(leftovers(h)).toEqual([]);

    // After an unusual but valid byte (0x80 is the euro sign) the rest goes through TextDecoder; an error
    // chunks later is still placed exactly, and a sequence cut by the end of the file is one too.
    const rows = Array.from({ length: PAST_A_CHUNK }, (_, i) => `${i},x`).join('\n');
    const euro = Buffer.concat([
      iconv.encode('名称,值\n', 'gbk'),
      Buffer.from([0x80, 0x2c, 0x31, 0x0a]),
      Buffer.from(rows),
    ]);
    const late = Buffer.concat([euro, Buffer.from([0x0a, 0x32, 0x2c, 0xff, 0x0a])]);
    const lateErr = await appError(() => h.ingest(late, 'late.csv', { encoding: 'gbk' }));
    expect(lateErr.message).toMatch(/declared GBK but byte offset \d+ \(line \d+\) is not valid GBK/);
    expect(lateErr.extras).toMatchObject({ offset: euro.length + 3, line: PAST_A_CHUNK + 3 });
    const cut = Buffer.concat([euro, Buffer.from([0x0a, 0xb0])]);
    expect((await appError(() => h.ingest(cut, 'cut.csv', { encoding: 'gbk' }))).extras).toMatchObject({
      offset: euro.length + 1,
      line: PAST_A_CHUNK + 3,
    });
  });

  it('says where a file that is neither UTF-8 nor GB18030 goes wrong', async () => {
    const bytes = Buffer.concat([iconv.encode('名称,值\n甲,1\n', 'gb18030'), Buffer.from([0x32, 0x2c, 0xff, 0x0a])]);
    const err = await appError(() => h.ingest(bytes, 'x.csv'));
    expect(err.code).toBe('unknown_encoding');
    expect(err.extras).toMatchObject({ offset: bytes.length - 2, line: 3 });
  });

  it('refuses a UTF-8 file with a damaged byte instead of reading it as garbled GB18030, and says where', async () => {
    // Chinese UTF-8 text, then one byte that is not UTF-8 on line 3: the rest decodes as GB18030 (garbled).
    const head = Buffer.from('站点名称,地址\n江城区环境监测站,江城区人民路二号\n', 'utf8');
    const bytes = Buffer.concat([head, Buffer.from('乙站,', 'utf8'), Buffer.from([0xb0, 0xa1]), Buffer.from('\n')]);
    expect(new TextDecoder('gb18030', { fatal: true }).decode(bytes).length).toBeGreaterThan(0);
    const err = await appError(() => h.ingest(bytes, 'damaged.csv'));
    expect(err.code).toBe('invalid_utf8');
    const offset = head.length + Buffer.byteLength('乙站,');
    expect(err.extras).toEqual({ offset, line: 3 });
    expect(err.message).toContain(`up to byte offset ${offset} (line 3)`);
    // Declared GB18030, the same bytes load as the user says (garbled, their choice).
    expect((await h.ingest(bytes, 'declared.csv', { encoding: 'gb18030' })).encoding).toBe('gb18030');
    // GB18030 whose first characters happen to be UTF-8 too (为 and 要 are C2-DF then 80-BF): read as GB18030.
    const gb = iconv.encode('为要,值\n甲站,1\n乙站,2\n', 'gb18030');
    expect(gb.subarray(0, 4).toString('utf8')).toHaveLength(2);
    const r = await h.ingest(gb, 'gb.csv');
    expect(r.encoding).toBe('gb18030');
    expect(r.columns.map((c) => c.name)).toEqual(['为要', '值']);
    expect(r.rowsLoaded).toBe(2);
  });

  it('reads characters cut by the end of a read chunk, in UTF-8 and in GB18030', async () => {
    // Rows whose value starts one, two or three bytes before the end of a chunk (the check and the transcoder read
    // TEXT_CHUNK_BYTES at a time), so that a two-, three- and four-byte character is cut by it.
    const values = ['广州', '𠀀字', '€元', '黄埔'];
    for (const encoding of ['utf-8', 'gb18030'] as const) {
      const enc = (t: string) => (encoding === 'utf-8' ? Buffer.from(t, 'utf8') : iconv.encode(t, 'gb18030'));
      const parts: Buffer[] = [Buffer.from('a,b\n')];
      let length = 4;
      values.forEach((value, k) => {
        // Value k starts k + 1 bytes before the end of chunk k + 1.
        const start = (k + 1) * TEXT_CHUNK_BYTES - (k + 1);
        const filler = Buffer.from(asciiRows(start - length - 2));
        const row = enc(`${'pqrs'[k]},${value}\n`);
        parts.push(filler, row);
        length += filler.length + row.length;
      });
      const r = await h.ingest(Buffer.concat(parts), `cut-${encoding}.csv`);
      expect(r.encoding).toBe(encoding);
      expect(r.rowsRejected).toBe(0);
      const rows = await h.rows(r.out, 'a', `a IN ('p', 'q', 'r', 's')`);
      expect(rows.map((x) => x.b)).toEqual(values);
    }
    expect(leftovers(h)).toEqual([]);
  });

  it("fails with the disk's error when the transcoded copy cannot be written, also while an undecodable byte is reported", async () => {
    // /dev/full refuses every write (ENOSPC), as a full scratch disk does.
    const gbk = Buffer.concat([iconv.encode('名称,值\n', 'gbk'), Buffer.from(asciiRows(2 * TEXT_CHUNK_BYTES))]);
    const full = prepareTextSource(h.file('full.csv', gbk), undefined, { file: '/dev/full' }, {});
    await expect(full).rejects.toMatchObject({ code: 'ENOSPC' });
    // A write fails while the error about a later undecodable byte is being put together: that error is the answer
    // (the write's failure must not escape as an unhandled rejection, which would end the server).
    const bad = Buffer.concat([gbk.subarray(0, TEXT_CHUNK_BYTES + 100), Buffer.from([0x32, 0x2c, 0xff, 0x0a])]);
    const err = await appError(() =>
      prepareTextSource(h.file('bad-full.csv', bad), undefined, { file: '/dev/full' }, {}),
    );
    expect(err.code).toBe('unknown_encoding');
    expect(err.extras).toMatchObject({ offset: TEXT_CHUNK_BYTES + 102 });
  });

  it('refuses UTF-16', async () => {
    const err = await appError(() =>
      h.ingest(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]), 'w.csv'),
    );
    expect(err.code).toBe('unsupported_encoding');
  });
});

describe('one kind of line end (the copy of a file whose lines end in two ways)', () => {
  /** The bytes normalizeLineEnds writes for `content`, and how many line ends it says it changed. */
  async function normalized(content: string | Buffer) {
    const out = path.join(h.dir, 'line-ends.out');
    const changed = await normalizeLineEnds(h.file('line-ends.csv', content), out);
    return { text: fs.readFileSync(out, 'latin1'), changed };
  }
  // Rows filling all of the first chunk but its last byte: the next byte written sits on the boundary.
  const upToBoundary = (tail: string) => asciiRows(TEXT_CHUNK_BYTES - 1 - tail.length) + tail;

  it('leaves out the CR of CR LF line ends, keeps LF ones, lone CRs and quoted CR LF', async () => {
    expect(await normalized('a,b\r\n1,"x\r\ny"\n2,z\rw\r\n3,4')).toEqual({
      text: 'a,b\n1,"x\r\ny"\n2,z\rw\n3,4',
      changed: 2,
    });
    expect(await normalized('a,b\r')).toEqual({ text: 'a,b\r', changed: 0 });
  });

  it('joins a CR LF cut by the end of a read, but not a CR followed by something else', async () => {
    const head = upToBoundary('1,2');
    expect((head + '\r').length).toBe(TEXT_CHUNK_BYTES);
    expect(await normalized(head + '\r\n3,4\r\n')).toEqual({ text: head + '\n3,4\n', changed: 2 });
    expect(await normalized(head + '\rx\r\n')).toEqual({ text: head + '\rx\n', changed: 1 });
    expect(await normalized(head + '\r')).toEqual({ text: head + '\r', changed: 0 });
  });

  it('keeps a quoted CR LF cut by the end of a read, and knows the quote is closed after it', async () => {
    const head = upToBoundary('5,"a');
    expect(await normalized(head + '\r\nb",6\r\n7,8\n')).toEqual({ text: head + '\r\nb",6\n7,8\n', changed: 1 });
  });

  it('copies GB18030 bytes as they are', async () => {
    const gb = iconv.encode('名称,数量\r\n广州,1\n黄埔,"多\r\n行"\r\n', 'gb18030');
    const { text, changed } = await normalized(gb);
    expect(changed).toBe(2);
    expect(iconv.decode(Buffer.from(text, 'latin1'), 'gb18030')).toBe('名称,数量\n广州,1\n黄埔,"多\r\n行"\n');
  });
});

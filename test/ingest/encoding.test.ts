import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const text = '单位名称,地址\n广州市白云区人民政府,广州市白云区云城东路\n黄埔区,开发大道\n';

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

  it('refuses UTF-16', async () => {
    const err = await appError(() =>
      h.ingest(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]), 'w.csv'),
    );
    expect(err.code).toBe('unsupported_encoding');
  });
});

import fs from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';
import type { IngestProgress } from '../../src/modules/ingest/index.ts';
import { progressReporter } from '../../src/modules/ingest/ingest.ts';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('CSV and TSV', () => {
  it('loads a CSV with _id first, trimmed names, empty strings as NULL', async () => {
    const r = await h.ingest(' 名称 ,数量,备注\n甲,1,\n乙,2,"有,逗号"\n', 'a.csv');
    expect(r.format).toBe('csv');
    expect(r.delimiter).toBe(',');
    expect(r.encoding).toBe('utf-8');
    expect(r.columns.map((c) => [c.name, c.type, c.sourceIndex])).toEqual([
      ['名称', 'text', 0],
      ['数量', 'integer', 1],
      ['备注', 'text', 2],
    ]);
    expect(r.columns[2]?.nullCount).toBe(1);
    expect(Object.keys(await h.schema(r.out))).toEqual(['_id', '名称', '数量', '备注']);
    expect(await h.rows(r.out)).toEqual([
      { _id: '1', 名称: '甲', 数量: '1', 备注: null },
      { _id: '2', 名称: '乙', 数量: '2', 备注: '有,逗号' },
    ]);
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([2, 2, 0]);
    expect(leftovers(h)).toEqual([]);
  });

  it.each([
    [';', 'a;b\n1;x\n2;y\n'],
    ['\t', 'a\tb\n1\tx\n2\ty\n'],
    ['|', 'a|b\n1|x,1\n2|y,2\n'],
  ])('sniffs the delimiter %j', async (delim, text) => {
    const r = await h.ingest(text, 'd.csv');
    expect(r.delimiter).toBe(delim);
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(r.rowsLoaded).toBe(2);
  });

  it('takes a delimiter override over the sniffed one, and refuses a quote or line break as delimiter', async () => {
    // Sniffing would pick the comma (every line has one); the department says the file is semicolon-separated.
    const r = await h.ingest('地址;金额\n江城区1号,甲;1,200\n江城区2号,乙;3,400\n', 'o.csv', { delimiter: ';' });
    expect(r.delimiter).toBe(';');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['地址', 'text'],
      ['金额', 'integer'],
    ]);
    expect(await h.rows(r.out)).toEqual([
      { _id: '1', 地址: '江城区1号,甲', 金额: '1200' },
      { _id: '2', 地址: '江城区2号,乙', 金额: '3400' },
    ]);
    for (const bad of ['"', '\n', ';;'])
      expect(await appError(() => h.ingest('a;b\n1;2\n', 'o.csv', { delimiter: bad }))).toMatchObject({
        code: 'invalid_delimiter',
      });
  });

  it('reads TSV by extension and sniffs a .txt file', async () => {
    const tsv = await h.ingest('a,b\tc\n1,2\t3\n', 'x.tsv');
    expect(tsv.format).toBe('tsv');
    expect(tsv.columns.map((c) => c.name)).toEqual(['a,b', 'c']);
    const txt = await h.ingest('a\tb\n1\t2\n', 'x.txt');
    expect(txt.format).toBe('tsv');
  });

  it('names empty and duplicate headers, never clashing with _id', async () => {
    const r = await h.ingest('名称,,名称,_id,名称\n1,2,3,4,5\n', 'h.csv');
    expect(r.columns.map((c) => c.name)).toEqual(['名称', 'column_2', '名称_2', '_id_2', '名称_3']);
    expect(r.warnings.join(' ')).toMatch(/empty header/);
    expect(r.warnings.join(' ')).toMatch(/duplicate header/);
    const [row] = await h.rows(r.out);
    expect(row).toMatchObject({ _id: '1', _id_2: '4', 名称_3: '5' });
  });

  it('keeps a header named file_row_number apart from the row position readers use for _id', async () => {
    const r = await h.ingest('file_row_number,名称\n70,甲\n80,乙\n', 'frn.csv');
    expect(r.columns.map((c) => c.name)).toEqual(['file_row_number_2', '名称']);
    expect(r.warnings).toContain('header(s) the platform reserves renamed: file_row_number → file_row_number_2');
    expect(await h.rows(r.out)).toEqual([
      { _id: '1', file_row_number_2: '70', 名称: '甲' },
      { _id: '2', file_row_number_2: '80', 名称: '乙' },
    ]);
  });

  it('joins a two-row CSV header', async () => {
    const r = await h.ingest('地区,2020年,,2021年\n,一季度,二季度,一季度\n广州,1,2,3\n', 'm.csv', { headerRows: 2 });
    expect(r.columns.map((c) => c.name)).toEqual(['地区', '2020年/一季度', '2020年/二季度', '2021年/一季度']);
    expect(r.rowsLoaded).toBe(1);
  });

  it.each([
    ['LF', '\n'],
    ['CR LF', '\r\n'],
  ])('rejects ragged rows with their data row numbers, also after a multi-line field (%s)', async (_, eol) => {
    const text = ['a,b,c', '1,2,3', '4,5', `"x${eol}y",1,2`, '6,7,8,9', '10,11,12', ''].join(eol);
    const r = await h.ingest(text, 'r.csv');
    expect(r.rowsLoaded).toBe(3);
    expect(r.rowsRejected).toBe(2);
    expect(r.rowsRead).toBe(5);
    expect(r.rejections.map((x) => [x.row, x.value])).toEqual([
      [2, '4,5'],
      [4, '6,7,8,9'],
    ]);
    expect(r.rejections[0]?.reason).toMatch(/missing columns/i);
    expect(r.rejections[1]?.reason).toMatch(/too many columns/i);
    expect(r.rejections.map((x) => x.code)).toEqual(['missing_columns', 'too_many_columns']);
    const rows = await h.rows(r.out);
    expect(rows.map((x) => x.a)).toEqual(['1', `x${eol}y`, '10']);
    expect(rows.map((x) => x._id)).toEqual(['1', '2', '3']);
  });

  it('reports type rejections at the right source row after ragged rows', async () => {
    const text =
      'n,v\n1,1\n2\n3,3\n4,x4\n5,5\n' + Array.from({ length: 100 }, (_, i) => `${i + 6},${i}`).join('\n') + '\n';
    const r = await h.ingest(text, 'rr.csv', { badValuePolicy: 'reject_row' });
    expect(r.rejections.map((x) => [x.row, x.column])).toEqual([
      [2, 'v'],
      [4, 'v'],
    ]);
    expect(r.rowsRejected).toBe(2);
    expect(r.columns.find((c) => c.name === 'v')?.type).toBe('integer');
  });

  it('fails on an unbalanced quote with the row, leaving no output', async () => {
    const err = await appError(() => h.ingest('a,b\n1,2\n"oops,3\n4,5\n', 'q.csv'));
    expect(err.code).toBe('unbalanced_quote');
    expect(err.extras).toEqual({ row: 2, line: 3, offset: 8 });
    expect(err.message).toContain('data row 2 (line 3, byte offset 8)');
    expect(leftovers(h)).toEqual([]);
    expect(
      fs.readdirSync(h.dir).filter((f) => f.endsWith('.parquet') && f.startsWith(`${fs.readdirSync(h.dir).length}`)),
    ).toEqual([]);
  });

  it.each([
    ['UTF-8', (t: string) => Buffer.from(t)],
    ['GB18030', (t: string) => iconv.encode(t, 'gb18030')],
  ])('names the byte of an unbalanced quote in the %s file as sent, whatever copy DuckDB read', async (_, encode) => {
    // The quote opens data row 3 (line 5: row 2's quoted value spans two lines) in the middle of the line; the
    // GB18030 file is read from its UTF-8 copy, where every Chinese character takes a byte more.
    const plain = '站名,数值\n甲站,1\n"乙站\n二号",2\n丙站,"三\n丁站,4\n';
    const mixed = '站名,数值\r\n甲站,1\r\n"乙站\r\n二号",2\n丙站,"三\r\n丁站,4\r\n';
    for (const [text, name] of [
      [plain, 'q.csv'],
      // Lines ending in two ways are read from a copy with every CR of a CR LF left out.
      [mixed, 'q-mixed.csv'],
    ] as const) {
      const file = encode(text);
      const quote = file.lastIndexOf('"');
      const err = await appError(() => h.ingest(file, name));
      expect(err.code).toBe('unbalanced_quote');
      expect(err.extras).toEqual({ row: 3, line: 5, offset: quote });
      expect(err.message).toContain(`data row 3 (line 5, byte offset ${quote})`);
      expect(file.subarray(quote - encode('丙站,').length, quote + 1)).toEqual(encode('丙站,"'));
    }
  });

  it('names the byte of an unbalanced quote after a one-byte euro sign (0x80) of a GBK file', async () => {
    // WHATWG's gb18030 decoder reads 0x80 as €, which takes three bytes in the UTF-8 copy.
    const file = Buffer.concat([
      iconv.encode('站名,数值\n甲站,1\n丙', 'gb18030'),
      Buffer.from([0x80]),
      iconv.encode('站,"三\n丁站,4\n', 'gb18030'),
    ]);
    const err = await appError(() => h.ingest(file, 'euro.csv', { encoding: 'gbk' }));
    expect(err.extras).toEqual({ row: 2, line: 3, offset: file.lastIndexOf('"') });
  });

  it('names the first NUL byte of a file with mixed line ends where it is in the file as sent', async () => {
    const file = iconv.encode('名称,数量\r\n甲,1\r\n乙,2\n丙\0站,3\n', 'gb18030');
    const r = await h.ingest(file, 'nul-mixed.csv');
    const nul = file.indexOf(0);
    expect(r.notices.find((n) => n.code === 'nul_bytes_removed')).toEqual({
      code: 'nul_bytes_removed',
      params: { offset: nul, line: 4 },
      message: `the file contains NUL bytes (first at byte offset ${nul}, line 4); they were removed from values`,
    });
    expect(r.warnings[0]).toContain(`byte offset ${nul}, line 4`);
    expect(r.notices.map((n) => n.code)).toEqual(['nul_bytes_removed', 'line_ends_normalized']);
    expect((await h.rows(r.out)).map((x) => x['名称'])).toEqual(['甲', '乙', '丙站']);
  });

  it.each([
    [
      'a CR LF line in an LF file',
      'a,b\n1,2\n"x\r\ny",3\r\n4,5\n',
      4,
      'CR LF',
      'LF',
      [
        ['1', '2'],
        ['x\r\ny', '3'],
        ['4', '5'],
      ],
      // The quoted CR LF is kept.
      1,
    ],
    ['an LF empty line at the end of a CR LF file', 'a,b\r\n1,2\r\n\n', 3, 'LF', 'CR LF', [['1', '2']], 2],
  ])(
    'loads %s, all lines read as ending in LF, and says so',
    async (_name, content, line, then, first, rows, changed) => {
      for (const [body, name] of [
        [Buffer.from(content), 'mixed.csv'],
        // GB18030: the copy with one kind of line end is made in the file's own encoding.
        [iconv.encode(content.replace('a,b', '名称,数量').replace('x', '站'), 'gb18030'), 'mixed-gb.csv'],
      ] as const) {
        const r = await h.ingest(body, name);
        const gb = name === 'mixed-gb.csv';
        expect(r.encoding).toBe(gb ? 'gb18030' : 'utf-8');
        expect(r.columns.map((c) => c.name)).toEqual(gb ? ['名称', '数量'] : ['a', 'b']);
        // Quoted values keep their own line ends.
        expect((await h.rows(r.out)).map((x) => Object.values(x).slice(1))).toEqual(
          gb ? rows.map(([a, b]) => [a?.replace('x', '站'), b]) : rows,
        );
        expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([rows.length, rows.length, 0]);
        expect(r.warnings.join(' ')).toContain(`line ${line} ends with ${then}`);
        expect(r.warnings.join(' ')).toContain(`the lines before it with ${first}`);
        expect(r.notices).toEqual([
          {
            code: 'line_ends_normalized',
            params: { line, then: then.replace(' ', ''), first: first.replace(' ', ''), changed },
            message: r.warnings[0],
          },
        ]);
      }
      expect(leftovers(h)).toEqual([]);
    },
  );

  it('fails with the line where the endings change when the copy ending in LF cannot be read either', async () => {
    // A lone CR (an old Mac line end) beside LF ones: DuckDB refuses the copy too.
    const err = await appError(() => h.ingest('a,b\r\n1,2\n3,4\r5,6\n', 'cr.csv'));
    expect(err.code).toBe('mixed_line_endings');
    expect(err.message).toContain('Line 2 of cr.csv ends with LF');
    expect(err.extras).toMatchObject({ line: 2, offset: 8 });
    expect(leftovers(h)).toEqual([]);
  });

  it('a row of a file with mixed line ends that breaks a type is reported with its line as sent', async () => {
    const r = await h.ingest('名称,数量\r\n甲,1\r\n乙,2\n丙,x\r\n丁,4\r\n', 'mixed-bad.csv', {
      typeOverrides: { 数量: 'integer' },
      badValuePolicy: 'reject_row',
    });
    expect((await h.rows(r.out)).map((x) => x.名称)).toEqual(['甲', '乙', '丁']);
    expect(r.rejections).toEqual([expect.objectContaining({ row: 3, column: '数量', value: 'x' })]);
    expect(r.warnings.join(' ')).toContain('line 3 ends with LF');
  });

  it('removes NUL bytes and says where they were', async () => {
    const r = await h.ingest(Buffer.from('a,b\n1,x\u0000y\n2,z\n'), 'nul.csv');
    expect(r.warnings.join(' ')).toMatch(/NUL bytes \(first at byte offset 7, line 2\)/);
    expect((await h.rows(r.out)).map((x) => x.b)).toEqual(['xy', 'z']);
  });

  it('keeps a 10 MB field', async () => {
    const r = await h.ingest(`a,b\n1,"${'长'.repeat(4 * 1024 * 1024)}"\n2,short\n`, 'big.csv');
    expect(r.rowsLoaded).toBe(2);
    const [len] = await h.engine.withConnection(async (c) =>
      (await c.runAndReadAll(`SELECT max(length(b)) FROM read_parquet('${r.out}')`)).getRows().map((x) => Number(x[0])),
    );
    expect(len).toBe(4 * 1024 * 1024);
  });

  const wide = (n: number) => {
    const header = Array.from({ length: n }, (_, i) => `f${i}`).join(',');
    const rows = Array.from({ length: 3 }, (_, r) => Array.from({ length: n }, (_, i) => String(i * r)).join(','));
    return [header, ...rows].join('\n') + '\n';
  };

  it('loads a wide file (1,500 columns)', async () => {
    const r = await h.ingest(wide(1500), 'wide.csv');
    expect(r.columns).toHaveLength(1500);
    expect(r.rowsLoaded).toBe(3);
    expect(r.columns[1499]).toMatchObject({ name: 'f1499', type: 'integer' });
  });

  it('refuses 10,000 columns with a clear error', async () => {
    const err = await appError(() => h.ingest(wide(10_000), 'wider.csv'));
    expect(err.code).toBe('too_many_columns');
    expect(err.extras.columns).toBe(10_000);
    expect(leftovers(h)).toEqual([]);
  });

  it('rejects an empty file and a blank one', async () => {
    expect((await appError(() => h.ingest('', 'e.csv'))).code).toBe('empty_file');
    expect((await appError(() => h.ingest('\uFEFF\n\n', 'e.csv'))).code).toBe('empty_file');
  });

  it('loads a header-only file as zero rows of text columns', async () => {
    const r = await h.ingest('a,b\n', 'ho.csv');
    expect(r.rowsLoaded).toBe(0);
    expect(r.columns.map((c) => c.type)).toEqual(['text', 'text']);
    expect(r.warnings.join(' ')).toMatch(/no data rows/);
  });

  it('reports progress and stops when cancelled', async () => {
    const text = 'a,b\n' + Array.from({ length: 50_000 }, (_, i) => `${i},v${i}`).join('\n') + '\n';
    const seen: IngestProgress[] = [];
    const ok = await h.ingest(text, 'p.csv', { onProgress: (p) => seen.push(p) });
    expect(ok.rowsLoaded).toBe(50_000);
    expect(seen.map((p) => p.phase)).toEqual(expect.arrayContaining(['reading', 'inferring', 'writing']));
    const last = seen[seen.length - 1];
    expect(last?.bytesRead).toBe(last?.bytesTotal);
    expect(last?.rowsRead).toBe(50_000);

    const ac = new AbortController();
    const err = await appError(() =>
      h.ingest(text, 'c.csv', {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'inferring') ac.abort();
        },
      }),
    );
    expect([err.status, err.code]).toEqual([409, 'cancelled']);
    expect(leftovers(h)).toEqual([]);
  });
});

describe('load progress', () => {
  it('never goes back within a phase, and is capped at the file size', () => {
    const seen: [string, number, number][] = [];
    const report = progressReporter(1000, (p) => seen.push([p.phase, p.bytesRead, p.rowsRead]));
    report('reading', 400, 0);
    report('reading', 1200, 0); // past the end of the file
    report('inferring', 0, 0); // a new phase starts from 0
    report('writing', 0, 10_000);
    report('writing', 600, 0); // DuckDB's progress of the write, without a row count
    report('writing', 150, 0); // the next statement of the phase starts its own count
    report('writing', 1000, 20_000);
    expect(seen).toEqual([
      ['reading', 400, 0],
      ['reading', 1000, 0],
      ['inferring', 0, 0],
      ['writing', 0, 10_000],
      ['writing', 600, 10_000],
      ['writing', 600, 10_000],
      ['writing', 1000, 20_000],
    ]);
  });
});

describe('the data file, read by another engine', () => {
  it('is plain Parquet another reader reads: the columns in load order, _id being the row position', async () => {
    const r = await h.ingest(
      ['站点,降水量,次数,观测时间', '云溪站,12.5,3,2024-01-01 08:00:00', '白云站,0,1,2024-01-01 09:00:00'].join('\n'),
      'other-engine.csv',
    );
    // hyparquet: a Parquet reader in plain JavaScript, nothing shared with DuckDB.
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(r.out) });
    expect(Object.keys(rows[0] ?? {})).toEqual(['站点', '降水量', '次数', '观测时间']);
    expect(rows.map((x) => [x['站点'], Number(x['降水量']), Number(x['次数'])])).toEqual([
      ['云溪站', 12.5, 3],
      ['白云站', 0, 1],
    ]);
    expect(rows.map((x) => new Date(x['观测时间'] as Date).toISOString())).toEqual([
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T09:00:00.000Z',
    ]);
    // What DuckDB's readers show as _id is that order: 1 for the first row of the file, 2 for the second.
    expect((await h.rows(r.out)).map((x) => [x._id, x['站点']])).toEqual([
      ['1', '云溪站'],
      ['2', '白云站'],
    ]);
  });
});

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

async function xlsx(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A department-style sheet: title row, two-row merged header, data, notes rows. */
function statsSheet(ws: ExcelJS.Worksheet): void {
  ws.addRow(['2020—2021年各区季度统计表']);
  ws.mergeCells('A1:F1');
  ws.addRow(['地区', '2020年', null, '2021年', null, '更新日期']);
  ws.addRow([null, '第一季度', '第二季度', '第一季度', '第二季度', null]);
  ws.mergeCells('A2:A3');
  ws.mergeCells('B2:C2');
  ws.mergeCells('D2:E2');
  ws.mergeCells('F2:F3');
  ws.addRow(['越秀区', 1852.2, 1900.5, 2001, 2100, new Date(Date.UTC(2020, 11, 21))]);
  ws.addRow(['海珠区', 1200, 1300.25, 1400, 1500, new Date(Date.UTC(2021, 0, 5))]);
  ws.addRow(['天河区', 3000, 3100, 3200, 3300.75, new Date(Date.UTC(2021, 5, 30))]);
  ws.addRow(['注：数据来源于各区统计局，部分数据为初步核算数。']);
  ws.mergeCells('A7:F7');
  ws.addRow(['数据来源：广州市统计局']);
}

describe('XLSX', () => {
  it('skips the title row, joins the merged two-row header, converts dates, leaves out notes', async () => {
    const buf = await xlsx((wb) => statsSheet(wb.addWorksheet('季度数据')));
    const r = await h.ingest(buf, '统计表.xlsx');
    expect(r.format).toBe('xlsx');
    expect(r.sheet).toBe('季度数据');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['地区', 'text'],
      ['2020年/第一季度', 'decimal'],
      ['2020年/第二季度', 'decimal'],
      ['2021年/第一季度', 'integer'],
      ['2021年/第二季度', 'decimal'],
      ['更新日期', 'date'],
    ]);
    expect(r.rowsLoaded).toBe(3);
    expect(r.rowsRejected).toBe(0);
    expect(r.warnings.join(' ')).toMatch(/skipped 1 title row/);
    expect(r.warnings.join(' ')).toMatch(/left out 2 notes row/);
    const rows = await h.rows(r.out);
    expect(rows[0]).toMatchObject({ _id: '1', 地区: '越秀区', '2020年/第一季度': '1852.2', 更新日期: '2020-12-21' });
    expect(rows.map((x) => x.地区)).toEqual(['越秀区', '海珠区', '天河区']);
    expect(leftovers(h)).toEqual([]);
  });

  it('names a rejected value by its row in the sheet, as Excel numbers it (title, header and empty rows counted)', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('降水');
      ws.getRow(1).values = ['2021年各区降水量'];
      ws.getRow(2).values = ['地区', '降水量'];
      ws.getRow(3).values = ['越秀区', 12.5];
      ws.getRow(4).values = ['海珠区', 3];
      // Row 5 is empty; row 6 holds the value that is not a number.
      ws.getRow(6).values = ['白云区', '缺测'];
      ws.getRow(7).values = ['黄埔区', 8.25];
    });
    const r = await h.ingest(buf, '降水.xlsx', { typeOverrides: { 降水量: 'decimal' }, badValuePolicy: 'reject_row' });
    expect(r.rejections).toEqual([
      expect.objectContaining({ row: 6, column: '降水量', value: '缺测', code: 'bad_value' }),
    ]);
    expect((await h.rows(r.out)).map((x) => [x._id, x.地区])).toEqual([
      ['1', '越秀区'],
      ['2', '海珠区'],
      ['3', '黄埔区'],
    ]);
  });

  it('loads cells holding Excel error values or formulas saved without a value as empty, and says how many and where the first is', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('比率');
      ws.addRow(['地区', '比率']);
      ws.addRow(['越秀区', 0.5]);
      ws.addRow(['海珠区', { error: '#DIV/0!' }]);
      ws.addRow(['天河区', { error: '#N/A' }]);
      // Written by a program that did not calculate it: the formula has no stored value.
      ws.addRow(['白云区', { formula: 'B2*2' }]);
      // A formula whose saved value is an error.
      ws.addRow(['荔湾区', { formula: 'B2/0', result: { error: '#DIV/0!' } }]);
    });
    const r = await h.ingest(buf, '比率.xlsx');
    expect(r.notices).toEqual([
      {
        code: 'excel_error_cells',
        params: { count: 3, cell: 'B3' },
        message:
          '3 cell(s) hold an Excel error value such as #DIV/0! or #N/A (the first: B3); they were loaded as empty',
      },
      {
        code: 'excel_uncalculated_formulas',
        params: { count: 1, cell: 'B5' },
        message:
          '1 cell(s) hold a formula saved without its value (the first: B5); they were loaded as empty: open the file in Excel, save it and upload it again',
      },
    ]);
    expect((await h.rows(r.out)).map((x) => [x.地区, x.比率])).toEqual([
      ['越秀区', '0.5'],
      ['海珠区', null],
      ['天河区', null],
      ['白云区', null],
      ['荔湾区', null],
    ]);
  });

  it('reads a formula whose saved value is a date as that date, in either date system', async () => {
    for (const date1904 of [false, true]) {
      const buf = await xlsx((wb) => {
        wb.properties.date1904 = date1904;
        const ws = wb.addWorksheet('合同');
        ws.addRow(['合同名称', '签订日期', '到期日期', '期限天数']);
        const day = (d: number) => new Date(Date.UTC(2023, 11, d));
        // A typed date, then dates computed from it (=B2+30), and a plain number computed the same way.
        ws.addRow(['甲', day(1), day(1), 30]);
        ws.addRow(['乙', day(1), { formula: 'B3+30', result: day(31) }, { formula: 'C3-B3', result: 30 }]);
        ws.addRow(['丙', day(2), { formula: 'B4+29', result: day(31) }, { formula: 'C4-B4', result: 29 }]);
        for (const row of [2, 3, 4]) for (const col of [2, 3]) ws.getCell(row, col).numFmt = 'yyyy"年"m"月"d"日"';
      });
      const r = await h.ingest(buf, '合同.xlsx');
      expect(
        r.columns.map((c) => [c.name, c.type]),
        `date1904: ${date1904}`,
      ).toEqual([
        ['合同名称', 'text'],
        ['签订日期', 'date'],
        ['到期日期', 'date'],
        ['期限天数', 'integer'],
      ]);
      expect((await h.rows(r.out)).map((x) => [x.到期日期, x.期限天数])).toEqual([
        ['2023-12-01', '30'],
        ['2023-12-31', '30'],
        ['2023-12-31', '29'],
      ]);
    }
  });

  it('reads a date column of plain numbers (no date format) as Excel serial dates', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('登记');
      ws.addRow(['企业名称', '成立日期', '注册资本']);
      ws.addRow(['甲公司', 44186, 50000]);
      ws.addRow(['乙公司', 45261, 12000]);
    });
    const r = await h.ingest(buf, '登记.xlsx');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['企业名称', 'text'],
      ['成立日期', 'date'],
      ['注册资本', 'integer'],
    ]);
    expect((await h.rows(r.out)).map((x) => [x.成立日期, x.注册资本])).toEqual([
      ['2020-12-21', '50000'],
      ['2023-12-01', '12000'],
    ]);
  });

  it('uses headerRows when given', async () => {
    const buf = await xlsx((wb) => statsSheet(wb.addWorksheet('S')));
    const r = await h.ingest(buf, 's.xlsx', { headerRows: 1 });
    expect(r.columns.map((c) => c.name)).toEqual(['地区', '2020年', 'column_3', '2021年', 'column_5', '更新日期']);
    expect(r.rowsLoaded).toBe(4); // the sub-header row is now data
  });

  it('picks the first sheet with data by default, or the one asked for by name or 1-based index', async () => {
    const buf = await xlsx((wb) => {
      wb.addWorksheet('说明');
      const a = wb.addWorksheet('甲');
      a.addRow(['名称', '数量']);
      a.addRow(['x', 1]);
      const b = wb.addWorksheet('乙');
      b.addRow(['代码', '值']);
      b.addRow(['001', 'y']);
      b.addRow(['002', 'z']);
    });
    expect((await h.ingest(buf, 'm.xlsx')).sheet).toBe('甲');
    const byName = await h.ingest(buf, 'm.xlsx', { sheet: '乙' });
    expect([byName.sheet, byName.rowsLoaded]).toEqual(['乙', 2]);
    expect((await h.rows(byName.out)).map((x) => x.代码)).toEqual(['001', '002']);
    expect((await h.ingest(buf, 'm.xlsx', { sheet: 3 })).sheet).toBe('乙');
    const err = await appError(() => h.ingest(buf, 'm.xlsx', { sheet: '丙' }));
    expect(err.code).toBe('sheet_not_found');
    expect(err.message).toMatch(/说明, 甲, 乙/);
  });

  it('says an Excel file without data has no data', async () => {
    const buf = await xlsx((wb) => {
      wb.addWorksheet('空');
    });
    expect((await appError(() => h.ingest(buf, 'e.xlsx'))).code).toBe('no_data');
    expect(leftovers(h)).toEqual([]);
  });

  it('reports a corrupt XLSX without crashing', async () => {
    const good = await xlsx((wb) => statsSheet(wb.addWorksheet('S')));
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    for (const bytes of [truncated, Buffer.from('PK\u0003\u0004 this is not a zip file at all')]) {
      const err = await appError(() => h.ingest(bytes, 'bad.xlsx'));
      expect(err.code).toBe('corrupt_xlsx');
      expect(err.status).toBe(422);
    }
    expect(leftovers(h)).toEqual([]);
  });

  it('refuses legacy .xls', async () => {
    expect((await appError(() => h.ingest(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), 'old.xls'))).code).toBe(
      'unsupported_format',
    );
  });
});

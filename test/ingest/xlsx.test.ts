import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';
import { AppError } from '../../src/platform/http/errors.ts';

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

  it('reads codes shown with leading zeros and times of day as Excel shows them, and warns of numbers past 15 digits', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('人员');
      ws.addRow(['编号', '姓名', '身份证号', '上班时间']);
      // 身份证号 typed as numbers: Excel kept 15 digits of 110105194912310021 and 44010619800101123X was text.
      ws.addRow([7, '张三', 110105194912310000, new Date(Date.UTC(1899, 11, 30, 9, 30))]);
      ws.addRow([12, '李四', '44010619800101123X', new Date(Date.UTC(1899, 11, 30, 13, 45, 30))]);
      ws.addRow([305, '王五', 440106198001011000, new Date(Date.UTC(1899, 11, 30, 8, 0))]);
      for (const row of [2, 3, 4]) {
        ws.getCell(row, 1).numFmt = '0000';
        ws.getCell(row, 4).numFmt = 'h:mm';
      }
    });
    const r = await h.ingest(buf, '人员.xlsx');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['编号', 'text'],
      ['姓名', 'text'],
      ['身份证号', 'text'],
      ['上班时间', 'text'],
    ]);
    expect((await h.rows(r.out)).map((x) => [x.编号, x.身份证号, x.上班时间])).toEqual([
      ['0007', '110105194912310000', '09:30:00'],
      ['0012', '44010619800101123X', '13:45:30'],
      ['0305', '440106198001011000', '08:00:00'],
    ]);
    expect(r.notices).toEqual([
      expect.objectContaining({ code: 'excel_long_numbers', params: { count: 2, cell: 'C2' } }),
    ]);
  });

  it('takes a full first row of text under a header with an unnamed column as data, not as a second header row', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(['姓名', '性别', '身份证号', null, '住址']);
      ws.addRow(['张三', '男', '11010519491231002X', '党员', '北京路1号']);
      ws.addRow(['李四', '女', '440106198001011234', '群众', '中山路2号']);
    });
    const r = await h.ingest(buf, '名册.xlsx');
    expect(r.columns.map((c) => c.name)).toEqual(['姓名', '性别', '身份证号', 'column_4', '住址']);
    expect((await h.rows(r.out)).map((x) => x.姓名)).toEqual(['张三', '李四']);
  });

  it('skips a line naming who filled the form in and the unit above the header, and a block of notes below', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('机构');
      ws.addRow(['2023年养老托育机构统计表']);
      ws.addRow(['填报单位：民政局', null, null, '单位：个']);
      ws.addRow(['区域', '机构数', null, '床位数']);
      ws.addRow([null, '养老', '托育', null]);
      ws.addRow(['荔湾区', 3, 2, 120]);
      ws.addRow(['越秀区', 5, 1, 200]);
      ws.addRow(['合计', 8, 3, 320]);
      ws.addRow(['注：1.数据截至2023年底；']);
      ws.addRow(['2.含普惠性机构。']);
      ws.addRow(['*本表数据为初步统计']);
    });
    const r = await h.ingest(buf, '机构.xlsx');
    expect(r.columns.map((c) => c.name)).toEqual(['区域', '机构数/养老', '机构数/托育', '床位数']);
    expect((await h.rows(r.out)).map((x) => x.区域)).toEqual(['荔湾区', '越秀区', '合计']);
    expect(r.notices.map((n) => [n.code, n.params])).toEqual([
      ['title_rows_skipped', { count: 2 }],
      ['totals_rows', { count: 1, row: 7 }],
      ['notes_rows_left_out', { count: 3 }],
    ]);
  });

  it('reads a formula filled down (stored once for the column) in every cell', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('收支');
      ws.addRow(['项目', '收入', '支出', '结余']);
      ws.addRow(['甲', 10, 3, { formula: 'B2-C2', result: 7, shareType: 'shared', ref: 'D2:D4' }]);
      ws.addRow(['乙', 8, 8, { sharedFormula: 'D2', result: 0 }]);
      ws.addRow(['丙', 5, 9, { sharedFormula: 'D2', result: -4 }]);
    });
    const r = await h.ingest(buf, '收支.xlsx');
    expect(r.notices).toEqual([]);
    expect((await h.rows(r.out)).map((x) => x.结余)).toEqual(['7', '0', '-4']);
  });

  it('keeps real rows that only look like notes, and a two-row header whose lower row fills every column', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('活动');
      ws.addRow(['基本情况', null, null, '联系方式', null, '备注']);
      ws.addRow(['名称', '类别', '场次', '电话', '地址', '说明']);
      ws.addRow(['说明会场次', '宣讲', 5, '020-1', '甲路', null]);
      ws.addRow(['*ST 某某', '会议', 2, '020-2', '乙路', null]);
      ws.addRow(['注销登记', null, null, null, null, null]);
    });
    const r = await h.ingest(buf, '活动.xlsx');
    expect(r.columns.map((c) => c.name)).toEqual([
      '基本情况/名称',
      '基本情况/类别',
      '基本情况/场次',
      '联系方式/电话',
      '联系方式/地址',
      '备注/说明',
    ]);
    expect((await h.rows(r.out)).map((x) => x['基本情况/名称'])).toEqual(['说明会场次', '*ST 某某', '注销登记']);
    expect(r.notices).toEqual([]);
  });

  it('joins a two-row header whose group is in the last columns, its years typed as numbers', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('人口');
      ws.addRow(['区域', '常住人口']);
      ws.mergeCells('B1:C1');
      ws.addRow([null, 2022, 2023]);
      ws.mergeCells('A1:A2');
      ws.addRow(['荔湾区', 1108, 1112]);
      ws.addRow(['越秀区', 1036, 1031]);
    });
    const r = await h.ingest(buf, '人口.xlsx');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['区域', 'text'],
      ['常住人口/2022', 'integer'],
      ['常住人口/2023', 'integer'],
    ]);
    expect(r.rowsLoaded).toBe(2);
    expect(r.notices).toEqual([]);
  });

  it('takes a first data row with a gap under a header with an unnamed column as data', async () => {
    const buf = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(['姓名', '性别', '身份证号', null, '住址']);
      ws.addRow(['张三', '男', null, '党员', '北京路1号']);
      ws.addRow(['李四', '女', '440106198001011234', '群众', '中山路2号']);
    });
    const r = await h.ingest(buf, '名册.xlsx');
    expect(r.columns.map((c) => c.name)).toEqual(['姓名', '性别', '身份证号', 'column_4', '住址']);
    expect(r.rowsLoaded).toBe(2);
  });

  it('chooses a sheet named 1 by its name before the first sheet, and reads negative codes and real 1904 dates', async () => {
    const buf = await xlsx((wb) => {
      const sum = wb.addWorksheet('汇总');
      sum.addRow(['月份', '合计']);
      sum.addRow(['1月', 3]);
      for (const month of [1, 2]) {
        const ws = wb.addWorksheet(String(month));
        ws.addRow(['编号', '日期']);
        ws.addRow([-7, new Date(Date.UTC(1904, 0, 1))]);
        ws.addRow([month, new Date(Date.UTC(2023, month - 1, 1))]);
        for (const row of [2, 3]) {
          ws.getCell(row, 1).numFmt = '0000';
          ws.getCell(row, 2).numFmt = 'yyyy-mm-dd';
        }
      }
    });
    const r = await h.ingest(buf, '月报.xlsx', { sheet: 1 });
    expect(r.sheet).toBe('1');
    expect((await h.rows(r.out)).map((x) => [x.编号, x.日期])).toEqual([
      ['-0007', '1904-01-01'],
      ['0001', '2023-01-01'],
    ]);
    // No sheet so named: the position.
    expect((await h.ingest(buf, '月报.xlsx', { sheet: 3 })).sheet).toBe('2');
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

  it('chooses a sheet named like a number by its name, and leaves hidden sheets out unless named', async () => {
    const buf = await xlsx((wb) => {
      // A hidden lookup list first, as data-entry templates have.
      const lists = wb.addWorksheet('下拉选项', { state: 'hidden' });
      lists.addRow(['区域代码', '区域名称']);
      lists.addRow(['440103', '荔湾区']);
      for (const year of [2022, 2023]) {
        const ws = wb.addWorksheet(String(year));
        ws.addRow(['区域', '户数']);
        ws.addRow([`${year}年荔湾区`, year - 2000]);
      }
    });
    expect((await h.ingest(buf, 'y.xlsx')).sheet).toBe('2022');
    // The API passes ?sheet=2023 as a number: the sheet of that name, not a 2023rd sheet.
    const named = await h.ingest(buf, 'y.xlsx', { sheet: 2023 });
    expect(named.sheet).toBe('2023');
    expect((await h.rows(named.out)).map((x) => x.区域)).toEqual(['2023年荔湾区']);
    expect((await h.ingest(buf, 'y.xlsx', { sheet: 2 })).sheet).toBe('2022');
    expect((await h.ingest(buf, 'y.xlsx', { sheet: '下拉选项' })).sheet).toBe('下拉选项');

    const onlyHidden = await xlsx((wb) => {
      wb.addWorksheet('空白');
      const ws = wb.addWorksheet('数据', { state: 'veryHidden' });
      ws.addRow(['a', 'b']);
      ws.addRow([1, 2]);
    });
    const err = await appError(() => h.ingest(onlyHidden, 'h.xlsx'));
    expect([err.code, err.extras?.hidden]).toEqual(['no_visible_sheet', '数据']);
    expect(err.message).toMatch(/no visible sheet with data \(hidden: 数据\)/);
  });

  it('reads formulas whose saved value is 0, FALSE or empty text as such, not as formulas without a value', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('差额');
      ws.addRow(['项目', '预算', '支出', '差额', '说明']);
      ws.addRow(['甲', 100, 100, { formula: 'B2-C2', result: 7 }, { formula: 'IF(D2=0,"","超支")', result: 'x' }]);
      ws.addRow(['乙', 100, 90, { formula: 'B3-C3', result: 10 }, { formula: 'IF(D3=0,"","结余")', result: '结余' }]);
    });
    // Excel's own saved values: 0 and an empty text (exceljs writes neither as such).
    const zip = await JSZip.loadAsync(base);
    const sheet = 'xl/worksheets/sheet1.xml';
    const xml = (await zip.file(sheet)?.async('string')) ?? '';
    zip.file(
      sheet,
      xml
        .replace(/(<c r="D2"[^>]*>\s*<f>B2-C2<\/f>\s*)<v>7<\/v>/, '$1<v>0</v>')
        .replace(/<c r="E2"([^>]*)>\s*<f>(.*?)<\/f>\s*<v>x<\/v>/, '<c r="E2" t="str"><f>$2</f><v></v>'),
    );
    const buf = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect((await zip.file(sheet)?.async('string'))?.match(/<c r="E2".*?<\/c>/)?.[0]).toMatch(/<v><\/v>/);
    const r = await h.ingest(buf, '差额.xlsx');
    expect(r.notices).toEqual([]);
    expect(r.columns.find((c) => c.name === '差额')?.type).toBe('integer');
    expect((await h.rows(r.out)).map((x) => [x.差额, x.说明])).toEqual([
      ['0', null],
      ['10', '结余'],
    ]);
  });

  it('never loads text cells as placeholders when the text table is stored after the sheets', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('名录');
      ws.addRow(['名称', '代码']);
      ws.addRow(['甲单位', '0101']);
    });
    // Its entries in the order Excel stores them, but with xl/sharedStrings.xml after the sheet, at the end.
    const zip = await JSZip.loadAsync(base);
    const moved = new JSZip();
    const order = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels'];
    for (const n of [...order, 'xl/styles.xml', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml'])
      moved.file(n, (await zip.file(n)?.async('uint8array')) ?? new Uint8Array());
    const buf = await moved.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    // exceljs's reader misses the table in most reads of such a file: then the load fails saying what to do; when it
    // does read it, the text is right. Never "[object Object]".
    for (let i = 0; i < 3; i++) {
      try {
        const r = await h.ingest(buf, '名录.xlsx');
        expect(r.columns.map((c) => c.name)).toEqual(['名称', '代码']);
        expect((await h.rows(r.out)).map((x) => [x.名称, x.代码])).toEqual([['甲单位', '0101']]);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        expect(err.code).toBe('xlsx_strings_unread');
        expect(err.message).toMatch(/save it again/);
      }
    }
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
    // A zip without the workbook's list of sheets.
    const zip = await JSZip.loadAsync(good);
    zip.remove('xl/workbook.xml');
    const noList = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const err = await appError(() => h.ingest(noList, 'bad.xlsx'));
    expect(err.code).toBe('corrupt_xlsx');
    expect(err.message).toMatch(/list of sheets \(xl\/workbook\.xml\) could not be read.*save it again/);
    expect(leftovers(h)).toEqual([]);
  });

  it('refuses legacy .xls', async () => {
    // An OLE compound file, as Excel 97-2003 workbooks are.
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    expect((await appError(() => h.ingest(ole, 'old.xls'))).code).toBe('unsupported_format');
  });

  it('says what a file named as a workbook is when it is not one, and reads an .xlsx workbook named .xls', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const html = Buffer.from(
      '\ufeff<html><head><meta charset="utf-8"></head><body><table><tr><td>区域</td></tr></table>',
    );
    const cases: [Buffer, string, string, RegExp][] = [
      [ole, '加密.xlsx', 'xlsx_protected', /password-protected workbook or an old \.xls one renamed/],
      [html, '导出.xls', 'xlsx_is_html', /is a web page \(HTML\)/],
      [Buffer.from('<table border=1><tr><td>1</td></tr></table>'), '导出.xlsx', 'xlsx_is_html', /web page/],
      [
        Buffer.from('区域,户数\n荔湾区,3\n'),
        '名录.xlsx',
        'xlsx_is_text',
        /is text, not an Excel workbook.*name it \.csv/,
      ],
      [
        Buffer.from('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Table>'),
        '系统导出.xls',
        'xlsx_is_xml',
        /Excel 2003 XML spreadsheet/,
      ],
      [
        Buffer.from([0, 1, 2, 3, 4, 5]),
        '乱码.xlsx',
        'corrupt_xlsx',
        /is not an Excel workbook \(an \.xlsx file is a zip/,
      ],
    ];
    for (const [bytes, name, code, message] of cases) {
      const err = await appError(() => h.ingest(bytes, name));
      expect([name, err.code, err.status]).toEqual([name, code, 422]);
      expect(err.message).toMatch(message);
    }
    const named = await h.ingest(await xlsx((wb) => statsSheet(wb.addWorksheet('S'))), '统计.xls');
    expect([named.format, named.rowsLoaded]).toEqual(['xlsx', 3]);
    expect(leftovers(h)).toEqual([]);
  });
});

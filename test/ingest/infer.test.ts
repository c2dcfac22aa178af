import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const csv = (header: string[], rows: string[][]) =>
  [header, ...rows]
    .map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','))
    .join('\n') + '\n';

describe('type inference', () => {
  it('infers integer, decimal, boolean, date, datetime and text over the whole column', async () => {
    const r = await h.ingest(
      csv(
        ['件数', '金额', '是否公开', '日期', '时间', '名称', '空列'],
        [
          ['1', '1,852.20', '是', '2020-12-21', '2020-12-21 08:30:00', '甲', ''],
          ['-20', '3.5', '否', '2020/1/5', '2020/01/05 9:05', '乙', ' '],
          ['1,234', '-0.25', '是', '2020.12.01', '2021年3月4日 10:00', '丙', ''],
          ['', '', '', '2020年12月21日', '', '', ''],
        ],
      ),
      't.csv',
    );
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({
      件数: 'integer',
      金额: 'decimal',
      是否公开: 'boolean',
      日期: 'date',
      时间: 'datetime',
      名称: 'text',
      空列: 'text',
    });
    const schema = await h.schema(r.out);
    expect(schema).toMatchObject({ 件数: 'BIGINT', 是否公开: 'BOOLEAN', 日期: 'DATE', 时间: 'TIMESTAMP' });
    expect(schema['金额']).toMatch(/^DECIMAL\(18,2\)$/);
    const rows = await h.rows(r.out);
    expect(rows.map((x) => x.件数)).toEqual(['1', '-20', '1234', null]);
    expect(rows.map((x) => x.金额)).toEqual(['1852.20', '3.50', '-0.25', null]);
    expect(rows.map((x) => x.是否公开)).toEqual([true, false, true, null]);
    expect(rows.map((x) => x.日期)).toEqual(['2020-12-21', '2020-01-05', '2020-12-01', '2020-12-21']);
    expect(rows.map((x) => x.时间)).toEqual([
      '2020-12-21 08:30:00',
      '2020-01-05 09:05:00',
      '2021-03-04 10:00:00',
      null,
    ]);
    expect(r.columns.find((c) => c.name === '空列')?.nullCount).toBe(4);
  });

  it('reads five-digit numbers in a date column as Excel serial dates, and only there', async () => {
    const notDates = ['件数', 'candidate_votes', 'updates', 'response_time_ms', '平均响应时间(秒)', 'visitors per day'];
    const r = await h.ingest(
      csv(
        ['统计日期', 'report date', 'reportDate', 'd', '日期2', '日期编码', ...notDates],
        [
          ['44186', '44197', '44197', '44186', '44186', '44186', ...notDates.map(() => '44186')],
          ['44197', '45261', '45261', '45261', '123456', '44197', ...notDates.map(() => '12345')],
          ['', '', '', '', '', '', ...notDates.map(() => '')],
        ],
      ),
      's.csv',
      { typeOverrides: { d: 'date' } },
    );
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({
      统计日期: 'date',
      'report date': 'date',
      reportDate: 'date',
      // Said to hold dates by the caller.
      d: 'date',
      // A six-digit value: not a serial of our range.
      日期2: 'integer',
      // A code by its name.
      日期编码: 'text',
      // Counts and durations, whatever their names share with dates.
      ...Object.fromEntries(notDates.map((n) => [n, 'integer'])),
    });
    const rows = await h.rows(r.out);
    expect(rows.map((x) => [x.统计日期, x['report date'], x.d])).toEqual([
      ['2020-12-21', '2021-01-01', '2020-12-21'],
      ['2021-01-01', '2023-12-01', '2023-12-01'],
      [null, null, null],
    ]);
    expect(r.warnings.join(' ')).toMatch(/column 统计日期: five-digit numbers read as Excel serial dates/);
    expect(r.warnings.join(' ')).not.toMatch(/column d:/);
  });

  it('keeps identifiers as text', async () => {
    const r = await h.ingest(
      csv(
        ['编号', '行政区划', '手机', '身份证号', '统一社会信用代码', '邮编', 'seq', 'Station No.', 'NO2', 'SO2'],
        [
          ['007', '440111', '13800138000', '11010519491231002X', '91350100M000100Y43', '510000', '1', '17', '41', '9'],
          ['012', '440106', '19512345678', '440524188001010014', '91230184MA1BUFLT44', '518000', '2', '18', '38', '7'],
          ['100', '110105', '13912345678', '110105194912310029', '92371000MA3MXH0E3W', '100000', '3', '19', '52', '8'],
        ],
      ),
      'ids.csv',
    );
    const types = Object.fromEntries(r.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      编号: 'text',
      行政区划: 'text',
      手机: 'text',
      身份证号: 'text',
      统一社会信用代码: 'text',
      邮编: 'text',
      seq: 'integer',
      // "No." names a number; NO2 and SO2 are pollutants measured in μg/m³.
      'Station No.': 'text',
      NO2: 'integer',
      SO2: 'integer',
    });
    const rows = await h.rows(r.out);
    expect(rows[0]).toMatchObject({ 编号: '007', 行政区划: '440111', 手机: '13800138000' });
  });

  it('keeps a column of postcodes with leading zeros and an unnamed code column as text', async () => {
    const r = await h.ingest(
      csv(
        ['a', 'b'],
        [
          ['010010', '440111001'],
          ['100000', '440111002'],
          ['200000', '440106003'],
        ],
      ),
      'pc.csv',
    );
    expect(r.columns.map((c) => c.type)).toEqual(['text', 'text']);
  });

  const lateBad = (bad: string) => {
    const rows = Array.from({ length: 6000 }, (_, i) => [String(i + 1), String((i + 1) * 10)]);
    (rows[4999] as string[])[1] = bad; // data row 5000
    return csv(['id', 'value'], rows);
  };

  it('widens a column when a late value does not fit (integer → decimal)', async () => {
    const r = await h.ingest(lateBad('12.5'), 'w1.csv');
    expect(r.columns[1]).toMatchObject({ name: 'value', type: 'decimal' });
    expect(r.rowsLoaded).toBe(6000);
    const rows = await h.rows(r.out);
    expect(rows[4999]?.value).toBe('12.5');
    expect(rows[0]?.value).toBe('10.0');
  });

  it('widens a column to text when a late value is not a number, and says so', async () => {
    const r = await h.ingest(lateBad('n/a'), 'w2.csv');
    expect(r.columns[1]).toMatchObject({ name: 'value', type: 'text' });
    expect(r.rowsLoaded).toBe(6000);
    expect(r.rejections).toEqual([]);
    expect(r.warnings.join(' ')).toMatch(/value: 1 of 6000 value\(s\) are not integer/);
    expect((await h.rows(r.out))[4999]?.value).toBe('n/a');
    // The warning names the value and its row, for the user to find it.
    expect(r.notices).toEqual([
      {
        code: 'misfits_kept_as_text',
        params: { column: 'value', count: 1, of: 6000, type: 'integer', row: 5000, value: 'n/a' },
        message: 'column value: 1 of 6000 value(s) are not integer; column kept as text; the first is "n/a" (_id 5000)',
      },
    ]);
  });

  it('rejects the row of a late bad value with reject_row', async () => {
    const r = await h.ingest(lateBad('n/a'), 'w3.csv', { badValuePolicy: 'reject_row' });
    expect(r.columns[1]).toMatchObject({ name: 'value', type: 'integer' });
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([6000, 5999, 1]);
    expect(r.rejections).toEqual([
      {
        row: 5000,
        column: 'value',
        value: 'n/a',
        code: 'bad_value',
        params: { type: 'integer', nulled: 0 },
        reason: 'not a valid integer',
      },
    ]);
    const rows = await h.rows(r.out);
    expect(rows[4999]).toMatchObject({ _id: '5000', id: '5001' });
    expect(rows.at(-1)?._id).toBe('5999');
  });

  it('applies type overrides: misfits become NULL with widen and rejections with reject_row', async () => {
    const text = csv(
      ['code', 'amount'],
      [
        ['1', '5'],
        ['2', 'x'],
        ['3', '7'],
      ],
    );
    const widen = await h.ingest(text, 'o1.csv', { typeOverrides: { code: 'text', amount: 'decimal' } });
    expect(widen.columns.map((c) => c.type)).toEqual(['text', 'decimal']);
    expect(widen.rowsLoaded).toBe(3);
    expect(widen.rowsRejected).toBe(0);
    expect(widen.rejections).toEqual([
      {
        row: 2,
        column: 'amount',
        value: 'x',
        code: 'bad_value',
        params: { type: 'decimal', nulled: 1 },
        reason: 'not a valid decimal; stored as NULL',
      },
    ]);
    expect((await h.rows(widen.out)).map((x) => x.amount)).toEqual(['5', null, '7']);
    expect(widen.columns[1]?.nullCount).toBe(1);
    // The warning says so too: values lost to a forced type are never only in the rejection list.
    expect(widen.notices).toEqual([
      {
        code: 'misfits_nulled',
        params: { column: 'amount', count: 1, type: 'decimal' },
        message: 'column amount: 1 value(s) are not decimal, the type asked for; they were stored as NULL',
      },
    ]);

    const strict = await h.ingest(text, 'o2.csv', {
      typeOverrides: { amount: 'integer' },
      badValuePolicy: 'reject_row',
    });
    expect([strict.rowsLoaded, strict.rowsRejected]).toEqual([2, 1]);
    expect(strict.rejections[0]).toMatchObject({ row: 2, column: 'amount', value: 'x' });
    expect(strict.notices.map((n) => [n.code, n.params])).toEqual([
      ['misfits_rejected', { column: 'amount', count: 1, type: 'integer' }],
    ]);
  });

  it('refuses an override for a column the file does not have', async () => {
    const err = await appError(() => h.ingest('a\n1\n', 'o3.csv', { typeOverrides: { b: 'integer' } }));
    expect([err.status, err.code]).toEqual([400, 'unknown_column']);
  });
});

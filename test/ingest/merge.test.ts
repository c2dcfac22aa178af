import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, type Harness } from './helpers.ts';
import {
  mergeVersions,
  rejectionsToCsv,
  type Rejection,
  type StoredRejection,
} from '../../src/modules/ingest/index.ts';

let h: Harness;
let v1: string;
let v2: string;
beforeAll(async () => {
  h = await harness();
  v1 = (await h.ingest('代码,名称,数量\nA,甲,1\nB,乙,2\nC,丙,3\n', 'v1.csv')).out;
  v2 = (await h.ingest('代码,数量,备注\nB,20,改\nD,4,新\n', 'v2.csv')).out;
});
afterAll(() => h.close());

const out = (name: string) => path.join(h.dir, name);
/** Merges two versions with the test engine into `name` in the test directory. */
const merge = (
  previous: string | null,
  incoming: string,
  mode: 'replace' | 'append' | 'upsert',
  name: string,
  key?: string[],
) => mergeVersions({ engine: h.engine, previous, incoming, mode, ...(key ? { key } : {}), outFile: out(name) });

describe('mergeVersions', () => {
  it('replace copies the incoming rows', async () => {
    const r = await merge(v1, v2, 'replace', 'r.parquet');
    expect(r.rows).toBe(2);
    expect(r.notices).toEqual([]);
    expect((await h.rows(out('r.parquet'))).map((x) => x.代码)).toEqual(['B', 'D']);
  });

  it('append keeps previous rows first, continues _id and unions columns by name', async () => {
    const r = await merge(v1, v2, 'append', 'a.parquet');
    expect(r.rows).toBe(5);
    expect(Object.keys(await h.schema(out('a.parquet')))).toEqual(['_id', '代码', '名称', '数量', '备注']);
    expect((await h.rows(out('a.parquet'))).map((x) => [x._id, x.代码, x.名称, x.数量, x.备注])).toEqual([
      ['1', 'A', '甲', '1', null],
      ['2', 'B', '乙', '2', null],
      ['3', 'C', '丙', '3', null],
      ['4', 'B', null, '20', '改'],
      ['5', 'D', null, '4', '新'],
    ]);
    // The report says which columns one side lacks.
    expect(r.notices).toEqual([
      {
        code: 'merge_missing_columns',
        params: { columns: '名称', count: 1 },
        message: 'the file has no column 名称 of the current version: the new rows leave it empty',
      },
      {
        code: 'merge_new_columns',
        params: { columns: '备注', count: 1 },
        message: 'the file adds column 备注: the rows loaded before leave it empty',
      },
    ]);
  });

  it('makes a column text when its type changes kind between versions (integers, then dates), in append and upsert', async () => {
    const ints = (await h.ingest('编码,值\nA,44186\nB,2\n', 'i.csv')).out;
    const dates = (await h.ingest('编码,值\nB,2020-12-21\nC,2021-01-05\n', 'd.csv')).out;
    const appended = await merge(ints, dates, 'append', 'k.parquet');
    expect(appended.rows).toBe(4);
    expect(appended.notices).toEqual([
      {
        code: 'merge_widened',
        params: { column: '值', from: 'integer' },
        message:
          "column 值: the current version holds integer values but the file's are not all integer, so the column is text from this version on",
      },
    ]);
    expect((await h.schema(out('k.parquet')))['值']).toBe('VARCHAR');
    expect((await h.rows(out('k.parquet'))).map((x) => [x._id, x.编码, x.值])).toEqual([
      ['1', 'A', '44186'],
      ['2', 'B', '2'],
      ['3', 'B', '2020-12-21'],
      ['4', 'C', '2021-01-05'],
    ]);
    expect((await merge(ints, dates, 'upsert', 'ku.parquet', ['编码'])).notices.map((n) => n.code)).toEqual([
      'merge_widened',
    ]);
    expect((await h.rows(out('ku.parquet'))).map((x) => [x.编码, x.值])).toEqual([
      ['A', '44186'],
      ['B', '2020-12-21'],
      ['C', '2021-01-05'],
    ]);
    // Numbers of different widths still combine as numbers.
    const decimals = (await h.ingest('编码,值\nD,1.5\n', 'n.csv')).out;
    expect((await merge(ints, decimals, 'append', 'kn.parquet')).notices).toEqual([]);
    // A column that was text already stays text, with nothing to say about it.
    const texts = (await h.ingest('编码,值\nA,甲\n', 't.csv')).out;
    expect((await merge(texts, ints, 'append', 'kt.parquet')).notices).toEqual([]);
    expect((await h.schema(out('kt.parquet')))['值']).toBe('VARCHAR');
    expect((await h.schema(out('kn.parquet')))['值']).toMatch(/^DECIMAL/);
  });

  it('says how many rows of an upsert repeat a key or have none, and what it did with them', async () => {
    // B twice (the second wins), C three times, two rows without a key (matched as one key: the last is kept).
    const file = (await h.ingest('代码,数量\nB,20\nC,30\nB,21\n,1\nC,31\n,2\nC,32\n', 'dup.csv')).out;
    const r = await merge(v1, file, 'upsert', 'dup.parquet', ['代码']);
    expect(r.notices.filter((n) => n.code.startsWith('upsert_'))).toEqual([
      {
        code: 'upsert_repeated_keys',
        params: { count: 4 },
        message:
          '4 rows of the file repeat the key of a row before them in the file: of each key, the last row is kept',
      },
      {
        code: 'upsert_empty_keys',
        params: { count: 2, key: '代码' },
        message:
          '2 rows of the file have an empty key (代码): an empty key counts as one value, so the last of them replaces every row with an empty key',
      },
    ]);
    expect((await h.rows(out('dup.parquet'))).map((x) => [x.代码, x.数量])).toEqual([
      ['A', '1'],
      ['B', '21'],
      ['C', '32'],
      [null, '2'],
    ]);
    expect((await merge(v1, v2, 'upsert', 'nodup.parquet', ['代码'])).notices.map((n) => n.code)).toEqual([
      'merge_missing_columns',
      'merge_new_columns',
    ]);
  });

  it('upsert replaces rows with the same key in place and appends new keys', async () => {
    const r = await merge(v1, v2, 'upsert', 'u.parquet', ['代码']);
    expect(r.rows).toBe(4);
    expect((await h.rows(out('u.parquet'))).map((x) => [x._id, x.代码, x.名称, x.数量, x.备注])).toEqual([
      ['1', 'A', '甲', '1', null],
      ['2', 'B', null, '20', '改'],
      ['3', 'C', '丙', '3', null],
      ['4', 'D', null, '4', '新'],
    ]);
  });

  it('merges a version that stores _id with a load that numbers its rows by position', async () => {
    // A load's file leaves _id to the row's position; a merged version stores it.
    expect(await h.engine.idStored(v1)).toBe(false);
    const stored = out('stored.parquet');
    await merge(v1, v2, 'append', 'stored.parquet');
    expect(await h.engine.idStored(stored)).toBe(true);
    const v3 = (await h.ingest('代码,数量\nE,5\nA,100\n', 'v3.csv')).out;
    await merge(stored, v3, 'upsert', 'mixed.parquet', ['代码']);
    expect((await h.rows(out('mixed.parquet'))).map((x) => [x._id, x.代码, x.数量])).toEqual([
      ['1', 'A', '100'],
      ['2', 'B', '2'],
      ['3', 'C', '3'],
      ['4', 'B', '20'],
      ['5', 'D', '4'],
      ['6', 'E', '5'],
    ]);
  });

  it('treats a first load as replace, and checks upsert keys', async () => {
    const r = await merge(null, v1, 'append', 'f.parquet');
    expect(r.rows).toBe(3);
    const err = await appError(() => merge(v1, v2, 'upsert', 'k.parquet', ['名称']));
    expect([err.status, err.code]).toEqual([400, 'invalid_key']);
    expect(err.message).toMatch(/incoming file/);
  });
});

describe('rejectionsToCsv', () => {
  const rejections: Rejection[] = [
    {
      row: 2,
      column: '金额',
      value: 'a,"b"',
      code: 'bad_value',
      params: { type: 'decimal', nulled: 0 },
      reason: 'not a valid decimal',
    },
    { row: 5, column: null, value: '=cmd()', code: 'too_many_columns', reason: 'too many columns: expected 2' },
    {
      row: 6,
      column: '日期',
      value: 'x',
      code: 'bad_value',
      params: { type: 'date', nulled: 1 },
      reason: 'not a valid date; stored as NULL',
    },
  ];

  it('writes a UTF-8 CSV with a BOM, quoting and formula guarding, in Chinese unless asked', () => {
    expect(rejectionsToCsv(rejections)).toBe(
      '\uFEFF行号,列,值,问题,原文\r\n' +
        '2,金额,"a,""b""",不是有效的小数，该行未导入,not a valid decimal\r\n' +
        "5,,'=cmd(),字段数多于表头,too many columns: expected 2\r\n" +
        '6,日期,x,不是有效的日期，已存为空值,not a valid date; stored as NULL\r\n',
    );
  });

  it('words the problems in English when asked, and keeps the reason of a report stored without codes', () => {
    const stored: StoredRejection = { row: 3, column: 'v', value: '?', reason: 'cast: could not convert' };
    expect(rejectionsToCsv([...rejections, stored], 'en').split('\r\n')).toEqual([
      '\uFEFFrow,column,value,problem,reason',
      '2,金额,"a,""b""",Not a valid decimal; row not loaded,not a valid decimal',
      "5,,'=cmd(),More fields than the header,too many columns: expected 2",
      '6,日期,x,Not a valid date; stored as empty,not a valid date; stored as NULL',
      '3,v,?,cast: could not convert,cast: could not convert',
      '',
    ]);
  });
});

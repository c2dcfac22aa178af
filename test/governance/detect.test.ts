import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataEngine } from '../../src/platform/duckdb/index.ts';
import { proposeRules } from '../../src/modules/governance/detect.ts';
import { maskingPolicy } from '../../src/modules/governance/masking.ts';
import { breakCheck, makeIdCard, makeMobile, makeUscc, openEngine, rng, writeParquet } from './helpers.ts';

let engine: DataEngine;
let dir: string;
beforeAll(async () => {
  ({ engine, dir } = await openEngine());
});
afterAll(() => engine.close());

describe('proposeRules', () => {
  it('finds identifiers from values and names', async () => {
    const r = rng(11);
    const cols = [
      'col7',
      'col3',
      'xydm',
      '法定代表人',
      '注册地址',
      'col9',
      '成立日期',
      '邮政编码',
      'remark',
      '联系电话',
      'col2',
    ];
    const rows: (string | number | null)[][] = [];
    for (let i = 0; i < 200; i++) {
      const id = makeIdCard(r);
      rows.push([
        i % 20 === 0 ? breakCheck(id, '0123456789X') : id, // 95% valid IDs
        Number(makeMobile(r)),
        makeUscc(r),
        ['张三', '李四', '王五'][i % 3]!,
        `广州市白云区机场路${i}号`,
        ['440111', '110105', '310104'][i % 3]!,
        i % 2 ? '2020年12月21日' : '2021/1/5',
        '510000',
        i % 4 === 0 ? null : `备注${i}`,
        `020-8${String(1000000 + i)}`,
        i % 2 ? '2020-12-21' : '2019.3.4',
      ]);
    }
    const file = path.join(dir, 'detect.parquet');
    await writeParquet(engine, file, cols, rows, '* REPLACE (col3::BIGINT AS col3)');
    const props = await proposeRules(
      engine,
      file,
      cols.map((name) => ({ name, type: name === 'col3' ? 'BIGINT' : 'VARCHAR' })),
    );
    const by = Object.fromEntries(props.map((p) => [p.column, p]));

    expect(by.col7).toMatchObject({ kind: 'id_card', sensitivity: 'id_card', grade: 'L3' });
    expect(by.col7!.passRate).toBeCloseTo(0.95, 10);
    expect(by.col7!.reason).toMatch(/身份证号/);
    expect(maskingPolicy(by.col7!)).toBe('id_card');

    expect(by.col3).toMatchObject({ kind: 'mobile', sensitivity: 'mobile', grade: 'L3', passRate: 1 });
    expect(by.xydm).toMatchObject({ kind: 'uscc', sensitivity: 'none', passRate: 1 });
    expect(maskingPolicy(by.xydm!)).toBeNull();
    expect(by['法定代表人']).toMatchObject({ kind: null, sensitivity: 'name' });
    expect(by['注册地址']).toMatchObject({ sensitivity: 'address' });
    expect(by.col9).toMatchObject({ kind: 'division_code', sensitivity: 'none', passRate: 1 });
    expect(by['成立日期']).toMatchObject({ kind: 'date_parse', passRate: 1 });
    expect(by.col2).toMatchObject({ kind: 'date_parse', passRate: 1 });
    expect(by['邮政编码']).toMatchObject({ kind: null, sensitivity: 'none' }); // 510000 is also 广东省's code
    expect(by.remark).toMatchObject({ kind: null, sensitivity: 'none', grade: 'L1', passRate: null });
    expect(by['联系电话']).toMatchObject({ sensitivity: 'landline' });
  });

  it('names decide when values are missing', async () => {
    const file = path.join(dir, 'names.parquet');
    await writeParquet(
      engine,
      file,
      ['身份证号码', '手机号码', '统一社会信用代码'],
      [[null, null, null]],
      '* REPLACE (身份证号码::VARCHAR AS 身份证号码, 手机号码::VARCHAR AS 手机号码, 统一社会信用代码::VARCHAR AS 统一社会信用代码)',
    );
    const props = await proposeRules(engine, file, [
      { name: '身份证号码', type: 'VARCHAR' },
      { name: '手机号码', type: 'VARCHAR' },
      { name: '统一社会信用代码', type: 'VARCHAR' },
    ]);
    expect(props.map((p) => [p.kind, p.sensitivity, p.grade, p.passRate])).toEqual([
      ['id_card', 'id_card', 'L3', null],
      ['mobile', 'mobile', 'L3', null],
      ['uscc', 'none', 'L1', null],
    ]);
  });

  it('a column of valid credit codes is not mistaken for IDs, and a mostly-invalid one is not proposed', async () => {
    const r = rng(5);
    const rows = Array.from({ length: 50 }, (_, i) => [i < 40 ? `X${i}` : makeUscc(r)]);
    const file = path.join(dir, 'weak.parquet');
    await writeParquet(engine, file, ['c'], rows);
    const [p] = await proposeRules(engine, file, [{ name: 'c', type: 'VARCHAR' }]);
    expect(p).toMatchObject({ kind: null, sensitivity: 'none' });
  });
});

describe('proposeRules on real-looking text', () => {
  it('finds full-width IDs and mobiles, and ignores Chinese free text and typed numbers that only mention them', async () => {
    const r = rng(23);
    const fullWidth = (s: string) => s.replace(/[0-9A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    const rows = Array.from({ length: 120 }, (_, i) => {
      const id = makeIdCard(r);
      const mobile = makeMobile(r);
      return [
        i % 2 ? fullWidth(id) : `\u3000${id} `, // full-width digits or an ideographic space: still IDs
        `市民反映：身份证号${id}，手机${mobile}，小区噪音扰民，请尽快处理。`,
        fullWidth(mobile),
        1000 + i * 0.5,
      ];
    });
    const file = path.join(dir, 'text.parquet');
    await writeParquet(engine, file, ['a', 'b', 'c', 'd'], rows, '* REPLACE (d::DOUBLE AS d)');
    const props = await proposeRules(engine, file, [
      { name: 'a', type: 'text' },
      { name: 'b', type: 'text' },
      { name: 'c', type: 'text' },
      { name: 'd', type: 'decimal' },
    ]);
    expect(props.map((p) => [p.column, p.kind, p.sensitivity])).toEqual([
      ['a', 'id_card', 'id_card'],
      ['b', null, 'none'],
      ['c', 'mobile', 'mobile'],
      ['d', null, 'none'],
    ]);
    expect(props[0]!.passRate).toBe(1);
  });
});

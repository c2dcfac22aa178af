import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataEngine } from '../../src/platform/duckdb/index.ts';
import { AppError } from '../../src/platform/http/errors.ts';
import { isValidIdCard, isValidUscc } from '../../src/modules/governance/checksums.ts';
import {
  ruleCheckSql,
  runQualityRules,
  timelinessScore,
  type QualityRule,
} from '../../src/modules/governance/quality.ts';
import { breakCheck, evalSql, makeIdCard, makeMobile, makeUscc, openEngine, rng, writeParquet } from './helpers.ts';

let engine: DataEngine;
let dir: string;
beforeAll(async () => {
  ({ engine, dir } = await openEngine());
});
afterAll(() => engine.close());

const NOW = new Date('2025-06-30T12:00:00Z');
const ROWS = 400;
const BAD_ID_ROWS = new Set([3, 17, 42, 43, 99, 150, 151, 200, 260, 333, 399]); // _id values
const NULL_ID_ROWS = new Set([5, 6, 7]);
const BLANK_ID_ROWS = new Set([8]);
const BAD_USCC_ROWS = new Set([10, 20, 30, 40, 50, 60, 70]);
const DUP_USCC_ROWS = [100, 101, 300, 301]; // 101 repeats 100, 301 repeats 300
const BAD_MOBILE_ROWS = new Set([1, 2]);
const BAD_DIV_ROWS = new Set([11, 12, 13]);

/** Builds the fixture rows; badIds replaces BAD_ID_ROWS when given (for monotonicity). */
function fixtureRows(badIds: ReadonlySet<number> = BAD_ID_ROWS): (string | number | null)[][] {
  const r = rng(2025);
  const rows: (string | number | null)[][] = [];
  let prevUscc = '';
  for (let id = 1; id <= ROWS; id++) {
    let idno: string | null = makeIdCard(r);
    if (badIds.has(id)) idno = breakCheck(idno, '0123456789X');
    if (NULL_ID_ROWS.has(id)) idno = null;
    if (BLANK_ID_ROWS.has(id)) idno = '  ';
    let uscc = makeUscc(r);
    if (BAD_USCC_ROWS.has(id)) uscc = breakCheck(uscc, '0123456789ABCDEFGHJKLMNPQRTUWXY');
    if (id === 101 || id === 301) uscc = prevUscc;
    prevUscc = uscc;
    const mobile = BAD_MOBILE_ROWS.has(id) ? 12000000000 + id : Number(makeMobile(r));
    const div = BAD_DIV_ROWS.has(id) ? '440199' : ['440111', '110105', '310104'][id % 3]!;
    const dates = ['2020-12-21', '2020/12/21', '2020年12月21日', '44186', '2020.12.21'];
    const regDate = id === 77 ? '2020-13-01' : dates[id % dates.length]!;
    const capital = id === 88 ? '-5' : String((id * 13) % 1000);
    const status = id === 99 ? '未知' : ['存续', '注销'][id % 2]!;
    rows.push([id, idno, uscc, mobile, div, regDate, capital, status]);
  }
  return rows;
}

const COLUMNS = ['_id', 'idno', 'uscc', 'mobile', 'div', 'reg_date', 'capital', 'status'];
const SELECT = `_id::INTEGER AS _id, idno, uscc, mobile::BIGINT AS mobile, div, reg_date, capital, status`;

const RULES: QualityRule[] = [
  { id: 'r-id', field: 'idno', kind: 'id_card' },
  { id: 'r-uscc', field: 'uscc', kind: 'uscc' },
  { id: 'r-uscc-unique', field: 'uscc', kind: 'unique' },
  { id: 'r-mobile', field: 'mobile', kind: 'mobile' },
  { id: 'r-div', field: 'div', kind: 'division_code' },
  { id: 'r-date', field: 'reg_date', kind: 'date_parse' },
  { id: 'r-capital', field: 'capital', kind: 'range', params: { min: 0, max: 1e9 } },
  { id: 'r-status', field: 'status', kind: 'enum', params: { values: ['存续', '注销'] } },
  { id: 'r-idno-present', field: 'idno', kind: 'not_null' },
  { id: 'r-div-regex', field: 'div', kind: 'regex', params: { pattern: '^44' } },
];

async function fixture(name: string, badIds?: ReadonlySet<number>): Promise<string> {
  const file = path.join(dir, `${name}.parquet`);
  await writeParquet(engine, file, COLUMNS, fixtureRows(badIds), SELECT);
  return file;
}

describe('runQualityRules over a generated Parquet file', () => {
  it('counts failures exactly and samples the first failing rows', async () => {
    const file = await fixture('main');
    const rep = await runQualityRules(engine, {
      parquetPath: file,
      rules: RULES,
      updateCycle: 'monthly',
      lastUpdatedAt: new Date('2025-06-15T00:00:00Z'),
      now: NOW,
    });
    const by = Object.fromEntries(rep.rules.map((r) => [r.ruleId, r]));
    expect(rep.rows).toBe(ROWS);
    expect(rep.columns).toBe(7);

    expect(by['r-id']).toMatchObject({ field: 'idno', kind: 'id_card', checked: ROWS - 4, failures: BAD_ID_ROWS.size });
    expect(by['r-id']!.sampleRows.map((s) => s._id)).toEqual([3, 17, 42, 43, 99]);
    for (const s of by['r-id']!.sampleRows) expect(isValidIdCard(s.value!)).toBe(false);

    expect(by['r-uscc']).toMatchObject({ checked: ROWS, failures: BAD_USCC_ROWS.size });
    expect(by['r-uscc']!.sampleRows.map((s) => s._id)).toEqual([10, 20, 30, 40, 50]);
    for (const s of by['r-uscc']!.sampleRows) expect(isValidUscc(s.value!)).toBe(false);

    // every copy of a repeated value fails
    expect(by['r-uscc-unique']).toMatchObject({ failures: 4 });
    expect(by['r-uscc-unique']!.sampleRows.map((s) => s._id)).toEqual(DUP_USCC_ROWS);

    expect(by['r-mobile']).toMatchObject({ checked: ROWS, failures: 2 });
    expect(by['r-mobile']!.sampleRows).toEqual([
      { _id: 1, value: '12000000001' },
      { _id: 2, value: '12000000002' },
    ]);
    expect(by['r-div']).toMatchObject({ failures: 3 });
    expect(by['r-div']!.sampleRows).toEqual([
      { _id: 11, value: '440199' },
      { _id: 12, value: '440199' },
      { _id: 13, value: '440199' },
    ]);
    expect(by['r-date']).toMatchObject({ failures: 1, sampleRows: [{ _id: 77, value: '2020-13-01' }] });
    expect(by['r-capital']).toMatchObject({ failures: 1, sampleRows: [{ _id: 88, value: '-5' }] });
    expect(by['r-status']).toMatchObject({ failures: 1, sampleRows: [{ _id: 99, value: '未知' }] });
    // NULL and blank cells fail not_null only
    expect(by['r-idno-present']).toMatchObject({ checked: ROWS, failures: 4 });
    expect(by['r-idno-present']!.sampleRows).toEqual([
      { _id: 5, value: null },
      { _id: 6, value: null },
      { _id: 7, value: null },
      { _id: 8, value: '  ' },
    ]);
    const divNot44 = fixtureRows().filter((r) => !String(r[4]).startsWith('44')).length;
    expect(by['r-div-regex']).toMatchObject({ failures: divNot44 });

    // dimensions
    expect(rep.completeness).toBeCloseTo(1 - 4 / (ROWS * 7), 10);
    expect(rep.columnCompleteness.idno).toBeCloseTo((ROWS - 4) / ROWS, 10);
    const rowRules = rep.rules.filter((r) => r.kind !== 'unique');
    const checked = rowRules.reduce((a, r) => a + r.checked, 0);
    const failed = rowRules.reduce((a, r) => a + r.failures, 0);
    expect(rep.validity).toBeCloseTo((checked - failed) / checked, 10);
    expect(rep.uniqueness).toBeCloseTo((ROWS - 2) / ROWS, 10);
    expect(rep.timeliness).toBe(1);
    const expected = 100 * (0.4 * rep.validity + 0.3 * rep.completeness + 0.15 * rep.uniqueness + 0.15);
    expect(rep.score).toBeCloseTo(expected, 1);
    expect(rep.score).toBeGreaterThan(0);
    expect(rep.score).toBeLessThan(100);
  });

  it('more failures give a lower score', async () => {
    const scores: number[] = [];
    for (const [i, bad] of [
      new Set<number>(),
      new Set([1, 2, 3, 4, 5]),
      new Set(Array.from({ length: 120 }, (_, k) => k + 1)),
    ].entries()) {
      const file = await fixture(`mono-${i}`, bad);
      const rep = await runQualityRules(engine, {
        parquetPath: file,
        rules: [{ id: 'r', field: 'idno', kind: 'id_card' }],
        updateCycle: 'daily',
        lastUpdatedAt: NOW,
        now: NOW,
      });
      expect(rep.rules[0]!.failures).toBe(
        bad.size - [...bad].filter((x) => NULL_ID_ROWS.has(x) || BLANK_ID_ROWS.has(x)).length,
      );
      expect(rep.score).toBeGreaterThanOrEqual(0);
      expect(rep.score).toBeLessThanOrEqual(100);
      scores.push(rep.score);
    }
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    expect(scores[1]!).toBeGreaterThan(scores[2]!);
  });

  it('a clean, complete, fresh table scores 100; duplicate full rows lower uniqueness without unique rules', async () => {
    const clean = path.join(dir, 'clean.parquet');
    await writeParquet(
      engine,
      clean,
      ['a', 'b'],
      [
        ['440111', 'x'],
        ['110105', 'y'],
      ],
    );
    const rep = await runQualityRules(engine, {
      parquetPath: clean,
      rules: [{ id: 'd', field: 'a', kind: 'division_code' }],
      updateCycle: '每日',
      lastUpdatedAt: NOW,
      now: NOW,
    });
    expect(rep.score).toBe(100);
    expect(rep.rules[0]!.sampleRows).toEqual([]);

    const dup = path.join(dir, 'dup.parquet');
    await writeParquet(
      engine,
      dup,
      ['a', 'b'],
      [
        ['1', 'x'],
        ['1', 'x'],
        ['2', 'y'],
        ['3', null],
      ],
    );
    const rep2 = await runQualityRules(engine, { parquetPath: dup, rules: [], now: NOW });
    expect(rep2.uniqueness).toBe(3 / 4);
    expect(rep2.completeness).toBe(7 / 8);
    expect(rep2.validity).toBe(1);
    // without _id the sample id is the 1-based row number
    const rep3 = await runQualityRules(engine, {
      parquetPath: dup,
      rules: [{ id: 'nn', field: 'b', kind: 'not_null' }],
      now: NOW,
    });
    expect(rep3.rules[0]!.sampleRows).toEqual([{ _id: 4, value: null }]);
  });

  it('names the field when a rule points at a missing column or has bad params', async () => {
    const file = await fixture('errs');
    const err = await runQualityRules(engine, {
      parquetPath: file,
      rules: [{ id: 'x', field: 'nope', kind: 'id_card' }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_quality_rule', extras: { field: 'nope' } });
    expect(() => ruleCheckSql({ kind: 'range', params: {} }, 'v')).toThrow(AppError);
    expect(() => ruleCheckSql({ kind: 'enum', params: { values: [] } }, 'v')).toThrow(AppError);
  });
});

describe('ruleCheckSql', () => {
  it('NULL and blank pass every rule except not_null', async () => {
    for (const kind of ['id_card', 'uscc', 'org_code', 'division_code', 'mobile', 'date_parse'] as const) {
      expect(await evalSql(engine, (c) => ruleCheckSql({ kind }, c), [null, ' ', 'garbage'])).toEqual([
        true,
        true,
        false,
      ]);
    }
    expect(await evalSql(engine, (c) => ruleCheckSql({ kind: 'not_null' }, c), [null, ' ', 'x'])).toEqual([
      false,
      false,
      true,
    ]);
  });
  it('range, regex and enum', async () => {
    expect(
      await evalSql(engine, (c) => ruleCheckSql({ kind: 'range', params: { min: 0, max: 100 } }, c), [
        '0',
        '100',
        '1,00',
        '101',
        'abc',
      ]),
    ).toEqual([true, true, true, false, false]);
    expect(
      await evalSql(engine, (c) => ruleCheckSql({ kind: 'regex', params: { pattern: "^a'b$" } }, c), ["a'b", 'ab']),
    ).toEqual([true, false]);
    expect(
      await evalSql(engine, (c) => ruleCheckSql({ kind: 'enum', params: { values: ['是', '否'] } }, c), [
        '是',
        ' 否 ',
        '未知',
      ]),
    ).toEqual([true, true, false]);
  });
});

describe('timeliness', () => {
  const day = 86_400_000;
  it('follows the update cycle', () => {
    expect(timelinessScore('monthly', new Date(NOW.getTime() - 10 * day), NOW)).toBe(1);
    expect(timelinessScore('monthly', new Date(NOW.getTime() - 62 * day), NOW)).toBeCloseTo(0.5, 10);
    expect(timelinessScore('monthly', new Date(NOW.getTime() - 93 * day), NOW)).toBe(0);
    expect(timelinessScore('每月', new Date(NOW.getTime() - 10 * day), NOW)).toBe(1);
    expect(timelinessScore('daily', new Date(NOW.getTime() - 2 * day), NOW)).toBeCloseTo(0.5, 10);
    expect(timelinessScore('realtime', NOW, NOW)).toBe(1);
    expect(timelinessScore('yearly', null, NOW)).toBe(0);
    expect(timelinessScore('irregular', null, NOW)).toBe(1);
    expect(timelinessScore('不定期', '2000-01-01', NOW)).toBe(1);
    expect(() => timelinessScore('fortnightly', NOW, NOW)).toThrow(AppError);
  });
});

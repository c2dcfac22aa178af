import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataEngine } from '../../src/platform/duckdb/index.ts';
import {
  idCardCheckChar,
  isValidDivisionCode,
  isValidIdCard,
  isValidIdCardAt,
  isValidMobile,
  isValidOrgCode,
  isValidUscc,
  normaliseCode,
  orgCodeCheckChar,
  parseChineseDate,
  usccCheckChar,
} from '../../src/modules/governance/checksums.ts';
import {
  divisionCodeValidSql,
  idCardValidSql,
  mobileValidSql,
  normaliseCodeSql,
  orgCodeValidSql,
  parseDateSql,
  usccValidSql,
} from '../../src/modules/governance/sql.ts';
import { breakCheck, evalSql, makeIdCard, makeMobile, makeUscc, openEngine, rng } from './helpers.ts';

let engine: DataEngine;
beforeAll(async () => {
  ({ engine } = await openEngine());
});
afterAll(() => engine.close());

const sql1 = async (expr: (c: string) => string, v: string | null) => (await evalSql(engine, expr, [v]))[0];

describe('居民身份证号 GB 11643 (STANDARDS §4)', () => {
  const cases: [string, boolean][] = [
    ['11010519491231002X', true],
    ['440524188001010014', true], // abolished county 潮阳县, born 1880
    ['11010519491231002x', true], // lower-case x accepted
    ['１１０１０５１９４９１２３１００２Ｘ', true], // full-width normalised
    [' 11010519491231002X ', true], // trimmed
    ['11010519491231002Y', false],
    ['110105194912310021', false], // wrong check digit
    ['110105194902300025', false], // 1949-02-30
    ['990105194912310026', false], // unknown province 99
    ['110105491231002', true], // 15-digit legacy, 1949-12-31
    ['110105491331002', false], // 15-digit legacy, month 13
    ['1101051949123100', false],
    ['', false],
  ];
  for (const [id, ok] of cases) {
    it(`JS ${JSON.stringify(id)} → ${ok}`, () => expect(isValidIdCard(id)).toBe(ok));
    it(`SQL ${JSON.stringify(id)} → ${ok}`, async () => expect(await sql1(idCardValidSql, id)).toBe(ok));
  }
  it('check characters of the vectors', () => {
    expect(idCardCheckChar('11010519491231002')).toBe('X');
    expect(idCardCheckChar('44052418800101001')).toBe('4');
  });
  it('rejects a birth date in the future', () => {
    const first17 = '11010520990101001';
    const id = first17 + idCardCheckChar(first17);
    expect(isValidIdCardAt(id, new Date('2025-01-01'))).toBe(false);
    expect(isValidIdCardAt(id, new Date('2100-01-01'))).toBe(true);
  });
  it('SQL is NULL for NULL', async () => expect(await sql1(idCardValidSql, null)).toBe(null));
});

describe('统一社会信用代码 GB 32100', () => {
  const cases: [string, boolean][] = [
    ['91350100M000100Y43', true],
    ['91230184MA1BUFLT44', true],
    ['92371000MA3MXH0E3W', true],
    ['91350100m000100y43', true],
    ['９１３５０１００Ｍ０００１００Ｙ４３', true],
    ['91350100M000100Y4Z', false],
    ['91350100M000100Y44', false],
    ['91350100M000I00Y43', false], // I is not in the alphabet
    ['91350100M000100Y4', false],
  ];
  for (const [code, ok] of cases) {
    it(`JS ${code} → ${ok}`, () => expect(isValidUscc(code)).toBe(ok));
    it(`SQL ${code} → ${ok}`, async () => expect(await sql1(usccValidSql, code)).toBe(ok));
  }
  it('check character', () => expect(usccCheckChar('91350100M000100Y4')).toBe('3'));
});

describe('组织机构代码 GB 11714', () => {
  const cases: [string, boolean][] = [
    ['M000100Y-4', true],
    ['D2143569-X', true],
    ['M000100Y4', true], // without hyphen
    ['d2143569-x', true],
    ['M000100Y-5', false],
    ['D2143569-0', false],
    ['M000100-4', false],
  ];
  for (const [code, ok] of cases) {
    it(`JS ${code} → ${ok}`, () => expect(isValidOrgCode(code)).toBe(ok));
    it(`SQL ${code} → ${ok}`, async () => expect(await sql1(orgCodeValidSql, code)).toBe(ok));
  }
  it('check characters', () => {
    expect(orgCodeCheckChar('M000100Y')).toBe('4');
    expect(orgCodeCheckChar('D2143569')).toBe('X');
  });
});

describe('行政区划代码 GB/T 2260', () => {
  const cases: [string, boolean][] = [
    ['440111', true], // 广州市白云区
    ['440000', true], // 广东省
    ['440100', true], // 广州市
    ['110104', true], // historical: 宣武区
    ['４４０１１１', true],
    ['440199', false],
    ['44011', false],
    ['4401110', false],
  ];
  for (const [code, ok] of cases) {
    it(`JS ${code} → ${ok}`, () => expect(isValidDivisionCode(code)).toBe(ok));
    it(`SQL ${code} → ${ok}`, async () => expect(await sql1(divisionCodeValidSql, code)).toBe(ok));
  }
});

describe('手机号', () => {
  const cases: [string, boolean][] = [
    ['19512345678', true],
    ['13800138000', true],
    ['+8613800138000', true],
    ['008613800138000', true],
    ['138 0013 8000', true],
    ['１３８００１３８０００', true],
    ['12800138000', false],
    ['1380013800', false],
    ['020-12345678', false],
  ];
  for (const [s, ok] of cases) {
    it(`JS ${s} → ${ok}`, () => expect(isValidMobile(s)).toBe(ok));
    it(`SQL ${s} → ${ok}`, async () => expect(await sql1(mobileValidSql, s)).toBe(ok));
  }
});

describe('dates', () => {
  const cases: [string, string | null][] = [
    ['2020-12-21', '2020-12-21'],
    ['2020/12/21', '2020-12-21'],
    ['2020.12.21', '2020-12-21'],
    ['2020年12月21日', '2020-12-21'],
    ['44186', '2020-12-21'], // Excel serial, epoch 1899-12-30
    ['44186.75', '2020-12-21'],
    ['２０２０－１２－２１', '2020-12-21'], // full-width
    ['2009年6月10日', '2009-06-10'],
    ['2020-12-21 08:30:00', '2020-12-21'],
    ['20201221', '2020-12-21'],
    ['2020-02-30', null],
    ['2020-12/21', null],
    ['0', null],
    ['yesterday', null],
  ];
  for (const [s, d] of cases) {
    it(`JS ${s} → ${d}`, () => expect(parseChineseDate(s)).toBe(d));
    it(`SQL ${s} → ${d}`, async () => expect(await sql1(parseDateSql, s)).toBe(d));
  }
});

describe('normalisation', () => {
  it('full-width digits and letters become half-width, trimmed, upper-case', () => {
    expect(normaliseCode('　９１ａｂ－Ｘ ')).toBe('91AB-X');
  });
  it('SQL normalises the same way', async () => {
    expect(await sql1(normaliseCodeSql, '　９１ａｂ－Ｘ ')).toBe('91AB-X');
  });
});

describe('JS and SQL agree on generated identifiers', () => {
  const r = rng(7);
  const values: string[] = [];
  for (let i = 0; i < 300; i++) {
    const id = makeIdCard(r);
    const uscc = makeUscc(r);
    values.push(id, breakCheck(id, '0123456789X'), uscc, breakCheck(uscc, '0123456789ABCDEFGHJKLMNPQRTUWXY'));
    values.push(makeMobile(r), `${uscc.slice(8, 16)}-${uscc[16]}`, id.slice(0, 6), String(30000 + i * 37));
  }
  const checks: [string, (s: string) => unknown, (c: string) => string][] = [
    ['id_card', isValidIdCard, idCardValidSql],
    ['uscc', isValidUscc, usccValidSql],
    ['org_code', isValidOrgCode, orgCodeValidSql],
    ['division', isValidDivisionCode, divisionCodeValidSql],
    ['mobile', isValidMobile, mobileValidSql],
    ['date', parseChineseDate, parseDateSql],
  ];
  for (const [name, js, sql] of checks) {
    it(name, async () => {
      const got = await evalSql(engine, sql, values);
      expect(got).toEqual(values.map(js));
    });
  }
  it('generated identifiers are valid and broken ones invalid', () => {
    expect(values.filter((_, i) => i % 8 === 0).every(isValidIdCard)).toBe(true);
    expect(values.filter((_, i) => i % 8 === 1).some(isValidIdCard)).toBe(false);
    expect(values.filter((_, i) => i % 8 === 2).every(isValidUscc)).toBe(true);
    expect(values.filter((_, i) => i % 8 === 3).some(isValidUscc)).toBe(false);
  });
});

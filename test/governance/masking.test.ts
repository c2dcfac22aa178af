import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataEngine } from '../../src/platform/duckdb/index.ts';
import {
  datasetGrade,
  DEFAULT_MASK_RULES,
  MASK_KINDS,
  maskingPolicy,
  maskSql,
  maskValue,
  type MaskKind,
  type MaskRule,
} from '../../src/modules/governance/masking.ts';
import { evalSql, openEngine } from './helpers.ts';

let engine: DataEngine;
beforeAll(async () => {
  ({ engine } = await openEngine());
});
afterAll(() => engine.close());

describe('STANDARDS §3 examples', () => {
  const examples: [MaskKind, string, string][] = [
    ['name', '张三丰', '张**'],
    ['name', '张三', '张*'],
    ['id_card', '11010519491231002X', '1***************2X'],
    ['mobile', '13800138000', '138****8000'],
    ['landline', '020-12345678', '020-******78'],
    ['address', '广东省广州市白云区机场路123号', '广东省广州市白云********'],
    ['bank_card', '6222021234567890123', '6222***********0123'],
    ['plate', '粤A12345', '粤A***5'],
    ['email', 'zhang@example.cn', 'z**@example.cn'],
    ['other', 'anything', '****'],
  ];
  for (const [kind, value, masked] of examples) {
    it(`JS ${kind} ${value} → ${masked}`, () => expect(maskValue(kind, value)).toBe(masked));
    it(`SQL ${kind} ${value} → ${masked}`, async () => {
      expect(await evalSql(engine, (c) => maskSql(kind, c), [value])).toEqual([masked]);
    });
  }
  it('id card rule is configurable: first 6 + last 4', async () => {
    const rules = { id_card: { keepStart: 6, keepEnd: 4 } };
    expect(maskValue('id_card', '11010519491231002X', rules)).toBe('110105********002X');
    expect(await evalSql(engine, (c) => maskSql('id_card', c, rules), ['11010519491231002X'])).toEqual([
      '110105********002X',
    ]);
  });
  it('mask character is configurable', () => {
    expect(maskValue('mobile', '13800138000', { mobile: { maskChar: '#' } })).toBe('138####8000');
  });
  it('defaults are frozen and cover every kind', () => {
    expect(Object.keys(DEFAULT_MASK_RULES).sort()).toEqual([...MASK_KINDS].sort());
    expect(Object.isFrozen(DEFAULT_MASK_RULES)).toBe(true);
  });
  it('rejects a bad rule', () => {
    expect(() => maskValue('name', 'x', { name: { keepStart: -1 } })).toThrow(/keepStart/);
    expect(() => maskValue('name', 'x', { name: { maskChar: '**' } })).toThrow(/maskChar/);
  });
});

describe('short values are never revealed whole', () => {
  const shorts = ['', '张', '张三', 'ab', '123', '12345', 'a@b', 'z@x.cn'];
  for (const kind of MASK_KINDS) {
    it(kind, () => {
      for (const v of shorts) {
        const m = maskValue(kind, v);
        if (v.length > 0) expect(m, `${kind} ${v}`).not.toBe(v);
        if (v.length > 0) expect(m, `${kind} ${v}`).toContain('*');
      }
    });
  }
  it('when the kept ends would cover the value, at most half of it shows', () => {
    expect(maskValue('name', '张')).toBe('*');
    expect(maskValue('mobile', '12345')).toBe('12***');
    expect(maskValue('id_card', '12')).toBe('1*');
    expect(maskValue('bank_card', '12345678')).toBe('1234****');
  });
  it('NULL stays NULL in JS and SQL', async () => {
    for (const kind of MASK_KINDS) {
      expect(maskValue(kind, null)).toBeNull();
      expect(await evalSql(engine, (c) => maskSql(kind, c), [null])).toEqual([null]);
    }
  });
});

describe('JS and SQL masks are identical', () => {
  const values: (string | null)[] = [
    '张三丰',
    '欧阳娜娜',
    '张',
    '',
    ' ',
    '11010519491231002X',
    '440524188001010014',
    '13800138000',
    '+8613800138000',
    '0755-88889999',
    '粤A12345',
    '粤AD12345',
    '京A1',
    'zhang@example.cn',
    'z@x.cn',
    '@example.cn',
    'no-at-sign',
    'a@b@c.cn',
    '广东省广州市白云区机场路123号',
    '6222021234567890123',
    "O'Brien",
    'e\u0301te\u0301', // combining accents
    '𠮷野家', // astral-plane character
    null,
  ];
  const ruleSets: (Partial<Record<MaskKind, Partial<MaskRule>>> | undefined)[] = [
    undefined,
    { id_card: { keepStart: 6, keepEnd: 4 }, name: { keepStart: 0, keepEnd: 1, maskChar: '○' } },
    { address: { maskLast: 3 }, email: { fixedMaskLength: undefined, keepStart: 2 } },
  ];
  for (const [ri, rules] of ruleSets.entries()) {
    for (const kind of MASK_KINDS) {
      it(`${kind} (rule set ${ri})`, async () => {
        const sql = await evalSql(engine, (c) => maskSql(kind, c, rules), values);
        expect(sql).toEqual(values.map((v) => maskValue(kind, v, rules)));
      });
    }
  }
  it('numbers are masked as their text', async () => {
    expect(maskValue('mobile', 13800138000)).toBe('138****8000');
    const out = await engine.withConnection(async (conn) => {
      const r = await conn.runAndReadAll(
        `SELECT ${maskSql('mobile', 'v')} AS m FROM (SELECT 13800138000::BIGINT AS v)`,
      );
      return r.getRowObjectsJson()[0]?.m;
    });
    expect(out).toBe('138****8000');
  });
});

describe('maskingPolicy', () => {
  it('sensitive fields are masked by their kind at any grade', () => {
    expect(maskingPolicy({ sensitivity: 'id_card', grade: 'L3' })).toBe('id_card');
    expect(maskingPolicy({ sensitivity: 'name', grade: 'L1' })).toBe('name');
    expect(maskingPolicy({ sensitivity: 'mobile', grade: 'L2' })).toBe('mobile');
    expect(maskingPolicy({ sensitivity: 'medical_record', grade: 'L4' })).toBe('other');
  });
  it('non-sensitive L3/L4 fields are masked as other, L1/L2 not', () => {
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L1' })).toBeNull();
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L2' })).toBeNull();
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L3' })).toBe('other');
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L4' })).toBe('other');
  });
  it('the grade table is configurable', () => {
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L2' }, { maskNonSensitiveGrades: ['L2', 'L3', 'L4'] })).toBe(
      'other',
    );
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L3' }, { maskNonSensitiveGrades: ['L4'] })).toBeNull();
  });
  it('统一社会信用代码 is never masked', () => {
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L4', kind: 'uscc' })).toBeNull();
    expect(maskingPolicy({ sensitivity: 'none', grade: 'L3', name: '统一社会信用代码' })).toBeNull();
    expect(maskingPolicy({ sensitivity: 'uscc', grade: 'L3' })).toBeNull();
  });
  it('a dataset takes the highest grade of its fields', () => {
    expect(datasetGrade([{ grade: 'L1' }, { grade: 'L3' }, { grade: 'L2' }])).toBe('L3');
    expect(datasetGrade([])).toBe('L1');
  });
});

/**
 * Proposes quality rules, sensitivity and grade per column from field names AND values. Values win:
 * a column named `col7` whose values pass the ID checksum is proposed as 身份证号. Pass rates are
 * measured in one DuckDB query over a fixed-seed sample of the table, with the same SQL as
 * quality.ts, so the proposal's passRate is what the rule will report.
 */
import { quoteIdent, quoteLiteral, type DataEngine } from '../../platform/duckdb/index.ts';
import type { Grade } from './masking.ts';
import type { RuleKind, RuleParams } from './quality.ts';
import { missingSql, ruleCheckSql } from './quality.ts';
import { ensureDivisionTable, parseDateSql } from './sql.ts';

export type Sensitivity =
  'none' | 'id_card' | 'name' | 'mobile' | 'landline' | 'address' | 'email' | 'plate' | 'bank_card';

export interface RuleProposal {
  column: string;
  /** Proposed rule, or null when nothing fits. */
  kind: RuleKind | null;
  params?: RuleParams;
  sensitivity: Sensitivity;
  grade: Grade;
  reason: string;
  /** Share of filled sampled values passing the proposed rule; null without a rule or values. */
  passRate: number | null;
}

/** Share of values that must pass a check before values alone decide the column's kind. */
export const VALUE_PASS_THRESHOLD = 0.9;
/** Rows sampled (reservoir, fixed seed) to measure pass rates. */
export const DETECT_SAMPLE_ROWS = 5_000;

const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

interface NameRule {
  pattern: RegExp;
  kind: RuleKind | null;
  params?: RuleParams;
  sensitivity: Sensitivity;
  grade: Grade;
  label: string;
}

/** Ordered: the first match wins (统一社会信用代码 before 代码, 手机 before 电话 …). */
const NAME_RULES: NameRule[] = [
  {
    pattern: /统一社会信用代码|社会信用代码|信用代码|uscc|credit_?code|tyshxydm/i,
    kind: 'uscc',
    sensitivity: 'none',
    grade: 'L1',
    label: '统一社会信用代码',
  },
  {
    pattern: /组织机构代码|机构代码|org_?code|zzjgdm/i,
    kind: 'org_code',
    sensitivity: 'none',
    grade: 'L1',
    label: '组织机构代码',
  },
  {
    pattern: /身份证|证件号|公民身份号码|id_?card|id_?no|sfzh/i,
    kind: 'id_card',
    sensitivity: 'id_card',
    grade: 'L3',
    label: '身份证号',
  },
  {
    pattern: /银行卡|银行账号|银行帐号|账号|帐号|bank_?(card|account)|card_?no/i,
    kind: null,
    sensitivity: 'bank_card',
    grade: 'L4',
    label: '银行卡号',
  },
  { pattern: /手机|移动电话|mobile|cellphone/i, kind: 'mobile', sensitivity: 'mobile', grade: 'L3', label: '手机号' },
  {
    pattern: /联系电话|电话|座机|固话|tel|phone/i,
    kind: null,
    sensitivity: 'landline',
    grade: 'L2',
    label: '电话',
  },
  {
    pattern: /邮箱|电子邮件|e-?mail/i,
    kind: 'regex',
    params: { pattern: EMAIL_PATTERN },
    sensitivity: 'email',
    grade: 'L2',
    label: '电子邮箱',
  },
  { pattern: /车牌|号牌|plate/i, kind: null, sensitivity: 'plate', grade: 'L2', label: '车牌号' },
  {
    pattern: /住址|家庭地址|户籍地|居住地/,
    kind: null,
    sensitivity: 'address',
    grade: 'L3',
    label: '个人住址',
  },
  { pattern: /地址|address|addr/i, kind: null, sensitivity: 'address', grade: 'L2', label: '地址' },
  {
    pattern: /行政区划|区划代码|division|xzqh|adcode/i,
    kind: 'division_code',
    sensitivity: 'none',
    grade: 'L1',
    label: '行政区划代码',
  },
  {
    pattern: /^(姓名|名字|xm|person_?name|full_?name)$|姓名|法定代表人|法人代表|负责人|联系人|经营者|申请人/i,
    kind: null,
    sensitivity: 'name',
    grade: 'L2',
    label: '姓名',
  },
  { pattern: /日期|时间|date|_at$/i, kind: 'date_parse', sensitivity: 'none', grade: 'L1', label: '日期' },
];

/** Value checks measured for every column; the first whose rate passes the threshold wins. */
const VALUE_CHECKS: { kind: RuleKind; params?: RuleParams; sensitivity: Sensitivity; grade: Grade; label: string }[] = [
  { kind: 'id_card', sensitivity: 'id_card', grade: 'L3', label: '身份证号' },
  { kind: 'uscc', sensitivity: 'none', grade: 'L1', label: '统一社会信用代码' },
  { kind: 'org_code', sensitivity: 'none', grade: 'L1', label: '组织机构代码' },
  { kind: 'mobile', sensitivity: 'mobile', grade: 'L3', label: '手机号' },
  { kind: 'regex', params: { pattern: EMAIL_PATTERN }, sensitivity: 'email', grade: 'L2', label: '电子邮箱' },
];

/** Columns with these names hold 6-digit numbers that are not division codes. */
const NOT_DIVISION = /邮编|邮政编码|post|zip/i;

/**
 * TRUE when a value could pass some check at all: at most 100 characters, all of them printable ASCII, whitespace,
 * full-width ASCII, the spaces NFKC folds, or 年月日. A superset of every code, mobile number, e-mail address and date form the
 * checks accept, and cheap (one regex, no NFKC translate), so Chinese free text is ruled out before the checks.
 */
function codeLikeSql(col: string): string {
  const v = `CAST(${col} AS VARCHAR)`;
  return `(length(${v}) <= 100 AND NOT regexp_matches(${v}, '[^\\x{09}-\\x{0D}\\x{20}-\\x{7E}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}\\x{FF01}-\\x{FF5E}年月日]'))`;
}

/**
 * Indexes in checks(col) of the value checks worth measuring on a column of this type: none on booleans, decimals,
 * dates and date-times (typed values are no codes, and already dates); no date-by-value check on integers.
 */
function valueChecksFor(type: string): number[] {
  if (/bool|double|decimal|float|real|numeric|date|time/i.test(type)) return [];
  const codes = Array.from({ length: VALUE_CHECKS.length + 1 }, (_, i) => i);
  return /int/i.test(type) ? codes : [...codes, VALUE_CHECKS.length + 1];
}

/** Index in checks(col) of the check a name rule's kind is measured by; -1 for none. */
function checkIndexOf(kind: RuleKind | null): number {
  if (kind === null) return -1;
  if (kind === 'division_code') return VALUE_CHECKS.length;
  if (kind === 'date_parse') return VALUE_CHECKS.length + 2;
  return VALUE_CHECKS.findIndex((v) => v.kind === kind);
}

export async function proposeRules(
  engine: DataEngine,
  parquetPath: string,
  columns: readonly { name: string; type: string }[],
): Promise<RuleProposal[]> {
  if (columns.length === 0) return [];
  const checks = (col: string) => [
    ...VALUE_CHECKS.map((v) => ruleCheckSql(v, col)),
    ruleCheckSql({ kind: 'division_code' }, col),
    // Dates by value: only text that is not a bare number (numbers would all pass as Excel serials).
    `(${missingSql(col)} OR (${parseDateSql(col)} IS NOT NULL AND NOT regexp_full_match(trim(CAST(${col} AS VARCHAR)), '\\d{1,8}(\\.\\d+)?')))`,
    ruleCheckSql({ kind: 'date_parse' }, col),
  ];
  const sample = `(SELECT * FROM read_parquet(${quoteLiteral(parquetPath)}) USING SAMPLE reservoir(${DETECT_SAMPLE_ROWS} ROWS) REPEATABLE (42))`;
  const row = await engine.withConnection(async (conn) => {
    // Pass 1, cheap: filled values, and how many of them could be a code, a number or a date at all. The
    // checksum and date checks are costly on long Chinese text, so pass 2 runs them only where they can matter.
    const shape = columns.flatMap((c, j) => {
      const col = quoteIdent(c.name);
      return [
        `count_if(NOT ${missingSql(col)}) AS n${j}`,
        `count_if(NOT ${missingSql(col)} AND ${codeLikeSql(col)}) AS k${j}`,
      ];
    });
    const first = (await conn.runAndReadAll(`SELECT ${shape.join(', ')} FROM ${sample}`)).getRowObjectsJson()[0] ?? {};
    const wanted = columns.map((c, j) => {
      const n = Number(first[`n${j}`] ?? 0);
      const k = Number(first[`k${j}`] ?? 0);
      // Values can decide only if enough of them are code-like; otherwise only the name's own rule is measured.
      const nameRule = NAME_RULES.find((r) => r.pattern.test(c.name));
      const own = nameRule ? checkIndexOf(nameRule.kind) : -1;
      const byValue = n > 0 && k / n >= VALUE_PASS_THRESHOLD ? valueChecksFor(c.type) : [];
      return own >= 0 && k > 0 && !byValue.includes(own) ? [...byValue, own] : byValue;
    });
    const result: Record<string, unknown> = { ...first };
    const needed = columns.flatMap((c, j) => (wanted[j]!.length > 0 ? [j] : []));
    if (needed.length === 0) return result;
    // Pass 2: the checks, over the code-like values only (every other value fails every check anyway).
    await ensureDivisionTable(conn);
    const projected = needed
      .map((j) => {
        const col = quoteIdent(columns[j]!.name);
        return `CASE WHEN ${codeLikeSql(col)} THEN CAST(${col} AS VARCHAR) END AS ${quoteIdent(`c${j}`)}`;
      })
      .join(', ');
    const exprs = needed.flatMap((j) => {
      const col = quoteIdent(`c${j}`);
      const all = checks(col);
      return wanted[j]!.map((k) => `count_if(NOT ${missingSql(col)} AND ${all[k]!}) AS p${j}_${k}`);
    });
    const second = await conn.runAndReadAll(`SELECT ${exprs.join(', ')} FROM (SELECT ${projected} FROM ${sample})`);
    return { ...result, ...(second.getRowObjectsJson()[0] ?? {}) };
  });

  return columns.map((c, j) => {
    const n = Number(row[`n${j}`] ?? 0);
    const rate = (k: number) => (n === 0 ? null : Number(row[`p${j}_${k}`] ?? 0) / n);
    const nameRule = NAME_RULES.find((r) => r.pattern.test(c.name));
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

    // 1. Values: strong identifier checks decide even against the name.
    for (let k = 0; k < VALUE_CHECKS.length; k++) {
      const v = VALUE_CHECKS[k]!;
      const r = rate(k);
      if (r !== null && r >= VALUE_PASS_THRESHOLD) {
        return {
          column: c.name,
          kind: v.kind,
          ...(v.params ? { params: v.params } : {}),
          sensitivity: v.sensitivity,
          grade: v.grade,
          reason: `${pct(r)} of ${n} sampled values are valid ${v.label}${nameRule ? ` (name suggests ${nameRule.label})` : ''}`,
          passRate: r,
        };
      }
    }
    // 2. The name.
    if (nameRule) {
      // 电话 columns that hold mobiles were caught above; name rules without a value rule get no pass rate.
      const k = checkIndexOf(nameRule.kind);
      const passRate = k >= 0 ? rate(k) : null;
      return {
        column: c.name,
        kind: nameRule.kind,
        ...(nameRule.params ? { params: nameRule.params } : {}),
        sensitivity: nameRule.sensitivity,
        grade: nameRule.grade,
        reason: `column name "${c.name}" suggests ${nameRule.label}${passRate !== null ? `; ${pct(passRate)} of ${n} sampled values pass` : ''}`,
        passRate,
      };
    }
    // 3. Weaker value checks: division codes and dates.
    const div = rate(VALUE_CHECKS.length);
    if (div !== null && div >= VALUE_PASS_THRESHOLD && !NOT_DIVISION.test(c.name)) {
      return {
        column: c.name,
        kind: 'division_code',
        sensitivity: 'none',
        grade: 'L1',
        reason: `${pct(div)} of ${n} sampled values are known 行政区划代码`,
        passRate: div,
      };
    }
    const date = rate(VALUE_CHECKS.length + 1);
    if (date !== null && date >= VALUE_PASS_THRESHOLD && /char|text|string/i.test(c.type)) {
      return {
        column: c.name,
        kind: 'date_parse',
        sensitivity: 'none',
        grade: 'L1',
        reason: `${pct(date)} of ${n} sampled text values are dates`,
        passRate: date,
      };
    }
    return {
      column: c.name,
      kind: null,
      sensitivity: 'none',
      grade: 'L1',
      reason: n === 0 ? 'no values to judge and no telling name' : 'no identifier pattern in name or values',
      passRate: null,
    };
  });
}

/**
 * Masking (脱敏), STANDARDS.md §3, in two forms that must agree character for character:
 * maskValue (JS, for single values and API responses) and maskSql (a DuckDB expression, for
 * queries and exports over whole tables). Lengths are counted in Unicode code points on both sides.
 *
 * Safety rule: a mask never shows the whole value. When keepStart + keepEnd would cover a short
 * value, at most floor(n / 2) characters stay visible (start first), so '张' → '*', '12345' with
 * the mobile rule → '12***'.
 */
import { letSql } from './sql.ts';

export type MaskKind =
  'name' | 'id_card' | 'mobile' | 'landline' | 'address' | 'bank_card' | 'plate' | 'email' | 'other';

export const MASK_KINDS: readonly MaskKind[] = [
  'name',
  'id_card',
  'mobile',
  'landline',
  'address',
  'bank_card',
  'plate',
  'email',
  'other',
];

export interface MaskRule {
  /** Characters kept at the start. */
  keepStart: number;
  /** Characters kept at the end. */
  keepEnd: number;
  /** One character used for masking. */
  maskChar: string;
  /** When set, the masked run has this fixed length (hides the value's length), else it keeps the length. */
  fixedMaskLength?: number;
  /** When set, mask exactly the last N characters (keepStart/keepEnd are ignored), e.g. addresses. */
  maskLast?: number;
}

export type MaskRules = Record<MaskKind, MaskRule>;

/** Defaults of STANDARDS.md §3. For email the rule applies to the local part; the domain is kept. */
export const DEFAULT_MASK_RULES: Readonly<MaskRules> = Object.freeze({
  name: { keepStart: 1, keepEnd: 0, maskChar: '*' }, // 张三丰 → 张**
  id_card: { keepStart: 1, keepEnd: 2, maskChar: '*' }, // 1***************2X
  mobile: { keepStart: 3, keepEnd: 4, maskChar: '*' }, // 138****8000
  landline: { keepStart: 4, keepEnd: 2, maskChar: '*' }, // 020-******78
  address: { keepStart: 0, keepEnd: 0, maskChar: '*', maskLast: 8 },
  bank_card: { keepStart: 4, keepEnd: 4, maskChar: '*' },
  plate: { keepStart: 2, keepEnd: 1, maskChar: '*', fixedMaskLength: 3 }, // 粤A12345 → 粤A***5
  email: { keepStart: 1, keepEnd: 0, maskChar: '*', fixedMaskLength: 2 }, // zhang@example.cn → z**@example.cn
  other: { keepStart: 0, keepEnd: 0, maskChar: '*', fixedMaskLength: 4 },
});

function resolveRule(kind: MaskKind, rules?: Partial<Record<MaskKind, Partial<MaskRule>>>): MaskRule {
  const base = DEFAULT_MASK_RULES[kind];
  if (!base) throw new Error(`unknown mask kind "${String(kind)}"`);
  const r: MaskRule = { ...base, ...rules?.[kind] };
  const nonNeg = (n: number | undefined, what: string) => {
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new Error(`mask rule ${kind}.${what} must be a non-negative integer, got ${n}`);
    }
  };
  nonNeg(r.keepStart, 'keepStart');
  nonNeg(r.keepEnd, 'keepEnd');
  nonNeg(r.fixedMaskLength, 'fixedMaskLength');
  nonNeg(r.maskLast, 'maskLast');
  if (typeof r.maskChar !== 'string' || Array.from(r.maskChar).length !== 1)
    throw new Error(`mask rule ${kind}.maskChar must be one character`);
  return r;
}

/** How many characters stay visible at each end of a value of n characters. */
function visible(rule: MaskRule, n: number): { start: number; end: number } {
  if (rule.maskLast !== undefined) return { start: Math.max(n - rule.maskLast, 0), end: 0 };
  if (rule.keepStart + rule.keepEnd < n) return { start: rule.keepStart, end: rule.keepEnd };
  const budget = Math.floor(n / 2);
  const start = Math.min(rule.keepStart, budget);
  return { start, end: Math.min(rule.keepEnd, budget - start) };
}

function maskChars(rule: MaskRule, s: string): string {
  const chars = Array.from(s);
  const n = chars.length;
  const { start, end } = visible(rule, n);
  const run = rule.fixedMaskLength ?? n - start - end;
  return chars.slice(0, start).join('') + rule.maskChar.repeat(run) + chars.slice(n - end).join('');
}

/** Masks one value; null/undefined stay null. Numbers are masked as their decimal text. */
export function maskValue(
  kind: MaskKind,
  value: string | number | bigint | null | undefined,
  rules?: Partial<Record<MaskKind, Partial<MaskRule>>>,
): string | null {
  if (value === null || value === undefined) return null;
  const rule = resolveRule(kind, rules);
  const s = String(value);
  if (kind === 'email') {
    const at = s.lastIndexOf('@');
    return at < 0 ? maskChars(rule, s) : maskChars(rule, s.slice(0, at)) + s.slice(at);
  }
  return maskChars(rule, s);
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL of maskChars over a VARCHAR expression already bound to a variable. */
function maskCharsSql(rule: MaskRule, s: string): string {
  return letSql(`length(${s})`, (n) => {
    let start: string, end: string;
    if (rule.maskLast !== undefined) {
      start = `greatest(${n} - ${rule.maskLast}, 0)`;
      end = '0';
    } else {
      const budget = `(${n} // 2)`;
      const st = `least(${rule.keepStart}, ${budget})`;
      start = `CASE WHEN ${rule.keepStart + rule.keepEnd} < ${n} THEN ${rule.keepStart} ELSE ${st} END`;
      end = `CASE WHEN ${rule.keepStart + rule.keepEnd} < ${n} THEN ${rule.keepEnd} ELSE least(${rule.keepEnd}, ${budget} - ${st}) END`;
    }
    const run = rule.fixedMaskLength !== undefined ? String(rule.fixedMaskLength) : `${n} - (${start}) - (${end})`;
    return `left(${s}, ${start}) || repeat(${lit(rule.maskChar)}, ${run}) || right(${s}, ${end})`;
  });
}

/**
 * A DuckDB expression computing maskValue(kind, column) for every row. columnSqlExpr must be a
 * trusted expression (e.g. quoteIdent(column)). NULL stays NULL.
 */
export function maskSql(
  kind: MaskKind,
  columnSqlExpr: string,
  rules?: Partial<Record<MaskKind, Partial<MaskRule>>>,
): string {
  const rule = resolveRule(kind, rules);
  return letSql(`CAST(${columnSqlExpr} AS VARCHAR)`, (s) => {
    if (kind !== 'email') return `CASE WHEN ${s} IS NULL THEN NULL ELSE ${maskCharsSql(rule, s)} END`;
    return letSql(
      `strpos(reverse(${s}), '@')`,
      (k) => `CASE WHEN ${s} IS NULL THEN NULL WHEN ${k} = 0 THEN ${maskCharsSql(rule, s)}
        ELSE ${letSql(`left(${s}, length(${s}) - ${k})`, (local) => maskCharsSql(rule, local))} || right(${s}, ${k}) END`,
    );
  });
}

// ---------------------------------------------------------------- policy

export type Grade = 'L1' | 'L2' | 'L3' | 'L4';
export const GRADES: readonly Grade[] = ['L1', 'L2', 'L3', 'L4'];

/** Sensitivities that never cause masking: 'none' and organisation identifiers (统一社会信用代码 etc.). */
export const UNMASKED_SENSITIVITIES: readonly string[] = ['none', 'uscc', 'credit_code', 'org_code'];

export interface MaskingPolicyOptions {
  /** Grades whose non-sensitive fields are still masked (as 'other'). Default L3 and L4. */
  maskNonSensitiveGrades?: readonly string[];
  /** Map from a sensitivity label to a mask kind, for labels that are not mask kinds themselves. */
  sensitivityKinds?: Record<string, MaskKind>;
}

/** The platform's masking configuration (CITYDATA_MASKING_FILE): rule overrides and the policy options. */
export interface MaskingConfig extends MaskingPolicyOptions {
  rules?: Partial<Record<MaskKind, Partial<MaskRule>>>;
}

const MASK_RULE_KEYS = ['keepStart', 'keepEnd', 'maskChar', 'fixedMaskLength', 'maskLast'];

/**
 * Checks a masking configuration read from JSON; returns every problem (empty when it is valid), each naming the
 * key at fault.
 */
export function maskingConfigProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(raw)) return ['must be a JSON object with "rules", "maskNonSensitiveGrades" and/or "sensitivityKinds"'];
  for (const key of Object.keys(raw))
    if (!['rules', 'maskNonSensitiveGrades', 'sensitivityKinds'].includes(key)) problems.push(`unknown key "${key}"`);
  if (raw.rules !== undefined) {
    if (!isObj(raw.rules)) problems.push('"rules" must be an object of mask kind → rule');
    else
      for (const [kind, rule] of Object.entries(raw.rules)) {
        if (!(MASK_KINDS as readonly string[]).includes(kind)) {
          problems.push(`rules.${kind}: unknown mask kind (one of ${MASK_KINDS.join(', ')})`);
          continue;
        }
        if (!isObj(rule)) {
          problems.push(`rules.${kind} must be an object`);
          continue;
        }
        for (const k of Object.keys(rule))
          if (!MASK_RULE_KEYS.includes(k)) problems.push(`rules.${kind}.${k}: unknown key`);
        try {
          resolveRule(kind as MaskKind, { [kind]: rule } as Partial<Record<MaskKind, Partial<MaskRule>>>);
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
  }
  const grades = raw.maskNonSensitiveGrades;
  if (grades !== undefined && (!Array.isArray(grades) || grades.some((g) => !GRADES.includes(String(g) as Grade))))
    problems.push(`"maskNonSensitiveGrades" must be a list of grades (${GRADES.join(', ')})`);
  const kinds = raw.sensitivityKinds;
  if (kinds !== undefined) {
    if (!isObj(kinds)) problems.push('"sensitivityKinds" must be an object of sensitivity label → mask kind');
    else
      for (const [label, kind] of Object.entries(kinds)) {
        // Sensitivities are compared in lower case.
        if (label !== label.trim().toLowerCase())
          problems.push(`sensitivityKinds.${label}: write the label in lower case`);
        if (!(MASK_KINDS as readonly string[]).includes(String(kind)))
          problems.push(`sensitivityKinds.${label}: unknown mask kind "${String(kind)}"`);
      }
  }
  return problems;
}

const DEFAULT_SENSITIVITY_KINDS: Record<string, MaskKind> = {
  phone: 'mobile',
  telephone: 'landline',
  bank_account: 'bank_card',
  license_plate: 'plate',
};

const CREDIT_CODE_NAME = /统一社会信用代码|社会信用代码|uscc|credit_?code/i;

/**
 * Which mask (if any) applies to a field. Sensitive fields are masked by their kind (unknown
 * sensitivities as 'other'); non-sensitive fields of L3/L4 as 'other'; L1/L2 non-sensitive not
 * at all. 统一社会信用代码 identifies an organisation and is never masked: a field whose rule kind is
 * 'uscc' or whose name says so returns null whatever its grade.
 */
export function maskingPolicy(
  field: { sensitivity: string; grade: string; kind?: string | null; name?: string },
  opts: MaskingPolicyOptions = {},
): MaskKind | null {
  if (field.kind === 'uscc' || (field.name !== undefined && CREDIT_CODE_NAME.test(field.name))) return null;
  const sens = field.sensitivity.trim().toLowerCase();
  if (UNMASKED_SENSITIVITIES.includes(sens) || sens === '') {
    if (sens !== 'none' && sens !== '') return null;
    const grades = opts.maskNonSensitiveGrades ?? ['L3', 'L4'];
    return grades.includes(field.grade.toUpperCase()) ? 'other' : null;
  }
  const mapped = opts.sensitivityKinds?.[sens] ?? DEFAULT_SENSITIVITY_KINDS[sens];
  if (mapped) return mapped;
  return (MASK_KINDS as readonly string[]).includes(sens) ? (sens as MaskKind) : 'other';
}

/** 就高从严: a dataset takes the highest grade of its fields (L1 when it has none). */
export function datasetGrade(fields: readonly { grade: string }[]): Grade {
  let max = 0;
  for (const f of fields) max = Math.max(max, GRADES.indexOf(f.grade.toUpperCase() as Grade));
  return GRADES[max] ?? 'L1';
}

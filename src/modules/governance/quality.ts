/**
 * Data quality rules run as vectorised DuckDB SQL over one Parquet table, in ONE pass: a single
 * SELECT whose aggregates count every rule's failures, every column's filled cells and the
 * distinct counts at once.
 *
 * Dimensions (each 0–1):
 * - validity     = Σ passes / Σ checked over all row rules (unique excluded); 1 with no rules.
 *                  A rule checks the non-missing cells of its field (not_null checks every row).
 * - completeness = filled cells / (rows × columns); missing = NULL or a blank string. The row id
 *                  column is not counted. 1 for an empty table.
 * - uniqueness   = mean over unique-rule and key fields of distinct / filled values; with no such
 *                  field, distinct full rows / rows. 1 for an empty table.
 * - timeliness   = 1 while now − lastUpdatedAt ≤ the update cycle's interval, then falls linearly
 *                  to 0 at 3 × the interval; 'irregular' (不定期) or no cycle → 1; a regular cycle
 *                  with no lastUpdatedAt → 0.
 *
 * score = 100 × (0.40 validity + 0.30 completeness + 0.15 uniqueness + 0.15 timeliness), rounded to
 * one decimal. More failures can only lower validity, so they never raise the score.
 */
import { quoteIdent, quoteLiteral, type DataEngine } from '../../platform/duckdb/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import {
  divisionCodeValidSql,
  ensureDivisionTable,
  idCardValidSql,
  mobileValidSql,
  orgCodeValidSql,
  parseDateSql,
  usccValidSql,
} from './sql.ts';

export const QUALITY_WEIGHTS = Object.freeze({ validity: 0.4, completeness: 0.3, uniqueness: 0.15, timeliness: 0.15 });

export type RuleKind =
  | 'id_card'
  | 'uscc'
  | 'org_code'
  | 'division_code'
  | 'mobile'
  | 'date_parse'
  | 'range'
  | 'regex'
  | 'enum'
  | 'not_null'
  | 'unique';

export const RULE_KINDS: readonly RuleKind[] = [
  'id_card',
  'uscc',
  'org_code',
  'division_code',
  'mobile',
  'date_parse',
  'range',
  'regex',
  'enum',
  'not_null',
  'unique',
];

export interface RuleParams {
  /** range: inclusive bounds, either may be omitted. */
  min?: number;
  max?: number;
  /** regex: an RE2 pattern matched anywhere in the value (anchor it with ^…$ for a full match). */
  pattern?: string;
  /** enum: allowed values (compared with the trimmed text of the cell). */
  values?: readonly string[];
}

export interface RuleSpec {
  kind: RuleKind;
  params?: RuleParams | null;
}

export interface QualityRule extends RuleSpec {
  id: string;
  field: string;
}

function invalidRule(message: string, field?: string): AppError {
  return new AppError(422, 'invalid_quality_rule', message, field === undefined ? {} : { field });
}

/** The row-level validity test of a rule, without the missing-value handling. */
function coreCheckSql(rule: RuleSpec, col: string): string {
  const p = rule.params ?? {};
  switch (rule.kind) {
    case 'id_card':
      return idCardValidSql(col);
    case 'uscc':
      return usccValidSql(col);
    case 'org_code':
      return orgCodeValidSql(col);
    case 'division_code':
      return divisionCodeValidSql(col);
    case 'mobile':
      return mobileValidSql(col);
    case 'date_parse':
      return `(${parseDateSql(col)} IS NOT NULL)`;
    case 'range': {
      for (const b of ['min', 'max'] as const) {
        const v = p[b];
        if (v !== undefined && !Number.isFinite(v)) throw invalidRule(`range rule: ${b} must be a finite number`, b);
      }
      if (p.min === undefined && p.max === undefined) throw invalidRule('range rule needs min or max', 'params');
      const num = `TRY_CAST(replace(trim(CAST(${col} AS VARCHAR)), ',', '') AS DOUBLE)`;
      const conds = [`${num} IS NOT NULL`];
      if (p.min !== undefined) conds.push(`${num} >= ${p.min}`);
      if (p.max !== undefined) conds.push(`${num} <= ${p.max}`);
      return `(${conds.join(' AND ')})`;
    }
    case 'regex':
      if (typeof p.pattern !== 'string' || p.pattern === '') throw invalidRule('regex rule needs a pattern', 'pattern');
      return `regexp_matches(CAST(${col} AS VARCHAR), ${quoteLiteral(p.pattern)})`;
    case 'enum':
      if (!Array.isArray(p.values) || p.values.length === 0) {
        throw invalidRule('enum rule needs a non-empty list of values', 'values');
      }
      return `(trim(CAST(${col} AS VARCHAR)) IN (${p.values.map((v) => quoteLiteral(String(v))).join(', ')}))`;
    case 'not_null':
      return 'true';
    case 'unique':
      // A window expression: valid in a SELECT list, not in WHERE. Every copy of a repeated value fails.
      return `(count(*) OVER (PARTITION BY ${col}) = 1)`;
    default:
      throw invalidRule(`unknown rule kind "${String((rule as { kind: unknown }).kind)}"`, 'kind');
  }
}

/**
 * SQL that is TRUE when the cell is missing: NULL or blank text. `typed`: the column is not text, so it is missing
 * only where NULL (no cast to text per value).
 */
export function missingSql(col: string, typed = false): string {
  return typed ? `(${col} IS NULL)` : `(nullif(trim(CAST(${col} AS VARCHAR)), '') IS NULL)`;
}

/**
 * A DuckDB boolean expression, never NULL: TRUE when the cell passes the rule. Missing cells
 * (NULL or blank) pass every rule except not_null. division_code needs ensureDivisionTable on the
 * connection first; unique is a window expression (SELECT list only). `typed`: the column is not text, so it is
 * missing only where NULL (no cast to text per value).
 */
export function ruleCheckSql(rule: RuleSpec, colExpr: string, typed = false): string {
  const core = coreCheckSql(rule, colExpr);
  const missing = missingSql(colExpr, typed);
  if (rule.kind === 'not_null') return `(NOT ${missing})`;
  return `(CASE WHEN ${missing} THEN true ELSE coalesce(${core}, false) END)`;
}

// ---------------------------------------------------------------- timeliness

export type UpdateCycle =
  'realtime' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'semiannual' | 'yearly' | 'irregular';

/** Expected maximum days between updates; realtime data older than a day is already late. */
export const UPDATE_CYCLE_DAYS: Record<UpdateCycle, number | null> = {
  realtime: 1,
  daily: 1,
  weekly: 7,
  monthly: 31,
  quarterly: 92,
  semiannual: 183,
  yearly: 366,
  irregular: null,
};

const CYCLE_LABELS: Record<string, UpdateCycle> = {
  实时: 'realtime',
  每日: 'daily',
  每天: 'daily',
  每周: 'weekly',
  每月: 'monthly',
  每季度: 'quarterly',
  每半年: 'semiannual',
  每年: 'yearly',
  不定期: 'irregular',
};

/** Accepts the codes and the Chinese labels of STANDARDS.md §1; null for anything else. */
export function parseUpdateCycle(s: string | null | undefined): UpdateCycle | null {
  if (!s) return null;
  const t = s.trim();
  if (t in UPDATE_CYCLE_DAYS) return t as UpdateCycle;
  return CYCLE_LABELS[t] ?? null;
}

export function timelinessScore(
  updateCycle: string | null | undefined,
  lastUpdatedAt: Date | string | null | undefined,
  now: Date,
): number {
  const cycle = parseUpdateCycle(updateCycle);
  if (updateCycle && !cycle) throw invalidRule(`unknown update cycle "${updateCycle}"`, 'updateCycle');
  const days = cycle ? UPDATE_CYCLE_DAYS[cycle] : null;
  if (days === null) return 1;
  if (lastUpdatedAt === null || lastUpdatedAt === undefined) return 0;
  const last = lastUpdatedAt instanceof Date ? lastUpdatedAt : new Date(lastUpdatedAt);
  if (Number.isNaN(last.getTime())) throw invalidRule(`lastUpdatedAt is not a date: ${String(lastUpdatedAt)}`);
  const ageDays = (now.getTime() - last.getTime()) / 86_400_000;
  if (ageDays <= days) return 1;
  return Math.max(0, 1 - (ageDays - days) / (2 * days));
}

// ---------------------------------------------------------------- run

export interface QualityRunOptions {
  parquetPath: string;
  rules: readonly QualityRule[];
  updateCycle?: string | null;
  lastUpdatedAt?: Date | string | null;
  now?: Date;
  /** Fields that identify a row; counted in uniqueness like unique-rule fields. */
  keyFields?: readonly string[];
  /** Row id column reported in samples; default '_id' when the file has it, else the 1-based row number. */
  idColumn?: string;
}

export interface RuleResult {
  ruleId: string;
  field: string;
  kind: RuleKind;
  checked: number;
  failures: number;
  sampleRows: { _id: string | number; value: string | null }[];
}

export interface QualityReport {
  rows: number;
  columns: number;
  rules: RuleResult[];
  completeness: number;
  validity: number;
  uniqueness: number;
  timeliness: number;
  score: number;
  /** Per column share of filled cells. */
  columnCompleteness: Record<string, number>;
}

const SAMPLE_SIZE = 5;

const toNum = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export async function runQualityRules(engine: DataEngine, opts: QualityRunOptions): Promise<QualityReport> {
  const now = opts.now ?? new Date();
  const timeliness = timelinessScore(opts.updateCycle, opts.lastUpdatedAt, now);
  const src = `read_parquet(${quoteLiteral(opts.parquetPath)}, file_row_number = true)`;

  return engine.withConnection(async (conn) => {
    const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    const described = desc.getRowObjectsJson();
    const allCols = described.map((r) => String(r.column_name));
    // Only text can be blank: a typed column is missing where it is NULL (no cast to text per value).
    const textCols = new Set(
      described.filter((r) => String(r.column_type) === 'VARCHAR').map((r) => String(r.column_name)),
    );
    const idCol = opts.idColumn ?? (allCols.includes('_id') ? '_id' : null);
    if (idCol !== null && !allCols.includes(idCol)) {
      throw invalidRule(`id column "${idCol}" is not in the table`, 'idColumn');
    }
    const dataCols = allCols.filter((c) => c !== 'file_row_number' && c !== idCol);
    for (const r of opts.rules) {
      if (!dataCols.includes(r.field)) {
        throw new AppError(422, 'invalid_quality_rule', `rule ${r.id}: field "${r.field}" is not in the table`, {
          field: r.field,
          rule: r.id,
        });
      }
    }
    for (const k of opts.keyFields ?? []) {
      if (!dataCols.includes(k)) throw invalidRule(`key field "${k}" is not in the table`, k);
    }
    if (opts.rules.some((r) => r.kind === 'division_code')) await ensureDivisionTable(conn);

    const rowId = idCol !== null ? quoteIdent(idCol) : 'file_row_number + 1';
    const uniqueFields = [
      ...new Set([...opts.rules.filter((r) => r.kind === 'unique').map((r) => r.field), ...(opts.keyFields ?? [])]),
    ];

    // Inner pass: one failure flag per rule; outer pass: all aggregates at once.
    const inner = [
      `${rowId} AS __gov_row`,
      ...dataCols.map((c, j) => `${quoteIdent(c)} AS __c${j}`),
      ...opts.rules.map((r, i) => `NOT ${ruleCheckSql(r, quoteIdent(r.field), !textCols.has(r.field))} AS __f${i}`),
    ];
    const colRef = (field: string) => `__c${dataCols.indexOf(field)}`;
    const missing = (field: string) => missingSql(colRef(field), !textCols.has(field));
    const outer = [
      'count(*) AS total',
      ...dataCols.map((c) => `count_if(NOT ${missing(c)}) AS nn${dataCols.indexOf(c)}`),
      ...opts.rules.flatMap((r, i) => [
        `count_if(__f${i}) AS f${i}`,
        r.kind === 'not_null' ? `count(*) AS c${i}` : `count_if(NOT ${missing(r.field)}) AS c${i}`,
        `min_by({'_id': __gov_row, 'value': CAST(${colRef(r.field)} AS VARCHAR)}, __gov_row, ${SAMPLE_SIZE}) FILTER (WHERE __f${i}) AS s${i}`,
      ]),
      ...uniqueFields.map((f, k) => `count(DISTINCT CASE WHEN NOT ${missing(f)} THEN ${colRef(f)} END) AS d${k}`),
      // Distinct rows by a 64-bit hash of the whole row: a third of the time of hashing and comparing the rows
      // themselves, in a fraction of the memory; two different rows share a hash with odds ~n²/2⁶⁵ (10⁻⁶ at 10M rows).
      uniqueFields.length === 0 && dataCols.length > 0
        ? `count(DISTINCT hash(${dataCols.map((_, j) => `__c${j}`).join(', ')})) AS drows`
        : 'count(*) AS drows',
    ];
    const sql = `SELECT ${outer.join(',\n  ')} FROM (SELECT ${inner.join(',\n  ')} FROM ${src})`;
    const res = await conn.runAndReadAll(sql);
    const row = res.getRowObjectsJson()[0] ?? {};

    const total = toNum(row.total);
    const columnCompleteness: Record<string, number> = {};
    let filled = 0;
    dataCols.forEach((c, j) => {
      const nn = toNum(row[`nn${j}`]);
      filled += nn;
      columnCompleteness[c] = total === 0 ? 1 : nn / total;
    });
    const completeness = total === 0 || dataCols.length === 0 ? 1 : filled / (total * dataCols.length);

    const rules: RuleResult[] = opts.rules.map((r, i) => {
      const samples = (row[`s${i}`] ?? []) as { _id: string | number; value: string | null }[];
      return {
        ruleId: r.id,
        field: r.field,
        kind: r.kind,
        checked: toNum(row[`c${i}`]),
        failures: toNum(row[`f${i}`]),
        sampleRows: samples.map((s) => ({ _id: normaliseId(s._id), value: s.value })),
      };
    });

    let checked = 0;
    let failed = 0;
    for (const r of rules) {
      if (r.kind === 'unique') continue;
      checked += r.checked;
      failed += r.failures;
    }
    const validity = checked === 0 ? 1 : (checked - failed) / checked;

    let uniqueness = 1;
    if (total > 0) {
      if (uniqueFields.length > 0) {
        const shares = uniqueFields.map((f, k) => {
          const nn = toNum(row[`nn${dataCols.indexOf(f)}`]);
          return nn === 0 ? 1 : toNum(row[`d${k}`]) / nn;
        });
        uniqueness = shares.reduce((a, b) => a + b, 0) / shares.length;
      } else {
        uniqueness = toNum(row.drows) / total;
      }
    }

    const w = QUALITY_WEIGHTS;
    const raw =
      w.validity * validity + w.completeness * completeness + w.uniqueness * uniqueness + w.timeliness * timeliness;
    return {
      rows: total,
      columns: dataCols.length,
      rules,
      completeness,
      validity,
      uniqueness,
      timeliness,
      score: Math.round(raw * 1000) / 10,
      columnCompleteness,
    };
  });
}

/** Row ids come back from getRowObjectsJson as strings for BIGINT; keep numbers as numbers. */
function normaliseId(v: unknown): string | number {
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^\d{1,15}$/.test(s) ? Number(s) : s;
}

import { quoteLiteral } from '../../platform/duckdb/index.ts';
import { notice } from './errors.ts';
import type { ColumnType, Notice } from './types.ts';

/*
 * Type inference over the whole column, in SQL. DuckDB's own sniffer reads division codes and mobile
 * numbers as BIGINT and leaves `1,852.20` and `2009年6月10日` as text, so the rules are ours.
 */

const WS = quoteLiteral(' \t\r\n\u3000\u00a0');
const RE_INT = String.raw`[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)`;
const RE_DEC = String.raw`[+-]?(?:(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const RE_DATE_PART = String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日`;
const RE_DATE = RE_DATE_PART;
const RE_DIGITS = String.raw`\d+`;
/** A date or a datetime: the one pattern that gates both date casts. */
const RE_WHEN = String.raw`(?:${RE_DATE_PART})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?`;
const RE_MOBILE = String.raw`1[3-9]\d{9}`;
// 6-, 9- or 12-digit administrative division codes start with a province code 11–82.
const RE_DIVISION = String.raw`[1-8]\d(?:\d{4}|\d{7}|\d{10})`;
const TRUE_WORDS = ['true', 'yes', 'y', 't', '是', '真', '对'];
const FALSE_WORDS = ['false', 'no', 'n', 'f', '否', '假', '错'];
export const BOOL_WORDS = [...TRUE_WORDS, ...FALSE_WORDS];
/**
 * Column names that announce an identifier (kept as text even when every value is digits). `id`, `no` and `tel` count
 * as words only, not followed by a digit either: `NO2` (nitrogen dioxide) is a measurement.
 */
const ID_NAME =
  /(代码|编码|编号|号码|电话|手机|联系方式|邮编|邮政编码|身份证|证件|证号|账号|帐号|卡号|工号|学号|文号|牌照|许可证|code|zip|phone|mobile|(^|[^a-z])(id|no|tel)([^a-z0-9]|$))/i;

const lit = (re: string) => quoteLiteral(re);
const match = (x: string, re: string) => `regexp_full_match(${x}, ${lit(re)})`;
/**
 * x IN (…) for a list of constants. DuckDB plans an IN list of five or more constants as a MARK hash join
 * over the whole input (measured on 1.5: not lazy inside CASE, and one join per occurrence, which more than
 * doubled the single-scan COPY), so longer lists go through list_contains, an ordinary function.
 */
export const inSet = (x: string, items: string[]): string =>
  items.length < 5 ? `${x} IN (${items.join(', ')})` : `list_contains([${items.join(', ')}], ${x})`;
const inList = (x: string, words: string[]) => inSet(`lower(${x})`, words.map(quoteLiteral));
/** 2020/12/21, 2020.12.21, 2020年12月21日 → 2020-12-21 (the rest of a datetime is kept). */
const normDateRegex = (x: string) =>
  `regexp_replace(${x}, ${lit(String.raw`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?`)}, '\\1-\\2-\\3')`;
/**
 * DuckDB's own DATE/TIMESTAMP cast reads 2020-12-21, 2020/1/5 and 2020-1-5 9:05 directly; only the
 * 年月日 and dotted forms need rewriting, so the regexp_replace runs just for those (contains() is a
 * byte search, far cheaper than a regex over every value).
 */
const normDate = (x: string) =>
  `CASE WHEN contains(${x}, '.') OR contains(${x}, '年') THEN ${normDateRegex(x)} ELSE ${x} END`;
/** Commas are thousands separators here (the regex gate has checked their places). */
const noCommas = (x: string) => `CASE WHEN contains(${x}, ',') THEN replace(${x}, ',', '') ELSE ${x} END`;
/**
 * a AND b AND …, evaluated lazily. In a projection DuckDB evaluates every operand of AND over the
 * whole vector; CASE evaluates its branch only for the rows that reach it, so a cheap first test
 * really spares the regexes and casts behind it.
 */
const all = (...parts: string[]): string =>
  parts.length === 1 ? (parts[0] as string) : `CASE WHEN ${parts[0]} THEN ${all(...parts.slice(1))} ELSE false END`;
const WS_CLASS = String.raw`[ \t\r\n\x{3000}\x{a0}]`;
/** The code points of WS. */
const WS_CODES = [32, 9, 13, 10, 0x3000, 0xa0];

/**
 * The cleaned value of a raw VARCHAR column: trimmed, NUL bytes dropped when asked, '' → NULL.
 * trim() with a character set costs several times a plain scan, so it only runs on the few values
 * that start or end with whitespace. `edges` tests that with ascii() (the first code point) and
 * suffix() (the last bytes), about twice as fast as the regex but a longer expression, which costs
 * planning time on wide tables: used where there are at most a few dozen columns.
 */
export function cleanExpr(col: string, stripNul: boolean, edges = false): string {
  const v = stripNul ? `replace(${col}, chr(0), '')` : col;
  const test = edges
    ? // ascii() <= 32 covers tab, CR, LF and space (and other control characters, which trim leaves alone).
      [`ascii(${v}) <= 32`, `ascii(${v}) IN (160, 12288)`, ...WS_CODES.map((c) => `suffix(${v}, chr(${c}))`)].join(
        ' OR ',
      )
    : `regexp_matches(${v}, ${lit(`^${WS_CLASS}|${WS_CLASS}$`)})`;
  return `CASE WHEN ${test} THEN NULLIF(trim(${v}, ${WS}), '') ELSE NULLIF(${v}, '') END`;
}

export interface ColumnStats {
  nonNull: number;
  ints: number;
  decs: number;
  decsWithExponent: number;
  bools: number;
  dates: number;
  datetimes: number;
  digits: number;
  leadingZeros: number;
  mobiles: number;
  divisions: number;
  minDigitsLen: number;
  maxDigitsLen: number;
  maxScale: number;
  maxIntDigits: number;
}

const STAT_KEYS: (keyof ColumnStats)[] = [
  'nonNull',
  'ints',
  'decs',
  'decsWithExponent',
  'bools',
  'dates',
  'datetimes',
  'digits',
  'leadingZeros',
  'mobiles',
  'divisions',
  'minDigitsLen',
  'maxDigitsLen',
  'maxScale',
  'maxIntDigits',
];

/**
 * Per-value flags over the cleaned value `x`, named with suffix `s` (so that many columns can share
 * one projection). Cheap tests come first: a value whose first character cannot start a number or a
 * date (most text) skips every regex, and each regex here is a plain DFA match without captures.
 */
export function flagsSelect(x: string, s = ''): string[] {
  const a = `ascii(${x})`;
  const digitFirst = `${a} BETWEEN 48 AND 57`;
  return [
    `${x} AS x${s}`,
    `${all(`(${digitFirst} OR ${a} IN (43, 45, 46))`, match(x, RE_DEC))} AS f_dec${s}`,
    `${all(digitFirst, match(x, RE_WHEN))} AS f_when${s}`,
    // strlen is O(1); the boolean words are at most 5 ASCII letters or one CJK character.
    `${all(`strlen(${x}) <= 5`, inList(x, BOOL_WORDS))} AS f_bool${s}`,
  ];
}

/**
 * Whether the cleaned value x could count towards any type but text (ints, decs, dates, datetimes or
 * bools of ColumnStats): the same first tests as flagsSelect, without the regexes. count_if of it bounds
 * every fit count of chooseType from above.
 */
export function mayFitExpr(x: string): string {
  const a = `ascii(${x})`;
  return `(${a} BETWEEN 48 AND 57 OR ${a} IN (43, 45, 46) OR ${all(`strlen(${x}) <= 5`, inList(x, BOOL_WORDS))})`;
}

/**
 * Whether whole-column counts are certain to give a column the plan of text without a warning: no
 * values, or too few that could fit another type for chooseType to pick it or mention it.
 */
export function surelyPlainText(nonNull: number, mayFit: number): boolean {
  return nonNull === 0 || mayFit < NEAR_FIT * nonNull;
}

/** Flags derived from flagsSelect's (second level, still per value). */
function derivedSelect(s: string): string[] {
  const x = `x${s}`;
  return [`x${s}`, `f_dec${s}`, `f_when${s}`, `f_bool${s}`, `${all(`f_dec${s}`, match(x, RE_DIGITS))} AS f_digits${s}`];
}

/** Aggregates (one per ColumnStats key, in order) over the flags of flagsSelect/derivedSelect. */
export function statsSelect(s = ''): string[] {
  const x = `x${s}`;
  const dec = `f_dec${s}`;
  const digits = `f_digits${s}`;
  const when = `f_when${s}`;
  const a = `ascii(${x})`;
  const signed = `(${a} IN (43, 45))::INTEGER`;
  const commas = `CASE WHEN contains(${x}, ',') THEN strlen(${x}) - strlen(replace(${x}, ',', '')) ELSE 0 END`;
  const dot = `instr(${x}, '.')`;
  return [
    `count(${x})`,
    // All-digit values need only the cast; the rest are checked against the integer pattern first,
    // because DuckDB's BIGINT cast also takes 12.5, 1e3 and 1_000.
    `count_if(CASE WHEN ${digits} THEN TRY_CAST(${x} AS BIGINT) IS NOT NULL
       ELSE ${all(dec, match(x, RE_INT), `TRY_CAST(${noCommas(x)} AS BIGINT) IS NOT NULL`)} END)`,
    `count_if(${dec})`,
    `count_if(${all(dec, `(contains(${x}, 'e') OR contains(${x}, 'E'))`)})`,
    `count_if(f_bool${s})`,
    `count_if(${all(when, `NOT contains(${x}, ':')`, `TRY_CAST(${normDate(x)} AS DATE) IS NOT NULL`)})`,
    `count_if(${all(when, `TRY_CAST(${normDate(x)} AS TIMESTAMP) IS NOT NULL`)})`,
    `count_if(${digits})`,
    `count_if(${all(dec, `(${a} = 48 OR (${a} IN (43, 45) AND starts_with(substr(${x}, 2), '0')))`, match(x, String.raw`[+-]?0\d+(?:\.\d*)?`))})`,
    `count_if(${all(digits, `strlen(${x}) = 11`, match(x, RE_MOBILE))})`,
    `count_if(${all(digits, `strlen(${x}) IN (6, 9, 12)`, match(x, RE_DIVISION))})`,
    `coalesce(min(CASE WHEN ${digits} THEN strlen(${x}) END), 0)`,
    `coalesce(max(CASE WHEN ${digits} THEN strlen(${x}) END), 0)`,
    // Values passing f_dec are ASCII, so character positions are byte positions.
    `coalesce(max(CASE WHEN ${dec} AND contains(${x}, '.') THEN strlen(${x}) - ${dot} END), 0)`,
    `coalesce(max(CASE WHEN ${dec} THEN (CASE WHEN contains(${x}, '.') THEN ${dot} - 1 ELSE strlen(${x}) END) - ${signed} - ${commas} END), 0)`,
  ];
}

/**
 * One SELECT computing every column's stats in a single scan of `from` (raw VARCHAR columns
 * `cols`): the values are cleaned, flagged and aggregated in three stacked projections, so each
 * function runs once per value. Returns the select text; the result row holds count(*) followed by
 * STATS_PER_COLUMN values per column.
 */
export function wideStatsQuery(from: string, cols: string[], stripNul: boolean): string {
  const sfx = (i: number) => `_${i + 1}`;
  const cleaned = cols.map((c, i) => `${cleanExpr(c, stripNul, true)} AS __c${sfx(i)}`);
  const flags = cols.flatMap((_, i) => flagsSelect(`__c${sfx(i)}`, sfx(i)));
  const derived = cols.flatMap((_, i) => derivedSelect(sfx(i)));
  const aggs = cols.flatMap((_, i) => statsSelect(sfx(i)));
  return `SELECT count(*), ${aggs.join(', ')}
    FROM (SELECT ${derived.join(', ')} FROM (SELECT ${flags.join(', ')} FROM (SELECT ${cleaned.join(', ')} FROM ${from})))`;
}

/**
 * The same stats for a very wide table, as one long (column, value) stream grouped by column: the
 * query stays the same size however wide the table is (a list of aggregates per column makes
 * planning take seconds at a few hundred columns), at the cost of a hash aggregate over every value.
 */
export function longStatsQuery(from: string, cols: string[], stripNul: boolean, countRows = false): string {
  // With countRows, a constant non-null column ROWS_COLUMN rides along: its group's count(*) is the row count, so
  // the source is scanned once (UNPIVOT leaves out NULLs, so no other group counts rows). count(*) comes last.
  const select = countRows ? `'' AS ${ROWS_COLUMN}, ${cols.join(', ')}` : cols.join(', ');
  return `SELECT __col, ${statsSelect().join(', ')}${countRows ? ', count(*)' : ''}
    FROM (SELECT __col, ${derivedSelect('').join(', ')}
      FROM (SELECT __col, ${flagsSelect('__x').join(', ')}
        FROM (SELECT __col, ${cleanExpr('__v', stripNul)} AS __x
          FROM (UNPIVOT (SELECT ${select} FROM ${from}) ON COLUMNS(*) INTO NAME __col VALUE __v))))
    GROUP BY __col`;
}

/** The row-counting column of longStatsQuery(…, countRows). */
export const ROWS_COLUMN = '__rows';

export function statsFromRow(values: unknown[]): ColumnStats {
  const s = {} as ColumnStats;
  STAT_KEYS.forEach((k, i) => {
    s[k] = Number(values[i] ?? 0);
  });
  return s;
}

export const STATS_PER_COLUMN = STAT_KEYS.length;

export interface ColumnPlan {
  type: ColumnType;
  /** SQL type written to Parquet. */
  sqlType: string;
  /** Typed value from the cleaned expression x; NULL when the value does not fit. */
  cast: (x: string) => string;
  /**
   * The same for a column whose every value is known to fit (the inference pass checked them all):
   * the cast alone, without the regex gate. Only valid when mayReject is false.
   */
  fastCast: (x: string) => string;
  /** Whether some non-null values may not fit (then rows are checked and rejections listed). */
  mayReject: boolean;
  warning: Notice | null;
  /** A date column written as Excel serial day numbers (44186 = 2020-12-21), not as date text. */
  excelSerial?: boolean;
  /** A column kept as text because some values are not of the type most are: that type's cast finds them. */
  misfit?: { type: ColumnType; cast: (x: string) => string };
}

function looksLikeIdentifier(name: string, s: ColumnStats): string | null {
  if (s.leadingZeros > 0) return 'values with leading zeros';
  if (s.digits === 0 || s.digits < s.nonNull) return null;
  if (ID_NAME.test(name)) return 'the column name says it is a code or number';
  if (s.mobiles === s.nonNull) return 'values look like mobile numbers';
  if (s.maxDigitsLen >= 16) return 'values are too long to be quantities';
  if (s.minDigitsLen === s.maxDigitsLen && s.maxDigitsLen >= 9) return 'values all have the same length (codes)';
  if (s.minDigitsLen === s.maxDigitsLen && s.divisions === s.nonNull) return 'values look like division codes';
  return null;
}

/**
 * Whether a column's name says it holds calendar dates: 日期 (出生日期, 统计日期…), or the English word date as a word
 * of its own (report date, report_date, reportDate; not update, candidate or validated). Time, 时间 and day are left
 * out: they also name durations and counts (response time, 办理时间(分钟), visitors per day). A name that says code
 * or number (日期编码, dateCode) is not a date.
 */
function namesDate(name: string): boolean {
  if (ID_NAME.test(name)) return false;
  if (name.includes('日期')) return true;
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/);
  return words.includes('date');
}
/** A five-digit Excel serial day number: 10000 (1927-05-18) to 99999 (2173-10-14). */
const RE_EXCEL_SERIAL = String.raw`[1-9]\d{4}`;

/**
 * Whether every value is a five-digit whole number, which Excel writes for a date cell without a date format (and
 * CSV exports of such sheets carry): a serial day number counted from 1899-12-30 (STANDARDS.md §4).
 */
function allExcelSerials(s: ColumnStats): boolean {
  return (
    s.nonNull > 0 && s.digits === s.nonNull && s.leadingZeros === 0 && s.minDigitsLen === 5 && s.maxDigitsLen === 5
  );
}

/** The date of a serial day number (Excel's epoch 1899-12-30 takes its 1900 leap-year bug into account). */
const excelSerialDate = (x: string) => `(DATE '1899-12-30' + TRY_CAST(${x} AS INTEGER))`;

function excelSerialPlan(warning: Notice | null): ColumnPlan {
  const cast = (x: string) => `CASE WHEN ${match(x, RE_EXCEL_SERIAL)} THEN ${excelSerialDate(x)} END`;
  return {
    type: 'date',
    sqlType: 'DATE',
    cast,
    fastCast: excelSerialDate,
    mayReject: false,
    warning,
    excelSerial: true,
  };
}

function decimalSqlType(s: ColumnStats): string {
  if (s.decsWithExponent > 0) return 'DOUBLE';
  const scale = Math.min(s.maxScale, 18);
  const width = Math.max(18, s.maxIntDigits + scale);
  return width > 38 ? 'DOUBLE' : `DECIMAL(${width}, ${scale})`;
}

export function planFor(type: ColumnType, s: ColumnStats): Pick<ColumnPlan, 'type' | 'sqlType' | 'cast' | 'fastCast'> {
  switch (type) {
    case 'integer':
      return {
        type,
        sqlType: 'BIGINT',
        cast: (x) => `CASE WHEN ${match(x, RE_INT)} THEN TRY_CAST(${noCommas(x)} AS BIGINT) END`,
        fastCast: (x) => `TRY_CAST(${noCommas(x)} AS BIGINT)`,
      };
    case 'decimal': {
      const sqlType = s.decs > 0 ? decimalSqlType(s) : 'DOUBLE';
      return {
        type,
        sqlType,
        cast: (x) => `CASE WHEN ${match(x, RE_DEC)} THEN TRY_CAST(${noCommas(x)} AS ${sqlType}) END`,
        fastCast: (x) => `TRY_CAST(${noCommas(x)} AS ${sqlType})`,
      };
    }
    case 'boolean': {
      const cast = (x: string) =>
        `CASE WHEN ${inList(x, TRUE_WORDS)} THEN true WHEN ${inList(x, FALSE_WORDS)} THEN false END`;
      return { type, sqlType: 'BOOLEAN', cast, fastCast: cast };
    }
    case 'date':
      return {
        type,
        sqlType: 'DATE',
        cast: (x) => `CASE WHEN ${match(x, RE_DATE)} THEN TRY_CAST(${normDate(x)} AS DATE) END`,
        fastCast: (x) => `TRY_CAST(${normDate(x)} AS DATE)`,
      };
    case 'datetime':
      return {
        type,
        sqlType: 'TIMESTAMP',
        cast: (x) => `CASE WHEN ${match(x, RE_WHEN)} THEN TRY_CAST(${normDate(x)} AS TIMESTAMP) END`,
        fastCast: (x) => `TRY_CAST(${normDate(x)} AS TIMESTAMP)`,
      };
    case 'text':
      return { type, sqlType: 'VARCHAR', cast: (x) => x, fastCast: (x) => x };
  }
}

/** A decimal's integer part without leading zeros (`0`, `12`, `1,234`; not `007`). */
const INT_PART_NO_LEADING_ZERO = String.raw`(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)`;
const RE_LEADING_ZERO = String.raw`[+-]?0\d.*`;

/**
 * The typed value of a raw column for the single-scan load, where the plan was chosen from a sample of the first
 * rows and every later value is checked while the Parquet file is written. The check is conservative: it lets a
 * value through only if it fits the plan AND cannot change what inference over the whole file would choose (a
 * leading zero or a 16-digit number turn a column into identifiers, one more decimal place changes DECIMAL(w,s), an
 * exponent makes it DOUBLE...). Any other value evaluates `fail` (an error() that aborts the write, after which the
 * load falls back to the two-scan path with whole-file counts). Text columns need no check (null): their whole-file
 * counts are computed afterwards from the written file.
 *
 * Most values are in a canonical form (`12`, `13.8`, `2023-01-02 00:00:00`) that one cheap test recognises on the
 * raw value; only the others are cleaned (`cleaned`: trimmed, '' → NULL) and checked in full. `pre` is the raw
 * value's cast to the plan's type, which the caller computes once per row in a projection under the check and
 * passes to `expr` by name (written twice inside the CASE, DuckDB would cast twice): the common case costs that cast
 * and rendering the typed value back as text.
 */
export function checkedValue(
  plan: ColumnPlan,
  s: ColumnStats,
  overridden: boolean,
): {
  pre: ((raw: string) => string) | null;
  expr: (raw: string, pre: string, cleaned: string, fail: string) => string;
} | null {
  const full = fullCheck(plan, s, overridden);
  if (!full) return null;
  const fast = fastCheck(plan, s, overridden);
  return {
    pre: fast ? fast.cast : null,
    expr: (raw, pre, cleaned, fail) =>
      `CASE WHEN ${raw} IS NULL THEN NULL${fast ? ` WHEN ${fast.test(raw, pre)} THEN ${pre}` : ''}
      ELSE (CASE WHEN ${cleaned} IS NULL THEN NULL ELSE ${full(`(${cleaned})`, fail)} END) END`,
  };
}

/** The check of a cleaned non-null value: its typed value, or `fail`. */
function fullCheck(
  plan: ColumnPlan,
  s: ColumnStats,
  overridden: boolean,
): ((x: string, fail: string) => string) | null {
  const gated = (re: string, cast: (x: string) => string) => (x: string, fail: string) =>
    `CASE WHEN ${match(x, re)} THEN coalesce(${cast(x)}, ${fail}) ELSE ${fail} END`;
  switch (plan.type) {
    case 'text':
      return null;
    case 'boolean':
      return (x, fail) =>
        `CASE WHEN ${inList(x, TRUE_WORDS)} THEN true WHEN ${inList(x, FALSE_WORDS)} THEN false ELSE ${fail} END`;
    case 'integer':
      // An override keeps the type whatever the identifier rules say; otherwise at most 15 digits
      // and no leading zero, so that the column cannot turn into identifiers.
      return gated(
        overridden ? RE_INT : String.raw`[+-]?(?:0|[1-9]\d{0,14}|[1-9]\d{0,2}(?:,\d{3})+)`,
        (x) => `TRY_CAST(${noCommas(x)} AS BIGINT)`,
      );
    case 'decimal': {
      const cast = (x: string) => `TRY_CAST(${noCommas(x)} AS ${plan.sqlType})`;
      if (plan.sqlType === 'DOUBLE') {
        if (overridden) return gated(RE_DEC, cast);
        return (x, fail) =>
          `CASE WHEN ${match(x, RE_DEC)} AND NOT ${match(x, RE_LEADING_ZERO)} THEN coalesce(${cast(x)}, ${fail}) ELSE ${fail} END`;
      }
      // DECIMAL(w, s): no exponent and at most the sample's scale (the cast fails past w - s integer digits).
      return gated(
        decimalPattern(overridden ? String.raw`(?:\d+|\d{1,3}(?:,\d{3})+)` : INT_PART_NO_LEADING_ZERO, s),
        cast,
      );
    }
    case 'date':
      if (plan.excelSerial) return gated(RE_EXCEL_SERIAL, excelSerialDate);
      return gated(RE_DATE, (x) => `TRY_CAST(${normDate(x)} AS DATE)`);
    case 'datetime':
      return gated(RE_WHEN, (x) => `TRY_CAST(${normDate(x)} AS TIMESTAMP)`);
  }
}

const decimalPattern = (intPart: string, s: ColumnStats) =>
  String.raw`[+-]?(?:${intPart}(?:\.\d{0,${s.maxScale}})?${s.maxScale > 0 ? String.raw`|\.\d{1,${s.maxScale}}` : ''})`;

/**
 * A cheap test for the canonical forms of a raw value `c`, given `v`, its cast to the plan's type (`cast`); each
 * value it passes passes fullCheck unchanged, and `v` is its typed value.
 */
function fastCheck(
  plan: ColumnPlan,
  s: ColumnStats,
  overridden: boolean,
): { cast: (c: string) => string; test: (c: string, v: string) => string } | null {
  switch (plan.type) {
    case 'integer':
      // DuckDB's own rendering of the number: digits with an optional minus, no leading zero.
      return {
        cast: (c) => `TRY_CAST(${c} AS BIGINT)`,
        test: (c, v) => `${v}::VARCHAR = ${c}${overridden ? '' : ` AND strlen(${c}) < 16`}`,
      };
    case 'decimal':
      if (plan.sqlType === 'DOUBLE') return null;
      // DuckDB renders a DECIMAL(w, s) with an optional minus, no leading zero and exactly s decimals (3 → 3.0). A raw
      // value that is the start of its own rendering (3, 3., 3.0, -0.5) has at most s decimals, none rounded away, and
      // no sign, blank, leading zero, exponent or separator the cast would have passed over (1.25 → 1.3, 007, +1, 1e1
      // and 1_0 are not); the rest go through the full check, which sees the same forms as the sample's counts did.
      // Cheaper than matching the decimal pattern (the 2M-row benchmark COPY, seven decimal columns: 1.06 → 0.95 s).
      return {
        cast: (c) => `TRY_CAST(${c} AS ${plan.sqlType})`,
        test: (c, v) => `starts_with(${v}::VARCHAR, ${c})`,
      };
    case 'date':
      if (plan.excelSerial) return null;
      return {
        cast: (c) => `TRY_CAST(${c} AS DATE)`,
        test: (c, v) => `strlen(${c}) = 10 AND ${v}::VARCHAR = ${c}`,
      };
    case 'datetime':
      return {
        cast: (c) => `TRY_CAST(${c} AS TIMESTAMP)`,
        test: (c, v) => `strlen(${c}) = 19 AND ${v}::VARCHAR = ${c}`,
      };
    case 'boolean':
    case 'text':
      return null;
  }
}

/** Whether a plan chosen from whole-file counts is the one a sample chose (same type and SQL type). */
export function samePlan(a: ColumnPlan, b: ColumnPlan): boolean {
  return (
    a.type === b.type &&
    a.sqlType === b.sqlType &&
    a.mayReject === b.mayReject &&
    Boolean(a.excelSerial) === Boolean(b.excelSerial)
  );
}

const NEAR_FIT = 0.95;

/**
 * Chooses a column's type from whole-column counts. 'widen' picks the narrowest type every value
 * fits (so a late bad value widens integer → decimal → text); 'reject_row' picks the type most values
 * fit (at least 95%) and rejects the rows that do not.
 */
export function chooseType(
  name: string,
  s: ColumnStats,
  policy: 'widen' | 'reject_row',
  override: ColumnType | undefined,
): ColumnPlan {
  // A date column of serial day numbers: by its name, or because the caller said it holds dates.
  if ((override === 'date' || (!override && namesDate(name))) && allExcelSerials(s)) {
    return excelSerialPlan(
      override
        ? null
        : notice(
            'excel_serial_dates',
            { column: name },
            `column ${name}: five-digit numbers read as Excel serial dates (44186 = 2020-12-21)`,
          ),
    );
  }
  if (override) {
    const p = planFor(override, s);
    const misfits = override === 'text' ? 0 : s.nonNull - fitCount(override, s);
    if (misfits === 0) return { ...p, mayReject: false, warning: null };
    return {
      ...p,
      mayReject: true,
      warning:
        policy === 'reject_row'
          ? notice(
              'misfits_rejected',
              { column: name, count: misfits, type: override },
              `column ${name}: ${misfits} value(s) are not ${override}; their rows were rejected`,
            )
          : notice(
              'misfits_nulled',
              { column: name, count: misfits, type: override },
              `column ${name}: ${misfits} value(s) are not ${override}, the type asked for; they were stored as NULL`,
            ),
    };
  }
  if (s.nonNull === 0) return { ...planFor('text', s), mayReject: false, warning: null };
  const idReason = looksLikeIdentifier(name, s);
  const candidates: ColumnType[] = idReason
    ? ['boolean', 'date', 'datetime']
    : ['boolean', 'integer', 'decimal', 'date', 'datetime'];
  const exact = candidates.find((t) => fitCount(t, s) === s.nonNull);
  if (exact) return { ...planFor(exact, s), mayReject: false, warning: null };

  // The best partial fit: most values, narrowest on a tie.
  let best: ColumnType | null = null;
  for (const t of candidates) if (best === null || fitCount(t, s) > fitCount(best, s)) best = t;
  const bestFit = best ? fitCount(best, s) : 0;
  if (best && bestFit >= NEAR_FIT * s.nonNull) {
    const misfits = s.nonNull - bestFit;
    if (policy === 'reject_row') {
      return {
        ...planFor(best, s),
        mayReject: true,
        warning: notice(
          'misfits_rejected',
          { column: name, count: misfits, type: best },
          `column ${name}: ${misfits} value(s) are not ${best}; their rows were rejected`,
        ),
      };
    }
    return {
      ...planFor('text', s),
      mayReject: false,
      misfit: { type: best, cast: planFor(best, s).cast },
      warning: notice(
        'misfits_kept_as_text',
        { column: name, count: misfits, of: s.nonNull, type: best },
        `column ${name}: ${misfits} of ${s.nonNull} value(s) are not ${best}; column kept as text`,
      ),
    };
  }
  return { ...planFor('text', s), mayReject: false, warning: null };
}

export function fitCount(t: ColumnType, s: ColumnStats): number {
  switch (t) {
    case 'integer':
      return s.ints;
    case 'decimal':
      return s.decs;
    case 'boolean':
      return s.bools;
    case 'date':
      return s.dates;
    case 'datetime':
      return s.datetimes;
    case 'text':
      return s.nonNull;
  }
}

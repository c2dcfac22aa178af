/**
 * Reference entities shared by several tables, so the demo joins up: the company holding a licence
 * or fined in the 双公示 disclosures is the same one in the enterprise registry; outpatient counts
 * refer to hospitals of the hospital list. Each is a pure function of the seed.
 */
import { Rng } from './random.ts';
import { STREETS, DISTRICT, type Street } from './place.ts';
import {
  birthDate,
  idCard,
  fullAddress,
  personName,
  pointNear,
  randomDay,
  street,
  uscc,
  pad,
  round,
  uniqueNames,
} from './identity.ts';

const BRAND_A = '恒盛华嘉鑫宏泰瑞德信达富安康隆兴汇通锦祥金鸿丰源博智远辰润裕景东南星海云溪凤龙'.split('');
const BRAND_B = '达昌利源泰兴发盛通和丰晖辉茂基业越昊晟航宇成创联骏腾邦祺正楷翔锋林峰'.split('');

const INDUSTRIES: readonly (readonly [string, string, number])[] = [
  // [name part, 行业门类, weight]
  ['科技', '科学研究和技术服务业', 10],
  ['贸易', '批发和零售业', 14],
  ['餐饮管理', '住宿和餐饮业', 8],
  ['建筑工程', '建筑业', 7],
  ['物流', '交通运输、仓储和邮政业', 6],
  ['电子', '制造业', 6],
  ['食品', '制造业', 5],
  ['医药', '批发和零售业', 3],
  ['文化传媒', '文化、体育和娱乐业', 5],
  ['环保科技', '水利、环境和公共设施管理业', 3],
  ['信息技术', '信息传输、软件和信息技术服务业', 8],
  ['房地产开发', '房地产业', 3],
  ['物业管理', '房地产业', 4],
  ['机械设备', '制造业', 5],
  ['新材料', '制造业', 3],
  ['商务咨询', '租赁和商务服务业', 6],
  ['装饰工程', '建筑业', 4],
];

const COMPANY_TYPES: readonly (readonly [string, string, number])[] = [
  ['有限责任公司（自然人投资或控股）', '有限公司', 62],
  ['有限责任公司（自然人独资）', '有限公司', 18],
  ['有限责任公司（法人独资）', '有限公司', 8],
  ['股份有限公司（非上市、自然人投资或控股）', '股份有限公司', 4],
  ['有限责任公司（外商投资、非独资）', '有限公司', 3],
  ['个人独资企业', '商行', 5],
];

export interface Company {
  uscc: string;
  /** false for the ~3% of codes recorded with a wrong check character */
  usccValid: boolean;
  name: string;
  type: string;
  industry: string;
  legalRep: string;
  legalRepId: string;
  capitalWan: number;
  established: Date;
  address: string;
  street: Street;
  status: string;
}

/** Company i of the registry (stable for a seed, whatever the scale). */
export function companyAt(seed: number, i: number): Company {
  const rng = new Rng(`${seed}:company:${i}`);
  const [part, industry] = rng.weighted(INDUSTRIES.map((x) => [x, x[2]] as const));
  const [type, suffix] = rng.weighted(COMPANY_TYPES.map((x) => [x, x[2]] as const));
  const brand = rng.pick(BRAND_A) + rng.pick(BRAND_B);
  const prefix = rng.chance(0.7) ? '云州市' : '云州';
  const name = suffix === '商行' ? `${DISTRICT.name}${brand}${part}商行` : `${prefix}${brand}${part}${suffix}`;
  const usccValid = !rng.chance(0.03);
  const sex = rng.chance(0.68) ? 'M' : 'F';
  const s = street(rng);
  const established = randomDay(rng, '1998-01-01', '2025-11-30');
  const capitalWan = rng.chance(0.7)
    ? rng.pick([10, 30, 50, 100, 200, 300, 500, 1000])
    : round(Math.exp(rng.normal(5, 1.5)), 2);
  return {
    uscc: uscc(rng, '91', !usccValid),
    usccValid,
    name,
    type,
    industry,
    legalRep: personName(rng, sex),
    legalRepId: idCard(rng, birthDate(rng, 25, 70), sex),
    capitalWan,
    established,
    address: fullAddress(rng, s),
    street: s,
    status: rng.weighted([
      ['存续（在营、开业、在册）', 86],
      ['注销', 9],
      ['吊销，未注销', 4],
      ['迁出', 1],
    ] as const),
  };
}

/** Number of companies in the scale-1 registry; other tables refer to companies below this index. */
export const BASE_COMPANIES = 20_000;

export interface Site {
  code: string;
  name: string;
  street: Street;
  lon: number;
  lat: number;
  extra: Record<string, string | number>;
}

function sites(
  seed: number,
  label: string,
  n: number,
  make: (rng: Rng, i: number, s: Street) => Omit<Site, 'street' | 'lon' | 'lat'> & Partial<Site>,
): Site[] {
  const rng = new Rng(`${seed}:sites:${label}`);
  const out: Site[] = [];
  for (let i = 0; i < n; i++) {
    const s = i < STREETS.length ? (STREETS[i] as Street) : street(rng);
    const [lon, lat] = pointNear(rng, s);
    out.push({ street: s, lon, lat, ...make(rng, i, s) });
  }
  return out;
}

const AIR_STATION_NAMES = [
  '云溪区政府',
  '溪南中学',
  '白石公园',
  '凤岗水厂',
  '龙湖湿地',
  '金沙工业园',
  '新桥交通站',
  '石门森林公园',
  '太和镇中心',
  '科创园',
  '滨江路口',
  '云溪体育中心',
];

/** National/provincial stations first, then (at scale > 1) micro-stations. */
export function airStations(seed: number, n: number): Site[] {
  return sites(seed, 'air', n, (_rng, i) => ({
    code: `4499${pad(i + 1, 3)}A`,
    name: i < AIR_STATION_NAMES.length ? (AIR_STATION_NAMES[i] as string) : `微型监测点${pad(i + 1, 4)}`,
    extra: { kind: i < 3 ? '国控点' : i < AIR_STATION_NAMES.length ? '省控点' : '微型站' },
  }));
}

const WEATHER_STATION_NAMES = [
  '云溪国家基本气象站',
  '白石区域站',
  '龙湖区域站',
  '石门区域站',
  '太和区域站',
  '金沙区域站',
];

export function weatherStations(seed: number, n: number = WEATHER_STATION_NAMES.length): Site[] {
  return sites(seed, 'weather', n, (_r, i) => ({
    code: i === 0 ? '59287' : `G${pad(3100 + i, 4)}`,
    name: (WEATHER_STATION_NAMES[i] as string | undefined) ?? `区域自动站G${pad(3100 + i, 4)}`,
    extra: {},
  }));
}

const SCHOOL_KINDS: readonly (readonly [string, string, number])[] = [
  ['幼儿园', '学前教育', 34],
  ['小学', '小学', 32],
  ['中学', '初级中学', 14],
  ['中学', '完全中学', 4],
  ['高级中学', '普通高中', 4],
  ['职业技术学校', '中等职业学校', 3],
  ['九年一贯制学校', '九年一贯制', 5],
];
const SCHOOL_NAMES =
  '实验 第一 第二 第三 第四 第五 育才 培英 启智 明德 博雅 华侨 同心 凤岗 龙湖 金沙 新桥 白石 溪南 石门 太和 朝阳 青云 荔湾 文昌 振兴 滨江 东湖 西湖 学府'.split(
    ' ',
  );

export function schools(seed: number): Site[] {
  const taken = new Set<string>();
  return sites(seed, 'schools', 96, (rng, i, s) => {
    const [suffix, stage] = rng.weighted(SCHOOL_KINDS.map((x) => [x, x[2]] as const));
    let name = '';
    for (let k = 0; !name || taken.has(name); k++)
      name = `${DISTRICT.name}${rng.pick(SCHOOL_NAMES)}${k > 3 ? s.name.slice(0, 2) : ''}${suffix}`;
    taken.add(name);
    return {
      code: `14449902${pad(i + 1, 2)}`,
      name,
      extra: {
        stage,
        nature: rng.chance(0.78) ? '公办' : '民办',
        students: stage === '学前教育' ? rng.int(120, 480) : rng.int(600, 2800),
      },
    };
  });
}

const HOSPITAL_KINDS: readonly (readonly [string, string, string, number])[] = [
  ['人民医院', '综合医院', '三级甲等', 1],
  ['中医院', '中医医院', '三级甲等', 1],
  ['妇幼保健院', '妇幼保健院', '二级甲等', 1],
  ['第二人民医院', '综合医院', '二级甲等', 1],
  ['社区卫生服务中心', '社区卫生服务中心', '未定级', 14],
  ['卫生院', '乡镇卫生院', '一级甲等', 4],
  ['门诊部', '门诊部', '未定级', 20],
  ['诊所', '诊所', '未定级', 50],
  ['口腔门诊部', '门诊部', '未定级', 14],
  ['医院', '专科医院', '二级', 4],
];

export function hospitals(seed: number): Site[] {
  const unique = uniqueNames();
  return sites(seed, 'hospitals', 140, (rng, i, s) => {
    const fixed =
      i < 4
        ? (HOSPITAL_KINDS[i] as (typeof HOSPITAL_KINDS)[number])
        : rng.weighted(HOSPITAL_KINDS.slice(4).map((x) => [x, x[3]] as const));
    const [suffix, kind, level] = fixed;
    const name =
      i < 4
        ? `${DISTRICT.name}${suffix}`
        : kind === '社区卫生服务中心' || kind === '乡镇卫生院'
          ? `${DISTRICT.name}${s.name}${suffix}`
          : `云州${rng.pick(BRAND_A)}${rng.pick(BRAND_B)}${suffix}`;
    return {
      code: `PDY${pad(44990200 + i, 8)}`,
      name: unique(name),
      extra: {
        kind,
        level,
        nature: i < 30 ? '公立' : '民营',
        beds: kind === '诊所' || kind === '门诊部' ? 0 : rng.int(20, i < 4 ? 1500 : 200),
      },
    };
  });
}

import { airStations, weatherStations } from '../entities.ts';
import { companyAt, BASE_COMPANIES } from '../entities.ts';
import { pad, pointNear, round, ymd, ymdhms, day, addDays, landline } from '../identity.ts';
import { RIVERS, STREETS, DISTRICT } from '../place.ts';
import { Rng } from '../random.ts';
import type { Street } from '../place.ts';
import { F, LICENCE_CC_BY, LICENCE_OPEN_DATA, seriesLayout, type ResourceSpec } from './spec.ts';

// ---------------------------------------------------------------- air quality (HJ 633-2012)

const IAQI = [0, 50, 100, 150, 200, 300, 400, 500];
/** 1-hour breakpoints for SO2, NO2, CO, O3; 24-hour ones for PM10 and PM2.5 (as portals publish). */
const BREAKPOINTS: Record<string, number[]> = {
  'PM2.5': [0, 35, 75, 115, 150, 250, 350, 500],
  PM10: [0, 50, 150, 250, 350, 420, 500, 600],
  SO2: [0, 150, 500, 650, 800, 1600, 2100, 2620],
  NO2: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  O3: [0, 160, 200, 300, 400, 800, 1000, 1200],
  CO: [0, 5, 10, 35, 60, 90, 120, 150],
};

function iaqi(pollutant: string, c: number): number {
  const bp = BREAKPOINTS[pollutant] as number[];
  for (let k = 1; k < bp.length; k++) {
    const hi = bp[k] as number;
    if (c <= hi) {
      const lo = bp[k - 1] as number;
      const ilo = IAQI[k - 1] as number;
      const ihi = IAQI[k] as number;
      return Math.ceil(((ihi - ilo) / (hi - lo)) * (c - lo) + ilo);
    }
  }
  return 500;
}

const AQI_LEVELS: readonly [number, string][] = [
  [50, '优'],
  [100, '良'],
  [150, '轻度污染'],
  [200, '中度污染'],
  [300, '重度污染'],
  [Infinity, '严重污染'],
];

const POLLUTANTS = ['PM2.5', 'PM10', 'SO2', 'NO2', 'O3', 'CO'] as const;

/** Hourly series end at the last hour of 2025 whatever the scale (scale 1 = the whole of 2025). */
const SERIES_END = day('2026-01-01').getTime();

const airQuality: ResourceSpec = {
  key: 'air-quality-hourly',
  providerCode: 'STHJJ',
  name: '环境空气质量小时监测数据',
  nameEn: 'Hourly ambient air quality by monitoring station',
  abstract:
    '云溪区各环境空气质量监测站点逐小时发布的六项污染物浓度、空气质量指数（AQI）、首要污染物和空气质量级别。数据按 HJ 633-2012 计算，可用于空气质量评价、污染过程分析和健康出行提示。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'realtime',
  domain: 'environment',
  topics: ['eco'],
  tags: ['空气质量', 'AQI', 'PM2.5', '环境监测', '实时数据'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['air-monitoring-stations', 'weather-observations-hourly'],
  status: 'published',
  rows: 105_120,
  big: true,
  fields: [
    F.str('站点编码', 'station_code', 8, '监测站点编码'),
    F.str('站点名称', 'station_name', 30, '监测站点名称'),
    F.lon(),
    F.lat(),
    F.dt('监测时间', 'observed_at', '监测时段（整点，北京时间）'),
    F.num('AQI', 'aqi', '空气质量指数', 3),
    F.num('PM2.5', 'pm25', '细颗粒物浓度（μg/m³，小时均值）', 6),
    F.num('PM10', 'pm10', '可吸入颗粒物浓度（μg/m³，小时均值）', 6),
    F.num('SO2', 'so2', '二氧化硫浓度（μg/m³）', 6),
    F.num('NO2', 'no2', '二氧化氮浓度（μg/m³）', 6),
    F.num('O3', 'o3', '臭氧浓度（μg/m³，1小时平均）', 6),
    F.num('CO', 'co', '一氧化碳浓度（mg/m³）', 6),
    F.str('首要污染物', 'primary_pollutant', 10, 'AQI 大于 50 时 IAQI 最大的污染物，否则为“—”'),
    F.str('空气质量级别', 'aqi_level', 8, '优、良、轻度污染、中度污染、重度污染、严重污染'),
  ],
  generate: (ctx) => {
    const { units: n, steps } = seriesLayout(ctx.rows, ctx.scale, 12, 8760);
    const st = airStations(ctx.seed, n);
    const offset = ctx.rng.float(0.85, 1.15);
    const state = st.map(() => ({ pm25: 25 * offset, o3: 60, no2: 30 }));
    const start = SERIES_END - steps * 3_600_000;
    return (i) => {
      const s = i % n;
      const hour = Math.floor(i / n);
      const t = new Date(start + hour * 3_600_000);
      const station = st[s] as (typeof st)[number];
      const x = state[s] as (typeof state)[number];
      const doy = (t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000;
      const season = 1 + 0.6 * Math.cos((2 * Math.PI * (doy - 15)) / 365); // winter haze, clean summer
      const h = t.getUTCHours();
      const rush = h === 8 || h === 18 ? 1.3 : h >= 1 && h <= 5 ? 0.8 : 1;
      const r = ctx.rng;
      x.pm25 = Math.max(3, 0.92 * x.pm25 + 0.08 * 28 * season * rush + r.normal(0, 3));
      x.no2 = Math.max(
        3,
        0.85 * x.no2 + 0.15 * 32 * rush * (station.extra.kind === '微型站' ? 1.2 : 1) + r.normal(0, 4),
      );
      const sun = h >= 10 && h <= 17 ? 1.8 : 0.6;
      x.o3 = Math.max(2, 0.8 * x.o3 + 0.2 * 70 * sun * (2 - season) + r.normal(0, 8));
      const pm25 = Math.round(x.pm25);
      const pm10 = Math.round(pm25 * r.float(1.3, 1.9));
      const so2 = Math.max(2, Math.round(r.normal(8, 3)));
      const no2 = Math.round(x.no2);
      const o3 = Math.round(x.o3);
      const co = round(Math.max(0.2, 0.4 + pm25 / 120 + r.normal(0, 0.08)), 1);
      const conc: Record<string, number> = { 'PM2.5': pm25, PM10: pm10, SO2: so2, NO2: no2, O3: o3, CO: co };
      let aqi = 0;
      let primary = '—';
      for (const p of POLLUTANTS) {
        const v = iaqi(p, conc[p] as number);
        if (v > aqi) {
          aqi = v;
          primary = p;
        }
      }
      if (aqi <= 50) primary = '—';
      const level = (AQI_LEVELS.find(([max]) => aqi <= max) as [number, string])[1];
      // Instrument calibration leaves a few hours without particulate readings.
      const gap = r.chance(0.004);
      return {
        values: [
          station.code,
          station.name,
          station.lon,
          station.lat,
          ymdhms(t),
          gap ? null : aqi,
          gap ? null : pm25,
          gap ? null : pm10,
          so2,
          no2,
          o3,
          co,
          gap ? null : primary,
          gap ? null : level,
        ],
      };
    };
  },
};

const airStationsSpec: ResourceSpec = {
  key: 'air-monitoring-stations',
  providerCode: 'STHJJ',
  name: '环境空气质量监测站点',
  nameEn: 'Air quality monitoring stations',
  abstract: '云溪区国控、省控环境空气质量自动监测站点的编码、名称、类别和位置。与小时监测数据通过站点编码关联。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'environment',
  topics: ['geo', 'eco'],
  tags: ['空气质量', '监测站点', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2018-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['air-quality-hourly'],
  status: 'published',
  rows: 12,
  big: false,
  geo: 'point',
  fields: [
    F.str('站点编码', 'station_code', 8, '监测站点编码'),
    F.str('站点名称', 'station_name', 30, '监测站点名称'),
    F.str('站点类别', 'station_kind', 10, '国控点、省控点或微型站'),
    F.street(),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const st = airStations(ctx.seed, 12);
    return (i) => {
      const s = st[i % st.length] as (typeof st)[number];
      return {
        values: [s.code, s.name, String(s.extra.kind), s.street.name, s.lon, s.lat, `POINT (${s.lon} ${s.lat})`],
        geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      };
    };
  },
};

// ---------------------------------------------------------------- water quality (GB 3838-2002)

const WATER_CLASSES = ['Ⅰ类', 'Ⅱ类', 'Ⅲ类', 'Ⅳ类', 'Ⅴ类', '劣Ⅴ类'];
/** Upper limits per class for 溶解氧 (lower limit), 高锰酸盐指数, 氨氮, 总磷. */
const DO_MIN = [7.5, 6, 5, 3, 2];
const CODMN_MAX = [2, 4, 6, 10, 15];
const NH3_MAX = [0.15, 0.5, 1.0, 1.5, 2.0];
const TP_MAX = [0.02, 0.1, 0.2, 0.3, 0.4];

function waterClass(dox: number, codmn: number, nh3: number, tp: number): number {
  const up = (v: number, lim: number[]) => {
    const k = lim.findIndex((m) => v <= m);
    return k < 0 ? 5 : k;
  };
  const down = (v: number, lim: number[]) => {
    const k = lim.findIndex((m) => v >= m);
    return k < 0 ? 5 : k;
  };
  return Math.max(down(dox, DO_MIN), up(codmn, CODMN_MAX), up(nh3, NH3_MAX), up(tp, TP_MAX));
}

const waterQuality: ResourceSpec = {
  key: 'water-quality-sections',
  providerCode: 'SWJ',
  name: '河流断面水质监测数据',
  nameEn: 'River section water quality',
  abstract:
    '云溪区主要河流、河涌监测断面的每周水质监测结果，包括水温、pH、溶解氧、高锰酸盐指数、氨氮、总磷及水质类别。水质类别按 GB 3838-2002 评价，目标为Ⅲ类。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'weekly',
  domain: 'environment',
  topics: ['eco'],
  tags: ['水质', '河长制', '断面监测', '地表水'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2023-01-02',
  temporalEnd: '2025-12-24',
  status: 'published',
  rows: 1_560,
  big: true,
  fields: [
    F.str('断面编码', 'section_code', 10, '监测断面编码'),
    F.str('断面名称', 'section_name', 30, '监测断面名称'),
    F.str('河流名称', 'river', 20, '所在河流（河涌）'),
    F.lon(),
    F.lat(),
    F.date('监测日期', 'sampled_on', '采样日期（形如 2020年12月21日）'),
    F.num('水温', 'water_temp', '水温（℃）', 5),
    F.num('pH', 'ph', 'pH 值（无量纲）', 4),
    F.num('溶解氧', 'dissolved_oxygen', '溶解氧（mg/L）', 5),
    F.num('高锰酸盐指数', 'codmn', '高锰酸盐指数（mg/L）', 5),
    F.num('氨氮', 'ammonia_n', '氨氮（mg/L）', 6),
    F.num('总磷', 'total_p', '总磷（mg/L）', 6),
    F.str('水质类别', 'water_class', 4, '按 GB 3838-2002 评价的水质类别'),
    F.str('是否达标', 'meets_target', 2, '与Ⅲ类目标比较：是/否'),
  ],
  generate: (ctx) => {
    const rng = new Rng(`${ctx.seed}:water-sections`);
    const { units, steps } = seriesLayout(ctx.rows, ctx.scale, 10, 156);
    const sections = Array.from({ length: units }, (_, k) => {
      const river = RIVERS[k % RIVERS.length] as string;
      const s = STREETS[k % STREETS.length] as Street;
      const [lon, lat] = pointNear(rng, s, 0.01);
      return {
        code: `YXSZ${pad(k + 1, 3)}`,
        name: `${river}${s.name.slice(0, 2)}${['桥', '闸', '断面', '入河口'][k % 4]}${k >= 10 ? `${Math.floor(k / 10) + 1}号` : ''}`,
        river,
        lon,
        lat,
        base: rng.float(0.6, 1.8),
      };
    });
    // The last sampling week starts 2025-12-22 (scale 1: 156 weeks from 2023-01-02).
    const start = addDays(day('2025-12-22'), -7 * (steps - 1));
    return (i) => {
      const sec = sections[i % sections.length] as (typeof sections)[number];
      const week = Math.floor(i / sections.length);
      const d = addDays(start, week * 7 + (i % 3));
      const r = ctx.rng;
      const doy = Math.round((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);
      const temp = round(23 + 6 * Math.sin((2 * Math.PI * (doy - 100)) / 365) + r.normal(0, 1), 1);
      const dox = round(Math.max(1.2, 7.2 - sec.base * 1.6 + r.normal(0, 0.6) - (temp - 23) * 0.05), 2);
      const codmn = round(Math.max(1, 2.5 * sec.base + r.normal(0, 0.6)), 1);
      const nh3 = round(Math.max(0.03, 0.45 * sec.base ** 1.6 + r.normal(0, 0.12)), 3);
      const tp = round(Math.max(0.01, 0.09 * sec.base ** 1.4 + r.normal(0, 0.025)), 3);
      const cls = waterClass(dox, codmn, nh3, tp);
      return {
        values: [
          sec.code,
          sec.name,
          sec.river,
          sec.lon,
          sec.lat,
          ymd(d, 'cn'),
          temp,
          round(r.float(6.8, 8.2), 2),
          dox,
          codmn,
          nh3,
          tp,
          WATER_CLASSES[cls] as string,
          cls <= 2 ? '是' : '否',
        ],
      };
    };
  },
};

const noise: ResourceSpec = {
  key: 'noise-monitoring',
  providerCode: 'STHJJ',
  name: '城市区域声环境质量监测结果',
  nameEn: 'Urban noise monitoring results',
  abstract: '云溪区功能区声环境质量监测点位的季度昼间、夜间等效声级监测结果及达标情况。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'environment',
  topics: ['eco'],
  tags: ['噪声', '声环境', '功能区'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  status: 'draft',
  rows: 240,
  big: false,
  fields: [
    F.str('点位编码', 'site_code', 8, '监测点位编码'),
    F.str('点位名称', 'site_name', 30, '监测点位名称'),
    F.str('功能区类别', 'zone_class', 6, '声环境功能区类别（0–4类）'),
    F.str('监测季度', 'quarter', 8, '形如 2025Q1'),
    F.num('昼间等效声级', 'leq_day', '昼间等效声级 Ld（dB(A)）', 5),
    F.num('夜间等效声级', 'leq_night', '夜间等效声级 Ln（dB(A)）', 5),
    F.str('是否达标', 'compliant', 2, '是/否'),
  ],
  generate: (ctx) => {
    const zones: [string, number, number][] = [
      ['1类', 55, 45],
      ['2类', 60, 50],
      ['3类', 65, 55],
      ['4a类', 70, 55],
    ];
    return (i) => {
      const site = i % 20;
      const q = Math.floor(i / 20);
      const [zone, dayLim, nightLim] = zones[site % 4] as [string, number, number];
      const r = ctx.rng;
      const ld = round(dayLim - 4 + r.normal(0, 2.5), 1);
      const ln = round(nightLim - 3 + r.normal(0, 2.5), 1);
      const s = STREETS[site % STREETS.length] as Street;
      return {
        values: [
          `ZS${pad(site + 1, 3)}`,
          `${s.name}${zone}区监测点`,
          zone,
          `${2023 + Math.floor(q / 4)}Q${(q % 4) + 1}`,
          ld,
          ln,
          ld <= dayLim && ln <= nightLim ? '是' : '否',
        ],
      };
    };
  },
};

const pollutionSources: ResourceSpec = {
  key: 'pollution-source-enterprises',
  providerCode: 'STHJJ',
  name: '重点排污单位名录',
  nameEn: 'Key pollutant-discharging units',
  abstract:
    '依法纳入云溪区重点排污单位名录的企业名称、统一社会信用代码、行业、排污许可证编号和环境监管类别，每年更新。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'environment',
  topics: ['legal_entity', 'eco'],
  tags: ['排污许可', '重点排污单位', '环境监管'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry'],
  status: 'published',
  rows: 180,
  big: false,
  fields: [
    F.uscc(),
    F.str('单位名称', 'org_name', 100, '排污单位名称'),
    F.str('行业类别', 'industry', 40, '国民经济行业门类'),
    F.str('排污许可证编号', 'permit_no', 22, '排污许可证编号（统一社会信用代码 + 3 位流水号）'),
    F.str('监管类别', 'category', 20, '水环境、大气环境、土壤环境或环境风险重点监管'),
    F.str('联系电话', 'phone', 13, '单位环保联系电话（座机）'),
    F.street(),
  ],
  generate: (ctx) => (i) => {
    const c = companyAt(ctx.seed, (i * 97) % BASE_COMPANIES);
    const r = ctx.rng;
    return {
      values: [
        c.uscc,
        c.name,
        c.industry,
        `${c.uscc}${pad(r.int(1, 3), 3)}`,
        r.pick(['水环境重点排污单位', '大气环境重点排污单位', '土壤污染重点监管单位', '环境风险重点管控单位']),
        landline(r),
        c.street.name,
      ],
    };
  },
};

// ---------------------------------------------------------------- weather

const WIND_DIRS = [
  '北',
  '东北偏北',
  '东北',
  '东北偏东',
  '东',
  '东南偏东',
  '东南',
  '东南偏南',
  '南',
  '西南偏南',
  '西南',
  '西南偏西',
  '西',
  '西北偏西',
  '西北',
  '西北偏北',
];

const weather: ResourceSpec = {
  key: 'weather-observations-hourly',
  providerCode: 'QXJ',
  name: '自动气象站逐小时观测数据',
  nameEn: 'Hourly automatic weather station observations',
  abstract:
    '云溪区国家基本气象站和区域自动气象站逐小时观测的气温、相对湿度、降水量、风向风速、气压和能见度。可用于天气分析、城市内涝预警和空气质量研究。',
  classCategory: '1',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'realtime',
  domain: 'environment',
  topics: ['geo', 'emergency'],
  tags: ['气象', '气温', '降水', '实时数据'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['weather-warnings', 'air-quality-hourly'],
  status: 'published',
  rows: 52_560,
  big: true,
  fields: [
    F.str('站号', 'station_id', 6, '气象站区站号'),
    F.str('站名', 'station_name', 30, '气象站名称'),
    F.lon(),
    F.lat(),
    F.dt('观测时间', 'observed_at', '观测时间（北京时间）'),
    F.num('气温', 'temperature', '气温（℃）', 5),
    F.num('相对湿度', 'humidity', '相对湿度（%）', 3),
    F.num('降水量', 'precipitation', '小时降水量（mm）', 6),
    F.str('风向', 'wind_dir', 6, '16 方位风向'),
    F.num('风速', 'wind_speed', '2 分钟平均风速（m/s）', 5),
    F.num('气压', 'pressure', '本站气压（hPa）', 7),
    F.num('能见度', 'visibility', '能见度（km）', 5),
  ],
  generate: (ctx) => {
    const { units: n, steps } = seriesLayout(ctx.rows, ctx.scale, 6, 8760);
    const st = weatherStations(ctx.seed, n);
    const rain = st.map(() => 0);
    const start = SERIES_END - steps * 3_600_000;
    return (i) => {
      const s = i % n;
      const hour = Math.floor(i / n);
      const t = new Date(start + hour * 3_600_000);
      const station = st[s] as (typeof st)[number];
      const r = ctx.rng;
      const doy = (t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000;
      const h = t.getUTCHours();
      const temp = round(
        22.5 +
          6.5 * Math.sin((2 * Math.PI * (doy - 105)) / 365) +
          3.5 * Math.sin((2 * Math.PI * (h - 9)) / 24) +
          r.normal(0, 0.8),
        1,
      );
      const wet = doy > 95 && doy < 280 ? 0.09 : 0.03;
      const prev = rain[s] as number;
      const p =
        prev > 0 && r.chance(0.55)
          ? round(Math.max(0.1, prev * r.float(0.3, 1.4)), 1)
          : r.chance(wet)
            ? round(r.float(0.1, 1) ** 3 * 40, 1)
            : 0;
      rain[s] = p;
      const humidity = Math.min(
        100,
        Math.round(
          70 + 12 * Math.sin((2 * Math.PI * (doy - 90)) / 365) - (temp - 22) * 1.5 + (p > 0 ? 15 : 0) + r.normal(0, 5),
        ),
      );
      return {
        values: [
          station.code,
          station.name,
          station.lon,
          station.lat,
          ymdhms(t),
          temp,
          humidity,
          p,
          r.pick(WIND_DIRS),
          round(Math.abs(r.normal(2.2, 1.2)), 1),
          round(1008 - 6 * Math.sin((2 * Math.PI * (doy - 105)) / 365) + r.normal(0, 1.5), 1),
          round(Math.max(0.5, Math.min(30, 18 - (p > 0 ? 8 : 0) + r.normal(0, 4))), 1),
        ],
      };
    };
  },
};

const SUMMER_WARNINGS = ['暴雨', '暴雨', '暴雨', '台风', '高温', '高温', '雷雨大风', '冰雹'];
const WINTER_WARNINGS = ['寒冷', '大雾', '灰霾', '雷雨大风'];
const WARNING_COLOURS: readonly (readonly [string, number])[] = [
  ['蓝色', 30],
  ['黄色', 40],
  ['橙色', 20],
  ['红色', 5],
  ['白色', 5],
];

const weatherWarnings: ResourceSpec = {
  key: 'weather-warnings',
  providerCode: 'QXJ',
  name: '气象灾害预警信号发布记录',
  nameEn: 'Weather warning signals issued',
  abstract:
    '云溪区气象台发布、变更和解除的暴雨、台风、高温等气象灾害预警信号记录，包括信号类型、级别、发布和解除时间及防御指引。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'realtime',
  domain: 'safety',
  topics: ['emergency'],
  tags: ['预警信号', '暴雨', '台风', '防灾减灾'],
  licence: LICENCE_CC_BY,
  temporalStart: '2021-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['weather-observations-hourly', 'emergency-shelters'],
  status: 'published',
  rows: 260,
  big: false,
  fields: [
    F.str('预警编号', 'warning_id', 20, '预警信号编号'),
    F.str('预警类型', 'warning_type', 10, '预警信号种类'),
    F.str('预警级别', 'colour', 4, '蓝色、黄色、橙色、红色（寒冷/灰霾为白色以外时）'),
    F.dt('发布时间', 'issued_at', '发布时间'),
    F.dt('解除时间', 'lifted_at', '解除时间'),
    F.str('影响区域', 'area', 60, '预警影响的街道（镇）'),
    F.str('防御指引', 'guidance', 200, '防御指引摘要'),
  ],
  generate: (ctx) => {
    const span = 5 * 365 * 24 * 3600;
    const start = day('2021-01-01').getTime();
    return (i) => {
      const r = ctx.rng;
      const t = new Date(start + Math.floor(((i + r.float(0, 1)) / ctx.rows) * span) * 1000);
      const month = t.getUTCMonth() + 1;
      const type = month >= 4 && month <= 10 ? r.pick(SUMMER_WARNINGS) : r.pick(WINTER_WARNINGS);
      const colour = r.weighted(WARNING_COLOURS);
      const lifted = new Date(t.getTime() + r.int(2, 40) * 3_600_000);
      const area = r.chance(0.6)
        ? `${DISTRICT.name}全区`
        : STREETS.filter(() => r.chance(0.4))
            .map((s) => s.name)
            .join('、') || (STREETS[0] as Street).name;
      return {
        values: [
          `YX${ymd(t, 'compact')}${pad(i % 1000, 3)}`,
          type,
          colour,
          ymdhms(t),
          ymdhms(lifted),
          area,
          `${type}${colour}预警信号生效期间，请注意防御，减少不必要的户外活动，关注最新气象信息。`,
        ],
      };
    };
  },
};

export const ENVIRONMENT: readonly ResourceSpec[] = [
  airQuality,
  airStationsSpec,
  waterQuality,
  noise,
  pollutionSources,
  weather,
  weatherWarnings,
];

import { mobile, pad, plate, pointNear, randomMoment, round, ymdhms, street, personName, ymd } from '../identity.ts';
import { ROADS, STREETS, type Street } from '../place.ts';
import { Rng } from '../random.ts';
import type { Geometry } from '../types.ts';
import { BASIS, CONDITIONS, F, LICENCE_CC_BY, LICENCE_OPEN_DATA, type ResourceSpec } from './spec.ts';

interface BusLine {
  no: string;
  name: string;
  stops: { code: string; name: string; lon: number; lat: number }[];
  first: string;
  last: string;
  fare: number;
  length: number;
}

/** Lines walk between street centres; stops are every ~600 m along the way (shared by nearby lines). */
function busNetwork(seed: number): {
  lines: BusLine[];
  stops: { code: string; name: string; lon: number; lat: number; road: string; street: Street; lines: string[] }[];
} {
  const rng = new Rng(`${seed}:bus`);
  const stopMap = new Map<
    string,
    { code: string; name: string; lon: number; lat: number; road: string; street: Street; lines: string[] }
  >();
  const lines: BusLine[] = [];
  for (let k = 0; k < 36; k++) {
    const no = k < 28 ? `${k < 9 ? 'Y' : ''}${k + 1}路` : `夜${k - 27}路`;
    const a = STREETS[k % STREETS.length] as Street;
    let b = STREETS[(k * 5 + 3) % STREETS.length] as Street;
    if (b === a) b = STREETS[(k + 4) % STREETS.length] as Street;
    const pts: [number, number][] = [pointNear(rng, a, 0.01), pointNear(rng, b, 0.01)];
    const nStops = rng.int(12, 26);
    const stops: BusLine['stops'] = [];
    for (let j = 0; j < nStops; j++) {
      const f = j / (nStops - 1);
      const bend = Math.sin(f * Math.PI) * 0.01 * (k % 2 ? 1 : -1);
      const lon = round((pts[0] as [number, number])[0] * (1 - f) + (pts[1] as [number, number])[0] * f + bend, 6);
      const lat = round((pts[0] as [number, number])[1] * (1 - f) + (pts[1] as [number, number])[1] * f - bend / 2, 6);
      // Snap to a ~300 m grid so that lines passing the same place share the stop.
      const gk = `${Math.round(lon * 300)}:${Math.round(lat * 300)}`;
      let stop = stopMap.get(gk);
      if (!stop) {
        const s = STREETS.reduce((best, x) =>
          (x.lon - lon) ** 2 + (x.lat - lat) ** 2 < (best.lon - lon) ** 2 + (best.lat - lat) ** 2 ? x : best,
        );
        const road = rng.pick(ROADS);
        const name = rng.chance(0.5)
          ? `${road}${rng.pick(['口', '站', '东', '西', '南', '北', '中'])}`
          : `${s.name.slice(0, 2)}${rng.pick(['市场', '小学', '公园', '医院', '地铁站', '村', '新村', '广场', '工业区', '总站', '花园'])}`;
        stop = { code: `YXBS${pad(stopMap.size + 1, 4)}`, name, lon, lat, road, street: s, lines: [] };
        stopMap.set(gk, stop);
      }
      if (!stop.lines.includes(no)) stop.lines.push(no);
      if (stops[stops.length - 1] !== stop) stops.push(stop);
    }
    const first = stops[0] as BusLine['stops'][number];
    const last = stops[stops.length - 1] as BusLine['stops'][number];
    let length = 0;
    for (let j = 1; j < stops.length; j++) {
      const p = stops[j - 1] as BusLine['stops'][number];
      const q = stops[j] as BusLine['stops'][number];
      length += Math.hypot((q.lon - p.lon) * 102, (q.lat - p.lat) * 111);
    }
    lines.push({
      no,
      name: `${no}（${first.name}—${last.name}）`,
      stops,
      first: k >= 28 ? '21:30' : `0${rng.int(5, 6)}:${rng.pick(['00', '20', '30'])}`,
      last: k >= 28 ? '01:30' : `${rng.int(21, 23)}:${rng.pick(['00', '30'])}`,
      fare: k >= 28 ? 3 : rng.pick([1, 2, 2]),
      length: round(length * 1.25, 1),
    });
  }
  return { lines, stops: [...stopMap.values()] };
}

const busStops: ResourceSpec = {
  key: 'bus-stops',
  providerCode: 'JTYSJ',
  name: '公交站点信息',
  nameEn: 'Bus stops',
  abstract:
    '云溪区公交站点的编码、名称、所在道路、所属街道、经过线路和位置坐标。与公交线路数据通过线路编号关联，可用于公交可达性分析。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'transport',
  topics: ['geo', 'public_service'],
  tags: ['公交', '站点', '出行', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['bus-lines'],
  status: 'published',
  rows: 0,
  countRows: (seed) => busNetwork(seed).stops.length,
  big: false,
  geo: 'point',
  fields: [
    F.str('站点编码', 'stop_id', 10, '公交站点编码'),
    F.str('站点名称', 'stop_name', 30, '公交站点名称'),
    F.str('所在道路', 'road', 20, '站点所在道路'),
    F.street(),
    F.str('途经线路', 'lines', 200, '途经线路编号，以“、”分隔'),
    F.num('途经线路数', 'line_count', '途经线路数量', 3),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const { stops } = busNetwork(ctx.seed);
    return (i) => {
      const s = stops[i % stops.length] as (typeof stops)[number];
      return {
        values: [s.code, s.name, s.road, s.street.name, s.lines.join('、'), s.lines.length, s.lon, s.lat, null],
        geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      };
    };
  },
};

const busLines: ResourceSpec = {
  key: 'bus-lines',
  providerCode: 'JTYSJ',
  name: '公交线路信息',
  nameEn: 'Bus lines',
  abstract:
    '云溪区公交线路（含夜班线路）的线路编号、起讫站、首末班时间、票价、线路长度和线路走向。线路走向以折线几何提供。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'transport',
  topics: ['public_service'],
  tags: ['公交', '线路', '出行', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['bus-stops'],
  status: 'published',
  rows: 36,
  big: false,
  geo: 'line',
  fields: [
    F.str('线路编号', 'line_no', 10, '公交线路编号'),
    F.str('线路名称', 'line_name', 60, '线路名称（起讫站）'),
    F.str('起点站', 'from_stop', 30, '起点站名称'),
    F.str('终点站', 'to_stop', 30, '终点站名称'),
    F.str('首班时间', 'first_bus', 5, '首班车时间 HH:MM'),
    F.str('末班时间', 'last_bus', 5, '末班车时间 HH:MM'),
    F.num('票价', 'fare', '全程票价（元）', 4),
    F.num('线路长度', 'length_km', '线路长度（公里）', 6),
    F.num('站点数', 'stop_count', '站点数量', 3),
    F.geometry(),
  ],
  generate: (ctx) => {
    const { lines } = busNetwork(ctx.seed);
    return (i) => {
      const l = lines[i % lines.length] as BusLine;
      const geometry: Geometry = { type: 'LineString', coordinates: l.stops.map((s) => [s.lon, s.lat]) };
      return {
        values: [
          l.no,
          l.name,
          (l.stops[0] as BusLine['stops'][number]).name,
          (l.stops[l.stops.length - 1] as BusLine['stops'][number]).name,
          l.first,
          l.last,
          l.fare,
          l.length,
          l.stops.length,
          null,
        ],
        geometry,
      };
    };
  },
};

function placeList(
  label: string,
  n: number,
  make: (rng: Rng, i: number, s: Street, lon: number, lat: number) => (string | number | null)[],
) {
  return (seed: number) => {
    const rng = new Rng(`${seed}:${label}`);
    return Array.from({ length: n }, (_, i) => {
      const s = street(rng);
      const [lon, lat] = pointNear(rng, s);
      return {
        values: [...make(rng, i, s, lon, lat), lon, lat, null],
        geometry: { type: 'Point' as const, coordinates: [lon, lat] as [number, number] },
      };
    });
  };
}

const parkingList = placeList('parking', 160, (r, i, s) => {
  const kind = r.weighted([
    ['路内停车泊位', 30],
    ['公共停车场', 40],
    ['配建停车场', 30],
  ] as const);
  const spaces = kind === '路内停车泊位' ? r.int(10, 80) : r.int(50, 1200);
  return [
    `YXP${pad(i + 1, 4)}`,
    `${s.name.slice(0, 2)}${r.pick(ROADS)}${kind === '路内停车泊位' ? '路段停车' : '停车场'}`,
    kind,
    `${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
    spaces,
    Math.round(spaces * r.float(0, 0.3)),
    r.pick(['首小时 5 元，之后每小时 3 元', '每 15 分钟 1.5 元', '首小时免费，之后每小时 4 元', '每次 10 元']),
    r.pick(['00:00-24:00', '07:00-22:00', '08:00-20:00']),
  ];
});

const parkingLots: ResourceSpec = {
  key: 'parking-lots',
  providerCode: 'JTYSJ',
  name: '公共停车场及路内泊位信息',
  nameEn: 'Public parking',
  abstract:
    '云溪区公共停车场、配建停车场对外开放部分及路内停车泊位的名称、地址、泊位数、充电泊位数、收费标准和开放时间。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'transport',
  topics: ['public_service', 'urban_rural'],
  tags: ['停车场', '泊位', '出行'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 160,
  big: false,
  geo: 'point',
  fields: [
    F.str('停车场编码', 'lot_id', 8, '停车场编码'),
    F.str('停车场名称', 'lot_name', 50, '停车场名称'),
    F.str('停车场类型', 'kind', 10, '路内停车泊位、公共停车场、配建停车场'),
    F.str('地址', 'address', 100, '停车场地址'),
    F.num('泊位数', 'spaces', '总泊位数（个）', 5),
    F.num('充电泊位数', 'ev_spaces', '配建充电设施的泊位数（个）', 5),
    F.str('收费标准', 'fee', 60, '收费标准'),
    F.str('开放时间', 'hours', 20, '开放时间'),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const list = parkingList(ctx.seed);
    return (i) => list[i % list.length] as (typeof list)[number];
  },
};

const chargingList = placeList('charging', 210, (r, i, s) => {
  const fast = r.int(0, 12);
  return [
    `YXCD${pad(i + 1, 4)}`,
    `${s.name.slice(0, 2)}${r.pick(['充电站', '超充站', '公共充电站', '换电站'])}${i + 1}号`,
    r.pick([
      '云州电网综合能源服务有限公司',
      '云州新能源充电服务有限公司',
      '云州市公交集团有限公司',
      '云溪区城市投资有限公司',
    ]),
    `${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
    fast,
    r.int(fast ? 0 : 2, 20),
    r.pick(['24小时', '06:00-23:00']),
    round(r.float(0.6, 1.4), 2),
  ];
});

const charging: ResourceSpec = {
  key: 'ev-charging-stations',
  providerCode: 'JTYSJ',
  name: '新能源汽车充电站分布',
  nameEn: 'EV charging stations',
  abstract: '云溪区对外开放的新能源汽车充电站名称、运营单位、地址、快慢充桩数量、开放时间和参考电价。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'transport',
  topics: ['energy'],
  tags: ['新能源', '充电桩', '能源'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 210,
  big: false,
  geo: 'point',
  fields: [
    F.str('充电站编码', 'station_id', 8, '充电站编码'),
    F.str('充电站名称', 'station_name', 40, '充电站名称'),
    F.str('运营单位', 'operator', 60, '运营单位名称'),
    F.str('地址', 'address', 100, '充电站地址'),
    F.num('快充桩数', 'fast_chargers', '直流快充桩数量（个）', 4),
    F.num('慢充桩数', 'slow_chargers', '交流慢充桩数量（个）', 4),
    F.str('开放时间', 'hours', 20, '开放时间'),
    F.num('参考电价', 'price', '充电参考电价（元/千瓦时，含服务费）', 5),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const list = chargingList(ctx.seed);
    return (i) => list[i % list.length] as (typeof list)[number];
  },
};

const VIOLATIONS: readonly (readonly [string, string, number, number])[] = [
  ['1039', '机动车违反规定停放、临时停车', 150, 0],
  ['1625', '驾驶机动车违反道路交通信号灯通行', 200, 6],
  ['1352', '驾驶机动车在高速公路以外的道路上超过规定时速10%以上未达20%', 100, 3],
  ['1344', '机动车不按规定车道行驶', 100, 0],
  ['1208', '驾驶机动车不按规定使用安全带', 50, 2],
  ['1223', '驾驶机动车时拨打接听手持电话', 100, 3],
  ['1357', '机动车行经人行横道，不按规定减速、停车、避让行人', 200, 3],
];

const trafficViolations: ResourceSpec = {
  key: 'traffic-violations',
  providerCode: 'GAJ',
  name: '道路交通违法记录',
  nameEn: 'Road traffic violations',
  abstract:
    '云溪区交警部门通过电子监控和现场执法记录的机动车交通违法行为，包括号牌号码、违法时间、地点、行为、罚款金额、记分和处理状态。含车牌号码和当事人联系方式，按规定脱敏后有条件共享。',
  classCategory: '3',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.personal,
  sharingBasis: BASIS.police,
  sharingMethod: 'api',
  openType: 'none',
  updateCycle: 'daily',
  domain: 'safety',
  topics: ['credit'],
  tags: ['交通违法', '电子警察', '号牌'],
  temporalStart: '2024-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 12_000,
  big: true,
  fields: [
    F.str('违法编号', 'violation_id', 16, '违法记录编号'),
    F.str('号牌号码', 'plate', 8, '机动车号牌号码', { sensitivity: 'plate', grade: 'L3' }),
    F.str('号牌种类', 'plate_kind', 10, '小型汽车、大型汽车、新能源汽车等'),
    F.dt('违法时间', 'occurred_at', '违法行为发生时间'),
    F.str('违法地点', 'place', 60, '违法地点'),
    F.str('违法代码', 'code', 4, '违法行为代码'),
    F.str('违法行为', 'behaviour', 60, '违法行为描述'),
    F.num('罚款金额', 'fine', '罚款金额（元）', 6),
    F.num('记分', 'points', '记分', 2),
    F.str('当事人姓名', 'party_name', 20, '当事人（驾驶人）姓名', { sensitivity: 'name', grade: 'L3' }),
    F.str('联系电话', 'party_phone', 11, '当事人手机号码', { sensitivity: 'mobile', grade: 'L3' }),
    F.str('采集方式', 'source', 10, '电子监控或现场执法'),
    F.str('处理状态', 'state', 6, '已处理、未处理'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const t = randomMoment(r, '2024-01-01', '2025-12-31');
    const [code, behaviour, fine, points] = r.pick(VIOLATIONS);
    const nev = r.chance(0.2);
    const p = plate(r);
    const electronic = r.chance(0.8);
    return {
      values: [
        `4499${ymd(t, 'compact').slice(2)}${pad(i % 100000, 5)}`,
        p,
        p.length === 8 || nev ? '新能源小型汽车' : r.chance(0.93) ? '小型汽车' : '大型汽车',
        ymdhms(t),
        `${r.pick(ROADS)}与${r.pick(ROADS)}交叉口`,
        code,
        behaviour,
        fine,
        points,
        electronic && r.chance(0.3) ? null : personName(r),
        electronic && r.chance(0.3) ? null : mobile(r),
        electronic ? '电子监控' : '现场执法',
        t.getUTCFullYear() < 2025 || r.chance(0.7) ? '已处理' : '未处理',
      ],
    };
  },
};

const busRealtime: ResourceSpec = {
  key: 'bus-realtime-api',
  providerCode: 'JTYSJ',
  name: '公交车辆实时到站接口',
  nameEn: 'Real-time bus arrivals API',
  abstract: '按线路和站点查询公交车辆实时位置和预计到站时间的接口服务，数据每 15 秒刷新。接口需申请应用密钥后调用。',
  classCategory: '2',
  format: 'api',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'conditional',
  openConditions: '注册开发者账号并申请应用密钥，遵守调用频率限制（每日 10,000 次），不得用于商业转售',
  updateCycle: 'realtime',
  domain: 'transport',
  topics: ['public_service'],
  tags: ['公交', '实时', '接口', '到站预报'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['bus-lines', 'bus-stops'],
  status: 'pending_review',
  rows: 0,
  big: false,
  fields: [
    F.str('线路编号', 'line_no', 10, '公交线路编号'),
    F.str('车辆编号', 'vehicle_id', 10, '车辆自编号'),
    F.str('下一站', 'next_stop', 30, '下一站名称'),
    F.num('预计到站分钟', 'eta_min', '预计到达下一站的分钟数', 3),
    F.dt('定位时间', 'fixed_at', 'GPS 定位时间'),
    F.lon(),
    F.lat(),
  ],
};

export const TRANSPORT: readonly ResourceSpec[] = [
  busStops,
  busLines,
  parkingLots,
  charging,
  trafficViolations,
  busRealtime,
];
export { busNetwork };

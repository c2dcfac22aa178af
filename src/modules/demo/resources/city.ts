import { companyAt, BASE_COMPANIES } from '../entities.ts';
import { addDays, pad, pointNear, randomDay, round, street, thousands, uniqueNames, ymd } from '../identity.ts';
import { DISTRICT, ROADS, STREETS, type Street } from '../place.ts';
import { Rng } from '../random.ts';
import { F, LICENCE_CC_BY, LICENCE_OPEN_DATA, seriesLayout, type ResourceSpec } from './spec.ts';

// ---------------------------------------------------------------- urban (城市建设)

const permits: ResourceSpec = {
  key: 'construction-permits',
  providerCode: 'ZJJ',
  name: '建筑工程施工许可信息',
  nameEn: 'Construction permits',
  abstract:
    '云溪区核发的建筑工程施工许可证的项目名称、建设单位、施工单位、建设地址、建筑面积、合同价格、计划工期和发证日期。',
  classCategory: '1',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'unconditional',
  updateCycle: 'weekly',
  domain: 'urban',
  topics: ['e_licence', 'urban_rural'],
  tags: ['施工许可', '建设工程', '电子证照'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2019-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry'],
  status: 'published',
  rows: 1_200,
  big: true,
  fields: [
    F.str('施工许可证编号', 'permit_no', 20, '施工许可证编号'),
    F.str('项目名称', 'project', 100, '工程项目名称'),
    F.str('建设单位', 'builder', 100, '建设单位名称'),
    F.str('建设单位统一社会信用代码', 'builder_uscc', 18, '建设单位统一社会信用代码'),
    F.str('施工单位', 'contractor', 100, '施工总承包单位名称'),
    F.str('建设地址', 'address', 120, '建设地址'),
    F.num('建筑面积', 'floor_area', '建筑面积（平方米，部分记录含千位分隔符）', 12),
    F.num('合同价格', 'contract_wan', '合同价格（万元）', 14),
    F.date('计划开工日期', 'start_on', '计划开工日期（形如 2020/12/21）'),
    F.date('计划竣工日期', 'end_on', '计划竣工日期（形如 2020/12/21）'),
    F.date('发证日期', 'issued_on', '发证日期'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const b = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const d = randomDay(r, '2019-01-01', '2025-12-31');
    const area = round(Math.exp(r.normal(9, 1.1)), 2);
    const kind = r.pick([
      '住宅小区',
      '商业综合体',
      '厂房',
      '学校教学楼',
      '医院门诊楼',
      '办公楼',
      '保障性住房',
      '物流仓库',
      '安置房',
    ]);
    return {
      values: [
        `${DISTRICT.code}${ymd(d, 'compact')}${pad(i % 100, 2)}`,
        `${street(r).name.slice(0, 2)}${r.pick(['一期', '二期', '三期', ''])}${kind}项目`,
        b.name,
        b.uscc,
        c.name,
        `${DISTRICT.name}${r.pick(ROADS)}${r.pick(['以东', '以西', '以南', '以北', ''])}${r.int(1, 500)}号地块`,
        area >= 1000 && r.chance(0.4) ? thousands(area) : area,
        round((area * r.float(0.25, 0.6)) / 10, 2),
        ymd(addDays(d, r.int(5, 40)), 'slash'),
        ymd(addDays(d, r.int(300, 1100)), 'slash'),
        ymd(d),
      ],
    };
  },
};

const presale: ResourceSpec = {
  key: 'presale-permits',
  providerCode: 'ZJJ',
  name: '商品房预售许可信息',
  nameEn: 'Commercial housing presale permits',
  abstract: '云溪区商品房预售许可证号、项目名称、开发企业、预售楼栋、预售套数和面积，以及发证日期。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'urban',
  topics: ['urban_rural', 'price'],
  tags: ['商品房', '预售许可', '房地产'],
  licence: LICENCE_CC_BY,
  temporalStart: '2020-01-01',
  temporalEnd: '2025-12-31',
  status: 'returned',
  rows: 150,
  big: false,
  fields: [
    F.str('预售许可证号', 'permit_no', 20, '预售许可证号'),
    F.str('项目名称', 'project', 60, '项目名称'),
    F.str('开发企业', 'developer', 100, '开发企业名称'),
    F.str('预售楼栋', 'buildings', 40, '预售楼栋'),
    F.num('预售套数', 'units', '预售套数', 5),
    F.num('预售面积', 'area', '预售面积（平方米）', 12),
    F.date('发证日期', 'issued_on', '发证日期'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const units = r.int(40, 600);
    return {
      values: [
        `云房预售字第${pad(2020000 + i, 7)}号`,
        `${r.pick(['云溪', '溪南', '凤岗', '龙湖', '金沙'])}${r.pick(['花园', '雅苑', '华府', '名邸', '壹号', '湾'])}`,
        c.name,
        `${r.int(1, 12)}栋`,
        units,
        round(units * r.float(75, 130), 2),
        ymd(randomDay(r, '2020-01-01', '2025-12-31')),
      ],
    };
  },
};

function pointsOf(seed: number, label: string, n: number): { s: Street; lon: number; lat: number }[] {
  const rng = new Rng(`${seed}:${label}`);
  return Array.from({ length: n }, () => {
    const s = street(rng);
    const [lon, lat] = pointNear(rng, s);
    return { s, lon, lat };
  });
}

const toilets: ResourceSpec = {
  key: 'public-toilets',
  providerCode: 'CGJ',
  name: '公共厕所分布',
  nameEn: 'Public toilets',
  abstract: '云溪区城市公共厕所的名称、地址、类别、开放时间、蹲位数和无障碍设施情况，可用于“厕所地图”便民服务。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'urban',
  topics: ['public_service', 'urban_rural'],
  tags: ['公厕', '便民', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 230,
  big: false,
  geo: 'point',
  fields: [
    F.str('公厕编号', 'toilet_id', 8, '公厕编号'),
    F.str('公厕名称', 'name', 40, '公厕名称'),
    F.str('地址', 'address', 100, '地址'),
    F.str('类别', 'class', 6, '一类、二类、三类'),
    F.str('开放时间', 'hours', 20, '开放时间'),
    F.num('厕位数', 'stalls', '厕位数量（个）', 3),
    F.str('无障碍设施', 'accessible', 2, '是否设无障碍厕位：是/否'),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const pts = pointsOf(ctx.seed, 'toilets', 230);
    const unique = uniqueNames();
    return (i) => {
      const r = ctx.rng;
      const p = pts[i % pts.length] as (typeof pts)[number];
      const road = r.pick(ROADS);
      return {
        values: [
          `GC${pad(i + 1, 4)}`,
          unique(`${road}${r.pick(['公厕', '公园公厕', '市场公厕', '站前公厕'])}`),
          `${p.s.name}${road}${r.int(1, 300)}号旁`,
          r.pick(['一类', '二类', '二类', '三类']),
          r.chance(0.7) ? '24小时' : '06:00-22:00',
          r.int(4, 30),
          r.chance(0.75) ? '是' : '否',
          p.lon,
          p.lat,
          null,
        ],
        geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      };
    };
  },
};

const garbage: ResourceSpec = {
  key: 'garbage-sorting-points',
  providerCode: 'CGJ',
  name: '生活垃圾分类投放点',
  nameEn: 'Waste sorting drop-off points',
  abstract: '云溪区住宅小区和公共场所生活垃圾分类定时定点投放点的位置、管理单位、投放时间和设置的分类桶。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'urban',
  topics: ['eco', 'community'],
  tags: ['垃圾分类', '投放点', '社区'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 600,
  big: false,
  geo: 'point',
  fields: [
    F.str('投放点编号', 'point_id', 10, '投放点编号'),
    F.str('投放点名称', 'name', 60, '投放点名称'),
    F.street(),
    F.str('管理单位', 'manager', 60, '管理单位'),
    F.str('投放时间', 'hours', 30, '定时投放时间'),
    F.str('分类桶', 'bins', 40, '设置的分类桶'),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const pts = pointsOf(ctx.seed, 'garbage', 600);
    return (i) => {
      const r = ctx.rng;
      const p = pts[i % pts.length] as (typeof pts)[number];
      const estate = `${r.pick(['云溪', '溪南', '白石', '凤岗', '龙湖', '金沙', '新桥'])}${r.pick(['花园', '小区', '新村', '雅苑', '华庭'])}`;
      return {
        values: [
          `LJ${pad(i + 1, 5)}`,
          `${estate}${r.int(1, 6)}号投放点`,
          p.s.name,
          `云州${r.pick(['安居', '城佳', '宜家', '绿城'])}物业管理有限公司`,
          r.pick(['07:00-09:00，19:00-21:00', '07:30-09:30，18:30-20:30']),
          r.chance(0.8) ? '可回收物、厨余垃圾、有害垃圾、其他垃圾' : '厨余垃圾、其他垃圾',
          p.lon,
          p.lat,
          null,
        ],
        geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      };
    };
  },
};

const urbanCases: ResourceSpec = {
  key: 'urban-management-cases',
  providerCode: 'CGJ',
  name: '城市管理案件办理情况',
  nameEn: 'Urban management cases',
  abstract:
    '数字城管平台受理的市容环境、街面秩序、设施管理等城市管理案件的类别、位置、来源、立案和结案时间及处置结果。',
  classCategory: '3',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'daily',
  domain: 'urban',
  topics: ['community', 'urban_rural'],
  tags: ['数字城管', '市容', '案件'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 8_000,
  big: true,
  fields: [
    F.str('案件编号', 'case_no', 16, '案件编号'),
    F.str('案件大类', 'category', 20, '事件或部件'),
    F.str('案件小类', 'subcategory', 30, '案件小类'),
    F.street(),
    F.str('发生位置', 'place', 60, '发生位置'),
    F.str('案件来源', 'source', 20, '监督员上报、市民投诉、视频巡查'),
    F.dt('立案时间', 'opened_at', '立案时间'),
    F.dt('结案时间', 'closed_at', '结案时间（未结案为空）'),
    F.str('处置结果', 'result', 20, '处置结果'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const s = street(r);
    const t = new Date(Date.UTC(2023, 0, 1) + Math.floor(((i + r.next()) / ctx.rows) * 3 * 365 * 86400) * 1000);
    const closed = r.chance(0.93) ? new Date(t.getTime() + r.int(1, 120) * 3_600_000) : null;
    const [cat, sub] = r.pick([
      ['事件', '暴露垃圾'],
      ['事件', '乱张贴'],
      ['事件', '占道经营'],
      ['事件', '无照经营游商'],
      ['事件', '施工废弃料'],
      ['部件', '井盖破损'],
      ['部件', '路灯不亮'],
      ['部件', '护栏损坏'],
      ['事件', '违规户外广告'],
    ] as const);
    const fmt = (d: Date) =>
      `${ymd(d)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    return {
      values: [
        `CG${ymd(t, 'compact')}${pad(i % 10000, 4)}`,
        cat,
        sub,
        s.name,
        `${s.name}${r.pick(ROADS)}${r.int(1, 300)}号附近`,
        r.pick(['监督员上报', '监督员上报', '市民投诉', '视频巡查', '12345转办']),
        fmt(t),
        closed ? fmt(closed) : null,
        closed ? r.pick(['已处置', '已处置', '已处置', '不属于城管职责，已移交']) : '处置中',
      ],
    };
  },
};

/** Street boundaries: a rough hexagon around each street centre (fictional geography). */
const boundaries: ResourceSpec = {
  key: 'street-boundaries',
  providerCode: 'ZRZYJ',
  name: '镇街行政区划界线',
  nameEn: 'Township boundaries',
  abstract:
    '云溪区各街道、镇的名称、区划代码、面积、常住人口和界线范围（多边形）。是自然资源和空间地理基础信息资源，供各部门统计和地图展示使用。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'urban',
  topics: ['geo'],
  tags: ['行政区划', '边界', '地图', '街道'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: STREETS.length,
  big: false,
  geo: 'polygon',
  fields: [
    F.str('区划代码', 'code', 9, '乡级行政区划代码（9 位）'),
    F.str('名称', 'name', 20, '街道（镇）名称'),
    F.str('上级区划代码', 'parent_code', 6, '所属区县代码'),
    F.num('面积', 'area_km2', '面积（平方公里）', 8),
    F.num('常住人口', 'population', '常住人口（人）', 9),
    F.geometry(),
  ],
  generate: (ctx) => (i) => {
    const s = STREETS[i % STREETS.length] as Street;
    const rng = new Rng(`${ctx.seed}:boundary:${s.code}`);
    const radius = 0.012 + s.weight * 0.0004;
    const ring: [number, number][] = [];
    for (let k = 0; k < 8; k++) {
      const a = (k / 8) * 2 * Math.PI;
      const rr = radius * rng.float(0.8, 1.15);
      ring.push([round(s.lon + rr * Math.cos(a), 6), round(s.lat + rr * 0.92 * Math.sin(a), 6)]);
    }
    ring.push(ring[0] as [number, number]);
    return {
      values: [
        s.code,
        s.name,
        DISTRICT.code,
        round(Math.PI * radius * radius * 111 * 102, 2),
        s.weight * 11_800 + rng.int(0, 2000),
        null,
      ],
      geometry: { type: 'Polygon', coordinates: [ring] },
    };
  },
};

const imagery: ResourceSpec = {
  key: 'remote-sensing-imagery',
  providerCode: 'ZRZYJ',
  name: '年度遥感正射影像',
  nameEn: 'Annual orthophoto imagery',
  abstract: '覆盖云溪区全域的年度 0.5 米分辨率遥感正射影像，CGCS2000 坐标系。按图幅提供 GeoTIFF 文件，需申请后获取。',
  classCategory: '1',
  format: 'image',
  sharingType: 'conditional',
  sharingConditions:
    '用于国土空间规划、自然资源调查和应急测绘的政务部门申请，经测绘地理信息主管部门审核同意后按图幅提供',
  sharingBasis: '《中华人民共和国测绘法》第三十四条',
  sharingMethod: 'file',
  openType: 'none',
  updateCycle: 'yearly',
  domain: 'urban',
  topics: ['geo'],
  tags: ['遥感', '影像', '测绘'],
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'draft',
  rows: 0,
  big: false,
  fields: [
    F.str('图幅号', 'sheet_no', 12, '图幅号'),
    F.date('成像日期', 'acquired_on', '成像日期'),
    F.num('分辨率', 'resolution_m', '地面分辨率（米）', 4),
    F.str('文件名', 'file_name', 60, 'GeoTIFF 文件名'),
  ],
};

// ---------------------------------------------------------------- economy (经济发展) & finance (财税金融)

const gdp: ResourceSpec = {
  key: 'gdp-quarterly',
  providerCode: 'TJJ',
  name: '地区生产总值（季度）',
  nameEn: 'Quarterly gross regional product',
  abstract: '云溪区按季度累计的地区生产总值及第一、二、三产业增加值和同比增速（按不变价格计算）。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'economy',
  topics: ['public_service'],
  tags: ['GDP', '国民经济', '统计'],
  licence: LICENCE_CC_BY,
  temporalStart: '2020-01-01',
  temporalEnd: '2025-09-30',
  relatedKeys: ['retail-sales-monthly'],
  status: 'published',
  rows: 23,
  big: false,
  fields: [
    F.str('统计期', 'period', 12, '统计期（如 2025年1-3季度）'),
    F.num('地区生产总值', 'gdp', '地区生产总值（亿元，千位分隔）', 12),
    F.num('第一产业增加值', 'primary', '第一产业增加值（亿元）', 10),
    F.num('第二产业增加值', 'secondary', '第二产业增加值（亿元）', 10),
    F.num('第三产业增加值', 'tertiary', '第三产业增加值（亿元）', 10),
    F.num('同比增长', 'growth', '同比增长（%）', 5),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const year = 2020 + Math.floor(i / 4);
    const q = (i % 4) + 1;
    const annual = 1480 * 1.055 ** (year - 2020);
    const total = round((annual * q) / 4 + r.normal(0, 4), 2);
    const p1 = round(total * 0.012, 2);
    const p2 = round(total * r.float(0.3, 0.34), 2);
    return {
      values: [
        `${year}年${q === 1 ? '1季度' : `1-${q}季度`}`,
        thousands(total),
        p1,
        p2,
        round(total - p1 - p2, 2),
        year === 2020 && q <= 2 ? round(-6 + q * 2 + r.normal(0, 0.5), 1) : round(r.normal(5.4, 0.8), 1),
      ],
    };
  },
};

const retail: ResourceSpec = {
  key: 'retail-sales-monthly',
  providerCode: 'TJJ',
  name: '社会消费品零售总额（月度）',
  nameEn: 'Monthly retail sales of consumer goods',
  abstract: '云溪区社会消费品零售总额月度累计值、当月值和同比增速，以及限额以上单位商品零售额。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'economy',
  topics: ['price'],
  tags: ['消费', '零售', '统计'],
  licence: LICENCE_CC_BY,
  temporalStart: '2020-01-01',
  temporalEnd: '2025-11-30',
  status: 'published',
  rows: 71,
  big: false,
  fields: [
    F.str('月份', 'month', 7, '统计月份 YYYY-MM'),
    F.num('当月值', 'month_value', '当月社会消费品零售总额（亿元）', 10),
    F.num('累计值', 'ytd_value', '年初至当月累计（亿元）', 10),
    F.num('同比增长', 'growth', '累计同比增长（%）', 5),
    F.num('限额以上单位零售额', 'above_quota', '限额以上单位商品零售额（亿元）', 10),
  ],
  generate: (ctx) => {
    let ytd = 0;
    return (i) => {
      const r = ctx.rng;
      const year = 2020 + Math.floor(i / 12);
      const m = (i % 12) + 1;
      if (m === 1) ytd = 0;
      const v = round(
        52 * 1.05 ** (year - 2020) * (m === 1 || m === 2 ? 1.12 : m === 10 || m === 12 ? 1.08 : 1) + r.normal(0, 1.5),
        2,
      );
      ytd = round(ytd + v, 2);
      return { values: [`${year}-${pad(m, 2)}`, v, ytd, round(r.normal(5, 2), 1), round(v * r.float(0.38, 0.45), 2)] };
    };
  },
};

const COMMODITIES: readonly (readonly [string, string, number])[] = [
  ['大米（粳米）', '元/公斤', 6.2],
  ['大米（籼米）', '元/公斤', 5.4],
  ['花生油', '元/升', 27],
  ['猪肉（精瘦肉）', '元/公斤', 32],
  ['猪肉（五花肉）', '元/公斤', 28],
  ['牛肉', '元/公斤', 78],
  ['鸡蛋', '元/公斤', 10.5],
  ['白条鸡', '元/公斤', 24],
  ['鲩鱼', '元/公斤', 22],
  ['大白菜', '元/公斤', 3.6],
  ['菜心', '元/公斤', 7.8],
  ['西红柿', '元/公斤', 7.2],
  ['黄瓜', '元/公斤', 5.8],
  ['土豆', '元/公斤', 4.6],
  ['苹果', '元/公斤', 12.5],
  ['香蕉', '元/公斤', 7],
];
const MARKETS = ['云溪农贸市场', '溪南肉菜市场', '白石综合市场', '凤岗农贸市场', '龙湖生鲜市场', '石门墟市'];

const prices: ResourceSpec = {
  key: 'price-monitoring',
  providerCode: 'FGJ',
  name: '主要农副产品价格监测',
  nameEn: 'Farm produce price monitoring',
  abstract: '云溪区价格监测点每周采集的粮油、肉禽蛋、水产、蔬菜和水果零售价格，用于价格监测预警和民生保障。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'unconditional',
  updateCycle: 'weekly',
  domain: 'economy',
  topics: ['price'],
  tags: ['物价', '菜篮子', '价格监测'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2023-01-02',
  temporalEnd: '2025-12-29',
  status: 'published',
  rows: MARKETS.length * COMMODITIES.length * 156,
  big: true,
  fields: [
    F.date('采价日期', 'sampled_on', '采价日期'),
    F.str('监测点', 'market', 30, '价格监测点'),
    F.str('品种', 'commodity', 20, '商品品种'),
    F.str('计价单位', 'unit', 10, '计价单位'),
    F.num('零售价格', 'price', '零售价格（元）', 8),
    F.num('环比', 'wow', '与上周相比（%）', 6),
  ],
  generate: (ctx) => {
    const layout = seriesLayout(ctx.rows, ctx.scale, MARKETS.length * COMMODITIES.length, 156);
    // Whole markets: each samples every commodity.
    const n = Math.ceil(layout.units / COMMODITIES.length) * COMMODITIES.length;
    const last = new Float64Array(n);
    const start = Date.UTC(2025, 11, 29) - (Math.ceil(ctx.rows / n) - 1) * 7 * 86_400_000;
    return (i) => {
      const r = ctx.rng;
      const k = i % n;
      const week = Math.floor(i / n);
      const [name, unit, base] = COMMODITIES[k % COMMODITIES.length] as (typeof COMMODITIES)[number];
      const prev = last[k] || base * r.float(0.95, 1.05);
      const pork = name.startsWith('猪肉') ? 1 + 0.18 * Math.sin(week / 20) : 1;
      const p = round(Math.max(base * 0.5, prev * 0.85 + base * pork * 0.15 + r.normal(0, base * 0.015)), 2);
      last[k] = p;
      return {
        values: [
          ymd(new Date(start + week * 7 * 86_400_000)),
          MARKETS[Math.floor(k / COMMODITIES.length)] ??
            `${(STREETS[Math.floor(k / COMMODITIES.length) % STREETS.length] as Street).name}第${Math.floor(k / COMMODITIES.length / STREETS.length) + 2}农贸市场`,
          name,
          unit,
          p,
          week === 0 ? null : round(((p - prev) / prev) * 100, 2),
        ],
      };
    };
  },
};

const projects: ResourceSpec = {
  key: 'key-projects',
  providerCode: 'FGJ',
  name: '区重点建设项目计划',
  nameEn: 'Key construction projects',
  abstract:
    '列入云溪区年度重点建设项目计划的项目名称、建设单位、建设内容、总投资、年度计划投资、开竣工年份和形象进度。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'economy',
  topics: ['urban_rural'],
  tags: ['重点项目', '投资', '建设'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'pending_review',
  rows: 120,
  big: false,
  fields: [
    F.str('项目编号', 'project_no', 10, '项目编号'),
    F.str('项目名称', 'name', 80, '项目名称'),
    F.str('项目类别', 'kind', 20, '产业、基础设施、民生、生态'),
    F.str('建设单位', 'owner', 100, '建设单位'),
    F.num('总投资', 'total_wan', '总投资（万元，千位分隔）', 14),
    F.num('年度计划投资', 'planned_wan', '本年度计划投资（万元）', 14),
    F.str('建设年限', 'period', 12, '如 2024-2027'),
    F.str('形象进度', 'progress', 60, '截至上季度末形象进度'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const total = round(Math.exp(r.normal(10, 1)), 0);
    const y = r.int(2022, 2025);
    return {
      values: [
        `ZD2025${pad(i + 1, 3)}`,
        `${r.pick(['云溪', '溪南', '白石', '凤岗', '龙湖', '金沙'])}${r.pick(['智能制造产业园', '片区道路改造工程', '学校新建工程', '污水管网完善工程', '人才公寓', '综合医院扩建工程', '城市更新项目', '生态公园'])}`,
        r.pick(['产业', '基础设施', '民生', '生态']),
        c.name,
        thousands(total, 0),
        round(total * r.float(0.15, 0.45), 0),
        `${y}-${y + r.int(1, 4)}`,
        r.pick(['主体结构施工', '基础施工', '前期工作', '已完成 60%', '竣工验收', '设备安装']),
      ],
    };
  },
};

const budget: ResourceSpec = {
  key: 'budget-execution-monthly',
  providerCode: 'CZJ',
  name: '一般公共预算收支执行情况',
  nameEn: 'General public budget execution',
  abstract: '云溪区一般公共预算收入和支出按科目的月度执行数、年初预算数和执行进度。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'finance',
  topics: ['public_service'],
  tags: ['财政', '预算', '收支'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-11-30',
  status: 'published',
  rows: 35 * 10,
  big: false,
  fields: [
    F.str('月份', 'month', 7, '统计月份 YYYY-MM'),
    F.str('收支类别', 'side', 4, '收入或支出'),
    F.str('科目名称', 'item', 30, '预算科目名称'),
    F.num('年初预算数', 'budget_wan', '年初预算数（万元）', 12),
    F.num('累计执行数', 'ytd_wan', '累计执行数（万元）', 12),
    F.num('执行进度', 'progress', '执行进度（%）', 6),
  ],
  generate: (ctx) => {
    const items: [string, string, number][] = [
      ['收入', '税收收入', 620000],
      ['收入', '非税收入', 140000],
      ['支出', '一般公共服务支出', 98000],
      ['支出', '公共安全支出', 76000],
      ['支出', '教育支出', 210000],
      ['支出', '科学技术支出', 45000],
      ['支出', '社会保障和就业支出', 88000],
      ['支出', '卫生健康支出', 92000],
      ['支出', '节能环保支出', 26000],
      ['支出', '城乡社区支出', 130000],
    ];
    return (i) => {
      const r = ctx.rng;
      const m = Math.floor(i / items.length);
      const year = 2023 + Math.floor(m / 12);
      const month = (m % 12) + 1;
      const [side, item, base] = items[i % items.length] as [string, string, number];
      const bud = Math.round(base * 1.04 ** (year - 2023));
      const ytd = Math.round(((bud * month) / 12) * r.float(0.85, 1.08));
      return { values: [`${year}-${pad(month, 2)}`, side, item, bud, ytd, round((ytd / bud) * 100, 1)] };
    };
  },
};

const procurement: ResourceSpec = {
  key: 'government-procurement',
  providerCode: 'CZJ',
  name: '政府采购合同公告',
  nameEn: 'Government procurement contracts',
  abstract: '云溪区各预算单位政府采购合同的项目名称、采购人、供应商、采购方式、合同金额和签订日期。',
  classCategory: '3',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'unconditional',
  updateCycle: 'daily',
  domain: 'finance',
  topics: ['public_service', 'credit'],
  tags: ['政府采购', '合同', '公共资源交易'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2022-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 1_500,
  big: true,
  fields: [
    F.str('合同编号', 'contract_no', 24, '合同编号'),
    F.str('项目名称', 'project', 80, '采购项目名称'),
    F.str('采购人', 'buyer', 60, '采购人（预算单位）'),
    F.str('供应商', 'supplier', 100, '供应商名称'),
    F.str('供应商统一社会信用代码', 'supplier_uscc', 18, '供应商统一社会信用代码'),
    F.str('采购方式', 'method', 12, '公开招标、竞争性磋商、询价等'),
    F.num('合同金额', 'amount', '合同金额（元，部分记录含千位分隔符）', 16),
    F.date('签订日期', 'signed_on', '合同签订日期'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const d = randomDay(r, '2022-01-01', '2025-12-31');
    const amount = round(Math.exp(r.normal(12.5, 1.3)), 2);
    return {
      values: [
        `YXCG${ymd(d, 'compact')}${pad(i % 1000, 3)}`,
        `${DISTRICT.name}${r.pick(['教育局', '卫生健康委员会', '城市管理和综合执法局', '政务服务数据管理局', '公安分局', '交通运输局'])}${r.pick(['信息化系统运维服务', '办公设备采购', '物业管理服务', '绿化养护服务', '车辆租赁服务', '课桌椅采购', '医疗设备采购'])}项目`,
        `${DISTRICT.name}${r.pick(['教育局', '卫生健康委员会', '城市管理和综合执法局', '政务服务数据管理局'])}`,
        c.name,
        c.uscc,
        r.pick(['公开招标', '公开招标', '竞争性磋商', '询价', '单一来源', '框架协议采购']),
        amount > 100000 && r.chance(0.5) ? thousands(amount) : amount,
        r.chance(0.1) ? ymd(d, 'cn') : ymd(d),
      ],
    };
  },
};

export const CITY_SPECS: readonly ResourceSpec[] = [
  permits,
  presale,
  toilets,
  garbage,
  urbanCases,
  boundaries,
  imagery,
  gdp,
  retail,
  prices,
  projects,
  budget,
  procurement,
];

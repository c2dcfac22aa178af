import { buildDepartments } from '../departments.ts';
import { BASE_COMPANIES, companyAt, hospitals, schools, type Site } from '../entities.ts';
import {
  birthDate,
  fullAddress,
  idCard,
  landline,
  mobile,
  pad,
  personName,
  pointNear,
  randomDay,
  round,
  street,
  surname,
  thousands,
  ymd,
  ymdhms,
  uniqueNames,
} from '../identity.ts';
import { DISTRICT, ROADS, STREETS, type Street } from '../place.ts';
import { Rng } from '../random.ts';
import type { GeneratedRow } from '../types.ts';
import { BASIS, CONDITIONS, F, LICENCE_CC_BY, LICENCE_OPEN_DATA, OPEN_CONDITIONS, type ResourceSpec } from './spec.ts';

const point = (lon: number, lat: number) => ({ type: 'Point' as const, coordinates: [lon, lat] as [number, number] });

// ---------------------------------------------------------------- livelihood (民生服务)

const HOTLINE_TOPICS: readonly (readonly [string, string, string, number])[] = [
  ['城乡建设', '小区物业管理纠纷', '城市管理和综合执法局', 14],
  ['城乡建设', '噪声扰民（建筑施工）', '生态环境局', 10],
  ['交通运输', '公交线路调整建议', '交通运输局', 7],
  ['市场监管', '消费投诉（预付卡退费）', '市场监督管理局', 12],
  ['劳动社保', '拖欠工资', '人力资源和社会保障局', 9],
  ['劳动社保', '社保缴费咨询', '人力资源和社会保障局', 6],
  ['教育', '学位申请咨询', '教育局', 8],
  ['卫生健康', '医疗服务投诉', '卫生健康委员会', 5],
  ['城乡建设', '道路积水内涝', '水务局', 6],
  ['城乡建设', '占道经营', '城市管理和综合执法局', 9],
  ['公共安全', '违章停车', '公安分局', 8],
  ['政务服务', '办事指南咨询', '政务服务数据管理局', 6],
];

const hotline: ResourceSpec = {
  key: 'hotline-12345-tickets',
  providerCode: 'SJJ',
  name: '12345政务服务便民热线工单',
  nameEn: '12345 hotline tickets',
  abstract:
    '云溪区 12345 政务服务便民热线受理的市民诉求工单，包括受理渠道、诉求分类、诉求内容、所属街道、承办单位、办理时限、办结情况和满意度。含来电人个人信息，脱敏后有条件共享。',
  classCategory: '2',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.personal,
  sharingBasis: BASIS.pipl,
  sharingMethod: 'api',
  openType: 'none',
  updateCycle: 'realtime',
  domain: 'livelihood',
  topics: ['community', 'public_service'],
  tags: ['12345', '热线', '诉求', '工单'],
  temporalStart: '2024-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['hotline-12345-monthly'],
  status: 'published',
  rows: 30_000,
  big: true,
  fields: [
    F.str('工单编号', 'ticket_no', 16, '工单编号'),
    F.dt('受理时间', 'received_at', '受理时间'),
    F.str('受理渠道', 'channel', 10, '电话、微信、网站、APP'),
    F.str('诉求类型', 'kind', 6, '咨询、投诉、求助、建议、表扬'),
    F.str('诉求分类', 'category', 10, '一级分类'),
    F.str('诉求事项', 'subject', 30, '诉求事项'),
    F.str('诉求内容', 'content', 500, '诉求内容摘要'),
    F.str('来电人姓名', 'caller_name', 20, '来电人姓名', { sensitivity: 'name', grade: 'L3' }),
    F.str('来电号码', 'caller_phone', 11, '来电号码', { sensitivity: 'mobile', grade: 'L3' }),
    F.str('诉求地址', 'address', 120, '诉求发生地址', { sensitivity: 'address', grade: 'L2' }),
    F.street(),
    F.str('承办单位', 'handler', 40, '承办单位'),
    F.dt('办结时间', 'closed_at', '办结时间（未办结为空）'),
    F.str('办理状态', 'state', 6, '已办结、办理中、已退回'),
    F.str('满意度', 'satisfaction', 6, '非常满意、满意、基本满意、不满意'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const t = new Date(Date.UTC(2024, 0, 1) + Math.floor(((i + r.next()) / ctx.rows) * 731 * 86400) * 1000);
    const [cat, subject, handler] = r.weighted(HOTLINE_TOPICS.map((x) => [x, x[3]] as const));
    const s = street(r);
    const closed = r.chance(0.94) ? new Date(t.getTime() + r.int(2, 240) * 3_600_000) : null;
    const kind = r.weighted([
      ['咨询', 35],
      ['投诉', 35],
      ['求助', 15],
      ['建议', 12],
      ['表扬', 3],
    ] as const);
    return {
      values: [
        `YX${ymd(t, 'compact')}${pad(i % 100000, 5)}`,
        ymdhms(t),
        r.weighted([
          ['电话', 70],
          ['微信', 15],
          ['网站', 8],
          ['APP', 7],
        ] as const),
        kind,
        cat,
        subject,
        `市民来电反映${s.name}${r.pick(ROADS)}附近${subject}问题，${kind === '咨询' ? '咨询办理流程和所需材料' : '希望相关部门尽快核实处理'}。`,
        personName(r),
        mobile(r),
        fullAddress(r, s),
        s.name,
        `${DISTRICT.name}${handler}`,
        closed ? ymdhms(closed) : null,
        closed ? '已办结' : r.chance(0.8) ? '办理中' : '已退回',
        closed
          ? r.weighted([
              ['非常满意', 45],
              ['满意', 35],
              ['基本满意', 14],
              ['不满意', 6],
            ] as const)
          : null,
      ],
    };
  },
};

const hotlineMonthly: ResourceSpec = {
  key: 'hotline-12345-monthly',
  providerCode: 'SJJ',
  name: '12345热线诉求分类月度统计',
  nameEn: '12345 hotline monthly statistics',
  abstract: '按月份和诉求分类统计的 12345 热线工单量、按时办结率和满意率，不含个人信息，可无条件开放。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'livelihood',
  topics: ['community'],
  tags: ['12345', '统计', '民生诉求'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['hotline-12345-tickets'],
  status: 'published',
  rows: 36 * HOTLINE_TOPICS.length,
  big: false,
  fields: [
    F.str('统计月份', 'month', 7, 'YYYY-MM'),
    F.str('诉求事项', 'subject', 30, '诉求事项'),
    F.num('工单量', 'tickets', '工单数量（件）', 8),
    F.num('按时办结率', 'on_time_rate', '按时办结率（%）', 5),
    F.num('满意率', 'satisfaction_rate', '满意率（%）', 5),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const m = Math.floor(i / HOTLINE_TOPICS.length);
    const [, subject, , w] = HOTLINE_TOPICS[i % HOTLINE_TOPICS.length] as (typeof HOTLINE_TOPICS)[number];
    return {
      values: [
        `${2023 + Math.floor(m / 12)}-${pad((m % 12) + 1, 2)}`,
        subject,
        Math.round(w * 95 * r.float(0.7, 1.3)),
        round(r.float(92, 99.8), 1),
        round(r.float(88, 98.5), 1),
      ],
    };
  },
};

const serviceItems: ResourceSpec = {
  key: 'gov-service-items',
  providerCode: 'SJJ',
  name: '政务服务事项目录',
  nameEn: 'Government service items',
  abstract:
    '云溪区政务服务事项的事项编码、名称、事项类型、实施主体、办理时限、是否收费和网办深度，是“一网通办”的基础目录。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'irregular',
  domain: 'enterprise',
  topics: ['public_service'],
  tags: ['政务服务', '一网通办', '办事指南'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['gov-service-stats'],
  status: 'published',
  rows: 650,
  big: false,
  fields: [
    F.str('事项编码', 'item_code', 24, '基本编码 + 实施编码'),
    F.str('事项名称', 'name', 100, '事项名称'),
    F.str('事项类型', 'kind', 10, '行政许可、行政确认、公共服务等'),
    F.str('实施主体', 'agency', 40, '实施主体'),
    F.num('法定办结时限', 'legal_days', '法定办结时限（工作日）', 3),
    F.num('承诺办结时限', 'promised_days', '承诺办结时限（工作日）', 3),
    F.str('是否收费', 'fee', 2, '是/否'),
    F.str('网办深度', 'online_level', 10, '一级至四级（四级为全程网办）'),
  ],
  generate: (ctx) => {
    const depts = buildDepartments().filter((d) => d.kind === 'department');
    return (i) => {
      const r = ctx.rng;
      const d = depts[i % depts.length] as (typeof depts)[number];
      const kind = r.pick(['行政许可', '行政确认', '公共服务', '行政给付', '其他行政权力']);
      const legal = r.pick([20, 20, 15, 30, 60]);
      return {
        values: [
          `11${DISTRICT.code}${pad(r.int(0, 99999999), 8)}${pad(i, 4)}`,
          `${r.pick(['申请', '办理', '变更', '注销', '延续'])}${r.pick(['证明', '登记', '备案', '许可', '补贴', '资格认定'])}（${d.name.replace(DISTRICT.name, '')}）`,
          kind,
          d.name,
          legal,
          Math.max(1, Math.round(legal * r.float(0.1, 0.6))),
          r.chance(0.08) ? '是' : '否',
          r.pick(['四级', '四级', '三级', '二级']),
        ],
      };
    };
  },
};

const serviceStats: ResourceSpec = {
  key: 'gov-service-stats',
  providerCode: 'SJJ',
  name: '政务服务办件量统计',
  nameEn: 'Government service case statistics',
  abstract: '按月份和实施部门统计的政务服务办件量、网上办件量、即办件量、按时办结率和“好差评”好评率。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'livelihood',
  topics: ['public_service'],
  tags: ['政务服务', '办件', '好差评'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['gov-service-items'],
  status: 'published',
  rows: 36 * 22,
  big: false,
  fields: [
    F.str('统计月份', 'month', 7, 'YYYY-MM'),
    F.str('部门名称', 'department', 40, '实施部门'),
    F.num('办件量', 'cases', '办件量（件，部分记录含千位分隔符）', 8),
    F.num('网上办件量', 'online_cases', '网上办件量（件）', 8),
    F.num('即办件量', 'instant_cases', '即办件量（件）', 8),
    F.num('按时办结率', 'on_time_rate', '按时办结率（%）', 5),
    F.num('好评率', 'good_rate', '好差评好评率（%）', 5),
  ],
  generate: (ctx) => {
    const depts = buildDepartments().filter((d) => d.kind === 'department');
    return (i) => {
      const r = ctx.rng;
      const m = Math.floor(i / depts.length);
      const d = depts[i % depts.length] as (typeof depts)[number];
      const cases = Math.round(Math.exp(r.normal(7, 1)));
      return {
        values: [
          `${2023 + (Math.floor(m / 12) % 100)}-${pad((m % 12) + 1, 2)}`,
          d.name,
          cases >= 1000 && r.chance(0.3) ? thousands(cases, 0) : cases,
          Math.round(cases * r.float(0.6, 0.95)),
          Math.round(cases * r.float(0.1, 0.4)),
          round(r.float(97, 100), 2),
          round(r.float(98, 100), 2),
        ],
      };
    };
  },
};

// ---------------------------------------------------------------- education (教育科技)

const schoolSpec: ResourceSpec = {
  key: 'schools',
  providerCode: 'JYJ',
  name: '中小学校及幼儿园名录',
  nameEn: 'Schools and kindergartens',
  abstract:
    '云溪区幼儿园、小学、中学和职业学校的名称、学校标识码、办学类型、办学性质、地址、联系电话、在校生数和位置坐标。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'education',
  topics: ['public_service'],
  tags: ['学校', '幼儿园', '教育', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-09-01',
  temporalEnd: '2026-07-31',
  relatedKeys: ['school-enrolment-plan'],
  status: 'published',
  rows: 96,
  big: false,
  geo: 'point',
  fields: [
    F.str('学校标识码', 'school_id', 10, '全国学校标识码（10 位）'),
    F.str('学校名称', 'name', 60, '学校名称'),
    F.str('办学类型', 'stage', 10, '学前教育、小学、初级中学等'),
    F.str('办学性质', 'nature', 4, '公办或民办'),
    F.str('地址', 'address', 120, '学校地址'),
    F.str('联系电话', 'phone', 13, '学校办公电话（座机）', { sensitivity: 'landline', grade: 'L1' }),
    F.num('在校生数', 'students', '在校生人数', 6),
    F.street(),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const list = schools(ctx.seed);
    return (i) => {
      const s = list[i % list.length] as Site;
      return {
        values: [
          s.code,
          s.name,
          String(s.extra.stage),
          String(s.extra.nature),
          `${DISTRICT.name}${s.street.name}${ctx.rng.pick(ROADS)}${ctx.rng.int(1, 200)}号`,
          landline(ctx.rng),
          Number(s.extra.students),
          s.street.name,
          s.lon,
          s.lat,
          null,
        ],
        geometry: point(s.lon, s.lat),
      };
    };
  },
};

const enrolment: ResourceSpec = {
  key: 'school-enrolment-plan',
  providerCode: 'JYJ',
  name: '义务教育学校招生计划',
  nameEn: 'School enrolment plans',
  abstract: '云溪区公办、民办义务教育学校和幼儿园各年度招生计划数、班级数和招生范围（学区）。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'education',
  topics: ['public_service'],
  tags: ['招生', '学位', '学区'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2023-09-01',
  temporalEnd: '2025-09-01',
  relatedKeys: ['schools'],
  status: 'published',
  rows: 96 * 3,
  big: false,
  fields: [
    F.num('招生年度', 'year', '招生年度', 4),
    F.str('学校标识码', 'school_id', 10, '全国学校标识码'),
    F.str('学校名称', 'name', 60, '学校名称'),
    F.num('计划班数', 'classes', '计划招生班数', 3),
    F.num('计划招生人数', 'places', '计划招生人数', 5),
    F.str('招生范围', 'catchment', 120, '招生范围（学区）'),
  ],
  generate: (ctx) => {
    const list = schools(ctx.seed);
    return (i) => {
      const s = list[i % list.length] as Site;
      const classes = ctx.rng.int(2, 12);
      return {
        values: [
          2023 + Math.floor(i / list.length),
          s.code,
          s.name,
          classes,
          classes * (s.extra.stage === '学前教育' ? 30 : 45),
          `${s.street.name}${ctx.rng.pick(['全域', '东片区', '西片区', '南片区', '北片区'])}`,
        ],
      };
    };
  },
};

// ---------------------------------------------------------------- health (医疗卫生)

const hospitalSpec: ResourceSpec = {
  key: 'hospitals',
  providerCode: 'WJW',
  name: '医疗机构名录',
  nameEn: 'Medical institutions',
  abstract:
    '云溪区医院、社区卫生服务中心、卫生院、门诊部和诊所的名称、登记号、类别、等级、经营性质、床位数、地址和联系电话。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'health',
  topics: ['health_security', 'public_service'],
  tags: ['医院', '医疗机构', '社区卫生', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['outpatient-monthly'],
  status: 'published',
  rows: 140,
  big: false,
  geo: 'point',
  fields: [
    F.str('登记号', 'registration_no', 11, '医疗机构执业许可证登记号'),
    F.str('机构名称', 'name', 60, '医疗机构名称'),
    F.str('机构类别', 'kind', 20, '综合医院、中医医院、社区卫生服务中心等'),
    F.str('机构等级', 'level', 10, '三级甲等、二级甲等、未定级等'),
    F.str('经营性质', 'ownership', 4, '公立或民营'),
    F.num('核定床位', 'beds', '核定床位数（张）', 5),
    F.str('地址', 'address', 120, '地址'),
    F.str('联系电话', 'phone', 13, '咨询电话', { sensitivity: 'landline', grade: 'L1' }),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const list = hospitals(ctx.seed);
    return (i) => {
      const h = list[i % list.length] as Site;
      return {
        values: [
          h.code,
          h.name,
          String(h.extra.kind),
          String(h.extra.level),
          String(h.extra.nature),
          Number(h.extra.beds),
          `${DISTRICT.name}${h.street.name}${ctx.rng.pick(ROADS)}${ctx.rng.int(1, 300)}号`,
          landline(ctx.rng),
          h.lon,
          h.lat,
          null,
        ],
        geometry: point(h.lon, h.lat),
      };
    };
  },
};

const outpatient: ResourceSpec = {
  key: 'outpatient-monthly',
  providerCode: 'WJW',
  name: '医疗机构门急诊及住院服务量',
  nameEn: 'Monthly outpatient and inpatient volumes',
  abstract: '云溪区二级以上医院和社区卫生服务中心每月的门急诊人次、出院人数、病床使用率和平均住院日。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'health',
  topics: ['health_security'],
  tags: ['门急诊', '住院', '卫生统计'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['hospitals'],
  status: 'published',
  rows: 20 * 36,
  big: false,
  fields: [
    F.str('统计月份', 'month', 7, 'YYYY-MM'),
    F.str('机构名称', 'name', 60, '医疗机构名称'),
    F.num('门急诊人次', 'visits', '门急诊人次', 8),
    F.num('出院人数', 'discharges', '出院人数', 6),
    F.num('病床使用率', 'bed_use', '病床使用率（%）', 5),
    F.num('平均住院日', 'avg_stay', '出院者平均住院日（天）', 5),
  ],
  generate: (ctx) => {
    const list = hospitals(ctx.seed)
      .filter((h) => Number(h.extra.beds) > 0)
      .slice(0, 20);
    return (i) => {
      const r = ctx.rng;
      const h = list[i % list.length] as Site;
      const m = Math.floor(i / list.length);
      const beds = Number(h.extra.beds);
      const flu = m % 12 === 0 || m % 12 === 1 || m % 12 === 11 ? 1.25 : 1;
      return {
        values: [
          `${2023 + Math.floor(m / 12)}-${pad((m % 12) + 1, 2)}`,
          h.name,
          Math.round(beds * 35 * flu * r.float(0.85, 1.15)),
          Math.round(beds * 2.6 * r.float(0.85, 1.1)),
          round(r.float(72, 98), 1),
          round(r.float(5.5, 9.5), 1),
        ],
      };
    };
  },
};

const vaccination: ResourceSpec = {
  key: 'vaccination-clinics',
  providerCode: 'WJW',
  name: '预防接种门诊信息',
  nameEn: 'Vaccination clinics',
  abstract: '云溪区预防接种门诊（含产科接种室和狂犬病暴露处置门诊）的名称、服务类型、地址、接种时间和联系电话。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'irregular',
  domain: 'health',
  topics: ['health_security'],
  tags: ['疫苗', '预防接种', '门诊'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 30,
  big: false,
  geo: 'point',
  fields: [
    F.str('门诊名称', 'name', 60, '接种门诊名称'),
    F.str('服务类型', 'kind', 20, '儿童、成人、狂犬病暴露处置等'),
    F.str('地址', 'address', 120, '地址'),
    F.str('接种时间', 'hours', 40, '接种时间'),
    F.str('联系电话', 'phone', 13, '咨询电话', { sensitivity: 'landline', grade: 'L1' }),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const list = hospitals(ctx.seed).filter(
      (h) =>
        h.extra.kind === '社区卫生服务中心' ||
        h.extra.kind === '综合医院' ||
        h.extra.kind === '乡镇卫生院' ||
        h.extra.kind === '妇幼保健院',
    );
    return (i) => {
      const h = list[i % list.length] as Site;
      return {
        values: [
          `${h.name}预防接种门诊`,
          ctx.rng.pick(['儿童预防接种', '成人预防接种', '儿童及成人', '狂犬病暴露处置']),
          `${DISTRICT.name}${h.street.name}${ctx.rng.pick(ROADS)}${ctx.rng.int(1, 300)}号`,
          '周一至周五 08:30-11:30，14:30-17:00',
          landline(ctx.rng),
          h.lon,
          h.lat,
          null,
        ],
        geometry: point(h.lon, h.lat),
      };
    };
  },
};

const healthRecords: ResourceSpec = {
  key: 'health-records',
  providerCode: 'WJW',
  name: '居民电子健康档案',
  nameEn: 'Resident electronic health records',
  abstract:
    '云溪区家庭医生签约居民的电子健康档案摘要，包括身份信息、慢性病管理类别、最近随访日期和签约家庭医生团队。属个人敏感信息，不予开放，仅经审批后共享给卫生健康和医疗保障部门。',
  classCategory: '1',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.medical,
  sharingBasis: BASIS.medical,
  sharingMethod: 'api',
  openType: 'none',
  updateCycle: 'daily',
  domain: 'health',
  topics: ['population', 'health_security'],
  tags: ['健康档案', '家庭医生', '慢病管理'],
  temporalStart: '2018-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['population-sample'],
  status: 'published',
  rows: 5_000,
  big: true,
  fields: [
    F.str('档案编号', 'record_no', 17, '健康档案编号'),
    F.str('姓名', 'name', 20, '居民姓名', { sensitivity: 'name', grade: 'L3' }),
    F.str('公民身份号码', 'id_no', 18, '居民身份证号码', { sensitivity: 'id_card', grade: 'L4' }),
    F.str('性别', 'sex', 2, '男/女'),
    F.date('出生日期', 'birth_date', '出生日期'),
    F.str('联系电话', 'phone', 11, '手机号码', { sensitivity: 'mobile', grade: 'L3' }),
    F.str('慢病类别', 'chronic', 20, '高血压、糖尿病等慢病管理类别', { sensitivity: 'other', grade: 'L4' }),
    F.date('最近随访日期', 'last_follow_up', '最近一次随访日期'),
    F.str('签约团队', 'team', 40, '签约家庭医生团队'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const sex = r.chance(0.5) ? 'M' : 'F';
    const b = birthDate(r, 18, 92);
    const s = street(r);
    return {
      values: [
        `${DISTRICT.code}${pad(i + 1, 11)}`,
        personName(r, sex),
        idCard(r, b, sex),
        sex === 'M' ? '男' : '女',
        ymd(b),
        mobile(r),
        r.weighted([
          ['无', 55],
          ['高血压', 22],
          ['糖尿病', 10],
          ['高血压合并糖尿病', 7],
          ['严重精神障碍', 1],
          ['慢性阻塞性肺疾病', 5],
        ] as const),
        ymd(randomDay(r, '2024-06-01', '2025-12-31')),
        `${s.name}社区卫生服务中心${surname(r)}医生团队`,
      ],
    };
  },
};

// ---------------------------------------------------------------- culture (文化旅游)

const SCENIC = [
  '云溪湿地公园',
  '石门国家森林公园',
  '白石山风景区',
  '凤岗古村',
  '龙湖公园',
  '太和温泉度假区',
  '金沙滨江绿道',
  '云溪博物馆',
  '新桥古码头',
  '溪南骑楼街',
  '云州科技馆',
  '石门红色教育基地',
];

const scenic: ResourceSpec = {
  key: 'scenic-spots',
  providerCode: 'WGLTJ',
  name: '旅游景区及公共文化场馆',
  nameEn: 'Scenic spots and cultural venues',
  abstract:
    '云溪区 A 级旅游景区、公园、博物馆、图书馆、文化馆等场所的名称、类别、等级、开放时间、门票、地址和位置，可用于文旅地图和游客服务。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'culture',
  topics: ['public_service'],
  tags: ['旅游', '景区', '博物馆', '图书馆', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['tourism-monthly'],
  status: 'published',
  rows: 60,
  big: false,
  geo: 'point',
  fields: [
    F.str('名称', 'name', 60, '场所名称'),
    F.str('类别', 'kind', 20, '景区、公园、博物馆、图书馆、文化馆、体育场馆'),
    F.str('等级', 'level', 10, 'A 级景区等级或场馆等级'),
    F.str('开放时间', 'hours', 40, '开放时间'),
    F.str('门票', 'ticket', 30, '门票价格'),
    F.str('地址', 'address', 120, '地址'),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const rng = new Rng(`${ctx.seed}:scenic`);
    const unique = uniqueNames();
    const list = Array.from({ length: 60 }, (_, i) => {
      const s = street(rng);
      const [lon, lat] = pointNear(rng, s);
      const name =
        i < SCENIC.length
          ? (SCENIC[i] as string)
          : `${s.name.replace(/街道|镇/, '')}${rng.pick(['图书馆分馆', '文化站', '社区体育公园', '口袋公园', '综合文化服务中心', '非遗传习所'])}`;
      const kind =
        i < SCENIC.length
          ? name.includes('馆')
            ? '博物馆'
            : name.includes('公园')
              ? '公园'
              : '景区'
          : name.includes('图书')
            ? '图书馆'
            : name.includes('体育') || name.includes('公园')
              ? '公园'
              : '文化馆';
      return { name: unique(name), kind, s, lon, lat };
    });
    return (i) => {
      const x = list[i % list.length] as (typeof list)[number];
      const r = ctx.rng;
      const level = x.kind === '景区' ? r.pick(['AAAA', 'AAA', 'AA']) : x.kind === '博物馆' ? '二级博物馆' : '—';
      return {
        values: [
          x.name,
          x.kind,
          level,
          r.pick(['09:00-17:30（周一闭馆）', '全天开放', '08:30-18:00']),
          x.kind === '景区' && r.chance(0.5) ? `成人 ${r.pick([30, 45, 60, 80])} 元` : '免费',
          `${DISTRICT.name}${x.s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
          x.lon,
          x.lat,
          null,
        ],
        geometry: point(x.lon, x.lat),
      };
    };
  },
};

const tourism: ResourceSpec = {
  key: 'tourism-monthly',
  providerCode: 'WGLTJ',
  name: '旅游接待情况月度统计',
  nameEn: 'Monthly tourism statistics',
  abstract: '云溪区每月接待游客人次、过夜游客人次、旅游总收入和重点景区接待量，节假日数据单独列示。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'culture',
  topics: ['public_service'],
  tags: ['旅游', '游客', '统计'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 36,
  big: false,
  fields: [
    F.str('月份', 'month', 7, 'YYYY-MM'),
    F.num('接待游客', 'visitors', '接待游客（万人次）', 8),
    F.num('过夜游客', 'overnight', '过夜游客（万人次）', 8),
    F.num('旅游总收入', 'revenue', '旅游总收入（亿元）', 8),
    F.num('重点景区接待量', 'key_sites', '重点景区接待量（万人次）', 8),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const m = i % 12;
    const peak = m === 0 || m === 1 || m === 4 || m === 6 || m === 7 || m === 9 ? 1.35 : 1;
    const v = round(86 * peak * 1.08 ** Math.floor(i / 12) * r.float(0.9, 1.1), 2);
    return {
      values: [
        `${2023 + Math.floor(i / 12)}-${pad(m + 1, 2)}`,
        v,
        round(v * r.float(0.22, 0.3), 2),
        round(v * r.float(0.07, 0.09), 2),
        round(v * r.float(0.35, 0.45), 2),
      ],
    };
  },
};

// ---------------------------------------------------------------- safety (公共安全)

const shelters: ResourceSpec = {
  key: 'emergency-shelters',
  providerCode: 'YJJ',
  name: '应急避难场所',
  nameEn: 'Emergency shelters',
  abstract: '云溪区室内、室外应急避难场所的名称、类型、地址、有效避难面积、可容纳人数、管理单位和联系电话。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'safety',
  topics: ['emergency'],
  tags: ['应急', '避难场所', '防灾减灾', '地图'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['weather-warnings'],
  status: 'published',
  rows: 80,
  big: false,
  geo: 'point',
  fields: [
    F.str('场所编号', 'shelter_id', 8, '场所编号'),
    F.str('场所名称', 'name', 60, '场所名称'),
    F.str('场所类型', 'kind', 10, '室内或室外'),
    F.str('地址', 'address', 120, '地址'),
    F.num('有效避难面积', 'area', '有效避难面积（平方米）', 8),
    F.num('可容纳人数', 'capacity', '可容纳人数', 6),
    F.str('管理单位', 'manager', 60, '管理单位'),
    F.str('联系电话', 'phone', 13, '值班电话', { sensitivity: 'landline', grade: 'L1' }),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const rng = new Rng(`${ctx.seed}:shelters`);
    const pts = Array.from({ length: 80 }, () => {
      const s = street(rng);
      return { s, p: pointNear(rng, s) };
    });
    const unique = uniqueNames();
    return (i) => {
      const r = ctx.rng;
      const { s, p } = pts[i % pts.length] as (typeof pts)[number];
      const indoor = r.chance(0.6);
      const area = indoor ? r.int(300, 3000) : r.int(2000, 40000);
      return {
        values: [
          `BN${pad(i + 1, 4)}`,
          unique(
            `${s.name.slice(0, 2)}${indoor ? r.pick(['小学体育馆', '中学风雨操场', '文化中心', '党群服务中心']) : r.pick(['公园', '广场', '运动场'])}应急避难场所`,
          ),
          indoor ? '室内' : '室外',
          `${DISTRICT.name}${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
          area,
          Math.floor(area / (indoor ? 2 : 1.5)),
          `${DISTRICT.name}${s.name}办事处`,
          landline(r),
          p[0],
          p[1],
          null,
        ],
        geometry: point(p[0], p[1]),
      };
    };
  },
};

const safetyInspections: ResourceSpec = {
  key: 'work-safety-inspections',
  providerCode: 'YJJ',
  name: '安全生产执法检查记录',
  nameEn: 'Work safety inspections',
  abstract:
    '云溪区应急管理部门对工贸、危险化学品等企业开展安全生产执法检查的企业、检查日期、检查类型、发现隐患数、整改情况和处理措施。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'conditional',
  openConditions: OPEN_CONDITIONS.research,
  updateCycle: 'monthly',
  domain: 'safety',
  topics: ['work_safety'],
  tags: ['安全生产', '执法检查', '隐患排查'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry'],
  status: 'published',
  rows: 3_000,
  big: true,
  fields: [
    F.uscc(),
    F.str('企业名称', 'name', 100, '被检查企业名称'),
    F.str('行业领域', 'sector', 20, '工贸、危险化学品、建筑施工等'),
    F.date('检查日期', 'inspected_on', '检查日期（形如 2020.12.21）'),
    F.str('检查类型', 'kind', 10, '日常检查、专项检查、复查'),
    F.num('发现隐患数', 'hazards', '发现隐患数（项）', 4),
    F.num('已整改隐患数', 'fixed', '已整改隐患数（项）', 4),
    F.str('处理措施', 'measure', 40, '责令限期整改、行政处罚等'),
  ],
  generate: (ctx) => () => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const hazards = r.weighted([
      [0, 40],
      [1, 20],
      [2, 15],
      [3, 10],
      [5, 10],
      [8, 5],
    ] as const);
    return {
      values: [
        c.uscc,
        c.name,
        r.pick(['工贸', '工贸', '危险化学品', '建筑施工', '仓储物流', '人员密集场所']),
        ymd(randomDay(r, '2023-01-01', '2025-12-31'), 'dot'),
        r.pick(['日常检查', '专项检查', '复查']),
        hazards,
        Math.max(0, hazards - r.int(0, 1)),
        hazards === 0 ? '无' : hazards > 4 ? '立案处罚' : '责令限期整改',
      ],
    };
  },
};

const police: ResourceSpec = {
  key: 'police-stations',
  providerCode: 'GAJ',
  name: '派出所及户政服务窗口',
  nameEn: 'Police stations and household registration counters',
  abstract: '云溪区派出所、户政服务窗口和出入境服务点的名称、服务内容、地址、办公时间、咨询电话和位置。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'irregular',
  domain: 'safety',
  topics: ['public_service'],
  tags: ['派出所', '户政', '办事网点', '地图'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: STREETS.length + 3,
  big: false,
  geo: 'point',
  fields: [
    F.str('名称', 'name', 40, '网点名称'),
    F.str('服务内容', 'services', 100, '服务内容'),
    F.str('地址', 'address', 120, '地址'),
    F.str('办公时间', 'hours', 40, '办公时间'),
    F.str('咨询电话', 'phone', 13, '咨询电话', { sensitivity: 'landline', grade: 'L1' }),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const rng = new Rng(`${ctx.seed}:police`);
    return (i) => {
      const s = STREETS[i % STREETS.length] as Street;
      const [lon, lat] = pointNear(rng, s, 0.006);
      const extra = i >= STREETS.length;
      return {
        values: [
          extra
            ? `${DISTRICT.name}${['出入境服务点', '车管服务站', '户政服务中心'][i - STREETS.length] ?? '服务点'}`
            : `${s.name.replace(/街道|镇/, '')}派出所`,
          extra ? '出入境证件、机动车业务' : '户籍办理、居住证、身份证、治安报警',
          `${DISTRICT.name}${s.name}${rng.pick(ROADS)}${rng.int(1, 300)}号`,
          '周一至周五 09:00-12:00，14:00-17:30；周六上午',
          landline(rng),
          lon,
          lat,
          null,
        ],
        geometry: point(lon, lat),
      };
    };
  },
};

const population: ResourceSpec = {
  key: 'population-sample',
  providerCode: 'GAJ',
  name: '户籍人口基础信息（抽样）',
  nameEn: 'Registered population (sample)',
  abstract:
    '云溪区户籍人口基础信息抽样库，包括姓名、公民身份号码、性别、民族、出生日期、户籍地址、所属街道和联系电话。属人口基础信息资源，不予开放；政务部门经审批后共享脱敏数据或核验服务。',
  classCategory: '1',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.personal,
  sharingBasis: BASIS.hukou,
  sharingMethod: 'api',
  openType: 'none',
  updateCycle: 'daily',
  domain: 'safety',
  topics: ['population'],
  tags: ['人口', '户籍', '身份核验'],
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['health-records', 'minimum-living-allowance'],
  status: 'published',
  rows: 20_000,
  big: true,
  fields: [
    F.str('姓名', 'name', 20, '姓名', { sensitivity: 'name', grade: 'L3' }),
    F.str('公民身份号码', 'id_no', 18, '18 位公民身份号码（GB 11643）', { sensitivity: 'id_card', grade: 'L4' }),
    F.str('性别', 'sex', 2, '男/女'),
    F.str('民族', 'ethnicity', 10, '民族'),
    F.date('出生日期', 'birth_date', '出生日期'),
    F.str('户籍地址', 'address', 120, '户籍地址', { sensitivity: 'address', grade: 'L3' }),
    F.street(),
    F.str('联系电话', 'phone', 11, '手机号码', { sensitivity: 'mobile', grade: 'L3' }),
    F.division(),
  ],
  generate: (ctx) => () => {
    const r = ctx.rng;
    const sex = r.chance(0.51) ? 'M' : 'F';
    const b = birthDate(r, 0, 95);
    const s = street(r);
    const adult = 2025 - b.getUTCFullYear() >= 16;
    return {
      values: [
        personName(r, sex),
        idCard(r, b, sex),
        sex === 'M' ? '男' : '女',
        r.weighted([
          ['汉族', 96],
          ['壮族', 1.5],
          ['瑶族', 1],
          ['土家族', 0.5],
          ['苗族', 0.5],
          ['畲族', 0.5],
        ] as const),
        ymd(b),
        fullAddress(r, s),
        s.name,
        adult && r.chance(0.9) ? mobile(r) : null,
        DISTRICT.code,
      ],
    };
  },
};

// ---------------------------------------------------------------- social security (社会保障) & labour

const INSURANCES = ['城镇职工基本养老保险', '城乡居民基本养老保险', '失业保险', '工伤保险', '职工基本医疗保险'];

const insurance: ResourceSpec = {
  key: 'social-insurance-monthly',
  providerCode: 'RSJ',
  name: '社会保险参保人数统计',
  nameEn: 'Social insurance enrolment',
  abstract: '按月份、街道和险种统计的社会保险参保人数、当月新增参保人数和基金收入。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'social_security',
  topics: ['public_service'],
  tags: ['社保', '参保', '养老保险'],
  licence: LICENCE_CC_BY,
  temporalStart: '2023-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 36 * STREETS.length * INSURANCES.length,
  big: false,
  fields: [
    F.str('统计月份', 'month', 7, 'YYYY-MM'),
    F.street(),
    F.str('险种', 'insurance', 20, '险种'),
    F.num('参保人数', 'insured', '参保人数（人，部分含千位分隔符）', 9),
    F.num('新增参保人数', 'new_insured', '当月新增参保人数', 7),
    F.num('基金收入', 'income_wan', '基金收入（万元）', 10),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const per = STREETS.length * INSURANCES.length;
    const m = Math.floor(i / per);
    const s = STREETS[Math.floor((i % per) / INSURANCES.length)] as Street;
    const k = i % INSURANCES.length;
    const insured = Math.round(s.weight * [9000, 2500, 7000, 7200, 8500][k]! * (1 + m * 0.002) * r.float(0.98, 1.02));
    return {
      values: [
        `${2023 + Math.floor(m / 12)}-${pad((m % 12) + 1, 2)}`,
        s.name,
        INSURANCES[k] as string,
        r.chance(0.3) ? thousands(insured, 0) : insured,
        Math.round(insured * r.float(0.003, 0.012)),
        round(insured * r.float(0.03, 0.09), 1),
      ],
    };
  },
};

const allowance: ResourceSpec = {
  key: 'minimum-living-allowance',
  providerCode: 'MZJ',
  name: '最低生活保障对象信息',
  nameEn: 'Minimum living allowance recipients',
  abstract:
    '云溪区城乡最低生活保障对象的户主信息、保障人口、月保障金额、所属街道和认定日期。含个人敏感信息，仅向承担社会救助职责的部门有条件共享；按街道汇总的统计数据另行开放。',
  classCategory: '2',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.personal,
  sharingBasis: BASIS.assistance,
  sharingMethod: 'table',
  openType: 'none',
  updateCycle: 'monthly',
  domain: 'social_security',
  topics: ['public_service', 'population'],
  tags: ['低保', '社会救助', '民生保障'],
  temporalStart: '2020-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['population-sample'],
  status: 'published',
  rows: 1_800,
  big: true,
  fields: [
    F.str('户主姓名', 'head_name', 20, '户主姓名', { sensitivity: 'name', grade: 'L3' }),
    F.str('户主身份证号', 'head_id', 18, '户主公民身份号码', { sensitivity: 'id_card', grade: 'L3' }),
    F.str('联系电话', 'phone', 11, '联系电话', { sensitivity: 'mobile', grade: 'L3' }),
    F.str('保障类别', 'kind', 10, '城市低保或农村低保'),
    F.num('保障人口', 'members', '保障人口数（人）', 2),
    F.num('月保障金额', 'monthly_yuan', '月保障金额（元）', 8),
    F.street(),
    F.date('认定日期', 'approved_on', '认定日期'),
    F.str('银行账号', 'bank_account', 19, '保障金发放银行账号', { sensitivity: 'bank_card', grade: 'L3' }),
  ],
  generate: (ctx) => () => {
    const r = ctx.rng;
    const sex = r.chance(0.55) ? 'M' : 'F';
    const s = street(r);
    const members = r.int(1, 5);
    return {
      values: [
        personName(r, sex),
        idCard(r, birthDate(r, 25, 85), sex),
        mobile(r),
        s.name.endsWith('镇') ? '农村低保' : '城市低保',
        members,
        members * r.pick([1050, 1120, 1180]),
        s.name,
        ymd(randomDay(r, '2020-01-01', '2025-12-31')),
        `6217${r.digits(15)}`,
      ],
    };
  },
};

const elderly: ResourceSpec = {
  key: 'elderly-care-facilities',
  providerCode: 'MZJ',
  name: '养老服务机构',
  nameEn: 'Elderly care facilities',
  abstract: '云溪区养老院、长者饭堂、社区居家养老服务中心的名称、类型、床位数、收费标准、地址和联系电话。',
  classCategory: '2',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'quarterly',
  domain: 'social_security',
  topics: ['public_service', 'community'],
  tags: ['养老', '长者饭堂', '社区服务'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'withdrawn',
  rows: 45,
  big: false,
  geo: 'point',
  fields: [
    F.str('机构名称', 'name', 60, '机构名称'),
    F.str('机构类型', 'kind', 20, '养老院、长者饭堂、居家养老服务中心'),
    F.num('床位数', 'beds', '床位数（张）', 5),
    F.str('收费标准', 'fee', 40, '收费标准'),
    F.str('地址', 'address', 120, '地址'),
    F.str('联系电话', 'phone', 13, '联系电话', { sensitivity: 'landline', grade: 'L1' }),
    F.lon(),
    F.lat(),
    F.geometry(),
  ],
  generate: (ctx) => {
    const unique = uniqueNames();
    return (i) => {
      const r = ctx.rng;
      const s = STREETS[i % STREETS.length] as Street;
      const [lon, lat] = pointNear(r, s, 0.01);
      const kind = r.pick(['养老院', '长者饭堂', '居家养老服务中心']);
      return {
        values: [
          unique(`${s.name}${kind === '养老院' ? r.pick(['颐康', '福寿', '康乐']) : ''}${kind}`),
          kind,
          kind === '养老院' ? r.int(40, 300) : 0,
          kind === '长者饭堂'
            ? '每餐 8–12 元，80 岁以上长者减免'
            : kind === '养老院'
              ? `每月 ${r.int(25, 60) * 100} 元起`
              : '基本服务免费',
          `${DISTRICT.name}${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
          landline(r),
          lon,
          lat,
          null,
        ],
        geometry: point(lon, lat),
      };
    };
  },
};

const jobs: ResourceSpec = {
  key: 'job-postings',
  providerCode: 'RSJ',
  name: '企业招聘岗位信息',
  nameEn: 'Job postings',
  abstract:
    '在云溪区公共就业服务平台发布的企业招聘岗位：岗位名称、招聘人数、学历和经验要求、薪酬范围、工作地点和发布日期。',
  classCategory: '3',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'daily',
  domain: 'labour',
  topics: ['public_service'],
  tags: ['招聘', '就业', '岗位'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry'],
  status: 'published',
  rows: 5_000,
  big: true,
  fields: [
    F.str('岗位编号', 'job_id', 14, '岗位编号'),
    F.str('岗位名称', 'title', 40, '岗位名称'),
    F.str('招聘单位', 'employer', 100, '招聘单位'),
    F.uscc('单位统一社会信用代码', '招聘单位统一社会信用代码'),
    F.num('招聘人数', 'openings', '招聘人数', 4),
    F.str('学历要求', 'education', 10, '学历要求'),
    F.str('经验要求', 'experience', 10, '工作经验要求'),
    F.num('月薪下限', 'salary_min', '月薪下限（元）', 7),
    F.num('月薪上限', 'salary_max', '月薪上限（元）', 7),
    F.street(),
    F.date('发布日期', 'posted_on', '发布日期'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const [title, lo] = r.pick([
      ['普工', 4500],
      ['销售代表', 5000],
      ['会计', 5500],
      ['软件工程师', 9000],
      ['电工', 6000],
      ['厨师', 5500],
      ['仓管员', 4800],
      ['保安', 4200],
      ['行政助理', 4800],
      ['数据分析师', 8500],
      ['护理员', 4800],
      ['质检员', 5200],
    ] as const);
    const min = Math.round((lo * r.float(0.9, 1.2)) / 100) * 100;
    return {
      values: [
        `ZP${pad(i + 1, 8)}`,
        title,
        c.name,
        c.uscc,
        r.int(1, 20),
        r.pick(['不限', '初中', '高中/中专', '大专', '本科']),
        r.pick(['不限', '1年以上', '3年以上', '5年以上']),
        min,
        Math.round((min * r.float(1.2, 1.8)) / 100) * 100,
        c.street.name,
        ymd(randomDay(r, '2025-01-01', '2025-12-31')),
      ],
    };
  },
};

const training: ResourceSpec = {
  key: 'vocational-training-institutions',
  providerCode: 'RSJ',
  name: '职业技能培训机构目录',
  nameEn: 'Vocational training institutions',
  abstract:
    '经人力资源和社会保障部门备案的职业技能培训机构名称、办学许可证号、培训工种、地址和联系电话，纳入补贴性培训目录的单独标注。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'semiannual',
  domain: 'labour',
  topics: ['public_service'],
  tags: ['职业培训', '技能提升', '就业'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 70,
  big: false,
  fields: [
    F.str('机构名称', 'name', 80, '机构名称'),
    F.str('办学许可证号', 'permit_no', 20, '民办学校办学许可证号'),
    F.str('培训工种', 'trades', 100, '主要培训职业（工种）'),
    F.str('地址', 'address', 120, '地址'),
    F.str('联系电话', 'phone', 13, '联系电话', { sensitivity: 'landline', grade: 'L1' }),
    F.str('补贴性培训', 'subsidised', 2, '是否纳入补贴性培训目录：是/否'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const s = street(r);
    return {
      values: [
        `${DISTRICT.name}${r.pick(['技工', '职业', '技能', '家政'])}培训学校${i >= 20 ? `（${s.name}校区）` : ''}${i + 1 > 1 ? pad(i + 1, 2) : ''}`,
        `人社民${DISTRICT.code}${pad(i + 1, 6)}`,
        r.pick([
          '电工、焊工',
          '育婴员、家政服务员',
          '中式烹调师、面点师',
          '电子商务师、网络营销',
          '养老护理员、保健按摩师',
          '汽车维修工',
        ]),
        `${DISTRICT.name}${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
        landline(r),
        r.chance(0.6) ? '是' : '否',
      ],
    };
  },
};

// ---------------------------------------------------------------- organisations (机构团体)

const directory: ResourceSpec = {
  key: 'government-agencies-directory',
  providerCode: 'SJJ',
  name: '区直机关及内设机构名录',
  nameEn: 'Directory of district government bodies',
  abstract:
    '云溪区人民政府工作部门及其内设科室的名称、机构代码、上级机构和机构层级，供各部门对照数据提供方和组织机构使用。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'irregular',
  domain: 'organisations',
  topics: ['legal_entity'],
  tags: ['政府机构', '部门', '组织机构'],
  licence: LICENCE_CC_BY,
  temporalStart: '2025-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 0,
  countRows: () => buildDepartments().length,
  big: false,
  fields: [
    F.str('机构代码', 'code', 10, '机构代码'),
    F.str('机构名称', 'name', 60, '机构名称'),
    F.str('英文名称', 'name_en', 120, '英文名称'),
    F.str('机构层级', 'kind', 10, '市、区、部门或内设科室'),
    F.str('上级机构代码', 'parent_code', 10, '上级机构代码'),
  ],
  generate: () => {
    const list = buildDepartments();
    const kinds: Record<string, string> = { city: '市', district: '区', department: '部门', office: '内设科室' };
    return (i): GeneratedRow => {
      const d = list[i % list.length] as (typeof list)[number];
      return { values: [d.code, d.name, d.nameEn, kinds[d.kind] ?? d.kind, d.parentCode] };
    };
  },
};

export const SOCIETY: readonly ResourceSpec[] = [
  hotline,
  hotlineMonthly,
  serviceItems,
  serviceStats,
  schoolSpec,
  enrolment,
  hospitalSpec,
  outpatient,
  vaccination,
  healthRecords,
  scenic,
  tourism,
  shelters,
  safetyInspections,
  police,
  population,
  insurance,
  allowance,
  elderly,
  jobs,
  training,
  directory,
];

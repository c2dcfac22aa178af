import { orgCodeCheckChar, usccCheckChar } from '../../governance/checksums.ts';
import { BASE_COMPANIES, companyAt } from '../entities.ts';
import {
  addDays,
  fullAddress,
  mobile,
  pad,
  personName,
  randomDay,
  round,
  street,
  thousands,
  uscc,
  ymd,
  uniqueNames,
} from '../identity.ts';
import { DISTRICT, ROADS } from '../place.ts';
import { BASIS, CONDITIONS, F, LICENCE_CC_BY, LICENCE_OPEN_DATA, type ResourceSpec } from './spec.ts';

/** The district market regulation bureau's own code (government bodies: 11 + division + organisation code). */
const DEPT_ORG = 'MB2C9041';
const DEPT_USCC_17 = `11${DISTRICT.code}${DEPT_ORG}${orgCodeCheckChar(DEPT_ORG)}`;
const DEPT_USCC = DEPT_USCC_17 + usccCheckChar(DEPT_USCC_17);

const registry: ResourceSpec = {
  key: 'enterprise-registry',
  providerCode: 'SCJGJ',
  name: '企业登记注册信息',
  nameEn: 'Enterprise registry',
  abstract:
    '在云溪区登记注册的企业的统一社会信用代码、名称、类型、法定代表人、注册资本、成立日期、住所、行业和登记状态。是法人单位基础信息资源，供各部门核验企业身份。',
  classCategory: '1',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'unconditional',
  updateCycle: 'daily',
  domain: 'enterprise',
  topics: ['legal_entity'],
  tags: ['企业', '商事登记', '统一社会信用代码', '法人'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '1998-01-01',
  temporalEnd: '2025-11-30',
  relatedKeys: ['admin-licence-disclosure', 'admin-penalty-disclosure', 'market-inspections'],
  status: 'published',
  rows: BASE_COMPANIES,
  big: true,
  fields: [
    F.uscc(),
    F.str('企业名称', 'name', 100, '企业名称'),
    F.str('企业类型', 'type', 40, '企业类型'),
    F.str('法定代表人', 'legal_rep', 20, '法定代表人（负责人）姓名，依法公示', { sensitivity: 'name', grade: 'L1' }),
    F.num('注册资本', 'capital', '注册资本（万元人民币）', 14),
    F.date('成立日期', 'established_on', '成立日期'),
    F.str('住所', 'address', 120, '企业住所'),
    F.str('行业门类', 'industry', 40, '国民经济行业门类'),
    F.str('登记状态', 'status', 20, '存续、注销、吊销等'),
    F.str('登记机关', 'authority', 40, '登记机关'),
    F.division(),
  ],
  generate: (ctx) => (i) => {
    const c = companyAt(ctx.seed, i);
    // Department exports write large capitals with thousand separators now and then.
    const capital = c.capitalWan >= 1000 && ctx.rng.chance(0.5) ? thousands(c.capitalWan) : c.capitalWan;
    return {
      values: [
        c.uscc,
        c.name,
        c.type,
        c.legalRep,
        capital,
        ymd(c.established),
        c.address,
        c.industry,
        c.status,
        `${DISTRICT.name}市场监督管理局`,
        DISTRICT.code,
      ],
    };
  },
};

const individual: ResourceSpec = {
  key: 'individual-businesses',
  providerCode: 'SCJGJ',
  name: '个体工商户登记信息',
  nameEn: 'Individual businesses',
  abstract:
    '云溪区个体工商户的统一社会信用代码、字号名称、经营者、组成形式、经营范围、经营场所和登记状态。经营者姓名、联系电话按个人信息脱敏后共享。',
  classCategory: '1',
  format: 'table',
  sharingType: 'conditional',
  sharingConditions: CONDITIONS.approval,
  sharingBasis: BASIS.pipl,
  sharingMethod: 'table',
  openType: 'conditional',
  openConditions: '经营者个人信息脱敏后开放，申请人需签署《公共数据开放利用协议》',
  updateCycle: 'daily',
  domain: 'enterprise',
  topics: ['legal_entity'],
  tags: ['个体工商户', '商事登记', '小微'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2005-01-01',
  temporalEnd: '2025-11-30',
  status: 'published',
  rows: 8_000,
  big: true,
  fields: [
    F.uscc('统一社会信用代码', '统一社会信用代码（个体工商户以 92 开头）'),
    F.str('字号名称', 'name', 60, '个体工商户名称'),
    F.str('经营者', 'operator', 20, '经营者姓名', { sensitivity: 'name', grade: 'L2' }),
    F.str('联系电话', 'phone', 11, '经营者手机号码', { sensitivity: 'mobile', grade: 'L2' }),
    F.str('组成形式', 'form', 10, '个人经营或家庭经营'),
    F.str('经营范围', 'scope', 200, '经营范围'),
    F.str('经营场所', 'address', 120, '经营场所'),
    F.date('注册日期', 'registered_on', '注册日期'),
    F.str('登记状态', 'status', 10, '存续或注销'),
  ],
  generate: (ctx) => () => {
    const r = ctx.rng;
    const [trade, scope] = r.pick([
      ['餐饮店', '餐饮服务；食品销售'],
      ['便利店', '日用百货、预包装食品零售'],
      ['理发店', '理发及美容服务'],
      ['五金店', '五金产品、建材零售'],
      ['水果店', '新鲜水果零售'],
      ['手机维修店', '通讯设备维修'],
      ['粮油店', '粮油制品零售'],
      ['洗衣店', '洗染服务'],
      ['烧腊店', '熟食制售'],
      ['茶叶店', '茶叶、茶具零售'],
    ] as const);
    const s = street(r);
    return {
      values: [
        uscc(r, '92', r.chance(0.03)),
        `${DISTRICT.name}${s.name.slice(0, 2)}${r.pick(['记', '氏', '家', '佳', '好'])}${trade}`,
        personName(r),
        mobile(r),
        r.chance(0.85) ? '个人经营' : '家庭经营',
        scope,
        fullAddress(r, s),
        ymd(randomDay(r, '2005-01-01', '2025-11-30')),
        r.chance(0.88) ? '存续' : '注销',
      ],
    };
  },
};

/** 双公示: field names follow the national 行政许可/行政处罚信息 data standards. */
const LICENCE_KINDS: readonly (readonly [string, string, string])[] = [
  ['食品经营许可证', '普通', 'SCJGJ'],
  ['建筑工程施工许可证', '普通', 'ZJJ'],
  ['排污许可证', '普通', 'STHJJ'],
  ['医疗机构执业许可证', '认可', 'WJW'],
  ['民办学校办学许可证', '普通', 'JYJ'],
  ['城市排水许可证', '普通', 'SWJ'],
  ['城市建筑垃圾处置核准', '核准', 'CGJ'],
  ['人力资源服务许可证', '普通', 'RSJ'],
  ['药品经营许可证', '普通', 'SCJGJ'],
  ['公共场所卫生许可证', '普通', 'WJW'],
];
const AUTHORITY: Record<string, string> = {
  SCJGJ: '市场监督管理局',
  ZJJ: '住房和城乡建设局',
  STHJJ: '生态环境局',
  WJW: '卫生健康委员会',
  JYJ: '教育局',
  SWJ: '水务局',
  CGJ: '城市管理和综合执法局',
  RSJ: '人力资源和社会保障局',
};

const disclosureCommon = {
  classCategory: '1' as const,
  format: 'table' as const,
  sharingType: 'unconditional' as const,
  sharingMethod: 'api' as const,
  openType: 'unconditional' as const,
  updateCycle: 'daily' as const,
  licence: LICENCE_CC_BY,
  big: true,
};

const legalRepFields = [
  F.str('法定代表人', 'legal_rep', 20, '法定代表人姓名', { sensitivity: 'name', grade: 'L1' }),
  F.str('法定代表人证件类型', 'legal_rep_id_type', 10, '证件类型'),
  F.str('法定代表人证件号码', 'legal_rep_id', 18, '法定代表人居民身份证号码，公示时脱敏', {
    sensitivity: 'id_card',
    grade: 'L2',
  }),
];

const licenceDisclosure: ResourceSpec = {
  ...disclosureCommon,
  key: 'admin-licence-disclosure',
  providerCode: 'SCJGJ',
  name: '行政许可信息公示（双公示）',
  nameEn: 'Administrative licence disclosures',
  abstract:
    '云溪区各部门作出的行政许可决定的“双公示”信息：行政相对人、许可证书、许可内容、有效期和许可机关。法定代表人证件号码脱敏后公示。',
  domain: 'enterprise',
  topics: ['social_credit', 'credit', 'e_licence'],
  tags: ['双公示', '行政许可', '信用信息'],
  temporalStart: '2021-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry', 'admin-penalty-disclosure'],
  status: 'published',
  rows: 6_000,
  fields: [
    F.str('行政相对人名称', 'party_name', 100, '行政相对人名称'),
    F.str('行政相对人类别', 'party_kind', 10, '法人及非法人组织、自然人、个体工商户'),
    F.uscc('统一社会信用代码', '行政相对人统一社会信用代码'),
    ...legalRepFields,
    F.str('行政许可决定文书名称', 'decision_title', 60, '行政许可决定文书名称'),
    F.str('行政许可决定文书号', 'decision_no', 40, '行政许可决定文书号'),
    F.str('许可类别', 'licence_kind', 10, '普通、特许、认可、核准、登记、其他'),
    F.str('许可证书名称', 'certificate', 40, '许可证书名称'),
    F.str('许可编号', 'licence_no', 30, '许可证编号'),
    F.str('许可内容', 'content', 200, '许可内容'),
    F.date('许可决定日期', 'decided_on', '许可决定日期'),
    F.date('有效期自', 'valid_from', '有效期起'),
    F.date('有效期至', 'valid_to', '有效期止'),
    F.str('许可机关', 'authority', 40, '许可机关'),
    F.uscc('许可机关统一社会信用代码', '许可机关统一社会信用代码'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const [cert, kind, dept] = r.pick(LICENCE_KINDS);
    const d = randomDay(r, '2021-01-01', '2025-12-31');
    const years = r.pick([3, 5, 5]);
    const authority = `${DISTRICT.name}${AUTHORITY[dept] ?? ''}`;
    const no = `云${dept}许字〔${d.getUTCFullYear()}〕${pad(i % 10000, 4)}号`;
    return {
      values: [
        c.name,
        '法人及非法人组织',
        c.uscc,
        c.legalRep,
        '身份证',
        c.legalRepId,
        `${cert}准予许可决定书`,
        no,
        kind,
        cert,
        `${dept}${ymd(d, 'compact')}${pad(i % 1000, 3)}`,
        `准予核发${cert}`,
        ymd(d),
        ymd(d),
        ymd(addDays(d, years * 365 - 1)),
        authority,
        DEPT_USCC,
      ],
    };
  },
};

const PENALTIES: readonly (readonly [string, string, string, number, number])[] = [
  [
    '销售不符合食品安全标准的食品',
    '《中华人民共和国食品安全法》第三十四条',
    '《中华人民共和国食品安全法》第一百二十四条',
    5000,
    50000,
  ],
  ['未按规定公示营业执照', '《无证无照经营查处办法》第二条', '《市场主体登记管理条例》第四十八条', 1000, 10000],
  [
    '超标排放大气污染物',
    '《中华人民共和国大气污染防治法》第十八条',
    '《中华人民共和国大气污染防治法》第九十九条',
    100000,
    500000,
  ],
  ['擅自占用城市道路', '《城市道路管理条例》第二十七条', '《城市道路管理条例》第四十二条', 2000, 20000],
  ['未取得施工许可证擅自施工', '《中华人民共和国建筑法》第七条', '《建设工程质量管理条例》第五十七条', 20000, 200000],
  ['虚假宣传', '《中华人民共和国反不正当竞争法》第八条', '《中华人民共和国反不正当竞争法》第二十条', 20000, 200000],
];

const penaltyDisclosure: ResourceSpec = {
  ...disclosureCommon,
  key: 'admin-penalty-disclosure',
  providerCode: 'SCJGJ',
  name: '行政处罚信息公示（双公示）',
  nameEn: 'Administrative penalty disclosures',
  abstract:
    '云溪区各执法部门作出的行政处罚决定的“双公示”信息：违法行为类型、违法事实、处罚依据、处罚内容、罚没金额和处罚机关。公示期满后按规定撤下。',
  domain: 'enterprise',
  topics: ['social_credit', 'credit'],
  tags: ['双公示', '行政处罚', '信用信息', '执法'],
  temporalStart: '2021-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry', 'admin-licence-disclosure'],
  status: 'published',
  rows: 2_500,
  fields: [
    F.str('行政相对人名称', 'party_name', 100, '行政相对人名称'),
    F.str('行政相对人类别', 'party_kind', 10, '法人及非法人组织、自然人、个体工商户'),
    F.uscc('统一社会信用代码', '行政相对人统一社会信用代码'),
    ...legalRepFields,
    F.str('行政处罚决定书文号', 'decision_no', 40, '行政处罚决定书文号'),
    F.str('违法行为类型', 'violation', 60, '违法行为类型'),
    F.str('违法事实', 'facts', 300, '违法事实'),
    F.str('处罚依据', 'basis', 200, '处罚依据'),
    F.str('处罚类别', 'penalty_kind', 20, '警告、罚款、没收违法所得等'),
    F.str('处罚内容', 'penalty', 200, '处罚内容'),
    F.num('罚款金额', 'fine_wan', '罚款金额（万元）', 12),
    F.date('处罚决定日期', 'decided_on', '处罚决定日期（部分记录为 2020年12月21日 形式）'),
    F.str('处罚机关', 'authority', 40, '处罚机关'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const [what, violated, basis, lo, hi] = r.pick(PENALTIES);
    const d = randomDay(r, '2021-01-01', '2025-12-31');
    const fine = Math.round(r.float(lo, hi) / 100) * 100;
    return {
      values: [
        c.name,
        '法人及非法人组织',
        c.uscc,
        c.legalRep,
        '身份证',
        c.legalRepId,
        `云溪市监罚〔${d.getUTCFullYear()}〕${pad((i % 900) + 1, 3)}号`,
        what,
        `当事人${what}，违反了${violated}的规定。`,
        basis,
        fine > 0 ? '罚款' : '警告',
        `罚款人民币${thousands(fine, 0)}元`,
        round(fine / 10000, 4),
        r.chance(0.15) ? ymd(d, 'cn') : ymd(d),
        `${DISTRICT.name}市场监督管理局`,
      ],
    };
  },
};

const inspections: ResourceSpec = {
  key: 'market-inspections',
  providerCode: 'SCJGJ',
  name: '“双随机、一公开”抽查检查结果',
  nameEn: 'Random market inspections',
  abstract:
    '云溪区市场监管部门“双随机、一公开”抽查检查的任务、检查对象、检查事项、检查日期和检查结果，可用于企业信用评价。',
  classCategory: '2',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'enterprise',
  topics: ['food_drug', 'credit'],
  tags: ['双随机', '抽查', '监管', '食品安全'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2022-01-01',
  temporalEnd: '2025-12-31',
  relatedKeys: ['enterprise-registry'],
  status: 'published',
  rows: 4_000,
  big: true,
  fields: [
    F.str('抽查任务编号', 'task_no', 20, '抽查任务编号'),
    F.str('抽查任务名称', 'task_name', 60, '抽查任务名称'),
    F.uscc(),
    F.str('企业名称', 'name', 100, '检查对象名称'),
    F.str('检查事项', 'item', 60, '检查事项'),
    F.date('检查日期', 'inspected_on', '检查完成日期（形如 2020/12/21）'),
    F.str('检查结果', 'result', 40, '检查结果'),
    F.str('检查机关', 'authority', 40, '检查实施机关'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const d = randomDay(r, '2022-01-01', '2025-12-31');
    const task = r.pick([
      '食品经营者监督检查',
      '产品质量监督抽查',
      '广告发布行为检查',
      '企业公示信息抽查',
      '特种设备安全检查',
    ]);
    return {
      values: [
        `SJ${d.getUTCFullYear()}${pad((i % 40) + 1, 4)}`,
        `${d.getUTCFullYear()}年${task}`,
        c.uscc,
        c.name,
        task.replace('检查', '').replace('抽查', ''),
        ymd(d, 'slash'),
        r.weighted([
          ['未发现问题', 78],
          ['发现问题已责令改正', 12],
          ['未按规定公示应当公示的信息', 4],
          ['通过登记的住所（经营场所）无法联系', 4],
          ['发现问题待后续处理', 2],
        ] as const),
        `${DISTRICT.name}市场监督管理局`,
      ],
    };
  },
};

const foodLicences: ResourceSpec = {
  key: 'food-business-licences',
  providerCode: 'SCJGJ',
  name: '食品经营许可证发证信息',
  nameEn: 'Food business licences',
  abstract: '云溪区食品经营许可证的许可证编号、经营者名称、经营场所、主体业态、经营项目、发证日期和有效期。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'weekly',
  domain: 'enterprise',
  topics: ['e_licence', 'food_drug'],
  tags: ['食品经营许可', '电子证照', '食品安全'],
  licence: LICENCE_CC_BY,
  temporalStart: '2020-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 3_000,
  big: true,
  fields: [
    F.str('许可证编号', 'licence_no', 16, '食品经营许可证编号（JY + 14 位数字）'),
    F.str('经营者名称', 'name', 100, '经营者名称'),
    F.uscc(),
    F.str('经营场所', 'address', 120, '经营场所'),
    F.str('主体业态', 'format', 20, '主体业态'),
    F.str('经营项目', 'items', 100, '经营项目'),
    F.date('发证日期', 'issued_on', '发证日期（形如 2020年12月21日）'),
    F.date('有效期至', 'valid_to', '有效期截止日期（形如 2020年12月21日）'),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, r.int(0, BASE_COMPANIES - 1));
    const d = randomDay(r, '2020-01-01', '2025-12-31');
    return {
      values: [
        `JY${r.int(1, 3)}${DISTRICT.code}${pad(i % 10_000_000, 7)}`,
        c.name,
        c.uscc,
        c.address,
        r.pick(['餐饮服务经营者', '食品销售经营者', '单位食堂', '中央厨房']),
        r.pick([
          '预包装食品销售（含冷藏冷冻食品）',
          '热食类食品制售',
          '冷食类食品制售；热食类食品制售',
          '散装食品销售（不含冷藏冷冻食品）',
          '保健食品销售',
        ]),
        ymd(d, 'cn'),
        ymd(addDays(d, 5 * 365 - 1), 'cn'),
      ],
    };
  },
};

const highTech: ResourceSpec = {
  key: 'high-tech-enterprises',
  providerCode: 'GXJ',
  name: '高新技术企业认定名单',
  nameEn: 'Certified high-tech enterprises',
  abstract: '云溪区通过认定的高新技术企业名称、统一社会信用代码、证书编号、认定年度和技术领域。',
  classCategory: '3',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'education',
  topics: ['legal_entity'],
  tags: ['高新技术企业', '科技创新', '企业认定'],
  licence: LICENCE_CC_BY,
  temporalStart: '2019-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 300,
  big: false,
  fields: [
    F.uscc(),
    F.str('企业名称', 'name', 100, '企业名称'),
    F.str('证书编号', 'certificate_no', 20, '高新技术企业证书编号'),
    F.num('认定年度', 'year', '认定年度', 4),
    F.str('技术领域', 'field', 30, '国家重点支持的高新技术领域'),
    F.num('研发人员数', 'rd_staff', '研发人员数量（人）', 6),
  ],
  generate: (ctx) => (i) => {
    const r = ctx.rng;
    const c = companyAt(ctx.seed, (i * 61 + 7) % BASE_COMPANIES);
    const year = r.int(2019, 2025);
    return {
      values: [
        c.uscc,
        c.name,
        `GR${year}44${pad(r.int(0, 99999), 6)}`,
        year,
        r.pick(['电子信息', '生物与新医药', '新材料', '高技术服务', '先进制造与自动化', '新能源与节能', '资源与环境']),
        r.int(8, 260),
      ],
    };
  },
};

const socialOrgs: ResourceSpec = {
  key: 'social-organisations',
  providerCode: 'MZJ',
  name: '社会组织登记信息',
  nameEn: 'Registered social organisations',
  abstract:
    '在云溪区民政局登记的社会团体、民办非企业单位（社会服务机构）和基金会的名称、统一社会信用代码、业务范围、业务主管单位、成立日期和年检结果。',
  classCategory: '1',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'table',
  openType: 'unconditional',
  updateCycle: 'monthly',
  domain: 'organisations',
  topics: ['legal_entity'],
  tags: ['社会组织', '社会团体', '民办非企业', '基金会'],
  licence: LICENCE_OPEN_DATA,
  temporalStart: '2000-01-01',
  temporalEnd: '2025-12-31',
  status: 'published',
  rows: 420,
  big: false,
  fields: [
    F.uscc('统一社会信用代码', '统一社会信用代码（社会组织以 5 开头）'),
    F.str('组织名称', 'name', 100, '社会组织名称'),
    F.str('组织类型', 'kind', 20, '社会团体、社会服务机构、基金会'),
    F.str('法定代表人', 'legal_rep', 20, '法定代表人姓名', { sensitivity: 'name', grade: 'L1' }),
    F.str('业务范围', 'scope', 200, '业务范围'),
    F.str('业务主管单位', 'supervisor', 40, '业务主管单位'),
    F.date('成立日期', 'established_on', '成立登记日期'),
    F.str('年检结论', 'inspection', 10, '最近一次年度检查结论'),
    F.str('住所', 'address', 120, '住所'),
  ],
  generate: (ctx) => {
    const unique = uniqueNames();
    return () => {
      const r = ctx.rng;
      const [kind, prefix, suffix] = r.weighted([
        [['社会团体', '51', r.pick(['协会', '商会', '联合会', '研究会', '促进会'])], 45],
        [
          ['社会服务机构', '52', r.pick(['社会工作服务中心', '培训中心', '养老服务中心', '幼儿园', '文化发展中心'])],
          50,
        ],
        [['基金会', '53', '慈善基金会'], 5],
      ] as const);
      const topic = r.pick([
        '餐饮',
        '物流',
        '电子商务',
        '社区',
        '青年',
        '志愿者',
        '家政服务',
        '书法',
        '摄影',
        '龙舟',
        '舞狮',
        '跆拳道',
        '长者',
        '残疾人',
        '心理健康',
      ]);
      const s = street(r);
      return {
        values: [
          uscc(r, prefix, r.chance(0.02)),
          unique(`${DISTRICT.name}${r.chance(0.4) ? s.name.slice(0, 2) : ''}${topic}${suffix}`),
          kind,
          personName(r),
          `开展${topic}领域的交流、培训、咨询和公益服务活动`,
          r.chance(0.5)
            ? `${DISTRICT.name}民政局`
            : `${DISTRICT.name}${r.pick(['文化广电旅游体育局', '教育局', '科技工业和信息化局', '卫生健康委员会'])}`,
          ymd(randomDay(r, '2000-01-01', '2025-10-31')),
          r.weighted([
            ['合格', 85],
            ['基本合格', 10],
            ['不合格', 5],
          ] as const),
          `${s.name}${r.pick(ROADS)}${r.int(1, 300)}号`,
        ],
      };
    };
  },
};

const taxCredit: ResourceSpec = {
  key: 'tax-credit-a',
  providerCode: 'SWUJ',
  name: '纳税信用A级纳税人名单',
  nameEn: 'A-rated taxpayers',
  abstract: '经评价为纳税信用A级的云溪区纳税人的名称、纳税人识别号和评价年度。每年 4 月发布上一年度评价结果。',
  classCategory: '1',
  format: 'file',
  sharingType: 'unconditional',
  sharingMethod: 'file',
  openType: 'unconditional',
  updateCycle: 'yearly',
  domain: 'finance',
  topics: ['social_credit', 'credit'],
  tags: ['纳税信用', 'A级纳税人', '信用信息'],
  licence: LICENCE_CC_BY,
  temporalStart: '2021-01-01',
  temporalEnd: '2024-12-31',
  status: 'published',
  rows: 900,
  big: false,
  fields: [
    F.str('纳税人识别号', 'taxpayer_id', 18, '纳税人识别号（统一社会信用代码）'),
    F.str('纳税人名称', 'name', 100, '纳税人名称'),
    F.num('评价年度', 'year', '纳税信用评价年度', 4),
    F.str('信用级别', 'level', 2, '纳税信用级别'),
  ],
  generate: (ctx) => (i) => {
    const c = companyAt(ctx.seed, (i * 13 + 3) % BASE_COMPANIES);
    return { values: [c.uscc, c.name, 2021 + (i % 4), 'A'] };
  },
};

export const ENTERPRISE: readonly ResourceSpec[] = [
  registry,
  individual,
  licenceDisclosure,
  penaltyDisclosure,
  inspections,
  foodLicences,
  highTech,
  socialOrgs,
  taxCredit,
];

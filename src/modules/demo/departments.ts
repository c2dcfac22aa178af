import type { DemoDepartment, DemoUser } from './types.ts';
import { CITY, DISTRICT } from './place.ts';
import { personName } from './identity.ts';
import type { Rng } from './random.ts';

/**
 * Every demo account (except `admin`, created elsewhere) has this password, so a demo audience can
 * sign in as any role: e.g. sthjj_steward / Demo#2026, sjj_reviewer1 / Demo#2026, public_chen / Demo#2026.
 */
export const DEMO_PASSWORD = 'Demo#2026';

/** The data bureau: reviews publishing and conditional-sharing applications. */
export const BUREAU_CODE = 'SJJ';
export const CITY_CODE = 'YZS';
export const DISTRICT_CODE = 'YXQ';

interface DeptDef {
  code: string;
  name: string;
  nameEn: string;
  offices: readonly [string, string][];
}

/** District departments (委办局) with two or three of their offices (科室). */
export const DEPARTMENT_DEFS: readonly DeptDef[] = [
  {
    code: 'SJJ',
    name: '政务服务数据管理局',
    nameEn: 'Government Services and Data Administration Bureau',
    offices: [
      ['数据资源科', 'Data Resources Office'],
      ['政务服务科', 'Government Services Office'],
      ['数据安全科', 'Data Security Office'],
    ],
  },
  {
    code: 'STHJJ',
    name: '生态环境局',
    nameEn: 'Ecology and Environment Bureau',
    offices: [
      ['环境监测站', 'Environmental Monitoring Station'],
      ['水生态环境科', 'Water Environment Office'],
    ],
  },
  {
    code: 'JTYSJ',
    name: '交通运输局',
    nameEn: 'Transport Bureau',
    offices: [
      ['公共交通科', 'Public Transport Office'],
      ['综合规划科', 'Planning Office'],
    ],
  },
  {
    code: 'SCJGJ',
    name: '市场监督管理局',
    nameEn: 'Market Regulation Bureau',
    offices: [
      ['登记注册科', 'Registration Office'],
      ['食品安全监管科', 'Food Safety Office'],
      ['信用监管科', 'Credit Supervision Office'],
    ],
  },
  {
    code: 'GAJ',
    name: '公安分局',
    nameEn: 'Public Security Sub-bureau',
    offices: [
      ['户政管理科', 'Household Registration Office'],
      ['交通警察大队', 'Traffic Police Brigade'],
    ],
  },
  {
    code: 'WJW',
    name: '卫生健康委员会',
    nameEn: 'Health Commission',
    offices: [
      ['医政医管科', 'Medical Administration Office'],
      ['疾病预防控制科', 'Disease Control Office'],
    ],
  },
  {
    code: 'JYJ',
    name: '教育局',
    nameEn: 'Education Bureau',
    offices: [
      ['基础教育科', 'Basic Education Office'],
      ['招生考试办公室', 'Admissions Office'],
    ],
  },
  {
    code: 'SWJ',
    name: '水务局',
    nameEn: 'Water Affairs Bureau',
    offices: [
      ['河湖管理科', 'Rivers and Lakes Office'],
      ['供排水科', 'Water Supply and Drainage Office'],
    ],
  },
  {
    code: 'QXJ',
    name: '气象局',
    nameEn: 'Meteorological Bureau',
    offices: [
      ['气象台', 'Weather Observatory'],
      ['防灾减灾科', 'Disaster Reduction Office'],
    ],
  },
  {
    code: 'CGJ',
    name: '城市管理和综合执法局',
    nameEn: 'Urban Management and Law Enforcement Bureau',
    offices: [
      ['市容环境卫生科', 'City Appearance and Sanitation Office'],
      ['综合执法大队', 'Enforcement Brigade'],
    ],
  },
  {
    code: 'RSJ',
    name: '人力资源和社会保障局',
    nameEn: 'Human Resources and Social Security Bureau',
    offices: [
      ['就业促进科', 'Employment Office'],
      ['社会保险科', 'Social Insurance Office'],
    ],
  },
  {
    code: 'ZJJ',
    name: '住房和城乡建设局',
    nameEn: 'Housing and Urban-Rural Development Bureau',
    offices: [
      ['建筑业管理科', 'Construction Industry Office'],
      ['房地产市场科', 'Real Estate Office'],
    ],
  },
  {
    code: 'MZJ',
    name: '民政局',
    nameEn: 'Civil Affairs Bureau',
    offices: [
      ['社会救助科', 'Social Assistance Office'],
      ['社会组织管理科', 'Social Organisations Office'],
      ['养老服务科', 'Elderly Care Office'],
    ],
  },
  {
    code: 'WGLTJ',
    name: '文化广电旅游体育局',
    nameEn: 'Culture, Radio, Television, Tourism and Sports Bureau',
    offices: [
      ['文化旅游科', 'Culture and Tourism Office'],
      ['体育科', 'Sports Office'],
    ],
  },
  {
    code: 'CZJ',
    name: '财政局',
    nameEn: 'Finance Bureau',
    offices: [
      ['预算科', 'Budget Office'],
      ['政府采购监管科', 'Procurement Office'],
    ],
  },
  {
    code: 'SWUJ',
    name: '税务局',
    nameEn: 'Taxation Bureau',
    offices: [
      ['纳税服务科', 'Taxpayer Services Office'],
      ['征收管理科', 'Collection Office'],
    ],
  },
  {
    code: 'FGJ',
    name: '发展和改革局',
    nameEn: 'Development and Reform Bureau',
    offices: [
      ['价格监测科', 'Price Monitoring Office'],
      ['重点项目科', 'Key Projects Office'],
    ],
  },
  {
    code: 'TJJ',
    name: '统计局',
    nameEn: 'Statistics Bureau',
    offices: [
      ['综合统计科', 'General Statistics Office'],
      ['国民经济核算科', 'National Accounts Office'],
    ],
  },
  {
    code: 'YJJ',
    name: '应急管理局',
    nameEn: 'Emergency Management Bureau',
    offices: [
      ['安全生产监督管理科', 'Work Safety Office'],
      ['应急指挥中心', 'Emergency Command Centre'],
    ],
  },
  {
    code: 'GXJ',
    name: '科技工业和信息化局',
    nameEn: 'Science, Technology, Industry and Information Technology Bureau',
    offices: [
      ['科技创新科', 'Innovation Office'],
      ['工业发展科', 'Industry Office'],
    ],
  },
  {
    code: 'ZRZYJ',
    name: '规划和自然资源分局',
    nameEn: 'Planning and Natural Resources Sub-bureau',
    offices: [
      ['测绘地理信息科', 'Surveying and Geoinformation Office'],
      ['国土空间规划科', 'Spatial Planning Office'],
    ],
  },
  {
    code: 'YBJ',
    name: '医疗保障局',
    nameEn: 'Healthcare Security Bureau',
    offices: [
      ['待遇保障科', 'Benefits Office'],
      ['基金监管科', 'Fund Supervision Office'],
    ],
  },
];

export function buildDepartments(): DemoDepartment[] {
  const out: DemoDepartment[] = [
    {
      code: CITY_CODE,
      name: `${CITY.name}人民政府`,
      nameEn: `${CITY.nameEn} People's Government`,
      kind: 'city',
      parentCode: null,
    },
    {
      code: DISTRICT_CODE,
      name: `${CITY.name}${DISTRICT.name}人民政府`,
      nameEn: `${DISTRICT.nameEn} People's Government`,
      kind: 'district',
      parentCode: CITY_CODE,
    },
  ];
  for (const d of DEPARTMENT_DEFS) {
    out.push({
      code: d.code,
      name: `${DISTRICT.name}${d.name}`,
      nameEn: `${DISTRICT.nameEn} ${d.nameEn}`,
      kind: 'department',
      parentCode: DISTRICT_CODE,
    });
    d.offices.forEach(([name, nameEn], i) => {
      out.push({
        code: `${d.code}-${String(i + 1).padStart(2, '0')}`,
        name: `${DISTRICT.name}${d.name}${name}`,
        nameEn: `${d.nameEn}, ${nameEn}`,
        kind: 'office',
        parentCode: d.code,
      });
    });
  }
  return out;
}

export function buildUsers(rng: Rng): DemoUser[] {
  const users: DemoUser[] = [];
  const taken = new Set<string>();
  // Display names must not repeat, or a demo audience cannot tell two accounts apart.
  const uniqueName = (): string => {
    for (;;) {
      const n = personName(rng);
      if (!taken.has(n)) {
        taken.add(n);
        return n;
      }
    }
  };
  for (const d of DEPARTMENT_DEFS) {
    const prefix = d.code.toLowerCase();
    users.push({
      username: `${prefix}_admin`,
      displayName: uniqueName(),
      role: 'dept_admin',
      departmentCode: d.code,
      password: DEMO_PASSWORD,
    });
    users.push({
      username: `${prefix}_steward`,
      displayName: uniqueName(),
      role: 'steward',
      departmentCode: d.code,
      password: DEMO_PASSWORD,
    });
    users.push({
      username: `${prefix}_member`,
      displayName: uniqueName(),
      role: 'member',
      departmentCode: d.code,
      password: DEMO_PASSWORD,
    });
  }
  users.push({
    username: 'sjj_reviewer1',
    displayName: uniqueName(),
    role: 'reviewer',
    departmentCode: BUREAU_CODE,
    password: DEMO_PASSWORD,
  });
  users.push({
    username: 'sjj_reviewer2',
    displayName: uniqueName(),
    role: 'reviewer',
    departmentCode: BUREAU_CODE,
    password: DEMO_PASSWORD,
  });
  users.push({
    username: 'public_chen',
    displayName: uniqueName(),
    role: 'public',
    departmentCode: null,
    password: DEMO_PASSWORD,
  });
  users.push({
    username: 'public_li',
    displayName: uniqueName(),
    role: 'public',
    departmentCode: null,
    password: DEMO_PASSWORD,
  });
  return users;
}

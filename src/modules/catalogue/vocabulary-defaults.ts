/** Default vocabularies from ../shared/STANDARDS.md §1–2; labels are admin-editable at run time. */
export interface VocabEntry {
  code: string;
  zh: string;
  en: string;
}

const e = (code: string, zh: string, en: string): VocabEntry => ({ code, zh, en });

/** Kinds whose codes are fixed by the product (labels editable); other kinds are open lists. */
export const FIXED_KINDS = [
  'sharing_type',
  'open_type',
  'sharing_method',
  'update_cycle',
  'format',
  'grade',
  'data_type',
  'sensitivity',
  'class_category',
  'department_kind',
] as const;
export const OPEN_KINDS = ['domain', 'topic', 'licence', 'synonym'] as const;
export type VocabKind = (typeof FIXED_KINDS)[number] | (typeof OPEN_KINDS)[number];
export const VOCAB_KINDS: readonly VocabKind[] = [...FIXED_KINDS, ...OPEN_KINDS];

export const DEFAULT_VOCABULARIES: Record<VocabKind, VocabEntry[]> = {
  sharing_type: [
    e('unconditional', '无条件共享', 'Shared unconditionally'),
    e('conditional', '有条件共享', 'Shared on conditions'),
    e('none', '不予共享', 'Not shared'),
  ],
  open_type: [
    e('unconditional', '无条件开放', 'Open'),
    e('conditional', '有条件开放', 'Open on conditions'),
    e('none', '不予开放', 'Not open'),
  ],
  sharing_method: [e('api', '接口', 'API'), e('table', '库表', 'Table'), e('file', '文件', 'File')],
  update_cycle: [
    e('realtime', '实时', 'Real time'),
    e('daily', '每日', 'Daily'),
    e('weekly', '每周', 'Weekly'),
    e('monthly', '每月', 'Monthly'),
    e('quarterly', '每季度', 'Quarterly'),
    e('semiannual', '每半年', 'Half-yearly'),
    e('yearly', '每年', 'Yearly'),
    e('irregular', '不定期', 'Irregular'),
  ],
  format: [
    e('table', '数据库/库表', 'Database table'),
    e('file', '文件', 'File'),
    e('api', '接口', 'API'),
    e('image', '图片', 'Image'),
    e('video', '视频', 'Video'),
    e('other', '其他', 'Other'),
  ],
  grade: [
    e('L1', 'L1 不敏感', 'L1 not sensitive'),
    e('L2', 'L2 低敏感', 'L2 low sensitivity'),
    e('L3', 'L3 较敏感', 'L3 sensitive'),
    e('L4', 'L4 敏感', 'L4 highly sensitive'),
  ],
  data_type: [
    e('string', '字符型', 'Text'),
    e('number', '数值型', 'Number'),
    e('date', '日期型', 'Date'),
    e('datetime', '日期时间型', 'Date-time'),
    e('boolean', '布尔型', 'Boolean'),
    e('binary', '二进制', 'Binary'),
  ],
  sensitivity: [
    e('none', '不敏感', 'Not sensitive'),
    e('name', '姓名', 'Personal name'),
    e('id_card', '身份证号', 'ID number'),
    e('mobile', '手机号', 'Mobile number'),
    e('landline', '座机', 'Landline'),
    e('address', '地址', 'Address'),
    e('bank_card', '银行卡号', 'Bank card'),
    e('plate', '车牌', 'Licence plate'),
    e('email', '电子邮箱', 'Email'),
    e('other', '其他敏感', 'Other sensitive'),
  ],
  class_category: [
    e('1', '基础信息资源', 'Base information'),
    e('2', '主题信息资源', 'Thematic information'),
    e('3', '部门信息资源', 'Department information'),
  ],
  department_kind: [
    e('city', '市', 'City'),
    e('district', '区', 'District'),
    e('department', '部门', 'Department'),
    e('office', '科室', 'Office'),
  ],
  domain: [
    e('economy', '经济发展', 'Economy'),
    e('urban', '城市建设', 'Urban development'),
    e('transport', '道路交通', 'Transport'),
    e('education', '教育科技', 'Education & science'),
    e('livelihood', '民生服务', 'Public services'),
    e('enterprise', '企业服务', 'Business services'),
    e('environment', '资源环境', 'Resources & environment'),
    e('finance', '财税金融', 'Finance & tax'),
    e('labour', '劳动人事', 'Labour'),
    e('health', '医疗卫生', 'Health'),
    e('culture', '文化旅游', 'Culture & tourism'),
    e('safety', '公共安全', 'Public safety'),
    e('social_security', '社会保障', 'Social security'),
    e('organisations', '机构团体', 'Organisations'),
  ],
  topic: [
    e('population', '人口', 'Population'),
    e('legal_entity', '法人单位', 'Legal entities'),
    e('geo', '自然资源和空间地理', 'Natural resources & geography'),
    e('social_credit', '社会信用', 'Social credit'),
    e('e_licence', '电子证照', 'Electronic licences'),
    e('public_service', '公共服务', 'Public service'),
    e('health_security', '健康保障', 'Health security'),
    e('food_drug', '食品药品安全', 'Food & drug safety'),
    e('work_safety', '安全生产', 'Work safety'),
    e('price', '价格监管', 'Price supervision'),
    e('energy', '能源安全', 'Energy security'),
    e('credit', '信用体系', 'Credit system'),
    e('urban_rural', '城乡建设', 'Urban & rural development'),
    e('community', '社区治理', 'Community governance'),
    e('eco', '生态环保', 'Ecology & environment'),
    e('emergency', '应急维稳', 'Emergency & stability'),
  ],
  licence: [
    e('CC-BY-4.0', '知识共享署名 4.0', 'Creative Commons Attribution 4.0'),
    e('open-data-licence', '开放数据许可协议', 'Open data licence'),
    e('gov-use-only', '政务内部使用', 'Government use only'),
  ],
  synonym: [
    e('enterprise', '企业,法人,公司', 'enterprise, legal entity, company'),
    e('bus', '公交,公共汽车,巴士', 'bus'),
    e('hospital', '医院,医疗机构', 'hospital'),
    e('air', '空气,大气', 'air'),
  ],
};

import type { Rng } from '../random.ts';
import type { DemoField, DemoResource, DemoSensitivity, DemoGrade, GeneratedRow } from '../types.ts';

export interface GenContext {
  seed: number;
  scale: number;
  /** rows to produce at this scale */
  rows: number;
  rng: Rng;
}

/** Returns the generator of row i (called with i = 0, 1, 2, … in order). */
export type RowGenerator = (ctx: GenContext) => (i: number) => GeneratedRow;

type SpecMeta = Omit<
  DemoResource,
  | 'classItem'
  | 'classCatalog'
  | 'grade'
  | 'contactName'
  | 'contactPhone'
  | 'contactEmail'
  | 'spatialCoverage'
  | 'divisionCode'
>;

export interface ResourceSpec extends SpecMeta {
  /** true for tables whose row count follows `scale` */
  big: boolean;
  generate?: RowGenerator;
  /** when the scale-1 row count depends on the seed (e.g. bus stops of a generated network) */
  countRows?: (seed: number) => number;
}

interface FieldOpts {
  nameEn?: string;
  length?: number;
  sensitivity?: DemoSensitivity;
  grade?: DemoGrade;
}

function field(
  name: string,
  dataType: DemoField['dataType'],
  description: string,
  o: FieldOpts,
  defLength?: number,
): DemoField {
  const out: DemoField = { name, dataType, description, sensitivity: o.sensitivity ?? 'none', grade: o.grade ?? 'L1' };
  if (o.nameEn) out.nameEn = o.nameEn;
  const length = o.length ?? defLength;
  if (length !== undefined) out.length = length;
  return out;
}

/** Field builders: name, English name, description, then length/sensitivity/grade. */
export const F = {
  str: (
    name: string,
    nameEn: string,
    length: number,
    description: string,
    o: Omit<FieldOpts, 'nameEn' | 'length'> = {},
  ) => field(name, 'string', description, { ...o, nameEn, length }),
  num: (name: string, nameEn: string, description: string, length = 16, o: Omit<FieldOpts, 'nameEn' | 'length'> = {}) =>
    field(name, 'number', description, { ...o, nameEn, length }),
  date: (name: string, nameEn: string, description: string, o: Omit<FieldOpts, 'nameEn'> = {}) =>
    field(name, 'date', description, { ...o, nameEn }, 10),
  dt: (name: string, nameEn: string, description: string, o: Omit<FieldOpts, 'nameEn'> = {}) =>
    field(name, 'datetime', description, { ...o, nameEn }, 19),
  bool: (name: string, nameEn: string, description: string) => field(name, 'boolean', description, { nameEn }, 1),
  lon: () => field('经度', 'number', '经度（WGS-84，十进制度）', { nameEn: 'longitude' }, 11),
  lat: () => field('纬度', 'number', '纬度（WGS-84，十进制度）', { nameEn: 'latitude' }, 10),
  /** Geometry of geo resources: WKT in CSV/XLSX, the feature geometry in GeoJSON. */
  geometry: () =>
    field(
      GEOMETRY_FIELD,
      'string',
      '空间几何（WKT，WGS-84 坐标）；GeoJSON 文件中为要素几何',
      { nameEn: 'geometry' },
      65535,
    ),
  division: () => F.str('行政区划代码', 'division_code', 6, '所属区县行政区划代码（GB/T 2260）'),
  street: () => F.str('所属街道', 'street', 20, '所属街道（镇）名称'),
  uscc: (name = '统一社会信用代码', description = '统一社会信用代码（GB 32100-2015）') =>
    F.str(name, 'uscc', 18, description),
};

export const GEOMETRY_FIELD = '几何';

// -------------------------------------------------------------------------- attribute presets

export const LICENCE_CC_BY = 'CC-BY-4.0';
export const LICENCE_OPEN_DATA = '开放数据许可协议';

export const BASIS = {
  pipl: '《中华人民共和国个人信息保护法》第十三条、第三十四条',
  dsl: '《中华人民共和国数据安全法》第三十八条',
  share: '《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第九条',
  gd: '《广东省公共数据管理办法》（广东省人民政府令第290号）第二十二条',
  hukou: '《中华人民共和国户口登记条例》及《居民身份证法》第六条',
  medical: '《中华人民共和国基本医疗卫生与健康促进法》第九十二条',
  tax: '《中华人民共和国税收征收管理法》第八条',
  police: '《中华人民共和国道路交通安全法》及公安机关执法信息管理规定',
  assistance: '《社会救助暂行办法》第六十二条',
} as const;

export const CONDITIONS = {
  personal:
    '仅限承担相关法定职责的政务部门申请，用于履职所需的核验与统计，需经数据提供部门审核同意；个人信息字段脱敏后提供，不得向第三方提供',
  approval: '需说明使用目的、场景和期限，经政务服务数据管理局与数据提供部门审核同意后共享',
  medical: '仅限卫生健康、医疗保障部门因公共卫生管理需要申请，个人健康信息经脱敏并签订保密协议后按次提供',
} as const;

export const OPEN_CONDITIONS = {
  research:
    '申请人需实名注册，签署《公共数据安全承诺书》和《公共数据开放利用协议》，限用于科学研究、公益服务或经批准的创新应用，并定期报告利用情况',
} as const;

/**
 * Layout of a time series of `units` (stations, sections, …) × `steps` (hours, weeks) for a row
 * count: up to 3× the scale-1 time span, beyond that more units, so that 100M rows stay realistic.
 */
export function seriesLayout(
  rows: number,
  scale: number,
  baseUnits: number,
  baseSteps: number,
): { units: number; steps: number } {
  if (scale <= 1) return { units: baseUnits, steps: Math.ceil(rows / baseUnits) };
  const steps = Math.round(baseSteps * Math.min(scale, 3));
  return { units: Math.max(baseUnits, Math.ceil(rows / steps)), steps };
}

export type DemoDepartmentKind = 'city' | 'district' | 'department' | 'office';

export interface DemoDepartment {
  code: string;
  name: string;
  nameEn: string;
  kind: DemoDepartmentKind;
  parentCode: string | null;
}

export type DemoRole = 'platform_admin' | 'dept_admin' | 'steward' | 'reviewer' | 'member' | 'public';

export interface DemoUser {
  username: string;
  displayName: string;
  role: DemoRole;
  departmentCode: string | null;
  password: string;
}

export type DemoDataType = 'string' | 'number' | 'date' | 'datetime' | 'boolean' | 'binary';
export type DemoSensitivity =
  'none' | 'name' | 'id_card' | 'mobile' | 'landline' | 'address' | 'bank_card' | 'plate' | 'email' | 'other';
export type DemoGrade = 'L1' | 'L2' | 'L3' | 'L4';

export interface DemoField {
  name: string;
  nameEn?: string;
  dataType: DemoDataType;
  length?: number;
  description?: string;
  sensitivity?: DemoSensitivity;
  grade?: DemoGrade;
}

export type DemoUpdateCycle =
  'realtime' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'semiannual' | 'yearly' | 'irregular';
export type DemoStatus = 'draft' | 'pending_review' | 'published' | 'returned' | 'withdrawn';

export interface DemoResource {
  /** stable slug, e.g. 'air-quality-hourly' */
  key: string;
  /** a DemoDepartment code */
  providerCode: string;
  name: string;
  nameEn?: string;
  abstract: string;
  classCategory: '1' | '2' | '3';
  /** 2 digits */
  classItem: string;
  /** 3 digits */
  classCatalog: string;
  classDetail?: string;
  format: 'table' | 'file' | 'api' | 'image' | 'video' | 'other';
  sharingType: 'unconditional' | 'conditional' | 'none';
  sharingConditions?: string;
  sharingBasis?: string;
  sharingMethod: 'api' | 'table' | 'file';
  openType: 'unconditional' | 'conditional' | 'none';
  openConditions?: string;
  updateCycle: DemoUpdateCycle;
  grade?: DemoGrade;
  domain: string;
  topics: string[];
  tags: string[];
  licence?: string;
  contactName?: string;
  contactPhone?: string;
  contactEmail?: string;
  spatialCoverage?: string;
  divisionCode?: string;
  temporalStart?: string;
  temporalEnd?: string;
  relatedKeys?: string[];
  fields: DemoField[];
  /** lifecycle target in the demo */
  status: DemoStatus;
  /** rows in the default (scale 1) demo; 0 = metadata only */
  rows: number;
  geo?: 'point' | 'line' | 'polygon';
}

export interface DemoCity {
  seed: number;
  departments: DemoDepartment[];
  users: DemoUser[];
  resources: DemoResource[];
}

/** One generated value: strings keep identifiers as text (leading zeros), null is an empty cell. */
export type Cell = string | number | boolean | null;

export type Geometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'LineString'; coordinates: [number, number][] }
  | { type: 'Polygon'; coordinates: [number, number][][] };

export interface GeneratedRow {
  /** one value per field, in field order */
  values: Cell[];
  geometry?: Geometry;
}

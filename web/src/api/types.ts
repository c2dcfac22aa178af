// Shapes of the CityData API as the portal uses them (see /api/openapi.json).

export type Role = 'platform_admin' | 'dept_admin' | 'steward' | 'reviewer' | 'member' | 'public';
export const ROLES: Role[] = ['platform_admin', 'dept_admin', 'steward', 'reviewer', 'member', 'public'];

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  role: Role;
  departmentId: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  key?: string;
}

export interface Department {
  id: string;
  parentId: string | null;
  code: string;
  name: string;
  nameEn: string | null;
  kind: string;
  description: string | null;
  children?: Department[];
}

export interface VocabEntry {
  kind: string;
  code: string;
  labelZh: string;
  labelEn: string;
  position: number;
  active: boolean;
}

export interface Field {
  id?: string;
  position?: number;
  name: string;
  nameEn?: string | null;
  dataType: string;
  length?: number | null;
  description?: string | null;
  sensitivity?: string;
  grade?: string;
  dataElementCode?: string | null;
}

export interface ResourceInput {
  name: string;
  nameEn?: string | null;
  providerId: string;
  abstract: string;
  classCategory: string;
  classItem: string;
  classCatalog: string;
  classDetail?: string | null;
  format: string;
  sharingType: string;
  sharingConditions?: string | null;
  sharingBasis?: string | null;
  sharingMethod: string;
  openType: string;
  openConditions?: string | null;
  updateCycle: string;
  publishDate?: string | null;
  relatedCodes?: string[];
  grade?: string;
  domain?: string | null;
  topics?: string[];
  tags?: string[];
  licence?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  spatialCoverage?: string | null;
  divisionCode?: string | null;
  temporalStart?: string | null;
  temporalEnd?: string | null;
  hasApi?: boolean;
  fields?: Field[];
}

export interface Resource extends Required<Omit<ResourceInput, 'fields'>> {
  id: string;
  code: string;
  providerName?: string;
  classificationCode: string;
  status: string;
  pendingAction: string | null;
  returnReason: string | null;
  hasGeometry: boolean;
  popularity: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  revision: number;
  fields: Field[];
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface HistoryEntry {
  id?: string;
  action: string;
  actorId?: string | null;
  actorName?: string | null;
  reason?: string | null;
  changes?: Record<string, { from: unknown; to: unknown }> | null;
  at?: string;
  createdAt?: string;
}

export interface RowsResult {
  fields: { id: string; type: string }[];
  records: Record<string, unknown>[];
  total: number;
  totalExact?: boolean;
}

export interface Version {
  id: string;
  version: number;
  rows: number;
  bytes?: number;
  mode?: string;
  sourceName?: string | null;
  createdAt: string;
  createdBy?: string | null;
  jobId?: string | null;
  current: boolean;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind?: string;
  state: JobState;
  progress: {
    phase?: string;
    bytesRead?: number;
    bytesTotal?: number;
    rowsRead?: number;
    fraction?: number;
    [k: string]: unknown;
  };
  result?: unknown;
  /** The code, its message and the details the server gives with it (row, line, offset, ...). */
  error: { code: string; message: string; [k: string]: unknown } | null;
  etaSeconds?: number | null;
}

/** GET /api/v1/stats: headline figures of the open portal. */
export interface PortalStats {
  datasets: number;
  records: number;
  departments: number;
  apiCalls: number;
}

export interface Rejection {
  row: number;
  column: string | null;
  value: string | null;
  /** Absent in reports of loads made before codes were given. */
  code?: string;
  params?: Record<string, string | number>;
  reason: string;
}

/** A warning about a load, by code (worded by the portal) with its English wording. */
export interface Notice {
  code: string;
  params: Record<string, string | number>;
  message: string;
}

export interface QualitySummary {
  score: number;
  completeness: number;
  validity: number;
  uniqueness: number;
  timeliness: number;
  rules?: { ruleId: string; field: string; kind: string; checked: number; failures: number }[];
}

/** GET /api/v1/jobs/:id/report (a finished load) — or the job's state while it has not finished. */
export interface LoadReport {
  versionId?: string;
  version?: number;
  rows?: number;
  ingest?: {
    format: string;
    encoding: string | null;
    delimiter: string | null;
    sheet: string | null;
    columns: { name: string; type: string; [k: string]: unknown }[];
    rowsRead: number;
    rowsLoaded: number;
    rowsRejected: number;
    rejectionsShown?: number;
    geometry: { column: string; crs: string; geometryTypes: string[] } | null;
    warnings: string[];
    /** Absent in reports of loads made before notices were given: then the warnings are shown as they are. */
    notices?: Notice[];
  };
  fieldSync?: { newColumns: string[]; missingFields: string[]; fieldsCreated: boolean };
  quality?: QualitySummary | { error: string };
  rejections?: Rejection[];
}

export interface QualityRuleResult {
  ruleId: string;
  field: string;
  kind: string;
  checked: number;
  failures: number;
  sampleRows: { _id: string | number; value: string | null }[];
}

export interface QualityReportView extends QualitySummary {
  id: string;
  versionId: string | null;
  runAt: string;
  trigger: string;
  rows: number;
  details?: {
    rows: number;
    columns: number;
    rules: QualityRuleResult[];
    skipped: { ruleId: string; field: string; kind: string; reason: string }[];
    columnCompleteness: Record<string, number>;
    updateCycle: string;
    lastUpdatedAt: string | null;
  };
}

export interface QualityOf {
  latest: QualityReportView | null;
  history: QualityReportView[];
  weights: Record<string, number>;
}

export interface JobView extends Job {
  kind: string;
  resourceId: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SystemStatus {
  uptimeSeconds: number;
  memory: { rss: number; heapUsed: number };
  metadataStore: { dialect: string };
  dataEngine: { ok: boolean; version?: string; error?: string };
  searchIndex: { documents: number };
  jobs: Record<string, number>;
  recentJobs: JobView[];
  storage: { versions: number; bytes: number; dataDir: string };
}

export interface GovernanceReport {
  period: { from: string; to: string; days: number; timezone: string };
  generatedAt: string;
  datasets: {
    registered: number;
    published: number;
    publishedInPeriod: number;
    withData: number;
    open: number;
    shared: number;
  };
  records: number;
  fields: number;
  topics: { count: number; items: { topic: string; datasets: number }[] };
  departments: {
    total: number;
    providing: number;
    items: { id: string; code: string; name: string; datasets: number; records: number }[];
  };
  exchanges: {
    total: number;
    rows: number;
    perDay: { day: string; exchanges: number; rows: number; resources: number }[];
    byChannel: { channel: string; exchanges: number; rows: number }[];
  };
  applications:
    | { available: false; reason: string }
    | {
        available: true;
        total: number;
        byState: { state: string; count: number }[];
        decided: number;
        decidedOnTime: number;
        openPastDue: number;
        escalated: number;
        slaCompliance: number | null;
      };
  quality: { assessed: number; averageScore: number | null; buckets: { bucket: string; datasets: number }[] };
  overdue: {
    count: number;
    items: {
      resourceId: string;
      code: string;
      name: string;
      providerId: string;
      providerName: string;
      updateCycle: string;
      lastUpdatedAt: string;
      dueAt: string;
      daysOverdue: number;
    }[];
  };
  openedByDomain: { domain: string | null; label: string | null; opened: number; openedInPeriod: number }[];
}

export interface AppNotification {
  id: string;
  kind: string;
  title: string;
  body: string;
  resourceId: string | null;
  createdAt: string;
  readAt: string | null;
}

import type { Generated } from 'kysely';

/**
 * Table types of the metadata store. Conventions that keep SQLite and PostgreSQL identical:
 * ids are text (UUIDs or codes), timestamps are ISO-8601 UTC text, booleans are integers 0/1,
 * structured values are JSON text. Each module owns its tables; they are gathered here so one
 * typed Kysely instance serves every repository.
 */
export interface DepartmentTable {
  id: string;
  parent_id: string | null;
  code: string;
  name: string;
  name_en: string | null;
  kind: string; // city | district | department | office
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  password_hash: string;
  role: string;
  department_id: string | null;
  disabled: number;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
}

export interface SessionTable {
  id: string; // sha256 of the session token
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  client_ip: string | null;
}

export interface ApiKeyTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface LoginAttemptTable {
  id: Generated<number>;
  username: string;
  client_ip: string;
  success: number;
  at: string;
}

export interface ResourceTable {
  id: string;
  code: string;
  name: string;
  name_norm: string;
  name_en: string | null;
  provider_id: string;
  abstract: string;
  class_category: string; // 类: 1 基础 / 2 主题 / 3 部门
  class_item: string; // 项 (2 digits)
  class_catalog: string; // 目 (3 digits)
  class_detail: string | null; // 细目
  format: string;
  sharing_type: string;
  sharing_conditions: string | null;
  sharing_basis: string | null;
  sharing_method: string;
  open_type: string;
  open_conditions: string | null;
  update_cycle: string;
  publish_date: string | null;
  related_codes: string; // JSON array
  grade: string;
  domain: string | null;
  topics: string; // JSON array
  tags: string; // JSON array
  licence: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  spatial_coverage: string | null;
  division_code: string | null;
  temporal_start: string | null;
  temporal_end: string | null;
  status: string; // draft | pending_review | published | returned | withdrawn
  pending_action: string | null; // publish | withdraw (what the pending review decides)
  return_reason: string | null;
  has_api: number;
  has_geometry: number;
  popularity: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  revision: number;
}

export interface ResourceFieldTable {
  id: string;
  resource_id: string;
  position: number;
  name: string;
  name_en: string | null;
  data_type: string;
  length: number | null;
  description: string | null;
  sensitivity: string; // none | name | id_card | mobile | landline | address | bank_card | plate | email | other
  grade: string;
  data_element_code: string | null;
}

export interface ResourceHistoryTable {
  id: Generated<number>;
  resource_id: string;
  actor_id: string | null;
  action: string;
  reason: string | null;
  changes: string; // JSON {field: {from, to}}
  at: string;
}

export interface VocabularyTable {
  id: string;
  kind: string;
  code: string;
  label_zh: string;
  label_en: string;
  position: number;
  active: number;
}

export interface JobTable {
  id: string;
  kind: string;
  state: string; // queued | running | succeeded | failed | cancelled
  resource_id: string | null;
  created_by: string | null;
  payload: string; // JSON
  progress: string; // JSON
  result: string | null; // JSON
  error: string | null; // JSON {code, message}
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  owner: string | null; // process that runs it
}

export interface TableVersionTable {
  id: string;
  resource_id: string;
  version: number;
  file: string; // Parquet path relative to the data directory
  row_count: number;
  byte_size: number;
  columns: string; // JSON [{name, type}]
  mode: string;
  source_name: string | null;
  report: string; // JSON validation report
  geometry: string | null; // JSON {column, crs, geometryTypes}
  job_id: string | null;
  created_by: string | null;
  created_at: string;
}

export interface DatasetTable {
  resource_id: string;
  current_version_id: string | null;
  row_count: number;
  updated_at: string;
}

export interface ExchangeLogTable {
  id: Generated<number>;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  department_id: string | null;
  resource_id: string;
  provider_id: string;
  version_id: string | null;
  channel: string; // rows | preview | export | sql | ckan_datastore | delivery
  fields: string | null; // JSON array
  filter: string | null;
  row_count: number;
  byte_count: number;
  grant_id: string | null;
  client_ip: string | null;
}

export interface DataElementTable {
  id: string;
  code: string;
  name: string;
  data_type: string;
  format: string | null;
  description: string | null;
  rules: string; // JSON [{kind, params}]
  sensitivity: string;
  grade: string;
  created_at: string;
  updated_at: string;
}

export interface QualityRuleTable {
  id: string;
  resource_id: string;
  field: string;
  kind: string;
  params: string | null; // JSON
  source: string; // manual | element | proposed
  element_code: string | null;
  proposal: string | null; // JSON {sensitivity, grade, reason, passRate}
  active: number;
  dismissed: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface QualityReportTable {
  id: string;
  resource_id: string;
  version_id: string | null;
  run_at: string;
  trigger: string; // load | manual
  score: number;
  completeness: number;
  validity: number;
  uniqueness: number;
  timeliness: number;
  row_count: number;
  details: string; // JSON
}

export interface NotificationTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  resource_id: string | null;
  dedupe_key: string | null;
  created_at: string;
  read_at: string | null;
}

export interface ShareApplicationTable {
  id: string;
  kind: string; // share | open
  resource_id: string;
  provider_id: string;
  applicant_id: string;
  applicant_department_id: string | null;
  purpose: string;
  scenario: string;
  fields: string; // JSON array of field names
  row_filter: string | null; // JSON structured filter (never SQL)
  period_from: string;
  period_to: string;
  form: string; // JSON: extra form answers of open applications (organisation, contact)
  state: string; // pending_bureau | returned | pending_provider | approved | refused | delivered | expired
  return_reason: string | null;
  refusal_reason: string | null;
  bureau_due_at: string | null;
  provider_due_at: string | null;
  escalated: number;
  escalated_at: string | null;
  commitment_version: number | null;
  agreement_version: number | null;
  grant_id: string | null;
  created_at: string;
  updated_at: string;
  decided_at: string | null;
}

export interface ApplicationEventTable {
  id: Generated<number>;
  application_id: string;
  at: string;
  actor_id: string | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
}

export interface GrantTable {
  id: string;
  application_id: string | null;
  resource_id: string;
  provider_id: string;
  grantee_user_id: string | null;
  grantee_department_id: string | null;
  fields: string; // JSON array
  unmasked_fields: string; // JSON array
  row_filter: string | null; // JSON structured filter
  valid_from: string;
  valid_to: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  renewed_from: string | null;
  first_used_at: string | null;
  created_by: string;
  created_at: string;
}

export interface AgreementTextTable {
  id: string;
  kind: string; // security_commitment | use_agreement
  version: number;
  text_zh: string;
  text_en: string | null;
  active: number;
  created_at: string;
}

export interface UsageReportTable {
  id: string;
  application_id: string;
  author_id: string;
  text: string;
  links: string; // JSON array
  created_at: string;
}

export interface HolidayTable {
  date: string; // YYYY-MM-DD
  name: string;
  workday: number; // 1 = a weekend day that is a working day (调休)
}

export interface DeliveryTable {
  id: string;
  grant_id: string;
  kind: string; // file | drop_folder
  schedule: string; // daily | manual
  target_path: string;
  created_by: string;
  created_at: string;
  last_run_at: string | null;
  last_status: string | null;
  last_error: string | null;
}

export interface ExchangeNoticeTable {
  id: Generated<number>;
  user_id: string;
  application_id: string | null;
  kind: string;
  message: string;
  created_at: string;
  read_at: string | null;
}

export interface CoreTables {
  departments: DepartmentTable;
  users: UserTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  login_attempts: LoginAttemptTable;
  resources: ResourceTable;
  resource_fields: ResourceFieldTable;
  resource_history: ResourceHistoryTable;
  vocabularies: VocabularyTable;
  jobs: JobTable;
  table_versions: TableVersionTable;
  datasets: DatasetTable;
  exchange_log: ExchangeLogTable;
  data_elements: DataElementTable;
  quality_rules: QualityRuleTable;
  quality_reports: QualityReportTable;
  notifications: NotificationTable;
  share_applications: ShareApplicationTable;
  application_events: ApplicationEventTable;
  grants: GrantTable;
  agreement_texts: AgreementTextTable;
  usage_reports: UsageReportTable;
  holidays: HolidayTable;
  deliveries: DeliveryTable;
  exchange_notices: ExchangeNoticeTable;
}

/** Every table of the metadata store. Modules that add tables extend this interface. */
export type Database = CoreTables;

// Shapes of the exchange API (src/modules/exchange): applications, grants, agreements, the exchange log.

export type ApplicationState =
  'created' | 'pending_bureau' | 'returned' | 'pending_provider' | 'approved' | 'refused' | 'delivered' | 'expired';

export interface Application {
  id: string;
  kind: 'share' | 'open';
  resourceId: string;
  providerId: string;
  applicantId: string;
  applicantDepartmentId: string | null;
  purpose: string;
  scenario: string;
  fields: string[];
  rowFilter: unknown;
  periodFrom: string;
  periodTo: string;
  form: Record<string, string>;
  state: ApplicationState;
  returnReason: string | null;
  refusalReason: string | null;
  bureauDueAt: string | null;
  providerDueAt: string | null;
  escalated: boolean;
  grantId: string | null;
  createdAt: string;
  updatedAt: string;
  decidedAt: string | null;
}

export interface ApplicationDetail extends Application {
  events: {
    at: string;
    actorId: string | null;
    action: string;
    from: string | null;
    to: string | null;
    note: string | null;
  }[];
  usageReports: { id: string; text: string; links: string[]; createdAt: string }[];
}

export interface Grant {
  id: string;
  applicationId: string | null;
  resourceId: string;
  providerId: string;
  granteeUserId: string | null;
  granteeDepartmentId: string | null;
  fields: string[];
  unmaskedFields: string[];
  rowFilter?: unknown;
  validFrom: string;
  validTo: string;
  revokedAt: string | null;
  revokeReason?: string | null;
  renewedFrom?: string | null;
  firstUsedAt?: string | null;
  active: boolean;
  createdAt?: string;
}

/** Where a grant stands now: in force, revoked, ended, or renewed for a period that has not begun. */
export type GrantStatus = 'active' | 'revoked' | 'ended' | 'upcoming';

export function grantStatus(g: Grant, now = new Date().toISOString()): GrantStatus {
  if (g.revokedAt) return 'revoked';
  if (g.active) return 'active';
  return g.validFrom > now ? 'upcoming' : 'ended';
}

/** A scheduled table delivery of a grant (a drop folder filled with Parquet + CSV snapshots). */
export interface Delivery {
  id: string;
  grantId?: string;
  kind: string;
  schedule: string;
  targetPath?: string;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  createdAt?: string;
}

export interface DeliveryRun {
  deliveryId: string;
  files: string[];
  rows: number;
  bytes: number;
}

/** A day of the working-day calendar: a holiday, or (workday) a weekend day worked (调休). */
export interface Holiday {
  date: string;
  name: string;
  workday: boolean;
}

export interface AgreementText {
  version: number;
  textZh: string;
  textEn: string | null;
  createdAt: string;
}
export type Agreements = Record<'security_commitment' | 'use_agreement', AgreementText | null>;

export interface ExchangeLogEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorName: string | null;
  departmentId: string | null;
  resourceId: string;
  providerId: string;
  channel: string;
  fields: string[] | null;
  filter: string | null;
  rows: number;
  bytes: number;
  grantId: string | null;
  clientIp: string | null;
}

/** The deadline that applies to an application in its current state, if any. */
export function dueOf(a: Application): string | null {
  if (a.state === 'pending_bureau') return a.bureauDueAt;
  if (a.state === 'pending_provider') return a.providerDueAt;
  return null;
}

/**
 * A checkbox group must not be empty. A validator rather than `required`: antd would put aria-required on the
 * group (role=group), which ARIA does not allow there.
 */
export function atLeastOne(message: string) {
  return {
    validator: (_rule: unknown, v: unknown) =>
      Array.isArray(v) && v.length > 0 ? Promise.resolve() : Promise.reject(new Error(message)),
  };
}

const CITY_OFFSET_MS = 8 * 3_600_000;

/** The city's local (UTC+8) calendar day of an instant: periods are counted in local days. */
export function localDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso.slice(0, 10) : new Date(t + CITY_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last local day of a period whose end is exclusive (a grant's validTo is the midnight after its last day). */
export function lastLocalDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso.slice(0, 10) : new Date(t + CITY_OFFSET_MS - 1).toISOString().slice(0, 10);
}

/** An instant as local (UTC+8) "YYYY-MM-DD HH:mm". */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t + CITY_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 16);
}

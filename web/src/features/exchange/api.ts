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
  validFrom: string;
  validTo: string;
  revokedAt: string | null;
  active: boolean;
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

import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import { AppError, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { requireUser, type Actor, type UserActor } from '../access/index.ts';
import { getResource } from '../catalogue/index.ts';
import { datastoreRepo } from '../datastore/index.ts';
import type { ShareApplicationTable } from '../../platform/db/schema.ts';
import { addWorkingDays, localDate, localMidnightAfter, localMidnightOf, workCalendar } from './calendar.ts';
import { bureauIds, notice, providerAdminIds } from './notices.ts';
import { authorizeExchange, canExchange, viewer, type AppRef } from './policy.ts';
import { exchangeRepo } from './repository.ts';
import { validateRowFilter, type RowFilter } from './row-filter.ts';

export const STATES = [
  'pending_bureau',
  'returned',
  'pending_provider',
  'approved',
  'refused',
  'delivered',
  'expired',
] as const;
export type ApplicationState = (typeof STATES)[number] | 'created';

/** Default SLAs in working days (STANDARDS.md §6). */
export const SLA = { bureau: 2, provider: 5, providerNoData: 10, open: 5 } as const;

export interface ApplicationInput {
  kind: 'share' | 'open';
  resourceId: string;
  purpose: string;
  scenario: string;
  fields: string[];
  rowFilter?: unknown;
  periodFrom: string;
  periodTo: string;
  /** Open applications: the applicant's organisation, contact and other form answers. */
  form?: Record<string, string>;
  commitmentVersion?: number;
  agreementVersion?: number;
}

export interface ShareApplication {
  id: string;
  kind: 'share' | 'open';
  resourceId: string;
  providerId: string;
  applicantId: string;
  applicantDepartmentId: string | null;
  purpose: string;
  scenario: string;
  fields: string[];
  rowFilter: RowFilter | null;
  periodFrom: string;
  periodTo: string;
  form: Record<string, string>;
  state: ApplicationState;
  returnReason: string | null;
  refusalReason: string | null;
  bureauDueAt: string | null;
  providerDueAt: string | null;
  escalated: boolean;
  escalatedAt: string | null;
  commitmentVersion: number | null;
  agreementVersion: number | null;
  grantId: string | null;
  createdAt: string;
  updatedAt: string;
  decidedAt: string | null;
}

export function presentApplication(r: ShareApplicationTable): ShareApplication {
  return {
    id: r.id,
    kind: r.kind as 'share' | 'open',
    resourceId: r.resource_id,
    providerId: r.provider_id,
    applicantId: r.applicant_id,
    applicantDepartmentId: r.applicant_department_id,
    purpose: r.purpose,
    scenario: r.scenario,
    fields: JSON.parse(r.fields) as string[],
    rowFilter: r.row_filter ? (JSON.parse(r.row_filter) as RowFilter) : null,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    form: JSON.parse(r.form) as Record<string, string>,
    state: r.state as ApplicationState,
    returnReason: r.return_reason,
    refusalReason: r.refusal_reason,
    bureauDueAt: r.bureau_due_at,
    providerDueAt: r.provider_due_at,
    escalated: r.escalated === 1,
    escalatedAt: r.escalated_at,
    commitmentVersion: r.commitment_version,
    agreementVersion: r.agreement_version,
    grantId: r.grant_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    decidedAt: r.decided_at,
  };
}

const ref = (r: ShareApplicationTable): AppRef => ({
  applicantId: r.applicant_id,
  applicantDepartmentId: r.applicant_department_id,
  providerId: r.provider_id,
});

/** Deadline `days` working days after `at`, on the configured holiday calendar. */
export async function dueAfter(db: Db, at: Date, days: number): Promise<string> {
  const from = localDate(at);
  const to = localDate(new Date(at.getTime() + 400 * 86_400_000));
  const rows = await exchangeRepo.holidays(db, from, to);
  return addWorkingDays(at, days, workCalendar(rows.map((h) => ({ date: h.date, workday: h.workday === 1 }))));
}

/** A period bound: an ISO date-time, or a date (local day: `from` starts at its beginning, `to` ends at its end). */
export function periodBound(v: string, end: boolean, field: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return end ? localMidnightAfter(v) : localMidnightOf(v);
  const t = Date.parse(v);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(v))
    throw validationFailed(`${field} must be a date (YYYY-MM-DD) or an ISO date-time`, { field });
  return new Date(t).toISOString();
}

function checkFields(fields: string[], known: string[], field = 'fields'): string[] {
  if (fields.length === 0) throw validationFailed('Name at least one field', { field });
  const unique = [...new Set(fields)];
  const unknown = unique.filter((f) => !known.includes(f));
  if (unknown.length) throw validationFailed(`Not fields of the resource: ${unknown.join(', ')}`, { field });
  return unique;
}

async function event(
  db: Db,
  applicationId: string,
  actor: Actor | null,
  action: string,
  from: string | null,
  to: string | null,
  note: string | null = null,
): Promise<void> {
  await exchangeRepo.insertEvent(db, {
    application_id: applicationId,
    at: nowIso(),
    actor_id: actor?.kind === 'user' ? actor.userId : null,
    action,
    from_state: from,
    to_state: to,
    note,
  });
}

export async function createApplication(ctx: AppContext, actor: Actor, input: ApplicationInput) {
  const db = ctx.store.db;
  requireUser(actor);
  const resource = await getResource(db, actor, input.resourceId);
  if (input.kind === 'share') {
    authorizeExchange(
      actor,
      { action: 'application.create_share', providerId: resource.providerId },
      'Sharing applications are filed by a department user for another department’s data',
    );
    if (resource.status !== 'published' || !['conditional', 'unconditional'].includes(resource.sharingType))
      throw conflict('not_shareable', `${resource.name} is not shared with other departments (不予共享)`);
  } else {
    authorizeExchange(actor, { action: 'application.create_open' }, 'Open-data applications are filed by public users');
    if (resource.status !== 'published' || resource.openType !== 'conditional')
      throw conflict('not_open_on_conditions', `${resource.name} is not open on conditions (有条件开放)`);
  }
  const names = resource.fields.map((f) => f.name);
  const fields = checkFields(input.fields, names);
  const rowFilter =
    input.rowFilter === undefined || input.rowFilter === null ? null : validateRowFilter(input.rowFilter, names);
  const from = periodBound(input.periodFrom, false, 'periodFrom');
  const to = periodBound(input.periodTo, true, 'periodTo');
  const now = new Date();
  if (to <= from) throw validationFailed('periodTo must be after periodFrom', { field: 'periodTo' });
  if (Date.parse(to) <= now.getTime()) throw validationFailed('periodTo must be in the future', { field: 'periodTo' });

  let commitment: number | null = null;
  let agreement: number | null = null;
  if (input.kind === 'open') {
    // The applicant must accept the texts in force now; which versions they accepted is kept.
    for (const [kind, given, field] of [
      ['security_commitment', input.commitmentVersion, 'commitmentVersion'],
      ['use_agreement', input.agreementVersion, 'agreementVersion'],
    ] as const) {
      const current = await exchangeRepo.currentAgreement(db, kind);
      if (!current) throw conflict('agreement_missing', `No ${kind} text is in force; ask the platform admin`);
      if (given === undefined)
        throw validationFailed(`Accept the ${kind} (version ${current.version}) to apply`, { field });
      if (given !== current.version)
        throw conflict('agreement_outdated', `The ${kind} in force is version ${current.version}, not ${given}`, {
          field,
          current: current.version,
        });
    }
    commitment = input.commitmentVersion ?? null;
    agreement = input.agreementVersion ?? null;
  }
  const at = now.toISOString();
  const state = input.kind === 'share' ? 'pending_bureau' : 'pending_provider';
  const row: ShareApplicationTable = {
    id: randomUUID(),
    kind: input.kind,
    resource_id: resource.id,
    provider_id: resource.providerId,
    applicant_id: actor.userId,
    applicant_department_id: input.kind === 'share' ? actor.departmentId : null,
    purpose: input.purpose.trim(),
    scenario: input.scenario.trim(),
    fields: JSON.stringify(fields),
    row_filter: rowFilter ? JSON.stringify(rowFilter) : null,
    period_from: from,
    period_to: to,
    form: JSON.stringify(input.form ?? {}),
    state,
    return_reason: null,
    refusal_reason: null,
    bureau_due_at: input.kind === 'share' ? await dueAfter(db, now, SLA.bureau) : null,
    provider_due_at: input.kind === 'open' ? await dueAfter(db, now, SLA.open) : null,
    escalated: 0,
    escalated_at: null,
    commitment_version: commitment,
    agreement_version: agreement,
    grant_id: null,
    created_at: at,
    updated_at: at,
    decided_at: null,
  };
  await db.transaction().execute(async (tx) => {
    await exchangeRepo.insertApplication(tx, row);
    await event(tx, row.id, actor, 'submitted', 'created', state);
  });
  await notice(db, input.kind === 'share' ? await bureauIds(db) : await providerAdminIds(db, resource.providerId), {
    applicationId: row.id,
    resourceId: resource.id,
    kind: 'application_submitted',
    message: `${input.kind === 'share' ? '共享' : '开放'}申请待审核: ${resource.name}`,
  });
  return presentApplication(row);
}

async function load(db: Db, actor: Actor, id: string): Promise<ShareApplicationTable & { _actor: UserActor }> {
  requireUser(actor);
  const app = await exchangeRepo.application(db, id);
  // An application the caller may not see is reported as missing.
  if (!app || !canExchange(actor, { action: 'application.read', app: ref(app) })) throw notFound('application', id);
  return { ...app, _actor: actor };
}

function wrongState(app: ShareApplicationTable, expected: string): AppError {
  return conflict('wrong_state', `Application ${app.id} is ${app.state}, not ${expected}`, { state: app.state });
}

async function transitionOrConflict(db: Db, app: ShareApplicationTable, patch: Partial<ShareApplicationTable>) {
  if (!(await exchangeRepo.transition(db, app.id, app.state, patch)))
    throw conflict('wrong_state', `Application ${app.id} changed meanwhile; reload it`);
}

/** Bureau conformity review (合规性审核): pass to the provider, or return to the applicant with a reason. */
export async function bureauReview(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { decision: 'pass' | 'return'; reason?: string },
) {
  const db = ctx.store.db;
  const app = await load(db, actor, id);
  authorizeExchange(actor, { action: 'application.bureau_review' });
  if (app.state !== 'pending_bureau') throw wrongState(app, 'pending_bureau');
  const now = new Date();
  if (input.decision === 'return') {
    const reason = input.reason?.trim();
    if (!reason) throw validationFailed('A returned application needs a reason', { field: 'reason' });
    await transitionOrConflict(db, app, { state: 'returned', return_reason: reason, updated_at: now.toISOString() });
    await event(db, id, actor, 'returned', app.state, 'returned', reason);
    await notice(db, [app.applicant_id], {
      applicationId: id,
      resourceId: app.resource_id,
      kind: 'application_returned',
      message: `申请已退回: ${reason}`,
    });
  } else {
    // 10 working days when the provider has no data on the platform yet and has to prepare it.
    const hasData = Boolean(await datastoreRepo.current(db, app.resource_id));
    const due = await dueAfter(db, now, hasData ? SLA.provider : SLA.providerNoData);
    await transitionOrConflict(db, app, {
      state: 'pending_provider',
      provider_due_at: due,
      escalated: 0,
      escalated_at: null,
      updated_at: now.toISOString(),
    });
    await event(db, id, actor, 'passed', app.state, 'pending_provider', input.reason?.trim() || null);
    await notice(db, await providerAdminIds(db, app.provider_id), {
      applicationId: id,
      resourceId: app.resource_id,
      kind: 'application_to_provider',
      message: '共享申请待提供方审核',
    });
  }
  return getApplication(ctx, actor, id);
}

/** The applicant corrects a returned application and files it again. */
export async function resubmitApplication(
  ctx: AppContext,
  actor: Actor,
  id: string,
  patch: Partial<Pick<ApplicationInput, 'purpose' | 'scenario' | 'fields' | 'rowFilter' | 'periodFrom' | 'periodTo'>>,
) {
  const db = ctx.store.db;
  const app = await load(db, actor, id);
  authorizeExchange(actor, { action: 'application.applicant', app: ref(app) }, 'Only the applicant may resubmit');
  if (app.state !== 'returned') throw wrongState(app, 'returned');
  const resource = await getResource(db, actor, app.resource_id);
  const names = resource.fields.map((f) => f.name);
  const from = patch.periodFrom ? periodBound(patch.periodFrom, false, 'periodFrom') : app.period_from;
  const to = patch.periodTo ? periodBound(patch.periodTo, true, 'periodTo') : app.period_to;
  if (to <= from) throw validationFailed('periodTo must be after periodFrom', { field: 'periodTo' });
  const now = new Date();
  await transitionOrConflict(db, app, {
    state: 'pending_bureau',
    purpose: patch.purpose?.trim() ?? app.purpose,
    scenario: patch.scenario?.trim() ?? app.scenario,
    fields: patch.fields ? JSON.stringify(checkFields(patch.fields, names)) : app.fields,
    row_filter:
      patch.rowFilter === undefined
        ? app.row_filter
        : patch.rowFilter === null
          ? null
          : JSON.stringify(validateRowFilter(patch.rowFilter, names)),
    period_from: from,
    period_to: to,
    bureau_due_at: await dueAfter(db, now, SLA.bureau),
    escalated: 0,
    escalated_at: null,
    updated_at: now.toISOString(),
  });
  await event(db, id, actor, 'resubmitted', 'returned', 'pending_bureau');
  await notice(db, await bureauIds(db), {
    applicationId: id,
    resourceId: app.resource_id,
    kind: 'application_submitted',
    message: '共享申请重新提交',
  });
  return getApplication(ctx, actor, id);
}

export interface AnswerInput {
  decision: 'approve' | 'refuse';
  reason?: string;
  /** Approve: the granted fields (default: those applied for; the provider may narrow them). */
  fields?: string[];
  /** Approve: fields delivered raw (unmasked); must be among the granted fields. */
  unmaskedFields?: string[];
  /** Approve: the row filter of the grant (default: the one applied for); null for none. */
  rowFilter?: unknown;
  /** Approve: end of the grant (default: end of the period applied for). */
  validTo?: string;
}

/** The provider's answer: a grant (scoped to fields, rows and period) or a refusal with a reason. */
export async function providerAnswer(ctx: AppContext, actor: Actor, id: string, input: AnswerInput) {
  const db = ctx.store.db;
  const app = await load(db, actor, id);
  authorizeExchange(actor, { action: 'application.provider_answer', providerId: app.provider_id });
  if (app.state !== 'pending_provider') throw wrongState(app, 'pending_provider');
  const now = new Date();
  const at = now.toISOString();
  if (input.decision === 'refuse') {
    const reason = input.reason?.trim();
    if (!reason) throw validationFailed('A refusal needs a reason', { field: 'reason' });
    await transitionOrConflict(db, app, { state: 'refused', refusal_reason: reason, decided_at: at, updated_at: at });
    await event(db, id, actor, 'refused', app.state, 'refused', reason);
    await notice(db, [app.applicant_id], {
      applicationId: id,
      resourceId: app.resource_id,
      kind: 'application_refused',
      message: `申请已驳回: ${reason}`,
    });
    return getApplication(ctx, actor, id);
  }
  const applied = JSON.parse(app.fields) as string[];
  const fields = input.fields ? checkFields(input.fields, applied) : applied;
  const unmasked = input.unmaskedFields ? [...new Set(input.unmaskedFields)] : [];
  const stray = unmasked.filter((f) => !fields.includes(f));
  if (stray.length)
    throw validationFailed(`Unmasked fields must be granted fields: ${stray.join(', ')}`, { field: 'unmaskedFields' });
  const resource = await getResource(db, actor, app.resource_id);
  const rowFilter =
    input.rowFilter === undefined
      ? app.row_filter
      : input.rowFilter === null
        ? null
        : JSON.stringify(
            validateRowFilter(
              input.rowFilter,
              resource.fields.map((f) => f.name),
            ),
          );
  const validFrom = app.period_from > at ? app.period_from : at;
  const validTo = input.validTo ? periodBound(input.validTo, true, 'validTo') : app.period_to;
  if (validTo <= validFrom) throw validationFailed('validTo must be after the grant starts', { field: 'validTo' });
  const grantId = randomUUID();
  await db.transaction().execute(async (tx) => {
    if (
      !(await exchangeRepo.transition(tx, id, app.state, {
        state: 'approved',
        grant_id: grantId,
        decided_at: at,
        updated_at: at,
      }))
    )
      throw conflict('wrong_state', `Application ${id} changed meanwhile; reload it`);
    await exchangeRepo.insertGrant(tx, {
      id: grantId,
      application_id: id,
      resource_id: app.resource_id,
      provider_id: app.provider_id,
      // Sharing is between departments: the applicant's department holds the grant. Open data: the applicant.
      grantee_user_id: app.kind === 'open' ? app.applicant_id : null,
      grantee_department_id: app.kind === 'share' ? app.applicant_department_id : null,
      fields: JSON.stringify(fields),
      unmasked_fields: JSON.stringify(unmasked),
      row_filter: rowFilter,
      valid_from: validFrom,
      valid_to: validTo,
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
      renewed_from: null,
      first_used_at: null,
      created_by: app._actor.userId,
      created_at: at,
    });
    await event(tx, id, actor, 'approved', app.state, 'approved', input.reason?.trim() || null);
  });
  await notice(db, [app.applicant_id], {
    applicationId: id,
    resourceId: app.resource_id,
    kind: 'application_approved',
    message: '申请已通过',
  });
  return getApplication(ctx, actor, id);
}

/** The applicant reports how the data was used (利用情况). */
export async function addUsageReport(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { text: string; links?: string[] },
) {
  const db = ctx.store.db;
  const app = await load(db, actor, id);
  authorizeExchange(actor, { action: 'application.applicant', app: ref(app) }, 'Only the applicant reports usage');
  if (!['approved', 'delivered', 'expired'].includes(app.state))
    throw conflict('wrong_state', `Usage is reported for granted applications; ${app.id} is ${app.state}`);
  const text = input.text.trim();
  if (!text) throw validationFailed('Describe how the data was used', { field: 'text' });
  const row = {
    id: randomUUID(),
    application_id: id,
    author_id: app._actor.userId,
    text,
    links: JSON.stringify(input.links ?? []),
    created_at: nowIso(),
  };
  await exchangeRepo.insertUsageReport(db, row);
  await event(db, id, actor, 'usage_reported', null, null);
  return { id: row.id, applicationId: id, text, links: input.links ?? [], createdAt: row.created_at };
}

export async function getApplication(ctx: AppContext, actor: Actor, id: string) {
  const db = ctx.store.db;
  const app = await load(db, actor, id);
  const [events, reports] = await Promise.all([exchangeRepo.events(db, id), exchangeRepo.usageReports(db, id)]);
  return {
    ...presentApplication(app),
    events: events.map((e) => ({
      at: e.at,
      actorId: e.actor_id,
      action: e.action,
      from: e.from_state,
      to: e.to_state,
      note: e.note,
    })),
    usageReports: reports.map((r) => ({
      id: r.id,
      text: r.text,
      links: JSON.parse(r.links) as string[],
      createdAt: r.created_at,
    })),
  };
}

export async function listApplications(
  ctx: AppContext,
  actor: Actor,
  q: { state?: string; kind?: string; resourceId?: string; limit: number; offset: number },
) {
  requireUser(actor);
  return (await exchangeRepo.listApplications(ctx.store.db, viewer(actor), q)).map(presentApplication);
}

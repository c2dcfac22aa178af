import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type {
  AgreementTextTable,
  DeliveryTable,
  GrantTable,
  ShareApplicationTable,
  UsageReportTable,
} from '../../platform/db/schema.ts';

/** Who is asking, reduced to what the visibility clauses need. */
export interface Viewer {
  userId: string;
  role: string;
  departmentId: string | null;
}
const DEPT_ROLES = ['dept_admin', 'steward', 'member'];
const seesAll = (v: Viewer) => v.role === 'platform_admin' || v.role === 'reviewer';

export interface LogFilter {
  providerId?: string;
  resourceId?: string;
  from?: string;
  to?: string;
  limit: number;
  beforeId?: number;
}

/** All SQL of applications, grants, agreements, holidays, deliveries, notices and exchange-log queries. */
export const exchangeRepo = {
  insertApplication: (db: Db, row: ShareApplicationTable) => db.insertInto('share_applications').values(row).execute(),
  application: (db: Db, id: string) =>
    db.selectFrom('share_applications').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Moves an application only if it is still in the state the caller saw (two reviewers cannot both decide). */
  transition: async (db: Db, id: string, fromState: string, patch: Partial<ShareApplicationTable>) => {
    const r = await db
      .updateTable('share_applications')
      .set(patch)
      .where('id', '=', id)
      .where('state', '=', fromState)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  setApplication: (db: Db, id: string, patch: Partial<ShareApplicationTable>) =>
    db.updateTable('share_applications').set(patch).where('id', '=', id).execute(),
  /** Applications a viewer may see: the bureau all, departments what they applied for or provide, others their own. */
  listApplications: (
    db: Db,
    v: Viewer,
    f: { state?: string; kind?: string; resourceId?: string; limit: number; offset: number },
  ) => {
    let q = db.selectFrom('share_applications').selectAll();
    if (!seesAll(v))
      q = q.where((eb) => {
        const ors = [eb('applicant_id', '=', v.userId)];
        if (v.departmentId && DEPT_ROLES.includes(v.role))
          ors.push(eb('applicant_department_id', '=', v.departmentId), eb('provider_id', '=', v.departmentId));
        return eb.or(ors);
      });
    if (f.state) q = q.where('state', '=', f.state);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
  },
  insertEvent: (
    db: Db,
    e: {
      application_id: string;
      at: string;
      actor_id: string | null;
      action: string;
      from_state: string | null;
      to_state: string | null;
      note: string | null;
    },
  ) => db.insertInto('application_events').values(e).execute(),
  events: (db: Db, applicationId: string) =>
    db.selectFrom('application_events').selectAll().where('application_id', '=', applicationId).orderBy('id').execute(),
  overdue: (db: Db, now: string) =>
    db
      .selectFrom('share_applications')
      .selectAll()
      .where('escalated', '=', 0)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending_bureau'), eb('bureau_due_at', '<', now)]),
          eb.and([eb('state', '=', 'pending_provider'), eb('provider_due_at', '<', now)]),
        ]),
      )
      .execute(),
  /** Applications whose grant has ended (expired or revoked) but that still read approved/delivered. */
  ended: (db: Db, now: string) =>
    db
      .selectFrom('share_applications')
      .innerJoin('grants', 'grants.id', 'share_applications.grant_id')
      .select(['share_applications.id', 'share_applications.state'])
      .where('share_applications.state', 'in', ['approved', 'delivered'])
      .where((eb) => eb.or([eb('grants.valid_to', '<=', now), eb('grants.revoked_at', 'is not', null)]))
      .execute(),
  bureauUsers: (db: Db) =>
    db
      .selectFrom('users')
      .select('id')
      .where('role', 'in', ['reviewer', 'platform_admin'])
      .where('disabled', '=', 0)
      .execute(),
  departmentAdmins: (db: Db, departmentId: string) =>
    db
      .selectFrom('users')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('department_id', '=', departmentId), eb('role', 'in', ['dept_admin', 'steward'])]),
          eb('role', '=', 'platform_admin'),
        ]),
      )
      .where('disabled', '=', 0)
      .execute(),

  insertGrant: (db: Db, row: GrantTable) => db.insertInto('grants').values(row).execute(),
  grant: (db: Db, id: string) => db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Active grants of a caller (as a user, or through their department) on a resource, newest first. */
  activeGrants: (
    db: Db,
    g: { resourceId: string; userId: string; departmentId: string | null; now: string; grantId?: string },
  ) => {
    let q = db
      .selectFrom('grants')
      .selectAll()
      .where('resource_id', '=', g.resourceId)
      .where('revoked_at', 'is', null)
      .where('valid_from', '<=', g.now)
      .where('valid_to', '>', g.now)
      .where((eb) =>
        g.departmentId
          ? eb.or([eb('grantee_user_id', '=', g.userId), eb('grantee_department_id', '=', g.departmentId)])
          : eb('grantee_user_id', '=', g.userId),
      );
    if (g.grantId) q = q.where('id', '=', g.grantId);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
  },
  markGrantUsed: async (db: Db, id: string, at: string) => {
    const r = await db
      .updateTable('grants')
      .set({ first_used_at: at })
      .where('id', '=', id)
      .where('first_used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  /** Unrevoked renewals of any of these grants (one generation; callers walk the chain). */
  unrevokedRenewalsOf: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('grants')
          .select(['id'])
          .where('renewed_from', 'in', ids)
          .where('revoked_at', 'is', null)
          .execute(),
  setGrant: (db: Db, id: string, patch: Partial<GrantTable>) =>
    db.updateTable('grants').set(patch).where('id', '=', id).execute(),
  listGrants: (db: Db, v: Viewer, f: { resourceId?: string; limit: number; offset: number }) => {
    let q = db.selectFrom('grants').selectAll();
    if (v.role !== 'platform_admin')
      q = q.where((eb) => {
        const ors = [eb('grantee_user_id', '=', v.userId)];
        if (v.departmentId && DEPT_ROLES.includes(v.role))
          ors.push(eb('grantee_department_id', '=', v.departmentId), eb('provider_id', '=', v.departmentId));
        return eb.or(ors);
      });
    if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
  },

  currentAgreement: (db: Db, kind: string) =>
    db
      .selectFrom('agreement_texts')
      .selectAll()
      .where('kind', '=', kind)
      .where('active', '=', 1)
      .orderBy('version', 'desc')
      .executeTakeFirst(),
  maxAgreementVersion: async (db: Db, kind: string) => {
    const r = await db
      .selectFrom('agreement_texts')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('kind', '=', kind)
      .executeTakeFirst();
    return Number(r?.v ?? 0);
  },
  insertAgreement: async (db: Db, row: AgreementTextTable) => {
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('agreement_texts').set({ active: 0 }).where('kind', '=', row.kind).execute();
      await tx.insertInto('agreement_texts').values(row).execute();
    });
  },

  insertUsageReport: (db: Db, row: UsageReportTable) => db.insertInto('usage_reports').values(row).execute(),
  usageReports: (db: Db, applicationId: string) =>
    db
      .selectFrom('usage_reports')
      .selectAll()
      .where('application_id', '=', applicationId)
      .orderBy('created_at')
      .execute(),

  holidays: (db: Db, from?: string, to?: string) => {
    let q = db.selectFrom('holidays').selectAll();
    if (from) q = q.where('date', '>=', from);
    if (to) q = q.where('date', '<=', to);
    return q.orderBy('date').execute();
  },
  upsertHoliday: (db: Db, row: { date: string; name: string; workday: number }) =>
    db
      .insertInto('holidays')
      .values(row)
      .onConflict((oc) => oc.column('date').doUpdateSet({ name: row.name, workday: row.workday }))
      .execute(),
  deleteHoliday: async (db: Db, date: string) =>
    Number((await db.deleteFrom('holidays').where('date', '=', date).executeTakeFirst()).numDeletedRows),

  insertDelivery: (db: Db, row: DeliveryTable) => db.insertInto('deliveries').values(row).execute(),
  delivery: (db: Db, id: string) => db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
  deliveriesOf: (db: Db, grantId: string) =>
    db.selectFrom('deliveries').selectAll().where('grant_id', '=', grantId).orderBy('created_at').execute(),
  /** Daily deliveries not yet run since `since` whose grant is still active. */
  dueDeliveries: (db: Db, since: string, now: string) =>
    db
      .selectFrom('deliveries')
      .innerJoin('grants', 'grants.id', 'deliveries.grant_id')
      .selectAll('deliveries')
      .where('deliveries.schedule', '=', 'daily')
      .where((eb) => eb.or([eb('deliveries.last_run_at', 'is', null), eb('deliveries.last_run_at', '<', since)]))
      .where('grants.revoked_at', 'is', null)
      .where('grants.valid_from', '<=', now)
      .where('grants.valid_to', '>', now)
      .execute(),
  setDelivery: (db: Db, id: string, patch: Partial<DeliveryTable>) =>
    db.updateTable('deliveries').set(patch).where('id', '=', id).execute(),

  insertNotices: (
    db: Db,
    rows: { user_id: string; application_id: string | null; kind: string; message: string; created_at: string }[],
  ) => (rows.length ? db.insertInto('exchange_notices').values(rows).execute() : Promise.resolve([])),
  notices: (db: Db, userId: string, limit: number) =>
    db
      .selectFrom('exchange_notices')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  exchangeLog: (db: Db, f: LogFilter) => {
    let q = db.selectFrom('exchange_log').selectAll();
    if (f.providerId) q = q.where('provider_id', '=', f.providerId);
    if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },
  /** Calls, rows and bytes per UTC day and channel; the governance report reads these. */
  dailyFigures: (db: Db, f: { providerId?: string; from?: string; to?: string }) => {
    let q = db
      .selectFrom('exchange_log')
      .select((eb) => [
        sql<string>`substr(at, 1, 10)`.as('day'),
        'channel',
        eb.fn.countAll<number>().as('calls'),
        eb.fn.sum<number>('row_count').as('rows'),
        eb.fn.sum<number>('byte_count').as('bytes'),
        sql<number>`count(distinct resource_id)`.as('resources'),
      ]);
    if (f.providerId) q = q.where('provider_id', '=', f.providerId);
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    return q
      .groupBy([sql`substr(at, 1, 10)`, 'channel'])
      .orderBy(sql`substr(at, 1, 10)`)
      .orderBy('channel')
      .execute();
  },
};

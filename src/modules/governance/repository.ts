/**
 * All metadata SQL of governance: data elements, quality rules and reports, notifications, and the read-only
 * aggregates of the overdue list and the governance report (which read other modules' tables: resources,
 * table_versions, datasets, exchange_log). Aggregates are cast explicitly: PostgreSQL returns bigint as text.
 */
import { sql } from 'kysely';
import type { Db, Dialect } from '../../platform/db/index.ts';
import type {
  DataElementTable,
  NotificationTable,
  QualityReportTable,
  QualityRuleTable,
} from '../../platform/db/schema.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export const governanceRepo = {
  // ------------------------------------------------------------ data elements
  elements: (db: Db) => db.selectFrom('data_elements').selectAll().orderBy('code').execute(),
  elementByCode: (db: Db, code: string) =>
    db.selectFrom('data_elements').selectAll().where('code', '=', code).executeTakeFirst(),
  elementsByCodes: (db: Db, codes: string[]) =>
    codes.length === 0
      ? Promise.resolve([] as DataElementTable[])
      : db.selectFrom('data_elements').selectAll().where('code', 'in', codes).execute(),
  insertElement: (db: Db, row: DataElementTable) =>
    db
      .insertInto('data_elements')
      .values(row)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute(),
  updateElement: (db: Db, code: string, patch: Partial<DataElementTable>) =>
    db.updateTable('data_elements').set(patch).where('code', '=', code).execute(),

  // ------------------------------------------------------------ catalogue fields (the binding column only)
  fieldsOf: (db: Db, resourceId: string) =>
    db
      .selectFrom('resource_fields')
      .select(['id', 'name', 'sensitivity', 'grade', 'data_element_code'])
      .where('resource_id', '=', resourceId)
      .orderBy('position')
      .execute(),
  setFieldBinding: (
    db: Db,
    fieldId: string,
    patch: { data_element_code?: string | null; sensitivity?: string; grade?: string },
  ) => db.updateTable('resource_fields').set(patch).where('id', '=', fieldId).execute(),
  setResourceGrade: (db: Db, resourceId: string, grade: string, at: string) =>
    db.updateTable('resources').set({ grade, updated_at: at }).where('id', '=', resourceId).execute(),

  // ------------------------------------------------------------ quality rules
  rulesOf: (db: Db, resourceId: string) =>
    db
      .selectFrom('quality_rules')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('dismissed', '=', 0)
      .orderBy('field')
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  allRulesOf: (db: Db, resourceId: string) =>
    db.selectFrom('quality_rules').selectAll().where('resource_id', '=', resourceId).execute(),
  rule: (db: Db, resourceId: string, id: string) =>
    db
      .selectFrom('quality_rules')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('id', '=', id)
      .where('dismissed', '=', 0)
      .executeTakeFirst(),
  insertRules: async (db: Db, rows: QualityRuleTable[]) => {
    if (rows.length > 0) await db.insertInto('quality_rules').values(rows).execute();
  },
  updateRule: (db: Db, id: string, patch: Partial<QualityRuleTable>) =>
    db.updateTable('quality_rules').set(patch).where('id', '=', id).execute(),
  deleteRules: async (db: Db, ids: string[]) => {
    if (ids.length > 0) await db.deleteFrom('quality_rules').where('id', 'in', ids).execute();
  },

  // ------------------------------------------------------------ versions (read-only, datastore's tables)
  version: (db: Db, id: string) => db.selectFrom('table_versions').selectAll().where('id', '=', id).executeTakeFirst(),
  currentVersion: (db: Db, resourceId: string) =>
    db
      .selectFrom('datasets')
      .innerJoin('table_versions', 'table_versions.id', 'datasets.current_version_id')
      .selectAll('table_versions')
      .where('datasets.resource_id', '=', resourceId)
      .executeTakeFirst(),
  lastVersionAt: async (db: Db, resourceId: string): Promise<string | null> => {
    const r = await db
      .selectFrom('table_versions')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('resource_id', '=', resourceId)
      .executeTakeFirst();
    return r?.at ?? null;
  },

  // ------------------------------------------------------------ quality reports
  insertReport: (db: Db, row: QualityReportTable) => db.insertInto('quality_reports').values(row).execute(),
  latestReport: (db: Db, resourceId: string) =>
    db
      .selectFrom('quality_reports')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('run_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  reportHistory: (db: Db, resourceId: string, limit: number) =>
    db
      .selectFrom('quality_reports')
      .select([
        'id',
        'version_id',
        'run_at',
        'trigger',
        'score',
        'completeness',
        'validity',
        'uniqueness',
        'timeliness',
        'row_count',
      ])
      .where('resource_id', '=', resourceId)
      .orderBy('run_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  // ------------------------------------------------------------ notifications
  insertNotifications: async (db: Db, rows: NotificationTable[]): Promise<number> => {
    let inserted = 0;
    // One statement per row so a duplicate (user, dedupe_key) skips only itself on both databases.
    for (const row of rows) {
      const r = await db
        .insertInto('notifications')
        .values(row)
        .onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
        .executeTakeFirst();
      inserted += num(r.numInsertedOrUpdatedRows);
    }
    return inserted;
  },
  notificationsOf: (db: Db, userId: string, opts: { unreadOnly: boolean; limit: number; offset: number }) => {
    let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
    if (opts.unreadOnly) q = q.where('read_at', 'is', null);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).offset(opts.offset).execute();
  },
  unreadCount: async (db: Db, userId: string): Promise<number> => {
    const r = await db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return num(r?.n);
  },
  notification: (db: Db, id: string) =>
    db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst(),
  markRead: (db: Db, id: string, at: string) =>
    db.updateTable('notifications').set({ read_at: at }).where('id', '=', id).where('read_at', 'is', null).execute(),
  departmentStewards: (db: Db, departmentId: string) =>
    db
      .selectFrom('users')
      .select('id')
      .where('department_id', '=', departmentId)
      .where('role', 'in', ['steward', 'dept_admin'])
      .where('disabled', '=', 0)
      .execute(),

  // ------------------------------------------------------------ overdue
  /** Published resources with a regular update cycle, with their newest version's time (up to asOf). */
  updateCandidates: (db: Db, asOf: string, departmentId?: string | null) => {
    let q = db
      .selectFrom('resources')
      .innerJoin('departments', 'departments.id', 'resources.provider_id')
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('table_versions')
            .select(['resource_id', (e) => e.fn.max('created_at').as('last_at')])
            .where('created_at', '<=', asOf)
            .groupBy('resource_id')
            .as('v'),
        (join) => join.onRef('v.resource_id', '=', 'resources.id'),
      )
      .select([
        'resources.id',
        'resources.code',
        'resources.name',
        'resources.provider_id',
        'departments.name as provider_name',
        'resources.update_cycle',
        'resources.updated_at',
        'resources.published_at',
        'v.last_at',
      ])
      .where('resources.status', '=', 'published')
      .where('resources.update_cycle', '!=', 'irregular');
    if (departmentId) q = q.where('resources.provider_id', '=', departmentId);
    return q.orderBy('resources.code').execute();
  },

  // ------------------------------------------------------------ governance report
  resourceTotals: async (db: Db, toEnd: string, fromStart: string) => {
    const r = await db
      .selectFrom('resources')
      .select([
        sql<number>`count(*)`.as('published'),
        sql<number>`sum(case when resources.published_at >= ${fromStart} then 1 else 0 end)`.as('published_in_period'),
        sql<number>`sum(case when resources.open_type != 'none' then 1 else 0 end)`.as('open'),
        sql<number>`sum(case when resources.sharing_type != 'none' then 1 else 0 end)`.as('shared'),
        sql<number>`count(distinct resources.provider_id)`.as('providers'),
      ])
      .where('resources.status', '=', 'published')
      .where('resources.published_at', '<=', toEnd)
      .executeTakeFirst();
    return {
      published: num(r?.published),
      publishedInPeriod: num(r?.published_in_period),
      open: num(r?.open),
      shared: num(r?.shared),
      providers: num(r?.providers),
    };
  },
  allResourceCount: async (db: Db) =>
    num(
      (
        await db
          .selectFrom('resources')
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirst()
      )?.n,
    ),
  departmentCount: async (db: Db) =>
    num(
      (
        await db
          .selectFrom('departments')
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirst()
      )?.n,
    ),
  dataTotals: async (db: Db, toEnd: string) => {
    const r = await db
      .selectFrom('datasets')
      .innerJoin('resources', 'resources.id', 'datasets.resource_id')
      .select([
        sql<number>`count(datasets.current_version_id)`.as('with_data'),
        sql<number>`coalesce(sum(datasets.row_count), 0)`.as('records'),
      ])
      .where('resources.status', '=', 'published')
      .where('resources.published_at', '<=', toEnd)
      .where('datasets.current_version_id', 'is not', null)
      .executeTakeFirst();
    return { withData: num(r?.with_data), records: num(r?.records) };
  },
  fieldCount: async (db: Db, toEnd: string) =>
    num(
      (
        await db
          .selectFrom('resource_fields')
          .innerJoin('resources', 'resources.id', 'resource_fields.resource_id')
          .select(sql<number>`count(*)`.as('n'))
          .where('resources.status', '=', 'published')
          .where('resources.published_at', '<=', toEnd)
          .executeTakeFirst()
      )?.n,
    ),
  publishedTopics: (db: Db, toEnd: string) =>
    db
      .selectFrom('resources')
      .select('topics')
      .where('status', '=', 'published')
      .where('published_at', '<=', toEnd)
      .execute(),
  byDepartment: (db: Db, toEnd: string) =>
    db
      .selectFrom('resources')
      .innerJoin('departments', 'departments.id', 'resources.provider_id')
      .leftJoin('datasets', 'datasets.resource_id', 'resources.id')
      .select([
        'departments.id',
        'departments.code',
        'departments.name',
        sql<number>`count(*)`.as('datasets'),
        sql<number>`coalesce(sum(datasets.row_count), 0)`.as('records'),
      ])
      .where('resources.status', '=', 'published')
      .where('resources.published_at', '<=', toEnd)
      .groupBy(['departments.id', 'departments.code', 'departments.name'])
      .orderBy('departments.code')
      .execute(),
  /** Exchanges per local (UTC+8) day of the stored UTC timestamp, grouped in SQL; toEnd is exclusive. */
  exchangesPerDay: (db: Db, dialect: Dialect, fromStart: string, toEnd: string) => {
    const day =
      dialect === 'postgres'
        ? sql<string>`to_char((${sql.ref('at')})::timestamptz at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`
        : sql<string>`date(${sql.ref('at')}, '+8 hours')`;
    return db
      .selectFrom('exchange_log')
      .select([
        day.as('day'),
        sql<number>`count(*)`.as('exchanges'),
        sql<number>`coalesce(sum(row_count), 0)`.as('rows'),
        sql<number>`count(distinct resource_id)`.as('resources'),
      ])
      .where('at', '>=', fromStart)
      .where('at', '<', toEnd)
      .groupBy(day)
      .orderBy(day)
      .execute();
  },
  /** Share applications filed in the period: the exchange module's table, read only when it exists. */
  applicationsFiled: async (db: Db, fromStart: string, toEnd: string) =>
    (
      await sql<{
        state: string;
        created_at: string;
        decided_at: string | null;
        bureau_due_at: string | null;
        provider_due_at: string | null;
        escalated: number | string;
      }>`SELECT state, created_at, decided_at, bureau_due_at, provider_due_at, escalated
        FROM share_applications WHERE created_at >= ${fromStart} AND created_at < ${toEnd}`.execute(db)
    ).rows,
  exchangesByChannel: (db: Db, fromStart: string, toEnd: string) =>
    db
      .selectFrom('exchange_log')
      .select(['channel', sql<number>`count(*)`.as('exchanges'), sql<number>`coalesce(sum(row_count), 0)`.as('rows')])
      .where('at', '>=', fromStart)
      .where('at', '<', toEnd)
      .groupBy('channel')
      .orderBy('channel')
      .execute(),
  /** The newest quality report of each resource run up to toEnd. */
  latestScores: (db: Db, toEnd: string) =>
    db
      .selectFrom('quality_reports as q')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('quality_reports')
            .select(['resource_id', (e) => e.fn.max('run_at').as('run_at')])
            .where('run_at', '<=', toEnd)
            .groupBy('resource_id')
            .as('m'),
        (join) => join.onRef('m.resource_id', '=', 'q.resource_id').onRef('m.run_at', '=', 'q.run_at'),
      )
      .select(['q.resource_id', 'q.score'])
      .execute(),
  openedByDomain: (db: Db, fromStart: string, toEnd: string) =>
    db
      .selectFrom('resources')
      .leftJoin('vocabularies', (join) =>
        join.onRef('vocabularies.code', '=', 'resources.domain').on('vocabularies.kind', '=', 'domain'),
      )
      .select([
        'resources.domain',
        sql<string | null>`max(vocabularies.label_zh)`.as('label'),
        sql<number>`count(*)`.as('opened'),
        sql<number>`sum(case when resources.published_at >= ${fromStart} then 1 else 0 end)`.as('opened_in_period'),
      ])
      .where('resources.status', '=', 'published')
      .where('resources.open_type', '!=', 'none')
      .where('resources.published_at', '<=', toEnd)
      .groupBy('resources.domain')
      .orderBy('resources.domain')
      .execute(),
  tableNames: async (db: Db): Promise<Set<string>> => new Set((await db.introspection.getTables()).map((t) => t.name)),
};

export { num };

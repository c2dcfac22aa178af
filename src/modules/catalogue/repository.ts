import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Db, Database } from '../../platform/db/index.ts';
import { precompiled } from '../../platform/db/precompiled.ts';
import type {
  DepartmentTable,
  ResourceFieldTable,
  ResourceHistoryTable,
  ResourceTable,
  VocabularyTable,
} from '../../platform/db/schema.ts';
import type { Actor } from '../access/index.ts';

type REB = ExpressionBuilder<Database, 'resources'>;

/**
 * The SQL twin of the `resource.read` policy: what an actor may see of the catalogue.
 * - platform admins and reviewers: everything;
 * - department users: their own department's resources in any state, plus the published sharing catalogue
 *   (not 不予共享) and the published open catalogue;
 * - anonymous and public users: published resources whose open type is not 不予开放.
 */
export function visibleTo(actor: Actor) {
  return (eb: REB): Expression<SqlBool> => {
    if (actor.kind === 'user' && (actor.role === 'platform_admin' || actor.role === 'reviewer'))
      return sql<SqlBool>`1 = 1`;
    const published = eb('resources.status', '=', 'published');
    const openCatalogue = eb.and([published, eb('resources.open_type', '!=', 'none')]);
    if (
      actor.kind === 'user' &&
      actor.departmentId &&
      (actor.role === 'dept_admin' || actor.role === 'steward' || actor.role === 'member')
    ) {
      return eb.or([
        eb('resources.provider_id', '=', actor.departmentId),
        openCatalogue,
        eb.and([published, eb('resources.sharing_type', '!=', 'none')]),
      ]);
    }
    return openCatalogue;
  };
}

export interface ResourceListFilter {
  ids?: string[];
  status?: string;
  providerId?: string;
  domain?: string;
  openType?: string;
  sharingType?: string;
  q?: string;
  sort: 'updated' | 'name' | 'popularity';
  limit: number;
  offset: number;
}

const readableResourceQuery = (db: Db, by: 'resources.id' | 'resources.code', idOrCode: string) =>
  db
    .selectFrom('resources')
    .leftJoin('datasets', 'datasets.resource_id', 'resources.id')
    .leftJoin('resource_fields', 'resource_fields.resource_id', 'resources.id')
    .select([
      'resources.id',
      'resources.code',
      'resources.name',
      'resources.provider_id',
      'resources.status',
      'resources.open_type',
      'resources.sharing_type',
      'datasets.current_version_id',
      'resource_fields.name as field_name',
      'resource_fields.name_en as field_name_en',
      'resource_fields.description as field_description',
      'resource_fields.sensitivity as field_sensitivity',
      'resource_fields.grade as field_grade',
    ])
    .where(by, '=', idOrCode)
    .orderBy('resource_fields.position');
// Asked on every data call: compiled once.
const readableResourceById = precompiled((db: Db, id: string) => readableResourceQuery(db, 'resources.id', id));
const readableResourceByCode = precompiled((db: Db, code: string) => readableResourceQuery(db, 'resources.code', code));

export const catalogueRepo = {
  // Departments
  departmentById: (db: Db, id: string) =>
    db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst(),
  departmentByCode: (db: Db, code: string) =>
    db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst(),
  listDepartments: (db: Db) => db.selectFrom('departments').selectAll().orderBy('code').execute(),
  insertDepartment: (db: Db, row: DepartmentTable) => db.insertInto('departments').values(row).execute(),
  updateDepartment: (db: Db, id: string, patch: Partial<DepartmentTable>) =>
    db.updateTable('departments').set(patch).where('id', '=', id).execute(),
  deleteDepartment: (db: Db, id: string) => db.deleteFrom('departments').where('id', '=', id).execute(),
  departmentUsage: async (db: Db, id: string) => {
    const count = async (
      table: 'departments' | 'users' | 'resources',
      col: 'parent_id' | 'department_id' | 'provider_id',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            .where(col as any, '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      children: await count('departments', 'parent_id'),
      users: await count('users', 'department_id'),
      resources: await count('resources', 'provider_id'),
    };
  },

  // Resources
  resourceById: (db: Db, id: string) => db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst(),
  resourceByCode: (db: Db, code: string) =>
    db.selectFrom('resources').selectAll().where('code', '=', code).executeTakeFirst(),
  fieldsOf: (db: Db, resourceId: string) =>
    db.selectFrom('resource_fields').selectAll().where('resource_id', '=', resourceId).orderBy('position').execute(),
  fieldsOfMany: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([] as ResourceFieldTable[])
      : db
          .selectFrom('resource_fields')
          .selectAll()
          .where('resource_id', 'in', ids)
          .orderBy('resource_id')
          .orderBy('position')
          .execute(),
  resourceIdsOfProvider: async (db: Db, providerId: string) =>
    (await db.selectFrom('resources').select('id').where('provider_id', '=', providerId).execute()).map((r) => r.id),
  sameNameInProvider: (db: Db, providerId: string, nameNorm: string, exceptId?: string) => {
    let q = db
      .selectFrom('resources')
      .select(['id', 'code', 'name'])
      .where('provider_id', '=', providerId)
      .where('name_norm', '=', nameNorm);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.executeTakeFirst();
  },
  maxCodeWithPrefix: async (db: Db, prefix: string) => {
    const r = await db
      .selectFrom('resources')
      .select((eb) => eb.fn.max('code').as('code'))
      .where('code', 'like', `${prefix}/%`)
      .executeTakeFirst();
    return (r?.code as string | null | undefined) ?? null;
  },
  insertResource: (db: Db, row: ResourceTable) => db.insertInto('resources').values(row).execute(),
  updateResource: (db: Db, id: string, expectedRevision: number, patch: Partial<ResourceTable>) =>
    db
      .updateTable('resources')
      .set({ ...patch, revision: expectedRevision + 1 })
      .where('id', '=', id)
      .where('revision', '=', expectedRevision)
      .executeTakeFirst(),
  replaceFields: async (db: Db, resourceId: string, rows: ResourceFieldTable[]) => {
    await db.deleteFrom('resource_fields').where('resource_id', '=', resourceId).execute();
    if (rows.length > 0) await db.insertInto('resource_fields').values(rows).execute();
  },
  deleteResource: (db: Db, id: string) => db.deleteFrom('resources').where('id', '=', id).execute(),
  bumpPopularity: (db: Db, id: string) =>
    db
      .updateTable('resources')
      .set((eb) => ({ popularity: eb('popularity', '+', 1) }))
      .where('id', '=', id)
      .execute(),

  listResources: (db: Db, actor: Actor, f: ResourceListFilter) => {
    let q = db
      .selectFrom('resources')
      .innerJoin('departments', 'departments.id', 'resources.provider_id')
      .where(visibleTo(actor));
    if (f.ids) q = q.where('resources.id', 'in', f.ids.length ? f.ids : ['']);
    if (f.status) q = q.where('resources.status', '=', f.status);
    if (f.providerId) q = q.where('resources.provider_id', '=', f.providerId);
    if (f.domain) q = q.where('resources.domain', '=', f.domain);
    if (f.openType) q = q.where('resources.open_type', '=', f.openType);
    if (f.sharingType) q = q.where('resources.sharing_type', '=', f.sharingType);
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          eb('resources.name', 'like', sql<string>`${like} escape '\\'`),
          eb('resources.code', 'like', sql<string>`${like} escape '\\'`),
        ]),
      );
    }
    const count = q.select((eb) => eb.fn.countAll<number>().as('n'));
    const orderCol =
      f.sort === 'name' ? 'resources.name' : f.sort === 'popularity' ? 'resources.popularity' : 'resources.updated_at';
    const rows = q
      .selectAll('resources')
      .select('departments.name as provider_name')
      .orderBy(orderCol, f.sort === 'name' ? 'asc' : 'desc')
      .orderBy('resources.id')
      .limit(f.limit)
      .offset(f.offset);
    return Promise.all([rows.execute(), count.executeTakeFirstOrThrow().then((r) => Number(r.n))]);
  },
  allResourceIds: (db: Db) => db.selectFrom('resources').select('id').execute(),
  /** Resources and departments changed at or after an instant (ISO text compares in time order), for followers. */
  resourcesChangedSince: (db: Db, since: string) =>
    db.selectFrom('resources').select(['id', 'updated_at']).where('updated_at', '>=', since).execute(),
  departmentsChangedSince: (db: Db, since: string) =>
    db.selectFrom('departments').select(['id', 'updated_at']).where('updated_at', '>=', since).execute(),
  countResources: async (db: Db) =>
    Number(
      (
        await db
          .selectFrom('resources')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  /**
   * The read path's one catalogue query: what a data read needs of a resource (its sharing and open types, status,
   * provider and the fields' masking inputs) and the id of its current version, one row per field (one row with
   * null field columns when it has none). Nothing else of the resource is read or presented.
   */
  readableResource: (db: Db, by: 'id' | 'code', idOrCode: string) =>
    (by === 'id' ? readableResourceById : readableResourceByCode)(db, idOrCode),

  // History
  insertHistory: (db: Db, row: Omit<ResourceHistoryTable, 'id'>) =>
    db.insertInto('resource_history').values(row).execute(),
  historyOf: (db: Db, resourceId: string) =>
    db
      .selectFrom('resource_history')
      .leftJoin('users', 'users.id', 'resource_history.actor_id')
      .select([
        'resource_history.id',
        'resource_history.action',
        'resource_history.reason',
        'resource_history.changes',
        'resource_history.at',
        'resource_history.actor_id',
        'users.username as actor_username',
      ])
      .where('resource_history.resource_id', '=', resourceId)
      .orderBy('resource_history.id')
      .execute(),

  // Vocabularies
  vocabulary: (db: Db, kind?: string) => {
    let q = db.selectFrom('vocabularies').selectAll();
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('kind').orderBy('position').orderBy('code').execute();
  },
  vocabEntry: (db: Db, kind: string, code: string) =>
    db.selectFrom('vocabularies').selectAll().where('kind', '=', kind).where('code', '=', code).executeTakeFirst(),
  insertVocab: (db: Db, row: VocabularyTable) => db.insertInto('vocabularies').values(row).execute(),
  updateVocab: (db: Db, kind: string, code: string, patch: Partial<VocabularyTable>) =>
    db.updateTable('vocabularies').set(patch).where('kind', '=', kind).where('code', '=', code).execute(),
  deleteVocab: (db: Db, kind: string, code: string) =>
    db.deleteFrom('vocabularies').where('kind', '=', kind).where('code', '=', code).execute(),
};

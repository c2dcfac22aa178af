import type { Db } from '../../platform/db/index.ts';
import type { AppContext } from '../../context.ts';
import type { Insertable } from 'kysely';
import type { Database, TableVersionTable } from '../../platform/db/schema.ts';

/** One line of the append-only exchange log. */
export type ExchangeLine = Insertable<Database['exchange_log']>;

/** SQL of table versions and the current-version pointer. */
export const datastoreRepo = {
  /** Appends exchange-log lines in one multi-row INSERT (one transaction). */
  appendExchangeLines: async (db: Db, lines: ExchangeLine[]) => {
    await db.insertInto('exchange_log').values(lines).execute();
  },
  versions: (db: Db, resourceId: string) =>
    db
      .selectFrom('table_versions')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('version', 'desc')
      .execute(),
  version: (db: Db, id: string) => db.selectFrom('table_versions').selectAll().where('id', '=', id).executeTakeFirst(),
  versionIdByNumber: async (db: Db, resourceId: string, version: number) =>
    (
      await db
        .selectFrom('table_versions')
        .select('id')
        .where('resource_id', '=', resourceId)
        .where('version', '=', version)
        .executeTakeFirst()
    )?.id ?? null,
  maxVersion: async (db: Db, resourceId: string) => {
    const r = await db
      .selectFrom('table_versions')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('resource_id', '=', resourceId)
      .executeTakeFirst();
    return Number(r?.v ?? 0);
  },
  current: (db: Db, resourceId: string) =>
    db
      .selectFrom('datasets')
      .innerJoin('table_versions', 'table_versions.id', 'datasets.current_version_id')
      .selectAll('table_versions')
      .where('datasets.resource_id', '=', resourceId)
      .executeTakeFirst(),
  currentMany: (db: Db, resourceIds: string[]) =>
    resourceIds.length === 0
      ? Promise.resolve([] as TableVersionTable[])
      : db
          .selectFrom('datasets')
          .innerJoin('table_versions', 'table_versions.id', 'datasets.current_version_id')
          .selectAll('table_versions')
          .where('datasets.resource_id', 'in', resourceIds)
          .execute(),
  insertVersion: (db: Db, row: TableVersionTable) => db.insertInto('table_versions').values(row).execute(),
  /**
   * Makes `versionId` current only if the current version is still `expected` (null: the table has none yet), in the
   * caller's transaction. False when another load or a rollback switched it meanwhile (another server process):
   * the caller then builds on the newer version and tries again, so no load silently undoes another.
   */
  switchCurrent: async (
    db: Db,
    resourceId: string,
    expected: string | null,
    versionId: string,
    rowCount: number,
    at: string,
  ): Promise<boolean> => {
    const set = { current_version_id: versionId, row_count: rowCount, updated_at: at };
    if (expected === null) {
      const inserted = await db
        .insertInto('datasets')
        .values({ resource_id: resourceId, ...set })
        .onConflict((oc) => oc.column('resource_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
    }
    const updated = await db
      .updateTable('datasets')
      .set(set)
      .where('resource_id', '=', resourceId)
      .where('current_version_id', expected === null ? 'is' : '=', expected)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  },
  allFiles: async (db: Db) =>
    new Set((await db.selectFrom('table_versions').select('file').execute()).map((r) => r.file)),
  jobsOf: (db: Db, resourceId: string, limit: number) =>
    db
      .selectFrom('jobs')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  totals: async (db: Db) => {
    const r = await db
      .selectFrom('datasets')
      .select((eb) => [eb.fn.countAll<number>().as('tables'), eb.fn.sum<number>('row_count').as('rows')])
      .executeTakeFirstOrThrow();
    return { tables: Number(r.tables), rows: Number(r.rows ?? 0) };
  },
};

/** Figures for the portal's home page: what the public can see (cheap aggregates over metadata, no data scans). */
export async function publicStats(ctx: AppContext) {
  const db = ctx.store.db;
  const open = db.selectFrom('resources').where('status', '=', 'published').where('open_type', '!=', 'none');
  const [datasets, records, departments, calls] = await Promise.all([
    open.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('datasets')
      .innerJoin('resources', 'resources.id', 'datasets.resource_id')
      .where('resources.status', '=', 'published')
      .where('resources.open_type', '!=', 'none')
      .select((eb) => eb.fn.sum<number>('datasets.row_count').as('n'))
      .executeTakeFirstOrThrow(),
    open.select((eb) => eb.fn.count<number>('provider_id').distinct().as('n')).executeTakeFirstOrThrow(),
    // The log's highest id approximates the number of data calls without counting the whole table.
    db
      .selectFrom('exchange_log')
      .select((eb) => eb.fn.max('id').as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    datasets: Number(datasets.n),
    records: Number(records.n ?? 0),
    departments: Number(departments.n),
    apiCalls: Number(calls.n ?? 0),
  };
}

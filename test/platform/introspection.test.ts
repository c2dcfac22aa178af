import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openMetadataStore } from '../../src/platform/db/index.ts';
import { PG_URL, openTestStore, type TestStore } from '../helpers/db.ts';

/**
 * On a PostgreSQL server shared with others, the store looks only at its own schema when it asks which tables
 * exist (migrations at start, the governance report): another schema's tables do not count, and a schema another
 * client drops meanwhile does not fail the start.
 */
describe.runIf(PG_URL)('PostgreSQL introspection stays in the store schema', () => {
  let t: TestStore;
  const other = `t_${randomBytes(6).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: PG_URL! });

  beforeAll(async () => {
    t = await openTestStore('postgres');
    const c = admin();
    await c.connect();
    await c.query(`CREATE SCHEMA ${other}`);
    await c.query(`CREATE TABLE ${other}.share_applications (id int)`);
    await c.query(`CREATE TABLE ${other}.only_elsewhere (id int)`);
    await c.end();
  });
  afterAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    await c.end();
    await t?.cleanup();
  });

  it('lists its own tables and columns only', async () => {
    expect(await t.store.db.introspection.getTables()).toEqual([]);
    await migrateToLatest(t.store);
    const tables = await t.store.db.introspection.getTables();
    const names = tables.map((x) => x.name);
    expect(names).toContain('resources');
    expect(names).toContain('share_applications');
    expect(names).not.toContain('only_elsewhere');
    expect(names).not.toContain('kysely_migration');
    expect(new Set(tables.map((x) => x.schema))).toEqual(new Set([t.store.schema]));
    const resources = tables.find((x) => x.name === 'resources')!;
    expect(resources.columns.map((c) => c.name)).toContain('name_en');
    const withKysely = await t.store.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(withKysely.map((x) => x.name)).toContain('kysely_migration');
  });

  it('takes the first schema of the search path when none is named', async () => {
    const url = new URL(PG_URL!);
    url.searchParams.set('options', `-c search_path=${other}`);
    const store = openMetadataStore({ databaseUrl: url.toString() });
    try {
      const names = (await store.db.introspection.getTables()).map((x) => x.name).sort();
      expect(names).toEqual(['only_elsewhere', 'share_applications']);
    } finally {
      await store.destroy();
    }
  });

  it('migrates while other clients create and drop schemas of their own', async () => {
    let stop = false;
    const churn = (async () => {
      const c = admin();
      await c.connect();
      let n = 0;
      while (!stop) {
        const s = `t_churn_${randomBytes(4).toString('hex')}`;
        await c.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.x (id int)`);
        await c.query(`DROP SCHEMA ${s} CASCADE`);
        n++;
      }
      await c.end();
      return n;
    })();
    const stores: TestStore[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const s = await openTestStore('postgres');
        stores.push(s);
        expect((await migrateToLatest(s.store)).length).toBeGreaterThan(0);
      }
    } finally {
      stop = true;
      for (const s of stores) await s.cleanup();
    }
    // The other client really was creating and dropping schemas meanwhile.
    expect(await churn).toBeGreaterThan(0);
  });
});

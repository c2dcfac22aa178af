import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datastoreRepo } from '../../src/modules/datastore/repository.ts';
import { migrateToLatest } from '../../src/platform/db/index.ts';
import { DIALECTS, openTestStore, type TestStore } from '../helpers/db.ts';

/** The exchange log keeps every line as written: the database itself refuses changes and deletions. */
describe.each(DIALECTS)('exchange log is append-only (%s)', (dialect) => {
  let t: TestStore;
  const line = {
    at: '2026-11-30T10:00:00.000Z',
    actor_id: 'u-1',
    actor_name: '张三',
    department_id: 'd-1',
    resource_id: 'r-1',
    provider_id: 'd-2',
    version_id: 'v-1',
    channel: 'rows',
    fields: JSON.stringify(['姓名']),
    filter: null,
    row_count: 20,
    byte_count: 2048,
    grant_id: null,
    client_ip: '10.0.0.8',
  };

  beforeAll(async () => {
    t = await openTestStore(dialect);
    await migrateToLatest(t.store);
    await datastoreRepo.appendExchangeLines(t.store.db, [line, { ...line, actor_id: 'u-2', row_count: 5 }]);
  });
  afterAll(async () => t?.cleanup());

  const lines = () => t.store.db.selectFrom('exchange_log').select(['actor_id', 'row_count']).orderBy('id').execute();

  it('refuses to change a line', async () => {
    await expect(
      t.store.db.updateTable('exchange_log').set({ row_count: 0 }).where('actor_id', '=', 'u-1').execute(),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    expect((await lines()).map((l) => [l.actor_id, Number(l.row_count)])).toEqual([
      ['u-1', 20],
      ['u-2', 5],
    ]);
  });

  it('refuses to delete lines', async () => {
    await expect(t.store.db.deleteFrom('exchange_log').execute()).rejects.toThrow(/append-only: DELETE refused/);
    expect(await lines()).toHaveLength(2);
  });

  // SQLite has no TRUNCATE (its DELETE is refused above); PostgreSQL's needs a trigger of its own.
  if (dialect === 'postgres')
    it('refuses TRUNCATE', async () => {
      await expect(sql`TRUNCATE exchange_log`.execute(t.store.db)).rejects.toThrow(/append-only: TRUNCATE refused/);
      expect(await lines()).toHaveLength(2);
    });

  it('still appends', async () => {
    await datastoreRepo.appendExchangeLines(t.store.db, [{ ...line, actor_id: 'u-3' }]);
    expect((await lines()).map((l) => l.actor_id)).toEqual(['u-1', 'u-2', 'u-3']);
  });
});

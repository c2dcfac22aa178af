import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMetadataStore, type Dialect, type MetadataStore } from '../../src/platform/db/index.ts';

/**
 * Every repository and service test runs on both metadata stores. PostgreSQL runs when
 * CITYDATA_TEST_PG_URL is set; in CI it must be set, so a missing database fails the run instead of skipping.
 */
export const PG_URL = process.env.CITYDATA_TEST_PG_URL || null;
if (process.env.CI && !PG_URL)
  throw new Error('CI must set CITYDATA_TEST_PG_URL: the PostgreSQL half of the suite may not be skipped');
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStore {
  store: MetadataStore;
  dataDir: string;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'citydata-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh, empty store: a new SQLite file, or a PostgreSQL schema of its own (dropped afterwards). */
export async function openTestStore(dialect: Dialect): Promise<TestStore> {
  const dataDir = tempDir();
  if (dialect === 'sqlite') {
    const store = openMetadataStore({ databaseUrl: null, sqlitePath: path.join(dataDir, 'citydata.sqlite') });
    return {
      store,
      dataDir,
      cleanup: async () => {
        await store.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (!PG_URL) throw new Error('CITYDATA_TEST_PG_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = openMetadataStore({ databaseUrl: PG_URL, pgSchema: schema });
  return {
    store,
    dataDir,
    cleanup: async () => {
      await store.destroy();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

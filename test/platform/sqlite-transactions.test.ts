import path from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore, type MetadataStore } from '../../src/platform/db/index.ts';
import { tempDir } from '../helpers/db.ts';

/**
 * Several server processes may share the embedded SQLite store. A transaction that reads and then writes must not fail
 * because another process wrote in between: it holds the write lock from its start, and the other process waits.
 */
describe('SQLite transactions shared with another process', () => {
  let dir: string;
  let store: MetadataStore;
  beforeAll(async () => {
    dir = tempDir();
    store = openMetadataStore({ databaseUrl: null, sqlitePath: path.join(dir, 'citydata.sqlite') });
    await sql`CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`.execute(store.db);
    await sql`INSERT INTO counter VALUES (1, 0)`.execute(store.db);
  });
  afterAll(async () => store?.destroy());

  it('reads, lets another process try to write meanwhile, then writes: both changes land', async () => {
    const file = path.join(dir, 'citydata.sqlite');
    let other: Promise<{ code: number | null; out: string }> | null = null;
    await store.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ n: number }>`SELECT n FROM counter WHERE id = 1`.execute(trx);
      // Another process adds 100 while this transaction is open, then this one writes what it read plus one.
      const child = spawn(
        process.execPath,
        [
          '-e',
          `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(file)});
           d.pragma('busy_timeout = 10000'); const u = d.prepare('UPDATE counter SET n = n + 100 WHERE id = 1');
           process.stdout.write('ready;', () => { u.run(); process.stdout.write('written'); });`,
        ],
        { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      other = new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
      // Its write is under way (waiting for the lock, or failing) before this transaction writes.
      await new Promise<void>((resolve) => child.stdout.on('data', () => out.startsWith('ready;') && resolve()));
      await new Promise((r) => setTimeout(r, 300));
      await sql`UPDATE counter SET n = ${rows[0]!.n + 1} WHERE id = 1`.execute(trx);
    });
    expect(await other).toEqual({ code: 0, out: 'ready;written' });
    const { rows } = await sql<{ n: number }>`SELECT n FROM counter WHERE id = 1`.execute(store.db);
    expect(rows[0]!.n).toBe(101);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from '../../migrations/index.ts';
import type { Database } from './schema.ts';
import { OwnSchemaPostgresDialect } from './introspector.ts';

export type { Database } from './schema.ts';
export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface MetadataStore {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL schema the store lives in (default: the server's search_path, usually public). */
  schema?: string;
  destroy(): Promise<void>;
}

// pg returns BIGINT/NUMERIC as strings; our counts fit in a JS number, so parse them.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface StoreOptions {
  /** postgres:// URL, or null for SQLite. */
  databaseUrl: string | null;
  /** SQLite file path (ignored for PostgreSQL); ':memory:' is not used outside throwaway tools. */
  sqlitePath?: string;
  /** For PostgreSQL: a schema to use (tests isolate themselves in one). */
  pgSchema?: string;
}

export function openMetadataStore(opts: StoreOptions): MetadataStore {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }, opts.pgSchema) });
    return { db, dialect: 'postgres', schema: opts.pgSchema, destroy: () => db.destroy() };
  }
  const file = opts.sqlitePath ?? 'citydata.sqlite';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepStatements(sqlite) }) });
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/**
 * SQLite transactions that take the write lock at BEGIN (BEGIN IMMEDIATE). A deferred transaction that reads first and
 * writes later fails outright (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out) when another process wrote
 * in between, and several server processes may share one store; an immediate one waits its turn instead. Within one
 * process nothing changes: Kysely runs one transaction at a time on SQLite's single connection.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

/**
 * Kysely prepares every query anew; keeping the prepared statements (least recently used dropped first) spares
 * SQLite parsing and planning the same SQL on every request. SQLite re-prepares a kept statement itself after a
 * schema change, and Kysely runs one query at a time on the connection, so a statement is never used twice at once.
 */
function keepStatements(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let stmt = kept.get(sql);
      if (stmt) kept.delete(sql);
      else {
        stmt = sqlite.prepare(sql);
        if (kept.size >= max) kept.delete(kept.keys().next().value as string);
      }
      kept.set(sql, stmt);
      return stmt;
    },
  };
}

/** Runs pending migrations. Kysely's migrator takes a lock table, so concurrent starts are safe. */
export async function migrateToLatest(store: MetadataStore): Promise<string[]> {
  const db = store.db;
  const migrator = new Migrator({
    db,
    // Kysely looks its bookkeeping tables up by schema; name ours so stores in other schemas don't confuse it.
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export function nowIso(): string {
  return new Date().toISOString();
}

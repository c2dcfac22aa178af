import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/**
 * The exchange log is append-only in the database itself, not only by convention: an UPDATE or DELETE of a line
 * (and, on PostgreSQL, a TRUNCATE) is refused by a trigger, whoever issues it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`CREATE FUNCTION exchange_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'exchange_log is append-only: % refused', TG_OP; END $$`.execute(db);
    await sql`CREATE TRIGGER exchange_log_no_change BEFORE UPDATE OR DELETE ON exchange_log
      FOR EACH ROW EXECUTE FUNCTION exchange_log_append_only()`.execute(db);
    await sql`CREATE TRIGGER exchange_log_no_truncate BEFORE TRUNCATE ON exchange_log
      FOR EACH STATEMENT EXECUTE FUNCTION exchange_log_append_only()`.execute(db);
    return;
  }
  for (const op of ['UPDATE', 'DELETE'])
    await sql
      .raw(
        `CREATE TRIGGER exchange_log_no_${op.toLowerCase()} BEFORE ${op} ON exchange_log
         BEGIN SELECT RAISE(ABORT, 'exchange_log is append-only: ${op} refused'); END`,
      )
      .execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`DROP TRIGGER exchange_log_no_truncate ON exchange_log`.execute(db);
    await sql`DROP TRIGGER exchange_log_no_change ON exchange_log`.execute(db);
    await sql`DROP FUNCTION exchange_log_append_only()`.execute(db);
    return;
  }
  await sql`DROP TRIGGER exchange_log_no_update`.execute(db);
  await sql`DROP TRIGGER exchange_log_no_delete`.execute(db);
}

import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const bigint = pg ? sql`bigint` : sql`integer`;

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.references('resources.id').onDelete('cascade'))
    .addColumn('created_by', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('progress', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('owner', 'text')
    .execute();
  await db.schema.createIndex('jobs_state_idx').on('jobs').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('jobs_resource_idx').on('jobs').columns(['resource_id', 'created_at']).execute();

  await db.schema
    .createTable('table_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('row_count', bigint, (c) => c.notNull())
    .addColumn('byte_size', bigint, (c) => c.notNull())
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('geometry', 'text')
    .addColumn('job_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('table_versions_resource_version_uq', ['resource_id', 'version'])
    .execute();

  // Append-only: every data read (rows, preview, export, SQL, CKAN datastore calls, deliveries).
  await db.schema
    .createTable('exchange_log')
    .addColumn('id', pg ? sql`bigserial` : sql`integer`, (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('department_id', 'text')
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('fields', 'text')
    .addColumn('filter', 'text')
    .addColumn('row_count', bigint, (c) => c.notNull())
    .addColumn('byte_count', bigint, (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('client_ip', 'text')
    .execute();
  await db.schema.createIndex('exchange_log_resource_idx').on('exchange_log').columns(['resource_id', 'at']).execute();
  await db.schema.createIndex('exchange_log_provider_idx').on('exchange_log').columns(['provider_id', 'at']).execute();
  await db.schema.createIndex('exchange_log_at_idx').on('exchange_log').column('at').execute();

  await db.schema
    .createTable('datasets')
    .addColumn('resource_id', 'text', (c) => c.primaryKey().references('resources.id').onDelete('cascade'))
    .addColumn('current_version_id', 'text', (c) => c.references('table_versions.id'))
    .addColumn('row_count', bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('datasets').execute();
  await db.schema.dropTable('exchange_log').execute();
  await db.schema.dropTable('table_versions').execute();
  await db.schema.dropTable('jobs').execute();
}

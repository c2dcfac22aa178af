import { type Kysely } from 'kysely';

// Frozen: never import application code here.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // 数据元: a national-standard-like data element; fields bind to it by code and take its rules.
  await db.schema
    .createTable('data_elements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('description', 'text')
    .addColumn('rules', 'text', (c) => c.notNull().defaultTo('[]')) // JSON [{kind, params}]
    .addColumn('sensitivity', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('grade', 'text', (c) => c.notNull().defaultTo('L1'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('quality_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('params', 'text') // JSON
    .addColumn('source', 'text', (c) => c.notNull()) // manual | element | proposed
    .addColumn('element_code', 'text') // set when source = element
    .addColumn('proposal', 'text') // JSON {sensitivity, grade, reason, passRate} when source = proposed
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('dismissed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('quality_rules_resource_idx')
    .on('quality_rules')
    .columns(['resource_id', 'field'])
    .execute();

  await db.schema
    .createTable('quality_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('version_id', 'text')
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull()) // load | manual
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('completeness', 'double precision', (c) => c.notNull())
    .addColumn('validity', 'double precision', (c) => c.notNull())
    .addColumn('uniqueness', 'double precision', (c) => c.notNull())
    .addColumn('timeliness', 'double precision', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull()) // JSON
    .execute();
  await db.schema
    .createIndex('quality_reports_resource_idx')
    .on('quality_reports')
    .columns(['resource_id', 'run_at'])
    .execute();

  // A simple inbox; dedupe_key makes repeated notices (daily overdue checks) idempotent per user.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema
    .createIndex('notifications_user_idx')
    .on('notifications')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('notifications_dedupe_uq')
    .on('notifications')
    .columns(['user_id', 'dedupe_key'])
    .unique()
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('quality_reports').execute();
  await db.schema.dropTable('quality_rules').execute();
  await db.schema.dropTable('data_elements').execute();
}

import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never import application code here. Types are chosen to be identical on SQLite and PostgreSQL.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = pg ? sql`serial` : sql`integer`;

  await db.schema
    .createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('departments.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('departments_parent_idx').on('departments').column('parent_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.references('departments.id'))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_department_idx').on('users').column('department_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('client_ip', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_user_at_idx').on('login_attempts').columns(['username', 'at']).execute();
  await db.schema.createIndex('login_attempts_ip_at_idx').on('login_attempts').columns(['client_ip', 'at']).execute();

  await db.schema
    .createTable('resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_norm', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('abstract', 'text', (c) => c.notNull())
    .addColumn('class_category', 'text', (c) => c.notNull())
    .addColumn('class_item', 'text', (c) => c.notNull())
    .addColumn('class_catalog', 'text', (c) => c.notNull())
    .addColumn('class_detail', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('sharing_type', 'text', (c) => c.notNull())
    .addColumn('sharing_conditions', 'text')
    .addColumn('sharing_basis', 'text')
    .addColumn('sharing_method', 'text', (c) => c.notNull())
    .addColumn('open_type', 'text', (c) => c.notNull())
    .addColumn('open_conditions', 'text')
    .addColumn('update_cycle', 'text', (c) => c.notNull())
    .addColumn('publish_date', 'text')
    .addColumn('related_codes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('topics', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('licence', 'text')
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('spatial_coverage', 'text')
    .addColumn('division_code', 'text')
    .addColumn('temporal_start', 'text')
    .addColumn('temporal_end', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pending_action', 'text')
    .addColumn('return_reason', 'text')
    .addColumn('has_api', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('has_geometry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('popularity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('resources_provider_idx').on('resources').column('provider_id').execute();
  await db.schema.createIndex('resources_status_idx').on('resources').columns(['status', 'open_type']).execute();
  await db.schema
    .createIndex('resources_provider_name_idx')
    .on('resources')
    .columns(['provider_id', 'name_norm'])
    .execute();

  await db.schema
    .createTable('resource_fields')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('length', 'integer')
    .addColumn('description', 'text')
    .addColumn('sensitivity', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('data_element_code', 'text')
    .execute();
  await db.schema
    .createIndex('resource_fields_resource_idx')
    .on('resource_fields')
    .columns(['resource_id', 'position'])
    .execute();

  await db.schema
    .createTable('resource_history')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('resource_history_resource_idx')
    .on('resource_history')
    .columns(['resource_id', 'id'])
    .execute();

  await db.schema
    .createTable('vocabularies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label_zh', 'text', (c) => c.notNull())
    .addColumn('label_en', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('vocabularies_kind_code_uq', ['kind', 'code'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'vocabularies',
    'resource_history',
    'resource_fields',
    'resources',
    'login_attempts',
    'api_keys',
    'sessions',
    'users',
    'departments',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}

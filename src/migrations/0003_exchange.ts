import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = pg ? sql`bigserial` : sql`integer`;

  // 有条件共享 (kind share) and 有条件开放 (kind open) applications.
  await db.schema
    .createTable('share_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('applicant_id', 'text', (c) => c.notNull())
    .addColumn('applicant_department_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('row_filter', 'text')
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('form', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('return_reason', 'text')
    .addColumn('refusal_reason', 'text')
    .addColumn('bureau_due_at', 'text')
    .addColumn('provider_due_at', 'text')
    .addColumn('escalated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('escalated_at', 'text')
    .addColumn('commitment_version', 'integer')
    .addColumn('agreement_version', 'integer')
    .addColumn('grant_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema
    .createIndex('share_applications_state_idx')
    .on('share_applications')
    .columns(['state', 'created_at'])
    .execute();
  await db.schema
    .createIndex('share_applications_provider_idx')
    .on('share_applications')
    .columns(['provider_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('share_applications_applicant_idx')
    .on('share_applications')
    .columns(['applicant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('application_events')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('share_applications.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('application_events_app_idx')
    .on('application_events')
    .columns(['application_id', 'id'])
    .execute();

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text')
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('grantee_user_id', 'text')
    .addColumn('grantee_department_id', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('unmasked_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('row_filter', 'text')
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .addColumn('renewed_from', 'text')
    .addColumn('first_used_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_resource_idx').on('grants').columns(['resource_id', 'valid_to']).execute();

  await db.schema
    .createTable('agreement_texts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('text_zh', 'text', (c) => c.notNull())
    .addColumn('text_en', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('agreement_texts_kind_version_uq', ['kind', 'version'])
    .execute();

  await db.schema
    .createTable('usage_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('share_applications.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // The working-day calendar: public holidays, and weekend days that are working days (调休).
  await db.schema
    .createTable('holidays')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('workday', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('target_path', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .execute();

  // Notices of the exchange workflows (SLA escalations, decisions) until a platform-wide notice list exists.
  await db.schema
    .createTable('exchange_notices')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('exchange_notices_user_idx').on('exchange_notices').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('exchange_log_actor_idx').on('exchange_log').columns(['actor_id', 'at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('exchange_log_actor_idx').execute();
  for (const t of [
    'exchange_notices',
    'deliveries',
    'holidays',
    'usage_reports',
    'agreement_texts',
    'grants',
    'application_events',
    'share_applications',
  ])
    await db.schema.dropTable(t).execute();
}

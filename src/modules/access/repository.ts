import type { Db } from '../../platform/db/index.ts';
import { precompiled } from '../../platform/db/precompiled.ts';
import type { ApiKeyTable, SessionTable, UserTable } from '../../platform/db/schema.ts';

// Who is calling is looked up on every request: these two queries are compiled once.
const sessionCaller = precompiled((db: Db, id: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.csrf_token',
      'sessions.expires_at',
      'sessions.revoked_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.department_id',
      'users.disabled',
    ])
    .where('sessions.id', '=', id),
);
const apiKeyCaller = precompiled((db: Db, keyHash: string) =>
  db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.last_used_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.department_id',
      'users.disabled',
    ])
    .where('api_keys.key_hash', '=', keyHash),
);

/** All SQL of accounts, sessions, API keys and login attempts. */
export const accessRepo = {
  userById: (db: Db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  userByUsername: (db: Db, username: string) =>
    db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst(),
  insertUser: (db: Db, row: UserTable) => db.insertInto('users').values(row).execute(),
  updateUser: (db: Db, id: string, patch: Partial<UserTable>) =>
    db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst(),
  listUsers: (db: Db, filter: { departmentId?: string | null; limit: number; offset: number }) => {
    let q = db
      .selectFrom('users')
      .select([
        'id',
        'username',
        'display_name',
        'email',
        'phone',
        'role',
        'department_id',
        'disabled',
        'created_at',
        'updated_at',
      ]);
    if (filter.departmentId) q = q.where('department_id', '=', filter.departmentId);
    return q.orderBy('username').limit(filter.limit).offset(filter.offset).execute();
  },
  countUsers: async (db: Db) =>
    Number(
      (
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),

  insertSession: (db: Db, row: SessionTable) => db.insertInto('sessions').values(row).execute(),
  /** The session and its user, for the per-request lookup (compiled once). */
  sessionCaller: async (db: Db, id: string) => (await sessionCaller(db, id))[0],
  revokeSession: (db: Db, id: string, at: string) =>
    db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).execute(),
  revokeUserSessions: (db: Db, userId: string, at: string, exceptId?: string) => {
    let q = db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.execute();
  },

  insertApiKey: (db: Db, row: ApiKeyTable) => db.insertInto('api_keys').values(row).execute(),
  /** The API key and its user, for the per-request lookup (compiled once). */
  apiKeyCaller: async (db: Db, keyHash: string) => (await apiKeyCaller(db, keyHash))[0],
  listApiKeys: (db: Db, userId: string) =>
    db
      .selectFrom('api_keys')
      .select(['id', 'name', 'prefix', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute(),
  apiKeyById: (db: Db, id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst(),
  revokeApiKey: (db: Db, id: string, at: string) =>
    db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute(),
  touchApiKey: (db: Db, id: string, at: string) =>
    db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute(),

  recordLoginAttempt: (db: Db, username: string, clientIp: string, success: boolean, at: string) =>
    db
      .insertInto('login_attempts')
      .values({ username, client_ip: clientIp, success: success ? 1 : 0, at })
      .execute(),
  recentFailures: async (db: Db, since: string, by: { username?: string; clientIp?: string }) => {
    let q = db
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('success', '=', 0)
      .where('at', '>=', since);
    if (by.username !== undefined) q = q.where('username', '=', by.username);
    if (by.clientIp !== undefined) q = q.where('client_ip', '=', by.clientIp);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },
  lastSuccess: (db: Db, username: string) =>
    db
      .selectFrom('login_attempts')
      .select('at')
      .where('username', '=', username)
      .where('success', '=', 1)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst(),
};

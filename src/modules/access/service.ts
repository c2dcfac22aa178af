import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import {
  AppError,
  badRequest,
  conflict,
  notFound,
  tooMany,
  unauthorized,
  validationFailed,
} from '../../platform/http/errors.ts';
import { ROLES, type Actor, type Role, type UserActor } from './actor.ts';
import { authorize, requireUser } from './policy.ts';
import {
  DUMMY_HASH,
  hashPassword,
  randomToken,
  sha256,
  validatePasswordStrength,
  verifyPassword,
} from './passwords.ts';
import { accessRepo } from './repository.ts';

const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES_PER_USER = 5;
const MAX_FAILURES_PER_IP = 30;
const API_KEY_PREFIX = 'cdk_';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  role: Role;
  departmentId: string | null;
  disabled: boolean;
  createdAt: string;
}

type UserRow = NonNullable<Awaited<ReturnType<typeof accessRepo.userById>>>;
function presentUser(u: Omit<UserRow, 'password_hash' | 'password_changed_at'>): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    phone: u.phone,
    role: u.role as Role,
    departmentId: u.department_id,
    disabled: u.disabled === 1,
    createdAt: u.created_at,
  };
}

const USERNAME_RE = /^[A-Za-z0-9_.\-@\u4e00-\u9fa5]{2,64}$/;

export interface CreateUserInput {
  username: string;
  password: string;
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  role: Role;
  departmentId?: string | null;
}

async function assertDepartmentExists(db: Db, departmentId: string | null | undefined): Promise<void> {
  if (!departmentId) return;
  const d = await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!d) throw validationFailed(`departmentId ${departmentId} does not exist`, { field: 'departmentId' });
}

function checkRoleDepartment(role: Role, departmentId: string | null | undefined): void {
  if (!ROLES.includes(role)) throw validationFailed(`role must be one of ${ROLES.join(', ')}`, { field: 'role' });
  const needsDept = role === 'dept_admin' || role === 'steward' || role === 'member';
  if (needsDept && !departmentId)
    throw validationFailed(`role ${role} needs a departmentId`, { field: 'departmentId' });
  if (role === 'public' && departmentId)
    throw validationFailed('public users do not belong to a department', { field: 'departmentId' });
}

/** Creates a user without an actor check: for start-up, the CLI and self-registration (which fixes the role). */
export async function createUserUnchecked(db: Db, input: CreateUserInput): Promise<PublicUser> {
  if (!USERNAME_RE.test(input.username))
    throw validationFailed('username must be 2–64 letters, digits, Chinese characters or _ . - @', {
      field: 'username',
    });
  const weak = validatePasswordStrength(input.password);
  if (weak) throw validationFailed(weak, { field: 'password' });
  checkRoleDepartment(input.role, input.departmentId);
  await assertDepartmentExists(db, input.departmentId);
  if (await accessRepo.userByUsername(db, input.username))
    throw conflict('username_taken', `username ${input.username} is already taken`, { field: 'username' });
  const now = nowIso();
  const row = {
    id: randomUUID(),
    username: input.username,
    display_name: input.displayName?.trim() || input.username,
    email: input.email ?? null,
    phone: input.phone ?? null,
    password_hash: await hashPassword(input.password),
    role: input.role,
    department_id: input.departmentId ?? null,
    disabled: 0,
    created_at: now,
    updated_at: now,
    password_changed_at: now,
  };
  await accessRepo.insertUser(db, row);
  return presentUser(row);
}

export async function createUser(db: Db, actor: Actor, input: CreateUserInput): Promise<PublicUser> {
  authorize(actor, { action: 'user.manage', target: { role: input.role, departmentId: input.departmentId ?? null } });
  return createUserUnchecked(db, input);
}

export async function registerPublicUser(
  db: Db,
  allowRegistration: boolean,
  input: { username: string; password: string; displayName?: string; email?: string | null },
): Promise<PublicUser> {
  if (!allowRegistration) throw new AppError(403, 'registration_closed', 'Self-registration is switched off');
  return createUserUnchecked(db, { ...input, role: 'public', departmentId: null });
}

export async function getUser(db: Db, actor: Actor, id: string): Promise<PublicUser> {
  requireUser(actor);
  const u = await accessRepo.userById(db, id);
  if (!u) throw notFound('user', id);
  if (u.id !== actor.userId)
    authorize(actor, { action: 'user.manage', target: { role: u.role as Role, departmentId: u.department_id } });
  return presentUser(u);
}

export async function listUsers(
  db: Db,
  actor: Actor,
  q: { departmentId?: string; limit: number; offset: number },
): Promise<PublicUser[]> {
  // Department admins see only their own department: the filter is forced into the SQL.
  const departmentId =
    actor.kind === 'user' && actor.role === 'dept_admin' ? (actor.departmentId ?? undefined) : q.departmentId;
  authorize(actor, {
    action: 'user.list',
    departmentId: actor.kind === 'user' && actor.role === 'platform_admin' ? undefined : departmentId,
  });
  const rows = await accessRepo.listUsers(db, { departmentId, limit: q.limit, offset: q.offset });
  return rows.map(presentUser);
}

export async function updateUser(
  db: Db,
  actor: Actor,
  id: string,
  patch: {
    displayName?: string;
    email?: string | null;
    phone?: string | null;
    role?: Role;
    departmentId?: string | null;
    disabled?: boolean;
  },
): Promise<PublicUser> {
  const u = await accessRepo.userById(db, id);
  if (!u) throw notFound('user', id);
  authorize(actor, { action: 'user.manage', target: { role: u.role as Role, departmentId: u.department_id } });
  const role = patch.role ?? (u.role as Role);
  const departmentId = patch.departmentId !== undefined ? patch.departmentId : u.department_id;
  checkRoleDepartment(role, departmentId);
  authorize(actor, { action: 'user.manage', target: { role, departmentId } });
  await assertDepartmentExists(db, departmentId);
  const now = nowIso();
  await accessRepo.updateUser(db, id, {
    ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    role,
    department_id: departmentId,
    ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
    updated_at: now,
  });
  if (patch.disabled) await accessRepo.revokeUserSessions(db, id, now);
  return presentUser((await accessRepo.userById(db, id))!);
}

export async function setPasswordUnchecked(db: Db, userId: string, password: string): Promise<void> {
  const weak = validatePasswordStrength(password);
  if (weak) throw validationFailed(weak, { field: 'password' });
  const now = nowIso();
  await accessRepo.updateUser(db, userId, {
    password_hash: await hashPassword(password),
    password_changed_at: now,
    updated_at: now,
  });
  await accessRepo.revokeUserSessions(db, userId, now);
}

export async function changePassword(
  db: Db,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  requireUser(actor);
  const u = await accessRepo.userById(db, actor.userId);
  if (!u || !(await verifyPassword(input.currentPassword, u.password_hash)))
    throw new AppError(400, 'wrong_password', 'The current password is wrong', { field: 'currentPassword' });
  const weak = validatePasswordStrength(input.newPassword);
  if (weak) throw validationFailed(weak, { field: 'newPassword' });
  const now = nowIso();
  await accessRepo.updateUser(db, u.id, {
    password_hash: await hashPassword(input.newPassword),
    password_changed_at: now,
    updated_at: now,
  });
  // Other sessions end; the one used to change the password stays.
  await accessRepo.revokeUserSessions(db, u.id, now, actor.sessionId);
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: string;
  user: PublicUser;
}

export async function login(
  db: Db,
  input: { username: string; password: string; clientIp: string; ttlHours: number },
): Promise<LoginResult> {
  const now = Date.now();
  const since = new Date(now - THROTTLE_WINDOW_MS).toISOString();
  const lastOk = await accessRepo.lastSuccess(db, input.username);
  const userSince = lastOk && lastOk.at > since ? lastOk.at : since;
  const [userFailures, ipFailures] = await Promise.all([
    accessRepo.recentFailures(db, userSince, { username: input.username }),
    accessRepo.recentFailures(db, since, { clientIp: input.clientIp }),
  ]);
  if (userFailures >= MAX_FAILURES_PER_USER || ipFailures >= MAX_FAILURES_PER_IP)
    throw tooMany('Too many failed sign-ins; try again in 15 minutes', THROTTLE_WINDOW_MS / 1000);

  const u = await accessRepo.userByUsername(db, input.username);
  const ok = await verifyPassword(input.password, u?.password_hash ?? DUMMY_HASH);
  if (!u || !ok || u.disabled === 1) {
    await accessRepo.recordLoginAttempt(db, input.username, input.clientIp, false, nowIso());
    throw unauthorized('invalid_credentials', 'Wrong username or password');
  }
  await accessRepo.recordLoginAttempt(db, input.username, input.clientIp, true, nowIso());
  const token = randomToken();
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now + input.ttlHours * 3600 * 1000).toISOString();
  await accessRepo.insertSession(db, {
    id: sha256(token),
    user_id: u.id,
    csrf_token: csrfToken,
    created_at: nowIso(),
    expires_at: expiresAt,
    revoked_at: null,
    client_ip: input.clientIp,
  });
  return { token, csrfToken, expiresAt, user: presentUser(u) };
}

export async function logout(db: Db, actor: Actor): Promise<void> {
  if (actor.kind === 'user' && actor.sessionId) await accessRepo.revokeSession(db, actor.sessionId, nowIso());
}

/** Resolves a session cookie; throws 401 with a specific code for expired, revoked or forged sessions. */
export async function actorFromSession(db: Db, token: string): Promise<UserActor> {
  const s = await accessRepo.sessionCaller(db, sha256(token));
  if (!s) throw unauthorized('invalid_session', 'The session is not valid; sign in again');
  if (s.revoked_at) throw unauthorized('session_revoked', 'The session has ended; sign in again');
  if (s.expires_at <= nowIso()) throw unauthorized('session_expired', 'The session has expired; sign in again');
  if (s.disabled === 1) throw unauthorized('account_disabled', 'The account is disabled');
  return {
    kind: 'user',
    userId: s.user_id,
    username: s.username,
    role: s.role as Role,
    departmentId: s.department_id,
    via: 'session',
    sessionId: s.session_id,
    csrfToken: s.csrf_token,
  };
}

export async function actorFromApiKey(db: Db, key: string): Promise<UserActor> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200)
    throw unauthorized('invalid_api_key', 'The API key is not valid');
  const k = await accessRepo.apiKeyCaller(db, sha256(key));
  if (!k) throw unauthorized('invalid_api_key', 'The API key is not valid');
  if (k.revoked_at) throw unauthorized('api_key_revoked', 'The API key has been revoked');
  const now = nowIso();
  if (k.expires_at && k.expires_at <= now) throw unauthorized('api_key_expired', 'The API key has expired');
  if (k.disabled === 1) throw unauthorized('account_disabled', 'The account is disabled');
  // Touch at most once a minute, so heavy API use does not turn every read into a write.
  if (!k.last_used_at || Date.parse(now) - Date.parse(k.last_used_at) > 60_000)
    await accessRepo.touchApiKey(db, k.key_id, now);
  return {
    kind: 'user',
    userId: k.user_id,
    username: k.username,
    role: k.role as Role,
    departmentId: k.department_id,
    via: 'api_key',
  };
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export async function createApiKey(
  db: Db,
  actor: Actor,
  input: { name: string; expiresAt?: string | null },
): Promise<ApiKeyInfo & { key: string }> {
  requireUser(actor);
  if (input.expiresAt) {
    const t = Date.parse(input.expiresAt);
    if (Number.isNaN(t)) throw badRequest('invalid_date', 'expiresAt must be an ISO date-time', { field: 'expiresAt' });
    if (t <= Date.now()) throw validationFailed('expiresAt must be in the future', { field: 'expiresAt' });
  }
  const key = API_KEY_PREFIX + randomToken(30);
  const row = {
    id: randomUUID(),
    user_id: actor.userId,
    name: input.name,
    prefix: key.slice(0, 10),
    key_hash: sha256(key),
    created_at: nowIso(),
    expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    revoked_at: null,
    last_used_at: null,
  };
  await accessRepo.insertApiKey(db, row);
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: null,
    lastUsedAt: null,
    key,
  };
}

export async function listApiKeys(db: Db, actor: Actor): Promise<ApiKeyInfo[]> {
  requireUser(actor);
  return (await accessRepo.listApiKeys(db, actor.userId)).map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.created_at,
    expiresAt: k.expires_at,
    revokedAt: k.revoked_at,
    lastUsedAt: k.last_used_at,
  }));
}

export async function revokeApiKey(db: Db, actor: Actor, id: string): Promise<void> {
  requireUser(actor);
  const k = await accessRepo.apiKeyById(db, id);
  // Someone else's key is reported as missing: its existence is not the caller's business.
  if (!k || (k.user_id !== actor.userId && actor.role !== 'platform_admin')) throw notFound('API key', id);
  await accessRepo.revokeApiKey(db, id, nowIso());
}

export async function currentUser(db: Db, actor: Actor): Promise<PublicUser> {
  requireUser(actor);
  const u = await accessRepo.userById(db, actor.userId);
  if (!u) throw notFound('user', actor.userId);
  return presentUser(u);
}

/** On first start: create the platform admin `admin` with the configured password, or a generated one. */
export async function ensureAdmin(
  db: Db,
  configuredPassword: string | null,
): Promise<{ created: boolean; password?: string }> {
  if (await accessRepo.userByUsername(db, 'admin')) return { created: false };
  const password = configuredPassword ?? `Cd-${randomToken(12)}9`;
  await createUserUnchecked(db, { username: 'admin', password, displayName: '平台管理员', role: 'platform_admin' });
  return { created: true, password: configuredPassword ? undefined : password };
}

export const ROLES = ['platform_admin', 'dept_admin', 'steward', 'reviewer', 'member', 'public'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  platform_admin: { zh: '平台管理员', en: 'Platform admin' },
  dept_admin: { zh: '部门管理员', en: 'Department admin' },
  steward: { zh: '数据管理员', en: 'Data steward' },
  reviewer: { zh: '审核员', en: 'Reviewer' },
  member: { zh: '部门用户', en: 'Department member' },
  public: { zh: '公众用户', en: 'Public user' },
};

export interface UserActor {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  departmentId: string | null;
  via: 'session' | 'api_key' | 'cli';
  sessionId?: string;
  csrfToken?: string;
}
export type Actor = { kind: 'anonymous' } | UserActor;

export const ANONYMOUS: Actor = { kind: 'anonymous' };

/** A system actor for the CLI and start-up tasks (demo loading); it acts as a platform admin. */
export function systemActor(userId: string, username = 'system'): UserActor {
  return { kind: 'user', userId, username, role: 'platform_admin', departmentId: null, via: 'cli' };
}

export function isStaff(actor: Actor): boolean {
  return actor.kind === 'user' && (actor.role === 'platform_admin' || actor.role === 'reviewer');
}

/** Department users are the staff of a department: admins, stewards and members. */
export function isDepartmentUser(actor: Actor): actor is UserActor & { departmentId: string } {
  return (
    actor.kind === 'user' &&
    actor.departmentId !== null &&
    (actor.role === 'dept_admin' || actor.role === 'steward' || actor.role === 'member')
  );
}

import { forbidden, unauthorized } from '../../platform/http/errors.ts';
import type { Actor, UserActor } from '../access/index.ts';
import type { Viewer } from './repository.ts';

/**
 * Who may do what in the exchange workflows: one function of (actor, action, object), like access/policy.ts, kept
 * here because the objects (applications, grants) belong to this module.
 */
export type ExchangeAction =
  | { action: 'application.create_share'; providerId: string }
  | { action: 'application.create_open' }
  | { action: 'application.read'; app: AppRef }
  | { action: 'application.bureau_review' }
  | { action: 'application.provider_answer'; providerId: string }
  | { action: 'application.applicant'; app: AppRef }
  | { action: 'grant.manage'; providerId: string }
  | { action: 'grant.use'; grant: GrantRef }
  | { action: 'exchange.admin' }
  | { action: 'exchange_log.read' };

export interface AppRef {
  applicantId: string;
  applicantDepartmentId: string | null;
  providerId: string;
}
export interface GrantRef {
  granteeUserId: string | null;
  granteeDepartmentId: string | null;
  providerId: string;
}

const DEPT_ROLES = new Set(['dept_admin', 'steward', 'member']);
const STEWARDS = new Set(['dept_admin', 'steward']);

function inDept(a: Actor, dept: string | null): a is UserActor {
  return a.kind === 'user' && dept !== null && a.departmentId === dept && DEPT_ROLES.has(a.role);
}
function stewardOf(a: Actor, dept: string): boolean {
  return a.kind === 'user' && a.departmentId === dept && STEWARDS.has(a.role);
}

export function canExchange(a: Actor, x: ExchangeAction): boolean {
  if (a.kind !== 'user') return false;
  const admin = a.role === 'platform_admin';
  switch (x.action) {
    case 'application.create_share':
      // A department applies for another department's data.
      return DEPT_ROLES.has(a.role) && a.departmentId !== null && a.departmentId !== x.providerId;
    case 'application.create_open':
      return a.role === 'public';
    case 'application.read':
      return (
        admin ||
        a.role === 'reviewer' ||
        a.userId === x.app.applicantId ||
        inDept(a, x.app.applicantDepartmentId) ||
        inDept(a, x.app.providerId)
      );
    case 'application.bureau_review':
      return admin || a.role === 'reviewer';
    case 'application.provider_answer':
    case 'grant.manage':
      return admin || stewardOf(a, x.providerId);
    case 'application.applicant':
      return a.userId === x.app.applicantId;
    case 'grant.use':
      return a.userId === x.grant.granteeUserId || inDept(a, x.grant.granteeDepartmentId);
    case 'exchange.admin':
      return admin;
    case 'exchange_log.read':
      return admin || (a.departmentId !== null && STEWARDS.has(a.role));
  }
}

export function authorizeExchange(a: Actor, x: ExchangeAction, message?: string): asserts a is UserActor {
  if (canExchange(a, x)) return;
  if (a.kind === 'anonymous') throw unauthorized('authentication_required', 'Sign in or send an API key');
  throw forbidden(message ?? `You may not do ${x.action}`);
}

export function viewer(a: UserActor): Viewer {
  return { userId: a.userId, role: a.role, departmentId: a.departmentId };
}

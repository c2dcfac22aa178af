import { forbidden, unauthorized } from '../../platform/http/errors.ts';
import type { Actor, Role } from './actor.ts';

/**
 * Authorisation is one function of (actor, action, object). List endpoints use the SQL twin of the
 * `resource.read` rule (catalogue repository `visibleTo`), never an in-memory filter.
 */
export interface ResourceRef {
  providerId: string;
  status: string;
  openType: string;
  sharingType: string;
}
export interface UserRef {
  departmentId: string | null;
  role: Role;
}

export type Action =
  | { action: 'department.manage' }
  | { action: 'department.manage_members'; departmentId: string }
  | { action: 'user.list'; departmentId?: string | null }
  | { action: 'user.manage'; target: UserRef }
  | { action: 'vocabulary.manage' }
  | { action: 'system.read' }
  | { action: 'resource.create'; providerId: string }
  | { action: 'resource.read'; resource: ResourceRef }
  | { action: 'resource.read_data'; resource: ResourceRef }
  | { action: 'resource.edit'; resource: ResourceRef }
  | { action: 'resource.submit'; resource: ResourceRef }
  | { action: 'resource.request_withdraw'; resource: ResourceRef }
  | { action: 'resource.review'; resource: ResourceRef }
  | { action: 'resource.delete'; resource: ResourceRef }
  | { action: 'resource.load_data'; resource: ResourceRef }
  | { action: 'quality.manage'; resource: ResourceRef }
  | { action: 'quality.read'; resource: ResourceRef }
  | { action: 'data_element.read' }
  | { action: 'data_element.manage' }
  | { action: 'governance.overdue'; departmentId?: string | null }
  | { action: 'governance.notify' }
  | { action: 'governance.report' };

const EDITABLE_STATUSES = new Set(['draft', 'returned']);
const STEWARD_ROLES = new Set<Role>(['dept_admin', 'steward']);
const DEPARTMENT_ROLES = new Set<Role>(['dept_admin', 'steward', 'member']);
/** Roles a department admin may give within their own department. */
const DEPT_ASSIGNABLE = new Set<Role>(['dept_admin', 'steward', 'member']);

function isOwnDepartment(actor: Actor, departmentId: string | null): boolean {
  return (
    actor.kind === 'user' &&
    actor.departmentId !== null &&
    actor.departmentId === departmentId &&
    DEPARTMENT_ROLES.has(actor.role)
  );
}

function isStewardOf(actor: Actor, departmentId: string): boolean {
  return actor.kind === 'user' && actor.departmentId === departmentId && STEWARD_ROLES.has(actor.role);
}

/** Catalogue visibility of one resource (metadata), the same rule as the SQL in the catalogue repository. */
export function canSeeResource(actor: Actor, r: ResourceRef): boolean {
  if (actor.kind === 'user' && (actor.role === 'platform_admin' || actor.role === 'reviewer')) return true;
  if (isOwnDepartment(actor, r.providerId)) return true;
  if (r.status !== 'published') return false;
  if (r.openType !== 'none') return true;
  return (
    actor.kind === 'user' && actor.departmentId !== null && DEPARTMENT_ROLES.has(actor.role) && r.sharingType !== 'none'
  );
}

export function can(actor: Actor, a: Action): boolean {
  const admin = actor.kind === 'user' && actor.role === 'platform_admin';
  switch (a.action) {
    case 'department.manage':
    case 'vocabulary.manage':
    case 'system.read':
      return admin;
    case 'department.manage_members':
      return admin || (actor.kind === 'user' && actor.role === 'dept_admin' && actor.departmentId === a.departmentId);
    case 'user.list':
      if (admin) return true;
      return (
        actor.kind === 'user' &&
        actor.role === 'dept_admin' &&
        a.departmentId !== undefined &&
        a.departmentId === actor.departmentId
      );
    case 'user.manage':
      if (admin) return true;
      return (
        actor.kind === 'user' &&
        actor.role === 'dept_admin' &&
        actor.departmentId !== null &&
        a.target.departmentId === actor.departmentId &&
        DEPT_ASSIGNABLE.has(a.target.role)
      );
    case 'resource.create':
      return admin || isStewardOf(actor, a.providerId);
    case 'resource.read':
      return canSeeResource(actor, a.resource);
    case 'resource.read_data': {
      // Metadata visibility first; then data: open data to all, shared data to department users, own data to the
      // provider. Conditional open/share data is read through a grant (the exchange module adds that path).
      if (!canSeeResource(actor, a.resource)) return false;
      if (admin || isOwnDepartment(actor, a.resource.providerId)) return true;
      if (actor.kind === 'user' && actor.role === 'reviewer') return true;
      if (a.resource.status !== 'published') return false;
      if (a.resource.openType === 'unconditional') return true;
      return (
        actor.kind === 'user' &&
        actor.departmentId !== null &&
        DEPARTMENT_ROLES.has(actor.role) &&
        a.resource.sharingType === 'unconditional'
      );
    }
    case 'resource.edit':
    case 'resource.submit':
    case 'resource.delete':
      return (admin || isStewardOf(actor, a.resource.providerId)) && EDITABLE_STATUSES.has(a.resource.status);
    case 'resource.load_data':
      return admin || isStewardOf(actor, a.resource.providerId);
    case 'resource.request_withdraw':
      return (admin || isStewardOf(actor, a.resource.providerId)) && a.resource.status === 'published';
    case 'resource.review':
      return actor.kind === 'user' && (actor.role === 'reviewer' || admin) && a.resource.status === 'pending_review';
    // Governance: the provider's stewards and the bureau (admins, reviewers) keep a resource's quality rules.
    case 'quality.manage':
      return (
        admin ||
        (actor.kind === 'user' && actor.role === 'reviewer') ||
        (canSeeResource(actor, a.resource) && isStewardOf(actor, a.resource.providerId))
      );
    case 'quality.read':
      return (
        can(actor, { action: 'resource.read_data', resource: a.resource }) ||
        isOwnDepartment(actor, a.resource.providerId)
      );
    case 'data_element.read':
      return actor.kind === 'user';
    case 'data_element.manage':
    case 'governance.notify':
      return admin;
    case 'governance.overdue':
      // Without a department: the whole platform (the bureau); with one: that department's stewards too.
      if (admin || (actor.kind === 'user' && actor.role === 'reviewer')) return true;
      return a.departmentId !== undefined && a.departmentId !== null && isStewardOf(actor, a.departmentId);
    case 'governance.report':
      return admin || (actor.kind === 'user' && actor.role === 'reviewer');
  }
}

/** Throws 401 for anonymous callers and 403 for signed-in callers who may not do it. */
export function authorize(actor: Actor, a: Action, message?: string): void {
  if (can(actor, a)) return;
  if (actor.kind === 'anonymous') throw unauthorized('authentication_required', 'Sign in or send an API key');
  throw forbidden(message ?? `You may not do ${a.action}`);
}

export function requireUser(actor: Actor): asserts actor is Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user') throw unauthorized('authentication_required', 'Sign in or send an API key');
}

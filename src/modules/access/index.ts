export * from './actor.ts';
export { authorize, can, canSeeResource, requireUser, type Action, type ResourceRef } from './policy.ts';
export { registerAuth, SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER } from './http.ts';
export { accessRoutes } from './routes.ts';
export {
  createUserUnchecked,
  ensureAdmin,
  setPasswordUnchecked,
  login,
  createApiKey,
  type PublicUser,
} from './service.ts';
export { accessRepo } from './repository.ts';

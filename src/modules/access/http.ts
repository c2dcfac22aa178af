import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import { ANONYMOUS, type Actor } from './actor.ts';
import { actorFromApiKey, actorFromSession } from './service.ts';

export const SESSION_COOKIE = 'cd_session';
export const CSRF_COOKIE = 'cd_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** Routes that must work with a stale or forged session cookie (login, logout, health). */
    ignoreBadSession?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerOrCkanKey(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.length > 0) {
    const m = /^Bearer\s+(.+)$/i.exec(h);
    // CKAN clients send the bare key in Authorization (or X-CKAN-API-Key).
    return (m ? m[1]! : h).trim();
  }
  const ckan = req.headers['x-ckan-api-key'];
  return typeof ckan === 'string' && ckan.length > 0 ? ckan.trim() : null;
}

/**
 * Resolves who is calling, once per request: an API key (Authorization: Bearer, or CKAN's bare key) wins over the
 * session cookie. Cookie-authenticated writes must carry the CSRF token (double-submit, SameSite=Lax cookie).
 */
export function registerAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    req.actor = ANONYMOUS;
    const key = bearerOrCkanKey(req);
    if (key) {
      req.actor = await actorFromApiKey(db, key);
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) return;
    try {
      req.actor = await actorFromSession(db, token);
    } catch (err) {
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      if (req.routeOptions.config?.ignoreBadSession) return;
      throw err;
    }
    if (!SAFE_METHODS.has(req.method) && req.actor.kind === 'user' && req.actor.via === 'session') {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || sent !== req.actor.csrfToken)
        throw new AppError(403, 'csrf_failed', `Cookie-authenticated writes need the ${CSRF_HEADER} header`);
    }
  });
}

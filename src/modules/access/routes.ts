import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { IdParams, Nullable, Paging, strictObject } from '../../platform/http/schemas.ts';
import { ROLES, type Role } from './actor.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from './http.ts';
import * as access from './service.ts';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  role: RoleSchema,
  departmentId: Nullable(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});
const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});
const Username = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const tags = ['access'];

function setSessionCookies(reply: FastifyReply, ctx: AppContext, token: string, csrf: string, expiresAt: string) {
  const expires = new Date(expiresAt);
  const secure = ctx.config.secureCookies;
  void reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
  // Readable by the portal's scripts, which echo it in the x-csrf-token header (double-submit).
  void reply.setCookie(CSRF_COOKIE, csrf, { path: '/', httpOnly: false, sameSite: 'lax', secure, expires });
}

export async function accessRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.store.db;

  app.post(
    '/api/v1/auth/login',
    {
      config: { ignoreBadSession: true },
      schema: {
        tags,
        summary: 'Sign in with a password; sets an HttpOnly session cookie',
        body: strictObject({ username: Username, password: Password }),
        response: { 200: Type.Object({ user: UserSchema, csrfToken: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (req, reply) => {
      const r = await access.login(db, { ...req.body, clientIp: req.ip, ttlHours: ctx.config.sessionTtlHours });
      setSessionCookies(reply, ctx, r.token, r.csrfToken, r.expiresAt);
      return { user: r.user, csrfToken: r.csrfToken, expiresAt: r.expiresAt };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { ignoreBadSession: true }, schema: { tags, summary: 'Sign out (ends the session)' } },
    async (req, reply) => {
      await access.logout(db, req.actor);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The signed-in user', response: { 200: UserSchema } } },
    async (req) => access.currentUser(db, req.actor),
  );

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags,
        summary: 'Change my password (ends my other sessions)',
        body: strictObject({ currentPassword: Password, newPassword: Password }),
      },
    },
    async (req, reply) => {
      await access.changePassword(db, req.actor, req.body);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags,
        summary: 'Self-registration of a public user (can be switched off)',
        body: strictObject({
          username: Username,
          password: Password,
          displayName: Type.Optional(Type.String({ maxLength: 100 })),
          email: Type.Optional(Type.String({ maxLength: 200, format: 'email' })),
        }),
        response: { 201: UserSchema },
      },
    },
    async (req, reply) => {
      const user = await access.registerPublicUser(db, ctx.config.allowRegistration, req.body);
      return reply.status(201).send(user);
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: { tags, summary: 'My API keys (never the keys themselves)', response: { 200: Type.Array(ApiKeySchema) } },
    },
    async (req) => access.listApiKeys(db, req.actor),
  );
  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key; the key is returned once and stored hashed',
        body: strictObject({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          expiresAt: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
        }),
        response: { 201: Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String() })]) },
      },
    },
    async (req, reply) => reply.status(201).send(await access.createApiKey(db, req.actor, req.body)),
  );
  app.delete(
    '/api/v1/api-keys/:id',
    { schema: { tags, summary: 'Revoke an API key', params: IdParams } },
    async (req, reply) => {
      await access.revokeApiKey(db, req.actor, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Users (platform admins: all; department admins: their department)',
        querystring: Type.Composite(
          [Paging, Type.Object({ departmentId: Type.Optional(Type.String({ maxLength: 64 })) })],
          {
            additionalProperties: false,
          },
        ),
        response: { 200: Type.Array(UserSchema) },
      },
    },
    async (req) =>
      access.listUsers(db, req.actor, {
        departmentId: req.query.departmentId,
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      }),
  );
  app.post(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Create a user',
        body: strictObject({
          username: Username,
          password: Password,
          displayName: Type.Optional(Type.String({ maxLength: 100 })),
          email: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
          role: RoleSchema,
          departmentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
        }),
        response: { 201: UserSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await access.createUser(db, req.actor, { ...req.body, role: req.body.role as Role })),
  );
  app.get(
    '/api/v1/users/:id',
    { schema: { tags, summary: 'One user', params: IdParams, response: { 200: UserSchema } } },
    async (req) => access.getUser(db, req.actor, req.params.id),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user (role, department, disabled, contact)',
        params: IdParams,
        body: strictObject({
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          email: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
          role: Type.Optional(RoleSchema),
          departmentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          disabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: UserSchema },
      },
    },
    async (req) =>
      access.updateUser(db, req.actor, req.params.id, { ...req.body, role: req.body.role as Role | undefined }),
  );
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { ADMIN_PASSWORD, ANON, USER_PASSWORD, seedOrg, startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(DIALECTS)('accounts and sessions on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
  });
  afterAll(async () => s?.close());

  it('signs in with a password and sets an HttpOnly SameSite session cookie', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'env_steward', password: USER_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'cd_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await s.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `cd_session=${cookie.value}` },
    });
    expect(me.json()).toMatchObject({ username: 'env_steward', role: 'steward', departmentId: org.departments.env });
  });

  it('stores passwords as scrypt hashes, never in clear', async () => {
    const row = await s.ts.store.db
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'env_member')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(USER_PASSWORD);
  });

  it('rejects a wrong password with the same answer as an unknown user', async () => {
    const wrong = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'env_member', password: 'nope12345' },
    });
    const unknown = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ghost', password: 'nope12345' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('invalid_credentials');
    expect(unknown.json().code).toBe('invalid_credentials');
    expect(wrong.headers['content-type']).toContain('application/problem+json');
  });

  it('throttles repeated failed sign-ins of one account', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'trans_member', password: `bad-${i}xx` },
      });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'trans_member', password: USER_PASSWORD },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('too_many_requests');
    expect(blocked.headers['retry-after']).toBeDefined();
  });

  it('requires the CSRF token for cookie-authenticated writes, not for API keys', async () => {
    const steward = await s.login('env_steward');
    const noCsrf = await s.request(
      { name: 'x', headers: { cookie: steward.headers.cookie! } },
      {
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'k' },
      },
    );
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('csrf_failed');
    const withCsrf = await s.request(steward, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'k' } });
    expect(withCsrf.statusCode).toBe(201);
    const key = withCsrf.json<{ key: string }>().key;
    const viaKey = await s.request(
      { name: 'k', headers: { authorization: `Bearer ${key}` } },
      { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'k2' } },
    );
    expect(viaKey.statusCode).toBe(201);
  });

  it('rejects forged and expired sessions with distinct codes, and ends sessions on logout', async () => {
    const forged = await s.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: 'cd_session=forged-token' },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('invalid_session');

    const member = await s.login('env_member');
    await s.ts.store.db
      .updateTable('sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('user_id', '=', member.userId!)
      .execute();
    const expired = await s.request(member, { method: 'GET', url: '/api/v1/auth/me' });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('session_expired');

    const again = await s.login('env_member');
    expect((await s.request(again, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
    const after = await s.request(again, { method: 'GET', url: '/api/v1/auth/me' });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('session_revoked');
  });

  it('changes a password: the old one stops working and other sessions end', async () => {
    const a = await s.login('trans_steward');
    const b = await s.login('trans_steward');
    const wrong = await s.request(a, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: 'wrong-pw1', newPassword: 'N3wPassword!' },
    });
    expect(wrong.json().code).toBe('wrong_password');
    const weak = await s.request(a, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: USER_PASSWORD, newPassword: 'short' },
    });
    expect(weak.statusCode).toBe(422);
    const ok = await s.request(a, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: USER_PASSWORD, newPassword: 'N3wPassword!' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await s.request(a, { method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    expect((await s.request(b, { method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const old = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'trans_steward', password: USER_PASSWORD },
    });
    expect(old.statusCode).toBe(401);
    await s.login('trans_steward', 'N3wPassword!');
  });

  it('issues API keys once, stores them hashed, and honours revocation and expiry', async () => {
    const member = await s.login('env_member');
    const created = await s.request(member, { method: 'POST', url: '/api/v1/api-keys', payload: { name: '数据分析' } });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json<{ key: string; id: string }>();
    expect(key).toMatch(/^cdk_/);
    const list = await s.request(member, { method: 'GET', url: '/api/v1/api-keys' });
    expect(list.body).not.toContain(key);
    const stored = await s.ts.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toBe(key);
    expect(JSON.stringify(stored)).not.toContain(key);

    const bearer = { name: 'key', headers: { authorization: `Bearer ${key}` } };
    expect((await s.request(bearer, { method: 'GET', url: '/api/v1/auth/me' })).json().username).toBe('env_member');
    // CKAN clients send the bare key.
    expect(
      (await s.request({ name: 'ckan', headers: { authorization: key } }, { method: 'GET', url: '/api/v1/auth/me' }))
        .statusCode,
    ).toBe(200);

    // Someone else cannot revoke it.
    const other = await s.login('env_steward');
    expect((await s.request(other, { method: 'DELETE', url: `/api/v1/api-keys/${id}` })).statusCode).toBe(404);
    expect((await s.request(member, { method: 'DELETE', url: `/api/v1/api-keys/${id}` })).statusCode).toBe(204);
    const revoked = await s.request(bearer, { method: 'GET', url: '/api/v1/auth/me' });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('api_key_revoked');

    const past = await s.request(member, {
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'x', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(422);
    const soon = await s.request(member, {
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'soon', expiresAt: new Date(Date.now() + 3600_000).toISOString() },
    });
    const soonKey = soon.json<{ key: string; id: string }>();
    await s.ts.store.db
      .updateTable('api_keys')
      .set({ expires_at: '2001-01-01T00:00:00.000Z' })
      .where('id', '=', soonKey.id)
      .execute();
    const expired = await s.request(
      { name: 'k', headers: { authorization: `Bearer ${soonKey.key}` } },
      { method: 'GET', url: '/api/v1/auth/me' },
    );
    expect(expired.json().code).toBe('api_key_expired');
    const forged = await s.request(
      { name: 'k', headers: { authorization: 'Bearer cdk_forgedforgedforged' } },
      { method: 'GET', url: '/api/v1/auth/me' },
    );
    expect(forged.json().code).toBe('invalid_api_key');
  });

  it('lets the public register unless registration is switched off', async () => {
    const r = await s.request(ANON, {
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { username: 'newcitizen', password: 'Citizen2026', email: 'a@b.cn' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().role).toBe('public');
    const dup = await s.request(ANON, {
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { username: 'newcitizen', password: 'Citizen2026' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('username_taken');
    // No role smuggling: unknown properties are rejected.
    const smuggle = await s.request(ANON, {
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { username: 'evil', password: 'Citizen2026', role: 'platform_admin' },
    });
    expect(smuggle.statusCode).toBe(400);
    expect(smuggle.json().field).toBe('body/role');
    expect(
      await s.ts.store.db.selectFrom('users').select('id').where('username', '=', 'evil').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('disabling a user ends their sessions', async () => {
    const admin = await s.login('admin', ADMIN_PASSWORD);
    const target = await s.login('citizen');
    const res = await s.request(admin, {
      method: 'PATCH',
      url: `/api/v1/users/${org.userIds.citizen}`,
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(200);
    expect((await s.request(target, { method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const login = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'citizen', password: USER_PASSWORD },
    });
    expect(login.statusCode).toBe(401);
  });
});

describe('registration switched off', () => {
  it('answers 403 registration_closed', async () => {
    const s = await startTestServer('sqlite', { allowRegistration: false });
    try {
      const r = await s.request(ANON, {
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { username: 'someone', password: 'Citizen2026' },
      });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('registration_closed');
    } finally {
      await s.close();
    }
  });
});

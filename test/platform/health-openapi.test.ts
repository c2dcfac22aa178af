import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { ANON, startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(DIALECTS)('health and API description on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => s?.close());

  it('reports the metadata store and the data engine', async () => {
    const r = await s.request(ANON, { method: 'GET', url: '/api/v1/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'ok',
      metadataStore: { ok: true, dialect },
      dataEngine: { ok: true },
      demo: 'off', // test servers run with CITYDATA_DEMO=0
    });
    expect(r.json().dataEngine.version).toMatch(/^v1\./);
  });

  it('publishes OpenAPI 3.1 generated from the route schemas, and browsable docs', async () => {
    const doc = (await s.request(ANON, { method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/resources'].post.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual([
      'username',
      'password',
    ]);
    const ui = await s.request(ANON, { method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('answers unknown routes with problem+json 404', async () => {
    const r = await s.request(ANON, { method: 'GET', url: '/api/v1/nothing-here' });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().code).toBe('route_not_found');
  });

  it('creates the platform admin once, with the configured password', async () => {
    const admins = await s.ts.store.db.selectFrom('users').selectAll().where('role', '=', 'platform_admin').execute();
    expect(admins.map((a) => a.username)).toEqual(['admin']);
  });
});

/// <reference types="vite/client" />
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { multipart } from '../helpers/upload.ts';
import {
  ADMIN_PASSWORD,
  ANON,
  USER_PASSWORD,
  resourceInput,
  seedOrg,
  startTestServer,
  type Caller,
} from '../helpers/server.ts';
import { ALL, CSV, type Case, type Fixture, type RoleName } from './matrix/types.ts';

/**
 * Every endpoint × every role: allowed callers get through (no 401/403/404), denied ones are stopped.
 * Rows live in ./matrix/*.cases.ts (one file per module); a route without a row fails the test.
 */
const CASES: Case[] = Object.values(
  import.meta.glob<{ CASES: Case[] }>('./matrix/*.cases.ts', { eager: true }),
).flatMap((m) => m.CASES);

describe.each(DIALECTS)('authorisation matrix on %s', (dialect) => {
  let f: Fixture;
  beforeAll(async () => {
    const s = await startTestServer(dialect);
    const org = await seedOrg(s);
    const admin = await s.login('admin', ADMIN_PASSWORD);
    await s.request(admin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'env_admin2',
        password: USER_PASSWORD,
        role: 'dept_admin',
        departmentId: org.departments.env,
      },
    });
    const callers: Record<RoleName, Caller> = {
      anonymous: ANON,
      public: await s.login('citizen'),
      member: await s.login('env_member'),
      other_member: await s.login('trans_member'),
      steward: await s.login('env_steward'),
      other_steward: await s.login('trans_steward'),
      dept_admin: await s.login('env_admin'),
      reviewer: await s.login('reviewer'),
      platform_admin: admin,
    };
    const steward = callers.steward;
    const reviewer = callers.reviewer;
    const resourceIn = async (status: 'draft' | 'pending_review' | 'published') => {
      const r = await s.request(steward, {
        method: 'POST',
        url: '/api/v1/resources',
        payload: resourceInput(org.departments.env, {
          name: `夹具${randomUUID()}`,
          openType: 'none',
          sharingType: 'none',
          sharingConditions: '不共享',
          sharingBasis: '保密规定',
        }),
      });
      const id = r.json<{ id: string }>().id;
      if (status !== 'draft') await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
      if (status === 'published')
        await s.request(reviewer, {
          method: 'POST',
          url: `/api/v1/resources/${id}/review`,
          payload: { decision: 'approve' },
        });
      return id;
    };
    const dataId = await resourceIn('published');
    const mp = multipart({ name: 'seed.csv', content: CSV });
    const load = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${dataId}/loads`,
      payload: mp.payload,
      headers: mp.headers,
    });
    const jobId = load.json<{ job: { id: string } }>().job.id;
    await s.built.ctx.jobs.waitFor(jobId);
    const versions = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${dataId}/versions` })).json<
      { id: string }[]
    >();
    f = { s, org, admin, callers, resourceIn, data: { resourceId: dataId, jobId, versionId: versions[0]!.id } };
  });
  afterAll(async () => f?.s.close());

  it('has a row for every API route', () => {
    const covered = new Set(CASES.map((c) => `${c.method} ${c.url}`));
    const missing = f.s.built.routes
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.method} ${c.url}`, async () => {
      const outcome: Record<string, number> = {};
      for (const role of ALL) {
        const req = await c.make(f, role);
        const res = await f.s.request(req.caller ?? f.callers[role], {
          method: c.method as 'GET',
          url: req.url,
          payload: req.payload as never,
          headers: req.headers,
        });
        outcome[role] = res.statusCode;
        const denied = [401, 403, 404, ...(c.deniedStatuses ?? [])].includes(res.statusCode);
        if (c.allowed.includes(role))
          expect(denied, `${role} should be allowed, got ${res.statusCode} ${res.body.slice(0, 200)}`).toBe(false);
        else {
          expect(denied, `${role} should be denied, got ${res.statusCode}`).toBe(true);
          if (role === 'anonymous') expect([401, 404, ...(c.deniedStatuses ?? [])]).toContain(res.statusCode);
        }
        expect(res.statusCode, `${role}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
    });
  }
});

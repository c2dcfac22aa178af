import { randomUUID } from 'node:crypto';
import { multipart } from '../../helpers/upload.ts';
import { resourceInput } from '../../helpers/server.ts';
import { ALL, USERS, type Case, type Fixture, type RoleName } from './types.ts';

/** Rows of the exchange endpoints: applications, grants, deliveries, exchange log, agreements, calendar. */

const SHARE_APPLICANTS: RoleName[] = ['other_member', 'other_steward'];
const PROVIDER: RoleName[] = ['steward', 'dept_admin', 'platform_admin'];
const GRANT_VIEWERS: RoleName[] = ['other_member', 'other_steward', 'steward', 'dept_admin', 'platform_admin'];
const ADMIN: RoleName[] = ['platform_admin'];

// One conditionally shared and opened resource with data, per fixture (i.e. per dialect).
const resources = new WeakMap<Fixture, Promise<string>>();
function sharedResource(f: Fixture): Promise<string> {
  let p = resources.get(f);
  if (!p) {
    p = (async () => {
      const { s, callers } = f;
      const r = await s.request(callers.steward, {
        method: 'POST',
        url: '/api/v1/resources',
        payload: resourceInput(f.org.departments.env, {
          name: `有条件共享${randomUUID()}`,
          fields: [
            { name: '站点', dataType: 'string' },
            { name: 'AQI', dataType: 'number' },
          ],
          sharingType: 'conditional',
          sharingConditions: '需申请',
          sharingBasis: '管理办法',
          openType: 'conditional',
          openConditions: '需申请',
        }),
      });
      const id = r.json<{ id: string }>().id;
      await s.request(callers.steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
      await s.request(callers.reviewer, {
        method: 'POST',
        url: `/api/v1/resources/${id}/review`,
        payload: { decision: 'approve' },
      });
      const mp = multipart({ name: 'seed.csv', content: '站点,AQI\n甲站,50\n乙站,60\n' });
      const load = await s.request(callers.steward, {
        method: 'POST',
        url: `/api/v1/resources/${id}/loads`,
        payload: mp.payload,
        headers: mp.headers,
      });
      await s.built.ctx.jobs.waitFor(load.json<{ job: { id: string } }>().job.id);
      return id;
    })();
    resources.set(f, p);
  }
  return p;
}

const day = (n: number) => new Date(Date.now() + 8 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);

async function shareApp(f: Fixture, stage: 'pending_bureau' | 'pending_provider' | 'returned' | 'approved') {
  const resourceId = await sharedResource(f);
  const r = await f.s.request(f.callers.other_member, {
    method: 'POST',
    url: '/api/v1/applications',
    payload: {
      kind: 'share',
      resourceId,
      purpose: '矩阵测试',
      scenario: '矩阵测试',
      fields: ['站点', 'AQI'],
      periodFrom: day(0),
      periodTo: day(30),
    },
  });
  const app = r.json<{ id: string }>();
  if (stage === 'pending_bureau') return app.id;
  await f.s.request(f.callers.reviewer, {
    method: 'POST',
    url: `/api/v1/applications/${app.id}/review`,
    payload: stage === 'returned' ? { decision: 'return', reason: '补充材料' } : { decision: 'pass' },
  });
  if (stage !== 'approved') return app.id;
  await f.s.request(f.callers.steward, {
    method: 'POST',
    url: `/api/v1/applications/${app.id}/answer`,
    payload: { decision: 'approve' },
  });
  return app.id;
}

async function grant(f: Fixture): Promise<string> {
  const id = await shareApp(f, 'approved');
  return (await f.s.request(f.admin, { method: 'GET', url: `/api/v1/applications/${id}` })).json<{ grantId: string }>()
    .grantId;
}
const grants = new WeakMap<Fixture, Promise<string>>();
function sharedGrant(f: Fixture): Promise<string> {
  let p = grants.get(f);
  if (!p) grants.set(f, (p = grant(f)));
  return p;
}
const deliveries = new WeakMap<Fixture, Promise<string>>();
function sharedDelivery(f: Fixture): Promise<string> {
  let p = deliveries.get(f);
  if (!p) {
    p = (async () => {
      const g = await grant(f);
      const r = await f.s.request(f.callers.other_member, {
        method: 'POST',
        url: `/api/v1/grants/${g}/deliveries`,
        payload: { schedule: 'manual' },
      });
      return r.json<{ id: string }>().id;
    })();
    deliveries.set(f, p);
  }
  return p;
}

export const CASES: Case[] = [
  {
    method: 'POST',
    url: '/api/v1/applications',
    allowed: ['public', ...SHARE_APPLICANTS],
    make: async (f, role) => {
      const resourceId = await sharedResource(f);
      const base = {
        resourceId,
        purpose: '用途',
        scenario: '场景',
        fields: ['站点'],
        periodFrom: day(0),
        periodTo: day(30),
      };
      if (role !== 'public') return { url: '/api/v1/applications', payload: { kind: 'share', ...base } };
      const texts = (await f.s.request(f.admin, { method: 'GET', url: '/api/v1/exchange/agreements' })).json<
        Record<string, { version: number }>
      >();
      return {
        url: '/api/v1/applications',
        payload: {
          kind: 'open',
          ...base,
          commitmentVersion: texts.security_commitment!.version,
          agreementVersion: texts.use_agreement!.version,
        },
      };
    },
  },
  { method: 'GET', url: '/api/v1/applications', allowed: USERS, make: async () => ({ url: '/api/v1/applications' }) },
  {
    method: 'GET',
    url: '/api/v1/applications/:id',
    allowed: USERS.filter((r) => r !== 'public'),
    make: async (f) => ({ url: `/api/v1/applications/${await shareApp(f, 'pending_bureau')}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/applications/:id/review',
    allowed: ['reviewer', 'platform_admin'],
    make: async (f) => ({
      url: `/api/v1/applications/${await shareApp(f, 'pending_bureau')}/review`,
      payload: { decision: 'pass' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/applications/:id/answer',
    allowed: PROVIDER,
    make: async (f) => ({
      url: `/api/v1/applications/${await shareApp(f, 'pending_provider')}/answer`,
      payload: { decision: 'refuse', reason: '矩阵' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/applications/:id/resubmit',
    allowed: ['other_member'],
    make: async (f) => ({ url: `/api/v1/applications/${await shareApp(f, 'returned')}/resubmit`, payload: {} }),
  },
  {
    method: 'POST',
    url: '/api/v1/applications/:id/usage-reports',
    allowed: ['other_member'],
    make: async (f) => ({
      url: `/api/v1/applications/${await shareApp(f, 'approved')}/usage-reports`,
      payload: { text: '用于分析' },
    }),
  },
  { method: 'GET', url: '/api/v1/grants', allowed: USERS, make: async () => ({ url: '/api/v1/grants' }) },
  {
    method: 'GET',
    url: '/api/v1/grants/:id',
    allowed: GRANT_VIEWERS,
    make: async (f) => ({ url: `/api/v1/grants/${await sharedGrant(f)}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/grants/:id/revoke',
    allowed: PROVIDER,
    make: async (f) => ({ url: `/api/v1/grants/${await grant(f)}/revoke`, payload: { reason: '矩阵' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/grants/:id/renew',
    allowed: PROVIDER,
    make: async (f) => ({ url: `/api/v1/grants/${await grant(f)}/renew`, payload: { validTo: day(60) } }),
  },
  {
    method: 'GET',
    url: '/api/v1/grants/:id/export',
    allowed: SHARE_APPLICANTS,
    make: async (f) => ({ url: `/api/v1/grants/${await sharedGrant(f)}/export?format=csv` }),
  },
  {
    method: 'GET',
    url: '/api/v1/grants/:id/deliveries',
    allowed: GRANT_VIEWERS,
    make: async (f) => ({ url: `/api/v1/grants/${await sharedGrant(f)}/deliveries` }),
  },
  {
    method: 'POST',
    url: '/api/v1/grants/:id/deliveries',
    allowed: SHARE_APPLICANTS,
    make: async (f) => ({ url: `/api/v1/grants/${await grant(f)}/deliveries`, payload: { schedule: 'manual' } }),
  },
  {
    method: 'POST',
    url: '/api/v1/deliveries/:id/run',
    allowed: [...SHARE_APPLICANTS, 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/deliveries/${await sharedDelivery(f)}/run` }),
  },
  {
    method: 'GET',
    url: '/api/v1/exchange-log',
    allowed: ['steward', 'other_steward', 'dept_admin', 'platform_admin'],
    make: async () => ({ url: '/api/v1/exchange-log?limit=5' }),
  },
  {
    method: 'GET',
    url: '/api/v1/exchange-log/daily',
    allowed: ['steward', 'other_steward', 'dept_admin', 'platform_admin'],
    make: async () => ({ url: '/api/v1/exchange-log/daily' }),
  },
  {
    method: 'GET',
    url: '/api/v1/exchange/agreements',
    allowed: ALL,
    make: async () => ({ url: '/api/v1/exchange/agreements' }),
  },
  {
    method: 'POST',
    url: '/api/v1/exchange/agreements',
    allowed: ADMIN,
    make: async () => ({ url: '/api/v1/exchange/agreements', payload: { kind: 'use_agreement', textZh: '协议' } }),
  },
  {
    method: 'GET',
    url: '/api/v1/exchange/holidays',
    allowed: ALL,
    make: async () => ({ url: '/api/v1/exchange/holidays' }),
  },
  {
    method: 'PUT',
    url: '/api/v1/exchange/holidays/:date',
    allowed: ADMIN,
    make: async () => ({ url: '/api/v1/exchange/holidays/2030-10-01', payload: { name: '国庆节' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/exchange/holidays/:date',
    allowed: ADMIN,
    make: async (f) => {
      await f.s.request(f.admin, {
        method: 'PUT',
        url: '/api/v1/exchange/holidays/2030-05-01',
        payload: { name: '劳动节' },
      });
      return { url: '/api/v1/exchange/holidays/2030-05-01' };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/exchange/sweeps/run',
    allowed: ADMIN,
    make: async () => ({ url: '/api/v1/exchange/sweeps/run' }),
  },
  {
    method: 'GET',
    url: '/api/v1/exchange/notices',
    allowed: USERS,
    make: async () => ({ url: '/api/v1/exchange/notices' }),
  },
];

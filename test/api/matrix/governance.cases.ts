import { randomUUID } from 'node:crypto';
import { notify } from '../../../src/modules/governance/index.ts';
import { DATA_READERS, USERS, type Case, type Fixture, type RoleName } from './types.ts';

/** The provider's stewards and the bureau keep quality rules. */
const QUALITY_KEEPERS: RoleName[] = ['steward', 'dept_admin', 'reviewer', 'platform_admin'];
const rulesUrl = (f: Fixture) => `/api/v1/resources/${f.data.resourceId}/quality-rules`;

async function ruleOf(f: Fixture, source: 'manual' | 'proposed'): Promise<string> {
  if (source === 'manual') {
    const r = await f.s.request(f.admin, {
      method: 'POST',
      url: rulesUrl(f),
      payload: { field: 'AQI', kind: 'not_null' },
    });
    return r.json<{ id: string }>().id;
  }
  const at = new Date().toISOString();
  const id = randomUUID();
  await f.s.ts.store.db
    .insertInto('quality_rules')
    .values({
      id,
      resource_id: f.data.resourceId,
      field: 'AQI',
      kind: 'range',
      params: JSON.stringify({ min: 0, max: 500 }),
      source: 'proposed',
      element_code: null,
      proposal: JSON.stringify({ sensitivity: 'none', grade: 'L1', reason: 'matrix', passRate: 1 }),
      active: 0,
      dismissed: 0,
      created_by: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export const CASES: Case[] = [
  {
    method: 'GET',
    url: '/api/v1/resources/:id/quality-rules',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: rulesUrl(f) }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/quality-rules',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: rulesUrl(f), payload: { field: 'AQI', kind: 'range', params: { min: 0 } } }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/resources/:id/quality-rules/:ruleId',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: `${rulesUrl(f)}/${await ruleOf(f, 'manual')}`, payload: { active: false } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/resources/:id/quality-rules/:ruleId',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: `${rulesUrl(f)}/${await ruleOf(f, 'manual')}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/quality-rules/:ruleId/accept',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: `${rulesUrl(f)}/${await ruleOf(f, 'proposed')}/accept` }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id/quality',
    allowed: DATA_READERS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/quality` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/quality/run',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/quality/run` }),
  },
  { method: 'GET', url: '/api/v1/data-elements', allowed: USERS, make: async () => ({ url: '/api/v1/data-elements' }) },
  {
    method: 'POST',
    url: '/api/v1/data-elements',
    allowed: ['platform_admin'],
    make: async () => ({
      url: '/api/v1/data-elements',
      payload: {
        code: `DE9${randomUUID().slice(0, 6)}`,
        name: '邮政编码',
        dataType: 'string',
        rules: [{ kind: 'regex', params: { pattern: '^\\d{6}$' } }],
      },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/data-elements/:code',
    allowed: ['platform_admin'],
    make: async () => ({ url: '/api/v1/data-elements/DE00006', payload: { description: '公历日期' } }),
  },
  {
    method: 'PUT',
    url: '/api/v1/resources/:id/fields/:fieldName/data-element',
    allowed: QUALITY_KEEPERS,
    make: async (f) => ({
      url: `/api/v1/resources/${f.data.resourceId}/fields/AQI/data-element`,
      payload: { code: 'DE00006' },
    }),
  },
  { method: 'GET', url: '/api/v1/notifications', allowed: USERS, make: async () => ({ url: '/api/v1/notifications' }) },
  {
    method: 'POST',
    url: '/api/v1/notifications/:id/read',
    allowed: USERS,
    // Each user reads one of their own; anonymous tries the admin's.
    make: async (f, role) => {
      const owner = role === 'anonymous' ? f.admin : f.callers[role];
      await notify(f.s.ts.store.db, [owner.userId!], {
        kind: 'matrix',
        title: 't',
        body: 'b',
        dedupeKey: randomUUID(),
      });
      const list = await f.s.request(owner, { method: 'GET', url: '/api/v1/notifications?unread=true&limit=1' });
      return { url: `/api/v1/notifications/${list.json<{ items: { id: string }[] }>().items[0]!.id}/read` };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/governance/overdue',
    allowed: ['steward', 'other_steward', 'dept_admin', 'reviewer', 'platform_admin'],
    make: async () => ({ url: '/api/v1/governance/overdue' }),
  },
  {
    method: 'POST',
    url: '/api/v1/governance/overdue/notify',
    allowed: ['platform_admin'],
    make: async () => ({ url: '/api/v1/governance/overdue/notify' }),
  },
  {
    method: 'GET',
    url: '/api/v1/governance/report',
    allowed: ['reviewer', 'platform_admin'],
    make: async () => ({ url: '/api/v1/governance/report?from=2026-01-01&to=2026-01-31' }),
  },
];

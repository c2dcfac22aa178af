import { randomUUID } from 'node:crypto';
import { multipart } from '../../helpers/upload.ts';
import { ADMIN_PASSWORD, ANON, USER_PASSWORD, resourceInput } from '../../helpers/server.ts';
import { ALL, CSV, DATA_READERS, DATA_STEWARDS, USERNAMES, USERS, type Case } from './types.ts';

/** Rows of the foundation and datastore endpoints. */
export const CASES: Case[] = [
  { method: 'GET', url: '/api/v1/health', allowed: ALL, make: async () => ({ url: '/api/v1/health' }) },
  { method: 'GET', url: '/api/openapi.json', allowed: ALL, make: async () => ({ url: '/api/openapi.json' }) },
  {
    method: 'POST',
    url: '/api/v1/auth/login',
    allowed: ALL,
    make: async () => ({ url: '/api/v1/auth/login', payload: { username: 'env_member', password: USER_PASSWORD } }),
  },
  {
    method: 'POST',
    url: '/api/v1/auth/logout',
    allowed: ALL,
    // A session of its own, so the shared callers stay signed in.
    make: async (f, role) => ({
      url: '/api/v1/auth/logout',
      caller:
        role === 'anonymous'
          ? ANON
          : await f.s.login(USERNAMES[role], role === 'platform_admin' ? ADMIN_PASSWORD : USER_PASSWORD),
    }),
  },
  { method: 'GET', url: '/api/v1/auth/me', allowed: USERS, make: async () => ({ url: '/api/v1/auth/me' }) },
  {
    method: 'POST',
    url: '/api/v1/auth/password',
    allowed: USERS,
    // A wrong current password: allowed callers get 400, the rest 401; nobody's password changes.
    make: async () => ({
      url: '/api/v1/auth/password',
      payload: { currentPassword: 'not-the-password1', newPassword: 'Whatever2026' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/auth/register',
    allowed: ALL,
    make: async () => ({
      url: '/api/v1/auth/register',
      payload: { username: `u${randomUUID().slice(0, 8)}`, password: 'Register2026' },
    }),
  },
  { method: 'GET', url: '/api/v1/api-keys', allowed: USERS, make: async () => ({ url: '/api/v1/api-keys' }) },
  {
    method: 'POST',
    url: '/api/v1/api-keys',
    allowed: USERS,
    make: async () => ({ url: '/api/v1/api-keys', payload: { name: 'm' } }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/api-keys/:id',
    allowed: USERS,
    make: async (f, role) => {
      // Each user revokes a key of their own; anonymous tries the admin's.
      const owner = role === 'anonymous' ? f.admin : f.callers[role];
      const k = await f.s.request(owner, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'to-revoke' } });
      return { url: `/api/v1/api-keys/${k.json<{ id: string }>().id}` };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/users',
    allowed: ['dept_admin', 'platform_admin'],
    make: async () => ({ url: '/api/v1/users' }),
  },
  {
    method: 'POST',
    url: '/api/v1/users',
    allowed: ['dept_admin', 'platform_admin'],
    make: async (f) => ({
      url: '/api/v1/users',
      payload: {
        username: `m${randomUUID().slice(0, 8)}`,
        password: USER_PASSWORD,
        role: 'member',
        departmentId: f.org.departments.env,
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/users/:id',
    allowed: ['member', 'dept_admin', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/users/${f.callers.member.userId}` }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    allowed: ['dept_admin', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/users/${f.callers.member.userId}`, payload: { displayName: '环境局职员' } }),
  },
  { method: 'GET', url: '/api/v1/departments', allowed: ALL, make: async () => ({ url: '/api/v1/departments' }) },
  {
    method: 'GET',
    url: '/api/v1/departments/:id',
    allowed: ALL,
    make: async (f) => ({ url: `/api/v1/departments/${f.org.departments.env}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/departments',
    allowed: ['platform_admin'],
    make: async (f) => ({
      url: '/api/v1/departments',
      payload: {
        code: `D${randomUUID().slice(0, 6)}`,
        name: '新部门',
        kind: 'department',
        parentId: f.org.departments.district,
      },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/departments/:id',
    allowed: ['platform_admin'],
    make: async (f) => ({
      url: `/api/v1/departments/${f.org.departments.office}`,
      payload: { description: '负责监测' },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/departments/:id',
    allowed: ['platform_admin'],
    make: async (f) => {
      const d = await f.s.request(f.admin, {
        method: 'POST',
        url: '/api/v1/departments',
        payload: {
          code: `X${randomUUID().slice(0, 6)}`,
          name: '临时',
          kind: 'office',
          parentId: f.org.departments.env,
        },
      });
      return { url: `/api/v1/departments/${d.json<{ id: string }>().id}` };
    },
  },
  { method: 'GET', url: '/api/v1/resources', allowed: ALL, make: async () => ({ url: '/api/v1/resources' }) },
  {
    method: 'POST',
    url: '/api/v1/resources',
    allowed: ['steward', 'dept_admin', 'platform_admin'],
    make: async (f) => ({
      url: '/api/v1/resources',
      payload: resourceInput(f.org.departments.env, { name: `矩阵资源${randomUUID()}` }),
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id',
    allowed: ['member', 'steward', 'dept_admin', 'reviewer', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/resources/${await f.resourceIn('draft')}` }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/resources/:id',
    allowed: ['steward', 'dept_admin', 'platform_admin'],
    make: async (f) => ({
      url: `/api/v1/resources/${await f.resourceIn('draft')}`,
      payload: { abstract: '更新后的摘要内容。' },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/resources/:id',
    allowed: ['steward', 'dept_admin', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/resources/${await f.resourceIn('draft')}` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/submit',
    allowed: ['steward', 'dept_admin', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/resources/${await f.resourceIn('draft')}/submit` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/review',
    allowed: ['reviewer', 'platform_admin'],
    make: async (f) => ({
      url: `/api/v1/resources/${await f.resourceIn('pending_review')}/review`,
      payload: { decision: 'approve' },
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/withdraw',
    allowed: ['steward', 'dept_admin', 'platform_admin'],
    make: async (f) => ({
      url: `/api/v1/resources/${await f.resourceIn('published')}/withdraw`,
      payload: { reason: '停止更新' },
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id/history',
    allowed: ['member', 'steward', 'dept_admin', 'reviewer', 'platform_admin'],
    make: async (f) => ({ url: `/api/v1/resources/${await f.resourceIn('draft')}/history` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/loads',
    allowed: DATA_STEWARDS,
    make: async (f) => {
      const mp = multipart({ name: 'm.csv', content: CSV });
      return { url: `/api/v1/resources/${f.data.resourceId}/loads`, payload: mp.payload, headers: mp.headers };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/jobs/:id',
    allowed: DATA_STEWARDS,
    make: async (f) => ({ url: `/api/v1/jobs/${f.data.jobId}` }),
  },
  // A finished job: allowed callers get 409 job_finished, nothing changes.
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/cancel',
    allowed: DATA_STEWARDS,
    make: async (f) => ({ url: `/api/v1/jobs/${f.data.jobId}/cancel` }),
  },
  {
    method: 'GET',
    url: '/api/v1/jobs/:id/events',
    allowed: DATA_STEWARDS,
    make: async (f) => ({ url: `/api/v1/jobs/${f.data.jobId}/events` }),
  },
  {
    method: 'GET',
    url: '/api/v1/jobs/:id/report',
    allowed: DATA_STEWARDS,
    make: async (f) => ({ url: `/api/v1/jobs/${f.data.jobId}/report` }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id/versions',
    allowed: DATA_READERS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/versions` }),
  },
  {
    method: 'POST',
    url: '/api/v1/resources/:id/versions/:versionId/rollback',
    allowed: DATA_STEWARDS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/versions/${f.data.versionId}/rollback` }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id/export',
    allowed: DATA_READERS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/export?format=csv` }),
  },
  {
    method: 'POST',
    url: '/api/v1/sql',
    allowed: DATA_READERS,
    deniedStatuses: [400],
    make: async (f) => ({ url: '/api/v1/sql', payload: { sql: `SELECT count(*) AS n FROM "${f.data.resourceId}"` } }),
  },
  {
    method: 'GET',
    url: '/api/v1/resources/:id/rows',
    allowed: DATA_READERS,
    make: async (f) => ({ url: `/api/v1/resources/${f.data.resourceId}/rows?limit=5` }),
  },
  { method: 'GET', url: '/api/v1/vocabularies', allowed: ALL, make: async () => ({ url: '/api/v1/vocabularies' }) },
  {
    method: 'PUT',
    url: '/api/v1/vocabularies/:kind/:code',
    allowed: ['platform_admin'],
    make: async () => ({
      url: '/api/v1/vocabularies/topic/smart_city',
      payload: { labelZh: '智慧城市', labelEn: 'Smart city' },
    }),
  },
];

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuiltApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Role } from '../../src/modules/access/index.ts';
import type { Dialect } from '../../src/platform/db/index.ts';
import { openTestStore, type TestStore } from './db.ts';

export const ADMIN_PASSWORD = 'Admin#2026pw';
export const USER_PASSWORD = 'Passw0rd!x';

/** A caller of the test server: either anonymous, a session (cookie + CSRF token) or an API key. */
export interface Caller {
  name: string;
  headers: Record<string, string>;
  userId?: string;
}
export const ANON: Caller = { name: 'anonymous', headers: {} };

export interface TestServer {
  app: FastifyInstance;
  built: BuiltApp;
  ts: TestStore;
  dialect: Dialect;
  config: Config;
  request(caller: Caller, opts: InjectOptions): Promise<LightMyRequestResponse>;
  login(username: string, password?: string): Promise<Caller>;
  close(): Promise<void>;
}

export async function startTestServer(dialect: Dialect, overrides: Partial<Config> = {}): Promise<TestServer> {
  const ts = await openTestStore(dialect);
  const config = loadConfig(
    {
      CITYDATA_DATA_DIR: ts.dataDir,
      CITYDATA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CITYDATA_DEMO: '0',
      LOG_LEVEL: process.env.CITYDATA_TEST_LOG === '1' ? 'error' : 'silent',
    },
    overrides,
  );
  const built = await buildApp({ config, store: ts.store, logger: process.env.CITYDATA_TEST_LOG === '1' });
  const app = built.app;
  const request = (caller: Caller, opts: InjectOptions) =>
    app.inject({ ...opts, headers: { ...caller.headers, ...(opts.headers as Record<string, string> | undefined) } });
  const login = async (username: string, password = USER_PASSWORD): Promise<Caller> => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'cd_session');
    const body = res.json<{ csrfToken: string; user: { id: string } }>();
    return {
      name: username,
      userId: body.user.id,
      headers: { cookie: `cd_session=${cookie!.value}`, 'x-csrf-token': body.csrfToken },
    };
  };
  return {
    app,
    built,
    ts,
    dialect,
    config,
    request,
    login,
    close: async () => {
      await built.close();
      await ts.cleanup();
    },
  };
}

/** Seeds a small organisation: city → district → two departments (with an office), and one user per role. */
export async function seedOrg(s: TestServer) {
  const admin = await s.login('admin', ADMIN_PASSWORD);
  const mk = async (code: string, name: string, kind: string, parentId: string | null) => {
    const r = await s.request(admin, {
      method: 'POST',
      url: '/api/v1/departments',
      payload: { code, name, kind, parentId },
    });
    if (r.statusCode !== 201) throw new Error(`department ${code}: ${r.body}`);
    return r.json<{ id: string }>().id;
  };
  const city = await mk('CITY', '云溪市', 'city', null);
  const district = await mk('YX', '云溪区', 'district', city);
  const env = await mk('SHJ', '生态环境局', 'department', district);
  const trans = await mk('JTJ', '交通运输局', 'department', district);
  const bureau = await mk('SJJ', '政务服务数据管理局', 'department', district);
  const office = await mk('SHJ-JC', '监测科', 'office', env);
  const users: Record<string, { role: Role; departmentId: string | null }> = {
    env_admin: { role: 'dept_admin', departmentId: env },
    env_steward: { role: 'steward', departmentId: env },
    env_member: { role: 'member', departmentId: env },
    trans_steward: { role: 'steward', departmentId: trans },
    trans_member: { role: 'member', departmentId: trans },
    reviewer: { role: 'reviewer', departmentId: bureau },
    citizen: { role: 'public', departmentId: null },
  };
  const ids: Record<string, string> = {};
  for (const [username, u] of Object.entries(users)) {
    const r = await s.request(admin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username, password: USER_PASSWORD, role: u.role, departmentId: u.departmentId },
    });
    if (r.statusCode !== 201) throw new Error(`user ${username}: ${r.body}`);
    ids[username] = r.json<{ id: string }>().id;
  }
  return { admin, departments: { city, district, env, trans, bureau, office }, userIds: ids };
}

/** A complete, valid resource input for a department. */
export function resourceInput(providerId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: '空气质量小时监测数据',
    nameEn: 'Hourly air quality',
    providerId,
    abstract: '全区各空气质量自动监测站逐小时监测的六项污染物浓度与空气质量指数。',
    classCategory: '2',
    classItem: '12',
    classCatalog: '001',
    format: 'table',
    sharingType: 'unconditional',
    sharingMethod: 'api',
    openType: 'unconditional',
    updateCycle: 'realtime',
    domain: 'environment',
    topics: ['eco'],
    tags: ['空气质量', 'AQI'],
    licence: 'CC-BY-4.0',
    contactName: '王工',
    contactPhone: '020-12345678',
    contactEmail: 'data@shj.example.cn',
    spatialCoverage: '云溪区',
    divisionCode: '440111',
    temporalStart: '2020-01-01',
    temporalEnd: '2026-10-31',
    fields: [
      { name: '站点名称', dataType: 'string', length: 50, description: '监测站点', grade: 'L1' },
      { name: '监测时间', dataType: 'datetime', description: '整点时间', grade: 'L1' },
      { name: 'AQI', dataType: 'number', description: '空气质量指数', grade: 'L1' },
    ],
    ...overrides,
  };
}

/** The steward submits a registered resource and the reviewer approves it: it is published. */
export async function approveResource(server: TestServer, steward: Caller, id: string): Promise<void> {
  const reviewer = await server.login('reviewer');
  await server.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
  await server.request(reviewer, {
    method: 'POST',
    url: `/api/v1/resources/${id}/review`,
    payload: { decision: 'approve' },
  });
}

/** Registers a resource as the steward, has the reviewer approve it (published), and returns its id. */
export async function publishResource(
  server: TestServer,
  steward: Caller,
  input: Record<string, unknown>,
): Promise<string> {
  const id = (await server.request(steward, { method: 'POST', url: '/api/v1/resources', payload: input })).json()
    .id as string;
  await approveResource(server, steward, id);
  return id;
}

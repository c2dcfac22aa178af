import { demoCity } from './data.ts';

/** One HTTP call; the bench talks to an in-process server (inject) or a child server (fetch) the same way. */
export type Call = (
  method: string,
  url: string,
  body?: unknown,
) => Promise<{ status: number; json: unknown; headers: Record<string, unknown> }>;

export const BENCH_ADMIN_PASSWORD = 'Bench#2026pw';

export function field<T>(v: unknown, ...keys: string[]): T {
  let cur = v;
  for (const k of keys) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return cur as T;
}

function expectStatus(what: string, r: { status: number; json: unknown }, ...ok: number[]): void {
  if (!ok.includes(r.status)) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
}

/** Session headers (cookie + CSRF token) for the admin, from the login answer. */
export function sessionHeaders(login: { json: unknown; headers: Record<string, unknown> }) {
  const raw = login.headers['set-cookie'];
  const list: unknown[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const cookies = list.map((c) => String(c).split(';')[0] ?? '').filter(Boolean);
  return { cookie: cookies.join('; '), 'x-csrf-token': field<string>(login.json, 'csrfToken') };
}

/**
 * Creates a department and an open, published resource shaped like a demo table (its field list), ready for a
 * load. `call` must already carry the admin's session.
 */
export async function publishedResource(call: Call, demoKey: string, code: string): Promise<string> {
  const demo = demoCity().resources.find((r) => r.key === demoKey);
  if (!demo) throw new Error(`no demo resource ${demoKey}`);
  // A department sits under a city or district.
  const city = await call('POST', '/api/v1/departments', {
    code: `${code}-CITY`,
    name: `基准市${code}`,
    kind: 'city',
    parentId: null,
  });
  expectStatus('create city', city, 201);
  const dept = await call('POST', '/api/v1/departments', {
    code,
    name: `基准测试局${code}`,
    kind: 'department',
    parentId: field<string>(city.json, 'id'),
  });
  expectStatus('create department', dept, 201);
  const created = await call('POST', '/api/v1/resources', {
    name: `${demo.name}（基准${code}）`,
    nameEn: demo.nameEn ?? 'Benchmark table',
    providerId: field<string>(dept.json, 'id'),
    abstract: demo.abstract,
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
    tags: ['基准测试', '空气质量'],
    licence: 'CC-BY-4.0',
    contactName: '王工',
    contactPhone: '020-12345678',
    contactEmail: 'data@bench.example.cn',
    spatialCoverage: '云溪区',
    divisionCode: '440111',
    temporalStart: '2024-01-01',
    temporalEnd: '2025-12-31',
    fields: demo.fields.map((f) => ({ name: f.name, dataType: f.dataType, description: f.description ?? f.name })),
  });
  expectStatus('create resource', created, 201);
  const id = field<string>(created.json, 'id');
  expectStatus('submit resource', await call('POST', `/api/v1/resources/${id}/submit`), 200, 204);
  expectStatus(
    'approve resource',
    await call('POST', `/api/v1/resources/${id}/review`, { decision: 'approve' }),
    200,
    204,
  );
  return id;
}

/** Polls a load job until it leaves queued/running; returns the final job. */
export async function waitForJob(call: Call, jobId: string, timeoutMs: number, intervalMs = 100): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await call('GET', `/api/v1/jobs/${jobId}`);
    const state = field<string>(r.json, 'state');
    if (state !== 'queued' && state !== 'running') return r.json;
    await new Promise((res) => setTimeout(res, intervalMs));
  }
  throw new Error(`load job ${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s`);
}

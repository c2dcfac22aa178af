import { multipart } from '../helpers/upload.ts';
import { resourceInput, type Caller, type TestServer } from '../helpers/server.ts';

/** Five stations in two districts, with a personal name and a mobile number (both sensitive, L2). */
export const STATIONS_CSV = [
  '站点名称,区域,AQI,负责人,联系电话',
  '云溪站,北区,56,张三丰,13800138000',
  '白云站,南区,120,李四,13912345678',
  '江南站,北区,88,王五,13700001111',
  '新区站,南区,40,赵六,13600002222',
  '山前站,北区,71,钱七,13500003333',
].join('\n');

export const STATION_FIELDS = [
  { name: '站点名称', dataType: 'string', grade: 'L1' },
  { name: '区域', dataType: 'string', grade: 'L1' },
  { name: 'AQI', dataType: 'number', grade: 'L1' },
  { name: '负责人', dataType: 'string', sensitivity: 'name', grade: 'L2' },
  { name: '联系电话', dataType: 'string', sensitivity: 'mobile', grade: 'L2' },
];

/**
 * Creates, publishes and (unless `load` is false: data not on the platform yet) loads a resource of `providerId`
 * (shared and opened on conditions by default).
 */
export async function publishedStations(
  s: TestServer,
  steward: Caller,
  reviewer: Caller,
  providerId: string,
  overrides: Record<string, unknown> = {},
  load = true,
): Promise<string> {
  const r = await s.request(steward, {
    method: 'POST',
    url: '/api/v1/resources',
    payload: resourceInput(providerId, {
      name: `监测站点${Math.random().toString(36).slice(2, 8)}`,
      fields: STATION_FIELDS,
      sharingType: 'conditional',
      sharingConditions: '需申请',
      sharingBasis: '数据共享管理办法',
      openType: 'conditional',
      openConditions: '需申请',
      ...overrides,
    }),
  });
  if (r.statusCode !== 201) throw new Error(`resource: ${r.body}`);
  const id = r.json<{ id: string }>().id;
  await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
  const rv = await s.request(reviewer, {
    method: 'POST',
    url: `/api/v1/resources/${id}/review`,
    payload: { decision: 'approve' },
  });
  if (rv.statusCode !== 200) throw new Error(`review: ${rv.body}`);
  if (!load) return id;
  const mp = multipart({ name: 'stations.csv', content: STATIONS_CSV });
  const loaded = await s.request(steward, {
    method: 'POST',
    url: `/api/v1/resources/${id}/loads`,
    payload: mp.payload,
    headers: mp.headers,
  });
  if (loaded.statusCode !== 202) throw new Error(`load: ${loaded.body}`);
  const job = await s.built.ctx.jobs.waitFor(loaded.json<{ job: { id: string } }>().job.id);
  if (job.state !== 'succeeded') throw new Error(`load job ${job.state}`);
  return id;
}

/** A date `days` from today in the city's calendar (UTC+8), as YYYY-MM-DD. */
export function localDay(days: number, from = new Date()): string {
  return new Date(from.getTime() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

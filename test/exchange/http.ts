import { httpLogin, loadCsvOverHttp, type ChildServer } from '../helpers/child-server.ts';
import { resourceInput } from '../helpers/server.ts';

export const ADMIN_PW = 'Admin#2026pw';

/** Over HTTP against a child server: a department, an open resource with five rows, and an API key reader. */
export async function seedOverHttp(server: ChildServer) {
  const admin = await httpLogin(server.url, 'admin', ADMIN_PW);
  const call = async (method: string, url: string, body?: unknown, headers = admin) => {
    const r = await fetch(`${server.url}${url}`, {
      method,
      headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 400) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const dept = await call('POST', '/api/v1/departments', { code: 'C1', name: '测试市', kind: 'city' });
  const res = await call(
    'POST',
    '/api/v1/resources',
    resourceInput(dept.id as string, {
      fields: [
        { name: '站点', dataType: 'string' },
        { name: 'AQI', dataType: 'number' },
      ],
    }),
  );
  const id = res.id as string;
  await loadCsvOverHttp(server.url, admin, id, '站点,AQI\n甲站,50\n乙站,60\n丙站,70\n丁站,80\n戊站,90\n', 'aqi.csv');
  // Published straight away by the admin's review, so a public user may read it (open data).
  await call('POST', `/api/v1/resources/${id}/submit`);
  await call('POST', `/api/v1/resources/${id}/review`, { decision: 'approve' });
  await call('POST', '/api/v1/auth/register', { username: 'reader', password: 'Reader2026pw' }, {});
  const reader = await httpLogin(server.url, 'reader', 'Reader2026pw');
  const key = (await call('POST', '/api/v1/api-keys', { name: 'load' }, reader)).key as string;
  /** Exchange-log rows of the resource, read back through the API as the admin. */
  const logged = async (headers = admin) => {
    const out: { filter: string | null; channel: string }[] = [];
    let before: number | null = null;
    for (;;) {
      const page = (await (
        await fetch(
          `${server.url}/api/v1/exchange-log?resourceId=${id}&limit=10000${before ? `&beforeId=${before}` : ''}`,
          { headers },
        )
      ).json()) as { entries: { filter: string | null; channel: string }[]; nextBeforeId: number | null };
      out.push(...page.entries);
      if (page.entries.length < 10000 || page.nextBeforeId === null) return out;
      before = page.nextBeforeId;
    }
  };
  return { admin, resourceId: id, key, logged };
}

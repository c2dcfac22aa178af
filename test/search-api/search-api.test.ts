import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  ANON,
  publishResource,
  resourceInput,
  seedOrg,
  startTestServer,
  type Caller,
  type TestServer,
} from '../helpers/server.ts';

describe.each(DIALECTS)('catalogue search API on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let steward: Caller, transMember: Caller;
  const publish = (overrides: Record<string, unknown>) =>
    publishResource(s, steward, resourceInput(org.departments.env, overrides));
  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    steward = await s.login('env_steward');
    transMember = await s.login('trans_member');
  });
  afterAll(async () => s?.close());

  it('finds 空气质量 by Chinese, by full pinyin and by initials, right after publishing', async () => {
    const id = await publish({ name: '空气质量实时监测' });
    for (const q of ['空气质量', 'kongqi zhiliang', 'kqzl', '空气']) {
      const r = (await s.request(ANON, { method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` })).json();
      expect(
        r.hits.map((h: { resource: { id: string } }) => h.resource.id),
        q,
      ).toContain(id);
    }
  });

  it('searches fields, applies admin synonyms and counts facets', async () => {
    const id = await publish({
      name: '企业登记信息',
      domain: 'enterprise',
      fields: [
        { name: '统一社会信用代码', dataType: 'string' },
        { name: '企业名称', dataType: 'string' },
      ],
    });
    const byField = (
      await s.request(ANON, {
        method: 'GET',
        url: `/api/v1/search?fieldQuery=${encodeURIComponent('统一社会信用代码')}`,
      })
    ).json();
    expect(byField.hits.map((h: { resource: { id: string } }) => h.resource.id)).toEqual([id]);
    const admin = await s.login('admin', ADMIN_PASSWORD);
    await s.request(admin, {
      method: 'PUT',
      url: '/api/v1/vocabularies/synonym/firm',
      payload: { labelZh: '企业,商号', labelEn: 'firm' },
    });
    const syn = (
      await s.request(ANON, { method: 'GET', url: `/api/v1/search?q=${encodeURIComponent('商号')}` })
    ).json();
    expect(syn.hits.map((h: { resource: { id: string } }) => h.resource.id)).toContain(id);
    const faceted = (
      await s.request(ANON, { method: 'GET', url: '/api/v1/search?facets=domain,openType&domain=enterprise' })
    ).json();
    expect(faceted.total).toBe(1);
    expect(faceted.facets.domain).toEqual([{ value: 'enterprise', count: 1 }]);
    const bad = await s.request(ANON, { method: 'GET', url: '/api/v1/search?facets=colour' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('unknown_facet');
  });

  it('follows a department rename in its resources’ entries at once', async () => {
    const id = await publish({ name: '噪声监测点位' });
    const find = async (q: string) =>
      (await s.request(ANON, { method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` }))
        .json()
        .hits.map((h: { resource: { id: string } }) => h.resource.id);
    expect(await find('气候变化局')).not.toContain(id);
    const renamed = await s.request(org.admin, {
      method: 'PATCH',
      url: `/api/v1/departments/${org.departments.env}`,
      payload: { name: '生态环境与气候变化局' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(await find('气候变化局')).toContain(id);
  });

  it('never reveals what the caller may not see', async () => {
    const secret = await publish({
      name: '内部考核绝密名单',
      openType: 'none',
      sharingType: 'none',
      sharingConditions: '不共享',
      sharingBasis: '保密',
    });
    const draft = (
      await s.request(steward, {
        method: 'POST',
        url: '/api/v1/resources',
        payload: resourceInput(org.departments.env, { name: '内部考核草稿' }),
      })
    ).json().id;
    for (const c of [ANON, transMember]) {
      const r = await s.request(c, {
        method: 'GET',
        url: `/api/v1/search?q=${encodeURIComponent('内部考核')}&facets=department`,
      });
      expect(r.json().total).toBe(0);
      expect(r.body).not.toContain('绝密');
      expect(r.body).not.toContain(secret);
    }
    const own = (
      await s.request(steward, { method: 'GET', url: `/api/v1/search?q=${encodeURIComponent('内部考核')}` })
    ).json();
    expect(own.hits.map((h: { resource: { id: string } }) => h.resource.id).sort()).toEqual([secret, draft].sort());
  });
});

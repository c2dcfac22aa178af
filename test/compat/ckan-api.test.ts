import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { ANON, resourceInput, seedOrg, startTestServer, type Caller, type TestServer } from '../helpers/server.ts';
import { multipart } from '../helpers/upload.ts';

const AIR_CSV = [
  '站点名称,监测时间,AQI,负责人',
  '云溪监测站,2026-11-01 08:00:00,56,张三丰',
  '白云山站,2026-11-01 08:00:00,120,李四',
  '江南站,2026-11-01 09:00:00,88,王五',
  '白云山站,2026-11-01 09:00:00,101,李四',
].join('\n');

type Json = Record<string, unknown> & { result: Record<string, unknown> & { results: Record<string, unknown>[] } };

describe.each(DIALECTS)('CKAN Action API on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let steward: Caller, envMember: Caller, transMember: Caller, reviewer: Caller;
  /** open, with data and a personal-name field */
  let airId: string;
  /** published, neither open nor shared, with data */
  let secretId: string;
  /** open on conditions, with data */
  let condId: string;
  /** open, no data, another department */
  let busId: string;

  const api = (caller: Caller, action: string, query = '') =>
    s.request(caller, { method: 'GET', url: `/api/3/action/${action}${query ? `?${query}` : ''}` });
  const post = (caller: Caller, action: string, payload: unknown) =>
    s.request(caller, { method: 'POST', url: `/api/3/action/${action}`, payload: payload as object });
  const enc = encodeURIComponent;

  const publish = async (input: Record<string, unknown>, csv?: string) => {
    const provider = input.providerId as string;
    const who = provider === org.departments.env ? steward : await s.login('trans_steward');
    const r = await s.request(who, { method: 'POST', url: '/api/v1/resources', payload: input });
    if (r.statusCode !== 201) throw new Error(r.body);
    const id = r.json<{ id: string }>().id;
    if (csv) {
      const mp = multipart({ name: 'data.csv', content: csv });
      const load = await s.request(who, {
        method: 'POST',
        url: `/api/v1/resources/${id}/loads`,
        payload: mp.payload,
        headers: mp.headers,
      });
      await s.built.ctx.jobs.waitFor(load.json<{ job: { id: string } }>().job.id);
    }
    await s.request(who, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
    const rv = await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${id}/review`,
      payload: { decision: 'approve' },
    });
    if (rv.statusCode !== 200) throw new Error(rv.body);
    return id;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    steward = await s.login('env_steward');
    envMember = await s.login('env_member');
    transMember = await s.login('trans_member');
    reviewer = await s.login('reviewer');
    const fields = [
      { name: '站点名称', dataType: 'string' },
      { name: '监测时间', dataType: 'datetime' },
      { name: 'AQI', dataType: 'number', description: '空气质量指数' },
      { name: '负责人', dataType: 'string', sensitivity: 'name', grade: 'L2' },
    ];
    airId = await publish(resourceInput(org.departments.env, { fields }), AIR_CSV);
    secretId = await publish(
      resourceInput(org.departments.env, {
        name: '机密执法人员名录',
        tags: ['机密'],
        fields: [{ name: '姓名', dataType: 'string' }],
        openType: 'none',
        sharingType: 'none',
        sharingConditions: '不共享',
        sharingBasis: '保密规定',
      }),
      '姓名\n赵六\n',
    );
    condId = await publish(
      resourceInput(org.departments.env, {
        name: '重点排污单位在线监测数据',
        tags: ['排污'],
        fields: [{ name: '单位', dataType: 'string' }],
        openType: 'conditional',
        openConditions: '签署开放利用协议',
      }),
      '单位\n某化工厂\n',
    );
    busId = await publish(
      resourceInput(org.departments.trans, {
        name: '公交线路信息',
        abstract: '全区公交线路走向、首末班时间与票价。',
        domain: 'transport',
        topics: [],
        tags: ['公交', '出行'],
        fields: [{ name: '线路名称', dataType: 'string' }],
      }),
    );
  });
  afterAll(async () => s?.close());

  it('answers in CKAN’s envelope on both prefixes, by GET and by POST', async () => {
    for (const url of ['/api/3/action/status_show', '/api/action/status_show']) {
      const r = await s.request(ANON, { method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        help: expect.stringContaining('help_show?name=status_show'),
        success: true,
        result: { ckan_version: expect.any(String), extensions: expect.arrayContaining(['datastore']) },
      });
    }
    const p = await post(ANON, 'package_search', { q: '空气', rows: 5 });
    expect(p.statusCode).toBe(200);
    expect(p.json<Json>().result.results.map((x) => x.id)).toContain(airId);
    const help = await api(ANON, 'help_show', 'name=datastore_search');
    expect(help.json().result).toMatch(/resource_id/);
  });

  it('package_search: words, facets, fq on organization/groups/tags/res_format, paging', async () => {
    const all = (
      await api(ANON, 'package_search', `q=*:*&facet.field=${enc('["organization","groups","tags","res_format"]')}`)
    ).json<Json>();
    expect(all.success).toBe(true);
    const ids = all.result.results.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining([airId, condId, busId]));
    expect(ids).not.toContain(secretId);
    expect(all.result.count).toBe(3);
    const facets = all.result.facets as Record<string, Record<string, number>>;
    expect(facets.organization).toEqual({ shj: 2, jtj: 1 });
    expect(facets.groups).toMatchObject({ environment: 2, transport: 1 });
    expect(facets.tags).toMatchObject({ 公交: 1, 排污: 1 });
    expect(facets.res_format).toMatchObject({ CSV: 2, API: 2 });
    const sf = all.result.search_facets as Record<string, { items: { name: string; display_name: string }[] }>;
    expect(sf.organization!.items).toContainEqual(expect.objectContaining({ name: 'shj', display_name: '生态环境局' }));

    const byOrg = (await api(ANON, 'package_search', `fq=${enc('organization:jtj')}`)).json<Json>();
    expect(byOrg.result.results.map((x) => x.id)).toEqual([busId]);
    const byGroup = (await api(ANON, 'package_search', `fq=${enc('+groups:environment')}`)).json<Json>();
    expect(byGroup.result.count).toBe(2);
    const byTags = (await api(ANON, 'package_search', `fq=${enc('tags:("公交" OR 排污)')}`)).json<Json>();
    expect(byTags.result.results.map((x) => x.id).sort()).toEqual([busId, condId].sort());
    const csv = (await api(ANON, 'package_search', `fq=${enc('res_format:CSV')}&rows=1`)).json<Json>();
    expect(csv.result.count).toBe(2);
    expect(csv.result.results).toHaveLength(1);
    const page2 = (await api(ANON, 'package_search', `fq=${enc('res_format:CSV')}&rows=1&start=1`)).json<Json>();
    expect([csv.result.results[0]!.id, page2.result.results[0]!.id].sort()).toEqual([airId, condId].sort());
    const pinyin = (await api(ANON, 'package_search', 'q=gongjiao')).json<Json>();
    expect(pinyin.result.results.map((x) => x.id)).toContain(busId);
    const sorted = await api(ANON, 'package_search', `sort=${enc('metadata_modified desc')}`);
    expect(sorted.statusCode).toBe(200);
  });

  it('package_search respects the caller: include_private only adds what this caller may see', async () => {
    const q = `q=${enc('机密')}`;
    expect((await api(ANON, 'package_search', `${q}&include_private=true`)).json<Json>().result.count).toBe(0);
    expect((await api(envMember, 'package_search', q)).json<Json>().result.count).toBe(0);
    const own = (await api(envMember, 'package_search', `${q}&include_private=true`)).json<Json>();
    expect(own.result.results.map((x) => x.id)).toEqual([secretId]);
    expect(own.result.results[0]).toMatchObject({ private: true });
    expect((await api(transMember, 'package_search', `${q}&include_private=true`)).json<Json>().result.count).toBe(0);
  });

  it('bad search input is a CKAN validation error, never a 500', async () => {
    const cases: [string, RegExp][] = [
      [`q=${enc('name:foo AND bar^2')}`, /not supported/],
      [`q=${enc('空气^2')}`, /Solr syntax/],
      [`q=${enc('title:[a TO b]')}`, /not supported/],
      [`fq=${enc('organization:(shj')}`, /unclosed parenthesis/],
      [`fq=${enc('license_id:cc-by')}`, /license_id/],
      [`fq=${enc('-tags:x')}`, /negation/],
      [`fq=${enc('tags:a tags:b')}`, /tags:\(a OR b\)/],
      [`fq=${enc('organization:"shj')}`, /unclosed double quote/],
      [`facet.field=${enc('["licence"]')}`, /Unknown facet field "licence"/],
      [`facet.field=${enc('["organization"')}`, /not valid JSON/],
      ['rows=100000', /rows must be between 0 and 1000/],
      ['rows=-1', /rows/],
      ['start=abc', /start must be an integer/],
      [`sort=${enc('name asc')}`, /sort "name asc" is not supported/],
      ['include_private=maybe', /true or false/],
      ['frobnicate=1', /does not take "frobnicate"/],
    ];
    for (const [query, message] of cases) {
      const r = await api(ANON, 'package_search', query);
      expect(r.statusCode, query).toBe(409);
      const body = r.json();
      expect(body.success, query).toBe(false);
      expect(body.error.__type, query).toBe('Validation Error');
      expect(body.error.message, query).toMatch(message);
      expect(body.help).toContain('package_search');
    }
    const unknown = await api(ANON, 'no_such_action');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ success: false, error: { __type: 'Bad Request' } });
    const badJson = await s.request(ANON, {
      method: 'POST',
      url: '/api/3/action/package_search',
      payload: '{"q": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().success).toBe(false);
  });

  it('package_show / package_list / resource_show map a resource to a package with its data resources', async () => {
    const show = (await api(ANON, 'package_show', `id=${airId}`)).json<Json>();
    const pkg = show.result;
    expect(pkg).toMatchObject({
      id: airId,
      title: '空气质量小时监测数据',
      notes: expect.stringContaining('空气质量'),
      owner_org: org.departments.env,
      organization: { name: 'shj', title: '生态环境局' },
      groups: [{ name: 'environment', title: '资源环境' }],
      license_id: 'CC-BY-4.0',
      private: false,
      state: 'active',
    });
    expect((pkg.tags as { name: string }[]).map((t) => t.name)).toEqual(['空气质量', 'AQI']);
    const resources = pkg.resources as Record<string, unknown>[];
    expect(resources[0]).toMatchObject({ id: airId, datastore_active: true, package_id: airId });
    expect(resources.map((r) => r.format)).toEqual(['API', 'CSV', 'XLSX', 'JSON', 'Parquet']);
    expect(resources[1]).toMatchObject({
      id: `${airId}-csv`,
      url: expect.stringContaining(`/api/v1/resources/${airId}/export?format=csv`),
    });
    // By name (the code as a slug) too.
    const byName = (await api(ANON, 'package_show', `id=${pkg.name as string}`)).json<Json>();
    expect(byName.result.id).toBe(airId);
    const bus = (await api(ANON, 'package_show', `id=${busId}`)).json<Json>();
    expect(bus.result.resources).toEqual([]);

    const hidden = await api(ANON, 'package_show', `id=${secretId}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
    expect((await api(envMember, 'package_show', `id=${secretId}`)).statusCode).toBe(200);
    const missing = await api(ANON, 'package_show');
    expect(missing.statusCode).toBe(409);
    expect(missing.json().error).toMatchObject({ __type: 'Validation Error', id: [expect.stringMatching(/required/)] });

    const list = (await api(ANON, 'package_list')).json();
    expect(list.result).toContain(pkg.name);
    expect(list.result).toHaveLength(3);

    const res = (await api(ANON, 'resource_show', `id=${airId}-xlsx`)).json<Json>();
    expect(res.result).toMatchObject({ format: 'XLSX', package_id: airId, datastore_active: false });
    expect((await api(ANON, 'resource_show', `id=${busId}`)).statusCode).toBe(404);
    expect((await api(ANON, 'resource_show', `id=${secretId}-csv`)).statusCode).toBe(404);
    expect((await api(ANON, 'resource_show', 'id=nonsense')).statusCode).toBe(404);
  });

  it('organization_list / organization_show / group_list / tag_list', async () => {
    const names = (await api(ANON, 'organization_list')).json().result as string[];
    expect(names).toEqual(expect.arrayContaining(['shj', 'jtj', 'city']));
    const full = (
      await api(ANON, 'organization_list', `all_fields=true&sort=${enc('package_count desc')}&limit=2`)
    ).json().result as { name: string; package_count: number }[];
    expect(full).toEqual([
      expect.objectContaining({ name: 'shj', package_count: 2 }),
      expect.objectContaining({ name: 'jtj', package_count: 1 }),
    ]);
    const shj = (await api(ANON, 'organization_show', 'id=SHJ&include_datasets=true')).json().result;
    expect(shj).toMatchObject({ id: org.departments.env, title: '生态环境局', package_count: 2 });
    expect((shj.packages as { id: string }[]).map((x) => x.id).sort()).toEqual([airId, condId].sort());
    expect((await api(ANON, 'organization_show', 'id=nope')).statusCode).toBe(404);

    const groups = (await api(ANON, 'group_list', 'all_fields=true')).json().result as {
      name: string;
      title: string;
      package_count: number;
    }[];
    expect(groups.find((g) => g.name === 'environment')).toMatchObject({ title: '资源环境', package_count: 2 });
    expect(groups.length).toBeGreaterThanOrEqual(14);
    const tags = (await api(ANON, 'tag_list')).json().result as string[];
    expect(tags).toEqual(expect.arrayContaining(['空气质量', '公交', '排污']));
    expect(tags).not.toContain('机密');
    expect((await api(ANON, 'tag_list', `query=${enc('公')}`)).json().result).toEqual(['公交']);
  });

  it('datastore_search: _id first, filters, q, fields, sort, distinct, lists, totals and _links', async () => {
    const r = (await api(ANON, 'datastore_search', `resource_id=${airId}`)).json<Json>().result;
    expect((r.fields as { id: string; type: string }[]).map((f) => f.id)).toEqual([
      '_id',
      '站点名称',
      '监测时间',
      'AQI',
      '负责人',
    ]);
    expect((r.fields as { id: string; type: string }[])[0]).toEqual({ id: '_id', type: 'int' });
    expect(r.total).toBe(4);
    expect(r.records as unknown[]).toHaveLength(4);
    expect(r._links).toEqual({
      start: `/api/3/action/datastore_search?resource_id=${airId}`,
      next: `/api/3/action/datastore_search?resource_id=${airId}&offset=100`,
    });

    const filtered = (
      await api(
        ANON,
        'datastore_search',
        `resource_id=${airId}&filters=${enc('{"站点名称":"白云山站"}')}&sort=${enc('"AQI" desc')}&fields=${enc('站点名称,AQI')}`,
      )
    ).json<Json>().result;
    expect(filtered.records).toEqual([
      { 站点名称: '白云山站', AQI: 120 },
      { 站点名称: '白云山站', AQI: 101 },
    ]);
    expect(filtered.total).toBe(2);

    const q = (await api(ANON, 'datastore_search', `resource_id=${airId}&q=${enc('江南')}`)).json<Json>().result;
    expect((q.records as Record<string, unknown>[]).map((x) => x['站点名称'])).toEqual(['江南站']);

    const distinct = (
      await post(ANON, 'datastore_search', {
        resource_id: airId,
        fields: ['站点名称'],
        distinct: true,
        sort: '站点名称',
      })
    ).json<Json>().result;
    expect(distinct.records).toEqual([{ 站点名称: '云溪监测站' }, { 站点名称: '江南站' }, { 站点名称: '白云山站' }]);
    expect(distinct.total).toBe(3);

    const lists = (
      await post(ANON, 'datastore_search', {
        resource_id: airId,
        records_format: 'lists',
        fields: '_id,AQI',
        limit: 2,
        offset: 1,
        sort: 'AQI asc',
      })
    ).json<Json>().result;
    expect(lists.records).toEqual([
      [3, 88],
      [4, 101],
    ]);
    expect(lists._links).toMatchObject({ next: expect.stringContaining('offset=3') });
    const csv = (
      await post(ANON, 'datastore_search', { resource_id: airId, records_format: 'csv', fields: 'AQI', limit: 1 })
    ).json<Json>().result;
    expect(csv.records).toBe('56\n');
    const noTotal = (await post(ANON, 'datastore_search', { resource_id: airId, include_total: false })).json<Json>()
      .result;
    expect(noTotal.total).toBeUndefined();
  });

  it('datastore_search masks personal fields for other callers and logs every call', async () => {
    const read = async (caller: Caller) =>
      (
        (await api(caller, 'datastore_search', `resource_id=${airId}&sort=_id`)).json<Json>().result.records as Record<
          string,
          unknown
        >[]
      ).map((x) => x['负责人']);
    expect(await read(steward)).toEqual(['张三丰', '李四', '王五', '李四']);
    expect(await read(transMember)).toEqual(['张**', '李*', '王*', '李*']);
    expect(await read(ANON)).toEqual(['张**', '李*', '王*', '李*']);
    // Filtering on the raw value of a masked field finds nothing.
    const probe = await api(
      transMember,
      'datastore_search',
      `resource_id=${airId}&filters=${enc('{"负责人":"李四"}')}`,
    );
    expect(probe.json<Json>().result.records).toEqual([]);
    const log = await s.built.ctx.store.db
      .selectFrom('exchange_log')
      .select(['channel', 'actor_id', 'row_count', 'byte_count'])
      .where('resource_id', '=', airId)
      .where('channel', '=', 'ckan_datastore')
      .execute();
    expect(log.length).toBeGreaterThanOrEqual(10);
    expect(log.some((x) => x.actor_id === transMember.userId && Number(x.row_count) === 0)).toBe(true);
    // Each line records the bytes of the records delivered (an empty page still sends "[]").
    for (const x of log) expect(Number(x.byte_count)).toBeGreaterThan(Number(x.row_count) > 0 ? 2 : 1);
  });

  it('datastore_search errors: CKAN types and codes', async () => {
    const bad: [string, number, string, RegExp][] = [
      [`resource_id=${airId}&filters=${enc('{"站点名称":')}`, 409, 'Validation Error', /filters is not valid JSON/],
      [`resource_id=${airId}&filters=${enc('["x"]')}`, 409, 'Validation Error', /filters must be an object/],
      [`resource_id=${airId}&filters=${enc('{"nope":1}')}`, 409, 'Validation Error', /"nope" does not exist/],
      [`resource_id=${airId}&filters=${enc('{"AQI":"many"}')}`, 409, 'Validation Error', /does not fit field "AQI"/],
      [`resource_id=${airId}&sort=${enc('nope desc')}`, 409, 'Validation Error', /"nope"/],
      [`resource_id=${airId}&sort=${enc('AQI sideways')}`, 409, 'Validation Error', /sort|field/],
      [`resource_id=${airId}&limit=100000`, 409, 'Validation Error', /maximum of 10000/],
      [`resource_id=${airId}&records_format=xml`, 409, 'Validation Error', /records_format/],
      [`resource_id=${airId}&plain=false`, 409, 'Validation Error', /plain=false/],
      ['', 409, 'Validation Error', /resource_id is required/],
      [`resource_id=${secretId}`, 404, 'Not Found Error', /not found/],
      [`resource_id=${busId}`, 404, 'Not Found Error', /no data/],
      [`resource_id=${airId}-csv`, 404, 'Not Found Error', /not found/],
      [`resource_id=${condId}`, 403, 'Authorization Error', /Sign in/],
    ];
    for (const [query, status, type, message] of bad) {
      const r = await api(ANON, 'datastore_search', query);
      expect(r.statusCode, query).toBe(status);
      expect(r.json().error.__type, query).toBe(type);
      expect(r.json().error.message, query).toMatch(message);
    }
  });

  it('datastore_search_sql: tables named by resource id in double quotes, read-only, masked, hidden tables unknown', async () => {
    const ok = (
      await api(
        ANON,
        'datastore_search_sql',
        `sql=${enc(`SELECT "站点名称", max("AQI") AS top FROM "${airId}" GROUP BY 1 ORDER BY 2 DESC`)}`,
      )
    ).json<Json>();
    expect(ok.success).toBe(true);
    expect(ok.result.records).toEqual([
      { 站点名称: '白云山站', top: 120 },
      { 站点名称: '江南站', top: 88 },
      { 站点名称: '云溪监测站', top: 56 },
    ]);
    const masked = (
      await post(transMember, 'datastore_search_sql', { sql: `SELECT DISTINCT "负责人" FROM "${airId}" ORDER BY 1` })
    ).json<Json>();
    expect(masked.result.records).toEqual([{ 负责人: '张**' }, { 负责人: '李*' }, { 负责人: '王*' }]);
    const hostile = [
      `DROP TABLE "${airId}"`,
      `SELECT * FROM read_csv('/etc/passwd')`,
      `COPY (SELECT * FROM "${airId}") TO '/tmp/x.csv'`,
      `SELECT 1; SELECT 2`,
      `SELECT * FROM "${secretId}"`,
    ];
    for (const sql of hostile) {
      const r = await post(ANON, 'datastore_search_sql', { sql });
      expect(r.statusCode, sql).toBe(409);
      expect(r.json().error.__type, sql).toBe('Validation Error');
    }
    const hidden = await post(ANON, 'datastore_search_sql', { sql: `SELECT * FROM "${secretId}"` });
    expect(hidden.json().error.message).toMatch(/does not exist or you may not read it/);
    // The department that owns it may read it.
    const own = await post(envMember, 'datastore_search_sql', { sql: `SELECT "姓名" FROM "${secretId}"` });
    expect(own.json<Json>().result.records).toEqual([{ 姓名: '赵六' }]);
    const logged = await s.built.ctx.store.db
      .selectFrom('exchange_log')
      .select('filter')
      .where('resource_id', '=', secretId)
      .where('channel', '=', 'ckan_datastore')
      .execute();
    expect(logged.map((x) => x.filter)).toContain(`SELECT "姓名" FROM "${secretId}"`);
  });

  it('takes CKAN’s bare API key in Authorization, and answers a bad key with 403', async () => {
    const k = await s.request(envMember, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'ckan' } });
    const key = k.json<{ key: string }>().key;
    const r = await s.request(ANON, {
      method: 'GET',
      url: `/api/3/action/package_show?id=${secretId}`,
      headers: { authorization: key },
    });
    expect(r.statusCode).toBe(200);
    const bad = await s.request(ANON, {
      method: 'GET',
      url: '/api/3/action/status_show',
      headers: { authorization: 'not-a-key' },
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.json()).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  ANON,
  approveResource,
  resourceInput,
  seedOrg,
  startTestServer,
  type Caller,
  type TestServer,
} from '../helpers/server.ts';

describe.each(DIALECTS)('resource catalogue on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let admin: Caller,
    steward: Caller,
    envMember: Caller,
    transSteward: Caller,
    transMember: Caller,
    reviewer: Caller,
    citizen: Caller;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    admin = await s.login('admin', ADMIN_PASSWORD);
    steward = await s.login('env_steward');
    envMember = await s.login('env_member');
    transSteward = await s.login('trans_steward');
    transMember = await s.login('trans_member');
    reviewer = await s.login('reviewer');
    citizen = await s.login('citizen');
  });
  afterAll(async () => s?.close());

  const create = (caller: Caller, overrides: Record<string, unknown> = {}) =>
    s.request(caller, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.env, overrides),
    });

  it('registers a resource with every catalogue element and a generated unique code', async () => {
    const r = await create(steward, { name: '河流断面水质监测', classDetail: '01', relatedCodes: ['212001/000001'] });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.code).toMatch(/^21200101\/000001$/);
    expect(body).toMatchObject({
      status: 'draft',
      providerId: org.departments.env,
      sharingType: 'unconditional',
      openType: 'unconditional',
      updateCycle: 'realtime',
      domain: 'environment',
      topics: ['eco'],
      licence: 'CC-BY-4.0',
      temporalStart: '2020-01-01',
      divisionCode: '440111',
      classificationCode: '21200101',
    });
    expect(body.fields.map((f: { name: string }) => f.name)).toEqual(['站点名称', '监测时间', 'AQI']);
    const second = await create(steward, { name: '河流断面水质月报', classDetail: '01' });
    expect(second.json().code).toBe('21200101/000002');
  });

  it('takes the highest field grade as the dataset grade (就高从严) and never opens L4', async () => {
    const fields = [
      { name: '姓名', dataType: 'string', sensitivity: 'name', grade: 'L3' },
      { name: '年龄', dataType: 'number', grade: 'L1' },
    ];
    const r = await create(steward, {
      name: '就诊人员名单',
      grade: 'L1',
      fields,
      openType: 'conditional',
      openConditions: '经审批后开放',
      sharingType: 'conditional',
      sharingConditions: '用于卫生统计',
      sharingBasis: '《政务信息资源共享管理暂行办法》',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().grade).toBe('L3');
    const l4 = await create(steward, {
      name: '病历记录',
      fields: [{ name: '诊断', dataType: 'string', grade: 'L4', sensitivity: 'other' }],
      sharingType: 'conditional',
      sharingConditions: '仅限卫健部门',
      sharingBasis: '依据',
    });
    expect(l4.statusCode).toBe(422);
    expect(l4.json().errors).toContainEqual(expect.objectContaining({ field: 'openType' }));
  });

  it('applies the catalogue rules of the national guide, listing every problem', async () => {
    const r = await create(steward, {
      name: '违规示例',
      sharingType: 'conditional',
      format: 'file',
      sharingMethod: 'api',
      openType: 'conditional',
      classItem: '1',
      divisionCode: '4401',
      temporalStart: '2021-02-30',
    });
    expect(r.statusCode).toBe(422);
    const fields = r.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'sharingConditions',
        'sharingBasis',
        'sharingMethod',
        'openConditions',
        'classItem',
        'divisionCode',
        'temporalStart',
      ]),
    );
    const unknownDomain = await create(steward, { name: '未知领域', domain: 'mars' });
    expect(unknownDomain.json().field).toBe('domain');
    const dupFields = await create(steward, {
      name: '重复字段',
      fields: [
        { name: 'a', dataType: 'string' },
        { name: 'a', dataType: 'number' },
      ],
    });
    expect(dupFields.json().errors[0].field).toBe('fields/1/name');
  });

  it('rejects near-duplicate names within a provider, not across providers', async () => {
    const first = await create(steward, { name: '建设工程 施工许可（2024）' });
    expect(first.statusCode).toBe(201);
    const dup = await create(steward, { name: '建设工程施工许可 2024' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('duplicate_name');
    const other = await s.request(transSteward, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.trans, { name: '建设工程施工许可（2024）' }),
    });
    expect(other.statusCode).toBe(201);
  });

  it('bad input is a clear 4xx and changes nothing', async () => {
    const before = await s.ts.store.db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const cases = [
      { payload: '{"name": "x",', status: 400, code: 'malformed_json' },
      { payload: { ...resourceInput(org.departments.env), colour: 'red' }, status: 400, code: 'invalid_request' },
      {
        payload: { ...resourceInput(org.departments.env), name: '长'.repeat(201) },
        status: 400,
        code: 'invalid_request',
      },
      {
        payload: { ...resourceInput(org.departments.env), classCategory: '9' },
        status: 422,
        code: 'validation_failed',
      },
      {
        payload: { ...resourceInput(org.departments.env), providerId: 'no-such-dept' },
        status: 422,
        code: 'validation_failed',
      },
    ];
    for (const c of cases) {
      const r = await s.request(steward, {
        method: 'POST',
        url: '/api/v1/resources',
        payload: c.payload as never,
        headers: { 'content-type': 'application/json' },
      });
      expect(r.statusCode, JSON.stringify(c.payload).slice(0, 60)).toBe(c.status);
      expect(r.json().code).toBe(c.code);
      expect(r.json().detail.length).toBeGreaterThan(5);
    }
    const after = await s.ts.store.db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('walks the lifecycle draft → pending → returned → pending → published → withdrawn, enforcing who does each step', async () => {
    const id = (await create(steward, { name: '公交站点分布' })).json().id as string;
    // Other departments' stewards and members may not touch it.
    expect((await s.request(transSteward, { method: 'POST', url: `/api/v1/resources/${id}/submit` })).statusCode).toBe(
      404,
    );
    expect((await s.request(envMember, { method: 'POST', url: `/api/v1/resources/${id}/submit` })).statusCode).toBe(
      403,
    );
    expect((await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` })).json().status).toBe(
      'pending_review',
    );
    // A steward cannot review; a pending resource cannot be edited.
    expect(
      (
        await s.request(steward, {
          method: 'POST',
          url: `/api/v1/resources/${id}/review`,
          payload: { decision: 'approve' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await s.request(steward, { method: 'PATCH', url: `/api/v1/resources/${id}`, payload: { abstract: '改' } }))
        .statusCode,
    ).toBe(403);
    const noReason = await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${id}/review`,
      payload: { decision: 'return' },
    });
    expect(noReason.statusCode).toBe(422);
    const returned = await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${id}/review`,
      payload: { decision: 'return', reason: '摘要过短' },
    });
    expect(returned.json()).toMatchObject({ status: 'returned', returnReason: '摘要过短' });
    const edited = await s.request(steward, {
      method: 'PATCH',
      url: `/api/v1/resources/${id}`,
      payload: { abstract: '全区公交站点位置、名称与途经线路。', revision: returned.json().revision },
    });
    expect(edited.statusCode).toBe(200);
    const stale = await s.request(steward, {
      method: 'PATCH',
      url: `/api/v1/resources/${id}`,
      payload: { abstract: 'x', revision: 1 },
    });
    expect(stale.json().code).toBe('stale_revision');
    await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` });
    const published = await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${id}/review`,
      payload: { decision: 'approve' },
    });
    expect(published.json()).toMatchObject({ status: 'published' });
    expect(published.json().publishDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Withdrawal is asked for, then reviewed.
    expect(
      (
        await s.request(steward, {
          method: 'POST',
          url: `/api/v1/resources/${id}/withdraw`,
          payload: { reason: '数据口径调整' },
        })
      ).json(),
    ).toMatchObject({
      status: 'pending_review',
      pendingAction: 'withdraw',
    });
    expect(
      (
        await s.request(admin, {
          method: 'POST',
          url: `/api/v1/resources/${id}/review`,
          payload: { decision: 'approve' },
        })
      ).json().status,
    ).toBe('withdrawn');
    expect((await s.request(steward, { method: 'DELETE', url: `/api/v1/resources/${id}` })).statusCode).toBe(403);

    const history = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/history` })).json<
      { action: string; actor: { username: string }; changes: Record<string, unknown>; reason: string | null }[]
    >();
    expect(history.map((h) => h.action)).toEqual([
      'create',
      'submit',
      'return',
      'update',
      'submit',
      'publish',
      'request_withdraw',
      'withdraw',
    ]);
    expect(history[2]).toMatchObject({ reason: '摘要过短', actor: { username: 'reviewer' } });
    expect(history[3]!.changes).toHaveProperty('abstract');
    expect(history[3]!.changes).not.toHaveProperty('name');
  });

  it('shows each role only what it may see, in lists and by id', async () => {
    const mk = async (name: string, o: Record<string, unknown>, publish: boolean) => {
      const id = (await create(steward, { name, ...o })).json().id as string;
      if (publish) await approveResource(s, steward, id);
      return id;
    };
    const cond = { sharingConditions: '需申请', sharingBasis: '依据文件' };
    const openPub = await mk('可见-开放', {}, true);
    const sharedOnly = await mk('可见-仅共享', { openType: 'none', sharingType: 'conditional', ...cond }, true);
    const hidden = await mk('可见-不共享不开放', { openType: 'none', sharingType: 'none', ...cond }, true);
    const draft = await mk('可见-草稿', {}, false);
    const visible = async (c: Caller) => {
      const r = await s.request(c, { method: 'GET', url: '/api/v1/resources?q=可见-&limit=100' });
      return new Set(r.json<{ items: { id: string }[] }>().items.map((i) => i.id));
    };
    const expectations: [Caller, string[]][] = [
      [ANON, [openPub]],
      [citizen, [openPub]],
      [transMember, [openPub, sharedOnly]],
      [envMember, [openPub, sharedOnly, hidden, draft]],
      [reviewer, [openPub, sharedOnly, hidden, draft]],
      [admin, [openPub, sharedOnly, hidden, draft]],
    ];
    for (const [caller, ids] of expectations) {
      expect([...(await visible(caller))].sort(), caller.name).toEqual([...ids].sort());
      for (const id of [openPub, sharedOnly, hidden, draft]) {
        const r = await s.request(caller, { method: 'GET', url: `/api/v1/resources/${id}` });
        expect(r.statusCode, `${caller.name} ${id}`).toBe(ids.includes(id) ? 200 : 404);
        if (!ids.includes(id)) expect(r.body).not.toContain('可见');
      }
    }
  });

  it('keeps departments as a tree with kinds in order', async () => {
    const tree = (await s.request(ANON, { method: 'GET', url: '/api/v1/departments?tree=true' })).json();
    expect(tree).toHaveLength(1);
    expect(tree[0].code).toBe('CITY');
    const district = tree[0].children[0];
    expect(district.code).toBe('YX');
    expect(district.children.map((d: { code: string }) => d.code).sort()).toEqual(['JTJ', 'SHJ', 'SJJ']);
    const badKind = await s.request(admin, {
      method: 'POST',
      url: '/api/v1/departments',
      payload: { code: 'X1', name: '科', kind: 'office', parentId: org.departments.city },
    });
    expect(badKind.statusCode).toBe(422);
    const cycle = await s.request(admin, {
      method: 'PATCH',
      url: `/api/v1/departments/${org.departments.district}`,
      payload: { parentId: org.departments.district },
    });
    expect(cycle.statusCode).toBe(422);
    const inUse = await s.request(admin, { method: 'DELETE', url: `/api/v1/departments/${org.departments.env}` });
    expect(inUse.json().code).toBe('department_in_use');
    expect(
      (
        await s.request(steward, {
          method: 'POST',
          url: '/api/v1/departments',
          payload: { code: 'ZZ', name: 'z', kind: 'city' },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('lets admins relabel vocabularies and add domains, which the catalogue then accepts', async () => {
    const relabel = await s.request(admin, {
      method: 'PUT',
      url: '/api/v1/vocabularies/open_type/conditional',
      payload: { labelZh: '受限开放', labelEn: 'Restricted' },
    });
    expect(relabel.statusCode).toBe(200);
    const labels = (await s.request(ANON, { method: 'GET', url: '/api/v1/vocabularies?kind=open_type' })).json<
      { code: string; labelZh: string }[]
    >();
    expect(labels.find((l) => l.code === 'conditional')!.labelZh).toBe('受限开放');
    expect(
      (
        await s.request(admin, {
          method: 'PUT',
          url: '/api/v1/vocabularies/open_type/weird',
          payload: { labelZh: 'x', labelEn: 'x' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await s.request(steward, {
          method: 'PUT',
          url: '/api/v1/vocabularies/domain/space',
          payload: { labelZh: '航天', labelEn: 'Space' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await create(steward, { name: '卫星遥感影像目录', domain: 'space' })).statusCode).toBe(422);
    expect(
      (
        await s.request(admin, {
          method: 'PUT',
          url: '/api/v1/vocabularies/domain/space',
          payload: { labelZh: '航天', labelEn: 'Space' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await create(steward, { name: '卫星遥感影像目录', domain: 'space' })).statusCode).toBe(201);
  });
});

import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCardCheckChar } from '../../src/modules/governance/checksums.ts';
import { REPORT_SHEETS } from '../../src/modules/governance/index.ts';
import { DIALECTS } from '../helpers/db.ts';
import { resourceInput, seedOrg, startTestServer, type Caller, type TestServer } from '../helpers/server.ts';
import { multipart } from '../helpers/upload.ts';

const id = (first17: string) => first17 + idCardCheckChar(first17);
// col7: valid IDs under a name that says nothing; values decide the proposal.
const COL7 = [
  '44011119900101123',
  '44011119851212456',
  '11010519700307789',
  '31010419881111234',
  '51010719920229111',
  '32010219790505321',
].map(id);
const VALID_ID = id('44011119900307001');
const CSV = [
  '姓名,身份证号,信用代码,手机号码,col7,登记日期',
  `张三,11010519491231002X,91350100M000100Y43,13800138000,${COL7[0]},2024-01-02`,
  `李四,110105194912310021,91230184MA1BUFLT44,13912345678,${COL7[1]},2024/01/03`,
  `王五,440524188001010014,91350100M000100Y4Z,13700001111,${COL7[2]},2024年1月4日`,
  `赵六,12345,92371000MA3MXH0E3W,1234,${COL7[3]},notadate`,
  `钱七,${VALID_ID},91350100M000100Y43,13800138001,${COL7[4]},2024-01-06`,
  `孙八,,91230184MA1BUFLT44,13800138002,${COL7[5]},2024-01-07`,
].join('\n');

interface RuleResult {
  ruleId: string;
  field: string;
  kind: string;
  checked: number;
  failures: number;
  sampleRows: { _id: number | string; value: string | null }[];
}

const localToday = (offsetDays = 0) =>
  new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe.each(DIALECTS)('quality and governance through the API on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let steward: Caller, reviewer: Caller, transMember: Caller;
  let resourceId: string;
  let overdueId: string;

  const publish = async (input: Record<string, unknown>) => {
    const r = await s.request(steward, { method: 'POST', url: '/api/v1/resources', payload: input });
    expect(r.statusCode, r.body).toBe(201);
    const rid = r.json<{ id: string }>().id;
    await s.request(steward, { method: 'POST', url: `/api/v1/resources/${rid}/submit` });
    const rev = await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${rid}/review`,
      payload: { decision: 'approve' },
    });
    expect(rev.statusCode, rev.body).toBe(200);
    return rid;
  };
  const load = async (rid: string, content: string) => {
    const mp = multipart({ name: 'data.csv', content });
    const res = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${rid}/loads`,
      payload: mp.payload,
      headers: mp.headers,
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await s.built.ctx.jobs.waitFor(res.json<{ job: { id: string } }>().job.id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    return job.result as { quality: { score: number; proposals: { field: string; kind: string }[] } };
  };
  const rules = async () =>
    (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/quality-rules` })).json<{
      items: { id: string; field: string; kind: string; source: string; active: boolean; proposal: unknown }[];
    }>().items;
  const latest = async (caller = steward) => {
    const r = await s.request(caller, { method: 'GET', url: `/api/v1/resources/${resourceId}/quality` });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<{
      latest: { score: number; validity: number; rows: number; details: { rules: RuleResult[] } };
      history: unknown[];
    }>();
  };
  const ruleOf = (rs: RuleResult[], field: string, kind: string) => {
    const r = rs.find((x) => x.field === field && x.kind === kind);
    expect(r, `${field}/${kind} in ${JSON.stringify(rs.map((x) => [x.field, x.kind]))}`).toBeDefined();
    return r!;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    steward = await s.login('env_steward');
    reviewer = await s.login('reviewer');
    transMember = await s.login('trans_member');
    const fields = [
      { name: '姓名', dataType: 'string', sensitivity: 'name', grade: 'L2' },
      { name: '身份证号', dataType: 'string', sensitivity: 'id_card', grade: 'L3' },
      { name: '信用代码', dataType: 'string' },
      { name: '手机号码', dataType: 'string' },
      { name: 'col7', dataType: 'string' },
      { name: '登记日期', dataType: 'string' },
    ];
    resourceId = await publish(resourceInput(org.departments.env, { name: '企业登记信息', fields }));
  });
  afterAll(async () => s?.close());

  it('seeds the default data elements once, readable by every user', async () => {
    const citizen = await s.login('citizen');
    const r = await s.request(citizen, { method: 'GET', url: '/api/v1/data-elements' });
    expect(r.statusCode).toBe(200);
    const items = r.json<{ items: { code: string; name: string; rules: { kind: string }[] }[] }>().items;
    expect(items.map((e) => e.name)).toEqual([
      '公民身份号码',
      '统一社会信用代码',
      '组织机构代码',
      '行政区划代码',
      '手机号码',
      '日期',
    ]);
    expect(items[0]).toMatchObject({ code: 'DE00001', rules: [{ kind: 'id_card' }] });
  });

  it('runs the rules over every load: exact failures, sample rows, a score below 100, proposals', async () => {
    for (const [field, kind] of [
      ['身份证号', 'id_card'],
      ['信用代码', 'uscc'],
    ]) {
      const r = await s.request(steward, {
        method: 'POST',
        url: `/api/v1/resources/${resourceId}/quality-rules`,
        payload: { field, kind },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const result = await load(resourceId, CSV);
    expect(result.quality.score).toBeLessThan(100);

    const q = await latest();
    expect(q.latest.rows).toBe(6);
    const idRule = ruleOf(q.latest.details.rules, '身份证号', 'id_card');
    expect(idRule).toMatchObject({ checked: 5, failures: 2 });
    expect(idRule.sampleRows).toEqual([
      { _id: 2, value: '110105194912310021' },
      { _id: 4, value: '12345' },
    ]);
    const uscc = ruleOf(q.latest.details.rules, '信用代码', 'uscc');
    expect(uscc).toMatchObject({ checked: 6, failures: 1, sampleRows: [{ _id: 3, value: '91350100M000100Y4Z' }] });
    // validity = (11 checked − 3 failed) / 11
    expect(q.latest.validity).toBeCloseTo(8 / 11, 6);
    expect(q.latest.score).toBeLessThan(100);

    // col7 holds valid IDs: proposed as 身份证号, sensitive, L3, stored inactive and returned with the load.
    const col7 = result.quality.proposals.find((p) => p.field === 'col7');
    expect(col7).toMatchObject({ kind: 'id_card', proposal: { sensitivity: 'id_card', grade: 'L3' }, active: false });
    const stored = (await rules()).find((r) => r.field === 'col7');
    expect(stored).toMatchObject({ kind: 'id_card', source: 'proposed', active: false });
    expect(ruleOf(q.latest.details.rules, '身份证号', 'id_card')).toBeDefined();
    expect(q.latest.details.rules.some((r) => r.field === 'col7')).toBe(false);
  });

  it('masks sample values for readers outside the provider, like the data itself', async () => {
    const q = await latest(transMember);
    const idRule = ruleOf(q.latest.details.rules, '身份证号', 'id_card');
    expect(idRule.sampleRows.map((r) => r.value)).toEqual(['1***************21', '1**45']);
  });

  it('accepting a proposal makes the next run include it and grades the field', async () => {
    const col7 = (await rules()).find((r) => r.field === 'col7' && r.kind === 'id_card')!;
    const acc = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/quality-rules/${col7.id}/accept`,
    });
    expect(acc.statusCode, acc.body).toBe(200);
    expect(acc.json()).toMatchObject({
      rule: { active: true },
      fieldChanges: { 'fields.col7.sensitivity': { to: 'id_card' }, 'fields.col7.grade': { to: 'L3' } },
    });
    const res = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}` })).json<{
      grade: string;
      fields: { name: string; sensitivity: string; grade: string }[];
    }>();
    expect(res.fields.find((f) => f.name === 'col7')).toMatchObject({ sensitivity: 'id_card', grade: 'L3' });
    expect(res.grade).toBe('L3');

    const run = await s.request(steward, { method: 'POST', url: `/api/v1/resources/${resourceId}/quality/run` });
    expect(run.statusCode, run.body).toBe(200);
    const q = await latest();
    expect(ruleOf(q.latest.details.rules, 'col7', 'id_card')).toMatchObject({ checked: 6, failures: 0 });
    expect(q.history.length).toBe(2);
  });

  it('binding a field to a data element brings its rules', async () => {
    const bind = await s.request(steward, {
      method: 'PUT',
      url: `/api/v1/resources/${resourceId}/fields/${encodeURIComponent('手机号码')}/data-element`,
      payload: { code: 'DE00005' },
    });
    expect(bind.statusCode, bind.body).toBe(200);
    expect(bind.json()).toMatchObject({
      dataElementCode: 'DE00005',
      rules: expect.arrayContaining([expect.objectContaining({ kind: 'mobile', source: 'element', active: true })]),
    });
    await s.request(steward, {
      method: 'PUT',
      url: `/api/v1/resources/${resourceId}/fields/${encodeURIComponent('登记日期')}/data-element`,
      payload: { code: 'DE00006' },
    });
    await s.request(steward, { method: 'POST', url: `/api/v1/resources/${resourceId}/quality/run` });
    const q = await latest();
    expect(ruleOf(q.latest.details.rules, '手机号码', 'mobile')).toMatchObject({
      failures: 1,
      sampleRows: [{ _id: 4, value: '1234' }],
    });
    expect(ruleOf(q.latest.details.rules, '登记日期', 'date_parse')).toMatchObject({
      failures: 1,
      sampleRows: [{ _id: 4, value: 'notadate' }],
    });
    // The catalogue shows the binding and the element's grading (手机号码 is sensitive, L3).
    const res = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}` })).json<{
      fields: { name: string; sensitivity: string; grade: string; dataElementCode: string | null }[];
    }>();
    expect(res.fields.find((f) => f.name === '手机号码')).toMatchObject({
      dataElementCode: 'DE00005',
      sensitivity: 'mobile',
      grade: 'L3',
    });
    // Unbinding removes the element's rules.
    await s.request(steward, {
      method: 'PUT',
      url: `/api/v1/resources/${resourceId}/fields/${encodeURIComponent('登记日期')}/data-element`,
      payload: { code: null },
    });
    expect((await rules()).some((r) => r.field === '登记日期' && r.source === 'element')).toBe(false);
  });

  it('rejects rules it could not run, naming the problem', async () => {
    const bad = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/quality-rules`,
      payload: { field: '信用代码', kind: 'regex', params: { pattern: '(' } },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'invalid_quality_rule', field: 'pattern' });
    const noField = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/quality-rules`,
      payload: { field: '不存在', kind: 'not_null' },
    });
    expect(noField.json()).toMatchObject({ code: 'unknown_field' });
    const range = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/quality-rules`,
      payload: { field: '信用代码', kind: 'range', params: {} },
    });
    expect(range.statusCode).toBe(422);
  });

  it('flags a daily dataset with an old load as overdue and notifies its stewards once', async () => {
    overdueId = await publish(resourceInput(org.departments.env, { name: '每日空气质量', updateCycle: 'daily' }));
    await load(overdueId, '站点名称,监测时间,AQI\n甲站,2026-01-01 08:00:00,50\n乙站,2026-01-01 08:00:00,60\n');
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await s.ts.store.db
      .updateTable('table_versions')
      .set({ created_at: old })
      .where('resource_id', '=', overdueId)
      .execute();

    const list = await s.request(steward, { method: 'GET', url: '/api/v1/governance/overdue' });
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json<{ items: { resourceId: string; daysOverdue: number; hasData: boolean }[] }>().items;
    expect(items.map((i) => i.resourceId)).toEqual([overdueId]);
    expect(items[0]).toMatchObject({ daysOverdue: 4, hasData: true });
    // Another department's steward sees none of it.
    const other = await s.login('trans_steward');
    expect((await s.request(other, { method: 'GET', url: '/api/v1/governance/overdue' })).json().items).toEqual([]);

    const n1 = await s.request(org.admin, { method: 'POST', url: '/api/v1/governance/overdue/notify' });
    expect(n1.json()).toEqual({ overdue: 1, notified: 2 }); // env_steward and env_admin
    const n2 = await s.request(org.admin, { method: 'POST', url: '/api/v1/governance/overdue/notify' });
    expect(n2.json()).toEqual({ overdue: 1, notified: 0 });

    const inbox = (await s.request(steward, { method: 'GET', url: '/api/v1/notifications' })).json<{
      items: { id: string; kind: string; resourceId: string; title: string; readAt: string | null }[];
      unread: number;
    }>();
    expect(inbox.unread).toBe(1);
    expect(inbox.items[0]).toMatchObject({ kind: 'dataset_overdue', resourceId: overdueId, readAt: null });
    expect(inbox.items[0]!.title).toContain('每日空气质量');
    const read = await s.request(steward, { method: 'POST', url: `/api/v1/notifications/${inbox.items[0]!.id}/read` });
    expect(read.json().readAt).toEqual(expect.any(String));
    expect((await s.request(steward, { method: 'GET', url: '/api/v1/notifications?unread=true' })).json()).toEqual({
      items: [],
      unread: 0,
    });
    // Someone else's notification does not exist for me.
    expect(
      (await s.request(transMember, { method: 'POST', url: `/api/v1/notifications/${inbox.items[0]!.id}/read` }))
        .statusCode,
    ).toBe(404);
  });

  it('reports the period in numbers and as XLSX', async () => {
    // Two reads today and one logged two days ago.
    for (let i = 0; i < 2; i++)
      expect(
        (await s.request(transMember, { method: 'GET', url: `/api/v1/resources/${overdueId}/rows?limit=1` }))
          .statusCode,
      ).toBe(200);
    await s.ts.store.db
      .insertInto('exchange_log')
      .values({
        at: new Date(Date.now() - 2 * 86_400_000).toISOString(),
        actor_id: null,
        actor_name: 'test',
        department_id: null,
        resource_id: overdueId,
        provider_id: org.departments.env,
        version_id: null,
        channel: 'export',
        fields: null,
        filter: null,
        row_count: 40,
        byte_count: 100,
        grant_id: null,
        client_ip: null,
      })
      .execute();
    // Applications (exchange module's table): on time, late, stuck past due at the provider, not yet due.
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const apps: [string, string | null, string | null, string | null, number][] = [
      ['approved', hoursAgo(30), hoursAgo(20), hoursAgo(25), 0],
      ['refused', hoursAgo(30), hoursAgo(20), hoursAgo(10), 0],
      ['pending_provider', hoursAgo(30), hoursAgo(5), null, 1],
      ['pending_bureau', hoursAgo(-30), null, null, 0],
    ];
    for (const [state, bureauDue, providerDue, decidedAt, esc] of apps)
      await sql`INSERT INTO share_applications (id, kind, resource_id, provider_id, applicant_id, purpose, scenario,
        fields, period_from, period_to, state, bureau_due_at, provider_due_at, escalated, created_at, updated_at,
        decided_at) VALUES (${randomUUID()}, 'share', ${overdueId}, ${org.departments.env}, ${org.userIds.trans_member},
        'p', 's', '[]', '2026-01-01', '2026-12-31', ${state}, ${bureauDue}, ${providerDue}, ${esc}, ${hoursAgo(40)},
        ${hoursAgo(1)}, ${decidedAt})`.execute(s.ts.store.db);
    const from = localToday(-3);
    const to = localToday();
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/governance/report?from=${from}&to=${to}` })).statusCode,
    ).toBe(403);
    const res = await s.request(reviewer, { method: 'GET', url: `/api/v1/governance/report?from=${from}&to=${to}` });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.datasets).toEqual({ registered: 2, published: 2, publishedInPeriod: 2, withData: 2, open: 2, shared: 2 });
    expect(r.records).toBe(6 + 2);
    expect(r.fields).toBe(6 + 3);
    expect(r.topics).toEqual({ count: 1, items: [{ topic: 'eco', datasets: 2 }] });
    expect(r.departments.providing).toBe(1);
    expect(r.departments.total).toBe(6);
    expect(r.departments.items).toEqual([
      { id: org.departments.env, code: 'SHJ', name: '生态环境局', datasets: 2, records: 8 },
    ]);
    expect(r.exchanges.perDay.map((d: { day: string }) => d.day)).toEqual([
      localToday(-3),
      localToday(-2),
      localToday(-1),
      localToday(),
    ]);
    expect(r.exchanges.perDay.map((d: { exchanges: number }) => d.exchanges)).toEqual([0, 1, 0, 2]);
    expect(r.exchanges).toMatchObject({ total: 3, rows: 42 });
    expect(r.quality.assessed).toBe(2);
    expect(r.quality.buckets.reduce((a: number, b: { datasets: number }) => a + b.datasets, 0)).toBe(2);
    expect(r.overdue.count).toBe(1);
    expect(r.overdue.items[0].resourceId).toBe(overdueId);
    expect(r.openedByDomain).toEqual([
      { domain: 'environment', label: expect.any(String), opened: 2, openedInPeriod: 2 },
    ]);
    expect(r.applications).toMatchObject({
      available: true,
      total: 4,
      decided: 2,
      decidedOnTime: 1,
      openPastDue: 1,
      escalated: 1,
      byState: [
        { state: 'approved', count: 1 },
        { state: 'pending_bureau', count: 1 },
        { state: 'pending_provider', count: 1 },
        { state: 'refused', count: 1 },
      ],
    });
    expect(r.applications.slaCompliance).toBeCloseTo(1 / 3, 6);

    const x = await s.request(reviewer, {
      method: 'GET',
      url: `/api/v1/governance/report?from=${from}&to=${to}&format=xlsx`,
    });
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...REPORT_SHEETS]);
    const overview = wb.getWorksheet('概览')!;
    expect(overview.getRow(1).values).toEqual([undefined, '指标', '数值']);
    const kv = new Map<string, unknown>();
    overview.eachRow((row) => kv.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(kv.get('已发布资源数')).toBe(2);
    expect(kv.get('数据记录数')).toBe(8);
    expect(kv.get('期间交换次数')).toBe(3);
    expect(wb.getWorksheet('每日交换')!.rowCount).toBe(1 + 4);
    expect(wb.getWorksheet('逾期更新')!.getRow(2).getCell(2).value).toBe('每日空气质量');

    const bad = await s.request(reviewer, { method: 'GET', url: `/api/v1/governance/report?from=${to}&to=${from}` });
    expect(bad.statusCode).toBe(422);
  });
});

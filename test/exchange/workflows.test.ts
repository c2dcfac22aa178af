import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, runDueDeliveries, runEscalation, workCalendar } from '../../src/modules/exchange/index.ts';
import { DIALECTS } from '../helpers/db.ts';
import { ANON, seedOrg, startTestServer, type Caller, type TestServer } from '../helpers/server.ts';
import { localDay, publishedStations } from './fixtures.ts';

type Rec = Record<string, unknown>;

describe.each(DIALECTS)('sharing and opening workflows on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let envSteward: Caller,
    transMember: Caller,
    transSteward: Caller,
    reviewer: Caller,
    citizen: Caller,
    envMember: Caller;
  let resourceId: string;
  const holidays = [localDay(1), localDay(2)];

  const req = (caller: Caller, method: string, url: string, payload?: unknown) =>
    s.request(caller, { method: method as 'GET', url, ...(payload !== undefined ? { payload: payload as Rec } : {}) });
  const rows = async (caller: Caller, query = '') => req(caller, 'GET', `/api/v1/resources/${resourceId}/rows${query}`);
  const lastLog = async () =>
    s.ts.store.db
      .selectFrom('exchange_log')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  const shareApplication = async (caller: Caller, extra: Rec = {}) => {
    const r = await req(caller, 'POST', '/api/v1/applications', {
      kind: 'share',
      resourceId,
      purpose: '交通拥堵与空气质量关联分析',
      scenario: '交通运输局内部决策分析',
      fields: ['站点名称', 'AQI', '负责人', '联系电话'],
      rowFilter: { field: '区域', op: 'eq', value: '北区' },
      periodFrom: localDay(0),
      periodTo: localDay(60),
      ...extra,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json<Rec & { id: string }>();
  };
  const toProvider = async (id: string) => {
    const r = await req(reviewer, 'POST', `/api/v1/applications/${id}/review`, { decision: 'pass' });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<Rec>();
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    envSteward = await s.login('env_steward');
    envMember = await s.login('env_member');
    transMember = await s.login('trans_member');
    transSteward = await s.login('trans_steward');
    reviewer = await s.login('reviewer');
    citizen = await s.login('citizen');
    resourceId = await publishedStations(s, envSteward, reviewer, org.departments.env);
    for (const d of holidays)
      expect((await req(org.admin, 'PUT', `/api/v1/exchange/holidays/${d}`, { name: '测试假日' })).statusCode).toBe(
        200,
      );
  });
  afterAll(async () => s?.close());

  it('keeps conditionally shared data closed to other departments until a grant exists', async () => {
    expect((await rows(transMember)).statusCode).toBe(403);
    expect((await rows(citizen)).statusCode).toBe(403);
    expect((await rows(envMember)).statusCode).toBe(200);
    // Only an admin edits the calendar.
    expect((await req(transSteward, 'PUT', `/api/v1/exchange/holidays/${localDay(3)}`, { name: 'x' })).statusCode).toBe(
      403,
    );
  });

  it('runs a share application through return, resubmission, review and approval, with working-day SLAs', async () => {
    const app = await shareApplication(transMember);
    expect(app.state).toBe('pending_bureau');
    // Bureau SLA: 2 working days after today, skipping weekends and the two holidays that follow today.
    const cal = workCalendar(holidays.map((date) => ({ date, workday: false })));
    expect(app.bureauDueAt).toBe(addWorkingDays(new Date(app.createdAt as string), 2, cal));
    const dueDay = new Date(Date.parse(app.bureauDueAt as string) - 1 + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(dueDay > holidays[1]!).toBe(true);
    expect([0, 6]).not.toContain(new Date(`${dueDay}T00:00:00Z`).getUTCDay());

    // Someone outside the bureau cannot review; a return needs a reason.
    expect(
      (await req(envSteward, 'POST', `/api/v1/applications/${app.id}/review`, { decision: 'pass' })).statusCode,
    ).toBe(403);
    const noReason = await req(reviewer, 'POST', `/api/v1/applications/${app.id}/review`, { decision: 'return' });
    expect(noReason.statusCode).toBe(422);
    const returned = await req(reviewer, 'POST', `/api/v1/applications/${app.id}/review`, {
      decision: 'return',
      reason: '用途描述不充分',
    });
    expect(returned.json()).toMatchObject({ state: 'returned', returnReason: '用途描述不充分' });
    expect((await req(transSteward, 'POST', `/api/v1/applications/${app.id}/resubmit`, {})).statusCode).toBe(403);
    const again = await req(transMember, 'POST', `/api/v1/applications/${app.id}/resubmit`, {
      purpose: '交通拥堵与空气质量关联分析，支撑限行方案评估',
    });
    expect(again.json()).toMatchObject({ state: 'pending_bureau' });

    const passed = await toProvider(app.id);
    expect(passed.state).toBe('pending_provider');
    // Provider SLA: 5 working days (the data is on the platform).
    expect(passed.providerDueAt).toBe(addWorkingDays(new Date(), 5, cal));

    // The grantee cannot answer; another department's steward cannot either.
    expect(
      (await req(transSteward, 'POST', `/api/v1/applications/${app.id}/answer`, { decision: 'approve' })).statusCode,
    ).toBe(403);
    const stray = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, {
      decision: 'approve',
      unmaskedFields: ['区域'],
    });
    expect(stray.statusCode).toBe(422);
    const approved = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, {
      decision: 'approve',
      unmaskedFields: ['联系电话'],
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const body = approved.json<Rec & { events: { action: string }[] }>();
    expect(body.state).toBe('approved');
    expect(body.events.map((e) => e.action)).toEqual(['submitted', 'returned', 'resubmitted', 'passed', 'approved']);
    const grantId = body.grantId as string;

    // Reads through the grant: only the granted fields, only 北区, 负责人 masked, 联系电话 raw.
    const r = await rows(transMember, '?sort=_id');
    expect(r.statusCode, r.body).toBe(200);
    const got = r.json<{ fields: { id: string }[]; records: Rec[]; masked: string[] }>();
    expect(got.fields.map((f) => f.id)).toEqual(['_id', '站点名称', 'AQI', '负责人', '联系电话']);
    expect(got.records.map((x) => x['站点名称'])).toEqual(['云溪站', '江南站', '山前站']);
    expect(got.records.map((x) => x['负责人'])).toEqual(['张**', '王*', '钱*']);
    expect(got.records.map((x) => x['联系电话'])).toEqual(['13800138000', '13700001111', '13500003333']);
    expect(got.masked).toEqual(['负责人']);
    expect(await lastLog()).toMatchObject({
      actor_name: 'trans_member',
      grant_id: grantId,
      channel: 'rows',
      row_count: 3,
    });
    // The grant belongs to the department: its steward reads through it too; the masked value cannot be probed.
    const probe = encodeURIComponent(JSON.stringify({ field: '负责人', op: 'eq', value: '张三丰' }));
    expect((await rows(transSteward, `?filters=${probe}`)).json<{ records: Rec[] }>().records).toEqual([]);
    const hidden = encodeURIComponent(JSON.stringify({ field: '区域', op: 'eq', value: '南区' }));
    expect((await rows(transSteward, `?filters=${hidden}`)).statusCode).toBe(400);
    // Nobody else gains anything.
    expect((await rows(citizen)).statusCode).toBe(403);
    const after = await req(transMember, 'GET', `/api/v1/applications/${app.id}`);
    expect(after.json()).toMatchObject({ state: 'delivered' });
  });

  it('applies the grant to the SQL endpoint and to file exports', async () => {
    const sql = await req(transMember, 'POST', '/api/v1/sql', {
      sql: `SELECT count(*) AS n, min("联系电话") AS p FROM "${resourceId}"`,
    });
    expect(sql.statusCode, sql.body).toBe(200);
    expect(sql.json<{ records: Rec[] }>().records[0]).toMatchObject({ n: 3, p: '13500003333' });
    const col = await req(transMember, 'POST', '/api/v1/sql', { sql: `SELECT "区域" FROM "${resourceId}"` });
    expect(col.statusCode).toBe(400);
    const name = await req(transMember, 'POST', '/api/v1/sql', {
      sql: `SELECT count(*) AS n FROM "${resourceId}" WHERE "负责人" LIKE '张三%'`,
    });
    expect(name.json<{ records: Rec[] }>().records[0]).toMatchObject({ n: 0 });

    const grantId = (await req(transMember, 'GET', '/api/v1/grants')).json<{ id: string }[]>()[0]!.id;
    const csv = await req(transMember, 'GET', `/api/v1/grants/${grantId}/export?format=csv&rowId=true`);
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe('_id,站点名称,AQI,负责人,联系电话');
    expect(lines.slice(1)).toEqual([
      '1,云溪站,56,张**,13800138000',
      '3,江南站,88,王*,13700001111',
      '5,山前站,71,钱*,13500003333',
    ]);
    expect(await lastLog()).toMatchObject({ channel: 'export', grant_id: grantId, row_count: 3 });
    // Without rowId the file holds the table's own columns only.
    const plain = await req(transMember, 'GET', `/api/v1/grants/${grantId}/export?format=csv`);
    expect(plain.body.trim().split(/\r?\n/)[0]).toBe('站点名称,AQI,负责人,联系电话');
    // Only the grantee exports through the grant; the provider sees it but does not read through it.
    expect((await req(envSteward, 'GET', `/api/v1/grants/${grantId}/export`)).statusCode).toBe(403);
    expect((await req(citizen, 'GET', `/api/v1/grants/${grantId}/export`)).statusCode).toBe(404);
  });

  it('fills a drop folder with Parquet and CSV snapshots and logs each delivery', async () => {
    const grantId = (await req(transMember, 'GET', '/api/v1/grants')).json<{ id: string }[]>()[0]!.id;
    const created = await req(transSteward, 'POST', `/api/v1/grants/${grantId}/deliveries`, { schedule: 'daily' });
    expect(created.statusCode, created.body).toBe(201);
    const d = created.json<{ id: string; targetPath: string }>();
    expect(d.targetPath).toBe(path.join(s.config.dataDir, 'deliveries', grantId));
    const run = await req(transSteward, 'POST', `/api/v1/deliveries/${d.id}/run`);
    expect(run.statusCode, run.body).toBe(200);
    const files = fs.readdirSync(d.targetPath).sort();
    expect(files.map((f) => path.extname(f))).toEqual(['.csv', '.parquet']);
    const csv = fs.readFileSync(path.join(d.targetPath, files[0]!), 'utf8').replace(/^\uFEFF/, '');
    expect(csv.trim().split(/\r?\n/)).toHaveLength(4);
    expect(csv).not.toContain('南区');
    expect(csv).not.toContain('张三丰');
    expect(await lastLog()).toMatchObject({
      channel: 'delivery',
      grant_id: grantId,
      row_count: 3,
      actor_name: 'trans_steward',
    });
    // Already delivered today: the daily schedule does not run it again.
    expect((await runDueDeliveries(s.built.ctx)).ran).toEqual([]);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect((await runDueDeliveries(s.built.ctx, tomorrow)).ran).toEqual([d.id]);
  });

  it('stops reads the moment a grant is revoked or expires, and renews', async () => {
    const grantId = (await req(transMember, 'GET', '/api/v1/grants')).json<{ id: string }[]>()[0]!.id;
    expect((await req(transMember, 'POST', `/api/v1/grants/${grantId}/revoke`, { reason: 'x' })).statusCode).toBe(403);
    const revoked = await req(envSteward, 'POST', `/api/v1/grants/${grantId}/revoke`, { reason: '项目结束' });
    expect(revoked.json()).toMatchObject({ active: false, revokeReason: '项目结束' });
    expect((await rows(transMember)).statusCode).toBe(403);
    expect((await req(transMember, 'GET', `/api/v1/grants/${grantId}/export`)).statusCode).toBe(403);
    expect(
      (await req(envSteward, 'POST', `/api/v1/grants/${grantId}/renew`, { validTo: localDay(90) })).statusCode,
    ).toBe(409);

    // A second application, approved; then its period ends (moved into the past directly in the store).
    const app = await shareApplication(transMember, { rowFilter: undefined, fields: ['站点名称', 'AQI'] });
    await toProvider(app.id);
    const ok = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, { decision: 'approve' });
    const g2 = ok.json<{ grantId: string }>().grantId;
    expect((await rows(transMember)).json<{ records: Rec[] }>().records).toHaveLength(5);
    await s.ts.store.db
      .updateTable('grants')
      .set({ valid_to: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', g2)
      .execute();
    expect((await rows(transMember)).statusCode).toBe(403);
    expect((await req(org.admin, 'POST', '/api/v1/exchange/sweeps/run')).json()).toMatchObject({ expired: [app.id] });
    const renewed = await req(envSteward, 'POST', `/api/v1/grants/${g2}/renew`, { validTo: localDay(30) });
    expect(renewed.statusCode, renewed.body).toBe(201);
    expect(renewed.json()).toMatchObject({ renewedFrom: g2, active: true });
    const r = await rows(transMember);
    expect(r.statusCode).toBe(200);
    expect(r.json<{ fields: { id: string }[] }>().fields.map((f) => f.id)).toEqual(['_id', '站点名称', 'AQI']);
    expect((await req(transMember, 'GET', `/api/v1/applications/${app.id}`)).json()).toMatchObject({
      state: 'delivered',
      grantId: renewed.json<{ id: string }>().id,
    });

    // Revoking the renewed grant ends its renewal too: access stops, whatever period it is in.
    const g3 = renewed.json<{ id: string }>().id;
    const later = await req(envSteward, 'POST', `/api/v1/grants/${g3}/renew`, { validTo: localDay(60) });
    expect(later.statusCode, later.body).toBe(201);
    expect((await req(envSteward, 'POST', `/api/v1/grants/${g2}/revoke`, { reason: '协查结束' })).statusCode).toBe(200);
    expect((await req(envSteward, 'GET', `/api/v1/grants/${g3}`)).json()).toMatchObject({
      active: false,
      revokeReason: '协查结束',
    });
    expect((await req(envSteward, 'GET', `/api/v1/grants/${later.json<{ id: string }>().id}`)).json()).toMatchObject({
      active: false,
    });
    expect((await rows(transMember)).statusCode).toBe(403);
    expect((await req(transMember, 'GET', `/api/v1/applications/${app.id}`)).json()).toMatchObject({
      state: 'expired',
    });
  });

  it('refuses with a reason and escalates overdue applications', async () => {
    const app = await shareApplication(transSteward);
    await toProvider(app.id);
    const bare = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, { decision: 'refuse' });
    expect(bare.statusCode).toBe(422);
    const refused = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, {
      decision: 'refuse',
      reason: '涉及个人信息，超出最小必要范围',
    });
    expect(refused.json()).toMatchObject({ state: 'refused', refusalReason: '涉及个人信息，超出最小必要范围' });
    expect(
      (await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, { decision: 'refuse', reason: 'x' }))
        .statusCode,
    ).toBe(409);

    const late = await shareApplication(transMember);
    expect((await req(org.admin, 'POST', '/api/v1/exchange/sweeps/run')).json()).toMatchObject({ escalated: [] });
    const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000);
    expect((await runEscalation(s.built.ctx, inTwoWeeks)).escalated).toEqual([late.id]);
    expect((await runEscalation(s.built.ctx, inTwoWeeks)).escalated).toEqual([]);
    const detail = (await req(transMember, 'GET', `/api/v1/applications/${late.id}`)).json<
      Rec & { events: { action: string }[] }
    >();
    expect(detail.escalated).toBe(true);
    expect(detail.events.at(-1)!.action).toBe('escalated');
    const notices = (await req(reviewer, 'GET', '/api/v1/exchange/notices')).json<
      { kind: string; applicationId: string }[]
    >();
    expect(notices.some((n) => n.kind === 'sla_overdue' && n.applicationId === late.id)).toBe(true);
    // Passing it to the provider starts the provider's SLA afresh: 5 working days (the data is on the platform).
    const passed = await toProvider(late.id);
    expect(passed).toMatchObject({ state: 'pending_provider', escalated: false });
    const due = new Date(passed.providerDueAt as string).getTime();
    expect(due - Date.now()).toBeGreaterThan(5 * 86_400_000 - 60_000);
    // Under three weeks even across the longest public holiday (Spring Festival, 8 days).
    expect(due - Date.now()).toBeLessThan(21 * 86_400_000);
    expect((await runEscalation(s.built.ctx, new Date(Date.now() + 86_400_000))).escalated).toEqual([]);
    // Past it, the provider stage is escalated too, and the provider's department admin is told.
    expect((await runEscalation(s.built.ctx, new Date(due + 86_400_000))).escalated).toContain(late.id);
    const envAdmin = await s.login('env_admin');
    const providerNotices = (await req(envAdmin, 'GET', '/api/v1/exchange/notices')).json<
      { kind: string; applicationId: string; message: string }[]
    >();
    expect(
      providerNotices.some(
        (n) => n.kind === 'sla_overdue' && n.applicationId === late.id && n.message.includes('提供方审核'),
      ),
    ).toBe(true);
  });

  it('gives the provider 10 working days, not 5, when the data is not on the platform yet', async () => {
    const noData = await publishedStations(s, envSteward, reviewer, org.departments.env, {}, false);
    const withData = await toProvider((await shareApplication(transMember)).id);
    const without = await toProvider((await shareApplication(transMember, { resourceId: noData })).id);
    expect(without.state).toBe('pending_provider');
    // Five more working days: at least five calendar days later than the same application on loaded data.
    const gap = Date.parse(without.providerDueAt as string) - Date.parse(withData.providerDueAt as string);
    expect(gap).toBeGreaterThanOrEqual(5 * 86_400_000 - 60_000);
    expect(gap).toBeLessThan(21 * 86_400_000);
  });

  it('runs a public open application with versioned agreements and a usage report', async () => {
    const texts = (await req(ANON, 'GET', '/api/v1/exchange/agreements')).json<Record<string, { version: number }>>();
    expect(texts.security_commitment!.version).toBe(1);
    expect(texts.use_agreement!.version).toBe(1);
    const v2 = await req(org.admin, 'POST', '/api/v1/exchange/agreements', {
      kind: 'use_agreement',
      textZh: '开放利用协议（2026版）',
    });
    expect(v2.json()).toMatchObject({ version: 2 });
    const form = {
      kind: 'open',
      resourceId,
      purpose: '空气质量科普应用',
      scenario: '移动应用展示各站点空气质量',
      fields: ['站点名称', '区域', 'AQI'],
      periodFrom: localDay(0),
      periodTo: localDay(180),
      form: { organisation: '云溪科技有限公司', contact: '13800000000' },
      commitmentVersion: 1,
      agreementVersion: 1,
    };
    const old = await req(citizen, 'POST', '/api/v1/applications', form);
    expect(old.statusCode).toBe(409);
    expect(old.json()).toMatchObject({ code: 'agreement_outdated', current: 2 });
    expect((await req(transMember, 'POST', '/api/v1/applications', { ...form, agreementVersion: 2 })).statusCode).toBe(
      403,
    );
    const filed = await req(citizen, 'POST', '/api/v1/applications', { ...form, agreementVersion: 2 });
    expect(filed.statusCode, filed.body).toBe(201);
    const app = filed.json<Rec & { id: string }>();
    expect(app).toMatchObject({ kind: 'open', state: 'pending_provider', commitmentVersion: 1, agreementVersion: 2 });
    const cal = workCalendar(holidays.map((date) => ({ date, workday: false })));
    expect(app.providerDueAt).toBe(addWorkingDays(new Date(app.createdAt as string), 5, cal));
    expect(
      (await req(citizen, 'POST', `/api/v1/applications/${app.id}/usage-reports`, { text: '早了' })).statusCode,
    ).toBe(409);
    const ok = await req(envSteward, 'POST', `/api/v1/applications/${app.id}/answer`, { decision: 'approve' });
    expect(ok.json()).toMatchObject({ state: 'approved' });

    // The citizen's own API key reads through the grant (delivery by API).
    const key = (await req(citizen, 'POST', '/api/v1/api-keys', { name: 'app' })).json<{ key: string }>().key;
    const r = await s.request(
      { name: 'key', headers: { authorization: `Bearer ${key}` } },
      {
        method: 'GET',
        url: `/api/v1/resources/${resourceId}/rows`,
      },
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ fields: { id: string }[] }>().fields.map((f) => f.id)).toEqual(['_id', '站点名称', '区域', 'AQI']);
    const report = await req(citizen, 'POST', `/api/v1/applications/${app.id}/usage-reports`, {
      text: '已在"云溪空气"应用上线，月活 3 千人',
      links: ['https://app.example.cn/air'],
    });
    expect(report.statusCode, report.body).toBe(201);
    const detail = (await req(envSteward, 'GET', `/api/v1/applications/${app.id}`)).json<Rec>();
    expect(detail).toMatchObject({ state: 'delivered', usageReports: [{ links: ['https://app.example.cn/air'] }] });
    // Other public users see nothing of it.
    expect((await req(transMember, 'GET', `/api/v1/applications/${app.id}`)).statusCode).toBe(404);

    const refusedApp = (await req(citizen, 'POST', '/api/v1/applications', { ...form, agreementVersion: 2 })).json<{
      id: string;
    }>();
    const refused = await req(envSteward, 'POST', `/api/v1/applications/${refusedApp.id}/answer`, {
      decision: 'refuse',
      reason: '申请用途与数据开放范围不符',
    });
    expect(refused.json()).toMatchObject({ state: 'refused', refusalReason: '申请用途与数据开放范围不符' });
  });

  it('shows the exchange log to the data provider and admins only', async () => {
    const admin = await req(org.admin, 'GET', `/api/v1/exchange-log?resourceId=${resourceId}&limit=1000`);
    expect(admin.statusCode).toBe(200);
    const all = admin.json<{ entries: Rec[] }>().entries;
    expect(new Set(all.map((e) => e.channel))).toEqual(new Set(['rows', 'sql', 'export', 'delivery']));
    const own = (await req(envSteward, 'GET', '/api/v1/exchange-log?limit=1000')).json<{ entries: Rec[] }>().entries;
    expect(own.length).toBe(all.length);
    expect(own.every((e) => e.providerId === org.departments.env)).toBe(true);
    expect((await req(transSteward, 'GET', `/api/v1/exchange-log?resourceId=${resourceId}`)).json()).toMatchObject({
      entries: [],
    });
    for (const c of [transMember, envMember, citizen, reviewer])
      expect((await req(c, 'GET', '/api/v1/exchange-log')).statusCode).toBe(403);
    expect((await req(ANON, 'GET', '/api/v1/exchange-log')).statusCode).toBe(401);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect((await req(org.admin, 'GET', `/api/v1/exchange-log?from=${future}`)).json()).toMatchObject({ entries: [] });
    const daily = (await req(envSteward, 'GET', '/api/v1/exchange-log/daily')).json<
      { channel: string; calls: number }[]
    >();
    expect(daily.reduce((n, d) => n + d.calls, 0)).toBe(own.length);
  });
});

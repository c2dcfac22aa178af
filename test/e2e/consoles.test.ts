import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDialog, screenshot, startPortal, tick, type PortalHarness } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, USER_PASSWORD, resourceInput, seedOrg, type Caller } from '../helpers/server.ts';
import { CONTACTS_CSV, contactsInput, expectAccessible, publishWithData, signIn } from '../helpers/journeys.ts';

// A browser journey on a loaded 2-core CI machine (two browsers, the rest of the suite beside them) takes minutes.
vi.setConfig({ testTimeout: 240_000 });

// The consoles' exchange and governance work in a real browser: grants (revoke, renew, deliveries), a returned
// application resubmitted, the admin's agreement texts and working-day calendar, quality rule proposals and data
// elements, and the dataset download without the internal row number.

let h: PortalHarness;
let org: Awaited<ReturnType<typeof seedOrg>>;
let contactsId: string;
let residentsId: string;
let airId: string;

/** Valid 18-digit resident ID numbers (GB 11643 checksum), a few of them ending in X. */
function idNumbers(count: number): string[] {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checks = '10X98765432';
  const out: string[] = [];
  for (let seq = 100; out.length < count; seq++) {
    const body = `44011119900101${String(seq).padStart(3, '0')}`;
    const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
    out.push(body + checks[sum % 11]!);
  }
  return out;
}

async function call(caller: Caller, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return h.server.request(caller, { method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** A share application by trans_member for the contacts data; returns its id. */
async function fileShareApplication(member: Caller, purpose: string): Promise<string> {
  const r = await call(member, 'POST', '/api/v1/applications', {
    kind: 'share',
    resourceId: contactsId,
    purpose,
    scenario: '交通运输执法中核实企业联系人',
    fields: ['企业名称', '法人姓名', '联系电话'],
    periodFrom: '2026-01-01',
    periodTo: '2030-12-31',
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ id: string }>().id;
}

beforeAll(async () => {
  h = await startPortal();
  org = await seedOrg(h.server);
  const steward = await h.server.login('env_steward', USER_PASSWORD);
  airId = await publishWithData(
    h.server,
    steward,
    resourceInput(org.departments.env),
    ['站点名称,监测时间,AQI', '东湖站,2025-01-01 08:00:00,52', '南港站,2025-01-01 08:00:00,77'].join('\n'),
  );
  contactsId = await publishWithData(h.server, steward, contactsInput(org.departments.env), CONTACTS_CSV);
  // A register whose 证件号码 column was catalogued as plain text: the detector proposes the ID-card rule.
  const ids = idNumbers(12);
  residentsId = await publishWithData(
    h.server,
    steward,
    resourceInput(org.departments.env, {
      name: '环保志愿者登记信息',
      nameEn: 'Environmental volunteers',
      abstract: '参与环保志愿服务的人员登记信息。',
      classItem: '12',
      classCatalog: '004',
      sharingType: 'conditional',
      sharingConditions: '仅用于志愿服务管理',
      sharingBasis: '《志愿服务条例》',
      openType: 'none',
      openConditions: null,
      tags: ['志愿者'],
      fields: [
        { name: '登记编号', dataType: 'string', grade: 'L1' },
        { name: '证件号码', dataType: 'string', grade: 'L1' },
        { name: '服务时长', dataType: 'number', grade: 'L1' },
        { name: '登记日期', dataType: 'date', grade: 'L1' },
      ],
    }),
    [
      '登记编号,证件号码,服务时长,登记日期',
      ...ids.map(
        (id, i) => `V${String(i + 1).padStart(3, '0')},${id},${10 + i},2026-03-${String(i + 1).padStart(2, '0')}`,
      ),
    ].join('\n'),
  );
});

afterAll(async () => {
  await h?.close();
});

describe('grants', () => {
  it('the holder sees the period and delivers to a drop folder; the provider renews, then revokes, and the holder’s reads stop', async () => {
    // Filed, passed and approved through the API: the journey here starts with a grant in force.
    const memberApi = await h.server.login('trans_member', USER_PASSWORD);
    const appId = await fileShareApplication(memberApi, '环境执法协查');
    const reviewer = await h.server.login('reviewer', USER_PASSWORD);
    expect(
      (await call(reviewer, 'POST', `/api/v1/applications/${appId}/review`, { decision: 'pass' })).statusCode,
    ).toBe(200);
    const stewardApi = await h.server.login('env_steward', USER_PASSWORD);
    const approved = await call(stewardApi, 'POST', `/api/v1/applications/${appId}/answer`, {
      decision: 'approve',
      unmaskedFields: ['联系电话'],
      validTo: '2027-06-30',
    });
    expect(approved.statusCode, approved.body).toBe(200);

    // The holder reads through the grant, and finds it with its period in the console.
    const member = await h.newPage();
    const mp = member.page;
    await signIn(mp, 'trans_member', USER_PASSWORD);
    await mp.goto(`/datasets/${contactsId}`);
    await mp.getByRole('tab', { name: '数据预览' }).click();
    await mp.getByRole('cell', { name: '13800138000' }).waitFor();
    await mp.goto('/console/grants');
    await mp.getByRole('tab', { name: '本部门持有的授权' }).click();
    const held = mp.getByRole('tabpanel').locator('tr', { hasText: '企业环保联系人信息' });
    await held.getByTestId('grant-period').waitFor();
    expect(await held.getByTestId('grant-period').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} — 2027-06-30$/);
    await held.getByText('有效', { exact: true }).waitFor();

    // A drop folder filled on demand: Parquet and CSV snapshots of the grant's view.
    await held.getByTestId('grant-deliveries').click();
    const drawer = mp.getByTestId('deliveries');
    await drawer.getByText('尚未设置交付').waitFor();
    await drawer.getByLabel('手动').check();
    await drawer.getByTestId('delivery-create').click();
    await drawer.getByText('尚未交付').waitFor();
    await drawer.getByTestId('delivery-run').click();
    await drawer.getByText('已交付 2 行，2 个文件').waitFor();
    await drawer.getByTestId('delivery-status').getByText('成功').waitFor();
    await screenshot(mp, 'console-grant-deliveries');
    await expectAccessible(mp, 'grant deliveries');
    const grants = (await call(memberApi, 'GET', '/api/v1/grants')).json<
      { id: string; resourceId: string; granteeDepartmentId: string | null }[]
    >();
    const grant = grants.find((g) => g.resourceId === contactsId)!;
    const folder = (await call(memberApi, 'GET', `/api/v1/grants/${grant.id}/deliveries`)).json<
      { targetPath: string }[]
    >()[0]!.targetPath;
    const files = fs.readdirSync(folder).sort();
    expect(files.map((f) => f.replace(/^.*\./, ''))).toEqual(['csv', 'parquet']);
    await mp.keyboard.press('Escape');

    // The provider renews the grant for another period, then revokes the one in force.
    const provider = await h.newPage();
    const pp = provider.page;
    await signIn(pp, 'env_steward', USER_PASSWORD);
    await pp.goto('/console/grants');
    const row = pp.getByRole('tabpanel').locator('tr', { hasText: '企业环保联系人信息' });
    await row.getByText('有效', { exact: true }).waitFor();
    await screenshot(pp, 'console-grants');
    await expectAccessible(pp, 'console grants');
    await row.getByTestId('grant-renew').click();
    const renew = await openDialog(pp);
    await renew.getByLabel('新的截止日期').fill('2028-06-30');
    await renew.getByRole('button', { name: '续期' }).click();
    await renew.waitFor({ state: 'hidden' });
    const renewal = pp.getByRole('tabpanel').locator('tr', { hasText: '2027-07-01 — 2028-06-30' });
    await renewal.getByText('未生效（续期）').waitFor();

    const current = pp
      .getByRole('tabpanel')
      .locator('tr', { hasText: '企业环保联系人信息' })
      .filter({ hasText: '— 2027-06-30' });
    await current.getByTestId('grant-revoke').click();
    const revoke = await openDialog(pp);
    await expect.poll(() => revoke.getByRole('button', { name: '确认撤销' }).isDisabled()).toBe(true);
    await revoke.getByLabel('撤销原因').fill('执法协查已结束');
    await expectAccessible(pp, 'revoke dialog');
    await revoke.getByRole('button', { name: '确认撤销' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await current.getByText('已撤销').waitFor();
    await current.getByText('撤销原因: 执法协查已结束').waitFor();
    // The renewal would start when the revoked period ends: revoking the grant revokes it too.
    await renewal.getByText('已撤销').waitFor();
    expect(await renewal.getByTestId('grant-revoke').count()).toBe(0);
    await provider.context.close();

    // The holder's very next read is refused: the preview shows an error, the API answers 403.
    await mp.goto(`/datasets/${contactsId}`);
    await mp.getByRole('tab', { name: '数据预览' }).click();
    await mp.locator('.ant-alert').first().waitFor();
    expect(await mp.getByRole('cell', { name: '13800138000' }).count()).toBe(0);
    await screenshot(mp, 'dataset-after-revoke');
    const rows = await call(memberApi, 'GET', `/api/v1/resources/${contactsId}/rows`);
    expect(rows.statusCode).toBe(403);
    const app = (await call(memberApi, 'GET', `/api/v1/applications/${appId}`)).json<{
      state: string;
      events: { action: string }[];
    }>();
    expect(app.state).toBe('expired');
    expect(app.events.map((e) => e.action)).toEqual(expect.arrayContaining(['renewed', 'revoked']));
    await member.context.close();
  });
});

describe('a returned application', () => {
  it('is corrected and resubmitted by the applicant from my account, and goes back to the bureau', async () => {
    const memberApi = await h.server.login('trans_member', USER_PASSWORD);
    const appId = await fileShareApplication(memberApi, '协查');
    const reviewer = await h.server.login('reviewer', USER_PASSWORD);
    const returned = await call(reviewer, 'POST', `/api/v1/applications/${appId}/review`, {
      decision: 'return',
      reason: '请写明执法事项和依据',
    });
    expect(returned.statusCode, returned.body).toBe(200);

    const { context, page } = await h.newPage();
    await signIn(page, 'trans_member', USER_PASSWORD);
    await page.goto('/account');
    const notice = page.getByTestId('returned-applications');
    await notice.getByText('请写明执法事项和依据').waitFor();
    const mine = page.locator('tr', { hasText: '企业环保联系人信息' });
    await mine.filter({ hasText: '已退回' }).waitFor();
    await expectAccessible(page, 'account with a returned application');
    await notice.getByTestId('app-resubmit').click();
    const dialog = await openDialog(page);
    await dialog.getByTestId('return-reason').getByText('请写明执法事项和依据').waitFor();
    expect(await dialog.getByLabel('申请用途').inputValue()).toBe('协查');
    await dialog.getByLabel('申请用途').fill('依据《环境保护法》第五十五条，核实 3 起运输企业违规排放案件的企业联系人');
    // Only the fields needed this time: the name is no longer asked for.
    await tick(dialog.getByLabel('法人姓名'), false);
    await screenshot(page, 'account-resubmit');
    await expectAccessible(page, 'resubmit dialog');
    await dialog.getByTestId('resubmit-submit').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => notice.count()).toBe(0);
    await mine.filter({ hasText: '待审核' }).waitFor();
    expect(await mine.filter({ hasText: '已退回' }).count()).toBe(0);
    await context.close();

    const app = (await call(memberApi, 'GET', `/api/v1/applications/${appId}`)).json<{
      state: string;
      purpose: string;
      fields: string[];
      events: { action: string }[];
    }>();
    expect(app.state).toBe('pending_bureau');
    expect(app.purpose).toBe('依据《环境保护法》第五十五条，核实 3 起运输企业违规排放案件的企业联系人');
    expect(app.fields).toEqual(['企业名称', '联系电话']);
    expect(app.events.map((e) => e.action)).toEqual(['submitted', 'returned', 'resubmitted']);
  });
});

describe('governance', () => {
  it('an admin puts a new use agreement in force and adds a holiday to the working-day calendar', async () => {
    const { context, page } = await h.newPage();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/admin/exchange');
    await page.getByTestId('agreement-version-use_agreement').getByText('v1').waitFor();
    await expectAccessible(page, 'exchange settings');
    await page.getByTestId('agreement-edit-use_agreement').click();
    const zh = page.getByLabel('中文文本');
    await zh.fill('公共数据开放利用协议（2026 年修订）：数据按现状提供，利用成果应注明来源。');
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByTestId('agreement-version-use_agreement').getByText('v2').waitFor();

    const form = page.getByTestId('holiday-form');
    await form.getByLabel('日期').fill('2026-10-01');
    await form.getByLabel('名称').fill('国庆节');
    await form.getByRole('button', { name: '保存' }).click();
    await page.locator('tr', { hasText: '国庆节' }).getByText('节假日').waitFor();
    await form.getByLabel('日期').fill('2026-10-10');
    await form.getByLabel('名称').fill('国庆调休');
    await tick(form.getByLabel('调休上班'));
    await form.getByRole('button', { name: '保存' }).click();
    await page.locator('tr', { hasText: '国庆调休' }).getByText('调休上班').waitFor();
    await screenshot(page, 'admin-exchange-settings');
    await expectAccessible(page, 'exchange settings after edits');
    await context.close();

    const anyone = await h.server.login('citizen', USER_PASSWORD);
    const agreements = (await call(anyone, 'GET', '/api/v1/exchange/agreements')).json<
      Record<string, { version: number; textZh: string }>
    >();
    expect(agreements.use_agreement!.version).toBe(2);
    expect(agreements.security_commitment!.version).toBe(1);
    const days = (await call(anyone, 'GET', '/api/v1/exchange/holidays?from=2026-10-01&to=2026-10-31')).json<
      { date: string; name: string; workday: boolean }[]
    >();
    expect(days).toEqual([
      { date: '2026-10-01', name: '国庆节', workday: false },
      { date: '2026-10-10', name: '国庆调休', workday: true },
    ]);
  });

  it('a steward accepts the proposed ID-card rule and binds a field to a data element', async () => {
    const { context, page } = await h.newPage();
    await signIn(page, 'env_steward', USER_PASSWORD);
    await page.goto('/console/quality');
    await page.getByRole('link', { name: '环保志愿者登记信息' }).click();
    const proposals = page.getByTestId('rule-proposals');
    const proposal = proposals.locator('tr', { hasText: '证件号码' });
    await proposal.getByText('身份证号校验').waitFor();
    await screenshot(page, 'console-rule-proposals');
    await expectAccessible(page, 'quality rules');
    await proposal.getByTestId('proposal-accept').click();
    await expect.poll(() => proposal.count()).toBe(0);
    const inForce = page.getByTestId('rules-panel').locator('tr', { hasText: '证件号码' }).first();
    await inForce.getByText('身份证号校验').waitFor();
    // Accepting raised the field's grading to what was detected.
    const binding = page.getByTestId('field-bindings').locator('tr', { hasText: '证件号码' });
    await binding.getByText('L3').waitFor();

    // 登记日期 binds to the 日期 element, which brings its date rule; the dictionary is one tab away.
    await page.getByLabel('数据元: 登记日期').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'DE00006' }).click();
    await expect
      .poll(async () => {
        const steward = await h.server.login('env_steward', USER_PASSWORD);
        const r = (await call(steward, 'GET', `/api/v1/resources/${residentsId}`)).json<{
          fields: { name: string; dataElementCode?: string | null }[];
        }>();
        return r.fields.find((f) => f.name === '登记日期')?.dataElementCode;
      })
      .toBe('DE00006');
    await page.goto('/console/quality');
    await page.getByRole('tab', { name: '数据元' }).click();
    await page.getByTestId('data-elements').getByText('公民身份号码').waitFor();
    await expectAccessible(page, 'data elements');
    await context.close();

    const steward = await h.server.login('env_steward', USER_PASSWORD);
    const rules = (await call(steward, 'GET', `/api/v1/resources/${residentsId}/quality-rules`)).json<{
      items: { field: string; kind: string; source: string; active: boolean }[];
    }>().items;
    expect(rules).toContainEqual(expect.objectContaining({ field: '证件号码', kind: 'id_card', active: true }));
    expect(rules).toContainEqual(
      expect.objectContaining({ field: '登记日期', kind: 'date_parse', source: 'element', active: true }),
    );
  });
});

describe('downloads', () => {
  it('the dataset CSV has the table’s own columns; the row number is there only when asked for', async () => {
    const { context, page } = await h.newPage();
    await page.goto(`/datasets/${airId}`);
    await page.getByRole('tab', { name: '下载' }).click();
    const read = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
      return fs
        .readFileSync(await download.path())
        .subarray(3)
        .toString('utf8')
        .trim()
        .split(/\r?\n/);
    };
    await expect
      .poll(async () => (await page.getByTestId('download-csv').getAttribute('href')) ?? '')
      .toContain('fields=');
    const plain = await read();
    expect(plain[0]).toBe('站点名称,监测时间,AQI');
    expect(plain).toHaveLength(3);
    await tick(page.getByTestId('download-row-id'));
    const withId = await read();
    expect(withId[0]).toBe('_id,站点名称,监测时间,AQI');
    await expectAccessible(page, 'downloads');
    await context.close();
  });
});

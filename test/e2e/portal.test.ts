import fs from 'node:fs';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDialog, screenshot, startPortal, tick, type PortalHarness } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, USER_PASSWORD, resourceInput, seedOrg } from '../helpers/server.ts';
import { httpLogin, loadCsvOverHttp } from '../helpers/child-server.ts';
import { CONTACTS_CSV, contactsInput, expectAccessible, publishWithData, signIn } from '../helpers/journeys.ts';

// A browser journey on a loaded 2-core CI machine (two browsers, the rest of the suite beside them) takes minutes.
vi.setConfig({ testTimeout: 240_000 });

// The three journeys of issue 6 through the real server, the built portal and Debian's chromium.

let h: PortalHarness;
let org: Awaited<ReturnType<typeof seedOrg>>;
let airId: string;
let contactsId: string;
let permitsId: string;

const AIR_CSV = [
  '站点名称,监测时间,AQI',
  '东湖站,2025-01-01 08:00:00,52',
  '东湖站,2025-01-01 09:00:00,61',
  '东湖站,2025-01-01 10:00:00,58',
  '西山站,2025-01-01 08:00:00,35',
  '西山站,2025-01-01 09:00:00,40',
  '南港站,2025-01-01 08:00:00,77',
].join('\n');

/** Picks an option of the antd Select labelled `label`. */
async function choose(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).click();
}

beforeAll(async () => {
  h = await startPortal();
  org = await seedOrg(h.server);
  const steward = await h.server.login('env_steward', USER_PASSWORD);
  airId = await publishWithData(h.server, steward, resourceInput(org.departments.env), AIR_CSV);
  // Shared with other departments on conditions only, never opened: read through a grant.
  contactsId = await publishWithData(h.server, steward, contactsInput(org.departments.env), CONTACTS_CSV);
  // Open to the public on conditions: an application with the security commitment and the use agreement.
  permitsId = await publishWithData(
    h.server,
    steward,
    resourceInput(org.departments.env, {
      name: '重点排污单位许可信息',
      nameEn: 'Discharge permits',
      abstract: '重点排污单位排污许可证及许可排放量。',
      classItem: '12',
      classCatalog: '003',
      openType: 'conditional',
      openConditions: '签署安全承诺书后用于研究',
      tags: ['排污许可'],
      fields: [
        { name: '单位名称', dataType: 'string', grade: 'L1' },
        { name: '许可排放量', dataType: 'number', grade: 'L2' },
      ],
    }),
    '单位名称,许可排放量\n云溪化工厂,120.5\n',
  );
});

afterAll(async () => {
  await h?.close();
});

describe('a visitor', () => {
  it('finds 空气质量 by Chinese and by kqzl, filters the preview, draws a chart and downloads a checked CSV', async () => {
    const { context, page } = await h.newPage();
    await page.goto('/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('开放数据，服务城市');
    // Headline figures come from /api/v1/stats: two open datasets (one on conditions) with 6 + 1 records so far.
    await expect.poll(() => page.getByTestId('stat-datasets').textContent()).toBe('数据资源2');
    await expect.poll(() => page.getByTestId('stat-records').textContent()).toBe('数据量（条）7');
    await page.getByText('资源环境').first().waitFor();
    await screenshot(page, 'home');
    await expectAccessible(page, 'home');
    // English on request, remembered across visits; back to Chinese.
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Open data for the city');
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Open data for the city');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('开放数据，服务城市');

    await page.getByPlaceholder('搜索数据资源，如：空气质量、公交、企业').fill('空气质量');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/datasets\?q=/);
    await page.getByRole('heading', { name: '数据目录' }).waitFor();
    await page.getByTestId('dataset-link').filter({ hasText: '空气质量小时监测数据' }).waitFor();
    await expect.poll(() => page.getByTestId('result-count').textContent()).toContain('1');
    await screenshot(page, 'search');
    await expectAccessible(page, 'search');

    // Pinyin initials find the same dataset.
    const box = page.getByTestId('search-input').locator('input').or(page.getByLabel('输入关键词（支持拼音）'));
    await box.first().fill('kqzl');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=kqzl/);
    const link = page.getByTestId('dataset-link').filter({ hasText: '空气质量小时监测数据' });
    await link.waitFor();
    await link.click();
    await page.waitForURL(new RegExp(`/datasets/${airId}$`));
    await page.getByTestId('dataset-title').waitFor();
    const metadata = page.getByTestId('metadata');
    for (const text of ['信息资源代码', '信息资源提供方', '共享类型', '无条件共享', '开放类型', '实时', '生态环境局'])
      await metadata.getByText(text, { exact: true }).first().waitFor();
    for (const text of ['站点名称', 'AQI', '字符型', '数值型'])
      await page.getByTestId('field-table').getByText(text, { exact: true }).first().waitFor();
    await screenshot(page, 'dataset');
    await expectAccessible(page, 'dataset');

    // Preview: the server filters, counts and sorts the real table.
    await page.getByRole('tab', { name: '数据预览' }).click();
    await page.getByRole('cell', { name: '南港站' }).waitFor();
    await choose(page, '筛选', '站点名称');
    await page.getByLabel('值', { exact: true }).fill('东湖');
    await page.getByRole('button', { name: '筛选', exact: true }).click();
    await page.getByText('共 3 条').waitFor();
    await expect.poll(() => page.getByRole('cell', { name: '南港站' }).count()).toBe(0);
    await page.getByRole('columnheader', { name: 'AQI' }).click();
    await expect.poll(() => page.locator('.ant-table-tbody tr.ant-table-row').first().textContent()).toContain('52');
    await page.getByRole('columnheader', { name: 'AQI' }).click();
    await expect.poll(() => page.locator('.ant-table-tbody tr.ant-table-row').first().textContent()).toContain('61');
    await screenshot(page, 'dataset-preview');

    // Chart: rows per station, grouped on the server, drawn by ECharts.
    await page.getByRole('tab', { name: '图表' }).click();
    await page.getByRole('button', { name: '生成图表' }).click();
    await page.locator('.cd-chart canvas').waitFor();
    await page.getByText('图表数据').click();
    const chartData = page.getByTestId('chart-data');
    await expect.poll(() => chartData.locator('tr', { hasText: '东湖站' }).textContent()).toBe('东湖站3');
    await expect.poll(() => chartData.locator('tr', { hasText: '西山站' }).textContent()).toBe('西山站2');
    await screenshot(page, 'dataset-chart');

    // Download: CSV (UTF-8 with BOM for Excel), a Chinese file name, every row.
    await page.getByRole('tab', { name: '下载' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^空气质量小时监测数据.*\.csv$/);
    const bytes = fs.readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split(/\r?\n/);
    // The table's own columns; the row number only when asked for.
    expect(lines[0]).toBe('站点名称,监测时间,AQI');
    expect(lines).toHaveLength(7);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.filter((r) => r[0] === '东湖站')).toHaveLength(3);
    expect(rows).toContainEqual(['南港站', '2025-01-01 08:00:00', '77']);
    await context.close();
  });

  it('uses the public pages on a 390 px wide phone', async () => {
    const { context, page } = await h.newPage({ width: 390, height: 844 });
    await page.goto('/datasets?q=空气');
    await page.getByTestId('dataset-link').first().waitFor();
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'search-mobile');
    await expectAccessible(page, 'search (mobile)');
    await page.getByTestId('dataset-link').first().click();
    await page.getByTestId('dataset-title').waitFor();
    await screenshot(page, 'dataset-mobile');
    await context.close();
  });
});

describe('publishing', () => {
  it('a steward creates a resource, uploads a GB18030 CSV, reads the report and submits; an admin publishes it', async () => {
    const steward = await h.newPage();
    const sp = steward.page;
    await signIn(sp, 'env_steward', USER_PASSWORD);
    await sp.waitForURL(/\/console/);
    await sp.getByRole('heading', { name: '我的资源' }).waitFor();
    await expectAccessible(sp, 'console');
    await sp.getByRole('button', { name: '新建资源' }).click();
    await sp.getByRole('heading', { name: '新建资源' }).waitFor();
    // Checked before any select is opened: antd leaves an unnamed, zero-sized listbox behind an opened select.
    await expectAccessible(sp, 'resource editor');
    await sp.getByLabel('信息资源名称', { exact: true }).fill('公交站点客流统计');
    await sp.getByLabel('信息资源摘要', { exact: true }).fill('全区公交站点每日上下车客流统计。');
    await choose(sp, '领域', '道路交通');
    await sp.getByLabel('项', { exact: true }).fill('05');
    await sp.getByLabel('目', { exact: true }).fill('002');
    await sp.getByLabel('联系人', { exact: true }).fill('李工');
    await sp.locator('#fields_0_name').fill('站点名称');
    await sp.getByTestId('add-field').click();
    await sp.locator('#fields_1_name').fill('客流量');
    await sp.locator('#fields_1_dataType').click();
    await sp.locator('.ant-select-dropdown:visible .ant-select-item-option[title="数值型"]').click();
    await screenshot(sp, 'console-editor');
    await sp.getByTestId('save-resource').click();
    await sp.getByTestId('submit-resource').waitFor();
    await sp.getByText('客流量', { exact: true }).waitFor();

    // A GB18030 file without a BOM, as departments send them: detected, transcoded, reported.
    await sp.getByRole('tab', { name: '上传数据' }).click();
    await sp.locator('input[type=file]').setInputFiles({
      name: '客流.csv',
      mimeType: 'text/csv',
      buffer: iconv.encode('站点名称,客流量\n人民广场站,1200\n东湖站,800\n西山站,650\n', 'gb18030'),
    });
    await sp.getByText('处理进度', { exact: false }).waitFor();
    await sp.getByText('已完成').waitFor({ timeout: 20_000 });
    const report = sp.getByTestId('load-report');
    await report.waitFor();
    for (const [label, value] of [
      ['文件编码', 'GB18030'],
      ['读取行数', '3'],
      ['导入行数', '3'],
      ['拒绝行数', '0'],
    ])
      await expect
        .poll(() =>
          report
            .locator('.ant-descriptions-item-label', { hasText: label })
            .locator('xpath=following-sibling::*[1]')
            .textContent(),
        )
        .toBe(value);
    await report.getByText('客流量: 整数').or(report.getByText('客流量: 小数')).first().waitFor();
    await screenshot(sp, 'console-load-report');
    await expectAccessible(sp, 'load report');

    // A load that fails says why in Chinese, with the server's text beside it; v1 stays current.
    await sp.locator('input[type=file]').setInputFiles({
      name: '客流-引号.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('站点名称,客流量\n甲站,1\n"乙站,2\n丙站,3\n'),
    });
    const failure = sp.getByTestId('job-error');
    // The quote opens line 3 at byte 32 (after 23 + 9 bytes of UTF-8).
    await failure.getByText('第 2 行数据的引号未闭合（文件第 3 行，字节偏移 32）').waitFor({ timeout: 20_000 });
    await failure.getByText('原文: Unbalanced quote at data row 2', { exact: false }).waitFor();
    await screenshot(sp, 'console-load-failed');
    await expectAccessible(sp, 'failed load');

    // A second load replaces the data; rolling back makes v1 current again. Its two short rows are rejected: the
    // report words the problems and the warning in Chinese, the reader's own text beside them.
    await sp.locator('input[type=file]').setInputFiles({
      name: '客流-错误.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('站点名称,客流量\n测试站,1\n坏行\n又一坏行\n'),
    });
    await report.locator('.ant-tag', { hasText: 'v2' }).waitFor({ timeout: 20_000 });
    await report.getByTestId('report-warnings').getByText('拒绝的行（2）多于导入的行（1）', { exact: false }).waitFor();
    const rejected = report.locator('.ant-table-row');
    await expect.poll(() => rejected.count()).toBe(2);
    await rejected.first().getByText('字段数少于表头').waitFor();
    await rejected.first().getByText('原文: missing columns', { exact: false }).waitFor();
    expect(await report.getByRole('link', { name: '下载问题清单 (CSV)' }).getAttribute('href')).toMatch(/&lang=zh$/);
    await screenshot(sp, 'console-load-report-rejections');
    await expectAccessible(sp, 'load report with rejections');
    await sp.getByRole('tab', { name: '版本历史' }).click();
    await sp.getByText('v2 ✓').waitFor();
    // Meanwhile a third load lands (through the API, as the CLI or a colleague would): the roll-back chosen from the
    // list that still shows v2 current is refused instead of undoing v3 unseen, and the list is read again.
    const resourceId = /\/console\/resources\/([^/?#]+)/.exec(sp.url())?.[1];
    expect(resourceId).toBeTruthy();
    const elsewhere = await httpLogin(h.baseUrl, 'env_steward', USER_PASSWORD);
    await loadCsvOverHttp(h.baseUrl, elsewhere, resourceId!, '站点名称,客流量\n新站,5\n', '客流-3.csv');
    const confirmRollback = async (v: number) => {
      await sp.getByTestId(`rollback-v${v}`).click();
      await sp
        .locator('.ant-popconfirm:visible')
        .getByRole('button', { name: /OK|确 ?定/ })
        .click();
    };
    await confirmRollback(1);
    await sp.getByTestId('rollback-conflict').getByText('当前版本已变化', { exact: false }).waitFor();
    await sp.getByText('v3 ✓').waitFor();
    // Chosen again from the fresh list, the roll-back goes through.
    await confirmRollback(1);
    await sp.getByText('v1 ✓').waitFor();
    await screenshot(sp, 'console-versions');
    // An update by key from the upload form: a new station joins v1's three.
    await sp.getByRole('tab', { name: '上传数据' }).click();
    await choose(sp, '导入方式', '更新（按键列）');
    await sp.getByLabel('键列', { exact: true }).fill('站点名称');
    await sp.locator('input[type=file]').setInputFiles({
      name: '客流-新站.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('站点名称,客流量\n新区站,99\n'),
    });
    await report.locator('.ant-tag', { hasText: 'v4' }).waitFor({ timeout: 20_000 });
    await sp.getByRole('tab', { name: '版本历史' }).click();
    // v1's three stations and the new one.
    await sp.locator('tr', { hasText: 'v4 ✓' }).getByRole('cell', { name: '4', exact: true }).waitFor();
    await sp.getByRole('tab', { name: '质量' }).click();
    await sp.getByTestId('quality-panel').waitFor();
    await sp.getByTestId('submit-resource').click();
    await sp.locator('.ant-tag', { hasText: '待审核' }).first().waitFor();
    await steward.context.close();

    const admin = await h.newPage();
    const ap = admin.page;
    await signIn(ap, 'admin', ADMIN_PASSWORD);
    await ap.waitForURL(/\/admin/);
    const row = ap.locator('tr', { hasText: '公交站点客流统计' });
    await row.waitFor();
    await screenshot(ap, 'admin-review');
    await expectAccessible(ap, 'review queue');
    await row.getByRole('button', { name: '通过' }).click();
    await ap.getByText('没有待审核的资源').waitFor();
    // The admin's other pages: system status (jobs, storage) and the governance report.
    await ap.getByRole('link', { name: '系统状态' }).click();
    await ap.getByTestId('system-status').waitFor();
    await ap.getByText('数据文件大小').waitFor();
    await screenshot(ap, 'admin-system');
    await expectAccessible(ap, 'system status');
    await ap.getByRole('link', { name: '治理报告' }).click();
    await ap.getByTestId('governance-report').waitFor();
    await screenshot(ap, 'admin-governance');
    await expectAccessible(ap, 'governance report');
    await admin.context.close();

    const visitor = await h.newPage();
    const vp = visitor.page;
    await vp.goto('/datasets?q=公交');
    const link = vp.getByTestId('dataset-link').filter({ hasText: '公交站点客流统计' });
    await link.waitFor();
    await link.click();
    await vp.getByTestId('metadata').getByText('道路交通', { exact: true }).waitFor();
    await vp.getByRole('tab', { name: '数据预览' }).click();
    await vp.getByRole('cell', { name: '人民广场站' }).waitFor();
    await vp.getByRole('cell', { name: '1200' }).waitFor();
    await visitor.context.close();
  });
});

describe('sharing on conditions', () => {
  it('a department user applies, the bureau passes, the provider approves, and the user reads masked and raw fields as granted', async () => {
    // The applicant (another department) cannot read the data before a grant.
    const member = await h.newPage();
    const mp = member.page;
    await signIn(mp, 'trans_member', USER_PASSWORD);
    await mp.goto(`/datasets/${contactsId}`);
    await mp.getByTestId('dataset-title').waitFor();
    await mp.getByRole('tab', { name: '数据预览' }).click();
    await mp.locator('.ant-alert').first().waitFor();
    await mp.getByTestId('apply').click();
    const dialog = await openDialog(mp);
    await dialog.getByLabel('申请用途').fill('环境执法协查');
    await dialog.getByLabel('应用场景').fill('交通运输执法中核实企业联系人');
    await screenshot(mp, 'apply-form');
    await dialog.getByTestId('apply-submit').click();
    await dialog.getByText('申请已提交').waitFor();

    // The bureau's conformity review.
    const bureau = await h.newPage();
    const bp = bureau.page;
    await signIn(bp, 'reviewer', USER_PASSWORD);
    await bp.goto('/admin/applications');
    await bp.locator('tr', { hasText: '企业环保联系人信息' }).getByTestId('sla').waitFor();
    await screenshot(bp, 'admin-applications');
    await expectAccessible(bp, 'bureau review');
    await bp.getByTestId('app-review').click();
    // After the dialog's opening animation: a click given during it can be lost on a loaded machine.
    await (await openDialog(bp)).getByTestId('app-pass').click();
    await bp.getByText('暂无申请').first().waitFor();
    await bureau.context.close();

    // The provider answers within its SLA: all fields granted, the phone number raw, the name masked.
    const provider = await h.newPage();
    const pp = provider.page;
    await signIn(pp, 'env_steward', USER_PASSWORD);
    await pp.goto('/console/applications');
    const incoming = pp.locator('tr', { hasText: '企业环保联系人信息' });
    await incoming.getByTestId('sla').waitFor();
    expect(await incoming.getByTestId('sla').textContent()).toMatch(/^剩余 \d+ 天/);
    await screenshot(pp, 'console-applications');
    await expectAccessible(pp, 'incoming applications');
    await incoming.getByTestId('app-answer').click();
    const answer = await openDialog(pp);
    await tick(answer.getByLabel('联系电话').last());
    await answer.getByTestId('app-answer-submit').click();
    await pp.locator('tr', { hasText: '企业环保联系人信息' }).getByText('已通过').waitFor();
    await provider.context.close();

    // The applicant hears of the decision in the inbox; through the grant: 法人姓名 masked (张**), 联系电话 raw.
    await mp.reload();
    await mp.getByTestId('notifications').click();
    await mp.getByText('申请已通过').first().waitFor();
    await mp.keyboard.press('Escape');
    await mp.getByRole('tab', { name: '数据预览' }).click();
    await mp.getByRole('cell', { name: '云溪环保科技有限公司' }).waitFor();
    await mp.getByRole('cell', { name: '13800138000' }).waitFor();
    await mp.getByRole('cell', { name: /^张\*+$/ }).waitFor();
    expect(await mp.getByRole('cell', { name: '张三丰' }).count()).toBe(0);
    await screenshot(mp, 'dataset-through-grant');

    // The applicant reports how the data was used.
    await mp.goto('/account');
    await mp.locator('tr', { hasText: '企业环保联系人信息' }).getByText('已交付').waitFor();
    await mp.getByTestId('app-usage').click();
    const usage = await openDialog(mp);
    await usage.getByLabel('数据利用情况说明').fill('用于 3 起执法协查的联络。');
    await usage.getByRole('button', { name: /OK|确 ?定/ }).click();
    await mp.getByRole('dialog').waitFor({ state: 'hidden' });
    await member.context.close();

    // The provider's exchange log shows the read through the grant.
    const steward = await h.server.login('env_steward', USER_PASSWORD);
    const log = await h.server.request(steward, {
      method: 'GET',
      url: `/api/v1/exchange-log?resourceId=${contactsId}`,
    });
    expect(log.statusCode, log.body).toBe(200);
    const entries = log.json<{ entries: { actorName: string | null; grantId: string | null }[] }>().entries;
    expect(entries.some((e) => e.actorName === 'trans_member' && e.grantId !== null)).toBe(true);
  });
});

describe('opening on conditions', () => {
  it('a citizen applies with the security commitment and the use agreement, and follows the application', async () => {
    const { context, page } = await h.newPage();
    await signIn(page, 'citizen', USER_PASSWORD);
    await page.goto(`/datasets/${permitsId}`);
    await page.getByTestId('apply').click();
    const dialog = await openDialog(page);
    await dialog.getByText('公共数据安全承诺书 (v1)').waitFor();
    await dialog.getByText('公共数据开放利用协议 (v1)').waitFor();
    await dialog.getByLabel('申请用途').fill('空气污染与排放关系研究');
    await dialog.getByLabel('应用场景').fill('高校课题');
    await dialog.getByLabel('申请单位').fill('云溪大学');
    await dialog.getByLabel('联系人及电话').fill('赵老师 020-87654321');
    // Without accepting both texts the form refuses.
    await dialog.getByTestId('apply-submit').click();
    await dialog.getByText('请阅读并同意后再提交').first().waitFor();
    await expectAccessible(page, 'open application form');
    await tick(dialog.getByLabel('我已阅读并签署《公共数据安全承诺书》'));
    await tick(dialog.getByLabel('我已阅读并同意《公共数据开放利用协议》'));
    await screenshot(page, 'apply-open-form');
    await dialog.getByTestId('apply-submit').click();
    await dialog.getByText('申请已提交').waitFor();
    await page.goto('/account');
    const row = page.locator('tr', { hasText: '重点排污单位许可信息' });
    // Open-data applications go straight to the provider's formal review (5 working days).
    await row.getByText('待提供方审核').waitFor();
    await row.getByTestId('sla').waitFor();
    await screenshot(page, 'account');
    await expectAccessible(page, 'account');
    await context.close();
  });
});

import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousA11yViolations } from './browser.ts';
import { USER_PASSWORD, resourceInput, type Caller, type TestServer } from './server.ts';
import { multipart } from './upload.ts';

// Steps the browser journeys (test/e2e) share.

/** The contacts table both journeys share: a company, its legal representative (masked as a name) and a mobile. */
export const CONTACTS_CSV = [
  '企业名称,法人姓名,联系电话',
  '云溪环保科技有限公司,张三丰,13800138000',
  '云溪清洁能源有限公司,李四光,13912345678',
].join('\n');

/** The contacts resource: shared with other departments on conditions only, never opened; a name and a mobile. */
export function contactsInput(departmentId: string): Record<string, unknown> {
  return resourceInput(departmentId, {
    name: '企业环保联系人信息',
    nameEn: 'Environmental contacts of companies',
    abstract: '辖区重点排污企业的环保负责人及联系方式。',
    classItem: '12',
    classCatalog: '002',
    sharingType: 'conditional',
    sharingConditions: '仅用于执法协查与应急联络',
    sharingBasis: '《环境保护法》第五十五条',
    openType: 'none',
    openConditions: null,
    tags: ['企业', '联系人'],
    fields: [
      { name: '企业名称', dataType: 'string', grade: 'L1' },
      { name: '法人姓名', dataType: 'string', sensitivity: 'name', grade: 'L2' },
      { name: '联系电话', dataType: 'string', sensitivity: 'mobile', grade: 'L2' },
    ],
  });
}

/**
 * axe-core finds no serious or critical violation on the page once it has settled: a dialog still zooming in is
 * half transparent, and its colours measured mid-animation are not the ones a user reads.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Finite animations only (a spinner runs for ever). A string: the test code is compiled without the DOM library.
  await page.waitForFunction(
    `document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)`,
    undefined,
    { timeout: 10_000 },
  );
  const violations = await seriousA11yViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Signs in through the login page and waits for the user menu. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** Creates, loads (waiting for the job) and publishes a resource through the API; returns its id. */
export async function publishWithData(
  s: TestServer,
  steward: Caller,
  input: Record<string, unknown>,
  csv: string,
): Promise<string> {
  const created = await s.request(steward, { method: 'POST', url: '/api/v1/resources', payload: input });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json<{ id: string }>().id;
  const up = multipart({ name: 'data.csv', content: csv });
  const load = await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/loads`, ...up });
  expect(load.statusCode, load.body).toBe(202);
  const jobId = load.json<{ job: { id: string } }>().job.id;
  let state = 'queued';
  for (let i = 0; i < 600 && (state === 'queued' || state === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${jobId}` })).json<{ state: string }>().state;
  }
  expect(state).toBe('succeeded');
  expect((await s.request(steward, { method: 'POST', url: `/api/v1/resources/${id}/submit` })).statusCode).toBe(200);
  const reviewer = await s.login('reviewer', USER_PASSWORD);
  const reviewed = await s.request(reviewer, {
    method: 'POST',
    url: `/api/v1/resources/${id}/review`,
    payload: { decision: 'approve' },
  });
  expect(reviewed.statusCode, reviewed.body).toBe(200);
  return id;
}

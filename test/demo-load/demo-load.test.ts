import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIdCard } from '../../src/modules/governance/index.ts';
import {
  buildDemoCity,
  DEMO_PASSWORD,
  demoState,
  loadDemoCity,
  resourceRowCount,
} from '../../src/modules/demo/index.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDepartmentUnchecked } from '../../src/modules/catalogue/index.ts';
import { DIALECTS, openTestStore } from '../helpers/db.ts';
import { ADMIN_PASSWORD, ANON, startTestServer, type Caller, type TestServer } from '../helpers/server.ts';

/**
 * The demo is loaded at a tenth of its rows (the catalogue, users and lifecycle are the same; only the big tables
 * are shorter) to keep the suite quick on a shared 2-core machine. `npm start` loads scale 1 (see docs/DEMO.md).
 */
const SCALE = 0.1;

const DOMAINS = [
  'economy',
  'urban',
  'transport',
  'education',
  'livelihood',
  'enterprise',
  'environment',
  'finance',
  'labour',
  'health',
  'culture',
  'safety',
  'social_security',
  'organisations',
];

interface ResourceView {
  id: string;
  code: string;
  name: string;
  status: string;
  domain: string;
  grade: string;
  sharingType: string;
  openType: string;
  abstract: string;
  contactName: string | null;
  updateCycle: string;
  returnReason: string | null;
  hasGeometry: boolean;
  relatedCodes: string[];
  fields: { name: string; dataType: string; sensitivity: string; grade: string }[];
}

describe.each(DIALECTS)('the demo city on %s', (dialect) => {
  let s: TestServer;
  let admin: Caller;
  let all: ResourceView[];
  const city = buildDemoCity();
  const scale = SCALE;

  const byName = (name: string) => {
    const r = all.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}`);
    return r;
  };
  const get = async (caller: Caller, url: string) => {
    const res = await s.request(caller, { method: 'GET', url });
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const started = Date.now();
    const result = await loadDemoCity(s.built.ctx, { scale });
    expect(result.loaded).toBe(true);
    console.log(
      `demo city loaded on ${dialect} at scale ${scale}: ${result.tables} tables, ${result.rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    admin = await s.login('admin', ADMIN_PASSWORD);
    all = (await get(admin, '/api/v1/resources?limit=500')).items as ResourceView[];
  }, 600_000);
  afterAll(async () => s?.close());

  it('has the district as a tree of at least 12 departments of every kind', async () => {
    const list = (await get(ANON, '/api/v1/departments')) as { code: string; name: string; kind: string }[];
    expect(list.length).toBeGreaterThanOrEqual(12);
    expect(new Set(list.map((d) => d.kind))).toEqual(new Set(['city', 'district', 'department', 'office']));
    expect(list.filter((d) => d.kind === 'department').length).toBeGreaterThanOrEqual(12);
    expect(list.find((d) => d.code === 'SJJ')?.name).toContain('政务服务数据管理局');
    const tree = (await get(ANON, '/api/v1/departments?tree=true')) as { kind: string; children: unknown[] }[];
    expect(tree).toHaveLength(1);
    expect(tree[0]?.kind).toBe('city');
  });

  it('publishes at least 40 resources across all 14 domains with complete metadata and data', async () => {
    const published = all.filter((r) => r.status === 'published');
    expect(published.length).toBeGreaterThanOrEqual(40);
    expect(new Set(published.map((r) => r.domain))).toEqual(new Set(DOMAINS));
    for (const r of published) {
      expect(r.code, r.name).toMatch(/^[123]\d{5}\/\d{6}$/);
      expect(r.abstract.length, r.name).toBeGreaterThan(10);
      expect(r.fields.length, r.name).toBeGreaterThan(0);
      expect(r.contactName, r.name).toBeTruthy();
      expect(['L1', 'L2', 'L3', 'L4']).toContain(r.grade);
    }
    expect(new Set(published.map((r) => r.sharingType))).toEqual(new Set(['unconditional', 'conditional']));
    expect(new Set(published.map((r) => r.openType))).toEqual(new Set(['unconditional', 'conditional', 'none']));
    expect(published.some((r) => r.relatedCodes.length > 0)).toBe(true);

    // Every resource with data has version 1, loaded by its department's steward, with every row of the generator.
    let withData = 0;
    for (const demo of city.resources.filter((d) => d.rows > 0)) {
      const r = byName(demo.name);
      const versions = (await get(admin, `/api/v1/resources/${r.id}/versions`)) as {
        version: number;
        rows: number;
        current: boolean;
      }[];
      expect(versions, demo.key).toHaveLength(1);
      expect(versions[0]).toMatchObject({ version: 1, rows: resourceRowCount(demo, scale) });
      withData++;
    }
    expect(withData).toBeGreaterThanOrEqual(40);
  });

  it('has drafts, pending reviews, returned and withdrawn resources with their reasons', async () => {
    const statuses = new Set(all.map((r) => r.status));
    for (const st of ['draft', 'pending_review', 'returned', 'withdrawn', 'published']) expect(statuses).toContain(st);
    const returned = all.filter((r) => r.status === 'returned');
    for (const r of returned) expect(r.returnReason).toBeTruthy();
    const withdrawn = all.find((r) => r.status === 'withdrawn')!;
    const history = (await get(admin, `/api/v1/resources/${withdrawn.id}/history`)) as {
      action: string;
      reason: string | null;
    }[];
    expect(history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['create', 'submit', 'publish', 'request_withdraw', 'withdraw']),
    );
    expect(history.find((h) => h.action === 'request_withdraw')?.reason).toBeTruthy();
  });

  it('records real people in the history: the steward creates and submits, a bureau reviewer publishes', async () => {
    const air = byName('环境空气质量小时监测数据');
    const history = (await get(admin, `/api/v1/resources/${air.id}/history`)) as {
      action: string;
      actor: { username: string } | null;
    }[];
    const who = (action: string) => history.find((h) => h.action === action)?.actor?.username;
    expect(who('create')).toBe('sthjj_steward');
    expect(who('submit')).toBe('sthjj_steward');
    expect(who('publish')).toMatch(/^sjj_reviewer[12]$/);
    const steward = await s.login('sthjj_steward', DEMO_PASSWORD);
    expect(steward.userId).toBeTruthy();
  });

  it('serves hourly air quality to the anonymous public with station coordinates', async () => {
    const air = byName('环境空气质量小时监测数据');
    expect(air.status).toBe('published');
    const page = (await get(ANON, `/api/v1/resources/${air.id}/rows?limit=24&sort=监测时间`)) as {
      records: Record<string, unknown>[];
      total: number;
      masked: string[];
    };
    expect(page.records).toHaveLength(24);
    expect(page.masked).toEqual([]);
    for (const row of page.records) {
      expect(typeof row['经度']).toBe('number');
      expect(typeof row['纬度']).toBe('number');
      // Somewhere in Guangdong (WGS-84).
      expect(row['经度'] as number).toBeGreaterThan(109);
      expect(row['经度'] as number).toBeLessThan(118);
      expect(row['纬度'] as number).toBeGreaterThan(20);
      expect(row['纬度'] as number).toBeLessThan(26);
      expect(row['站点名称']).toBeTruthy();
    }
    expect(new Set(page.records.map((r) => r['站点编码'])).size).toBeGreaterThan(1);
  });

  it('masks 法定代表人证件号码 of the 双公示 licences for the public, not for the provider', async () => {
    const licences = byName('行政许可信息公示（双公示）');
    const url = `/api/v1/resources/${licences.id}/rows?limit=20&fields=行政相对人名称,法定代表人证件号码`;
    const anon = (await get(ANON, url)) as { records: Record<string, string>[]; masked: string[] };
    expect(anon.masked).toContain('法定代表人证件号码');
    const ids = anon.records.map((r) => r['法定代表人证件号码']).filter(Boolean);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(id).toContain('*');
      expect(isValidIdCard(id!)).toBe(false);
    }
    const steward = await s.login('scjgj_steward', DEMO_PASSWORD);
    const raw = (await get(steward, url)) as { records: Record<string, string>[]; masked: string[] };
    expect(raw.masked).toEqual([]);
    const rawIds = raw.records.map((r) => r['法定代表人证件号码']).filter(Boolean);
    expect(rawIds.length).toBeGreaterThan(0);
    for (const id of rawIds) expect(isValidIdCard(id!), id).toBe(true);
  });

  it('loads geo resources from GeoJSON with their geometry', async () => {
    const geo = city.resources.filter((r) => r.geo && r.rows > 0);
    expect(geo.length).toBeGreaterThan(5);
    for (const d of geo) {
      const r = byName(d.name);
      expect(r.hasGeometry, d.key).toBe(true);
      expect(r.fields.map((f) => f.name)).toContain('_geometry');
    }
  });

  it('has sharing and open applications in several states, with reasons, a grant and a usage report', async () => {
    const apps = (await get(admin, '/api/v1/applications?limit=100')) as {
      id: string;
      kind: string;
      state: string;
      returnReason: string | null;
      refusalReason: string | null;
      grantId: string | null;
    }[];
    const states = new Set(apps.map((a) => `${a.kind}:${a.state}`));
    for (const st of [
      'share:pending_bureau',
      'share:pending_provider',
      'share:approved',
      'share:refused',
      'share:returned',
    ])
      expect(states).toContain(st);
    expect(states).toContain('open:pending_provider');
    expect(apps.find((a) => a.state === 'returned')?.returnReason).toBeTruthy();
    expect(apps.find((a) => a.state === 'refused')?.refusalReason).toBeTruthy();
    expect(apps.find((a) => a.kind === 'share' && a.state === 'approved')?.grantId).toBeTruthy();
    const opened = apps.find((a) => a.kind === 'open' && a.state === 'approved')!;
    const detail = await get(admin, `/api/v1/applications/${opened.id}`);
    expect(detail.usageReports.length).toBeGreaterThan(0);
  });

  it('does nothing when loaded a second time', async () => {
    const before = (await get(admin, '/api/v1/resources?limit=1')).total as number;
    const again = await loadDemoCity(s.built.ctx, { scale });
    expect(again.loaded).toBe(false);
    expect(again.skipped).toMatch(/already loaded/);
    expect((await get(admin, '/api/v1/resources?limit=1')).total).toBe(before);
    expect(before).toBe(city.resources.length);
  });
});

describe.each(DIALECTS)('the demo at start-up on %s', (dialect) => {
  it('is not loaded when CITYDATA_DEMO=0, and leaves a store that already has departments alone', async () => {
    const ts = await openTestStore(dialect);
    try {
      const config = loadConfig({
        CITYDATA_DATA_DIR: ts.dataDir,
        CITYDATA_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'silent',
      });
      expect(config.demo).toBe(true);
      const off = await buildApp({ config: { ...config, demo: false }, store: ts.store, logger: false });
      expect(demoState(off.ctx)).toBe('off');
      await createDepartmentUnchecked(ts.store.db, { code: 'OWN', name: '自有城市', kind: 'city' });
      await off.close();

      // The server a real start builds (demo on): it serves at once and decides in the background.
      const on = await buildApp({ config, store: ts.store, logger: false });
      while (demoState(on.ctx) === 'loading') await new Promise((r) => setTimeout(r, 20));
      expect(demoState(on.ctx)).toBe('skipped');
      const health = await on.app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', demo: 'skipped' });
      const direct = await loadDemoCity(on.ctx, { scale: 0.01 });
      expect(direct).toMatchObject({ loaded: false, skipped: expect.stringMatching(/not empty/) });
      expect((await on.app.inject({ method: 'GET', url: '/api/v1/departments' })).json()).toHaveLength(1);
      await on.close();
    } finally {
      await ts.cleanup();
    }
  });
});

describe('an interrupted demo load (sqlite)', () => {
  it('resumes where it stopped at the next start, without duplicates', async () => {
    const s = await startTestServer('sqlite');
    try {
      const controller = new AbortController();
      const db = s.built.ctx.store.db;
      // Stop as soon as the first table is queued: departments, users and resources exist, most data does not.
      const watcher = setInterval(() => {
        void db
          .selectFrom('jobs')
          .select('id')
          .executeTakeFirst()
          .then((j) => {
            if (j) controller.abort();
          });
      }, 20);
      await expect(loadDemoCity(s.built.ctx, { scale: 0.02, signal: controller.signal })).rejects.toThrow(/stopped/);
      clearInterval(watcher);
      expect(demoState(s.built.ctx)).toBe('off');
      const resumed = await loadDemoCity(s.built.ctx, { scale: 0.5 });
      expect(resumed.loaded).toBe(true);
      const count = async (table: 'departments' | 'resources' | 'users') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((e) => e.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const city = buildDemoCity();
      expect(await count('departments')).toBe(city.departments.length);
      expect(await count('resources')).toBe(city.resources.length);
      expect(await count('users')).toBe(city.users.length + 1);
      // Every table has exactly one version, at the scale the first start chose (0.02, not 0.5).
      const versions = await db
        .selectFrom('table_versions')
        .innerJoin('resources', 'resources.id', 'table_versions.resource_id')
        .select(['resources.name', 'table_versions.row_count'])
        .execute();
      const withData = city.resources.filter((r) => r.rows > 0);
      expect(versions).toHaveLength(withData.length);
      for (const r of withData)
        expect(Number(versions.find((v) => v.name === r.name)?.row_count), r.key).toBe(resourceRowCount(r, 0.02));
      expect((await loadDemoCity(s.built.ctx)).loaded).toBe(false);
    } finally {
      await s.close();
    }
  }, 600_000);
});

import fs from 'node:fs';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { DataFactory, Parser, type Quad } from 'n3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ANONYMOUS } from '../../src/modules/access/index.ts';
import { getResource } from '../../src/modules/catalogue/index.ts';
import {
  catalogDocument,
  injectDatasetHead,
  loadLookups,
  schemaOrgDataset,
  sitemapXml,
} from '../../src/modules/compat/index.ts';
import { DIALECTS, openTestStore, tempDir, type TestStore } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  ANON,
  approveResource,
  resourceInput,
  seedOrg,
  type Caller,
  type TestServer,
} from '../helpers/server.ts';
import { multipart } from '../helpers/upload.ts';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const FAKE_INDEX =
  '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>CityData</title>' +
  '<meta name="description" content="portal"></head><body><div id="root"></div></body></html>';

/** Parses Turtle with blank-node labels kept as written, so they can be compared with the JSON-LD. */
function parseTurtle(ttl: string): Quad[] {
  return new Parser({ format: 'text/turtle', blankNodePrefix: '' }).parse(ttl);
}

/** Reads expanded JSON-LD (the form we publish) back into quads: the test's independent reader. */
function expandedToQuads(doc: unknown): Quad[] {
  const { namedNode, literal, blankNode, quad } = DataFactory;
  const term = (id: string) => (id.startsWith('_:') ? blankNode(id.slice(2)) : namedNode(id));
  const out: Quad[] = [];
  expect(Array.isArray(doc)).toBe(true);
  for (const node of doc as Record<string, unknown>[]) {
    const s = term(node['@id'] as string);
    for (const [key, values] of Object.entries(node)) {
      if (key === '@id') continue;
      if (key === '@type') {
        for (const t of values as string[]) out.push(quad(s, namedNode(RDF_TYPE), namedNode(t)));
        continue;
      }
      expect(key).toMatch(/^(https?|mailto|tel):/);
      for (const v of values as Record<string, string>[]) {
        const o =
          '@id' in v
            ? term(v['@id']!)
            : literal(v['@value']!, v['@language'] ?? (v['@type'] ? namedNode(v['@type']) : undefined));
        out.push(quad(s, namedNode(key), o));
      }
    }
  }
  return out;
}

const key = (q: Quad) =>
  `${q.subject.termType}:${q.subject.value} ${q.predicate.value} ${q.object.termType}:${q.object.value}|${q.object.termType === 'Literal' ? `${q.object.language}|${q.object.datatype.value}` : ''}`;

describe.each(DIALECTS)('DCAT, schema.org, sitemap and robots on %s', (dialect) => {
  let ts: TestStore;
  let built: BuiltApp;
  let s: TestServer;
  let openId: string;
  let privateId: string;

  beforeAll(async () => {
    ts = await openTestStore(dialect);
    const webDist = tempDir('citydata-web-');
    fs.writeFileSync(path.join(webDist, 'index.html'), FAKE_INDEX);
    const config = loadConfig(
      {
        CITYDATA_DATA_DIR: ts.dataDir,
        CITYDATA_ADMIN_PASSWORD: ADMIN_PASSWORD,
        CITYDATA_DEMO: '0',
        CITYDATA_PUBLIC_URL: 'https://data.yunxi.example.cn',
        LOG_LEVEL: 'silent',
      },
      {},
    );
    built = await buildApp({ config, store: ts.store, logger: false, webDist });
    const request = (caller: Caller, opts: InjectOptions) =>
      built.app.inject({ ...opts, headers: { ...caller.headers, ...(opts.headers as Record<string, string>) } });
    s = {
      app: built.app,
      built,
      ts,
      dialect,
      config,
      request,
      login: async (username: string, password = 'Passw0rd!x') => {
        const res = await built.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username, password },
        });
        const cookie = res.cookies.find((c) => c.name === 'cd_session');
        const body = res.json<{ csrfToken: string; user: { id: string } }>();
        return {
          name: username,
          userId: body.user.id,
          headers: { cookie: `cd_session=${cookie!.value}`, 'x-csrf-token': body.csrfToken },
        };
      },
      close: async () => {},
    };
    const org = await seedOrg(s);
    const steward = await s.login('env_steward');
    const publish = async (input: Record<string, unknown>, csv?: string) => {
      const id = (await s.request(steward, { method: 'POST', url: '/api/v1/resources', payload: input })).json<{
        id: string;
      }>().id;
      if (csv) {
        const mp = multipart({ name: 'd.csv', content: csv });
        const load = await s.request(steward, {
          method: 'POST',
          url: `/api/v1/resources/${id}/loads`,
          payload: mp.payload,
          headers: mp.headers,
        });
        await built.ctx.jobs.waitFor(load.json<{ job: { id: string } }>().job.id);
      }
      await approveResource(s, steward, id);
      return id;
    };
    openId = await publish(
      resourceInput(org.departments.env),
      '站点名称,监测时间,AQI\n云溪站,2026-01-01 08:00:00,50\n',
    );
    privateId = await publish(
      resourceInput(org.departments.env, {
        name: '内部执法记录',
        tags: ['内部'],
        openType: 'none',
        sharingType: 'none',
        sharingConditions: '不共享',
        sharingBasis: '保密规定',
      }),
    );
    await publish(resourceInput(org.departments.env, { name: '环境噪声监测', tags: ['噪声'] }));
  });
  afterAll(async () => {
    await built?.close();
    await ts?.cleanup();
  });

  it('publishes the catalogue as DCAT-AP Turtle that parses, with datasets, distributions, licence and keywords', async () => {
    const res = await s.request(ANON, { method: 'GET', url: '/catalog.ttl' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/turtle/);
    const quads = parseTurtle(res.body);
    const has = (s: string | null, p: string, o: string | null) =>
      quads.some(
        (q) => (s === null || q.subject.value === s) && q.predicate.value === p && (o === null || q.object.value === o),
      );
    const ds = `https://data.yunxi.example.cn/datasets/${openId}`;
    expect(has('https://data.yunxi.example.cn/catalog', RDF_TYPE, `${DCAT}Catalog`)).toBe(true);
    expect(has('https://data.yunxi.example.cn/catalog', `${DCAT}dataset`, ds)).toBe(true);
    expect(has(ds, RDF_TYPE, `${DCAT}Dataset`)).toBe(true);
    expect(has(ds, `${DCT}title`, '空气质量小时监测数据')).toBe(true);
    expect(has(ds, `${DCAT}keyword`, '空气质量')).toBe(true);
    expect(has(ds, `${DCT}license`, 'https://creativecommons.org/licenses/by/4.0/')).toBe(true);
    expect(has(ds, `${DCAT}theme`, 'https://data.yunxi.example.cn/themes/environment')).toBe(true);
    expect(
      has(
        ds,
        `${DCT}publisher`,
        `https://data.yunxi.example.cn/departments/${(await getResource(built.ctx.store.db, ANONYMOUS, openId)).providerId}`,
      ),
    ).toBe(true);
    expect(has(ds, `${DCAT}contactPoint`, null)).toBe(true);
    expect(has(ds, `${DCT}temporal`, null)).toBe(true);
    expect(has(ds, `${DCT}spatial`, null)).toBe(true);
    expect(has(ds, `${DCT}modified`, null)).toBe(true);
    expect(has(null, `${DCAT}startDate`, '2020-01-01')).toBe(true);
    const dist = `${ds}#distribution-csv`;
    expect(has(ds, `${DCAT}distribution`, dist)).toBe(true);
    expect(has(dist, RDF_TYPE, `${DCAT}Distribution`)).toBe(true);
    expect(
      has(dist, `${DCAT}downloadURL`, `https://data.yunxi.example.cn/api/v1/resources/${openId}/export?format=csv`),
    ).toBe(true);
    expect(has(dist, `${DCT}format`, 'http://publications.europa.eu/resource/authority/file-type/CSV')).toBe(true);
    expect(res.body).not.toContain(privateId);
    expect(res.body).not.toContain('内部执法记录');
    // Three datasets were published, one is not open: two in the catalogue.
    expect(quads.filter((q) => q.predicate.value === `${DCAT}dataset`)).toHaveLength(2);
  });

  it('publishes the same graph as JSON-LD (expanded form), checked against the Turtle quad by quad', async () => {
    const ttl = parseTurtle((await s.request(ANON, { method: 'GET', url: '/catalog.ttl' })).body);
    const res = await s.request(ANON, { method: 'GET', url: '/catalog.jsonld' });
    expect(res.headers['content-type']).toMatch(/application\/ld\+json/);
    const fromJson = expandedToQuads(res.json());
    // Blank-node labels differ between two renderings; compare with blank nodes anonymised, plus the counts.
    // (The paging node names its own serialisation.)
    const anon = (qs: Quad[]) =>
      qs
        .map((q) =>
          key(q)
            .replace(/BlankNode:[^ |]+/g, 'BlankNode:_')
            .replace(/catalog\.jsonld\?/g, 'catalog.ttl?'),
        )
        .sort();
    expect(anon(fromJson)).toEqual(anon(ttl));
    expect(fromJson.length).toBeGreaterThan(50);
  });

  it('pages the catalogue with hydra links and serves one dataset on its own', async () => {
    const page1 = parseTurtle(await catalogDocument(built.ctx, 'ttl', 1, 1));
    const hydra = (p: string) =>
      page1.find((q) => q.predicate.value === `http://www.w3.org/ns/hydra/core#${p}`)?.object.value;
    expect(hydra('totalItems')).toBe('2');
    expect(hydra('next')).toBe('https://data.yunxi.example.cn/catalog.ttl?page=2');
    expect(hydra('last')).toBe('https://data.yunxi.example.cn/catalog.ttl?page=2');
    expect((await s.request(ANON, { method: 'GET', url: '/catalog.ttl?page=9' })).statusCode).toBe(404);
    expect((await s.request(ANON, { method: 'GET', url: '/catalog.ttl?page=abc' })).statusCode).toBe(400);

    const one = await s.request(ANON, { method: 'GET', url: `/catalog/datasets/${openId}.ttl` });
    expect(one.statusCode).toBe(200);
    expect(parseTurtle(one.body).some((q) => q.object.value === `${DCAT}Dataset`)).toBe(true);
    const oneJson = await s.request(ANON, { method: 'GET', url: `/catalog/datasets/${openId}.jsonld` });
    expect(expandedToQuads(oneJson.json()).length).toBeGreaterThan(10);
    expect((await s.request(ANON, { method: 'GET', url: `/catalog/datasets/${privateId}.ttl` })).statusCode).toBe(404);
  });

  it('puts schema.org Dataset JSON-LD, title and description into the first HTML of a public dataset page', async () => {
    const res = await s.request(ANON, { method: 'GET', url: `/datasets/${openId}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>空气质量小时监测数据 - CityData 城市数据平台</title>');
    expect(res.body).toMatch(/<meta name="description" content="全区各空气质量/);
    expect(res.body).not.toContain('content="portal"');
    const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(res.body);
    expect(m).not.toBeNull();
    const ld = JSON.parse(m![1]!);
    expect(ld).toMatchObject({
      '@context': 'https://schema.org/',
      '@type': 'Dataset',
      name: '空气质量小时监测数据',
      url: `https://data.yunxi.example.cn/datasets/${openId}`,
      identifier: expect.any(String),
      keywords: ['空气质量', 'AQI'],
      license: 'https://creativecommons.org/licenses/by/4.0/',
      creator: { '@type': 'GovernmentOrganization', name: '生态环境局' },
      temporalCoverage: '2020-01-01/2026-10-31',
      spatialCoverage: { '@type': 'Place', name: '云溪区', identifier: '440111' },
      dateModified: expect.any(String),
    });
    expect(ld.distribution).toContainEqual(
      expect.objectContaining({
        '@type': 'DataDownload',
        contentUrl: `https://data.yunxi.example.cn/api/v1/resources/${openId}/export?format=csv`,
        encodingFormat: 'text/csv',
      }),
    );
    expect(ld.variableMeasured.map((v: { name: string }) => v.name)).toEqual(['站点名称', '监测时间', 'AQI']);
    // A dataset the public may not see gets the plain page: nothing about it leaks into the HTML.
    const hidden = await s.request(ANON, { method: 'GET', url: `/datasets/${privateId}` });
    expect(hidden.statusCode).toBe(200);
    expect(hidden.body).toBe(FAKE_INDEX);
    expect((await s.request(ANON, { method: 'GET', url: '/datasets' })).body).toBe(FAKE_INDEX);
  });

  it('escapes what it injects (the transform as a function)', async () => {
    const r = await getResource(built.ctx.store.db, ANONYMOUS, openId);
    const evil = { ...r, name: '</script><script>alert(1)</script>', abstract: '"><b>x</b>' };
    const html = injectDatasetHead(FAKE_INDEX, evil, await loadLookups(built.ctx, [r.id]));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;/script&gt;');
    const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
    expect(JSON.parse(m![1]!).name).toBe(evil.name);
    expect(schemaOrgDataset(evil, await loadLookups(built.ctx, [r.id])).description).toBe('"><b>x</b>');
  });

  it('serves sitemap.xml with public datasets only (an index over 50,000 URLs) and robots.txt', async () => {
    const res = await s.request(ANON, { method: 'GET', url: '/sitemap.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(res.body).toContain('<urlset');
    expect(res.body).toContain(`<loc>https://data.yunxi.example.cn/datasets/${openId}</loc>`);
    expect(res.body).not.toContain(privateId);
    expect(res.body.match(/<url>/g)).toHaveLength(5);
    // With a small per-file limit the same list becomes an index of pages.
    const index = await sitemapXml(built.ctx, undefined, 2);
    expect(index).toContain('<sitemapindex');
    expect(index.match(/<sitemap>/g)).toHaveLength(3);
    const p3 = await sitemapXml(built.ctx, 3, 2);
    expect(p3.match(/<url>/g)).toHaveLength(1);
    const all = [1, 2, 3].map((n) => sitemapXml(built.ctx, n, 2));
    const locs = (await Promise.all(all)).join('').match(/<loc>[^<]+<\/loc>/g);
    expect(new Set(locs).size).toBe(5);

    const robots = await s.request(ANON, { method: 'GET', url: '/robots.txt' });
    expect(robots.statusCode).toBe(200);
    expect(robots.body).toContain('User-agent: *');
    expect(robots.body).toContain('Disallow: /console/');
    expect(robots.body).toContain('Sitemap: https://data.yunxi.example.cn/sitemap.xml');
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import {
  InProcessSearchProvider,
  type SearchDoc,
  type SearchQuery,
  type SearchResult,
  type Viewer,
} from '../../src/modules/search/index.ts';

const ALL: Viewer = { kind: 'all' };
const PUBLIC: Viewer = { kind: 'public' };

function makeDoc(id: string, over: Partial<SearchDoc>): SearchDoc {
  return {
    id,
    code: `C-${id}`,
    name: id,
    nameEn: null,
    abstract: '',
    fields: [],
    tags: [],
    departmentId: 'dept-env',
    departmentName: '市生态环境局',
    departmentCode: 'STHJJ',
    domain: '资源环境',
    topics: [],
    format: 'csv',
    sharingType: 'unconditional',
    openType: 'unconditional',
    grade: 'L1',
    updateCycle: 'daily',
    hasApi: false,
    hasGeometry: false,
    status: 'published',
    updatedAt: '2024-01-01T00:00:00Z',
    popularity: 0,
    ...over,
  };
}

const TRANSPORT = {
  departmentId: 'dept-tr',
  departmentName: '市交通运输局',
  departmentCode: 'JTYSJ',
  domain: '道路交通',
};
const MARKET = {
  departmentId: 'dept-mk',
  departmentName: '市市场监督管理局',
  departmentCode: 'SCJGJ',
  domain: '企业服务',
};

const FIXTURES: SearchDoc[] = [
  makeDoc('air', {
    name: '空气质量监测站点数据',
    nameEn: 'Air quality monitoring stations',
    abstract: '全市空气自动监测站的小时数据。',
    fields: [{ name: '监测时间' }, { name: 'PM2.5浓度', description: '细颗粒物浓度' }],
    tags: ['环境'],
    popularity: 50,
    updatedAt: '2024-05-01T00:00:00Z',
    hasGeometry: true,
  }),
  makeDoc('bus', {
    ...TRANSPORT,
    name: '公共汽车线路信息',
    fields: [{ name: '线路名称' }, { name: '站点名称', description: 'bus station name' }],
    format: 'json',
    hasApi: true,
    popularity: 80,
    updatedAt: '2023-03-01T00:00:00Z',
  }),
  makeDoc('corp', {
    ...MARKET,
    name: '企业登记信息',
    fields: [{ name: '统一社会信用代码' }, { name: '企业名称' }],
    sharingType: 'conditional',
    openType: 'none',
    format: 'xlsx',
    popularity: 30,
  }),
  makeDoc('legal', { ...MARKET, name: '法人基本信息', openType: 'conditional', popularity: 10 }),
  makeDoc('credit', {
    ...MARKET,
    name: '信用评价结果',
    abstract: '按统一社会信用代码汇总的企业信用评价。',
    fields: [{ name: '评价等级' }],
    popularity: 5,
  }),
  makeDoc('weather', {
    name: '气象观测站实时数据',
    nameEn: 'Weather observation station',
    updateCycle: 'realtime',
    popularity: 20,
    updatedAt: '2024-06-01T00:00:00Z',
  }),
  // Own-department only: draft, neither shared nor open.
  makeDoc('secret', { name: '内部审计底稿', status: 'draft', sharingType: 'none', openType: 'none' }),
  // Published but neither shared nor open: only its department and reviewers.
  makeDoc('fines', { ...TRANSPORT, name: '交通违法处理明细', sharingType: 'none', openType: 'none' }),
  // Open but still a draft: not public yet.
  makeDoc('draftopen', { ...TRANSPORT, name: '充电桩分布草稿', status: 'draft' }),
];

const ids = (r: { hits: { id: string }[] }): string[] => r.hits.map((h) => h.id);

describe('InProcessSearchProvider', () => {
  let search: InProcessSearchProvider;
  const find = (q: Omit<SearchQuery, 'viewer'> & { viewer?: Viewer }) => search.search({ viewer: ALL, ...q });

  beforeEach(async () => {
    search = new InProcessSearchProvider();
    await search.replaceAll(FIXTURES);
  });

  it('finds Chinese words, parts of words and single characters', async () => {
    expect(ids(await find({ q: '空气质量' }))[0]).toBe('air');
    expect(ids(await find({ q: '空气' }))).toContain('air');
    expect(ids(await find({ q: '质量' }))).toEqual(['air']);
    expect(ids(await find({ q: '量监' }))).toEqual(['air']);
    expect(ids(await find({ q: '气' })).sort()).toEqual(['air', 'weather']);
    expect((await find({ q: '水质' })).total).toBe(0);
  });

  it('matches full-width and upper-case input after NFKC', async () => {
    expect(ids(await find({ q: 'ＡＩＲ　ＱＵＡＬＩＴＹ' }))).toEqual(['air']);
    expect(ids(await find({ q: 'pm2.5' }))).toEqual(['air']);
  });

  it('finds by full pinyin, joined pinyin, initials and mixed pinyin/Chinese', async () => {
    for (const q of ['kongqi zhiliang', 'kongqizhiliang', 'kqzl', 'kq质量', 'KongQi']) {
      expect(ids(await find({ q }))[0], q).toBe('air');
    }
    expect(ids(await find({ q: 'gonggongqiche' }))[0]).toBe('bus');
    // Search-as-you-type: the last syllable may be unfinished.
    expect(ids(await find({ q: 'kongqizhil' }))).toEqual(['air']);
    expect(ids(await find({ q: 'kongq' }))).toEqual(['air']);
    expect(ids(await find({ q: 'qxgcz' }))[0]).toBe('weather');
  });

  it('highlights what matched in the name, HTML-escaped', async () => {
    const r = await find({ q: '空气' });
    expect(r.hits[0]?.highlights?.[0]).toBe('<em>空气</em>质量监测站点数据');
    const py = await find({ q: 'kqzl' });
    expect(py.hits[0]?.highlights?.[0]).toBe('<em>空气质量</em>监测站点数据');
    await search.upsert(makeDoc('xss', { name: '<b>噪声</b>监测' }));
    expect((await find({ q: '噪声' })).hits[0]?.highlights?.[0]).toBe('&lt;b&gt;<em>噪声</em>&lt;/b&gt;监测');
  });

  it('expands a query term to its synonym group', async () => {
    expect((await find({ q: '公交' })).total).toBe(0);
    await search.setSynonyms([
      ['企业', '法人'],
      ['公交', '公共汽车'],
    ]);
    expect(ids(await find({ q: '公交' }))).toEqual(['bus']);
    expect(ids(await find({ q: '公交线路' }))).toEqual(['bus']);
    const legal = ids(await find({ q: '法人' }));
    expect(legal[0]).toBe('legal');
    expect(legal).toContain('corp');
  });

  it('tolerates typos in Latin words: one edit from 4 letters, two from 8', async () => {
    expect(ids(await find({ q: 'wether' }))).toEqual(['weather']);
    expect(ids(await find({ q: 'stationn' }))).toContain('weather');
    expect(ids(await find({ q: 'obsevratoin' }))).toEqual(['weather']); // two edits, 11 letters
    expect((await find({ q: 'aor' })).total).toBe(0); // 3 letters: no typo allowed
    // The exact word outranks a typo match.
    expect(ids(await find({ q: 'station' }))[0]).toBe('weather');
  });

  it('gives the same scores whatever was searched before', async () => {
    const fresh = await find({ q: '数据' });
    for (const q of ['空气 审计', 'station', '企业 信用 法人']) {
      await find({ q });
      expect(await find({ q: '数据' }), `after ${q}`).toEqual(fresh);
    }
  });

  it('field search matches field names and descriptions only', async () => {
    const r = await find({ fieldQuery: '统一社会信用代码' });
    expect(ids(r)).toEqual(['corp']);
    expect(r.hits[0]?.highlights).toContain('<em>统一社会信用代码</em>');
    // Free text also finds the dataset that only mentions it in the abstract.
    expect(ids(await find({ q: '统一社会信用代码' })).sort()).toEqual(['corp', 'credit']);
    expect(ids(await find({ fieldQuery: 'station' }))).toEqual(['bus']);
    expect(ids(await find({ fieldQuery: 'tyshxydm' }))).toEqual(['corp']);
    expect(ids(await find({ fieldQuery: '线路', q: '公共汽车' }))).toEqual(['bus']);
    expect((await find({ fieldQuery: '线路', q: '空气' })).total).toBe(0);
  });

  describe('visibility', () => {
    const visible = async (viewer: Viewer): Promise<string[]> =>
      ids(await search.search({ viewer, limit: 100 })).sort();

    it('all: every doc', async () => {
      expect(await visible(ALL)).toEqual(FIXTURES.map((d) => d.id).sort());
    });

    it('public: published and open only', async () => {
      expect(await visible(PUBLIC)).toEqual(['air', 'bus', 'credit', 'legal', 'weather']);
    });

    it('department: its own docs in any status plus published shared or open ones', async () => {
      expect(await visible({ kind: 'department', departmentId: 'dept-env' })).toEqual([
        'air',
        'bus',
        'corp',
        'credit',
        'legal',
        'secret',
        'weather',
      ]);
      expect(await visible({ kind: 'department', departmentId: 'dept-tr' })).toEqual([
        'air',
        'bus',
        'corp',
        'credit',
        'draftopen',
        'fines',
        'legal',
        'weather',
      ]);
    });

    it('a hidden doc leaks neither its title nor its count, facets included', async () => {
      const facets: SearchQuery['facets'] = ['department', 'format', 'openType', 'sharingType', 'domain'];
      for (const q of ['内部审计', 'nbsj', '底稿', '']) {
        const r = await search.search({ viewer: PUBLIC, q, facets });
        const text = JSON.stringify(r);
        expect(text).not.toContain('secret');
        expect(text).not.toContain('内部审计');
        if (q !== '')
          expect(r).toEqual({
            total: 0,
            hits: [],
            facets: { department: [], format: [], openType: [], sharingType: [], domain: [] },
          });
      }
      const r = await search.search({ viewer: PUBLIC, facets: ['openType', 'department'] });
      expect(r.facets.openType).toEqual([
        { value: 'unconditional', count: 4 },
        { value: 'conditional', count: 1 },
      ]);
      expect(r.facets.department?.find((v) => v.value === 'dept-tr')).toEqual({ value: 'dept-tr', count: 1 });
      const other = await search.search({ viewer: { kind: 'department', departmentId: 'dept-tr' }, q: '审计' });
      expect(other.total).toBe(0);
      const own = await search.search({ viewer: { kind: 'department', departmentId: 'dept-env' }, q: '审计' });
      expect(ids(own)).toEqual(['secret']);
    });
  });

  it('browses with facets for one viewer after another, each getting its own counts (cached per viewer class)', async () => {
    const facets: SearchQuery['facets'] = ['department', 'openType'];
    const browse = (viewer: Viewer) => search.search({ viewer, facets, limit: 100 });
    const env: Viewer = { kind: 'department', departmentId: 'dept-env' };
    const tr: Viewer = { kind: 'department', departmentId: 'dept-tr' };
    // Twice round, so the second round is answered from the cache.
    for (let round = 0; round < 2; round++) {
      const [pub, e, t, all] = [await browse(PUBLIC), await browse(env), await browse(tr), await browse(ALL)];
      expect(pub.total).toBe(5);
      expect(e.total).toBe(7);
      expect(t.total).toBe(8);
      expect(all.total).toBe(FIXTURES.length);
      // The counts of a class add up to what that class sees, and nobody else's hidden docs show in them.
      for (const r of [pub, e, t, all])
        expect(
          r.facets.department!.reduce((n, v) => n + v.count, 0),
          `round ${round}`,
        ).toBe(r.total);
      expect(JSON.stringify(pub)).not.toContain('secret');
      expect(JSON.stringify(t)).not.toContain('secret');
      expect(e.hits.map((h) => h.id)).toContain('secret');
    }
  });

  it('counts topic, grade, sharing type, update cycle and geometry facets', async () => {
    const p = new InProcessSearchProvider();
    await p.replaceAll(
      (async function* () {
        yield makeDoc('a', { topics: ['环境', '民生'], grade: 'L1', sharingType: 'unconditional', hasGeometry: true });
        yield makeDoc('b', { topics: ['环境'], grade: 'L2', sharingType: 'conditional', updateCycle: 'monthly' });
        yield makeDoc('c', { topics: [], grade: 'L2', sharingType: 'conditional', updateCycle: 'monthly' });
      })(),
    );
    const r = await p.search({
      viewer: ALL,
      facets: ['topic', 'grade', 'sharingType', 'updateCycle', 'hasGeometry'],
    });
    const byValue = (v: { value: string; count: number }[] | undefined) =>
      Object.fromEntries((v ?? []).map((x) => [x.value, x.count]));
    expect(byValue(r.facets.topic)).toEqual({ 环境: 2, 民生: 1 });
    expect(byValue(r.facets.grade)).toEqual({ L1: 1, L2: 2 });
    expect(byValue(r.facets.sharingType)).toEqual({ unconditional: 1, conditional: 2 });
    expect(byValue(r.facets.updateCycle)).toEqual({ daily: 1, monthly: 2 });
    expect(byValue(r.facets.hasGeometry)).toEqual({ true: 1, false: 2 });
  });

  it('filters: OR within a facet, AND across facets; facet counts over the filtered set', async () => {
    expect(ids(await find({ filters: { format: ['json'] } }))).toEqual(['bus']);
    const r = await find({
      filters: { format: ['csv', 'json'], department: ['dept-env', 'dept-tr'] },
      facets: ['format', 'department', 'hasApi', 'updateCycle'],
      limit: 100,
    });
    expect(ids(r).sort()).toEqual(['air', 'bus', 'draftopen', 'fines', 'secret', 'weather']);
    expect(r.facets.format).toEqual([
      { value: 'csv', count: 5 },
      { value: 'json', count: 1 },
    ]);
    expect(r.facets.department).toEqual([
      { value: 'dept-env', count: 3 },
      { value: 'dept-tr', count: 3 },
    ]);
    expect(r.facets.hasApi).toEqual([
      { value: 'false', count: 5 },
      { value: 'true', count: 1 },
    ]);
    expect(ids(await find({ filters: { hasApi: ['true'] } }))).toEqual(['bus']);
    expect(ids(await find({ q: '数据', filters: { hasGeometry: ['true'] } }))).toEqual(['air']);
    expect((await find({ filters: { format: ['pdf'] } })).total).toBe(0);
    const tags = await find({ q: '空气', facets: ['tag', 'domain'] });
    expect(tags.facets).toEqual({ tag: [{ value: '环境', count: 1 }], domain: [{ value: '资源环境', count: 1 }] });
  });

  it('sorts by relevance, update time and popularity, and pages', async () => {
    await search.upsert(makeDoc('park-exact', { name: '停车场', popularity: 1 }));
    await search.upsert(makeDoc('park-long', { name: '城区道路停车场收费标准', popularity: 999 }));
    await search.upsert(makeDoc('park-abstract', { name: '道路设施', abstract: '含停车场', popularity: 5000 }));
    expect(ids(await find({ q: '停车场' }))).toEqual(['park-exact', 'park-long', 'park-abstract']);
    // Equal relevance: more popular first, then more recently updated.
    await search.upsert(makeDoc('tie-a', { name: '人口统计年报', popularity: 10, updatedAt: '2022-01-01T00:00:00Z' }));
    await search.upsert(makeDoc('tie-b', { name: '人口统计年报', popularity: 20, updatedAt: '2021-01-01T00:00:00Z' }));
    await search.upsert(makeDoc('tie-c', { name: '人口统计年报', popularity: 10, updatedAt: '2023-01-01T00:00:00Z' }));
    expect(ids(await find({ q: '人口统计年报' }))).toEqual(['tie-b', 'tie-c', 'tie-a']);

    const updated = await find({ q: '数据', sort: 'updated' });
    expect(ids(updated)).toEqual(['weather', 'air']);
    const popular = await find({ sort: 'popularity', limit: 3 });
    expect(ids(popular)).toEqual(['park-abstract', 'park-long', 'bus']);
    const page2 = await find({ sort: 'popularity', offset: 1, limit: 2 });
    expect(ids(page2)).toEqual(['park-long', 'bus']);
    expect(page2.total).toBe(FIXTURES.length + 6);
  });

  it('upsert and remove are incremental: a renamed doc is found by its new name only', async () => {
    const air = FIXTURES.find((d) => d.id === 'air')!;
    await search.upsert({ ...air, name: '大气环境监测数据', nameEn: null, abstract: '' });
    expect(search.size()).toBe(FIXTURES.length);
    expect((await find({ q: '空气质量' })).total).toBe(0);
    expect((await find({ q: 'kqzl' })).total).toBe(0);
    expect(ids(await find({ q: '大气环境' }))).toEqual(['air']);
    expect(ids(await find({ q: 'daqi' }))).toEqual(['air']);
    // Visibility follows the new version too.
    await search.upsert({ ...air, name: '大气环境监测数据', openType: 'none', sharingType: 'none' });
    expect((await search.search({ viewer: PUBLIC, q: '大气' })).total).toBe(0);
    await search.remove('air');
    await search.remove('no-such-id');
    expect(search.size()).toBe(FIXTURES.length - 1);
    expect((await find({ q: '大气' })).total).toBe(0);
    expect((await find({ filters: { hasGeometry: ['true'] } })).total).toBe(0);
  });

  it('a repeated search follows edits at once: browse order and facet counts, typo matches of new words', async () => {
    const browse = (): Promise<SearchResult> => find({ sort: 'popularity', limit: 2, facets: ['format', 'tag'] });
    expect(ids(await browse())).toEqual(['bus', 'air']);
    expect((await browse()).facets.format).toEqual([
      { value: 'csv', count: 7 },
      { value: 'json', count: 1 },
      { value: 'xlsx', count: 1 },
    ]);
    await search.upsert(makeDoc('hot', { name: '热门数据', format: 'json', tags: ['热门'], popularity: 100 }));
    const after = await browse();
    expect(ids(after)).toEqual(['hot', 'bus']);
    expect(after.facets.format).toEqual([
      { value: 'csv', count: 7 },
      { value: 'json', count: 2 },
      { value: 'xlsx', count: 1 },
    ]);
    expect(after.facets.tag).toContainEqual({ value: '热门', count: 1 });
    await search.remove('bus');
    const removed = await browse();
    expect(ids(removed)).toEqual(['hot', 'air']);
    expect(removed.facets.format).toContainEqual({ value: 'json', count: 1 });

    expect((await find({ q: 'paking' })).total).toBe(0);
    await search.upsert(makeDoc('parking', { name: '停车场', nameEn: 'Public parking' }));
    expect(ids(await find({ q: 'paking' }))).toEqual(['parking']);
  });

  it('stays correct across many edits (dead postings are compacted away)', async () => {
    const abstract = '本数据集记录全市各区县公共服务设施的名称地址类别开放时间联系方式等详细信息'.repeat(4);
    for (let i = 0; i < 300; i++) {
      await search.upsert(makeDoc('churn', { name: `公共设施名录 v${String(i)}`, abstract }));
    }
    expect(search.size()).toBe(FIXTURES.length + 1);
    expect(ids(await find({ q: 'v299' }))).toEqual(['churn']);
    expect((await find({ q: 'v298' })).total).toBe(0);
    expect((await find({ q: '公共设施' })).total).toBe(1);
    expect(ids(await find({ q: '空气质量' }))).toEqual(['air']);
  });

  it('replaceAll swaps in a new corpus from an async iterable', async () => {
    async function* source(): AsyncGenerator<SearchDoc> {
      yield makeDoc('n1', { name: '地铁客流统计' });
      yield makeDoc('n2', { name: '医疗机构名录', status: 'draft' });
    }
    await search.replaceAll(source());
    expect(search.size()).toBe(2);
    expect((await find({ q: '空气' })).total).toBe(0);
    expect(ids(await find({ q: 'ditie' }))).toEqual(['n1']);
    expect(ids(await search.search({ viewer: PUBLIC }))).toEqual(['n1']);
  });

  it('a failing replaceAll source leaves the old corpus in place', async () => {
    function* broken(): Generator<SearchDoc> {
      yield makeDoc('b1', { name: '地铁客流统计' });
      throw new Error('source failed');
    }
    await expect(search.replaceAll(broken())).rejects.toThrow('source failed');
    expect(search.size()).toBe(FIXTURES.length);
    expect(ids(await find({ q: '空气质量' }))).toEqual(['air']);
    expect((await find({ q: '地铁' })).total).toBe(0);
  });

  it('keeps edits made while replaceAll is running', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<SearchDoc> {
      yield makeDoc('r1', { name: '旅游景区名录' });
      await gate;
      yield makeDoc('r2', { name: '文物保护单位' });
    }
    const done = search.replaceAll(slow());
    await new Promise((r) => setTimeout(r, 10));
    // The old corpus stays searchable until the swap.
    expect(ids(await find({ q: '空气质量' }))).toEqual(['air']);
    await search.upsert(makeDoc('late', { name: '养老机构名录' }));
    await search.remove('r1');
    release();
    await done;
    expect(ids(await find({ limit: 10 })).sort()).toEqual(['late', 'r2']);
  });
});

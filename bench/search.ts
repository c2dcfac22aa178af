/**
 * Search latency bench: 20,000 synthetic catalogue entries, ~500 mixed queries.
 * Run: npx tsx bench/search.ts [--docs N] [--queries N]
 * Writes bench/results/search-latency.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InProcessSearchProvider, type SearchDoc, type SearchQuery } from '../src/modules/search/index.ts';

/** Deterministic PRNG (mulberry32) so every run indexes and queries the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEPARTMENTS: [string, string, string][] = [
  ['市生态环境局', 'STHJJ', '资源环境'],
  ['市交通运输局', 'JTYSJ', '道路交通'],
  ['市市场监督管理局', 'SCJGJ', '企业服务'],
  ['市卫生健康委员会', 'WSJKW', '医疗卫生'],
  ['市教育局', 'JYJ', '教育科技'],
  ['市人力资源和社会保障局', 'RSJ', '社会保障'],
  ['市住房和城乡建设局', 'ZJJ', '城市建设'],
  ['市公安局', 'GAJ', '公共安全'],
  ['市民政局', 'MZJ', '民生服务'],
  ['市财政局', 'CZJ', '财税金融'],
  ['市统计局', 'TJJ', '经济发展'],
  ['市文化广电旅游局', 'WGLJ', '文化旅游'],
  ['市规划和自然资源局', 'GHZYJ', '资源环境'],
  ['市水务局', 'SWJ', '城市建设'],
  ['市应急管理局', 'YJGLJ', '公共安全'],
  ['市医疗保障局', 'YBJ', '医疗卫生'],
  ['市税务局', 'SWUJ', '财税金融'],
  ['市科学技术局', 'KJJ', '教育科技'],
  ['市商务局', 'SWJU', '经济发展'],
  ['市农业农村局', 'NYNCJ', '经济发展'],
];
const SUBJECTS = [
  '空气质量监测',
  '水质自动监测',
  '噪声监测',
  '公交线路',
  '公共汽车站点',
  '地铁客流',
  '道路交通事故',
  '停车场',
  '企业登记',
  '法人基本信息',
  '个体工商户',
  '食品经营许可',
  '医疗机构',
  '医师执业注册',
  '疫苗接种点',
  '中小学校',
  '幼儿园',
  '社会保险参保',
  '就业登记',
  '保障性住房',
  '建筑工程施工许可',
  '养老机构',
  '婚姻登记',
  '财政预算',
  '国民经济核算',
  '旅游景区',
  '文物保护单位',
  '土地供应',
  '河道水位',
  '应急避难场所',
  '药品零售企业',
  '高新技术企业',
  '进出口贸易',
  '农产品价格',
  '气象观测站',
  '充电桩',
  '公共厕所',
  '行政处罚',
  '信用评价',
  '人口统计',
];
const SUFFIXES = ['信息', '数据', '统计', '名录', '台账', '明细', '汇总表', '年度报告', '实时数据', '分布'];
const PLACES = ['', '', '', '全市', '城区', '东城区', '西城区', '高新区', '经开区'];
const YEARS = ['', '', '2021年', '2022年', '2023年', '2024年'];
const FIELD_NAMES = [
  ['统一社会信用代码', '18 位统一社会信用代码'],
  ['企业名称', '登记的企业名称'],
  ['法定代表人', null],
  ['行政区划代码', 'GB/T 2260 六位代码'],
  ['地址', '详细地址'],
  ['经度', 'WGS-84 经度'],
  ['纬度', 'WGS-84 纬度'],
  ['监测时间', null],
  ['PM2.5浓度', '细颗粒物浓度 μg/m³'],
  ['联系电话', null],
  ['发证日期', null],
  ['有效期至', null],
  ['线路名称', null],
  ['站点名称', 'station name'],
  ['床位数', null],
  ['金额(万元)', null],
  ['身份证号', '居民身份证号码，已脱敏'],
  ['更新时间', null],
] as const;
const TAGS = ['环境', '交通', '民生', '企业', '医疗', '教育', '信用', '统计', '实时', '地理', '安全', '旅游'];
const FORMATS = ['csv', 'xlsx', 'json', 'api', 'geojson'];
const SHARING = ['unconditional', 'conditional', 'none'];
const OPEN = ['unconditional', 'conditional', 'none'];
const GRADES = ['L1', 'L2', 'L3', 'L4'];
const CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'];
const STATUSES = ['published', 'published', 'published', 'draft', 'pending_review', 'retired'];

export function generateDocs(count: number, seed = 42): SearchDoc[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const docs: SearchDoc[] = [];
  for (let i = 0; i < count; i++) {
    const [deptName, deptCode, domain] = pick(DEPARTMENTS);
    const subject = pick(SUBJECTS);
    const name = `${pick(PLACES)}${pick(YEARS)}${subject}${pick(SUFFIXES)}`;
    const fieldCount = 4 + Math.floor(r() * 8);
    const fields = Array.from({ length: fieldCount }, () => {
      const [fname, desc] = pick(FIELD_NAMES);
      return { name: fname, description: desc };
    });
    const openType = pick(OPEN);
    docs.push({
      id: `ds-${i.toString().padStart(6, '0')}`,
      code: `${deptCode}-${(2 + Math.floor(r() * 3)).toString()}${(100 + (i % 900)).toString()}-${i.toString().padStart(5, '0')}`,
      name,
      nameEn: r() < 0.3 ? `${subject} dataset ${i}` : null,
      abstract: `${deptName}发布的${name}，包括${fields
        .slice(0, 3)
        .map((f) => f.name)
        .join('、')}等信息，按${pick(['日', '月', '季度', '年'])}更新，供社会公众和相关部门查询利用。`,
      fields,
      tags: [pick(TAGS), pick(TAGS)],
      departmentId: `dept-${deptCode.toLowerCase()}`,
      departmentName: deptName,
      departmentCode: deptCode,
      domain,
      topics: r() < 0.5 ? [pick(['生态环保', '公共服务', '信用体系', '城乡建设', '安全生产'])] : [],
      format: pick(FORMATS),
      sharingType: pick(SHARING),
      openType,
      grade: pick(GRADES),
      updateCycle: pick(CYCLES),
      hasApi: r() < 0.4,
      hasGeometry: r() < 0.25,
      status: pick(STATUSES),
      updatedAt: new Date(Date.UTC(2020, 0, 1) + Math.floor(r() * 5 * 365 * 86_400_000)).toISOString(),
      popularity: Math.floor(r() ** 3 * 10_000),
    });
  }
  return docs;
}

function generateQueries(count: number, seed = 7): SearchQuery[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const texts = [
    '空气质量',
    '空气',
    '质量',
    '公交',
    '企业',
    '医疗机构',
    '学校',
    '交通事故',
    '数据',
    '监测',
    '停车',
    '充电桩 分布',
    '2023年 企业登记',
    '东城区 养老',
    'kongqi zhiliang',
    'kongqizhiliang',
    'kqzl',
    'gongjiao',
    'qiye',
    'jtsg',
    'kq质量',
    'yiliao jigou',
    'station',
    'stationn',
    'dataset',
    'datset',
    'STHJJ',
    '公共汽车',
    '法人',
    '市场监督',
  ];
  const fieldTexts = ['统一社会信用代码', '经度', '身份证', 'PM2.5', '线路名称', 'tyshxydm'];
  const viewers: SearchQuery['viewer'][] = [
    { kind: 'public' },
    { kind: 'public' },
    { kind: 'all' },
    { kind: 'department', departmentId: 'dept-sthjj' },
    { kind: 'department', departmentId: 'dept-jtysj' },
  ];
  const queries: SearchQuery[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r();
    const q: SearchQuery = { viewer: pick(viewers), limit: 20 };
    if (kind < 0.6) q.q = pick(texts);
    else if (kind < 0.75) q.fieldQuery = pick(fieldTexts);
    else if (kind < 0.85) {
      q.q = pick(texts);
      q.filters = { format: [pick(FORMATS)], domain: [pick(DEPARTMENTS)[2]] };
    }
    // else: browse with facets only
    if (r() < 0.5) q.facets = ['department', 'domain', 'format', 'openType', 'grade', 'tag', 'hasApi'];
    const s = r();
    q.sort = s < 0.7 ? 'relevance' : s < 0.85 ? 'updated' : 'popularity';
    if (r() < 0.1) q.offset = 20 + Math.floor(r() * 5) * 20;
    queries.push(q);
  }
  return queries;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

export interface SearchLatencyFigures {
  docs: number;
  queries: number;
  indexMs: number;
  heapMb: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time per query (process-wide): less sensitive than wall time to other load on a shared machine. */
  cpuP50Ms: number;
  cpuP99Ms: number;
  meanHits: number;
  byKind: Record<string, { count: number; p50Ms: number; p99Ms: number }>;
}

function queryKind(q: SearchQuery): string {
  if (q.fieldQuery) return 'field';
  if (!q.q) return 'browse';
  if (q.filters) return 'text+filters';
  if (/^[a-z ]+$/i.test(q.q)) return 'latin/pinyin';
  return 'chinese';
}

export async function runSearchLatencyBench(opts: { docs: number; queries: number }): Promise<SearchLatencyFigures> {
  const docs = generateDocs(opts.docs);
  const provider = new InProcessSearchProvider();
  await provider.setSynonyms([
    ['企业', '法人'],
    ['公交', '公共汽车'],
  ]);
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  await provider.replaceAll(docs);
  const indexMs = performance.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const queries = generateQueries(opts.queries);
  // Warm-up: the first calls pay for JIT compilation, which a running server has paid already.
  for (const q of queries.slice(0, 50)) await provider.search(q);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const perKind = new Map<string, number[]>();
  let hitsTotal = 0;
  for (const q of queries) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const res = await provider.search(q);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    times.push(ms);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    hitsTotal += res.total;
    const k = queryKind(q);
    let kindTimes = perKind.get(k);
    if (!kindTimes) perKind.set(k, (kindTimes = []));
    kindTimes.push(ms);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const byKind: SearchLatencyFigures['byKind'] = {};
  for (const [k, ts] of perKind) {
    ts.sort((a, b) => a - b);
    byKind[k] = { count: ts.length, p50Ms: round(percentile(ts, 50)), p99Ms: round(percentile(ts, 99)) };
  }
  return {
    docs: opts.docs,
    queries: queries.length,
    indexMs: Math.round(indexMs),
    heapMb: Math.round(heapMb),
    p50Ms: round(percentile(times, 50)),
    p90Ms: round(percentile(times, 90)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times[times.length - 1] ?? 0),
    cpuP50Ms: round(percentile(cpuTimes, 50)),
    cpuP99Ms: round(percentile(cpuTimes, 99)),
    meanHits: Math.round(hitsTotal / Math.max(1, queries.length)),
    byKind,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    const v = i >= 0 ? Number(args[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const figures = await runSearchLatencyBench({ docs: arg('--docs', 20_000), queries: arg('--queries', 500) });
  console.log(JSON.stringify(figures, null, 2));
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'search-latency.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ ...figures, measuredAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(
    `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms (CPU p99 ${figures.cpuP99Ms} ms) over ${figures.docs} docs → ${out}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

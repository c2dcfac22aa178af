/**
 * Search relevance bench: the demo catalogue indexed as the portal indexes it, queried with the relevance set
 * (bench/relevance-set.json: Chinese words, pinyin, initials, synonyms, field queries) as the anonymous public.
 * Reports recall@5 and nDCG@10. Run: npx tsx bench/relevance.ts (also part of `npm run bench`).
 * Writes bench/results/search-relevance.json.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The default synonym groups the catalogue seeds at start (the bench runs without a database).
import { DEFAULT_VOCABULARIES } from '../src/modules/catalogue/vocabulary-defaults.ts';
import { buildDemoCity, type DemoResource } from '../src/modules/demo/index.ts';
import { InProcessSearchProvider, type SearchDoc } from '../src/modules/search/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SET_FILE = join(HERE, 'relevance-set.json');
const OUT_FILE = join(HERE, 'results', 'search-relevance.json');

export interface RelevanceQuery {
  kind: string;
  q?: string;
  fieldQuery?: string;
  expected: string[];
  partial?: string[];
}

export interface RelevanceResult {
  queries: number;
  recallAt5: number;
  ndcgAt10: number;
  byKind: Record<string, { queries: number; recallAt5: number; ndcgAt10: number }>;
  misses: { query: string; kind: string; expected: string[]; top5: string[]; recallAt5: number; ndcgAt10: number }[];
}

/** The demo resource as the catalogue's search document (the same fields toSearchDoc fills from a Resource). */
function demoDoc(r: DemoResource, dept: { code: string; name: string }, i: number): SearchDoc {
  return {
    id: r.key,
    code: `${r.classCategory}${r.classItem}${r.classCatalog}/${String(i + 1).padStart(6, '0')}`,
    name: r.name,
    nameEn: r.nameEn ?? null,
    abstract: r.abstract,
    fields: r.fields.map((f) => ({ name: f.name, description: f.description ?? null })),
    tags: r.tags,
    departmentId: dept.code,
    departmentName: dept.name,
    departmentCode: dept.code,
    domain: r.domain,
    topics: r.topics,
    format: r.format,
    sharingType: r.sharingType,
    openType: r.openType,
    grade: r.grade ?? 'L1',
    updateCycle: r.updateCycle,
    hasApi: r.sharingMethod === 'api',
    hasGeometry: r.geo !== undefined,
    status: r.status,
    // A fixed date: ranking must not depend on when the bench runs.
    updatedAt: '2026-01-01T00:00:00.000Z',
    popularity: 0,
  };
}

/** Whether the anonymous public sees a resource (the catalogue's rule). */
const publiclyVisible = (r: DemoResource) => r.status === 'published' && r.openType !== 'none';

function dcg(gains: number[]): number {
  return gains.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
}

export async function loadRelevanceSet(): Promise<RelevanceQuery[]> {
  const raw = JSON.parse(await readFile(SET_FILE, 'utf8')) as { queries: RelevanceQuery[] };
  return raw.queries;
}

export async function runRelevanceBench(): Promise<{ queries: number; recallAt5: number; ndcgAt10: number }> {
  const result = await measureRelevance();
  await mkdir(dirname(OUT_FILE), { recursive: true });
  await writeFile(OUT_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`);
  return { queries: result.queries, recallAt5: result.recallAt5, ndcgAt10: result.ndcgAt10 };
}

export async function measureRelevance(): Promise<RelevanceResult> {
  const city = buildDemoCity();
  const depts = new Map(city.departments.map((d) => [d.code, d]));
  const byKey = new Map(city.resources.map((r) => [r.key, r]));
  const provider = new InProcessSearchProvider();
  await provider.setSynonyms(
    DEFAULT_VOCABULARIES.synonym.map((s) =>
      s.zh
        .split(/[,，、\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  );
  await provider.replaceAll(
    city.resources.map((r, i) => demoDoc(r, depts.get(r.providerCode) ?? { code: r.providerCode, name: '' }, i)),
  );

  const set = await loadRelevanceSet();
  const perQuery: { kind: string; recall: number; ndcg: number }[] = [];
  const misses: RelevanceResult['misses'] = [];
  for (const q of set) {
    const label = q.q ?? `field:${q.fieldQuery}`;
    for (const k of [...q.expected, ...(q.partial ?? [])]) {
      const r = byKey.get(k);
      if (!r) throw new Error(`relevance set: "${label}" names unknown demo resource ${k}`);
      if (!publiclyVisible(r)) throw new Error(`relevance set: "${label}" expects ${k}, which the public cannot see`);
    }
    const res = await provider.search({
      q: q.q,
      fieldQuery: q.fieldQuery,
      sort: 'relevance',
      limit: 10,
      viewer: { kind: 'public' },
    });
    const ranked = res.hits.map((h) => h.id);
    const gain = (id: string) => (q.expected.includes(id) ? 2 : (q.partial ?? []).includes(id) ? 1 : 0);
    // Capped recall: a query with more than five relevant datasets can still score 1 in its first five.
    const recall = ranked.slice(0, 5).filter((id) => q.expected.includes(id)).length / Math.min(5, q.expected.length);
    const ideal = [...q.expected.map(() => 2), ...(q.partial ?? []).map(() => 1)].slice(0, 10);
    const ndcg = dcg(ranked.slice(0, 10).map(gain)) / dcg(ideal);
    perQuery.push({ kind: q.kind, recall, ndcg });
    if (recall < 1 || ndcg < 0.9)
      misses.push({
        query: label,
        kind: q.kind,
        expected: q.expected,
        top5: ranked.slice(0, 5),
        recallAt5: round(recall),
        ndcgAt10: round(ndcg),
      });
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byKind: RelevanceResult['byKind'] = {};
  for (const kind of [...new Set(perQuery.map((p) => p.kind))]) {
    const ps = perQuery.filter((p) => p.kind === kind);
    byKind[kind] = {
      queries: ps.length,
      recallAt5: round(mean(ps.map((p) => p.recall))),
      ndcgAt10: round(mean(ps.map((p) => p.ndcg))),
    };
  }
  return {
    queries: perQuery.length,
    recallAt5: round(mean(perQuery.map((p) => p.recall))),
    ndcgAt10: round(mean(perQuery.map((p) => p.ndcg))),
    byKind,
    misses,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await measureRelevance();
  await mkdir(dirname(OUT_FILE), { recursive: true });
  await writeFile(OUT_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2)}\n`);
  console.log(`relevance: ${r.queries} queries, recall@5 ${r.recallAt5}, nDCG@10 ${r.ndcgAt10}`);
  for (const [kind, v] of Object.entries(r.byKind))
    console.log(
      `  ${kind.padEnd(9)} ${String(v.queries).padStart(3)} queries  recall@5 ${v.recallAt5}  nDCG@10 ${v.ndcgAt10}`,
    );
  for (const m of r.misses)
    console.log(
      `  miss [${m.kind}] ${m.query}: expected ${m.expected.join(',')} → top5 ${m.top5.join(',') || '(none)'}`,
    );
  console.log(`written to ${OUT_FILE}`);
}

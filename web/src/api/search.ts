import { ApiError, get } from './client.ts';
import type { Page, Resource } from './types.ts';

export const FACETS = ['domain', 'department', 'openType', 'format', 'grade', 'updateCycle'] as const;
export type Facet = (typeof FACETS)[number];
/** Vocabulary kind holding the labels of a facet's values (department is resolved by id). */
export const FACET_VOCAB: Record<Facet, string | null> = {
  domain: 'domain',
  department: null,
  openType: 'open_type',
  format: 'format',
  grade: 'grade',
  updateCycle: 'update_cycle',
};

export interface SearchParams {
  q: string;
  filters: Partial<Record<Facet, string[]>>;
  sort: 'relevance' | 'updated' | 'name' | 'popularity';
  page: number;
  pageSize: number;
}

export interface SearchOutcome {
  total: number;
  items: (Resource & { highlights?: string[] })[];
  facets: Partial<Record<Facet, { value: string; count: number }[]>>;
}

interface SearchHitWire {
  id: string;
  highlights?: string[];
  resource?: Resource;
}
interface SearchWire {
  total: number;
  items?: Resource[];
  hits?: (SearchHitWire & Partial<Resource>)[];
  facets?: Partial<Record<Facet, { value: string; count: number }[]>>;
}

const facetValue = (r: Resource, f: Facet): string | null => {
  switch (f) {
    case 'department':
      return r.providerId;
    case 'domain':
      return r.domain;
    default:
      return (r[f] as string | null) ?? null;
  }
};

/** The search service (Chinese + pinyin + facets), with a fallback on the plain catalogue list while it is missing. */
export async function searchCatalogue(p: SearchParams): Promise<SearchOutcome> {
  const query: Record<string, string | number | string[]> = {
    q: p.q,
    facets: [...FACETS],
    sort: p.sort === 'name' ? 'relevance' : p.sort,
    limit: p.pageSize,
    offset: (p.page - 1) * p.pageSize,
  };
  for (const f of FACETS) if (p.filters[f]?.length) query[f] = p.filters[f];
  try {
    const res = await get<SearchWire>('/api/v1/search', query);
    return { total: res.total, facets: res.facets ?? {}, items: await hydrate(res) };
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  return fallbackSearch(p);
}

async function hydrate(res: SearchWire): Promise<SearchOutcome['items']> {
  if (res.items) return res.items;
  const hits = res.hits ?? [];
  return Promise.all(
    hits.map(async (h) => {
      if (h.resource) return { ...h.resource, highlights: h.highlights };
      if (h.name && h.providerId) return { ...(h as Resource), highlights: h.highlights };
      const r = await get<Resource>(`/api/v1/resources/${encodeURIComponent(h.id)}`);
      return { ...r, highlights: h.highlights };
    }),
  );
}

/**
 * Until GET /api/v1/search exists: the catalogue list's substring search over at most 500 resources, with facets
 * counted and paging done here (honest for a small catalogue only).
 */
async function fallbackSearch(p: SearchParams): Promise<SearchOutcome> {
  const sort = p.sort === 'relevance' ? 'updated' : p.sort;
  const page = await get<Page<Resource>>('/api/v1/resources', { q: p.q || undefined, sort, limit: 500 });
  const matches = (r: Resource, except?: Facet) =>
    FACETS.every((f) => {
      if (f === except) return true;
      const wanted = p.filters[f];
      if (!wanted?.length) return true;
      const v = facetValue(r, f);
      return v !== null && wanted.includes(v);
    });
  const filtered = page.items.filter((r) => matches(r));
  const facets: SearchOutcome['facets'] = {};
  for (const f of FACETS) {
    // Counts of a facet ignore its own selection, so other values stay selectable (OR within a facet).
    const counts = new Map<string, number>();
    for (const r of page.items) {
      if (!matches(r, f)) continue;
      const v = facetValue(r, f);
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    facets[f] = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
  }
  const start = (p.page - 1) * p.pageSize;
  return { total: filtered.length, facets, items: filtered.slice(start, start + p.pageSize) };
}

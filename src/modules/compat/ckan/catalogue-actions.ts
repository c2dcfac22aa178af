import type { AppContext } from '../../../context.ts';
import { AppError, badRequest, notFound } from '../../../platform/http/errors.ts';
import { ANONYMOUS, type Actor } from '../../access/index.ts';
import { getResource, listResources, listVocabulary, type Department, type Resource } from '../../catalogue/index.ts';
import { datastoreRepo } from '../../datastore/index.ts';
import { viewerOf, type FacetName, type SearchProvider, type SearchQuery, type Viewer } from '../../search/index.ts';
import {
  codeFromPackageName,
  DOWNLOAD_FORMATS,
  organizationName,
  packageName,
  parseCkanResourceId,
} from '../mapping.ts';
import { bool, int, nameList, onlyKnown, str, type Params } from './params.ts';
import {
  loadLookups,
  presentGroup,
  presentOrganization,
  presentPackage,
  presentResources,
  presentTag,
  type Lookups,
} from './present.ts';
import { FILTER_FIELDS, parseSearchSyntax, parseSort, type FilterField, type ParsedQuery } from './search-syntax.ts';

/** CKAN's default `ckan.search.rows_max`. */
export const MAX_ROWS = 1000;
/** The provider returns at most this many hits per call; longer result sets are read in pages of it. */
const SCAN_PAGE = 1000;
const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format'] as const;
type CkanFacet = (typeof FACET_FIELDS)[number];
const PROVIDER_FACET: Record<Exclude<CkanFacet, 'res_format'>, FacetName> = {
  organization: 'department',
  groups: 'domain',
  tags: 'tag',
};
const RES_FORMATS = new Map<string, string>([
  ['API', 'API'],
  ...DOWNLOAD_FORMATS.map((f) => [f.ckan.toUpperCase(), f.ckan] as [string, string]),
]);

function provider(ctx: AppContext): SearchProvider {
  if (!ctx.search) throw new Error('the search index is not ready');
  return ctx.search;
}

/** Hydrates ids through the caller's visibility-checked list query, keeping the search order. */
async function hydrate(ctx: AppContext, actor: Actor, ids: string[]): Promise<Resource[]> {
  const out = new Map<string, Resource>();
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const { items } = await listResources(ctx.store.db, actor, {
      ids: batch,
      sort: 'updated',
      limit: batch.length,
      offset: 0,
    });
    for (const r of items) out.set(r.id, r);
  }
  return ids.flatMap((id) => (out.has(id) ? [out.get(id)!] : []));
}

/** Every hit of a query, in order (the provider pages at most SCAN_PAGE at a time). */
async function scanIds(search: SearchProvider, q: Omit<SearchQuery, 'offset' | 'limit' | 'facets'>): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += SCAN_PAGE) {
    const r = await search.search({ ...q, offset, limit: SCAN_PAGE });
    ids.push(...r.hits.map((h) => h.id));
    if (r.hits.length < SCAN_PAGE || ids.length >= r.total) return ids;
  }
}

async function withData(ctx: AppContext, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000)
    for (const v of await datastoreRepo.currentMany(ctx.store.db, ids.slice(i, i + 1000))) out.add(v.resource_id);
  return out;
}

function findDepartment(departments: Iterable<Department>, key: string): Department | undefined {
  const k = key.toLowerCase();
  for (const d of departments) if (d.id === key || organizationName(d) === k) return d;
  return undefined;
}

export const PACKAGE_SEARCH_PARAMS = [
  'q',
  'fq',
  'fq_list',
  'rows',
  'start',
  'sort',
  'facet',
  'facet.field',
  'facet.limit',
  'facet.mincount',
  'include_private',
  'include_drafts',
] as const;

export async function packageSearch(ctx: AppContext, actor: Actor, p: Params) {
  onlyKnown('package_search', p, PACKAGE_SEARCH_PARAMS);
  const search = provider(ctx);
  const rows = int(p, 'rows', { min: 0, max: MAX_ROWS, dflt: 10 })!;
  const start = int(p, 'start', { min: 0, max: 1_000_000, dflt: 0 })!;
  const parsed: ParsedQuery = parseSearchSyntax(str(p, 'q', { max: 500 }) ?? '', 'q');
  const fqs = [str(p, 'fq', { max: 2000 }) ?? '', ...(nameList(p, 'fq_list', 20) ?? [])];
  for (const fq of fqs) {
    const f = parseSearchSyntax(fq, 'fq');
    for (const [k, v] of Object.entries(f.filters)) {
      if (parsed.filters[k as FilterField])
        throw badRequest('unsupported_query_syntax', `${k} is filtered twice; write one clause ${k}:(a OR b)`, {
          field: 'fq',
        });
      parsed.filters[k as FilterField] = v;
    }
  }
  const facetOn = bool(p, 'facet', true);
  const facetFields = (facetOn ? (nameList(p, 'facet.field') ?? []) : []).map((f): CkanFacet => {
    if (!(FACET_FIELDS as readonly string[]).includes(f))
      throw badRequest('unknown_facet', `Unknown facet field "${f}"; facet.field takes ${FACET_FIELDS.join(', ')}`, {
        field: 'facet.field',
      });
    return f as CkanFacet;
  });
  const facetLimitRaw = int(p, 'facet.limit', { min: -1, max: 1000, dflt: 50 })!;
  const facetLimit = facetLimitRaw < 0 ? 1000 : facetLimitRaw;
  const facetMin = int(p, 'facet.mincount', { min: 0, max: 1_000_000, dflt: 1 })!;
  const includePrivate = bool(p, 'include_private', false);
  bool(p, 'include_drafts', false);
  const text = parsed.words.join(' ').trim();
  const sort = parseSort(str(p, 'sort', { max: 200 }), text !== '');
  // Without include_private only what the public sees; with it, whatever this caller may see (as in CKAN).
  const viewer: Viewer = includePrivate ? viewerOf(actor) : { kind: 'public' };

  const lookups = await loadLookups(ctx, []);
  const filters: Partial<Record<FacetName, string[]>> = {};
  const f = parsed.filters;
  if (f.organization || f.owner_org) {
    const ids = [
      ...(f.organization ?? []).map((n) => findDepartment(lookups.departments.values(), n)?.id ?? `unknown:${n}`),
      ...(f.owner_org ?? []),
    ];
    filters.department = ids;
  }
  if (f.groups) filters.domain = f.groups;
  if (f.tags) filters.tag = f.tags;
  const resFormats = f.res_format?.map((v) => v.toUpperCase());
  const providerFacets = facetFields
    .filter((x): x is Exclude<CkanFacet, 'res_format'> => x !== 'res_format')
    .map((x) => PROVIDER_FACET[x]);
  const base = { q: text || undefined, filters, sort, viewer };

  let ids: string[];
  let total: number;
  let counts: Partial<Record<CkanFacet, { value: string; count: number }[]>> = {};
  if (!resFormats && !facetFields.includes('res_format')) {
    const r = await search.search({ ...base, facets: providerFacets, offset: start, limit: rows });
    ids = r.hits.map((h) => h.id);
    total = r.total;
    for (const x of facetFields) counts[x] = r.facets[PROVIDER_FACET[x as Exclude<CkanFacet, 'res_format'>]] ?? [];
  } else {
    // res_format depends on whether data is loaded, which the search index does not know: read the whole hit list,
    // keep what matches, and count facets over it (fine for catalogues of tens of thousands of entries).
    let all = await scanIds(search, base);
    const data = await withData(ctx, all);
    const geo = new Set(await scanIds(search, { ...base, filters: { ...filters, hasGeometry: ['true'] } }));
    const formatsOf = (id: string): string[] =>
      data.has(id) ? [...RES_FORMATS.values()].filter((fmt) => fmt !== 'GeoJSON' || geo.has(id)) : [];
    if (resFormats) all = all.filter((id) => formatsOf(id).some((fmt) => resFormats.includes(fmt.toUpperCase())));
    total = all.length;
    ids = all.slice(start, start + rows);
    const wanted = facetFields.filter((x) => x !== 'res_format');
    if (wanted.length && !resFormats) {
      const r = await search.search({ ...base, facets: providerFacets, offset: 0, limit: 0 });
      for (const x of wanted) counts[x] = r.facets[PROVIDER_FACET[x as Exclude<CkanFacet, 'res_format'>]] ?? [];
    } else if (wanted.length) counts = countFacets(await hydrate(ctx, actor, all), wanted);
    if (facetFields.includes('res_format')) {
      const c = new Map<string, number>();
      for (const id of all) for (const fmt of formatsOf(id)) c.set(fmt, (c.get(fmt) ?? 0) + 1);
      counts.res_format = [...c].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
    }
  }
  const resources = await hydrate(ctx, actor, ids);
  const l = {
    ...lookups,
    data: (
      await loadLookups(
        ctx,
        resources.map((r) => r.id),
      )
    ).data,
  };
  const facets: Record<string, Record<string, number>> = {};
  const searchFacets: Record<
    string,
    { title: string; items: { name: string; display_name: string; count: number }[] }
  > = {};
  for (const x of facetFields) {
    const items = (counts[x] ?? [])
      .filter((v) => v.count >= facetMin)
      .slice(0, facetLimit)
      .map((v) => facetItem(x, v.value, v.count, l));
    facets[x] = Object.fromEntries(items.map((i) => [i.name, i.count]));
    searchFacets[x] = { title: x, items };
  }
  return {
    count: total,
    sort: str(p, 'sort') ?? (text ? 'score desc, metadata_modified desc' : 'metadata_modified desc'),
    facets,
    results: resources.map((r) => presentPackage(r, l)),
    search_facets: searchFacets,
  };
}

function facetItem(field: CkanFacet, value: string, count: number, l: Lookups) {
  if (field === 'organization') {
    const d = l.departments.get(value);
    return { name: d ? organizationName(d) : value, display_name: d?.name ?? value, count };
  }
  if (field === 'groups') return { name: value, display_name: l.domains.get(value) ?? value, count };
  return { name: value, display_name: value, count };
}

function countFacets(resources: Resource[], fields: CkanFacet[]) {
  const out: Partial<Record<CkanFacet, { value: string; count: number }[]>> = {};
  for (const field of fields) {
    const c = new Map<string, number>();
    for (const r of resources) {
      const values =
        field === 'organization' ? [r.providerId] : field === 'groups' ? (r.domain ? [r.domain] : []) : r.tags;
      for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
    }
    out[field] = [...c]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  }
  return out;
}

/** package_show: by id, by package name (code as a slug) or by resource code. */
export async function packageShow(ctx: AppContext, actor: Actor, p: Params) {
  onlyKnown('package_show', p, ['id', 'name_or_id', 'use_default_schema', 'include_tracking', 'include_plugin_data']);
  const key = str(p, 'id', { max: 200 }) ?? str(p, 'name_or_id', { max: 200 });
  if (!key) throw badRequest('missing_parameter', 'Missing value: id is required', { field: 'id' });
  const r = await getResource(ctx.store.db, actor, codeFromPackageName(key) ?? key).catch((err: unknown) => {
    throw err instanceof AppError && err.status === 404 ? notFound('Dataset', key) : err;
  });
  return presentPackage(r, await loadLookups(ctx, [r.id]));
}

/** Public, published packages, ordered by name, in pages (CKAN's package_list answers only public datasets). */
async function publicPackages(ctx: AppContext, limit: number, offset: number): Promise<Resource[]> {
  const out: Resource[] = [];
  for (let at = offset; out.length < limit;) {
    const take = Math.min(1000, limit - out.length);
    const { items } = await listResources(ctx.store.db, ANONYMOUS, {
      status: 'published',
      sort: 'name',
      limit: take,
      offset: at,
    });
    out.push(...items);
    if (items.length < take) break;
    at += items.length;
  }
  return out;
}

export async function packageList(ctx: AppContext, _actor: Actor, p: Params) {
  onlyKnown('package_list', p, ['limit', 'offset']);
  const limit = int(p, 'limit', { min: 0, max: 1_000_000, dflt: 1_000_000 })!;
  const offset = int(p, 'offset', { min: 0, max: 1_000_000, dflt: 0 })!;
  return (await publicPackages(ctx, limit, offset)).map(packageName);
}

function pageOf<T>(items: T[], p: Params): T[] {
  const limit = int(p, 'limit', { min: 0, max: 1000, dflt: 1000 })!;
  const offset = int(p, 'offset', { min: 0, max: 1_000_000, dflt: 0 })!;
  return items.slice(offset, offset + limit);
}

async function publicCounts(ctx: AppContext, facet: FacetName): Promise<Map<string, number>> {
  const r = await provider(ctx).search({ viewer: { kind: 'public' }, facets: [facet], limit: 0 });
  return new Map((r.facets[facet] ?? []).map((v) => [v.value, v.count]));
}

const LIST_PARAMS = ['all_fields', 'sort', 'limit', 'offset', 'q', 'include_dataset_count', 'include_extras'];

function sortList<T extends { name: string; title: string; package_count?: number }>(items: T[], sort: string): T[] {
  const s = sort.trim().toLowerCase().replace(/\s+/g, ' ');
  const cmp: Record<string, (a: T, b: T) => number> = {
    'name asc': (a, b) => a.name.localeCompare(b.name),
    'name desc': (a, b) => b.name.localeCompare(a.name),
    'title asc': (a, b) => a.title.localeCompare(b.title, 'zh'),
    'title desc': (a, b) => b.title.localeCompare(a.title, 'zh'),
    'package_count desc': (a, b) => (b.package_count ?? 0) - (a.package_count ?? 0) || a.name.localeCompare(b.name),
    'package_count asc': (a, b) => (a.package_count ?? 0) - (b.package_count ?? 0) || a.name.localeCompare(b.name),
  };
  const c = cmp[s];
  if (!c)
    throw badRequest(
      'unsupported_sort',
      `sort "${sort}" is not supported; use one of: ${Object.keys(cmp).join(' | ')}`,
      {
        field: 'sort',
      },
    );
  return [...items].sort(c);
}

export async function organizationList(ctx: AppContext, _actor: Actor, p: Params) {
  onlyKnown('organization_list', p, [
    ...LIST_PARAMS,
    'organizations',
    'include_groups',
    'include_tags',
    'include_users',
  ]);
  const all = bool(p, 'all_fields', false);
  const sort = str(p, 'sort') ?? 'name asc';
  const l = await loadLookups(ctx, []);
  // Counting is one query per department: only when the answer shows or sorts by it.
  const counts = all || /package_count/.test(sort) ? await publicCountsByDepartment(ctx, l) : new Map<string, number>();
  const q = str(p, 'q', { max: 100 })?.toLowerCase();
  const only = nameList(p, 'organizations', 1000)?.map((n) => n.toLowerCase());
  let items = [...l.departments.values()]
    .filter((d) => !only || only.includes(organizationName(d)))
    .filter((d) => !q || organizationName(d).includes(q) || d.name.toLowerCase().includes(q))
    .map((d) => presentOrganization(d, l, counts.get(d.id) ?? 0));
  items = pageOf(sortList(items, sort), p);
  if (!all) return items.map((o) => o.name);
  const withCount = bool(p, 'include_dataset_count', true);
  return items.map((o) => {
    if (withCount) return o;
    const { package_count: _drop, ...rest } = o;
    return rest;
  });
}

/** Public dataset counts per department, counted in SQL (the search facet keeps only the top 100 values). */
async function publicCountsByDepartment(ctx: AppContext, l: Lookups): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const d of l.departments.values()) {
    const { total } = await listResources(ctx.store.db, ANONYMOUS, {
      status: 'published',
      providerId: d.id,
      sort: 'updated',
      limit: 0,
      offset: 0,
    });
    counts.set(d.id, total);
  }
  return counts;
}

async function packagesOf(ctx: AppContext, actor: Actor, filters: Partial<Record<FacetName, string[]>>, l: Lookups) {
  const r = await provider(ctx).search({ viewer: viewerOf(actor), filters, sort: 'updated', limit: 1000 });
  const resources = await hydrate(
    ctx,
    actor,
    r.hits.map((h) => h.id),
  );
  const data = (
    await loadLookups(
      ctx,
      resources.map((x) => x.id),
    )
  ).data;
  return resources.map((x) => presentPackage(x, { ...l, data }));
}

export async function organizationShow(ctx: AppContext, actor: Actor, p: Params) {
  onlyKnown('organization_show', p, [
    'id',
    'include_datasets',
    'include_dataset_count',
    'include_extras',
    'include_users',
    'include_groups',
    'include_tags',
    'include_followers',
  ]);
  const id = str(p, 'id', { required: true, max: 200 })!;
  const l = await loadLookups(ctx, []);
  const d = findDepartment(l.departments.values(), id);
  if (!d) throw notFound('Organization', id);
  const counts = await publicCountsByDepartment(ctx, { ...l, departments: new Map([[d.id, d]]) });
  const org = presentOrganization(d, l, counts.get(d.id) ?? 0);
  if (!bool(p, 'include_datasets', false)) return org;
  return { ...org, packages: await packagesOf(ctx, actor, { department: [d.id] }, l) };
}

async function domains(ctx: AppContext) {
  return (await listVocabulary(ctx.store.db, 'domain')).filter((v) => v.active);
}

export async function groupList(ctx: AppContext, _actor: Actor, p: Params) {
  onlyKnown('group_list', p, [...LIST_PARAMS, 'groups', 'include_groups', 'include_tags', 'include_users']);
  const counts = await publicCounts(ctx, 'domain');
  const q = str(p, 'q', { max: 100 })?.toLowerCase();
  const only = nameList(p, 'groups', 1000);
  let items = (await domains(ctx))
    .filter((v) => !only || only.includes(v.code))
    .filter((v) => !q || v.code.toLowerCase().includes(q) || v.labelZh.includes(q))
    .map((v) => presentGroup(v.code, v.labelZh, counts.get(v.code) ?? 0));
  items = pageOf(sortList(items, str(p, 'sort') ?? 'name asc'), p);
  return bool(p, 'all_fields', false) ? items : items.map((g) => g.name);
}

export async function groupShow(ctx: AppContext, actor: Actor, p: Params) {
  onlyKnown('group_show', p, [
    'id',
    'include_datasets',
    'include_dataset_count',
    'include_extras',
    'include_users',
    'include_groups',
    'include_tags',
    'include_followers',
  ]);
  const id = str(p, 'id', { required: true, max: 200 })!;
  const v = (await domains(ctx)).find((d) => d.code === id || d.labelZh === id);
  if (!v) throw notFound('Group', id);
  const group = presentGroup(v.code, v.labelZh, (await publicCounts(ctx, 'domain')).get(v.code) ?? 0);
  if (!bool(p, 'include_datasets', false)) return group;
  return { ...group, packages: await packagesOf(ctx, actor, { domain: [v.code] }, await loadLookups(ctx, [])) };
}

export async function tagList(ctx: AppContext, _actor: Actor, p: Params) {
  onlyKnown('tag_list', p, ['query', 'vocabulary_id', 'all_fields']);
  if (str(p, 'vocabulary_id'))
    throw badRequest('unsupported_parameter', 'CityData has no tag vocabularies; leave vocabulary_id out', {
      field: 'vocabulary_id',
    });
  const query = str(p, 'query', { max: 100 })?.toLowerCase();
  const tags = new Set<string>();
  for (const r of await publicPackages(ctx, 1_000_000, 0)) for (const t of r.tags) tags.add(t);
  const names = [...tags]
    .filter((t) => !query || t.toLowerCase().includes(query))
    .sort((a, b) => a.localeCompare(b, 'zh'));
  return bool(p, 'all_fields', false) ? names.map(presentTag) : names;
}

export async function resourceShow(ctx: AppContext, actor: Actor, p: Params) {
  onlyKnown('resource_show', p, ['id', 'include_tracking']);
  const id = str(p, 'id', { required: true, max: 200 })!;
  const parsed = parseCkanResourceId(id);
  if (!parsed) throw notFound('Resource', id);
  const r = await getResource(ctx.store.db, actor, parsed.resourceId).catch(() => {
    throw notFound('Resource', id);
  });
  const found = presentResources(r, await loadLookups(ctx, [r.id])).find((x) => x.id === id.trim().toLowerCase());
  if (!found) throw notFound('Resource', id);
  return found;
}

export function statusShow(ctx: AppContext, _actor: Actor, p: Params) {
  onlyKnown('status_show', p, []);
  return {
    site_title: 'CityData 城市数据平台',
    site_description: '城市公共数据开放与共享平台',
    site_url: ctx.config.publicUrl,
    // The CKAN API level this endpoint answers like; CityData is not CKAN.
    ckan_version: '2.10.4',
    error_emails_to: null,
    locale_default: 'zh_Hans_CN',
    extensions: ['datastore', 'dcat', 'citydata'],
  };
}

export { FILTER_FIELDS };

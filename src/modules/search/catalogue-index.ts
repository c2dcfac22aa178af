import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import type { App } from '../../platform/http/app-types.ts';
import { badRequest } from '../../platform/http/errors.ts';
import type { Actor } from '../access/index.ts';
import { catalogueRepo, listResources, presentResource, type Resource } from '../catalogue/index.ts';
import { InProcessSearchProvider } from './in-process-provider.ts';
import { FACET_NAMES, type FacetName, type SearchDoc, type SearchProvider, type Viewer } from './types.ts';

/** Maps who is asking to the provider's visibility classes (the same rule as the catalogue's SQL). */
export function viewerOf(actor: Actor): Viewer {
  if (actor.kind === 'user' && (actor.role === 'platform_admin' || actor.role === 'reviewer')) return { kind: 'all' };
  if (actor.kind === 'user' && actor.departmentId && ['dept_admin', 'steward', 'member'].includes(actor.role))
    return { kind: 'department', departmentId: actor.departmentId };
  return { kind: 'public' };
}

export function toSearchDoc(r: Resource, dept: { name: string; code: string }): SearchDoc {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    nameEn: r.nameEn,
    abstract: r.abstract,
    fields: r.fields.map((f) => ({ name: f.name, description: f.description })),
    tags: r.tags,
    departmentId: r.providerId,
    departmentName: dept.name,
    departmentCode: dept.code,
    domain: r.domain,
    topics: r.topics,
    format: r.format,
    sharingType: r.sharingType,
    openType: r.openType,
    grade: r.grade,
    updateCycle: r.updateCycle,
    hasApi: r.hasApi,
    hasGeometry: r.hasGeometry,
    status: r.status,
    updatedAt: r.updatedAt,
    popularity: r.popularity,
  };
}

async function docFor(db: Db, id: string): Promise<SearchDoc | null> {
  const row = await catalogueRepo.resourceById(db, id);
  if (!row) return null;
  const dept = await catalogueRepo.departmentById(db, row.provider_id);
  return toSearchDoc(presentResource(row, await catalogueRepo.fieldsOf(db, id)), {
    name: dept?.name ?? '',
    code: dept?.code ?? '',
  });
}

async function* allDocs(db: Db): AsyncIterable<SearchDoc> {
  const depts = new Map((await catalogueRepo.listDepartments(db)).map((d) => [d.id, d]));
  const ids = (await catalogueRepo.allResourceIds(db)).map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const rows = await db.selectFrom('resources').selectAll().where('id', 'in', batch).execute();
    const fields = await catalogueRepo.fieldsOfMany(db, batch);
    for (const row of rows) {
      const d = depts.get(row.provider_id);
      yield toSearchDoc(
        presentResource(
          row,
          fields.filter((f) => f.resource_id === row.id),
        ),
        { name: d?.name ?? '', code: d?.code ?? '' },
      );
    }
  }
}

export async function loadSynonyms(db: Db): Promise<string[][]> {
  return (await catalogueRepo.vocabulary(db, 'synonym'))
    .filter((v) => v.active === 1)
    .map((v) =>
      v.label_zh
        .split(/[,，、\s]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .filter((g) => g.length > 1);
}

/**
 * Keeps the search index in step with the catalogue: rebuilt from the database at start, then updated on every
 * catalogue change (the change hooks run before the API answers, so the index follows within the request), and on
 * changes other server processes make to the same store (StoreFollower).
 */
export async function startCatalogueSearch(
  ctx: AppContext,
  provider: SearchProvider = new InProcessSearchProvider(),
): Promise<SearchProvider> {
  // The watermark first: a change made while the index is built is looked at again by the follower.
  const follow = new StoreFollower(ctx, provider, new Date().toISOString());
  await follow.reloadSynonyms();
  await follow.indexAll();
  ctx.events.onResourceChanged.push((id) => follow.reindex(id));
  ctx.events.onResourceDeleted.push((id) => follow.reindex(id));
  ctx.events.onVocabularyChanged.push(async (kind) => {
    if (kind === 'synonym') await follow.reloadSynonyms();
  });
  followers.set(ctx, follow);
  return provider;
}

/** How often the index looks for changes other server processes made to the shared metadata store. */
const FOLLOW_INTERVAL_MS = 1000;
/** Every this many looks, the whole id list is compared too (a delete and a create within one look keep the count). */
const FULL_CHECK_EVERY = 30;

const followers = new WeakMap<AppContext, StoreFollower>();

/**
 * The one way resources reach the index. This process's own changes arrive by its change events; changes made
 * through other server processes over the same metadata store are found once a second: resources and departments
 * whose `updated_at` differs from what was indexed (looked for from a watermark on), deleted resources (by count,
 * and by the whole id list every 30 s), and synonyms that differ from the ones in use.
 */
class StoreFollower {
  /** Each indexed resource's `updated_at` as indexed. */
  private readonly indexed = new Map<string, string>();
  /** Each department's `updated_at` as last seen. */
  private readonly departments = new Map<string, string>();
  private synonyms = '';
  private looks = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly provider: SearchProvider,
    private since: string,
  ) {}

  async indexAll(): Promise<void> {
    const db = this.ctx.store.db;
    for (const d of await catalogueRepo.listDepartments(db)) this.departments.set(d.id, d.updated_at);
    const indexed = this.indexed;
    await this.provider.replaceAll(
      (async function* () {
        for await (const doc of allDocs(db)) {
          indexed.set(doc.id, doc.updatedAt);
          yield doc;
        }
      })(),
    );
  }

  async reindex(id: string): Promise<void> {
    const doc = await docFor(this.ctx.store.db, id);
    if (doc) {
      await this.provider.upsert(doc);
      this.indexed.set(id, doc.updatedAt);
    } else if (this.indexed.delete(id)) await this.provider.remove(id);
  }

  async reloadSynonyms(): Promise<void> {
    const synonyms = await loadSynonyms(this.ctx.store.db);
    const key = JSON.stringify(synonyms);
    if (key === this.synonyms) return;
    this.synonyms = key;
    await this.provider.setSynonyms(synonyms);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.look()
        .catch((err: unknown) => this.ctx.log.error({ err }, 'search index: following store changes failed'))
        .finally(() => (this.running = false));
    }, FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async look(): Promise<void> {
    const db = this.ctx.store.db;
    this.looks++;
    const since = this.since;
    for (const r of await catalogueRepo.resourcesChangedSince(db, since)) {
      if (r.updated_at > this.since) this.since = r.updated_at;
      if (this.indexed.get(r.id) !== r.updated_at) await this.reindex(r.id);
    }
    for (const d of await catalogueRepo.departmentsChangedSince(db, since)) {
      if (d.updated_at > this.since) this.since = d.updated_at;
      if (this.departments.get(d.id) === d.updated_at) continue;
      this.departments.set(d.id, d.updated_at);
      for (const id of await catalogueRepo.resourceIdsOfProvider(db, d.id)) await this.reindex(id);
    }
    if ((await catalogueRepo.countResources(db)) !== this.indexed.size || this.looks % FULL_CHECK_EVERY === 0) {
      const ids = new Set((await catalogueRepo.allResourceIds(db)).map((r) => r.id));
      for (const id of [...this.indexed.keys()]) if (!ids.has(id)) await this.reindex(id);
      for (const id of ids) if (!this.indexed.has(id)) await this.reindex(id);
    }
    await this.reloadSynonyms();
  }
}

const FACET_LIST = FACET_NAMES as readonly string[];

export async function searchRoutes(app: App, ctx: AppContext, provider: SearchProvider): Promise<void> {
  const follow = followers.get(ctx);
  follow?.start();
  app.addHook('onClose', async () => follow?.stop());
  const filterProps = Object.fromEntries(
    FACET_NAMES.map((f) => [f, Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 }))]),
  );
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Catalogue search: Chinese words, pinyin (kqzl), synonyms, facets; only what the caller may see',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            fieldQuery: Type.Optional(Type.String({ maxLength: 100 })),
            facets: Type.Optional(Type.String({ maxLength: 300, description: 'comma list of facet names' })),
            sort: Type.Optional(
              Type.Union([Type.Literal('relevance'), Type.Literal('updated'), Type.Literal('popularity')]),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
            ...filterProps,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { q, fieldQuery, facets, sort, limit, offset, ...filterQuery } = req.query as Record<string, unknown> & {
        q?: string;
        fieldQuery?: string;
        facets?: string;
        sort?: 'relevance' | 'updated' | 'popularity';
        limit?: number;
        offset?: number;
      };
      const facetNames = (facets ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      for (const f of facetNames)
        if (!FACET_LIST.includes(f))
          throw badRequest('unknown_facet', `Unknown facet ${f}; one of ${FACET_LIST.join(', ')}`, { field: 'facets' });
      const filters: Partial<Record<FacetName, string[]>> = {};
      for (const [k, v] of Object.entries(filterQuery))
        if (Array.isArray(v)) filters[k as FacetName] = v.flatMap((x) => String(x).split(','));
      const result = await provider.search({
        q,
        fieldQuery,
        filters,
        facets: facetNames as FacetName[],
        sort: sort ?? (q || fieldQuery ? 'relevance' : 'updated'),
        limit: limit ?? 20,
        offset: offset ?? 0,
        viewer: viewerOf(req.actor),
      });
      // Hydrate hits from the database through the visibility-checked list query.
      const ids = result.hits.map((h) => h.id);
      const { items } = ids.length
        ? await listResources(ctx.store.db, req.actor, { ids, sort: 'updated', limit: ids.length, offset: 0 })
        : { items: [] as Resource[] };
      const byId = new Map(items.map((r) => [r.id, r]));
      return {
        total: result.total,
        hits: result.hits.flatMap((h) => {
          const r = byId.get(h.id);
          return r ? [{ score: h.score, highlights: h.highlights ?? [], resource: r }] : [];
        }),
        facets: result.facets,
      };
    },
  );
}

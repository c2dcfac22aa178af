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
 * catalogue change (the change hooks run before the API answers, so the index follows within the request).
 */
export async function startCatalogueSearch(
  ctx: AppContext,
  provider: SearchProvider = new InProcessSearchProvider(),
): Promise<SearchProvider> {
  const db = ctx.store.db;
  // Watermarks first: a change made while the index is built is picked up again by the follower (an extra upsert).
  const follow = new StoreFollower(ctx, provider, new Date().toISOString());
  const synonyms = await loadSynonyms(db);
  follow.synonymsIndexed(synonyms);
  await provider.setSynonyms(synonyms);
  await provider.replaceAll(follow.collecting(allDocs(db)));
  ctx.events.onResourceChanged.push(async (id) => {
    const doc = await docFor(db, id);
    if (doc) {
      await provider.upsert(doc);
      follow.known.add(id);
    } else {
      await provider.remove(id);
      follow.known.delete(id);
    }
  });
  ctx.events.onResourceDeleted.push(async (id) => {
    await provider.remove(id);
    follow.known.delete(id);
  });
  ctx.events.onVocabularyChanged.push(async (kind) => {
    if (kind !== 'synonym') return;
    const synonyms = await loadSynonyms(db);
    follow.synonymsIndexed(synonyms);
    await provider.setSynonyms(synonyms);
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
 * Keeps the index in step with changes made through other server processes over the same metadata store (this
 * process's own changes arrive by its change events, before the API answers). Once a second: resources and
 * departments changed since the last look are re-indexed, deleted resources removed (by count, and by the whole id
 * list every 30 s), and the synonyms reloaded when they differ. Watermarks are `updated_at` instants; rows at the
 * watermark itself are remembered so that they are not indexed again on every look.
 */
class StoreFollower {
  /** Ids in the index. */
  readonly known = new Set<string>();
  private resourcesSince: string;
  private departmentsSince: string;
  private atResourceMark = new Set<string>();
  private atDepartmentMark = new Set<string>();
  private synonyms = '';
  private looks = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly provider: SearchProvider,
    since: string,
  ) {
    this.resourcesSince = since;
    this.departmentsSince = since;
  }

  synonymsIndexed(synonyms: string[][]): void {
    this.synonyms = JSON.stringify(synonyms);
  }

  async *collecting(docs: AsyncIterable<SearchDoc>): AsyncIterable<SearchDoc> {
    for await (const d of docs) {
      this.known.add(d.id);
      yield d;
    }
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

  private async reindex(id: string): Promise<void> {
    const doc = await docFor(this.ctx.store.db, id);
    if (doc) {
      await this.provider.upsert(doc);
      this.known.add(id);
    } else if (this.known.delete(id)) await this.provider.remove(id);
  }

  async look(): Promise<void> {
    const db = this.ctx.store.db;
    this.looks++;
    const changed = (await catalogueRepo.resourcesChangedSince(db, this.resourcesSince)).filter(
      (r) => !this.atResourceMark.has(`${r.id}@${r.updated_at}`),
    );
    for (const r of changed) await this.reindex(r.id);
    [this.resourcesSince, this.atResourceMark] = advance(this.resourcesSince, this.atResourceMark, changed);

    const depts = (await catalogueRepo.departmentsChangedSince(db, this.departmentsSince)).filter(
      (d) => !this.atDepartmentMark.has(`${d.id}@${d.updated_at}`),
    );
    for (const d of depts) for (const id of await catalogueRepo.resourceIdsOfProvider(db, d.id)) await this.reindex(id);
    [this.departmentsSince, this.atDepartmentMark] = advance(this.departmentsSince, this.atDepartmentMark, depts);

    if ((await catalogueRepo.countResources(db)) !== this.known.size || this.looks % FULL_CHECK_EVERY === 0) {
      const ids = new Set((await catalogueRepo.allResourceIds(db)).map((r) => r.id));
      for (const id of [...this.known]) if (!ids.has(id)) await this.reindex(id);
      for (const id of ids) if (!this.known.has(id)) await this.reindex(id);
    }

    const synonyms = await loadSynonyms(db);
    if (JSON.stringify(synonyms) !== this.synonyms) await this.provider.setSynonyms(synonyms);
    this.synonymsIndexed(synonyms);
  }
}

/** The next watermark: the latest `updated_at` seen, and the rows that carry exactly it. */
function advance(
  since: string,
  atMark: Set<string>,
  rows: { id: string; updated_at: string }[],
): [string, Set<string>] {
  let mark = since;
  for (const r of rows) if (r.updated_at > mark) mark = r.updated_at;
  const next = new Set(mark === since ? atMark : []);
  for (const r of rows) if (r.updated_at === mark) next.add(`${r.id}@${r.updated_at}`);
  return [mark, next];
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

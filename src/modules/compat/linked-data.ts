import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { badRequest, notFound } from '../../platform/http/errors.ts';
import { ANONYMOUS, type Actor } from '../access/index.ts';
import { getResource, listResources, type Resource } from '../catalogue/index.ts';
import { loadLookups } from './ckan/present.ts';
import { catalogQuads, datasetQuads, toExpandedJsonLd, toTurtle } from './dcat.ts';
import { links } from './mapping.ts';

export const CATALOG_PAGE_SIZE = 100;
/** The sitemap protocol's limit of URLs per file. */
export const SITEMAP_MAX_URLS = 50_000;

const TURTLE = 'text/turtle; charset=utf-8';
const JSONLD = 'application/ld+json; charset=utf-8';

async function publicPage(ctx: AppContext, limit: number, offset: number) {
  return listResources(ctx.store.db, ANONYMOUS, { status: 'published', sort: 'updated', limit, offset });
}

export async function catalogDocument(
  ctx: AppContext,
  format: 'ttl' | 'jsonld',
  page: number,
  perPage = CATALOG_PAGE_SIZE,
): Promise<string> {
  const { items, total } = await publicPage(ctx, perPage, (page - 1) * perPage);
  if (page > 1 && items.length === 0) throw notFound('catalogue page', String(page));
  const l = await loadLookups(
    ctx,
    items.map((r) => r.id),
  );
  const quads = catalogQuads(items, l, {
    page,
    perPage,
    total,
    url: l.links.portal(format === 'ttl' ? '/catalog.ttl' : '/catalog.jsonld'),
  });
  return format === 'ttl' ? toTurtle(quads) : JSON.stringify(toExpandedJsonLd(quads));
}

export async function datasetDocument(ctx: AppContext, actor: Actor, id: string, format: 'ttl' | 'jsonld') {
  const r = await getResource(ctx.store.db, actor, id);
  const quads = datasetQuads(r, await loadLookups(ctx, [r.id]));
  return format === 'ttl' ? toTurtle(quads) : JSON.stringify(toExpandedJsonLd(quads));
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The sitemap of the public portal: the fixed pages and one URL per public dataset. Over `maxUrls` URLs it becomes a
 * sitemap index whose entries are `?page=N` files of at most `maxUrls` URLs each.
 */
export async function sitemapXml(ctx: AppContext, page: number | undefined, maxUrls = SITEMAP_MAX_URLS) {
  const l = links(ctx.config.publicUrl);
  const fixed = ['/', '/datasets', '/departments'].map((p) => ({ loc: l.portal(p), lastmod: null as string | null }));
  const { total } = await publicPage(ctx, 0, 0);
  const pages = Math.max(1, Math.ceil((fixed.length + total) / maxUrls));
  if (page === undefined && pages > 1) {
    const entries = Array.from(
      { length: pages },
      (_, i) => `  <sitemap><loc>${xml(`${l.portal('/sitemap.xml')}?page=${i + 1}`)}</loc></sitemap>`,
    );
    return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</sitemapindex>\n`;
  }
  const n = page ?? 1;
  if (n > pages) throw notFound('sitemap page', String(n));
  // Page 1 starts with the fixed pages; datasets fill the rest in a stable (updated, id) order.
  const startUrl = (n - 1) * maxUrls;
  const urls = n === 1 ? [...fixed] : [];
  const datasetStart = Math.max(0, startUrl - fixed.length);
  const want = maxUrls - urls.length;
  for (let at = datasetStart; at < datasetStart + want;) {
    const take = Math.min(1000, datasetStart + want - at);
    const { items } = await publicPage(ctx, take, at);
    urls.push(...items.map((r: Resource) => ({ loc: l.dataset(r.id), lastmod: r.updatedAt.slice(0, 10) })));
    if (items.length < take) break;
    at += items.length;
  }
  const body = urls
    .map((u) => `  <url><loc>${xml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</urlset>\n`;
}

export function robotsTxt(publicUrl: string): string {
  return [
    'User-agent: *',
    'Allow: /',
    'Disallow: /console/',
    'Disallow: /admin/',
    'Disallow: /account',
    'Disallow: /login',
    'Disallow: /register',
    // Exports and row queries are heavy and not pages; crawlers get the catalogue through the sitemap and DCAT.
    'Disallow: /api/',
    '',
    `Sitemap: ${publicUrl}/sitemap.xml`,
    '',
  ].join('\n');
}

/** DCAT catalogue and per-dataset documents, sitemap and robots.txt (errors in problem+json like the rest). */
export async function linkedDataRoutes(app: App, ctx: AppContext): Promise<void> {
  const pageQuery = Type.Object(
    { page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) },
    { additionalProperties: false },
  );
  for (const format of ['ttl', 'jsonld'] as const) {
    app.get(
      `/catalog.${format}`,
      {
        schema: {
          tags: ['linked data'],
          summary: `DCAT-AP catalogue of public datasets (${format === 'ttl' ? 'Turtle' : 'JSON-LD'}), ${CATALOG_PAGE_SIZE} per page`,
          querystring: pageQuery,
        },
      },
      async (req, reply) => {
        const body = await catalogDocument(ctx, format, req.query.page ?? 1);
        return reply.type(format === 'ttl' ? TURTLE : JSONLD).send(body);
      },
    );
  }
  app.get(
    '/catalog/datasets/:file',
    {
      schema: {
        tags: ['linked data'],
        summary: 'DCAT-AP description of one dataset: /catalog/datasets/{id}.ttl or .jsonld',
        params: Type.Object({ file: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const m = /^(.+)\.(ttl|jsonld)$/.exec(req.params.file);
      if (!m?.[1]) throw badRequest('unknown_format', 'name the dataset as {id}.ttl or {id}.jsonld', { field: 'file' });
      const format = m[2] as 'ttl' | 'jsonld';
      const body = await datasetDocument(ctx, req.actor, m[1], format);
      return reply.type(format === 'ttl' ? TURTLE : JSONLD).send(body);
    },
  );
  app.get(
    '/sitemap.xml',
    { schema: { tags: ['linked data'], summary: 'Sitemap of the public portal', querystring: pageQuery } },
    async (req, reply) => reply.type('application/xml; charset=utf-8').send(await sitemapXml(ctx, req.query.page)),
  );
  app.get('/robots.txt', { schema: { tags: ['linked data'], summary: 'robots.txt' } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(robotsTxt(ctx.config.publicUrl)),
  );
}

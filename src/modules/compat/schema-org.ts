import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { HtmlTransform } from '../../platform/http/web.ts';
import { ANONYMOUS } from '../access/index.ts';
import { getResource, type Resource } from '../catalogue/index.ts';
import { loadLookups, type Lookups } from './ckan/present.ts';
import { formatsFor, openlyDownloadable } from './mapping.ts';

/** schema.org `Dataset` for one public dataset (what search engines read: Google Dataset Search, Baidu). */
export function schemaOrgDataset(r: Resource, l: Lookups): Record<string, unknown> {
  const dept = l.departments.get(r.providerId);
  const data = l.data.get(r.id);
  const temporal = r.temporalStart || r.temporalEnd ? `${r.temporalStart ?? '..'}/${r.temporalEnd ?? '..'}` : undefined;
  const doc: Record<string, unknown> = {
    '@context': 'https://schema.org/',
    '@type': 'Dataset',
    '@id': l.links.dataset(r.id),
    name: r.name,
    ...(r.nameEn ? { alternateName: r.nameEn } : {}),
    description: r.abstract,
    url: l.links.dataset(r.id),
    identifier: r.code,
    keywords: r.tags,
    inLanguage: 'zh-CN',
    isAccessibleForFree: true,
    ...(r.licence ? { license: l.links.licence(r.licence) } : {}),
    creator: {
      '@type': 'GovernmentOrganization',
      name: dept?.name ?? r.providerName ?? '',
      url: l.links.department(r.providerId),
    },
    publisher: { '@type': 'Organization', name: 'CityData 城市数据平台', url: l.links.portal('/') },
    ...(r.publishDate ? { datePublished: r.publishDate } : {}),
    dateModified: r.updatedAt,
    ...(temporal ? { temporalCoverage: temporal } : {}),
    ...(r.spatialCoverage
      ? {
          spatialCoverage: {
            '@type': 'Place',
            name: r.spatialCoverage,
            ...(r.divisionCode ? { identifier: r.divisionCode } : {}),
          },
        }
      : {}),
    variableMeasured: r.fields.map((f) => ({
      '@type': 'PropertyValue',
      name: f.name,
      ...(f.description ? { description: f.description } : {}),
    })),
  };
  if (data && openlyDownloadable(r))
    doc.distribution = formatsFor(r).map((f) => ({
      '@type': 'DataDownload',
      contentUrl: l.links.download(r.id, f.key),
      encodingFormat: f.mime,
      name: `${r.name}（${f.ckan}）`,
    }));
  if (r.contactEmail || r.contactPhone)
    (doc.creator as Record<string, unknown>).contactPoint = {
      '@type': 'ContactPoint',
      ...(r.contactName ? { name: r.contactName } : {}),
      ...(r.contactEmail ? { email: r.contactEmail } : {}),
      ...(r.contactPhone ? { telephone: r.contactPhone } : {}),
      contactType: 'data',
    };
  return doc;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON inside <script>: `<` escaped so no `</script>` or `<!--` can end the block early. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Puts the title, description, canonical link, DCAT alternates and JSON-LD into the page's <head>. */
export function injectDatasetHead(html: string, r: Resource, l: Lookups): string {
  const description = r.abstract.length > 160 ? `${r.abstract.slice(0, 157)}…` : r.abstract;
  const head = [
    `<meta name="description" content="${escapeHtml(description)}">`,
    `<link rel="canonical" href="${escapeHtml(l.links.dataset(r.id))}">`,
    `<link rel="alternate" type="text/turtle" href="${escapeHtml(l.links.portal(`/catalog/datasets/${r.id}.ttl`))}">`,
    `<link rel="alternate" type="application/ld+json" href="${escapeHtml(l.links.portal(`/catalog/datasets/${r.id}.jsonld`))}">`,
    `<script type="application/ld+json">${scriptJson(schemaOrgDataset(r, l))}</script>`,
  ].join('\n    ');
  const title = `<title>${escapeHtml(r.name)} - CityData 城市数据平台</title>`;
  let out = /<title>[\s\S]*?<\/title>/i.test(html)
    ? html.replace(/<title>[\s\S]*?<\/title>/i, title)
    : html.replace(/<\/head>/i, `  ${title}\n  </head>`);
  out = out.replace(/<meta\s+name="description"[^>]*>\s*/i, '');
  return out.replace(/<\/head>/i, `  ${head}\n  </head>`);
}

const DATASET_PAGE = /^\/datasets\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/**
 * The HTML transform for the portal's dataset pages (`/datasets/:id`): only datasets the anonymous public can see
 * get metadata, so nothing a crawler should not see ever reaches the first HTML response.
 */
export function datasetPageTransform(ctx: AppContext): HtmlTransform {
  return async (req: FastifyRequest, html: string) => {
    const m = DATASET_PAGE.exec(req.url.split('?')[0] ?? '');
    if (!m?.[1]) return html;
    const r = await getResource(ctx.store.db, ANONYMOUS, m[1].toLowerCase()).catch(() => null);
    if (!r) return html;
    return injectDatasetHead(html, r, await loadLookups(ctx, [r.id]));
  };
}

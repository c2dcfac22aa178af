/**
 * Standard interfaces: the CKAN Action API, DCAT-AP linked data, schema.org on dataset pages, sitemap and robots.txt.
 * Everything here reads through the catalogue, search and datastore modules' public seams.
 */
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { ckanRoutes } from './ckan/routes.ts';
import { linkedDataRoutes } from './linked-data.ts';

export { CKAN_ACTIONS } from './ckan/routes.ts';
export { toCkanError } from './ckan/envelope.ts';
export { catalogQuads, datasetQuads, toExpandedJsonLd, toTurtle, PREFIXES } from './dcat.ts';
export { datasetPageTransform, injectDatasetHead, schemaOrgDataset } from './schema-org.ts';
export { catalogDocument, datasetDocument, robotsTxt, sitemapXml } from './linked-data.ts';
export { loadLookups, presentPackage, type Lookups } from './ckan/present.ts';
export { parseSearchSyntax } from './ckan/search-syntax.ts';

export async function compatRoutes(app: App, ctx: AppContext): Promise<void> {
  await ckanRoutes(app, ctx);
  await linkedDataRoutes(app, ctx);
}

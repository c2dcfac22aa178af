/**
 * Catalogue search. Other modules use only what this file exports: the SearchProvider
 * interface (so OpenSearch can replace the in-process engine) and the Chinese tokenizer.
 */
export type { FacetName, SearchDoc, SearchHit, SearchProvider, SearchQuery, SearchResult, Viewer } from './types.ts';
export { FACET_NAMES } from './types.ts';
export { InProcessSearchProvider } from './in-process-provider.ts';
export { normalizeText, tokenize } from './tokenizer.ts';
export { searchRoutes, startCatalogueSearch, toSearchDoc, viewerOf } from './catalogue-index.ts';

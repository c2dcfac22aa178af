import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { MetadataStore } from './platform/db/index.ts';
import type { DataEngine } from './platform/duckdb/index.ts';
import type { JobRunner } from './platform/jobs/index.ts';
import type { SearchProvider } from './modules/search/types.ts';

/** What every route module and service wiring receives: built once at start, no globals. */
export interface AppContext {
  config: Config;
  store: MetadataStore;
  engine: DataEngine;
  log: FastifyBaseLogger;
  jobs: JobRunner;
  /** Set once the catalogue index is built (before routes are registered). */
  search: SearchProvider | null;
  /** Hooks other modules register to react to catalogue changes (search index, caches). */
  events: CatalogueEvents;
}

export interface CatalogueEvents {
  onResourceChanged: ((resourceId: string) => Promise<void> | void)[];
  onResourceDeleted: ((resourceId: string) => Promise<void> | void)[];
  onVocabularyChanged: ((kind: string) => Promise<void> | void)[];
}

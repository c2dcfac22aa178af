import path from 'node:path';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig, redactConfig, type Config } from './config.ts';
import type { AppContext } from './context.ts';
import { accessRoutes, ensureAdmin, registerAuth } from './modules/access/index.ts';
import { catalogueRoutes, seedVocabularies } from './modules/catalogue/index.ts';
import { datastoreRoutes, loadHandler, removeOrphanFiles } from './modules/datastore/index.ts';
import { compatRoutes, datasetPageTransform } from './modules/compat/index.ts';
import { exchangeRoutes } from './modules/exchange/index.ts';
import { demoState, startDemoCity } from './modules/demo/index.ts';
import { JobRunner } from './platform/jobs/index.ts';
import { searchRoutes, startCatalogueSearch } from './modules/search/index.ts';
import { governanceRoutes, startGovernance } from './modules/governance/index.ts';
import { migrateToLatest, openMetadataStore, type MetadataStore } from './platform/db/index.ts';
import { DataEngine, dataPaths } from './platform/duckdb/index.ts';
import type { App } from './platform/http/app-types.ts';
import { registerErrorHandler, registerNotFound } from './platform/http/error-handler.ts';
import { systemRoutes } from './platform/http/system-routes.ts';
import { isSpaPath, registerWeb, type HtmlTransform } from './platform/http/web.ts';

export interface BuiltApp {
  app: FastifyInstance;
  /** Every route registered (method + URL pattern), for the authorisation matrix test and docs. */
  routes: { method: string; url: string }[];
  ctx: AppContext;
  /** Closes the server, the data engine and the metadata store. */
  close(): Promise<void>;
}

export interface BuildOptions {
  config?: Config;
  /** Tests pass their own store (e.g. a PostgreSQL schema of their own). */
  store?: MetadataStore;
  logger?: boolean;
  /** Prints the generated admin password once (start-up only). */
  onAdminCreated?: (password: string | undefined) => void;
  htmlTransforms?: HtmlTransform[];
  /** The built portal's directory (tests point it at a tiny fake); default web/dist. */
  webDist?: string;
}

/** Builds the whole server: metadata store migrated, vocabularies seeded, admin ensured, routes registered. */
export async function buildApp(opts: BuildOptions = {}): Promise<BuiltApp> {
  const config = opts.config ?? loadConfig();
  const paths = dataPaths(config.dataDir);
  const store =
    opts.store ??
    openMetadataStore({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'citydata.sqlite') });
  await migrateToLatest(store);
  await seedVocabularies(store.db);
  const admin = await ensureAdmin(store.db, config.adminPassword);
  if (admin.created) opts.onAdminCreated?.(admin.password);
  const engine = await DataEngine.open({ tempDir: paths.tmp });

  const fastify = Fastify({
    logger:
      opts.logger === false
        ? false
        : { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Query strings and path parameters arrive as text and are coerced; JSON bodies are validated as sent (coercion
  // would turn a null into "" there). Unknown properties are rejected, never silently removed.
  const ajvOpts = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const bodyAjv = addFormats.default(new Ajv({ ...ajvOpts, coerceTypes: false }));
  const textAjv = addFormats.default(new Ajv({ ...ajvOpts, coerceTypes: 'array' }));
  fastify.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : textAjv.compile(schema),
  );
  const jobs = new JobRunner(store.db, fastify.log);
  const ctx: AppContext = {
    config,
    store,
    engine,
    jobs,
    search: null,
    log: fastify.log,
    events: { onResourceChanged: [], onResourceDeleted: [], onVocabularyChanged: [] },
  };
  jobs.register('load', loadHandler(ctx));
  const search = await startCatalogueSearch(ctx);
  await startGovernance(ctx);
  ctx.search = search;
  const interrupted = await jobs.recover();
  const orphans = await removeOrphanFiles(ctx);
  if (interrupted || orphans) fastify.log.warn({ interrupted, orphans }, 'cleaned up after an unclean stop');
  // First start: the demo city loads in the background while the server serves (after the clean-up above, which
  // would otherwise remove its queued uploads). CITYDATA_DEMO=0 switches it off; tests do.
  const demo = config.demo ? startDemoCity(ctx) : null;
  fastify.log.debug({ config: redactConfig(config) }, 'configuration');
  const routes: { method: string; url: string }[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });

  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'CityData API 城市数据平台接口',
        version: '1.0.0',
        description: 'Catalogue, data and governance API',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
          session: { type: 'apiKey', in: 'cookie', name: 'cd_session' },
        },
      },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/api/docs' });
  await fastify.register(cookie);
  await fastify.register(multipart, { limits: { fileSize: 50 * 1024 * 1024 * 1024, files: 1, fields: 20 } });
  registerErrorHandler(fastify);
  registerAuth(fastify, store.db);

  await fastify.register(async (scope) => {
    const s = scope as unknown as App;
    await systemRoutes(s, ctx, { demo: () => demoState(ctx) });
    await accessRoutes(s, ctx);
    await catalogueRoutes(s, ctx);
    await datastoreRoutes(s, ctx, jobs);
    await searchRoutes(s, ctx, search);
    await compatRoutes(s, ctx);
    await exchangeRoutes(s, ctx);
    await governanceRoutes(s, ctx);
  });
  const spa = await registerWeb(fastify, [...(opts.htmlTransforms ?? []), datasetPageTransform(ctx)], opts.webDist);
  registerNotFound(fastify, spa ? { isSpaPath, handler: spa } : null);

  await fastify.ready();
  return {
    app: fastify,
    routes,
    ctx,
    close: async () => {
      await demo?.stop();
      await fastify.close();
      await jobs.stop();
      engine.close();
      if (!opts.store) await store.destroy();
    },
  };
}

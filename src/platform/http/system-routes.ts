import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { App } from './app-types.ts';
import { authorize } from '../../modules/access/index.ts';
import { presentJob, withoutDetailLists } from '../jobs/index.ts';

/** `demo` tells the state of the demo city's background load (the demo module's demoState), for the health check. */
export async function systemRoutes(app: App, ctx: AppContext, opts: { demo?: () => string } = {}): Promise<void> {
  app.get(
    '/api/v1/health',
    {
      config: { ignoreBadSession: true },
      schema: {
        tags: ['system'],
        summary: 'State of the metadata store and the data engine',
        response: {
          200: Type.Object({
            status: Type.String(),
            metadataStore: Type.Object({
              ok: Type.Boolean(),
              dialect: Type.String(),
              error: Type.Optional(Type.String()),
            }),
            dataEngine: Type.Object({
              ok: Type.Boolean(),
              version: Type.Optional(Type.String()),
              error: Type.Optional(Type.String()),
            }),
            demo: Type.String({
              description:
                'The demo city: off, loading (the portal already serves what is loaded), ready, skipped, failed',
            }),
          }),
          503: Type.Any(),
        },
      },
    },
    async (_req, reply) => {
      let metadataStore: { ok: boolean; dialect: string; error?: string } = { ok: true, dialect: ctx.store.dialect };
      try {
        await sql`select 1`.execute(ctx.store.db);
      } catch (err) {
        metadataStore = { ok: false, dialect: ctx.store.dialect, error: (err as Error).message };
      }
      const dataEngine = await ctx.engine.health();
      const ok = metadataStore.ok && dataEngine.ok;
      const demo = opts.demo?.() ?? 'off';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', metadataStore, dataEngine, demo });
    },
  );
  app.get(
    '/api/v1/system/status',
    { schema: { tags: ['system'], summary: 'Jobs, storage and engine state (platform admins)' } },
    async (req) => {
      authorize(req.actor, { action: 'system.read' });
      const db = ctx.store.db;
      const [jobStates, recentJobs, storage] = await Promise.all([
        db
          .selectFrom('jobs')
          .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('state')
          .execute(),
        db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(20).execute(),
        db
          .selectFrom('table_versions')
          .select((eb) => [eb.fn.countAll<number>().as('versions'), eb.fn.sum<number>('byte_size').as('bytes')])
          .executeTakeFirstOrThrow(),
      ]);
      return {
        uptimeSeconds: Math.round(process.uptime()),
        memory: { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed },
        metadataStore: { dialect: ctx.store.dialect },
        dataEngine: await ctx.engine.health(),
        searchIndex: { documents: ctx.search?.size() ?? 0 },
        jobs: Object.fromEntries(jobStates.map((j) => [j.state, Number(j.n)])),
        recentJobs: recentJobs.map(presentJob).map((j) => ({ ...j, error: withoutDetailLists(j.error) })),
        storage: { versions: Number(storage.versions), bytes: Number(storage.bytes ?? 0), dataDir: ctx.config.dataDir },
      };
    },
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

import { Type } from '@sinclair/typebox';
import { setSeedDemoApplications } from '../demo/index.ts';
import { seedDemoApplications } from './demo-seed.ts';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { IdParams, strictObject } from '../../platform/http/schemas.ts';
import { useGrantLookup } from '../datastore/index.ts';
import {
  AGREEMENT_KINDS,
  currentAgreements,
  deleteHoliday,
  expireEnded,
  listHolidays,
  listNotices,
  publishAgreement,
  putHoliday,
  runEscalation,
  runSweepsNow,
  seedAgreementTexts,
} from './admin.ts';
import {
  addUsageReport,
  bureauReview,
  createApplication,
  getApplication,
  listApplications,
  providerAnswer,
  resubmitApplication,
  STATES,
} from './applications.ts';
import { createDropFolder, deliverNow, listDeliveries, runDueDeliveries } from './deliveries.ts';
import { exportThroughGrant, getGrant, grantLookup, listGrants, renewGrant, revokeGrant } from './grants.ts';
import { exchangeDailyFigures, queryExchangeLog } from './log.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const FieldList = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 500 });
const RowFilter = Type.Unknown({ description: 'Structured filter like the rows API `filters` (never SQL)' });
const Literal = <T extends string>(vs: readonly T[]) => Type.Union(vs.map((v) => Type.Literal(v)));
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 }));
const Offset = Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }));
const DateParam = strictObject({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) });

/** How often the SLA, expiry and scheduled-delivery sweeps run in process. */
const SWEEP_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Sharing (有条件共享), opening (有条件开放), grants, deliveries and the exchange log. Also plugs grants into the
 * datastore read seam and starts the in-process sweeps (stopped when the server closes).
 */
export async function exchangeRoutes(app: App, ctx: AppContext): Promise<void> {
  await seedAgreementTexts(ctx.store.db);
  useGrantLookup(ctx, grantLookup(ctx));
  setSeedDemoApplications(seedDemoApplications);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    (async () => {
      try {
        await runEscalation(ctx);
        await expireEnded(ctx);
        await runDueDeliveries(ctx);
      } catch (err) {
        ctx.log.error({ err }, 'exchange sweep failed');
      } finally {
        running = false;
      }
    })().catch(() => undefined); // every failure is caught and logged above
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  const tags = ['exchange'];

  app.post(
    '/api/v1/applications',
    {
      schema: {
        tags,
        summary: 'File a sharing (department) or open-data (public) application',
        body: strictObject({
          kind: Literal(['share', 'open'] as const),
          resourceId: Type.String({ minLength: 1, maxLength: 64 }),
          purpose: Text(2000),
          scenario: Text(2000),
          fields: FieldList,
          rowFilter: Type.Optional(RowFilter),
          periodFrom: Type.String({ minLength: 10, maxLength: 40 }),
          periodTo: Type.String({ minLength: 10, maxLength: 40 }),
          form: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }))),
          commitmentVersion: Type.Optional(Type.Integer({ minimum: 1 })),
          agreementVersion: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await createApplication(ctx, req.actor, req.body)),
  );
  app.get(
    '/api/v1/applications',
    {
      schema: {
        tags,
        summary: 'Applications the caller may see (own, own department’s, own data’s; the bureau sees all)',
        querystring: strictObject({
          state: Type.Optional(Literal(STATES)),
          kind: Type.Optional(Literal(['share', 'open'] as const)),
          resourceId: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Limit,
          offset: Offset,
        }),
      },
    },
    async (req) =>
      listApplications(ctx, req.actor, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );
  app.get(
    '/api/v1/applications/:id',
    { schema: { tags, summary: 'An application with its history and usage reports', params: IdParams } },
    async (req) => getApplication(ctx, req.actor, req.params.id),
  );
  app.post(
    '/api/v1/applications/:id/review',
    {
      schema: {
        tags,
        summary: 'Bureau conformity review: pass to the provider or return with a reason',
        params: IdParams,
        body: strictObject({ decision: Literal(['pass', 'return'] as const), reason: Type.Optional(Text(2000)) }),
      },
    },
    async (req) => bureauReview(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/applications/:id/answer',
    {
      schema: {
        tags,
        summary: 'Provider answer: approve (creates the grant) or refuse with a reason',
        params: IdParams,
        body: strictObject({
          decision: Literal(['approve', 'refuse'] as const),
          reason: Type.Optional(Text(2000)),
          fields: Type.Optional(FieldList),
          unmaskedFields: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 })),
          rowFilter: Type.Optional(RowFilter),
          validTo: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
        }),
      },
    },
    async (req) => providerAnswer(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/applications/:id/resubmit',
    {
      schema: {
        tags,
        summary: 'The applicant corrects a returned application and files it again',
        params: IdParams,
        body: strictObject({
          purpose: Type.Optional(Text(2000)),
          scenario: Type.Optional(Text(2000)),
          fields: Type.Optional(FieldList),
          rowFilter: Type.Optional(RowFilter),
          periodFrom: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
          periodTo: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
        }),
      },
    },
    async (req) => resubmitApplication(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/applications/:id/usage-reports',
    {
      schema: {
        tags,
        summary: 'Report how granted data was used (利用情况)',
        params: IdParams,
        body: strictObject({
          text: Text(10_000),
          links: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50 })),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await addUsageReport(ctx, req.actor, req.params.id, req.body)),
  );

  app.get(
    '/api/v1/grants',
    {
      schema: {
        tags,
        summary: 'Grants held by the caller (or their department) and grants on the caller’s data',
        querystring: strictObject({
          resourceId: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Limit,
          offset: Offset,
        }),
      },
    },
    async (req) =>
      listGrants(ctx, req.actor, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );
  app.get(
    '/api/v1/grants/:id',
    { schema: { tags, summary: 'A grant with its deliveries', params: IdParams } },
    async (req) => getGrant(ctx, req.actor, req.params.id),
  );
  app.post(
    '/api/v1/grants/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke a grant now (provider)',
        params: IdParams,
        body: strictObject({ reason: Text(2000) }),
      },
    },
    async (req) => revokeGrant(ctx, req.actor, req.params.id, req.body.reason),
  );
  app.post(
    '/api/v1/grants/:id/renew',
    {
      schema: {
        tags,
        summary: 'Renew a grant until a new end date (provider)',
        params: IdParams,
        body: strictObject({ validTo: Type.String({ minLength: 10, maxLength: 40 }) }),
      },
    },
    async (req, reply) => reply.status(201).send(await renewGrant(ctx, req.actor, req.params.id, req.body)),
  );
  app.get(
    '/api/v1/grants/:id/export',
    {
      schema: {
        tags,
        summary: 'File delivery: download the grant’s view (granted fields and rows, masked as granted); streamed',
        params: IdParams,
        querystring: strictObject({
          format: Type.Optional(Type.String({ maxLength: 10 })),
          encoding: Type.Optional(Type.String({ maxLength: 10 })),
          rowId: Type.Optional(Type.Boolean({ description: 'Include the internal row number column _id' })),
        }),
      },
    },
    async (req, reply) => {
      const { stream, headers } = await exportThroughGrant(ctx, req.actor, req.params.id, {
        ...req.query,
        clientIp: req.ip,
      });
      return reply.headers(headers).send(stream);
    },
  );
  app.get(
    '/api/v1/grants/:id/deliveries',
    { schema: { tags, summary: 'Deliveries of a grant', params: IdParams } },
    async (req) => listDeliveries(ctx, req.actor, req.params.id),
  );
  app.post(
    '/api/v1/grants/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'Set up a drop folder (Parquet + CSV snapshots) for a grant, filled daily or on demand',
        params: IdParams,
        body: strictObject({ schedule: Literal(['daily', 'manual'] as const) }),
      },
    },
    async (req, reply) => reply.status(201).send(await createDropFolder(ctx, req.actor, req.params.id, req.body)),
  );
  app.post(
    '/api/v1/deliveries/:id/run',
    { schema: { tags, summary: 'Deliver now: write a snapshot into the drop folder', params: IdParams } },
    async (req) => deliverNow(ctx, req.actor, req.params.id),
  );

  app.get(
    '/api/v1/exchange-log',
    {
      schema: {
        tags,
        summary: 'The exchange log: providers see their data’s reads, platform admins all; newest first',
        querystring: strictObject({
          resourceId: Type.Optional(Type.String({ maxLength: 64 })),
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })),
          beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (req) => queryExchangeLog(ctx, req.actor, req.query),
  );
  app.get(
    '/api/v1/exchange-log/daily',
    {
      schema: {
        tags,
        summary: 'Daily exchange figures per channel (calls, rows, bytes), same visibility as the log',
        querystring: strictObject({
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
    },
    async (req) => exchangeDailyFigures(ctx, req.actor, req.query),
  );

  app.get(
    '/api/v1/exchange/agreements',
    { schema: { tags, summary: 'The security commitment and use agreement in force (versioned texts)' } },
    async () => currentAgreements(ctx),
  );
  app.post(
    '/api/v1/exchange/agreements',
    {
      schema: {
        tags,
        summary: 'Put a new version of a text in force (platform admin)',
        body: strictObject({
          kind: Literal(AGREEMENT_KINDS),
          textZh: Text(50_000),
          textEn: Type.Optional(Type.String({ maxLength: 50_000 })),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await publishAgreement(ctx, req.actor, req.body)),
  );
  app.get(
    '/api/v1/exchange/holidays',
    {
      schema: {
        tags,
        summary: 'The working-day calendar: holidays, and weekend days worked (调休)',
        querystring: strictObject({
          from: Type.Optional(Type.String({ maxLength: 10 })),
          to: Type.Optional(Type.String({ maxLength: 10 })),
        }),
      },
    },
    async (req) => listHolidays(ctx, req.query),
  );
  app.put(
    '/api/v1/exchange/holidays/:date',
    {
      schema: {
        tags,
        summary: 'Add or change a calendar day (platform admin)',
        params: DateParam,
        body: strictObject({ name: Text(100), workday: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req) => putHoliday(ctx, req.actor, req.params.date, req.body),
  );
  app.delete(
    '/api/v1/exchange/holidays/:date',
    { schema: { tags, summary: 'Remove a calendar day (platform admin)', params: DateParam } },
    async (req, reply) => {
      await deleteHoliday(ctx, req.actor, req.params.date);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/exchange/sweeps/run',
    { schema: { tags, summary: 'Run the SLA escalation and expiry sweeps now (platform admin)' } },
    async (req) => runSweepsNow(ctx, req.actor),
  );
  app.get(
    '/api/v1/exchange/notices',
    {
      schema: {
        tags,
        summary: 'The caller’s notices from the exchange workflows (SLA escalations, decisions)',
        querystring: strictObject({ limit: Limit }),
      },
    },
    async (req) => listNotices(ctx, req.actor, req.query.limit ?? 50),
  );
}

import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { Id, IdParams, Nullable, strictObject } from '../../platform/http/schemas.ts';
import { bindFieldToElement, createDataElement, listDataElements, updateDataElement } from './elements.ts';
import { listNotifications, markNotificationRead } from './notifications.ts';
import { listOverdue, notifyOverdueAs } from './overdue.ts';
import { RULE_KINDS } from './quality.ts';
import { governanceReport, governanceReportXlsx } from './report.ts';
import { acceptProposal, createRule, deleteRule, listRules, qualityOf, rerunQuality, updateRule } from './rules.ts';
import { stopGovernanceTimer } from './start.ts';

const RuleKindSchema = Type.Union(RULE_KINDS.map((k) => Type.Literal(k)));
const RuleParamsSchema = strictObject({
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  values: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 500 })),
});
const RuleBody = strictObject({
  field: Type.String({ minLength: 1, maxLength: 200 }),
  kind: RuleKindSchema,
  params: Type.Optional(Nullable(RuleParamsSchema)),
  active: Type.Optional(Type.Boolean()),
});
const RulePatch = strictObject({
  params: Type.Optional(Nullable(RuleParamsSchema)),
  active: Type.Optional(Type.Boolean()),
});
const RuleParamsPath = strictObject({ id: Id, ruleId: Id });
const ElementCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.\\-]+$' });
const ElementRule = strictObject({ kind: RuleKindSchema, params: Type.Optional(Nullable(RuleParamsSchema)) });
const DATA_TYPES = ['string', 'number', 'date', 'datetime', 'boolean', 'binary'];
const SENSITIVITIES = [
  'none',
  'name',
  'id_card',
  'mobile',
  'landline',
  'address',
  'bank_card',
  'plate',
  'email',
  'other',
];
const lit = (xs: string[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const elementProps = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  dataType: lit(DATA_TYPES),
  format: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  rules: Type.Optional(Type.Array(ElementRule, { maxItems: 20 })),
  sensitivity: Type.Optional(lit(SENSITIVITIES)),
  grade: Type.Optional(lit(['L1', 'L2', 'L3', 'L4'])),
};
const ElementBody = strictObject({ code: ElementCode, ...elementProps });
const ElementPatch = Type.Partial(strictObject(elementProps), { additionalProperties: false });
const tags = ['governance'];

export async function governanceRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.store.db;
  app.addHook('onClose', async () => stopGovernanceTimer(ctx));

  // ------------------------------------------------------------ quality rules
  app.get(
    '/api/v1/resources/:id/quality-rules',
    {
      schema: {
        tags,
        summary: 'Quality rules of a resource: manual, from data elements, and proposals',
        params: IdParams,
      },
    },
    async (req) => ({ items: await listRules(ctx, req.actor, req.params.id) }),
  );
  app.post(
    '/api/v1/resources/:id/quality-rules',
    { schema: { tags, summary: 'Add a manual quality rule', params: IdParams, body: RuleBody } },
    async (req, reply) => reply.status(201).send(await createRule(ctx, req.actor, req.params.id, req.body)),
  );
  app.patch(
    '/api/v1/resources/:id/quality-rules/:ruleId',
    {
      schema: {
        tags,
        summary: 'Change the parameters of a rule or (de)activate it',
        params: RuleParamsPath,
        body: RulePatch,
      },
    },
    async (req) => updateRule(ctx, req.actor, req.params.id, req.params.ruleId, req.body),
  );
  app.delete(
    '/api/v1/resources/:id/quality-rules/:ruleId',
    { schema: { tags, summary: 'Delete a manual rule or dismiss a proposal', params: RuleParamsPath } },
    async (req, reply) => {
      await deleteRule(ctx, req.actor, req.params.id, req.params.ruleId);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/resources/:id/quality-rules/:ruleId/accept',
    {
      schema: {
        tags,
        summary: 'Accept a proposed rule: it becomes active and the field takes the detected sensitivity and grade',
        params: RuleParamsPath,
      },
    },
    async (req) => acceptProposal(ctx, req.actor, req.params.id, req.params.ruleId),
  );

  // ------------------------------------------------------------ quality reports
  app.get(
    '/api/v1/resources/:id/quality',
    {
      schema: {
        tags,
        summary: 'Latest quality report (per rule failures and sample rows) and the score history',
        params: IdParams,
        querystring: strictObject({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 30 })) }),
      },
    },
    async (req) => qualityOf(ctx, req.actor, req.params.id, req.query.limit),
  );
  app.post(
    '/api/v1/resources/:id/quality/run',
    { schema: { tags, summary: 'Run the quality rules over the current data again', params: IdParams } },
    async (req) => rerunQuality(ctx, req.actor, req.params.id),
  );

  // ------------------------------------------------------------ data elements
  app.get(
    '/api/v1/data-elements',
    { schema: { tags, summary: 'The data element dictionary (数据元)' } },
    async (req) => ({ items: await listDataElements(ctx, req.actor) }),
  );
  app.post(
    '/api/v1/data-elements',
    { schema: { tags, summary: 'Add a data element (platform admins)', body: ElementBody } },
    async (req, reply) => reply.status(201).send(await createDataElement(ctx, req.actor, req.body)),
  );
  app.patch(
    '/api/v1/data-elements/:code',
    {
      schema: {
        tags,
        summary: 'Change a data element (platform admins); bound fields follow at their next quality run',
        params: strictObject({ code: ElementCode }),
        body: ElementPatch,
      },
    },
    async (req) => updateDataElement(ctx, req.actor, req.params.code, req.body),
  );
  app.put(
    '/api/v1/resources/:id/fields/:fieldName/data-element',
    {
      schema: {
        tags,
        summary: 'Bind a field to a data element (code null unbinds); the element brings its rules',
        params: strictObject({ id: Id, fieldName: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: strictObject({ code: Nullable(ElementCode) }),
      },
    },
    async (req) => bindFieldToElement(ctx, req.actor, req.params.id, req.params.fieldName, req.body.code),
  );

  // ------------------------------------------------------------ notifications
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: 'My notifications, newest first',
        querystring: strictObject({
          unread: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        }),
      },
    },
    async (req) =>
      listNotifications(db, req.actor, {
        unreadOnly: req.query.unread === true,
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      }),
  );
  app.post(
    '/api/v1/notifications/:id/read',
    { schema: { tags, summary: 'Mark one of my notifications read', params: IdParams } },
    async (req) => markNotificationRead(db, req.actor, req.params.id),
  );

  // ------------------------------------------------------------ overdue and the governance report
  app.get(
    '/api/v1/governance/overdue',
    {
      schema: {
        tags,
        summary: 'Datasets late against their update cycle (department stewards: their own department)',
        querystring: strictObject({ departmentId: Type.Optional(Id) }),
      },
    },
    async (req) => listOverdue(ctx, req.actor, req.query.departmentId),
  );
  app.post(
    '/api/v1/governance/overdue/notify',
    {
      schema: {
        tags,
        summary: "Notify overdue datasets' stewards now (also runs daily; once per dataset and due date)",
      },
    },
    async (req) => notifyOverdueAs(ctx, req.actor),
  );
  app.get(
    '/api/v1/governance/report',
    {
      schema: {
        tags,
        summary: 'Governance report for a period of local days; format=xlsx downloads it (one sheet per section)',
        querystring: strictObject({
          from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
          to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
        }),
      },
    },
    async (req, reply) => {
      const report = await governanceReport(ctx, req.actor, req.query);
      if (req.query.format !== 'xlsx') return report;
      const name = `governance-report-${report.period.from}-${report.period.to}.xlsx`;
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(await governanceReportXlsx(report));
    },
  );
}

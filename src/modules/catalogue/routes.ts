import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { IdParams, Nullable, strictObject } from '../../platform/http/schemas.ts';
import * as departments from './departments.ts';
import * as resources from './resources.ts';
import * as vocab from './vocabularies.ts';

const S = (max: number) => Type.String({ maxLength: max });
const OptS = (max: number) => Type.Optional(Nullable(S(max)));

const FieldInputSchema = strictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  nameEn: OptS(100),
  dataType: S(20),
  length: Type.Optional(Nullable(Type.Integer())),
  description: OptS(1000),
  sensitivity: Type.Optional(S(20)),
  grade: Type.Optional(S(4)),
  dataElementCode: OptS(64),
});

const resourceProps = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  nameEn: OptS(300),
  abstract: Type.String({ minLength: 1, maxLength: 4000 }),
  classCategory: S(1),
  classItem: S(2),
  classCatalog: S(3),
  classDetail: OptS(6),
  format: S(20),
  sharingType: S(20),
  sharingConditions: OptS(2000),
  sharingBasis: OptS(2000),
  sharingMethod: S(20),
  openType: S(20),
  openConditions: OptS(2000),
  updateCycle: S(20),
  publishDate: OptS(10),
  relatedCodes: Type.Optional(Type.Array(S(40), { maxItems: 100 })),
  grade: Type.Optional(S(4)),
  domain: OptS(64),
  topics: Type.Optional(Type.Array(S(64), { maxItems: 50 })),
  tags: Type.Optional(Type.Array(S(50), { maxItems: 50 })),
  licence: OptS(200),
  contactName: OptS(100),
  contactPhone: OptS(30),
  contactEmail: OptS(200),
  spatialCoverage: OptS(500),
  divisionCode: OptS(6),
  temporalStart: OptS(10),
  temporalEnd: OptS(10),
  hasApi: Type.Optional(Type.Boolean()),
  fields: Type.Optional(Type.Array(FieldInputSchema, { maxItems: 2000 })),
};
const ResourceCreate = strictObject({ ...resourceProps, providerId: Type.String({ minLength: 1, maxLength: 64 }) });
const ResourcePatch = Type.Partial(strictObject({ ...resourceProps, revision: Type.Integer({ minimum: 1 }) }), {
  additionalProperties: false,
});
type ResourcePatchBody = Static<typeof ResourcePatch>;

const FieldSchema = Type.Object({
  id: Type.String(),
  position: Type.Integer(),
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  dataType: Type.String(),
  length: Nullable(Type.Integer()),
  description: Nullable(Type.String()),
  sensitivity: Type.String(),
  grade: Type.String(),
  dataElementCode: Nullable(Type.String()),
});
const ResourceSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String({ description: '信息资源代码: classification code / sequence' }),
    name: Type.String(),
    providerId: Type.String(),
    providerName: Type.Optional(Type.String()),
    status: Type.String(),
    grade: Type.String(),
    revision: Type.Integer(),
    fields: Type.Array(FieldSchema),
  },
  { additionalProperties: true },
);
const DepartmentSchema = Type.Object({
  id: Type.String(),
  parentId: Nullable(Type.String()),
  code: Type.String(),
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  kind: Type.String(),
  description: Nullable(Type.String()),
});
const DepartmentInput = strictObject({
  code: Type.String({ minLength: 1, maxLength: 32 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  nameEn: OptS(200),
  kind: S(20),
  parentId: OptS(64),
  description: OptS(1000),
});
const VocabSchema = Type.Object({
  kind: Type.String(),
  code: Type.String(),
  labelZh: Type.String(),
  labelEn: Type.String(),
  position: Type.Integer(),
  active: Type.Boolean(),
});

export async function catalogueRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.store.db;
  const changed = async (id: string) => {
    for (const h of ctx.events.onResourceChanged) await h(id);
  };

  // Departments
  app.get(
    '/api/v1/departments',
    {
      schema: {
        tags: ['departments'],
        summary: 'Departments, flat or as a tree (?tree=true)',
        querystring: strictObject({ tree: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req) => {
      const list = await departments.listDepartments(db);
      return req.query.tree ? departments.toTree(list) : list;
    },
  );
  app.get(
    '/api/v1/departments/:id',
    {
      schema: {
        tags: ['departments'],
        summary: 'One department, by id or code',
        params: IdParams,
        response: { 200: DepartmentSchema },
      },
    },
    async (req) => departments.getDepartment(db, req.params.id),
  );
  app.post(
    '/api/v1/departments',
    {
      schema: {
        tags: ['departments'],
        summary: 'Create a department',
        body: DepartmentInput,
        response: { 201: DepartmentSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await departments.createDepartment(db, req.actor, req.body)),
  );
  app.patch(
    '/api/v1/departments/:id',
    {
      schema: {
        tags: ['departments'],
        summary: 'Change a department',
        params: IdParams,
        body: Type.Partial(DepartmentInput, { additionalProperties: false }),
        response: { 200: DepartmentSchema },
      },
    },
    async (req) => {
      const d = await departments.updateDepartment(db, req.actor, req.params.id, req.body);
      // The department's name and code are part of its resources' search entries (and facets).
      for (const id of await departments.resourceIdsOf(db, req.params.id)) await changed(id);
      return d;
    },
  );
  app.delete(
    '/api/v1/departments/:id',
    { schema: { tags: ['departments'], summary: 'Delete an unused department', params: IdParams } },
    async (req, reply) => {
      await departments.deleteDepartment(db, req.actor, req.params.id);
      return reply.status(204).send();
    },
  );

  // Resources
  app.get(
    '/api/v1/resources',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'The catalogue, filtered to what the caller may see',
        querystring: strictObject({
          status: Type.Optional(S(20)),
          providerId: Type.Optional(S(64)),
          domain: Type.Optional(S(64)),
          openType: Type.Optional(S(20)),
          sharingType: Type.Optional(S(20)),
          q: Type.Optional(S(200)),
          sort: Type.Optional(Type.Union([Type.Literal('updated'), Type.Literal('name'), Type.Literal('popularity')])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ResourceSchema), total: Type.Integer() }) },
      },
    },
    async (req) =>
      resources.listResources(db, req.actor, {
        ...req.query,
        sort: req.query.sort ?? 'updated',
        limit: req.query.limit ?? 20,
        offset: req.query.offset ?? 0,
      }),
  );
  app.post(
    '/api/v1/resources',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Register an information resource (draft)',
        body: ResourceCreate,
        response: { 201: ResourceSchema },
      },
    },
    async (req, reply) => {
      const r = await resources.createResource(db, req.actor, req.body);
      await changed(r.id);
      return reply.status(201).send(r);
    },
  );
  app.get(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One resource, by id or code',
        params: IdParams,
        response: { 200: ResourceSchema },
      },
    },
    async (req) => resources.getResource(db, req.actor, req.params.id),
  );
  app.patch(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Edit a draft or returned resource (send revision to guard against lost updates)',
        params: IdParams,
        body: ResourcePatch,
        response: { 200: ResourceSchema },
      },
    },
    async (req) => {
      const r = await resources.updateResource(db, req.actor, req.params.id, req.body as ResourcePatchBody);
      await changed(r.id);
      return r;
    },
  );
  app.delete(
    '/api/v1/resources/:id',
    { schema: { tags: ['catalogue'], summary: 'Delete a never-published draft', params: IdParams } },
    async (req, reply) => {
      await resources.deleteResource(db, req.actor, req.params.id);
      for (const h of ctx.events.onResourceDeleted) await h(req.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/resources/:id/submit',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Submit for review (draft/returned → pending review)',
        params: IdParams,
        response: { 200: ResourceSchema },
      },
    },
    async (req) => {
      const r = await resources.submitResource(db, req.actor, req.params.id);
      await changed(r.id);
      return r;
    },
  );
  app.post(
    '/api/v1/resources/:id/review',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Review a pending resource: approve (publish or withdraw) or return with a reason',
        params: IdParams,
        body: strictObject({
          decision: Type.Union([Type.Literal('approve'), Type.Literal('return')]),
          reason: Type.Optional(Nullable(S(2000))),
        }),
        response: { 200: ResourceSchema },
      },
    },
    async (req) => {
      const r = await resources.reviewResource(db, req.actor, req.params.id, req.body);
      await changed(r.id);
      return r;
    },
  );
  app.post(
    '/api/v1/resources/:id/withdraw',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Ask to withdraw a published resource (reviewed by the bureau)',
        params: IdParams,
        body: strictObject({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: ResourceSchema },
      },
    },
    async (req) => {
      const r = await resources.requestWithdrawal(db, req.actor, req.params.id, req.body.reason);
      await changed(r.id);
      return r;
    },
  );
  app.get(
    '/api/v1/resources/:id/history',
    { schema: { tags: ['catalogue'], summary: 'Every change: who, when, what', params: IdParams } },
    async (req) => resources.resourceHistory(db, req.actor, req.params.id),
  );

  // Vocabularies
  app.get(
    '/api/v1/vocabularies',
    {
      schema: {
        tags: ['vocabularies'],
        summary: 'Domains, topics, grades, open/sharing types … with Chinese and English labels',
        querystring: strictObject({ kind: Type.Optional(S(40)) }),
        response: { 200: Type.Array(VocabSchema) },
      },
    },
    async (req) => vocab.listVocabulary(db, req.query.kind),
  );
  app.put(
    '/api/v1/vocabularies/:kind/:code',
    {
      schema: {
        tags: ['vocabularies'],
        summary: 'Add or relabel a vocabulary entry (platform admins)',
        params: strictObject({ kind: S(40), code: S(64) }),
        body: strictObject({
          labelZh: Type.String({ minLength: 1, maxLength: 200 }),
          labelEn: Type.String({ minLength: 1, maxLength: 200 }),
          position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: VocabSchema },
      },
    },
    async (req) => {
      const v = await vocab.putVocabularyEntry(db, req.actor, req.params.kind, req.params.code, req.body);
      for (const h of ctx.events.onVocabularyChanged) await h(v.kind);
      return v;
    },
  );
}

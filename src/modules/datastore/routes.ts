import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { MultipartFile } from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import type { App } from '../../platform/http/app-types.ts';
import { AppError, badRequest, mustBeOneOf, notFound } from '../../platform/http/errors.ts';
import { IdParams, strictObject } from '../../platform/http/schemas.ts';
import { withoutDetailLists, type JobRunner, type JobView } from '../../platform/jobs/index.ts';
import { authorize, can, type Actor } from '../access/index.ts';
import { getResource } from '../catalogue/index.ts';
import { rejectionsToCsv, type ColumnType, type LoadFailure, type StoredRejection } from '../ingest/index.ts';
import { startLoad, type LoadOptions } from './loads.ts';
import { parseRowsRequest, runRowsQuery } from './query/index.ts';
import { logExchange, readableTable } from './read.ts';
import { datastoreRepo, publicStats } from './repository.ts';
import { rollbackVersion } from './versions.ts';
import { exportTable, runSqlForActor } from './reads.ts';

const LoadQuery = strictObject({
  mode: Type.Optional(Type.Union([Type.Literal('replace'), Type.Literal('append'), Type.Literal('upsert')])),
  key: Type.Optional(Type.String({ maxLength: 500 })),
  encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('gb18030'), Type.Literal('gbk')])),
  sheet: Type.Optional(Type.String({ maxLength: 100 })),
  headerRows: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 2 })),
  policy: Type.Optional(Type.Union([Type.Literal('widen'), Type.Literal('reject_row')])),
  types: Type.Optional(
    Type.String({
      maxLength: 10_000,
      description: 'JSON object: column name → integer|decimal|boolean|date|datetime|text',
    }),
  ),
});

const COLUMN_TYPES = ['integer', 'decimal', 'boolean', 'date', 'datetime', 'text'];

/**
 * Load options sent as form fields, with the checks (and number conversion) the query string gets from LoadQuery: an
 * unknown field or a bad value is refused before anything is uploaded, as in the query string.
 */
function checkedFields(fields: Record<string, string>): Record<string, string | number> {
  const converted = Value.Convert(LoadQuery, fields) as Record<string, string | number>;
  const errors = [...Value.Errors(LoadQuery, converted)].map((e) => {
    // A value outside a list of allowed ones: name the list, as the query string's check does.
    const anyOf = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const list = anyOf?.every((s) => s.const !== undefined) ? anyOf.map((s) => s.const) : null;
    return { field: `body${e.path}`, message: list ? mustBeOneOf(list) : e.message };
  });
  const first = errors[0];
  if (first) throw badRequest('invalid_request', `${first.field}: ${first.message}`, { field: first.field, errors });
  return converted;
}

function loadOptions(q: Record<string, string | number | undefined>): LoadOptions {
  let typeOverrides: Record<string, ColumnType> | undefined;
  if (q.types !== undefined) {
    try {
      typeOverrides = JSON.parse(String(q.types)) as Record<string, ColumnType>;
    } catch {
      throw badRequest('invalid_types', 'types must be a JSON object of column → type', { field: 'types' });
    }
    if (typeof typeOverrides !== 'object' || typeOverrides === null || Array.isArray(typeOverrides))
      throw badRequest('invalid_types', 'types must be a JSON object of column → type', { field: 'types' });
    for (const [col, t] of Object.entries(typeOverrides))
      if (!COLUMN_TYPES.includes(t))
        throw badRequest('invalid_types', `type of ${col} must be one of ${COLUMN_TYPES.join(', ')}`, {
          field: 'types',
        });
  }
  const sheet = q.sheet === undefined ? undefined : /^\d+$/.test(String(q.sheet)) ? Number(q.sheet) : String(q.sheet);
  return {
    mode: (q.mode as LoadOptions['mode']) ?? 'replace',
    key: q.key
      ? String(q.key)
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean)
      : undefined,
    encoding: q.encoding as LoadOptions['encoding'],
    sheet,
    headerRows: q.headerRows === undefined ? undefined : Number(q.headerRows),
    delimiter: q.delimiter === undefined ? undefined : String(q.delimiter),
    badValuePolicy: q.policy as LoadOptions['badValuePolicy'],
    typeOverrides,
  };
}

/**
 * A job as GET /jobs/{id} and each of its Server-Sent Events show it: the stored job (progress: phase, bytesRead,
 * bytesTotal, rowsRead of the phase, and fraction of the whole load) with the estimated seconds left while it runs.
 */
function presentJobWithEta(job: JobView): JobView & { etaSeconds: number | null } {
  // `fraction` is the load's overall share done (phases weighted, see loads.ts); bytes restart at each phase.
  const f = (job.progress as { fraction?: number }).fraction;
  const eta =
    job.state === 'running' && job.startedAt && f !== undefined && f > 0
      ? Math.max(0, Math.round((((Date.now() - Date.parse(job.startedAt)) / f) * (1 - f)) / 1000))
      : null;
  return { ...job, error: withoutDetailLists(job.error), etaSeconds: eta };
}

async function jobFor(ctx: AppContext, jobs: JobRunner, actor: Actor, id: string) {
  const job = await jobs.get(id);
  if (!job) throw notFound('job', id);
  if (actor.kind !== 'user') throw new AppError(401, 'authentication_required', 'Sign in or send an API key');
  if (job.createdBy !== actor.userId && actor.role !== 'platform_admin') {
    // Stewards of the resource's department may follow its loads too.
    if (!job.resourceId) throw notFound('job', id);
    const r = await getResource(ctx.store.db, actor, job.resourceId).catch(() => null);
    if (!r || !can(actor, { action: 'resource.load_data', resource: r })) throw notFound('job', id);
  }
  return job;
}

export async function datastoreRoutes(app: App, ctx: AppContext, jobs: JobRunner): Promise<void> {
  const db = ctx.store.db;

  app.post(
    '/api/v1/resources/:id/loads',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Upload a file (multipart field `file`) as a new version; answers 202 with the load job',
        consumes: ['multipart/form-data'],
        params: IdParams,
        querystring: LoadQuery,
        response: {
          202: Type.Object({
            job: Type.Object({ id: Type.String(), state: Type.String() }, { additionalProperties: true }),
          }),
        },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart())
        throw new AppError(415, 'multipart_required', 'Send the file as multipart/form-data in the field `file`');
      // Options come in the query string, or as form fields placed before the file.
      const fields: Record<string, string> = {};
      let file: MultipartFile | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file')
            throw badRequest('unexpected_file', `Unexpected file field ${part.fieldname}; use \`file\``, {
              field: part.fieldname,
            });
          file = part;
          break;
        }
        fields[part.fieldname] = String(part.value).slice(0, 10_000);
      }
      if (!file) throw badRequest('file_required', 'The multipart body has no `file` field', { field: 'file' });
      const opts = loadOptions({ ...checkedFields(fields), ...(req.query as Record<string, string>) });
      const f = file;
      const jobId = await startLoad(
        ctx,
        jobs,
        req.actor,
        req.params.id,
        { stream: f.file, filename: f.filename, truncated: () => f.file.truncated },
        opts,
      );
      return reply.status(202).send({ job: (await jobs.get(jobId))! });
    },
  );

  app.get(
    '/api/v1/jobs/:id',
    {
      schema: {
        tags: ['datastore'],
        summary: 'A job: state, progress (bytes, rows, ETA) and result',
        params: IdParams,
      },
    },
    async (req) => presentJobWithEta(await jobFor(ctx, jobs, req.actor, req.params.id)),
  );
  app.post(
    '/api/v1/jobs/:id/cancel',
    { schema: { tags: ['datastore'], summary: 'Cancel a queued or running job', params: IdParams } },
    async (req) => {
      await jobFor(ctx, jobs, req.actor, req.params.id);
      return jobs.cancel(req.params.id);
    },
  );
  app.get(
    '/api/v1/jobs/:id/events',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Progress as Server-Sent Events (event: progress | end)',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const job = await jobFor(ctx, jobs, req.actor, req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let ended = false;
      let lastFraction = -1;
      let lastAt = 0;
      let pending: JobView | null = null;
      let timer: NodeJS.Timeout | null = null;
      const sendProgress = (j: JobView) => {
        lastAt = Date.now();
        send('progress', presentJobWithEta(j));
      };
      const flush = () => {
        timer = null;
        if (pending && !ended) sendProgress(pending);
        pending = null;
      };
      // Each event carries the job as GET /jobs/{id} shows it (progress and etaSeconds). At most five a second: the
      // latest held back is sent when the 200 ms are up (or before the end). Never one behind the last: the runner
      // builds its events concurrently, so they may arrive out of order.
      const progress = (j: JobView) => {
        // A load's `fraction` of the whole only grows (loads.ts); jobs without one are passed as they come.
        const fraction = (j.progress as { fraction?: number }).fraction ?? 0;
        if (fraction < lastFraction) return;
        lastFraction = fraction;
        const wait = lastAt + 200 - Date.now();
        if (wait <= 0 && !timer) return sendProgress(j);
        pending = j;
        timer ??= setTimeout(flush, Math.max(0, wait));
      };
      const stop = () => {
        ended = true;
        if (timer) clearTimeout(timer);
        off();
      };
      const end = (j: JobView) => {
        if (ended) return;
        if (pending) sendProgress(pending);
        stop();
        send('end', presentJobWithEta(j));
        res.end();
      };
      const off = jobs.subscribe(job.id, (e) => {
        if (ended) return;
        if (e.type === 'end') end(e.job);
        else progress(e.job);
      });
      // The response's close (finished, or the client went away); the request's own close comes once its body is read.
      res.on('close', stop);
      progress(job);
      // The job may have ended between reading it and subscribing: look again now that no end can be missed.
      const now = ['queued', 'running'].includes(job.state) ? await jobs.get(job.id) : job;
      if (now && !['queued', 'running'].includes(now.state)) end(now);
    },
  );
  app.get(
    '/api/v1/jobs/:id/report',
    {
      schema: {
        tags: ['datastore'],
        summary:
          'Validation report of a load; ?format=csv for the rejected rows as CSV, worded in ?lang=zh (default) or en',
        params: IdParams,
        querystring: strictObject({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
          lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])),
        }),
      },
    },
    async (req, reply) => {
      const job = await jobFor(ctx, jobs, req.actor, req.params.id);
      const version =
        job.state === 'succeeded'
          ? await db.selectFrom('table_versions').selectAll().where('job_id', '=', job.id).executeTakeFirst()
          : undefined;
      // A failed load's rejections, when its error lists them (every row rejected).
      const failedRejections = (job.error as { rejections?: StoredRejection[] } | null)?.rejections ?? [];
      const report = version
        ? (JSON.parse(version.report) as { rejections?: StoredRejection[] })
        : {
            job: job.state,
            error: withoutDetailLists(job.error),
            progress: job.progress,
            rejections: failedRejections,
          };
      if (req.query.format === 'csv') {
        // rejectionsToCsv already starts with the one BOM Excel needs.
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="load-report-${job.id}.csv"`)
          .send(
            rejectionsToCsv(
              report.rejections ?? [],
              req.query.lang,
              job.state === 'failed' && job.error ? (job.error as LoadFailure) : undefined,
            ),
          );
      }
      return report;
    },
  );

  app.get(
    '/api/v1/resources/:id/versions',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Versions of the data table, newest first, with the current one marked',
        params: IdParams,
      },
    },
    async (req) => {
      const r = await getResource(db, req.actor, req.params.id);
      authorize(req.actor, { action: 'resource.read_data', resource: r });
      const current = await datastoreRepo.current(db, r.id);
      return (await datastoreRepo.versions(db, r.id)).map((v) => ({
        id: v.id,
        version: v.version,
        rows: Number(v.row_count),
        bytes: Number(v.byte_size),
        mode: v.mode,
        sourceName: v.source_name,
        columns: JSON.parse(v.columns) as unknown,
        createdAt: v.created_at,
        createdBy: v.created_by,
        jobId: v.job_id,
        // GeoJSON sources: the geometry column, the source's coordinate reference system and the geometry types.
        geometry: v.geometry ? (JSON.parse(v.geometry) as unknown) : null,
        current: current?.id === v.id,
      }));
    },
  );
  app.post(
    '/api/v1/resources/:id/versions/:versionId/rollback',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Make an earlier version current again',
        params: strictObject({ id: IdParams.properties.id, versionId: IdParams.properties.id }),
        description:
          'expectedCurrent: the version the caller saw as current; if another is current by now (a newer load), ' +
          '409 version_conflict and nothing changes.',
        querystring: strictObject({ expectedCurrent: Type.Optional(IdParams.properties.id) }),
      },
    },
    async (req) => rollbackVersion(ctx, req.actor, req.params.id, req.params.versionId, req.query.expectedCurrent),
  );

  app.get(
    '/api/v1/resources/:id/export',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Download the table (or a filtered query) as csv, xlsx, json, ndjson, geojson or parquet; streamed',
        params: IdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.String({ maxLength: 10 })),
            encoding: Type.Optional(Type.String({ maxLength: 10, description: 'csv: utf8 | utf8-bom | gb18030' })),
            fields: Type.Optional(Type.String({ maxLength: 10_000 })),
            filters: Type.Optional(Type.String({ maxLength: 100_000 })),
            sort: Type.Optional(Type.String({ maxLength: 2_000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { format, encoding, ...q } = req.query;
      const request = parseRowsRequest(q);
      const { stream, headers } = await exportTable(ctx, req.actor, req.params.id, request, {
        format: format ?? 'csv',
        encoding,
        clientIp: req.ip,
        filter: q.filters ?? null,
      });
      return reply.headers(headers).send(stream);
    },
  );

  const SqlBody = strictObject({ sql: Type.String({ minLength: 1, maxLength: 20_000 }) });
  app.post(
    '/api/v1/sql',
    {
      schema: {
        tags: ['datastore'],
        summary:
          'Read-only SQL: one SELECT over tables named by resource id in double quotes; masked, time- and row-capped',
        body: SqlBody,
      },
    },
    async (req) => runSqlForActor(ctx, req.actor, req.body.sql, req.ip),
  );

  app.get(
    '/api/v1/stats',
    {
      schema: {
        tags: ['datastore'],
        summary: 'Headline figures of the open portal: published open datasets, their records, departments, data calls',
        response: {
          200: Type.Object({
            datasets: Type.Integer(),
            records: Type.Number(),
            departments: Type.Integer(),
            apiCalls: Type.Integer(),
          }),
        },
      },
    },
    async () => publicStats(ctx),
  );

  app.get(
    '/api/v1/resources/:id/rows',
    {
      // Every completed read is recorded in the exchange log (who, what, rows, client address, time), so the two
      // request lines per call at info level would only repeat it, at a cost a data call feels (~10% of its CPU).
      // Errors still log at error level; refused reads are logged below.
      logLevel: 'warn',
      onResponse: async (req, reply) => {
        if (reply.statusCode >= 400)
          ctx.log.info(
            { reqId: req.id, url: req.url, statusCode: reply.statusCode, clientIp: req.ip },
            'data read refused or failed',
          );
      },
      schema: {
        tags: ['datastore'],
        summary: 'Rows of the current table: fields, filters (JSON), sort, limit/offset or cursor, group-by aggregates',
        params: IdParams,
        querystring: Type.Object(
          {
            fields: Type.Optional(Type.String({ maxLength: 10_000 })),
            filters: Type.Optional(Type.String({ maxLength: 100_000 })),
            sort: Type.Optional(Type.String({ maxLength: 2_000 })),
            limit: Type.Optional(Type.String({ maxLength: 10 })),
            offset: Type.Optional(Type.String({ maxLength: 12 })),
            cursor: Type.Optional(Type.String({ maxLength: 10_000 })),
            groupBy: Type.Optional(Type.String({ maxLength: 2_000 })),
            aggregates: Type.Optional(Type.String({ maxLength: 10_000 })),
            version: Type.Optional(
              Type.String({
                maxLength: 64,
                description: 'A version of the table by its number or its id (default: the current version)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { version, ...q } = req.query;
      const request = parseRowsRequest(q);
      const t = await readableTable(ctx, req.actor, req.params.id, version);
      const result = await runRowsQuery(ctx.engine, t.source, request);
      // Serialised once: the exchange log records the bytes of exactly the body that is sent.
      const body = JSON.stringify({ ...result, version: t.version.version, masked: t.masked });
      await logExchange(ctx, req.actor, t, {
        channel: 'rows',
        fields: request.fields ?? t.source.columns.map((c) => c.name),
        filter: q.filters ?? null,
        rows: result.records.length,
        bytes: Buffer.byteLength(body),
        clientIp: req.ip,
      });
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}

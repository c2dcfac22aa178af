import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { App } from '../../../platform/http/app-types.ts';
import { AppError, badRequest, notFound } from '../../../platform/http/errors.ts';
import type { Actor } from '../../access/index.ts';
import {
  groupList,
  groupShow,
  organizationList,
  organizationShow,
  packageList,
  packageSearch,
  packageShow,
  resourceShow,
  statusShow,
  tagList,
} from './catalogue-actions.ts';
import { datastoreSearch, datastoreSearchSql } from './datastore-actions.ts';
import { ckanErrorHandler, success } from './envelope.ts';
import { onlyKnown, str, type Params } from './params.ts';

type ActionFn = (ctx: AppContext, actor: Actor, p: Params, clientIp?: string) => unknown;

/** The CKAN actions CityData answers, all read-only; each help text is what help_show returns. */
const ACTIONS: Record<string, { run: ActionFn; help: string }> = {
  package_search: {
    run: packageSearch,
    help: 'Searches datasets. q: words (Chinese, pinyin, Latin) or *:*; fq: organization:, groups:, tags:, res_format: clauses (several values as field:(a OR b)); rows (≤1000), start, sort (score desc | metadata_modified desc | views_recent desc), facet.field (JSON list of organization, groups, tags, res_format), facet.limit, facet.mincount, include_private. Returns count, results, facets, search_facets.',
  },
  package_show: {
    run: packageShow,
    help: 'Returns one dataset by id, name (code as a slug) or code. id: the dataset.',
  },
  package_list: { run: packageList, help: 'Returns the names of all public datasets. limit, offset.' },
  organization_list: {
    run: organizationList,
    help: 'Returns the departments (organisations). all_fields, sort, limit, offset, organizations, q.',
  },
  organization_show: {
    run: organizationShow,
    help: 'Returns one department by id or name. include_datasets adds the datasets the caller may see.',
  },
  group_list: { run: groupList, help: 'Returns the domains (groups). all_fields, sort, limit, offset, groups, q.' },
  group_show: { run: groupShow, help: 'Returns one domain by code. include_datasets adds its datasets.' },
  tag_list: { run: tagList, help: 'Returns the tags of public datasets. query, all_fields.' },
  resource_show: {
    run: resourceShow,
    help: 'Returns one resource: a dataset id is its data table (datastore_active), id-csv etc. its downloads.',
  },
  status_show: { run: statusShow, help: 'Returns the site status and the CKAN API level answered.' },
  datastore_search: {
    run: datastoreSearch,
    help: 'Reads rows of a data table. resource_id, filters ({field: value|[values]}), q (text or {field: text}), fields, sort, limit (≤10000), offset, include_total, distinct, records_format (objects|lists|csv|tsv). Masked fields stay masked.',
  },
  datastore_search_sql: {
    run: datastoreSearchSql,
    help: 'Runs one read-only SELECT; tables are resource ids in double quotes. At most 10,000 rows and 10 s.',
  },
  help_show: {
    run: (_ctx, _actor, p) => {
      onlyKnown('help_show', p, ['name']);
      const name = str(p, 'name', { required: true, max: 100 })!;
      const a = ACTIONS[name];
      if (!a) throw notFound('Action', name);
      return a.help;
    },
    help: 'Returns the help text of an action. name: the action.',
  },
};

export const CKAN_ACTIONS = Object.keys(ACTIONS);

function paramsOf(req: FastifyRequest): Params {
  if (req.method === 'GET') return (req.query ?? {}) as Params;
  const body = req.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest('invalid_body', 'the body must be a JSON object of action parameters');
  return body as Params;
}

/**
 * The CKAN Action API (`/api/3/action/NAME` and `/api/action/NAME`, GET or POST JSON) in a scope of its own, whose
 * error handler answers in CKAN's envelope instead of problem+json.
 */
export async function ckanRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(ckanErrorHandler(ctx.config.publicUrl));
    const handler = async (req: FastifyRequest<{ Params: { action: string } }>) => {
      const name = req.params.action;
      const action = ACTIONS[name];
      if (!action) throw new AppError(400, 'unknown_action', `Bad request - Action name not known: ${name}`);
      const result = await action.run(ctx, req.actor, paramsOf(req), req.ip);
      return success(ctx.config.publicUrl, name, result);
    };
    const params = Type.Object({ action: Type.String({ pattern: '^[a-z_]{1,64}$' }) }, { additionalProperties: false });
    const query = Type.Record(
      Type.String({ maxLength: 100 }),
      Type.Union([
        Type.String({ maxLength: 20_000 }),
        Type.Array(Type.String({ maxLength: 20_000 }), { maxItems: 50 }),
      ]),
    );
    for (const prefix of ['/api/3/action', '/api/action']) {
      scope.get(
        `${prefix}/:action`,
        {
          schema: {
            tags: ['ckan'],
            summary: `CKAN Action API (GET): ${CKAN_ACTIONS.join(', ')}`,
            params,
            querystring: query,
          },
        },
        handler,
      );
      scope.post(
        `${prefix}/:action`,
        {
          schema: {
            tags: ['ckan'],
            summary: 'CKAN Action API (POST, parameters as a JSON object)',
            params,
          },
        },
        handler,
      );
    }
  });
}

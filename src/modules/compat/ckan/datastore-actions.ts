import type { AppContext } from '../../../context.ts';
import { badRequest, notFound } from '../../../platform/http/errors.ts';
import type { Actor } from '../../access/index.ts';
import { jsonBytes, logExchange, readableTable, type ReadableTable } from '../../datastore/index.ts';
import {
  parseRowsRequest,
  runRowsQuery,
  type ColumnType,
  type FilterNode,
  type RowsRequest,
  type TableSource,
} from '../../datastore/query/index.ts';
import { runUserSql } from '../../datastore/sql/index.ts';
import { parseCkanResourceId } from '../mapping.ts';
import { bool, int, json, onlyKnown, str, type Params } from './params.ts';

/** The same limits as our own /api/v1/sql (datastore reads.ts): 10,000 rows, 10 s. */
export const SQL_ROW_CAP = 10_000;
export const SQL_TIMEOUT_MS = 10_000;
/** CKAN's default page is 100 records; our rows API allows up to 10,000 per call (parseRowsRequest enforces it). */
const DEFAULT_LIMIT = 100;

/** Our logical column types in CKAN's (PostgreSQL) type names. */
const CKAN_TYPES: Record<ColumnType, string> = {
  integer: 'int8',
  decimal: 'numeric',
  boolean: 'bool',
  date: 'date',
  datetime: 'timestamp',
  text: 'text',
};

async function tableFor(ctx: AppContext, actor: Actor, resourceId: string): Promise<ReadableTable> {
  const parsed = parseCkanResourceId(resourceId);
  // A download resource has no datastore table; only the table resource (the plain id) does.
  if (!parsed || parsed.format) throw notFound('Resource', resourceId);
  return readableTable(ctx, actor, parsed.resourceId).catch((err: unknown) => {
    if (err instanceof Error && 'code' in err && (err as { code: string }).code === 'no_data')
      throw notFound('Resource', `${resourceId} (no datastore table: no data loaded)`);
    throw err;
  });
}

/** CKAN sort: `a, "b c" desc` → our sort keys (double-quoted names may hold spaces and commas). */
function parseCkanSort(sort: string | undefined): { field: string; dir: 'asc' | 'desc' }[] | undefined {
  if (!sort?.trim()) return undefined;
  const out: { field: string; dir: 'asc' | 'desc' }[] = [];
  const re = /\s*(?:"((?:[^"]|"")+)"|([^,"\s][^,"]*?))(?:\s+(asc|desc))?\s*(?:,|$)/giy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < sort.length && (m = re.exec(sort)) !== null) {
    const field = m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '').trim();
    if (!field) break;
    out.push({ field, dir: (m[3]?.toLowerCase() ?? 'asc') as 'asc' | 'desc' });
    at = re.lastIndex;
  }
  if (at < sort.trim().length || !out.length)
    throw badRequest('invalid_sort', `cannot read sort "${sort}"; write field [asc|desc], … (quote names in "")`, {
      field: 'sort',
    });
  return out;
}

/** CKAN's `q`: a string searched in every field, or {field: text} searched in those fields. */
function fullText(q: unknown, src: TableSource): FilterNode | undefined {
  if (q === undefined || q === null || q === '') return undefined;
  if (typeof q === 'string') {
    if (q.length > 500) throw badRequest('invalid_parameter', 'q is longer than 500 characters', { field: 'q' });
    const cols = src.columns.filter((c) => c.name !== '_id');
    return { or: cols.map((c) => ({ field: c.name, op: 'contains' as const, value: q })) };
  }
  if (typeof q === 'object' && !Array.isArray(q)) {
    const entries = Object.entries(q as Record<string, unknown>);
    if (!entries.length || entries.length > 50)
      throw badRequest('invalid_parameter', 'q as an object needs 1–50 {field: text} pairs', { field: 'q' });
    return {
      and: entries.map(([field, value]) => {
        if (typeof value !== 'string' && typeof value !== 'number')
          throw badRequest('invalid_parameter', `q.${field} must be text`, { field: 'q' });
        return { field, op: 'contains' as const, value: String(value) };
      }),
    };
  }
  throw badRequest('invalid_parameter', 'q must be text or an object {field: text}', { field: 'q' });
}

function toCsv(rows: unknown[][], sep: string): string {
  // Written by hand: one small quoting rule, not worth a dependency.
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /["\r\n]/.test(s) || s.includes(sep) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(sep)).join('\n') + (rows.length ? '\n' : '');
}

export const DATASTORE_SEARCH_PARAMS = [
  'resource_id',
  'id',
  'filters',
  'q',
  'plain',
  'language',
  'full_text',
  'distinct',
  'fields',
  'sort',
  'limit',
  'offset',
  'include_total',
  'total_estimation_threshold',
  'records_format',
] as const;

export async function datastoreSearch(ctx: AppContext, actor: Actor, p: Params, clientIp?: string) {
  onlyKnown('datastore_search', p, DATASTORE_SEARCH_PARAMS);
  const resourceId = str(p, 'resource_id', { max: 100 }) ?? str(p, 'id', { max: 100 });
  if (!resourceId)
    throw badRequest('missing_parameter', 'Missing value: resource_id is required', { field: 'resource_id' });
  if (str(p, 'full_text') !== undefined)
    throw badRequest('unsupported_parameter', 'full_text is not supported; use q', { field: 'full_text' });
  const plain = bool(p, 'plain', true);
  if (!plain)
    throw badRequest('unsupported_parameter', 'plain=false (PostgreSQL tsquery syntax) is not supported', {
      field: 'plain',
    });
  str(p, 'language', { max: 50 });
  const distinct = bool(p, 'distinct', false);
  const includeTotal = bool(p, 'include_total', true);
  int(p, 'total_estimation_threshold', { min: 0, max: Number.MAX_SAFE_INTEGER });
  const format = str(p, 'records_format') ?? 'objects';
  if (!['objects', 'lists', 'csv', 'tsv'].includes(format))
    throw badRequest('invalid_parameter', 'records_format must be objects, lists, csv or tsv', {
      field: 'records_format',
    });
  const filters = json(p, 'filters');
  if (filters !== undefined && (typeof filters !== 'object' || filters === null || Array.isArray(filters)))
    throw badRequest('invalid_filters', 'filters must be an object {field: value or [values]}', { field: 'filters' });
  const q = typeof p.q === 'string' && p.q.trim().startsWith('{') ? json(p, 'q') : p.q;
  const limit = int(p, 'limit', { min: 0, max: Number.MAX_SAFE_INTEGER, dflt: DEFAULT_LIMIT })!;
  const offset = int(p, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, dflt: 0 })!;

  const t = await tableFor(ctx, actor, resourceId);
  const req: RowsRequest = parseRowsRequest({
    limit,
    offset,
    fields: p.fields,
    sort: parseCkanSort(str(p, 'sort', { max: 2000 })),
    filters: filters === undefined ? undefined : filters,
  });
  const text = fullText(q, t.source);
  if (text) req.filters = req.filters ? { and: [req.filters, text] } : text;
  if (distinct) {
    // DISTINCT rows over the chosen fields (without _id, which makes every row distinct), as a group-by.
    req.groupBy = req.fields ?? t.source.columns.map((c) => c.name).filter((n) => n !== '_id');
    req.aggregates = [{ fn: 'count', as: '__distinct_rows' }];
    delete req.fields;
  }
  const result = await runRowsQuery(ctx.engine, t.source, req);
  const fields = result.fields
    .filter((f) => f.id !== '__distinct_rows')
    .map((f) => {
      const meta = t.resource.fields.find((x) => x.name === f.id);
      return {
        id: f.id,
        type: f.id === '_id' ? 'int' : CKAN_TYPES[f.type],
        ...(meta ? { info: { label: meta.nameEn ?? '', notes: meta.description ?? '' } } : {}),
      };
    });
  const names = fields.map((f) => f.id);
  const rows = result.records.map((r) => names.map((n) => r[n] ?? null));
  const records =
    format === 'objects'
      ? result.records.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])))
      : format === 'lists'
        ? rows
        : toCsv(rows, format === 'csv' ? ',' : '\t');
  await logExchange(ctx, actor, t, {
    channel: 'ckan_datastore',
    fields: names,
    filter: JSON.stringify({ filters: filters ?? null, q: q ?? null, sort: p.sort ?? null, distinct }).slice(0, 2000),
    rows: rows.length,
    bytes: jsonBytes(records),
    clientIp: clientIp ?? null,
  });
  const base = `/api/3/action/datastore_search?resource_id=${encodeURIComponent(t.resource.id)}`;
  const extra = [limit !== DEFAULT_LIMIT ? `&limit=${limit}` : ''].join('');
  return {
    include_total: includeTotal,
    resource_id: t.resource.id,
    fields,
    records_format: format,
    records,
    limit,
    ...(offset ? { offset } : {}),
    ...(p.filters !== undefined ? { filters } : {}),
    ...(q !== undefined ? { q } : {}),
    ...(p.sort !== undefined ? { sort: p.sort } : {}),
    ...(distinct ? { distinct } : {}),
    _links: {
      start: base + extra,
      next: `${base}${extra}&offset=${offset + limit}`,
    },
    ...(includeTotal ? { total: result.total, total_was_estimated: !result.totalExact } : {}),
  };
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const MAX_SQL_TABLES = 20;

/**
 * datastore_search_sql: one read-only SELECT over tables named by resource id in double quotes. Only tables the
 * caller may read reach the sandbox, each as its masked view; any other id is reported as an unknown table, so
 * hidden data does not reveal that it exists.
 */
export async function datastoreSearchSql(ctx: AppContext, actor: Actor, p: Params, clientIp?: string) {
  onlyKnown('datastore_search_sql', p, ['sql']);
  const sql = str(p, 'sql', { required: true, max: 20_000 })!;
  const readable: ReadableTable[] = [];
  for (const id of [...new Set((sql.match(UUID_RE) ?? []).map((s) => s.toLowerCase()))].slice(0, MAX_SQL_TABLES)) {
    const t = await readableTable(ctx, actor, id).catch(() => null);
    if (t) readable.push(t);
  }
  const tables = new Map<string, TableSource>(readable.map((t) => [t.resource.id, t.source]));
  const result = await runUserSql({
    sql,
    tables,
    rowCap: SQL_ROW_CAP,
    timeoutMs: SQL_TIMEOUT_MS,
    dataDir: ctx.config.dataDir,
  });
  const lower = sql.toLowerCase();
  const fields = result.fields.map((f) => f.id);
  const bytes = jsonBytes(result.records);
  for (const t of readable.filter((r) => lower.includes(r.resource.id)))
    await logExchange(ctx, actor, t, {
      channel: 'ckan_datastore',
      fields,
      filter: sql.slice(0, 2000),
      rows: result.records.length,
      bytes,
      clientIp: clientIp ?? null,
    });
  return {
    sql,
    fields: result.fields.map((f) => ({ id: f.id, type: CKAN_TYPES[f.type] })),
    records: result.records,
    ...(result.truncated ? { records_truncated: true } : {}),
  };
}

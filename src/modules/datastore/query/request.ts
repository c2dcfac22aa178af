import { badRequest } from '../../../platform/http/errors.ts';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type AggregateFn,
  type AggregateSpec,
  type FilterNode,
  type FilterOp,
  type RowsRequest,
  type SortKey,
} from './types.ts';

const FILTER_OPS = new Set<FilterOp>(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains', 'is_null', 'between']);
const AGGREGATE_FNS = new Set<AggregateFn>(['count', 'count_distinct', 'sum', 'avg', 'min', 'max']);
/** Bounds that keep a filter tree from becoming a denial-of-service vector. */
const MAX_FILTER_DEPTH = 8;
const MAX_FILTER_CONDITIONS = 200;
export const MAX_IN_VALUES = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Accepts a JSON value or its text (query-string form). */
function jsonParam(value: unknown, name: string, code: string): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(code, `${name} is not valid JSON`, { field: name });
  }
}

/** Accepts an array of strings or a comma-separated list. */
function nameList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let items: unknown[];
  if (typeof value === 'string') {
    const trimmed = value.trim();
    items = trimmed.startsWith('[') ? (jsonParam(trimmed, name, `invalid_${name}`) as unknown[]) : trimmed.split(',');
  } else items = Array.isArray(value) ? value : [value];
  if (!Array.isArray(items))
    throw badRequest(`invalid_${name}`, `${name} must be a list of field names`, { field: name });
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || item.trim() === '')
      throw badRequest(`invalid_${name}`, `${name} must be a list of non-empty field names`, { field: name });
    const n = item.trim();
    if (!out.includes(n)) out.push(n);
  }
  return out.length ? out : undefined;
}

function intParam(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw badRequest(`invalid_${name}`, `${name} must be an integer ≥ ${min}`, { field: name });
  return n;
}

function parseFilterNode(node: unknown, depth: number, counter: { n: number }): FilterNode {
  if (depth > MAX_FILTER_DEPTH)
    throw badRequest('invalid_filters', `filters are nested deeper than ${MAX_FILTER_DEPTH} levels`, {
      field: 'filters',
    });
  if (!isRecord(node)) throw badRequest('invalid_filters', 'each filter must be an object', { field: 'filters' });
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or') && Array.isArray(node[keys[0]])) {
    const key = keys[0];
    const children = (node[key] as unknown[]).map((c) => parseFilterNode(c, depth + 1, counter));
    return key === 'and' ? { and: children } : { or: children };
  }
  if (typeof node.field === 'string' && typeof node.op === 'string') {
    if (++counter.n > MAX_FILTER_CONDITIONS)
      throw badRequest('invalid_filters', `at most ${MAX_FILTER_CONDITIONS} filter conditions are allowed`, {
        field: 'filters',
      });
    const op = node.op as FilterOp;
    if (!FILTER_OPS.has(op))
      throw badRequest('invalid_filters', `unknown filter operator "${node.op}" on field "${node.field}"`, {
        field: node.field,
        allowed: [...FILTER_OPS],
      });
    const value = node.value;
    if (op === 'in' && (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES))
      throw badRequest('invalid_filter_value', `"in" on "${node.field}" needs an array of 1–${MAX_IN_VALUES} values`, {
        field: node.field,
      });
    if (op === 'between' && (!Array.isArray(value) || value.length !== 2))
      throw badRequest('invalid_filter_value', `"between" on "${node.field}" needs [low, high]`, { field: node.field });
    if (op === 'is_null' && typeof value !== 'boolean')
      throw badRequest('invalid_filter_value', `"is_null" on "${node.field}" needs true or false`, {
        field: node.field,
      });
    if (
      !['in', 'between', 'is_null'].includes(op) &&
      (value === undefined || value === null || typeof value === 'object')
    )
      throw badRequest(
        'invalid_filter_value',
        `"${op}" on "${node.field}" needs a single value (use is_null for null)`,
        {
          field: node.field,
        },
      );
    return { field: node.field, op, value };
  }
  // CKAN-style shorthand: {"站点": "x", "区": ["a", "b"]} means eq / in, all combined with AND.
  if (keys.length === 0) throw badRequest('invalid_filters', 'empty filter object', { field: 'filters' });
  return {
    and: keys.map((field) => {
      const value = node[field];
      return parseFilterNode(
        Array.isArray(value)
          ? { field, op: 'in', value }
          : { field, op: value === null ? 'is_null' : 'eq', value: value === null ? true : value },
        depth + 1,
        counter,
      );
    }),
  };
}

function parseSort(value: unknown): SortKey[] {
  if (value === undefined || value === null || value === '') return [];
  const items: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  const out: SortKey[] = [];
  for (const item of items) {
    let key: SortKey;
    if (typeof item === 'string') {
      const m = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(item);
      if (!m?.[1]) throw badRequest('invalid_sort', `cannot read sort item "${item}"`, { field: 'sort' });
      key = { field: m[1], dir: (m[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc' };
    } else if (isRecord(item) && typeof item.field === 'string') {
      const dir = item.dir ?? 'asc';
      if (dir !== 'asc' && dir !== 'desc')
        throw badRequest('invalid_sort', `sort direction must be asc or desc, not "${String(dir)}"`, { field: 'sort' });
      key = { field: item.field, dir };
    } else
      throw badRequest('invalid_sort', 'sort must be "field asc, field2 desc" or [{field, dir}]', { field: 'sort' });
    if (out.some((k) => k.field === key.field))
      throw badRequest('invalid_sort', `field "${key.field}" appears twice in sort`, { field: key.field });
    out.push(key);
  }
  return out;
}

function parseAggregates(value: unknown): AggregateSpec[] | undefined {
  const parsed = jsonParam(value, 'aggregates', 'invalid_aggregate');
  if (parsed === undefined || parsed === null) return undefined;
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 50)
    throw badRequest('invalid_aggregate', 'aggregates must be an array of 1–50 {fn, field?, as?}', {
      field: 'aggregates',
    });
  return parsed.map((a: unknown) => {
    if (!isRecord(a) || typeof a.fn !== 'string' || !AGGREGATE_FNS.has(a.fn as AggregateFn))
      throw badRequest('invalid_aggregate', `aggregate fn must be one of ${[...AGGREGATE_FNS].join(', ')}`, {
        field: 'aggregates',
      });
    if (a.field !== undefined && typeof a.field !== 'string')
      throw badRequest('invalid_aggregate', 'aggregate field must be a field name', { field: 'aggregates' });
    if (a.as !== undefined && (typeof a.as !== 'string' || a.as.trim() === '' || a.as.length > 64))
      throw badRequest('invalid_aggregate', 'aggregate "as" must be a name of 1–64 characters', {
        field: 'aggregates',
      });
    const spec: AggregateSpec = { fn: a.fn as AggregateFn };
    if (a.field !== undefined) spec.field = a.field as string;
    if (a.as !== undefined) spec.as = (a.as as string).trim();
    return spec;
  });
}

/**
 * Validates the shape of a rows request, from a JSON body or a plain query string (filters as JSON text, sort as
 * "a asc, b desc", fields as a comma list). Field names are checked against the table in buildRowsQuery.
 */
export function parseRowsRequest(query: Record<string, unknown>): RowsRequest {
  const limit = intParam(query.limit, 'limit', 0) ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT)
    throw badRequest('limit_too_large', `limit ${limit} is above the maximum of ${MAX_LIMIT}; use an export instead`, {
      field: 'limit',
      max: MAX_LIMIT,
    });
  const req: RowsRequest = {
    sort: parseSort(query.sort),
    limit,
    offset: intParam(query.offset, 'offset', 0) ?? 0,
  };
  const fields = nameList(query.fields, 'fields');
  if (fields) req.fields = fields;
  const filters = jsonParam(query.filters, 'filters', 'invalid_filters');
  if (filters !== undefined && filters !== null) req.filters = parseFilterNode(filters, 0, { n: 0 });
  if (query.cursor !== undefined && query.cursor !== null && query.cursor !== '') {
    if (typeof query.cursor !== 'string')
      throw badRequest('invalid_cursor', 'cursor must be a string', { field: 'cursor' });
    if (req.offset > 0)
      throw badRequest('invalid_cursor', 'use either offset or cursor, not both', { field: 'cursor' });
    req.cursor = query.cursor;
  }
  const groupBy = nameList(query.groupBy ?? query.group_by, 'groupBy');
  if (groupBy) req.groupBy = groupBy;
  const aggregates = parseAggregates(query.aggregates);
  if (aggregates) req.aggregates = aggregates;
  if (req.groupBy && !req.aggregates) req.aggregates = [{ fn: 'count' }];
  if (req.aggregates && req.cursor)
    throw badRequest('invalid_cursor', 'cursors page plain rows; use offset with aggregates', { field: 'cursor' });
  return req;
}

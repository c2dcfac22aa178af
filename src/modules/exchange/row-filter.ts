import { quoteIdent, quoteLiteral } from '../../platform/duckdb/index.ts';
import { validationFailed } from '../../platform/http/errors.ts';

/**
 * A grant's row filter: a structured tree like the rows API's `filters`, never SQL. It is compiled to a trusted
 * WHERE clause over the raw columns on every read, with each value validated for its column type and quoted.
 */
export type RowFilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'between' | 'is_null' | 'contains';
export type RowFilter =
  { and: RowFilter[] } | { or: RowFilter[] } | { field: string; op: RowFilterOp; value?: unknown };

const OPS: Record<Exclude<RowFilterOp, 'in' | 'between' | 'is_null' | 'contains'>, string> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};
const ALL_OPS = [...Object.keys(OPS), 'in', 'between', 'is_null', 'contains'];
const MAX_NODES = 50;
const MAX_IN = 200;
const DATE_RE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$/;

export type FilterColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text';

/** Checks the shape of a filter against the resource's field names; throws 422 naming the problem. */
export function validateRowFilter(filter: unknown, fieldNames: readonly string[]): RowFilter {
  let nodes = 0;
  const walk = (n: unknown, at: string): RowFilter => {
    if (++nodes > MAX_NODES) throw validationFailed(`rowFilter has more than ${MAX_NODES} nodes`, { field: at });
    if (typeof n !== 'object' || n === null || Array.isArray(n))
      throw validationFailed('rowFilter nodes must be objects', { field: at });
    const o = n as Record<string, unknown>;
    if ('and' in o || 'or' in o) {
      const key = 'and' in o ? 'and' : 'or';
      const list = o[key];
      if (!Array.isArray(list) || list.length === 0 || Object.keys(o).length !== 1)
        throw validationFailed(`${key} must be the only key and hold a non-empty list`, { field: at });
      const children = list.map((c, i) => walk(c, `${at}.${key}[${i}]`));
      return key === 'and' ? { and: children } : { or: children };
    }
    const { field, op, value } = o;
    if (typeof field !== 'string' || !fieldNames.includes(field))
      throw validationFailed(`rowFilter field ${String(field)} is not a field of the resource`, {
        field: `${at}.field`,
      });
    if (typeof op !== 'string' || !ALL_OPS.includes(op))
      throw validationFailed(`rowFilter op must be one of ${ALL_OPS.join(', ')}`, { field: `${at}.op` });
    if (op === 'in' && (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN))
      throw validationFailed(`in needs a list of 1–${MAX_IN} values`, { field: `${at}.value` });
    if (op === 'between' && (!Array.isArray(value) || value.length !== 2))
      throw validationFailed('between needs [low, high]', { field: `${at}.value` });
    if (op !== 'is_null' && value === undefined)
      throw validationFailed(`${op} needs a value`, { field: `${at}.value` });
    return { field, op: op as RowFilterOp, ...(value !== undefined ? { value } : {}) };
  };
  return walk(filter, 'rowFilter');
}

class Unusable extends Error {}

function literal(v: unknown, type: FilterColumnType): string {
  if (v === null || v === undefined) throw new Unusable('null value');
  switch (type) {
    case 'integer':
    case 'decimal': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw new Unusable('not a number');
      return String(n);
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw new Unusable('not a boolean');
      return v ? 'TRUE' : 'FALSE';
    case 'date':
    case 'datetime':
      if (typeof v !== 'string' || !DATE_RE.test(v)) throw new Unusable('not a date');
      return `${type === 'date' ? 'DATE' : 'TIMESTAMP'} ${quoteLiteral(v)}`;
    case 'text':
      if (typeof v !== 'string' && typeof v !== 'number') throw new Unusable('not text');
      // Control characters have no place in a filter value and could confuse logs.
      if ([...String(v)].some((ch) => ch.charCodeAt(0) < 0x20)) throw new Unusable('control character');
      return quoteLiteral(String(v));
  }
}

/**
 * Compiles a validated filter over the columns of the version being read. Anything that no longer fits the data
 * (a column gone, a value of the wrong type) compiles to FALSE: a grant that cannot be applied exactly shows nothing.
 */
export function compileRowFilter(
  filter: RowFilter,
  columns: readonly { name: string; type: FilterColumnType }[],
): string {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const node = (n: RowFilter): string => {
    if ('and' in n) return `(${n.and.map(node).join(' AND ')})`;
    if ('or' in n) return `(${n.or.map(node).join(' OR ')})`;
    try {
      const type = types.get(n.field);
      if (!type) throw new Unusable('no such column');
      const col = quoteIdent(n.field);
      switch (n.op) {
        case 'is_null':
          return n.value === false ? `(${col} IS NOT NULL)` : `(${col} IS NULL)`;
        case 'in':
          return `(${col} IN (${(n.value as unknown[]).map((v) => literal(v, type)).join(', ')}))`;
        case 'between': {
          const [lo, hi] = n.value as unknown[];
          return `(${col} BETWEEN ${literal(lo, type)} AND ${literal(hi, type)})`;
        }
        case 'contains':
          return `(contains(CAST(${col} AS VARCHAR), ${literal(String(n.value), 'text')}))`;
        default:
          return `(${col} ${OPS[n.op]} ${literal(n.value, type)})`;
      }
    } catch (err) {
      if (err instanceof Unusable) return '(FALSE)';
      throw err;
    }
  };
  return node(filter);
}

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { badRequest } from '../../../platform/http/errors.ts';

/**
 * Static checks of user SQL on DuckDB's own parse tree (json_serialize_sql), so what is checked is exactly what the
 * engine will run. The sandbox instance (see run.ts) is the second wall: no external access beyond the tables'
 * Parquet files, configuration locked. This guard is the wall that keeps those raw files unreachable: only views
 * (whose columns are the masking expressions) may be named, and nothing may name a file or a table function.
 */

type JsonNode = Record<string, unknown>;

const ALLOWED_NODE_TYPES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const ALLOWED_TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EMPTY', 'EXPRESSION_LIST', 'PIVOT']);

/**
 * Scalar functions that reveal configuration (file paths), run SQL text, or read catalogue objects, even though
 * DuckDB lists them as ordinary scalar functions or macros.
 */
const DENIED_FUNCTIONS = new Set([
  'current_setting',
  'getvariable',
  'current_query',
  'json_serialize_sql',
  'json_deserialize_sql',
  'json_serialize_plan',
  'json_execute_serialized_sql',
  'query',
  'query_table',
  'getenv',
]);

interface Vocabulary {
  functions: Set<string>;
  /** Names of DuckDB's built-in views (duckdb_tables, pg_class, sqlite_master, …): never usable as CTE names. */
  reserved: Set<string>;
}

let vocabulary: Promise<Vocabulary> | undefined;

/**
 * The functions user SQL may call: DuckDB's scalar and aggregate functions, and its built-in macros that do not
 * hide a query (some pg_catalog macros wrap duckdb_views() and friends), minus the denied ones. Built from the
 * running DuckDB version so new harmless functions just work.
 */
export function userSqlVocabulary(): Promise<Vocabulary> {
  vocabulary ??= (async () => {
    const inst = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    try {
      const conn = await inst.connect();
      const r = await conn.runAndReadAll(
        `SELECT DISTINCT lower(function_name) FROM duckdb_functions()
         WHERE function_type IN ('scalar', 'aggregate')
            OR (function_type = 'macro' AND NOT regexp_matches(lower(macro_definition),
                '(select|from|duckdb_|pragma_|current_setting|getvariable|current_query)'))`,
      );
      const functions = new Set(r.getRows().map((row) => String(row[0])));
      for (const d of DENIED_FUNCTIONS) functions.delete(d);
      const v = await conn.runAndReadAll(
        `SELECT DISTINCT lower(view_name) FROM duckdb_views() UNION SELECT DISTINCT lower(table_name) FROM duckdb_tables()`,
      );
      const reserved = new Set(v.getRows().map((row) => String(row[0])));
      conn.closeSync();
      return { functions, reserved };
    } finally {
      inst.closeSync();
    }
  })();
  return vocabulary;
}

function reject(message: string, extras: Record<string, unknown> = {}): never {
  throw badRequest('sql_forbidden', message, extras);
}

function isNode(v: unknown): v is JsonNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CTE names are plain identifiers: a name that looks like a path would fall back to a file scan out of scope. */
const CTE_NAME = /^[\p{L}\p{N}_]{1,128}$/u;

interface WalkContext extends Vocabulary {
  tables: Set<string>;
  referenced: Set<string>;
}

function walk(value: unknown, scope: Set<string>, ctx: WalkContext): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, scope, ctx);
    return;
  }
  if (!isNode(value)) return;
  let inner = scope;
  const cteMap = value.cte_map;
  if (isNode(cteMap) && Array.isArray(cteMap.map) && cteMap.map.length) {
    inner = new Set(scope);
    for (const entry of cteMap.map) {
      const name = isNode(entry) ? entry.key : undefined;
      if (typeof name !== 'string' || !CTE_NAME.test(name) || ctx.reserved.has(name.toLowerCase()))
        reject(`CTE name ${JSON.stringify(name)} is not allowed: use letters, digits and _, not a system name`);
      inner.add(name.toLowerCase());
    }
  }
  const type = typeof value.type === 'string' ? value.type : undefined;
  const cls = typeof value.class === 'string' ? value.class : undefined;
  if (type === 'TABLE_FUNCTION') reject('table functions are not allowed; query the tables by name');
  if (
    type !== undefined &&
    cls === undefined &&
    'sample' in value &&
    !('modifiers' in value) &&
    !ALLOWED_TABLE_REFS.has(type)
  )
    reject(`${type.toLowerCase().replace(/_/g, ' ')} is not allowed in a FROM clause`);
  if (type === 'BASE_TABLE') {
    const name = String(value.table_name ?? '');
    if (value.schema_name || value.catalog_name)
      reject(`tables are named without schema or catalogue: "${name}"`, { table: name });
    if (value.at_clause) reject('AT (time travel) clauses are not allowed');
    const known = ctx.tables.has(name) || inner.has(name.toLowerCase());
    if (!known && /[/\\:]/.test(name)) reject('files and URLs cannot be queried; name one of the tables you may read');
    if (!known)
      throw badRequest('sql_unknown_table', `table "${name}" does not exist or you may not read it`, { table: name });
    if (ctx.tables.has(name)) ctx.referenced.add(name);
  }
  if (cls === 'FUNCTION' || (cls === 'WINDOW' && type === 'WINDOW_AGGREGATE')) {
    const fn = String(value.function_name ?? '').toLowerCase();
    if (value.schema || value.catalog) reject(`functions are called without schema or catalogue: "${fn}"`);
    if (!ctx.functions.has(fn)) reject(`function "${fn}" is not allowed`, { function: fn });
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'cte_map') walk(child, inner, ctx);
    else if (typeof child === 'object' && child !== null) walk(child, inner, ctx);
  }
}

/**
 * Parses sql with DuckDB and checks it: one SELECT (WITH, UNION allowed), tables only from `tables` (views in the
 * sandbox) or CTEs, no table functions, no qualified names, functions from the allow list. Returns the table names
 * used.
 */
export async function checkUserSql(conn: DuckDBConnection, sql: string, tables: Set<string>): Promise<Set<string>> {
  const r = await conn.runAndReadAll('SELECT json_serialize_sql(CAST(? AS VARCHAR))', [sql]);
  const text = r.getRows()[0]?.[0];
  let tree: JsonNode;
  try {
    tree = JSON.parse(String(text)) as JsonNode;
  } catch {
    throw badRequest('sql_error', 'the SQL could not be parsed');
  }
  if (tree.error) {
    const msg = String(tree.error_message ?? 'syntax error');
    if (/only select statements/i.test(msg))
      throw badRequest('sql_not_select', 'only a single read-only SELECT statement is allowed');
    throw badRequest(
      'sql_error',
      `${msg}${tree.position !== undefined ? ` (at character ${String(tree.position)})` : ''}`,
    );
  }
  const statements = Array.isArray(tree.statements) ? tree.statements : [];
  if (statements.length !== 1)
    throw badRequest('sql_not_select', `exactly one SELECT statement is allowed, found ${statements.length}`);
  const node = isNode(statements[0]) ? statements[0].node : undefined;
  if (!isNode(node) || typeof node.type !== 'string' || !ALLOWED_NODE_TYPES.has(node.type))
    throw badRequest('sql_not_select', 'only a single read-only SELECT statement is allowed');
  const ctx: WalkContext = { tables, ...(await userSqlVocabulary()), referenced: new Set() };
  walk(statements[0], new Set(), ctx);
  return ctx.referenced;
}

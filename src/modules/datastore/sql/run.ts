import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../../platform/duckdb/index.ts';
import { sourceScan } from '../query/build.ts';
import { AppError, badRequest } from '../../../platform/http/errors.ts';
import type { ResultField, TableSource } from '../query/types.ts';
import { chunkRows, logicalType, type JsonSafe } from '../query/values.ts';
import { checkUserSql } from './guard.ts';

export interface UserSqlOptions {
  sql: string;
  /** Table name as the user writes it (e.g. a resource id, in double quotes) → what that caller may read. */
  tables: Map<string, TableSource>;
  rowCap: number;
  timeoutMs: number;
  dataDir: string;
  /** DuckDB threads and memory for the sandbox; small defaults because several may run at once. */
  threads?: number;
  memoryLimit?: string;
}

export interface UserSqlResult {
  fields: ResultField[];
  records: Record<string, JsonSafe>[];
  truncated: boolean;
}

export const MAX_USER_SQL_LENGTH = 20_000;

function viewSql(name: string, src: TableSource): string {
  const scan = sourceScan(src);
  const cols = scan.columns.map((c) => `${c.expr ? `(${c.expr})` : quoteIdent(c.name)} AS ${quoteIdent(c.name)}`);
  return (
    `CREATE VIEW ${quoteIdent(name)} AS SELECT ${cols.join(', ')} FROM ${scan.from}` +
    (src.rowFilterSql?.trim() ? ` WHERE (${src.rowFilterSql})` : '')
  );
}

/** DuckDB's message without anything that locates files on this server. */
function cleanMessage(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('<data>');
  return out.replace(/(\/[\w.\-~]+){2,}/g, '<path>');
}

/**
 * Runs one read-only SELECT written by a user, over the given tables only. Each call gets its own DuckDB instance:
 * views named as the tables (columns = the readable expressions, grant row filter applied), external access off
 * except the tables' Parquet files, configuration locked, no extension loading. The statement is checked on
 * DuckDB's parse tree first (guard.ts), streamed in chunks up to rowCap, and interrupted after timeoutMs.
 */
export async function runUserSql(opts: UserSqlOptions): Promise<UserSqlResult> {
  if (!opts.sql.trim()) throw badRequest('sql_error', 'the SQL is empty');
  if (opts.sql.length > MAX_USER_SQL_LENGTH)
    throw badRequest('sql_error', `the SQL is longer than ${MAX_USER_SQL_LENGTH} characters`);
  const tmp = path.join(opts.dataDir, 'tmp', 'user-sql');
  fs.mkdirSync(tmp, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 1),
    memory_limit: opts.memoryLimit ?? '512MB',
    temp_directory: tmp,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const secrets = [...[...opts.tables.values()].map((t) => t.parquetPath), path.resolve(opts.dataDir), opts.dataDir];
  let conn: DuckDBConnection | undefined;
  try {
    conn = await instance.connect();
    for (const [name, src] of opts.tables) await conn.run(viewSql(name, src));
    const paths = [...new Set([...opts.tables.values()].map((t) => path.resolve(t.parquetPath)))];
    await conn.run(`SET allowed_paths = [${paths.map(quoteLiteral).join(', ')}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');

    await checkUserSql(conn, opts.sql, new Set(opts.tables.keys()));
    const extracted = await conn.extractStatements(opts.sql);
    if (extracted.count !== 1) throw badRequest('sql_not_select', 'exactly one SELECT statement is allowed');

    let timedOut = false;
    const c = conn;
    const timer = setTimeout(() => {
      timedOut = true;
      c.interrupt();
    }, opts.timeoutMs);
    try {
      const result = await conn.stream(opts.sql);
      const names = result.deduplicatedColumnNames();
      const types = result.columnTypes();
      const rows: JsonSafe[][] = [];
      while (rows.length <= opts.rowCap) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const row of chunkRows(chunk)) {
          rows.push(row);
          if (rows.length > opts.rowCap) break;
        }
      }
      const truncated = rows.length > opts.rowCap;
      return {
        fields: names.map((id, i) => ({ id, type: types[i] ? logicalType(types[i]) : 'text' })),
        records: rows.slice(0, opts.rowCap).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? null]))),
        truncated,
      };
    } catch (err) {
      if (timedOut || /^INTERRUPT Error/.test((err as Error).message ?? ''))
        throw badRequest('statement_timeout', `the query ran longer than ${opts.timeoutMs} ms and was stopped`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw badRequest('sql_error', cleanMessage(message, secrets));
  } finally {
    conn?.closeSync();
    instance.closeSync();
  }
}

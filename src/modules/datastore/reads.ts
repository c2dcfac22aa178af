import { PassThrough, Transform } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { dataPaths } from '../../platform/duckdb/index.ts';
import { AppError, badRequest } from '../../platform/http/errors.ts';
import type { Actor } from '../access/index.ts';
import {
  EXPORT_FORMATS,
  GEOMETRY_COLUMN,
  contentDisposition,
  contentTypeFor,
  exportRows,
  fileExtension,
  type CsvEncoding,
  type ExportFormat,
} from './export/index.ts';
import type { RowsRequest, TableSource } from './query/index.ts';
import { jsonBytes, logExchange, readableTable, type ReadableTable } from './read.ts';
import { MAX_USER_SQL_LENGTH, runUserSql } from './sql/index.ts';

export const SQL_ROW_CAP = 10_000;
export const SQL_TIMEOUT_MS = 10_000;

/**
 * Streams an export of a (filtered) table through the read seam. The exchange-log row is written before the last
 * byte leaves: the stream only ends after the log insert has succeeded.
 */
export async function exportTable(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  req: RowsRequest,
  opts: { format: string; encoding?: string; clientIp?: string; filter?: string | null },
): Promise<{ stream: NodeJS.ReadableStream; headers: Record<string, string> }> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format))
    throw badRequest('unknown_format', `format must be one of ${EXPORT_FORMATS.join(', ')}`, { field: 'format' });
  const format = opts.format as ExportFormat;
  const encoding = (opts.encoding ?? 'utf8') as CsvEncoding;
  if (!['utf8', 'utf8-bom', 'gb18030'].includes(encoding))
    throw badRequest('unknown_encoding', 'encoding must be utf8, utf8-bom or gb18030', { field: 'encoding' });
  const t = await readableTable(ctx, actor, resourceId);
  if (format === 'geojson' && !t.source.columns.some((c) => c.name === GEOMETRY_COLUMN))
    throw new AppError(
      400,
      'geojson_unavailable',
      `${t.resource.name} has no geometry; choose csv, xlsx, json, ndjson or parquet`,
    );
  let bytes = 0;
  let done: Promise<{ rows: number }> = Promise.resolve({ rows: 0 });
  const gate = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      done
        .then((r) =>
          logExchange(ctx, actor, t, {
            channel: 'export',
            fields: req.fields ?? t.source.columns.map((c) => c.name),
            filter: opts.filter ?? null,
            rows: r.rows,
            bytes,
            clientIp: opts.clientIp,
          }),
        )
        .then(() => cb())
        .catch((err: unknown) => cb(err as Error));
    },
  });
  const out = new PassThrough();
  out.pipe(gate);
  done = exportRows(ctx.engine, t.source, req, format, out, {
    encoding,
    tempDir: dataPaths(ctx.config.dataDir).tmp,
    sheetName: t.resource.name.slice(0, 31),
  });
  done.catch((err: unknown) => {
    ctx.log.error({ err, resource: t.resource.id }, 'export failed');
    gate.destroy(err as Error);
  });
  const name = `${t.resource.name}.${fileExtension(format)}`;
  return {
    stream: gate,
    headers: {
      'content-type': contentTypeFor(format, encoding),
      'content-disposition': contentDisposition(name, 'attachment'),
    },
  };
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The read-only SQL endpoint: tables are named by resource id (in double quotes, as in CKAN). Only tables the caller
 * may read are offered to the sandbox, each as its masked (and grant-scoped) view; anything else is reported as an
 * unknown table, so the existence of hidden data is not revealed.
 */
export async function runSqlForActor(ctx: AppContext, actor: Actor, sql: string, clientIp?: string) {
  if (sql.length > MAX_USER_SQL_LENGTH)
    throw badRequest('sql_too_long', `SQL is limited to ${MAX_USER_SQL_LENGTH} characters`, { field: 'sql' });
  const candidates = new Set((sql.match(UUID_RE) ?? []).map((s) => s.toLowerCase()));
  const readable: ReadableTable[] = [];
  for (const id of [...candidates].slice(0, 20)) {
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
  const fields = result.fields.map((f) => f.id);
  const bytes = jsonBytes(result.records);
  for (const t of readable.filter((r) => sql.includes(r.resource.id)))
    await logExchange(ctx, actor, t, {
      channel: 'sql',
      fields,
      filter: sql.slice(0, 2000),
      rows: result.records.length,
      bytes,
      clientIp,
    });
  return result;
}

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { nowIso } from '../../platform/db/index.ts';
import { dataPaths } from '../../platform/duckdb/index.ts';
import { AppError, validationFailed } from '../../platform/http/errors.ts';
import { ownerAlive, THIS_PROCESS, type JobHandler, type JobRunner } from '../../platform/jobs/index.ts';
import { authorize, requireUser, type Actor } from '../access/index.ts';
import { getResource, getResourceRow, resourceRef, setDataFlags, updateFieldsFromData } from '../catalogue/index.ts';
import { runQualityAfterLoad, type QualityRunSummary } from '../governance/index.ts';
import {
  columnTypeOf,
  ingestFile,
  mergeVersions,
  type ColumnType,
  type IngestResult,
  type Notice,
} from '../ingest/index.ts';
import { datastoreRepo } from './repository.ts';
import { PLATFORM_COLUMNS } from './read.ts';

export interface LoadOptions {
  mode: 'replace' | 'append' | 'upsert';
  key?: string[];
  encoding?: 'utf-8' | 'gb18030' | 'gbk';
  sheet?: string | number;
  headerRows?: number;
  delimiter?: string;
  typeOverrides?: Record<string, ColumnType>;
  badValuePolicy?: 'widen' | 'reject_row';
}

export interface LoadPayload extends LoadOptions {
  resourceId: string;
  uploadDir: string; // relative to the data dir
  originalName: string;
  actorId: string;
}

export interface LoadReport {
  versionId: string;
  version: number;
  rows: number;
  ingest: Omit<IngestResult, 'rejections'> & { rejectionsShown: number };
  fieldSync: { newColumns: string[]; missingFields: string[]; fieldsCreated: boolean };
  /** Quality of the new version (governance); never fails the load. */
  quality?: QualityRunSummary | { error: string };
}

/** Keeps only a safe base name of a client's file name: never a path (no ../, no directories, no NUL). */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f<>:"|?*]/g, '')
    .replace(/^\.+/, '')
    .trim();
  return (cleaned || 'upload').slice(0, 200);
}

const MAPPED_TYPE: Record<ColumnType, string> = {
  integer: 'number',
  decimal: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  text: 'string',
};

/** Share of a load's time each ingest phase takes, roughly (the typed Parquet write dominates): for the ETA. */
const PHASE_SPANS: Record<'reading' | 'inferring' | 'writing', [number, number]> = {
  reading: [0, 0.1],
  inferring: [0.1, 0.2],
  writing: [0.2, 1],
};

/** How many times a load builds on a newer version when other loads of the table keep finishing first. */
const MAX_SWITCH_ATTEMPTS = 5;

/** In an upload's directory: the server process receiving it (`pid@host`). */
const UPLOAD_OWNER = 'owner';
/** An upload of another machine's process that has not grown for this long is taken for abandoned. */
const UPLOAD_QUIET_MS = 10 * 60_000;

/** Another load (or a rollback) made a different version current while this one was being built. */
class VersionConflict extends Error {}

/** Whether an insert failed because another load took the version number (table_versions' unique key). */
function versionNumberTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string } | null;
  if (e?.code === '23505') return e.constraint === 'table_versions_resource_version_uq';
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /table_versions\.version/.test(e.message ?? '');
}

export function loadHandler(ctx: AppContext): JobHandler<LoadPayload, LoadReport> {
  const paths = dataPaths(ctx.config.dataDir);
  const db = ctx.store.db;
  return {
    async run({ id, payload, signal, progress }) {
      let fraction = 0;
      const uploadDir = path.join(ctx.config.dataDir, payload.uploadDir);
      const upload = path.join(uploadDir, 'upload.bin');
      const tableDir = path.join(paths.tables, payload.resourceId);
      fs.mkdirSync(tableDir, { recursive: true });
      const building = path.join(tableDir, `.building-${id}.parquet`);
      const merged = path.join(tableDir, `.merging-${id}.parquet`);
      const result = await ingestFile({
        filePath: upload,
        originalName: payload.originalName,
        encoding: payload.encoding,
        delimiter: payload.delimiter,
        sheet: payload.sheet,
        headerRows: payload.headerRows,
        typeOverrides: payload.typeOverrides,
        badValuePolicy: payload.badValuePolicy,
        outFile: building,
        tmpDir: path.join(paths.tmp, id),
        scratchPool: paths.scratchPool,
        engine: ctx.engine,
        signal,
        onFastCheck: (outcome) => ctx.log.debug({ job: id, resource: payload.resourceId, outcome }, 'ingest fast path'),
        onProgress: (p) => {
          // Each phase counts its bytes from 0; `fraction` is the whole load's share done, by phase weight, and never
          // goes back, so the ETA rests on all of it (the write of the typed file is most of a load).
          const span = PHASE_SPANS[p.phase];
          const within = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : 0;
          fraction = Math.max(fraction, span[0] + (span[1] - span[0]) * within);
          progress({ ...p, fraction });
        },
      });
      if (signal.aborted) throw new AppError(409, 'cancelled', 'Cancelled by the user');
      if (result.rowsLoaded === 0 && result.rowsRejected > 0) throw allRowsRejected(result);
      // Loads of one table through several server processes may overlap. The switch succeeds only against the version
      // this load was built on; otherwise it is built again on the newer one (a new merge for append and upsert).
      let report: LoadReport;
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw new AppError(409, 'cancelled', 'Cancelled by the user');
        const previous = await datastoreRepo.current(db, payload.resourceId);
        let source = building;
        let rows = result.rowsLoaded;
        let mergeNotices: Notice[] = [];
        if (payload.mode !== 'replace' && previous) {
          const m = await mergeVersions({
            engine: ctx.engine,
            previous: path.join(ctx.config.dataDir, previous.file),
            incoming: building,
            mode: payload.mode,
            key: payload.key,
            outFile: merged,
          });
          rows = m.rows;
          mergeNotices = m.notices;
          source = merged;
        }
        const version = (await datastoreRepo.maxVersion(db, payload.resourceId)) + 1;
        const relFile = path.join('tables', payload.resourceId, `v${version}-${id}.parquet`);
        const finalFile = path.join(ctx.config.dataDir, relFile);
        // The new file is complete before it gets its final name; the metadata transaction then makes it current.
        fs.renameSync(source, finalFile);
        try {
          // The file's own columns: a merge may reorder them, and a GeoJSON source adds _geometry (and _lon/_lat for
          // points) beside the ingest's typed columns.
          const inFile = await readParquetColumns(ctx, finalFile);
          const typed = new Map(result.columns.map((c) => [c.name, c.type]));
          const finalColumns = inFile
            .filter((c) => c.name !== '_id')
            .map((c) => ({ name: c.name, type: source === merged ? c.type : (typed.get(c.name) ?? c.type) }));

          const resource = await getResourceRow(
            db,
            {
              kind: 'user',
              userId: payload.actorId,
              username: 'job',
              role: 'platform_admin',
              departmentId: null,
              via: 'cli',
            },
            payload.resourceId,
          );
          const fieldNames = new Set(
            (
              await ctx.store.db
                .selectFrom('resource_fields')
                .select('name')
                .where('resource_id', '=', resource.id)
                .execute()
            ).map((f) => f.name),
          );
          const dataNames = finalColumns.map((c) => c.name);
          const fieldSync = {
            // The platform's own columns (GeoJSON geometry, point coordinates) need no field.
            newColumns: dataNames.filter((n) => !fieldNames.has(n) && !PLATFORM_COLUMNS.has(n)),
            missingFields: [...fieldNames].filter((n) => !dataNames.includes(n)),
            fieldsCreated: false,
          };
          const { rejections, ...ingestSummary } = result;
          const notices = [...result.notices, ...mergeNotices];
          report = {
            versionId: randomUUID(),
            version,
            rows,
            ingest: {
              ...ingestSummary,
              notices,
              warnings: notices.map((n) => n.message),
              rejectionsShown: rejections.length,
            },
            fieldSync,
          };
          const at = nowIso();
          await db.transaction().execute(async (trx) => {
            await datastoreRepo.insertVersion(trx, {
              id: report.versionId,
              resource_id: payload.resourceId,
              version,
              file: relFile,
              row_count: rows,
              byte_size: fs.statSync(finalFile).size,
              columns: JSON.stringify(finalColumns),
              mode: payload.mode,
              source_name: payload.originalName,
              report: JSON.stringify({ ...report, rejections }),
              geometry: result.geometry ? JSON.stringify(result.geometry) : null,
              job_id: id,
              created_by: payload.actorId,
              created_at: at,
            });
            if (
              !(await datastoreRepo.switchCurrent(
                trx,
                payload.resourceId,
                previous?.id ?? null,
                report.versionId,
                rows,
                at,
              ))
            )
              throw new VersionConflict();
            // A resource registered without fields takes them from its first load (types mapped to 信息项 types).
            if (fieldNames.size === 0 && ['draft', 'returned'].includes(resource.status)) {
              await updateFieldsFromData(
                trx,
                payload.resourceId,
                payload.actorId,
                finalColumns
                  .filter((c) => c.name !== '_id')
                  .map((c) => ({ name: c.name, dataType: MAPPED_TYPE[c.type as ColumnType] ?? 'string' })),
              );
              report.fieldSync.fieldsCreated = true;
            }
          });
        } catch (err) {
          // Nothing of this try stays: the new data goes back for the next try (or the job's cleanup).
          if (source === building) fs.renameSync(finalFile, building);
          else fs.rmSync(finalFile, { force: true });
          // Lost the race: another load switched the version, or took this version number first.
          if (!(err instanceof VersionConflict || versionNumberTaken(err))) throw err;
          if (attempt >= MAX_SWITCH_ATTEMPTS)
            throw new AppError(
              409,
              'version_conflict',
              `Other loads of this table finished first ${attempt} times over; nothing was changed: load the file again`,
            );
          continue;
        }
        fs.rmSync(building, { force: true });
        break;
      }
      await setDataFlags(db, payload.resourceId, { hasGeometry: result.geometry !== null });
      fs.rmSync(uploadDir, { recursive: true, force: true });
      // The load's scratch directory (a failed or cancelled one's goes in cleanup).
      fs.rmSync(path.join(paths.tmp, id), { recursive: true, force: true });
      for (const h of ctx.events.onResourceChanged) await h(payload.resourceId);
      report.quality = await runQualityAfterLoad(ctx, payload.resourceId, report.versionId);
      return report;
    },
    async cleanup(id, payload) {
      fs.rmSync(path.join(ctx.config.dataDir, payload.uploadDir), { recursive: true, force: true });
      fs.rmSync(path.join(paths.tmp, id), { recursive: true, force: true });
      const tableDir = path.join(paths.tables, payload.resourceId);
      if (!fs.existsSync(tableDir)) return;
      // Its working files, and a data file it renamed but never committed (no version lists it).
      const known = await datastoreRepo.allFiles(db);
      const mine = (f: string) =>
        (f.startsWith('.') && (f.includes(`building-${id}.parquet`) || f.includes(`merging-${id}.parquet`))) ||
        (f.endsWith(`-${id}.parquet`) && /^v\d+-/.test(f) && !known.has(path.join('tables', payload.resourceId, f)));
      for (const f of fs.readdirSync(tableDir)) if (mine(f)) fs.rmSync(path.join(tableDir, f), { force: true });
    },
  };
}

/**
 * A file whose every data row was rejected is a failed load, not an empty version: a wrong delimiter, header row count,
 * encoding or forced type, far more often than a table meant to be empty (a file with a header and no rows loads).
 */
function allRowsRejected(result: IngestResult): AppError {
  const first = result.rejections[0];
  const where = first
    ? ` The first: row ${first.row}${first.column ? `, column ${first.column}` : ''}: ${first.reason}.`
    : '';
  return new AppError(
    422,
    'all_rows_rejected',
    `Every one of the ${result.rowsRejected} data rows was rejected, so nothing was loaded and the current version stays.${where} Check the delimiter, the header rows, the encoding and any type you forced.`,
    {
      rejected: result.rowsRejected,
      ...(first ? { row: first.row, column: first.column ?? undefined, value: first.value } : {}),
      // The report of the failed load lists them, as a loaded one's does.
      rejections: result.rejections,
    },
  );
}

async function readParquetColumns(ctx: AppContext, file: string): Promise<{ name: string; type: string }[]> {
  return ctx.engine.withConnection(async (c) => {
    const r = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet($1)`, [file]);
    return r.getRowObjects().map((o) => ({ name: String(o.column_name), type: columnTypeOf(String(o.column_type)) }));
  });
}

/** Saves the uploaded stream to disk (never in memory) and queues the load; answers with the job id. */
export async function startLoad(
  ctx: AppContext,
  jobs: JobRunner,
  actor: Actor,
  resourceId: string,
  file: { stream: Readable; filename: string; truncated?: () => boolean },
  opts: LoadOptions,
): Promise<string> {
  requireUser(actor);
  const resource = await getResource(ctx.store.db, actor, resourceId);
  authorize(
    actor,
    { action: 'resource.load_data', resource: resourceRef(await getResourceRow(ctx.store.db, actor, resource.id)) },
    'Only the stewards of the provider may load data',
  );
  if (opts.mode === 'upsert' && (!opts.key || opts.key.length === 0))
    throw validationFailed('mode upsert needs key: the column(s) that identify a row', { field: 'key' });
  const jobId = randomUUID();
  const relDir = path.join('uploads', jobId);
  const dir = path.join(ctx.config.dataDir, relDir);
  fs.mkdirSync(dir, { recursive: true });
  // Whose upload this is, while it streams in (no job row yet): another process's start-up sweep leaves it alone.
  fs.writeFileSync(path.join(dir, UPLOAD_OWNER), THIS_PROCESS);
  try {
    await pipeline(file.stream, fs.createWriteStream(path.join(dir, 'upload.bin')));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new AppError(400, 'upload_failed', `The upload did not complete: ${(err as Error).message}`);
  }
  if (file.truncated?.()) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new AppError(413, 'payload_too_large', 'The file is larger than the upload limit');
  }
  const payload: LoadPayload = {
    ...opts,
    resourceId: resource.id,
    uploadDir: relDir,
    originalName: safeFileName(file.filename),
    actorId: actor.userId,
  };
  return jobs.enqueue({ id: jobId, kind: 'load', payload, resourceId: resource.id, createdBy: actor.userId });
}

/** Removes Parquet files that no version points at (left by a crash between the rename and the commit). */
export async function removeOrphanFiles(ctx: AppContext): Promise<number> {
  const paths = dataPaths(ctx.config.dataDir);
  // Running jobs first: a job that commits and ends between the two reads then has its file in `known`.
  const active = new Set(
    (await ctx.store.db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).map(
      (j) => j.id,
    ),
  );
  const known = await datastoreRepo.allFiles(ctx.store.db);
  let removed = 0;
  for (const dir of fs.existsSync(paths.tables) ? fs.readdirSync(paths.tables) : []) {
    const full = path.join(paths.tables, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full)) {
      const rel = path.join('tables', dir, f);
      // A load's working files: .building-<job>.parquet, .merging-<job>.parquet and the ingest's
      // ..building-<job>.parquet.<random>.partial it writes before renaming, and v<n>-<job>.parquet between its
      // rename and its commit (a load running in another server process).
      const jobOfFile = /^(?:\.+(?:building|merging)-|v\d+-)([0-9a-f-]+)\.parquet/.exec(f)?.[1];
      const dataFile = f.endsWith('.parquet') || f.endsWith('.partial');
      if (dataFile && !known.has(rel) && !(jobOfFile && active.has(jobOfFile))) {
        fs.rmSync(path.join(full, f), { force: true });
        removed++;
      }
    }
  }
  // Uploads of no queued or running job, unless another live process is still receiving them (one of another machine
  // sharing the data directory: while its file still grows).
  const receiving = (d: string) => {
    const dir = path.join(paths.uploads, d);
    try {
      const alive = ownerAlive(fs.readFileSync(path.join(dir, UPLOAD_OWNER), 'utf8').trim());
      if (alive !== null) return alive;
      const file = path.join(dir, 'upload.bin');
      const changed = fs.statSync(fs.existsSync(file) ? file : dir).mtimeMs;
      return Date.now() - changed < UPLOAD_QUIET_MS;
    } catch {
      return false;
    }
  };
  if (fs.existsSync(paths.uploads))
    for (const d of fs.readdirSync(paths.uploads))
      if (!active.has(d) && !receiving(d)) fs.rmSync(path.join(paths.uploads, d), { recursive: true, force: true });
  return removed;
}

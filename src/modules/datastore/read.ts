import path from 'node:path';
import type { AppContext } from '../../context.ts';
import { nowIso, type Db, type MetadataStore } from '../../platform/db/index.ts';
import { quoteIdent } from '../../platform/duckdb/index.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { authorize, can, canSeeResource, type Actor, type ResourceRef, type UserActor } from '../access/index.ts';
import { catalogueRepo } from '../catalogue/index.ts';
import { maskingPolicy, maskSql } from '../governance/index.ts';
import { GEOJSON_COLUMNS } from '../ingest/index.ts';
import type { ReadableColumn, TableSource } from './query/index.ts';
import { datastoreRepo, type ExchangeLine } from './repository.ts';

/** Columns the platform adds itself: the load-order row number, and a GeoJSON source's geometry and point coordinates. */
export const PLATFORM_COLUMNS: ReadonlySet<string> = new Set(['_id', ...Object.values(GEOJSON_COLUMNS)]);

/** The mask of a column the field list does not describe: in full, by the built-in rule (configuration cannot loosen it). */
const UNCATALOGUED = 'other' as const;

/** What a read needs of a field: its masking inputs, and the labels CKAN's datastore_search shows. */
export interface ReadableField {
  name: string;
  nameEn: string | null;
  description: string | null;
  sensitivity: string;
  grade: string;
}

/** What a read needs of a resource (the catalogue's full presentation is not built on the read path). */
export interface ReadableResource extends ResourceRef {
  id: string;
  code: string;
  name: string;
  fields: ReadableField[];
}

export interface ReadableTable {
  resource: ReadableResource;
  version: { id: string; version: number; rowCount: number; file: string };
  source: TableSource;
  /** Names of the columns the caller sees masked. */
  masked: string[];
  /** The grant (exchange module) this read goes through, if any; logExchange records it. */
  grantId: string | null;
}

/** An active grant as the read seam needs it: which fields, which of them raw, and which rows. */
export interface ActiveGrant {
  id: string;
  fields: string[];
  unmasked: string[];
  /** A trusted WHERE over the raw columns of the version being read, or null for all rows. */
  rowFilterSql(columns: readonly { name: string; type: ReadableColumn['type'] }[]): string | null;
}
/** Finds the caller's active grant on a resource (a named one, or the newest); checked on every read, never cached. */
export type GrantLookup = (actor: UserActor, resource: { id: string }, grantId?: string) => Promise<ActiveGrant | null>;

// Keyed by context so each server (and each test server) has its own; without one, no grant ever applies.
const grantLookups = new WeakMap<AppContext, GrantLookup>();

/** The exchange module plugs its grant lookup into the read seam at start-up. */
export function useGrantLookup(ctx: AppContext, lookup: GrantLookup): void {
  grantLookups.set(ctx, lookup);
}

/**
 * The one seam every read path goes through: authorises the read, picks the current (or a named) version and
 * describes each column by the SQL expression the caller may see, so masking applies to selects, filters, sorts,
 * group-bys, exports and SQL alike. Grants that unmask fields plug in here (exchange module).
 */
export async function readableTable(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  versionId?: string,
  opts: { grantId?: string } = {},
): Promise<ReadableTable> {
  const db = ctx.store.db;
  const { resource, currentVersionId } = await findReadableResource(db, actor, resourceId);
  const raw = seesRaw(actor, resource);
  const maskKinds = new Map(
    resource.fields.map((f) => [
      f.name,
      maskingPolicy({ sensitivity: f.sensitivity, grade: f.grade, name: f.name }, ctx.config.masking),
    ]),
  );
  // A column the catalogue does not describe (yet) has no sensitivity or grade to go by: it is masked in full until
  // a steward adds it to the field list (fail closed; the load report lists it as a new column). The platform's own
  // columns need no entry, but follow one when the field list has it.
  const kindOf = (name: string) =>
    maskKinds.has(name) ? (maskKinds.get(name) ?? null) : PLATFORM_COLUMNS.has(name) ? null : UNCATALOGUED;
  // A grant is used when the caller names it, or when without it they would be denied or see masked values the
  // grant shows raw.
  const lookup = grantLookups.get(ctx);
  // The grant (checked on every read, never cached) and the version are looked up together; authorisation is still
  // decided before the version is used, so a caller who may not read learns nothing about its versions.
  const grantQuery =
    actor.kind !== 'user' || !lookup
      ? null
      : opts.grantId
        ? lookup(actor, resource, opts.grantId)
        : raw
          ? null
          : lookup(actor, resource);
  // A version by its id or by its number (as the versions list and the rows API's answer show it).
  const wanted = async () =>
    versionId !== undefined && /^[1-9]\d{0,8}$/.test(versionId)
      ? datastoreRepo.versionIdByNumber(db, resource.id, Number(versionId))
      : (versionId ?? currentVersionId);
  const versionOf = async () => {
    const id = await wanted();
    return id ? versionInfo(db, id) : null;
  };
  const [found, v] = await Promise.all([grantQuery, versionOf()]);
  let grant: ActiveGrant | null = null;
  if (opts.grantId) {
    grant = found;
    if (!grant)
      throw new AppError(403, 'grant_inactive', `Grant ${opts.grantId} is not active for you on ${resource.code}`);
  } else if (found && actor.kind === 'user') {
    const allowed = can(actor, { action: 'resource.read_data', resource });
    if (!allowed || found.unmasked.some((f) => kindOf(f))) grant = found;
  }
  if (!grant)
    authorize(
      actor,
      { action: 'resource.read_data', resource },
      'This data is shared or opened on conditions: apply for access first',
    );
  if (!v || v.resourceId !== resource.id)
    throw new AppError(
      404,
      'no_data',
      versionId ? `Version ${versionId} of ${resource.code} not found` : `${resource.name} has no data loaded yet`,
    );
  const masked: string[] = [];
  const stored = v.columns;
  // Through a grant, only the granted fields exist for the caller.
  const granted = grant ? new Set(grant.fields) : null;
  const columns: ReadableColumn[] = [{ name: '_id', type: 'integer' as const }, ...stored]
    .filter((c) => c.name === '_id' || !granted || granted.has(c.name))
    .map((c) => {
      const kind = kindOf(c.name);
      // The provider's own department and platform admins see raw values, as does a grant naming the field
      // unmasked; everyone else sees the masked expression.
      if (!kind || raw || grant?.unmasked.includes(c.name)) return { name: c.name, type: c.type };
      masked.push(c.name);
      // Configured rules apply to catalogued fields; an uncatalogued column keeps the built-in full mask.
      const rules = maskKinds.has(c.name) ? ctx.config.masking.rules : undefined;
      return { name: c.name, type: 'text', expr: maskSql(kind, quoteIdent(c.name), rules) };
    });
  const rowFilterSql = grant?.rowFilterSql(stored) ?? undefined;
  const parquetPath = path.join(ctx.config.dataDir, v.file);
  const idStored = await ctx.engine.idStored(parquetPath).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
    throw new AppError(
      500,
      'data_file_missing',
      `The data file of version ${v.version} of ${resource.code} is missing on the server; an administrator can roll back to another version`,
    );
  });
  return {
    resource,
    version: { id: v.id, version: v.version, rowCount: v.rowCount, file: v.file },
    source: {
      parquetPath,
      idFromPosition: !idStored,
      columns,
      rowCount: v.rowCount,
      ...(rowFilterSql ? { rowFilterSql } : {}),
    },
    masked,
    grantId: grant?.id ?? null,
  };
}

/**
 * The resource, its fields and the id of its current version in one query, visibility checked as the catalogue does
 * (a resource the caller may not see is not found). Read on every call, never cached: a status or sharing change
 * applies to the next read.
 */
async function findReadableResource(
  db: Db,
  actor: Actor,
  idOrCode: string,
): Promise<{ resource: ReadableResource; currentVersionId: string | null }> {
  let rows = await catalogueRepo.readableResource(db, 'id', idOrCode);
  if (!rows.length) rows = await catalogueRepo.readableResource(db, 'code', idOrCode);
  const r = rows[0];
  if (!r) throw notFound('resource', idOrCode);
  const resource: ReadableResource = {
    id: r.id,
    code: r.code,
    name: r.name,
    providerId: r.provider_id,
    status: r.status,
    openType: r.open_type,
    sharingType: r.sharing_type,
    fields: [],
  };
  if (!canSeeResource(actor, resource)) throw notFound('resource', idOrCode);
  for (const f of rows)
    if (f.field_name !== null)
      resource.fields.push({
        name: f.field_name,
        nameEn: f.field_name_en,
        description: f.field_description,
        sensitivity: f.field_sensitivity ?? 'none',
        grade: f.field_grade ?? '',
      });
  return { resource, currentVersionId: r.current_version_id ?? null };
}

interface VersionInfo {
  id: string;
  resourceId: string;
  version: number;
  rowCount: number;
  file: string;
  /** The stored columns without _id. */
  columns: { name: string; type: ReadableColumn['type'] }[];
}

// A table version never changes once written (a load writes a new one), so its row is read once per process.
const versionInfos = new Map<string, VersionInfo>();
const VERSIONS_KEPT = 1024;

async function versionInfo(db: Db, id: string): Promise<VersionInfo | null> {
  const known = versionInfos.get(id);
  if (known) return known;
  const v = await datastoreRepo.version(db, id);
  if (!v) return null;
  const info: VersionInfo = {
    id: v.id,
    resourceId: v.resource_id,
    version: v.version,
    rowCount: Number(v.row_count),
    file: v.file,
    columns: (JSON.parse(v.columns) as VersionInfo['columns']).filter((c) => c.name !== '_id'),
  };
  if (versionInfos.size >= VERSIONS_KEPT) versionInfos.delete(versionInfos.keys().next().value as string);
  versionInfos.set(id, info);
  return info;
}

function seesRaw(actor: Actor, resource: ResourceRef): boolean {
  if (actor.kind !== 'user') return false;
  if (actor.role === 'platform_admin') return true;
  return actor.departmentId === resource.providerId && ['dept_admin', 'steward', 'member'].includes(actor.role);
}

export interface ExchangeEntry {
  channel: 'rows' | 'preview' | 'export' | 'sql' | 'ckan_datastore' | 'delivery';
  fields?: string[];
  filter?: string | null;
  rows: number;
  bytes: number;
  grantId?: string | null;
  clientIp?: string | null;
}

/** Bytes of the data a read delivers, as JSON (what the exchange log records for API reads). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/** Appends one line to the exchange log for a completed read; resolves once the line is committed. */
export async function logExchange(ctx: AppContext, actor: Actor, t: ReadableTable, e: ExchangeEntry): Promise<void> {
  let writer = logWriters.get(ctx.store);
  if (!writer) logWriters.set(ctx.store, (writer = new ExchangeLogWriter(ctx.store.db)));
  await writer.append({
    at: nowIso(),
    actor_id: actor.kind === 'user' ? actor.userId : null,
    actor_name: actor.kind === 'user' ? actor.username : null,
    department_id: actor.kind === 'user' ? actor.departmentId : null,
    resource_id: t.resource.id,
    provider_id: t.resource.providerId,
    version_id: t.version.id,
    channel: e.channel,
    fields: e.fields ? JSON.stringify(e.fields) : null,
    filter: e.filter ?? null,
    row_count: e.rows,
    byte_count: e.bytes,
    grant_id: e.grantId ?? t.grantId,
    client_ip: e.clientIp ?? null,
  });
}

/** Lines per INSERT: 14 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const MAX_LINES_PER_WRITE = 500;

// One writer per metadata store (each test server has its own).
const logWriters = new WeakMap<MetadataStore, ExchangeLogWriter>();

/**
 * Group commit of the exchange log. Reads that complete together have their lines written by one multi-row INSERT
 * (one transaction: one WAL commit on SQLite, one round trip and one fsync on PostgreSQL), and each read still
 * waits for the commit of its own line before its response is sent, so a kill -9 loses no completed read. With no
 * write in flight a line is written on the next turn of the event loop; lines that arrive during a write go into
 * the next one.
 */
class ExchangeLogWriter {
  private queue: { line: ExchangeLine; done: (err?: unknown) => void }[] = [];
  private busy = false;

  constructor(private readonly db: Db) {}

  append(line: ExchangeLine): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy) return;
    this.busy = true;
    // flush() hands every failure to the callers whose lines it was writing; the catch is for the lint rule.
    setImmediate(() => this.flush().catch(() => undefined));
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_LINES_PER_WRITE);
    try {
      await this.insert(batch.map((b) => b.line));
      for (const b of batch) b.done();
    } catch {
      // One bad line must not fail the reads that came with it: write them one by one.
      for (const b of batch) {
        try {
          await this.insert([b.line]);
          b.done();
        } catch (err) {
          b.done(err ?? new Error('exchange log write failed'));
        }
      }
    } finally {
      this.busy = false;
      if (this.queue.length) this.schedule();
    }
  }

  private async insert(lines: ExchangeLine[]): Promise<void> {
    await datastoreRepo.appendExchangeLines(this.db, lines);
  }
}

import { randomUUID } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import type { AppContext } from '../../context.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { GrantTable } from '../../platform/db/schema.ts';
import { dataPaths } from '../../platform/duckdb/index.ts';
import { badRequest, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { requireUser, type Actor, type UserActor } from '../access/index.ts';
import { logExchange, readableTable, type ActiveGrant, type GrantLookup } from '../datastore/index.ts';
import {
  EXPORT_FORMATS,
  contentDisposition,
  contentTypeFor,
  exportRows,
  fileExtension,
  type CsvEncoding,
  type ExportFormat,
} from '../datastore/export/index.ts';
import { periodBound } from './applications.ts';
import { notice } from './notices.ts';
import { authorizeExchange, canExchange, viewer, type GrantRef } from './policy.ts';
import { exchangeRepo } from './repository.ts';
import { compileRowFilter, type RowFilter } from './row-filter.ts';

export interface Grant {
  id: string;
  applicationId: string | null;
  resourceId: string;
  providerId: string;
  granteeUserId: string | null;
  granteeDepartmentId: string | null;
  fields: string[];
  unmaskedFields: string[];
  rowFilter: RowFilter | null;
  validFrom: string;
  validTo: string;
  revokedAt: string | null;
  revokeReason: string | null;
  renewedFrom: string | null;
  firstUsedAt: string | null;
  active: boolean;
  createdAt: string;
}

export function presentGrant(g: GrantTable, now = nowIso()): Grant {
  return {
    id: g.id,
    applicationId: g.application_id,
    resourceId: g.resource_id,
    providerId: g.provider_id,
    granteeUserId: g.grantee_user_id,
    granteeDepartmentId: g.grantee_department_id,
    fields: JSON.parse(g.fields) as string[],
    unmaskedFields: JSON.parse(g.unmasked_fields) as string[],
    rowFilter: g.row_filter ? (JSON.parse(g.row_filter) as RowFilter) : null,
    validFrom: g.valid_from,
    validTo: g.valid_to,
    revokedAt: g.revoked_at,
    revokeReason: g.revoke_reason,
    renewedFrom: g.renewed_from,
    firstUsedAt: g.first_used_at,
    active: !g.revoked_at && g.valid_from <= now && now < g.valid_to,
    createdAt: g.created_at,
  };
}

const grantRef = (g: GrantTable): GrantRef => ({
  granteeUserId: g.grantee_user_id,
  granteeDepartmentId: g.grantee_department_id,
  providerId: g.provider_id,
});

/**
 * The read seam's grant lookup: the caller's active grant (valid_from ≤ now < valid_to, not revoked), read from the
 * database on every call so a revocation or an expiry takes effect on the very next read. The first read through a
 * grant marks its application delivered (已交付).
 */
export function grantLookup(ctx: AppContext): GrantLookup {
  return async (actor: UserActor, resource: { id: string }, grantId?: string): Promise<ActiveGrant | null> => {
    const db = ctx.store.db;
    const now = nowIso();
    const g = await exchangeRepo.activeGrants(db, {
      resourceId: resource.id,
      userId: actor.userId,
      // Only department staff act for their department.
      departmentId: ['dept_admin', 'steward', 'member'].includes(actor.role) ? actor.departmentId : null,
      now,
      grantId,
    });
    if (!g) return null;
    if (!g.first_used_at && (await exchangeRepo.markGrantUsed(db, g.id, now)) && g.application_id) {
      if (await exchangeRepo.transition(db, g.application_id, 'approved', { state: 'delivered', updated_at: now }))
        await exchangeRepo.insertEvent(db, {
          application_id: g.application_id,
          at: now,
          actor_id: actor.userId,
          action: 'delivered',
          from_state: 'approved',
          to_state: 'delivered',
          note: null,
        });
    }
    const filter = g.row_filter ? (JSON.parse(g.row_filter) as RowFilter) : null;
    return {
      id: g.id,
      fields: JSON.parse(g.fields) as string[],
      unmasked: JSON.parse(g.unmasked_fields) as string[],
      rowFilterSql: (columns) => (filter ? compileRowFilter(filter, columns) : null),
    };
  };
}

async function loadGrant(ctx: AppContext, actor: Actor, id: string): Promise<GrantTable & { _actor: UserActor }> {
  requireUser(actor);
  const g = await exchangeRepo.grant(ctx.store.db, id);
  const visible =
    g &&
    (canExchange(actor, { action: 'grant.use', grant: grantRef(g) }) ||
      canExchange(actor, { action: 'grant.manage', providerId: g.provider_id }));
  if (!g || !visible) throw notFound('grant', id);
  return { ...g, _actor: actor };
}

export async function getGrant(ctx: AppContext, actor: Actor, id: string) {
  const g = await loadGrant(ctx, actor, id);
  const deliveries = await exchangeRepo.deliveriesOf(ctx.store.db, id);
  return {
    ...presentGrant(g),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      kind: d.kind,
      schedule: d.schedule,
      lastRunAt: d.last_run_at,
      lastStatus: d.last_status,
      lastError: d.last_error,
    })),
  };
}

export async function listGrants(
  ctx: AppContext,
  actor: Actor,
  q: { resourceId?: string; limit: number; offset: number },
) {
  requireUser(actor);
  const now = nowIso();
  return (await exchangeRepo.listGrants(ctx.store.db, viewer(actor), q)).map((g) => presentGrant(g, now));
}

/** Ends a grant now: the next read through it is refused. */
export async function revokeGrant(ctx: AppContext, actor: Actor, id: string, reason: string) {
  const db = ctx.store.db;
  const g = await loadGrant(ctx, actor, id);
  authorizeExchange(actor, { action: 'grant.manage', providerId: g.provider_id }, 'Only the provider revokes a grant');
  if (g.revoked_at) throw conflict('already_revoked', `Grant ${id} was revoked at ${g.revoked_at}`);
  if (!reason.trim()) throw validationFailed('Give a reason for the revocation', { field: 'reason' });
  const at = nowIso();
  await db.transaction().execute(async (tx) => {
    // Revoking a grant revokes its renewals too: the provider means "this access ends", whatever period it is in.
    const ended = [id];
    for (let gen = [id]; gen.length > 0;) {
      gen = (await exchangeRepo.unrevokedRenewalsOf(tx, gen)).map((r) => r.id);
      ended.push(...gen);
    }
    for (const gid of ended)
      await exchangeRepo.setGrant(tx, gid, {
        revoked_at: at,
        revoked_by: g._actor.userId,
        revoke_reason: reason.trim(),
      });
    if (g.application_id) {
      const app = await exchangeRepo.application(tx, g.application_id);
      if (app && app.grant_id && ended.includes(app.grant_id) && ['approved', 'delivered'].includes(app.state)) {
        await exchangeRepo.setApplication(tx, app.id, { state: 'expired', updated_at: at });
        await exchangeRepo.insertEvent(tx, {
          application_id: app.id,
          at,
          actor_id: g._actor.userId,
          action: 'revoked',
          from_state: app.state,
          to_state: 'expired',
          note: reason.trim(),
        });
      }
    }
  });
  if (g.grantee_user_id)
    await notice(db, [g.grantee_user_id], {
      applicationId: g.application_id,
      resourceId: g.resource_id,
      kind: 'grant_revoked',
      message: `授权已撤销: ${reason}`,
    });
  return presentGrant((await exchangeRepo.grant(db, id))!);
}

/**
 * Renews a grant: a new grant with the same scope that starts when the old one ends (or now, if it has ended), so
 * reads continue without a gap and each period stays on record.
 */
export async function renewGrant(ctx: AppContext, actor: Actor, id: string, input: { validTo: string }) {
  const db = ctx.store.db;
  const g = await loadGrant(ctx, actor, id);
  authorizeExchange(actor, { action: 'grant.manage', providerId: g.provider_id }, 'Only the provider renews a grant');
  if (g.revoked_at) throw conflict('already_revoked', `Grant ${id} was revoked; a new application is needed`);
  const at = nowIso();
  const from = g.valid_to > at ? g.valid_to : at;
  const to = periodBound(input.validTo, true, 'validTo');
  if (to <= from) throw validationFailed(`validTo must be after ${from}`, { field: 'validTo' });
  const row: GrantTable = {
    ...g,
    id: randomUUID(),
    valid_from: from,
    valid_to: to,
    renewed_from: g.id,
    first_used_at: null,
    created_by: g._actor.userId,
    created_at: at,
  };
  delete (row as Partial<typeof g>)._actor;
  await db.transaction().execute(async (tx) => {
    await exchangeRepo.insertGrant(tx, row);
    if (g.application_id) {
      const app = await exchangeRepo.application(tx, g.application_id);
      if (app) {
        await exchangeRepo.setApplication(tx, app.id, {
          grant_id: row.id,
          state: app.state === 'expired' ? 'approved' : app.state,
          updated_at: at,
        });
        await exchangeRepo.insertEvent(tx, {
          application_id: app.id,
          at,
          actor_id: g._actor.userId,
          action: 'renewed',
          from_state: app.state,
          to_state: app.state === 'expired' ? 'approved' : app.state,
          note: `until ${to}`,
        });
      }
    }
  });
  return presentGrant(row);
}

/**
 * File delivery: streams an export through one named grant (its fields, rows and masking). The exchange-log row is
 * written before the last byte is released, so a completed download always has its log line.
 */
export async function exportThroughGrant(
  ctx: AppContext,
  actor: Actor,
  id: string,
  opts: { format?: string; encoding?: string; rowId?: boolean; clientIp?: string },
): Promise<{ stream: NodeJS.ReadableStream; headers: Record<string, string> }> {
  const g = await loadGrant(ctx, actor, id);
  authorizeExchange(actor, { action: 'grant.use', grant: grantRef(g) }, 'Only the grantee exports through a grant');
  const format = (opts.format ?? 'csv') as ExportFormat;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw badRequest('unknown_format', `format must be one of ${EXPORT_FORMATS.join(', ')}`, { field: 'format' });
  const encoding = (opts.encoding ?? 'utf8') as CsvEncoding;
  if (!['utf8', 'utf8-bom', 'gb18030'].includes(encoding))
    throw badRequest('unknown_encoding', 'encoding must be utf8, utf8-bom or gb18030', { field: 'encoding' });
  const t = await readableTable(ctx, actor, g.resource_id, undefined, { grantId: id });
  let bytes = 0;
  // The log line needs the row count, known once the export has finished: flush waits for it.
  let finished: Promise<{ rows: number }> = new Promise(() => {});
  const gate = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      finished
        .then(({ rows }) =>
          logExchange(ctx, actor, t, {
            channel: 'export',
            fields,
            rows,
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
  // The table's own columns; the internal row number only when asked for.
  const fields = t.source.columns.map((c) => c.name).filter((n) => opts.rowId || n !== '_id');
  finished = exportRows(ctx.engine, t.source, { fields, sort: [], limit: 0, offset: 0 }, format, out, {
    encoding,
    tempDir: dataPaths(ctx.config.dataDir).tmp,
    sheetName: t.resource.name.slice(0, 31),
  });
  finished.catch((err: unknown) => {
    ctx.log.error({ err, grant: id }, 'grant export failed');
    gate.destroy(err as Error);
  });
  return {
    stream: gate,
    headers: {
      'content-type': contentTypeFor(format, encoding),
      'content-disposition': contentDisposition(`${t.resource.name}.${fileExtension(format)}`, 'attachment'),
    },
  };
}

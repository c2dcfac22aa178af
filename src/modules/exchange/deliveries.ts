import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { nowIso } from '../../platform/db/index.ts';
import { dataPaths } from '../../platform/duckdb/index.ts';
import { AppError, conflict, notFound } from '../../platform/http/errors.ts';
import { accessRepo, requireUser, type Actor, type Role, type UserActor } from '../access/index.ts';
import { logExchange, readableTable } from '../datastore/index.ts';
import { exportRows } from '../datastore/export/index.ts';
import { localDate, localMidnightOf } from './calendar.ts';
import { authorizeExchange, canExchange } from './policy.ts';
import { exchangeRepo } from './repository.ts';

export interface Delivery {
  id: string;
  grantId: string;
  kind: string;
  schedule: string;
  targetPath: string;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  createdAt: string;
}

function present(d: {
  id: string;
  grant_id: string;
  kind: string;
  schedule: string;
  target_path: string;
  last_run_at: string | null;
  last_status: string | null;
  last_error: string | null;
  created_at: string;
}): Delivery {
  return {
    id: d.id,
    grantId: d.grant_id,
    kind: d.kind,
    schedule: d.schedule,
    targetPath: d.target_path,
    lastRunAt: d.last_run_at,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: d.created_at,
  };
}

export const deliveryFolder = (dataDir: string, grantId: string) => path.join(dataDir, 'deliveries', grantId);

/** A drop folder for one grant: the consumer's snapshot target, filled daily or on demand. */
export async function createDropFolder(
  ctx: AppContext,
  actor: Actor,
  grantId: string,
  input: { schedule: 'daily' | 'manual' },
): Promise<Delivery> {
  requireUser(actor);
  const g = await exchangeRepo.grant(ctx.store.db, grantId);
  const ref = g && {
    granteeUserId: g.grantee_user_id,
    granteeDepartmentId: g.grantee_department_id,
    providerId: g.provider_id,
  };
  if (!g || !ref || !canExchange(actor, { action: 'grant.use', grant: ref })) throw notFound('grant', grantId);
  const existing = (await exchangeRepo.deliveriesOf(ctx.store.db, grantId)).find((d) => d.kind === 'drop_folder');
  if (existing) throw conflict('delivery_exists', `Grant ${grantId} already has drop folder ${existing.id}`);
  const row = {
    id: randomUUID(),
    grant_id: grantId,
    kind: 'drop_folder',
    schedule: input.schedule,
    target_path: deliveryFolder(ctx.config.dataDir, grantId),
    created_by: actor.userId,
    created_at: nowIso(),
    last_run_at: null,
    last_status: null,
    last_error: null,
  };
  await exchangeRepo.insertDelivery(ctx.store.db, row);
  return present(row);
}

export async function listDeliveries(ctx: AppContext, actor: Actor, grantId: string): Promise<Delivery[]> {
  requireUser(actor);
  const g = await exchangeRepo.grant(ctx.store.db, grantId);
  const ref = g && {
    granteeUserId: g.grantee_user_id,
    granteeDepartmentId: g.grantee_department_id,
    providerId: g.provider_id,
  };
  if (
    !g ||
    !ref ||
    !(
      canExchange(actor, { action: 'grant.use', grant: ref }) ||
      canExchange(actor, { action: 'grant.manage', providerId: g.provider_id })
    )
  )
    throw notFound('grant', grantId);
  return (await exchangeRepo.deliveriesOf(ctx.store.db, grantId)).map(present);
}

export interface DeliveryRun {
  deliveryId: string;
  files: string[];
  rows: number;
  bytes: number;
}

/** "Deliver now", by the grantee (or a platform admin, who runs it as the consumer who set it up). */
export async function deliverNow(ctx: AppContext, actor: Actor, id: string): Promise<DeliveryRun> {
  requireUser(actor);
  const d = await exchangeRepo.delivery(ctx.store.db, id);
  const g = d && (await exchangeRepo.grant(ctx.store.db, d.grant_id));
  const ref = g && {
    granteeUserId: g.grantee_user_id,
    granteeDepartmentId: g.grantee_department_id,
    providerId: g.provider_id,
  };
  if (!d || !ref || !(canExchange(actor, { action: 'grant.use', grant: ref }) || actor.role === 'platform_admin'))
    throw notFound('delivery', id);
  if (actor.role === 'platform_admin') authorizeExchange(actor, { action: 'exchange.admin' });
  return runDelivery(ctx, id);
}

/**
 * Writes a Parquet and a CSV snapshot of the grant's view into the drop folder (under temporary names, renamed when
 * complete so a consumer never picks up half a file), then logs the transfer. The read runs as the consumer who set
 * the delivery up, through the grant, so a revoked or expired grant or a disabled account stops it.
 */
export async function runDelivery(ctx: AppContext, id: string): Promise<DeliveryRun> {
  const db = ctx.store.db;
  const d = await exchangeRepo.delivery(db, id);
  if (!d) throw notFound('delivery', id);
  const g = await exchangeRepo.grant(db, d.grant_id);
  const u = await accessRepo.userById(db, d.created_by);
  const at = nowIso();
  try {
    if (!g || !u || u.disabled === 1)
      throw new AppError(403, 'delivery_stopped', `The consumer account of delivery ${id} is gone or disabled`);
    const actor: UserActor = {
      kind: 'user',
      userId: u.id,
      username: u.username,
      role: u.role as Role,
      departmentId: u.department_id,
      via: 'cli',
    };
    const t = await readableTable(ctx, actor, g.resource_id, undefined, { grantId: g.id });
    fs.mkdirSync(d.target_path, { recursive: true });
    const stamp = at.replace(/[:.]/g, '-');
    // Resource codes contain slashes (212001/000001); file names must not.
    const base = `${t.resource.code.replace(/[^A-Za-z0-9_-]+/g, '_')}-v${t.version.version}-${stamp}`;
    const files: string[] = [];
    let rows = 0;
    let bytes = 0;
    for (const format of ['parquet', 'csv'] as const) {
      const final = path.join(d.target_path, `${base}.${format}`);
      const partial = `${final}.part`;
      const out = fs.createWriteStream(partial);
      const closed = once(out, 'close');
      // Marked handled here; a write error still surfaces through exportRows or the await below.
      closed.catch(() => undefined);
      const r = await exportRows(ctx.engine, t.source, { sort: [], limit: 0, offset: 0 }, format, out, {
        encoding: 'utf8-bom',
        tempDir: dataPaths(ctx.config.dataDir).tmp,
      });
      await closed;
      fs.renameSync(partial, final);
      rows = r.rows;
      bytes += fs.statSync(final).size;
      files.push(final);
    }
    await logExchange(ctx, actor, t, {
      channel: 'delivery',
      fields: t.source.columns.map((c) => c.name),
      rows,
      bytes,
      clientIp: null,
    });
    await exchangeRepo.setDelivery(db, id, { last_run_at: at, last_status: 'ok', last_error: null });
    return { deliveryId: id, files, rows, bytes };
  } catch (err) {
    await exchangeRepo.setDelivery(db, id, {
      last_run_at: at,
      last_status: 'failed',
      last_error: err instanceof Error ? err.message.slice(0, 1000) : String(err),
    });
    throw err;
  }
}

/** Runs every daily drop folder not yet filled today (local calendar day); failures are recorded, not thrown. */
export async function runDueDeliveries(
  ctx: AppContext,
  now = new Date(),
): Promise<{ ran: string[]; failed: string[] }> {
  const since = localMidnightOf(localDate(now));
  const due = await exchangeRepo.dueDeliveries(ctx.store.db, since, now.toISOString());
  const ran: string[] = [];
  const failed: string[] = [];
  for (const d of due) {
    try {
      await runDelivery(ctx, d.id);
      ran.push(d.id);
    } catch (err) {
      ctx.log.warn({ err, delivery: d.id }, 'scheduled delivery failed');
      failed.push(d.id);
    }
  }
  return { ran, failed };
}

import type { AppContext } from '../../context.ts';
import { badRequest } from '../../platform/http/errors.ts';
import type { Actor } from '../access/index.ts';
import { authorizeExchange } from './policy.ts';
import { exchangeRepo } from './repository.ts';

export interface ExchangeLogQuery {
  resourceId?: string;
  from?: string;
  to?: string;
  limit?: number;
  beforeId?: number;
}

function instant(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest('invalid_date', `${field} must be an ISO date or date-time`, { field });
  return new Date(t).toISOString();
}

/** Providers' stewards see the log of their own data (the filter is forced into the SQL); platform admins see all. */
function scope(actor: Actor): { providerId?: string } {
  authorizeExchange(
    actor,
    { action: 'exchange_log.read' },
    'The exchange log is for data providers and platform admins',
  );
  return actor.role === 'platform_admin' ? {} : { providerId: actor.departmentId ?? '\u0000' };
}

export async function queryExchangeLog(ctx: AppContext, actor: Actor, q: ExchangeLogQuery) {
  const s = scope(actor);
  const rows = await exchangeRepo.exchangeLog(ctx.store.db, {
    ...s,
    resourceId: q.resourceId,
    from: instant(q.from, 'from'),
    to: instant(q.to, 'to'),
    limit: Math.min(Math.max(q.limit ?? 100, 1), 10_000),
    beforeId: q.beforeId,
  });
  const entries = rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    departmentId: r.department_id,
    resourceId: r.resource_id,
    providerId: r.provider_id,
    versionId: r.version_id,
    channel: r.channel,
    fields: r.fields ? (JSON.parse(r.fields) as string[]) : null,
    filter: r.filter,
    rows: Number(r.row_count),
    bytes: Number(r.byte_count),
    grantId: r.grant_id,
    clientIp: r.client_ip,
  }));
  return { entries, nextBeforeId: entries.length ? entries[entries.length - 1]!.id : null };
}

/** Daily figures per channel (calls, rows, bytes, resources), for the governance report. */
export async function exchangeDailyFigures(ctx: AppContext, actor: Actor, q: { from?: string; to?: string }) {
  const s = scope(actor);
  return dailyFigures(ctx, { ...s, from: q.from, to: q.to });
}

/** Unchecked: for the governance report, which decides who sees it. Days are UTC dates of the log's `at`. */
export async function dailyFigures(ctx: AppContext, f: { providerId?: string; from?: string; to?: string }) {
  const rows = await exchangeRepo.dailyFigures(ctx.store.db, {
    providerId: f.providerId,
    from: instant(f.from, 'from'),
    to: instant(f.to, 'to'),
  });
  return rows.map((r) => ({
    day: r.day,
    channel: r.channel,
    calls: Number(r.calls),
    rows: Number(r.rows ?? 0),
    bytes: Number(r.bytes ?? 0),
    resources: Number(r.resources),
  }));
}

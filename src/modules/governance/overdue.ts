/**
 * Overdue datasets: published resources whose last update is older than their update cycle allows.
 * Last update = the newest version's created_at, or the resource's updated_at when it has no data.
 */
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { forbidden } from '../../platform/http/errors.ts';
import { authorize, type Actor } from '../access/index.ts';
import { notify } from './notifications.ts';
import { parseUpdateCycle, UPDATE_CYCLE_DAYS } from './quality.ts';
import { governanceRepo } from './repository.ts';

export interface OverdueDataset {
  resourceId: string;
  code: string;
  name: string;
  providerId: string;
  providerName: string;
  updateCycle: string;
  hasData: boolean;
  lastUpdatedAt: string;
  /** When the next update was due (last update + the cycle's interval). */
  dueAt: string;
  daysOverdue: number;
}

const DAY_MS = 86_400_000;

/** The overdue datasets as of a moment (now by default), optionally of one department. */
export async function findOverdue(
  db: Db,
  opts: { asOf?: Date; departmentId?: string | null } = {},
): Promise<OverdueDataset[]> {
  const asOf = opts.asOf ?? new Date();
  const rows = await governanceRepo.updateCandidates(db, asOf.toISOString(), opts.departmentId);
  const out: OverdueDataset[] = [];
  for (const r of rows) {
    const cycle = parseUpdateCycle(r.update_cycle);
    const days = cycle ? UPDATE_CYCLE_DAYS[cycle] : null;
    if (days === null) continue;
    const last = r.last_at ?? r.updated_at;
    const due = Date.parse(last) + days * DAY_MS;
    if (due >= asOf.getTime()) continue;
    out.push({
      resourceId: r.id,
      code: r.code,
      name: r.name,
      providerId: r.provider_id,
      providerName: r.provider_name,
      updateCycle: r.update_cycle,
      hasData: r.last_at !== null,
      lastUpdatedAt: last,
      dueAt: new Date(due).toISOString(),
      daysOverdue: Math.floor((asOf.getTime() - due) / DAY_MS),
    });
  }
  return out.sort((a, b) => b.daysOverdue - a.daysOverdue || a.code.localeCompare(b.code));
}

/** Admins and reviewers see every department (or the one they ask for); stewards and dept admins their own. */
export async function listOverdue(
  ctx: AppContext,
  actor: Actor,
  departmentId?: string,
): Promise<{ asOf: string; items: OverdueDataset[] }> {
  const bureau = actor.kind === 'user' && (actor.role === 'platform_admin' || actor.role === 'reviewer');
  const dept = bureau ? (departmentId ?? null) : actor.kind === 'user' ? (departmentId ?? actor.departmentId) : null;
  authorize(
    actor,
    { action: 'governance.overdue', departmentId: dept },
    'Only the bureau and department stewards see overdue datasets',
  );
  if (!bureau && dept === null) throw forbidden();
  const asOf = new Date();
  return { asOf: asOf.toISOString(), items: await findOverdue(ctx.store.db, { asOf, departmentId: dept }) };
}

/**
 * Notifies the stewards (and department admins) of every overdue dataset's provider. Idempotent per dataset and
 * period: the dedupe key holds the due date, so a dataset late for the same missed update is announced once.
 */
export async function notifyOverdue(db: Db, asOf = new Date()): Promise<{ overdue: number; notified: number }> {
  const items = await findOverdue(db, { asOf });
  let notified = 0;
  const stewardsOf = new Map<string, string[]>();
  for (const d of items) {
    let users = stewardsOf.get(d.providerId);
    if (!users) {
      users = (await governanceRepo.departmentStewards(db, d.providerId)).map((u) => u.id);
      stewardsOf.set(d.providerId, users);
    }
    notified += await notify(db, users, {
      kind: 'dataset_overdue',
      title: `数据更新逾期: ${d.name}`,
      body: `${d.name} (${d.code}) 的更新周期为 ${d.updateCycle}, 最近更新于 ${d.lastUpdatedAt.slice(0, 10)}, 应于 ${d.dueAt.slice(0, 10)} 前更新, 已逾期 ${d.daysOverdue} 天。`,
      resourceId: d.resourceId,
      dedupeKey: `overdue:${d.resourceId}:${d.dueAt}`,
    });
  }
  return { overdue: items.length, notified };
}

export async function notifyOverdueAs(ctx: AppContext, actor: Actor): Promise<{ overdue: number; notified: number }> {
  authorize(actor, { action: 'governance.notify' }, 'Only platform admins send overdue notices');
  return notifyOverdue(ctx.store.db);
}

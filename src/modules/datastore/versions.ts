import type { AppContext } from '../../context.ts';
import { nowIso } from '../../platform/db/index.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import { authorize, requireUser, type Actor } from '../access/index.ts';
import { getResource } from '../catalogue/index.ts';
import { datastoreRepo } from './repository.ts';

/**
 * Points the resource back at an earlier immutable version; the files of every version are kept. `expectedCurrent`:
 * the version the caller saw as current (a list of versions it chose from); if another is current by now, nothing
 * changes and the answer is a conflict, so that a rollback chosen from an old list never undoes a newer load unseen.
 */
export async function rollbackVersion(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  versionId: string,
  expectedCurrent?: string,
) {
  requireUser(actor);
  const r = await getResource(ctx.store.db, actor, resourceId);
  authorize(actor, { action: 'resource.load_data', resource: r }, 'Only the stewards of the provider may roll back');
  const v = await datastoreRepo.version(ctx.store.db, versionId);
  if (!v || v.resource_id !== r.id) throw notFound('version', versionId);
  const at = nowIso();
  await ctx.store.db.transaction().execute(async (trx) => {
    const current = await datastoreRepo.current(trx, r.id);
    if (expectedCurrent !== undefined && current?.id !== expectedCurrent) {
      throw conflict(
        'version_conflict',
        `The current version is ${current ? `v${current.version}` : 'none'} by now, not the one this rollback was chosen against; list the versions again`,
        { resource: r.id, current: current?.id ?? null },
      );
    }
    // Switched like a load switches (compare and swap): a load or another rollback that made another version current
    // since the read above (another server process) is not silently undone.
    if (!(await datastoreRepo.switchCurrent(trx, r.id, current?.id ?? null, v.id, Number(v.row_count), at))) {
      throw conflict(
        'version_conflict',
        'The current version of the table changed meanwhile (a load or another rollback finished); list the versions again and retry',
        { resource: r.id },
      );
    }
    await trx
      .insertInto('resource_history')
      .values({
        resource_id: r.id,
        actor_id: actor.userId,
        action: 'rollback',
        reason: null,
        changes: JSON.stringify({ version: { from: current ? Number(current.version) : null, to: v.version } }),
        at,
      })
      .execute();
  });
  for (const h of ctx.events.onResourceChanged) await h(r.id);
  return { current: v.id, version: v.version, rows: Number(v.row_count) };
}

import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import { notify } from '../governance/index.ts';
import { exchangeRepo } from './repository.ts';

/**
 * Tells users about a workflow step: into the platform inbox (governance `notify`), and into this module's own
 * `exchange_notices` list, which links each notice to its application for the workflow screens.
 */
export async function notice(
  db: Db,
  userIds: Iterable<string>,
  n: { applicationId: string | null; resourceId?: string | null; kind: string; message: string; dedupeKey?: string },
): Promise<void> {
  const users = [...new Set(userIds)];
  if (users.length === 0) return;
  const at = nowIso();
  await exchangeRepo.insertNotices(
    db,
    users.map((user_id) => ({
      user_id,
      application_id: n.applicationId,
      kind: n.kind,
      message: n.message,
      created_at: at,
    })),
  );
  await notify(db, users, {
    kind: n.kind,
    title: n.message,
    body: n.applicationId ? `${n.message} (application ${n.applicationId})` : n.message,
    resourceId: n.resourceId ?? null,
    dedupeKey: n.dedupeKey ?? null,
  });
}

export const bureauIds = async (db: Db) => (await exchangeRepo.bureauUsers(db)).map((u) => u.id);
export const providerAdminIds = async (db: Db, departmentId: string) =>
  (await exchangeRepo.departmentAdmins(db, departmentId)).map((u) => u.id);

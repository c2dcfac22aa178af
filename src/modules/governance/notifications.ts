/** A simple per-user inbox. Other modules call `notify`; users read theirs through the API. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { NotificationTable } from '../../platform/db/schema.ts';
import { notFound } from '../../platform/http/errors.ts';
import { requireUser, type Actor } from '../access/index.ts';
import { governanceRepo } from './repository.ts';

export interface NotificationInput {
  kind: string;
  title: string;
  body: string;
  resourceId?: string | null;
  /** Same key for the same user = one notification only (e.g. `overdue:<resource>:<due date>`). */
  dedupeKey?: string | null;
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  resourceId: string | null;
  createdAt: string;
  readAt: string | null;
}

const present = (n: NotificationTable): Notification => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  resourceId: n.resource_id,
  createdAt: n.created_at,
  readAt: n.read_at,
});

/** Sends one notification to each user; answers how many were new (deduplicated ones are skipped). */
export async function notify(db: Db, userIds: readonly string[], n: NotificationInput): Promise<number> {
  const at = nowIso();
  return governanceRepo.insertNotifications(
    db,
    [...new Set(userIds)].map((userId) => ({
      id: randomUUID(),
      user_id: userId,
      kind: n.kind,
      title: n.title,
      body: n.body,
      resource_id: n.resourceId ?? null,
      dedupe_key: n.dedupeKey ?? null,
      created_at: at,
      read_at: null,
    })),
  );
}

export async function listNotifications(
  db: Db,
  actor: Actor,
  opts: { unreadOnly: boolean; limit: number; offset: number },
): Promise<{ items: Notification[]; unread: number }> {
  requireUser(actor);
  const items = (await governanceRepo.notificationsOf(db, actor.userId, opts)).map(present);
  return { items, unread: await governanceRepo.unreadCount(db, actor.userId) };
}

export async function markNotificationRead(db: Db, actor: Actor, id: string): Promise<Notification> {
  requireUser(actor);
  const n = await governanceRepo.notification(db, id);
  // Someone else's notification is reported as missing, not forbidden.
  if (!n || n.user_id !== actor.userId) throw notFound('notification', id);
  const at = nowIso();
  await governanceRepo.markRead(db, id, at);
  return present({ ...n, read_at: n.read_at ?? at });
}

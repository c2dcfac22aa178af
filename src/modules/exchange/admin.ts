import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import { notFound, validationFailed } from '../../platform/http/errors.ts';
import { requireUser, type Actor } from '../access/index.ts';
import { bureauIds, notice, providerAdminIds } from './notices.ts';
import { authorizeExchange } from './policy.ts';
import { exchangeRepo } from './repository.ts';

export const AGREEMENT_KINDS = ['security_commitment', 'use_agreement'] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];

const DEFAULT_TEXTS: Record<AgreementKind, { zh: string; en: string }> = {
  security_commitment: {
    zh: '公共数据安全承诺书：本人/本单位承诺仅在申请的用途和场景内使用数据，落实数据安全保护措施，不向第三方提供，不试图重新识别个人身份，发生安全事件及时报告。',
    en: 'Public data security commitment: use the data only for the stated purpose and scenario, protect it, pass it to no third party, never try to re-identify people, and report incidents at once.',
  },
  use_agreement: {
    zh: '公共数据开放利用协议：数据按现状提供；利用成果应注明数据来源；授权期满或被撤销后停止使用并删除数据；按要求报送数据利用情况。',
    en: 'Open data use agreement: data as is; cite the source; stop using and delete the data when the grant ends or is revoked; report how the data was used.',
  },
};

/** First start: version 1 of both texts, so open applications work out of the box. */
export async function seedAgreementTexts(db: Db): Promise<void> {
  for (const kind of AGREEMENT_KINDS) {
    if ((await exchangeRepo.maxAgreementVersion(db, kind)) > 0) continue;
    await exchangeRepo.insertAgreement(db, {
      id: randomUUID(),
      kind,
      version: 1,
      text_zh: DEFAULT_TEXTS[kind].zh,
      text_en: DEFAULT_TEXTS[kind].en,
      active: 1,
      created_at: nowIso(),
    });
  }
}

export async function currentAgreements(ctx: AppContext) {
  const out: Record<string, { version: number; textZh: string; textEn: string | null; createdAt: string } | null> = {};
  for (const kind of AGREEMENT_KINDS) {
    const a = await exchangeRepo.currentAgreement(ctx.store.db, kind);
    out[kind] = a ? { version: a.version, textZh: a.text_zh, textEn: a.text_en, createdAt: a.created_at } : null;
  }
  return out;
}

/** A new version of a text comes into force; applications must accept the new version from now on. */
export async function publishAgreement(
  ctx: AppContext,
  actor: Actor,
  input: { kind: AgreementKind; textZh: string; textEn?: string | null },
) {
  authorizeExchange(actor, { action: 'exchange.admin' });
  if (!input.textZh.trim()) throw validationFailed('textZh is empty', { field: 'textZh' });
  const version = (await exchangeRepo.maxAgreementVersion(ctx.store.db, input.kind)) + 1;
  const row = {
    id: randomUUID(),
    kind: input.kind,
    version,
    text_zh: input.textZh.trim(),
    text_en: input.textEn?.trim() || null,
    active: 1,
    created_at: nowIso(),
  };
  await exchangeRepo.insertAgreement(ctx.store.db, row);
  return { kind: row.kind, version, textZh: row.text_zh, textEn: row.text_en, createdAt: row.created_at };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export async function listHolidays(ctx: AppContext, q: { from?: string; to?: string }) {
  return (await exchangeRepo.holidays(ctx.store.db, q.from, q.to)).map((h) => ({
    date: h.date,
    name: h.name,
    workday: h.workday === 1,
  }));
}

export async function putHoliday(
  ctx: AppContext,
  actor: Actor,
  date: string,
  input: { name: string; workday?: boolean },
) {
  authorizeExchange(actor, { action: 'exchange.admin' });
  if (!DATE_RE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw validationFailed('date must be YYYY-MM-DD', { field: 'date' });
  await exchangeRepo.upsertHoliday(ctx.store.db, { date, name: input.name.trim(), workday: input.workday ? 1 : 0 });
  return { date, name: input.name.trim(), workday: Boolean(input.workday) };
}

export async function deleteHoliday(ctx: AppContext, actor: Actor, date: string) {
  authorizeExchange(actor, { action: 'exchange.admin' });
  if ((await exchangeRepo.deleteHoliday(ctx.store.db, date)) === 0) throw notFound('holiday', date);
}

/**
 * SLA escalation: every application past its due date is flagged once per stage (the flag is cleared when it moves
 * on), with an event in its history and notices to the bureau and, for the provider stage, the provider's admins.
 */
export async function runEscalation(ctx: AppContext, now = new Date()): Promise<{ escalated: string[] }> {
  const db = ctx.store.db;
  const at = now.toISOString();
  const escalated: string[] = [];
  for (const app of await exchangeRepo.overdue(db, at)) {
    if (!(await exchangeRepo.transition(db, app.id, app.state, { escalated: 1, escalated_at: at }))) continue;
    const due = app.state === 'pending_bureau' ? app.bureau_due_at : app.provider_due_at;
    await exchangeRepo.insertEvent(db, {
      application_id: app.id,
      at,
      actor_id: null,
      action: 'escalated',
      from_state: app.state,
      to_state: app.state,
      note: `due ${due}`,
    });
    const to = await bureauIds(db);
    if (app.state === 'pending_provider') to.push(...(await providerAdminIds(db, app.provider_id)));
    await notice(db, to, {
      applicationId: app.id,
      resourceId: app.resource_id,
      kind: 'sla_overdue',
      dedupeKey: `sla:${app.id}:${app.state}:${due}`,
      message: `${app.state === 'pending_bureau' ? '合规性审核' : '提供方审核'}已超期 (due ${due})`,
    });
    escalated.push(app.id);
  }
  return { escalated };
}

/** Applications whose grant ended (expired or revoked) become 已失效. */
export async function expireEnded(ctx: AppContext, now = new Date()): Promise<{ expired: string[] }> {
  const db = ctx.store.db;
  const at = now.toISOString();
  const expired: string[] = [];
  for (const a of await exchangeRepo.ended(db, at)) {
    if (!(await exchangeRepo.transition(db, a.id, a.state, { state: 'expired', updated_at: at }))) continue;
    await exchangeRepo.insertEvent(db, {
      application_id: a.id,
      at,
      actor_id: null,
      action: 'expired',
      from_state: a.state,
      to_state: 'expired',
      note: null,
    });
    expired.push(a.id);
  }
  return { expired };
}

export async function runSweepsNow(ctx: AppContext, actor: Actor, now = new Date()) {
  authorizeExchange(actor, { action: 'exchange.admin' });
  return { ...(await runEscalation(ctx, now)), ...(await expireEnded(ctx, now)) };
}

export async function listNotices(ctx: AppContext, actor: Actor, limit: number) {
  requireUser(actor);
  return (await exchangeRepo.notices(ctx.store.db, actor.userId, limit)).map((n) => ({
    id: Number(n.id),
    applicationId: n.application_id,
    kind: n.kind,
    message: n.message,
    createdAt: n.created_at,
    readAt: n.read_at,
  }));
}

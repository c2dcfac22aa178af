/**
 * Quality rules of a resource (manual, brought by data elements, proposed) and quality runs over its data.
 * The checks themselves are quality.ts (one vectorised DuckDB pass); this file decides which rules apply,
 * stores reports and proposals, and presents them to callers (sample values masked like the data itself).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { QualityReportTable, QualityRuleTable, ResourceTable } from '../../platform/db/schema.ts';
import { AppError, conflict, notFound } from '../../platform/http/errors.ts';
import { authorize, requireUser, type Actor } from '../access/index.ts';
import { catalogueRepo, getResourceRow, resourceRef } from '../catalogue/index.ts';
import { proposeRules, type RuleProposal } from './detect.ts';
import { datasetGrade, GRADES, maskingPolicy, maskValue, type Grade } from './masking.ts';
import {
  QUALITY_WEIGHTS,
  RULE_KINDS,
  ruleCheckSql,
  runQualityRules,
  type QualityRule,
  type RuleKind,
  type RuleParams,
  type RuleResult,
} from './quality.ts';
import { governanceRepo } from './repository.ts';

export type RuleSource = 'manual' | 'element' | 'proposed';

export interface QualityRuleView {
  id: string;
  resourceId: string;
  field: string;
  kind: RuleKind;
  params: RuleParams | null;
  source: RuleSource;
  elementCode: string | null;
  /** For proposals: what detection saw (sensitivity and grade are applied to the field on accept). */
  proposal: { sensitivity: string; grade: string; reason: string; passRate: number | null } | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RuleInput {
  field: string;
  kind: RuleKind;
  params?: RuleParams | null;
  active?: boolean;
}

const parseJson = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

export function presentRule(r: QualityRuleTable): QualityRuleView {
  return {
    id: r.id,
    resourceId: r.resource_id,
    field: r.field,
    kind: r.kind as RuleKind,
    params: parseJson<RuleParams>(r.params),
    source: r.source as RuleSource,
    elementCode: r.element_code,
    proposal: parseJson(r.proposal),
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A canonical text of a rule's kind + params, to recognise the same rule from another source. */
const ruleKey = (field: string, kind: string, params: RuleParams | null | undefined) =>
  `${field}\u0000${kind}\u0000${params ? JSON.stringify(params, Object.keys(params).sort()) : ''}`;

async function resourceFor(db: Db, actor: Actor, id: string, action: 'quality.manage' | 'quality.read') {
  const row = await getResourceRow(db, actor, id);
  authorize(
    actor,
    { action, resource: resourceRef(row) },
    action === 'quality.manage'
      ? "Only the provider's stewards and the data bureau keep quality rules"
      : 'You may not read the quality of this data',
  );
  return row;
}

/** Throws 422 for a rule the engine could not run (bad params, a regex RE2 rejects). */
export async function validateRuleSpec(ctx: AppContext, kind: RuleKind, params: RuleParams | null | undefined) {
  if (!RULE_KINDS.includes(kind)) throw new AppError(422, 'invalid_quality_rule', `Unknown rule kind ${kind}`);
  ruleCheckSql({ kind, params }, '"v"');
  if (kind === 'regex' && params?.pattern) {
    const pattern = params.pattern;
    await ctx.engine
      .withConnection((c) => c.run(`SELECT regexp_matches('', $1)`, [pattern]))
      .catch((err: Error) => {
        throw new AppError(422, 'invalid_quality_rule', `regex rule: the pattern is not valid RE2: ${err.message}`, {
          field: 'pattern',
        });
      });
  }
}

async function knownColumns(db: Db, resourceId: string): Promise<Set<string>> {
  const names = new Set((await governanceRepo.fieldsOf(db, resourceId)).map((f) => f.name));
  const v = await governanceRepo.currentVersion(db, resourceId);
  if (v) for (const c of JSON.parse(v.columns) as { name: string }[]) if (c.name !== '_id') names.add(c.name);
  return names;
}

/**
 * Makes the stored 'element' rules match the data elements the resource's fields bind to now: rules of
 * elements no longer bound go, missing ones are added (active); a steward's deactivation of one stays.
 */
export async function syncElementRules(db: Db, resourceId: string): Promise<void> {
  const fields = await governanceRepo.fieldsOf(db, resourceId);
  const bound = fields.filter((f) => f.data_element_code !== null);
  const elements = new Map(
    (await governanceRepo.elementsByCodes(db, [...new Set(bound.map((f) => f.data_element_code!))])).map((e) => [
      e.code,
      e,
    ]),
  );
  const wanted = new Map<string, { field: string; code: string; kind: RuleKind; params: RuleParams | null }>();
  for (const f of bound) {
    const e = elements.get(f.data_element_code!);
    if (!e) continue;
    for (const r of JSON.parse(e.rules) as { kind: RuleKind; params?: RuleParams | null }[])
      wanted.set(ruleKey(f.name, r.kind, r.params) + `\u0000${e.code}`, {
        field: f.name,
        code: e.code,
        kind: r.kind,
        params: r.params ?? null,
      });
  }
  const existing = (await governanceRepo.allRulesOf(db, resourceId)).filter((r) => r.source === 'element');
  const stale: string[] = [];
  for (const r of existing) {
    const k = ruleKey(r.field, r.kind, parseJson<RuleParams>(r.params)) + `\u0000${r.element_code ?? ''}`;
    if (wanted.has(k)) wanted.delete(k);
    else stale.push(r.id);
  }
  await governanceRepo.deleteRules(db, stale);
  const at = nowIso();
  await governanceRepo.insertRules(
    db,
    [...wanted.values()].map((w) => ({
      id: randomUUID(),
      resource_id: resourceId,
      field: w.field,
      kind: w.kind,
      params: w.params ? JSON.stringify(w.params) : null,
      source: 'element',
      element_code: w.code,
      proposal: null,
      active: 1,
      dismissed: 0,
      created_by: null,
      created_at: at,
      updated_at: at,
    })),
  );
}

export async function listRules(ctx: AppContext, actor: Actor, resourceId: string): Promise<QualityRuleView[]> {
  const r = await resourceFor(ctx.store.db, actor, resourceId, 'quality.manage');
  await syncElementRules(ctx.store.db, r.id);
  return (await governanceRepo.rulesOf(ctx.store.db, r.id)).map(presentRule);
}

export async function createRule(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  input: RuleInput,
): Promise<QualityRuleView> {
  requireUser(actor);
  const db = ctx.store.db;
  const r = await resourceFor(db, actor, resourceId, 'quality.manage');
  if (!(await knownColumns(db, r.id)).has(input.field))
    throw new AppError(422, 'unknown_field', `${r.name} has no field or column named "${input.field}"`, {
      field: 'field',
    });
  await validateRuleSpec(ctx, input.kind, input.params);
  const at = nowIso();
  const row: QualityRuleTable = {
    id: randomUUID(),
    resource_id: r.id,
    field: input.field,
    kind: input.kind,
    params: input.params ? JSON.stringify(input.params) : null,
    source: 'manual',
    element_code: null,
    proposal: null,
    active: input.active === false ? 0 : 1,
    dismissed: 0,
    created_by: actor.userId,
    created_at: at,
    updated_at: at,
  };
  await governanceRepo.insertRules(db, [row]);
  return presentRule(row);
}

export async function updateRule(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  ruleId: string,
  patch: { params?: RuleParams | null; active?: boolean },
): Promise<QualityRuleView> {
  const db = ctx.store.db;
  const r = await resourceFor(db, actor, resourceId, 'quality.manage');
  const rule = await governanceRepo.rule(db, r.id, ruleId);
  if (!rule) throw notFound('quality rule', ruleId);
  if (patch.params !== undefined && rule.source === 'element')
    throw conflict(
      'rule_from_element',
      'This rule comes from a data element: change the element, or deactivate the rule and add your own',
    );
  const params = patch.params !== undefined ? patch.params : parseJson<RuleParams>(rule.params);
  await validateRuleSpec(ctx, rule.kind as RuleKind, params);
  const next: Partial<QualityRuleTable> = { updated_at: nowIso() };
  if (patch.params !== undefined) next.params = patch.params ? JSON.stringify(patch.params) : null;
  if (patch.active !== undefined) next.active = patch.active ? 1 : 0;
  await governanceRepo.updateRule(db, rule.id, next);
  return presentRule({ ...rule, ...next });
}

/** Deletes a manual rule; a proposal is dismissed (it will not be proposed again); element rules stay. */
export async function deleteRule(ctx: AppContext, actor: Actor, resourceId: string, ruleId: string): Promise<void> {
  const db = ctx.store.db;
  const r = await resourceFor(db, actor, resourceId, 'quality.manage');
  const rule = await governanceRepo.rule(db, r.id, ruleId);
  if (!rule) throw notFound('quality rule', ruleId);
  if (rule.source === 'element')
    throw conflict('rule_from_element', 'This rule comes from a data element: unbind the field or deactivate it');
  if (rule.source === 'proposed')
    await governanceRepo.updateRule(db, rule.id, { dismissed: 1, active: 0, updated_at: nowIso() });
  else await governanceRepo.deleteRules(db, [rule.id]);
}

const stricter = (a: string, b: string): Grade =>
  datasetGrade([{ grade: GRADES.includes(a as Grade) ? a : 'L1' }, { grade: GRADES.includes(b as Grade) ? b : 'L1' }]);

/**
 * Tightens a catalogue field's sensitivity and grade (never loosens: 就高从严) and the dataset grade with it;
 * recorded in the resource history. Returns what changed.
 */
export async function tightenFieldGrading(
  db: Db,
  resource: ResourceTable,
  fieldName: string,
  to: { sensitivity: string; grade: string },
  actorId: string,
  reason: string,
): Promise<Record<string, { from: string; to: string }>> {
  const fields = await governanceRepo.fieldsOf(db, resource.id);
  const field = fields.find((f) => f.name === fieldName);
  if (!field) return {};
  const changes: Record<string, { from: string; to: string }> = {};
  const patch: { sensitivity?: string; grade?: string } = {};
  if (field.sensitivity === 'none' && to.sensitivity !== 'none') {
    patch.sensitivity = to.sensitivity;
    changes[`fields.${fieldName}.sensitivity`] = { from: field.sensitivity, to: to.sensitivity };
  }
  const grade = stricter(field.grade, to.grade);
  if (grade !== field.grade) {
    patch.grade = grade;
    changes[`fields.${fieldName}.grade`] = { from: field.grade, to: grade };
  }
  const resourceGrade = stricter(resource.grade, grade);
  if (resourceGrade === 'L4' && resource.grade !== 'L4' && resource.open_type !== 'none')
    throw conflict('grade_conflicts_open_type', `${fieldName} would make ${resource.name} L4, which may not be open`);
  if (Object.keys(patch).length === 0) return changes;
  const at = nowIso();
  await db.transaction().execute(async (trx) => {
    await governanceRepo.setFieldBinding(trx, field.id, patch);
    if (resourceGrade !== resource.grade) {
      await governanceRepo.setResourceGrade(trx, resource.id, resourceGrade, at);
      changes.grade = { from: resource.grade, to: resourceGrade };
    }
    await catalogueRepo.insertHistory(trx, {
      resource_id: resource.id,
      actor_id: actorId,
      action: 'governance_grading',
      reason,
      changes: JSON.stringify(changes),
      at,
    });
  });
  return changes;
}

/** Accepting a proposal activates it and applies the detected sensitivity and grade to the field. */
export async function acceptProposal(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  ruleId: string,
): Promise<{ rule: QualityRuleView; fieldChanges: Record<string, { from: string; to: string }> }> {
  requireUser(actor);
  const db = ctx.store.db;
  const r = await resourceFor(db, actor, resourceId, 'quality.manage');
  const rule = await governanceRepo.rule(db, r.id, ruleId);
  if (!rule) throw notFound('quality rule', ruleId);
  if (rule.source !== 'proposed') throw conflict('not_a_proposal', 'Only proposed rules are accepted');
  const proposal = presentRule(rule).proposal;
  const fieldChanges = proposal
    ? await tightenFieldGrading(db, r, rule.field, proposal, actor.userId, `accepted the ${rule.kind} proposal`)
    : {};
  const at = nowIso();
  await governanceRepo.updateRule(db, rule.id, {
    active: 1,
    updated_at: at,
    created_by: rule.created_by ?? actor.userId,
  });
  if (Object.keys(fieldChanges).length > 0) for (const h of ctx.events.onResourceChanged) await h(r.id);
  return { rule: presentRule({ ...rule, active: 1, updated_at: at }), fieldChanges };
}

// ---------------------------------------------------------------- runs

export interface StoredQualityDetails {
  rows: number;
  columns: number;
  rules: RuleResult[];
  /** Active rules whose field is not in this version's data. */
  skipped: { ruleId: string; field: string; kind: string; reason: string }[];
  columnCompleteness: Record<string, number>;
  weights: typeof QUALITY_WEIGHTS;
  updateCycle: string;
  lastUpdatedAt: string | null;
}

export interface QualityRunSummary {
  reportId: string;
  versionId: string;
  score: number;
  completeness: number;
  validity: number;
  uniqueness: number;
  timeliness: number;
  rules: { ruleId: string; field: string; kind: RuleKind; checked: number; failures: number }[];
  /** Pending proposals (inactive, not dismissed) after this run, new ones included. */
  proposals: QualityRuleView[];
}

async function storeProposals(db: Db, resourceId: string, proposals: RuleProposal[]): Promise<void> {
  const existing = await governanceRepo.allRulesOf(db, resourceId);
  const taken = new Set(existing.map((r) => `${r.field}\u0000${r.kind}`));
  const at = nowIso();
  const rows: QualityRuleTable[] = [];
  for (const p of proposals) {
    if (p.kind === null || taken.has(`${p.column}\u0000${p.kind}`)) continue;
    rows.push({
      id: randomUUID(),
      resource_id: resourceId,
      field: p.column,
      kind: p.kind,
      params: p.params ? JSON.stringify(p.params) : null,
      source: 'proposed',
      element_code: null,
      proposal: JSON.stringify({ sensitivity: p.sensitivity, grade: p.grade, reason: p.reason, passRate: p.passRate }),
      active: 0,
      dismissed: 0,
      created_by: null,
      created_at: at,
      updated_at: at,
    });
  }
  await governanceRepo.insertRules(db, rows);
}

/** Runs every applicable rule over one version (the current one by default) and stores the report. */
export async function runQuality(
  ctx: AppContext,
  resourceId: string,
  opts: { versionId?: string; trigger: 'load' | 'manual'; now?: Date },
): Promise<QualityRunSummary> {
  const db = ctx.store.db;
  const resource = await catalogueRepo.resourceById(db, resourceId);
  if (!resource) throw notFound('resource', resourceId);
  const version = opts.versionId
    ? await governanceRepo.version(db, opts.versionId)
    : await governanceRepo.currentVersion(db, resourceId);
  if (!version || version.resource_id !== resourceId)
    throw new AppError(409, 'no_data', `${resource.name} has no data loaded yet: nothing to check`);
  const parquetPath = path.join(ctx.config.dataDir, version.file);
  const columns = (JSON.parse(version.columns) as { name: string; type: string }[]).filter((c) => c.name !== '_id');
  const colNames = new Set(columns.map((c) => c.name));

  await syncElementRules(db, resourceId);
  if (opts.trigger === 'load')
    await storeProposals(db, resourceId, await proposeRules(ctx.engine, parquetPath, columns));

  const stored = await governanceRepo.rulesOf(db, resourceId);
  const active = stored.filter((r) => r.active === 1);
  const rules: QualityRule[] = active
    .filter((r) => colNames.has(r.field))
    .map((r) => ({ id: r.id, field: r.field, kind: r.kind as RuleKind, params: parseJson<RuleParams>(r.params) }));
  const skipped = active
    .filter((r) => !colNames.has(r.field))
    .map((r) => ({
      ruleId: r.id,
      field: r.field,
      kind: r.kind,
      reason: `no column "${r.field}" in version ${version.version}`,
    }));
  // Timeliness looks at the newest version of the resource, not at the one checked.
  const lastUpdatedAt = (await governanceRepo.lastVersionAt(db, resourceId)) ?? resource.updated_at;
  const report = await runQualityRules(ctx.engine, {
    parquetPath,
    rules,
    updateCycle: resource.update_cycle,
    lastUpdatedAt,
    now: opts.now,
  });
  const details: StoredQualityDetails = {
    rows: report.rows,
    columns: report.columns,
    rules: report.rules,
    skipped,
    columnCompleteness: report.columnCompleteness,
    weights: QUALITY_WEIGHTS,
    updateCycle: resource.update_cycle,
    lastUpdatedAt,
  };
  const row: QualityReportTable = {
    id: randomUUID(),
    resource_id: resourceId,
    version_id: version.id,
    run_at: nowIso(),
    trigger: opts.trigger,
    score: report.score,
    completeness: report.completeness,
    validity: report.validity,
    uniqueness: report.uniqueness,
    timeliness: report.timeliness,
    row_count: report.rows,
    details: JSON.stringify(details),
  };
  await governanceRepo.insertReport(db, row);
  const pending = (await governanceRepo.rulesOf(db, resourceId)).filter(
    (r) => r.source === 'proposed' && r.active === 0,
  );
  return {
    reportId: row.id,
    versionId: version.id,
    score: row.score,
    completeness: row.completeness,
    validity: row.validity,
    uniqueness: row.uniqueness,
    timeliness: row.timeliness,
    rules: report.rules.map(({ ruleId, field, kind, checked, failures }) => ({
      ruleId,
      field,
      kind,
      checked,
      failures,
    })),
    proposals: pending.map(presentRule),
  };
}

/**
 * Called by the datastore at the end of every successful load. A quality failure never fails the load:
 * it is logged and the load's report says so.
 */
export async function runQualityAfterLoad(
  ctx: AppContext,
  resourceId: string,
  versionId: string,
): Promise<QualityRunSummary | { error: string }> {
  try {
    return await runQuality(ctx, resourceId, { versionId, trigger: 'load' });
  } catch (err) {
    ctx.log.error({ err, resourceId, versionId }, 'quality run after load failed');
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export async function rerunQuality(ctx: AppContext, actor: Actor, resourceId: string): Promise<QualityRunSummary> {
  const r = await resourceFor(ctx.store.db, actor, resourceId, 'quality.manage');
  return runQuality(ctx, r.id, { trigger: 'manual' });
}

// ---------------------------------------------------------------- reading reports

export interface QualityReportView {
  id: string;
  versionId: string | null;
  runAt: string;
  trigger: string;
  score: number;
  completeness: number;
  validity: number;
  uniqueness: number;
  timeliness: number;
  rows: number;
  details?: StoredQualityDetails;
}

function presentReport(r: Omit<QualityReportTable, 'details' | 'resource_id'>): QualityReportView {
  return {
    id: r.id,
    versionId: r.version_id,
    runAt: r.run_at,
    trigger: r.trigger,
    score: Number(r.score),
    completeness: Number(r.completeness),
    validity: Number(r.validity),
    uniqueness: Number(r.uniqueness),
    timeliness: Number(r.timeliness),
    rows: Number(r.row_count),
  };
}

/** The provider's department and platform admins see sample values raw; everyone else as the data is masked. */
function seesRaw(actor: Actor, r: ResourceTable): boolean {
  if (actor.kind !== 'user') return false;
  if (actor.role === 'platform_admin') return true;
  return actor.departmentId === r.provider_id && ['dept_admin', 'steward', 'member'].includes(actor.role);
}

export async function qualityOf(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  limit = 30,
): Promise<{ latest: QualityReportView | null; history: QualityReportView[]; weights: typeof QUALITY_WEIGHTS }> {
  const db = ctx.store.db;
  const r = await resourceFor(db, actor, resourceId, 'quality.read');
  const latestRow = await governanceRepo.latestReport(db, r.id);
  const history = (await governanceRepo.reportHistory(db, r.id, limit)).map(presentReport);
  if (!latestRow) return { latest: null, history, weights: QUALITY_WEIGHTS };
  const details = JSON.parse(latestRow.details) as StoredQualityDetails;
  if (!seesRaw(actor, r)) {
    const fields = new Map((await governanceRepo.fieldsOf(db, r.id)).map((f) => [f.name, f]));
    for (const rule of details.rules) {
      const f = fields.get(rule.field);
      // As on every read path: a column the field list does not describe is masked in full.
      const kind = f
        ? maskingPolicy(
            { sensitivity: f.sensitivity, grade: f.grade, name: f.name, kind: rule.kind },
            ctx.config.masking,
          )
        : 'other';
      if (kind)
        rule.sampleRows = rule.sampleRows.map((s) => ({
          ...s,
          value: maskValue(kind, s.value, f ? ctx.config.masking.rules : undefined),
        }));
    }
  }
  return { latest: { ...presentReport(latestRow), details }, history, weights: QUALITY_WEIGHTS };
}

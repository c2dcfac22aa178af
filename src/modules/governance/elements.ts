/**
 * 数据元 (data elements): named, coded definitions (type, format, rules) that catalogue fields bind to.
 * Binding a field brings the element's rules (as 'element' quality rules) and tightens the field's grading.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { DataElementTable } from '../../platform/db/schema.ts';
import { AppError, conflict, notFound } from '../../platform/http/errors.ts';
import { authorize, requireUser, type Actor } from '../access/index.ts';
import { getResourceRow, resourceRef } from '../catalogue/index.ts';
import type { RuleKind, RuleParams } from './quality.ts';
import { governanceRepo } from './repository.ts';
import { presentRule, syncElementRules, tightenFieldGrading, validateRuleSpec, type QualityRuleView } from './rules.ts';

export interface ElementRule {
  kind: RuleKind;
  params?: RuleParams | null;
}

export interface DataElement {
  code: string;
  name: string;
  dataType: string;
  format: string | null;
  description: string | null;
  rules: ElementRule[];
  sensitivity: string;
  grade: string;
  createdAt: string;
  updatedAt: string;
}

export interface DataElementInput {
  code: string;
  name: string;
  dataType: string;
  format?: string | null;
  description?: string | null;
  rules?: ElementRule[];
  sensitivity?: string;
  grade?: string;
}

function present(e: DataElementTable): DataElement {
  return {
    code: e.code,
    name: e.name,
    dataType: e.data_type,
    format: e.format,
    description: e.description,
    rules: JSON.parse(e.rules) as ElementRule[],
    sensitivity: e.sensitivity,
    grade: e.grade,
    createdAt: e.created_at,
    updatedAt: e.updated_at,
  };
}

/**
 * Default elements. The codes (DE + 5 digits) are illustrative, in the style of the national data element
 * directories (e.g. GB/T 19488, 政务数据元): replace them with your province's registry codes.
 */
export const DEFAULT_DATA_ELEMENTS: DataElementInput[] = [
  {
    code: 'DE00001',
    name: '公民身份号码',
    dataType: 'string',
    format: 'c18',
    description: 'GB 11643-1999 居民身份证号: 6 位地址码 + 8 位出生日期 + 3 位顺序码 + 校验码',
    rules: [{ kind: 'id_card' }],
    sensitivity: 'id_card',
    grade: 'L3',
  },
  {
    code: 'DE00002',
    name: '统一社会信用代码',
    dataType: 'string',
    format: 'c18',
    description: 'GB 32100-2015 法人和其他组织统一社会信用代码',
    rules: [{ kind: 'uscc' }],
  },
  {
    code: 'DE00003',
    name: '组织机构代码',
    dataType: 'string',
    format: 'c9 / c10 (XXXXXXXX-C)',
    description: 'GB 11714-1997 全国组织机构代码',
    rules: [{ kind: 'org_code' }],
  },
  {
    code: 'DE00004',
    name: '行政区划代码',
    dataType: 'string',
    format: 'n6',
    description: 'GB/T 2260 中华人民共和国行政区划代码',
    rules: [{ kind: 'division_code' }],
  },
  {
    code: 'DE00005',
    name: '手机号码',
    dataType: 'string',
    format: 'n11',
    description: '中国大陆移动电话号码, 可带 +86 / 0086 前缀',
    rules: [{ kind: 'mobile' }],
    sensitivity: 'mobile',
    grade: 'L3',
  },
  {
    code: 'DE00006',
    name: '日期',
    dataType: 'date',
    format: 'YYYY-MM-DD',
    description: '公历日期; 也接受 2020/12/21, 2020.12.21, 2020年12月21日 与 Excel 序列号',
    rules: [{ kind: 'date_parse' }],
  },
];

function toRow(input: DataElementInput, at: string): DataElementTable {
  return {
    id: randomUUID(),
    code: input.code,
    name: input.name,
    data_type: input.dataType,
    format: input.format ?? null,
    description: input.description ?? null,
    rules: JSON.stringify(input.rules ?? []),
    sensitivity: input.sensitivity ?? 'none',
    grade: input.grade ?? 'L1',
    created_at: at,
    updated_at: at,
  };
}

/** Idempotent: inserts the defaults that are missing, leaves edited ones alone. */
export async function seedDataElements(db: Db): Promise<void> {
  const at = nowIso();
  for (const e of DEFAULT_DATA_ELEMENTS) await governanceRepo.insertElement(db, toRow(e, at));
}

export async function listDataElements(ctx: AppContext, actor: Actor): Promise<DataElement[]> {
  authorize(actor, { action: 'data_element.read' });
  return (await governanceRepo.elements(ctx.store.db)).map(present);
}

async function validateRules(ctx: AppContext, rules: ElementRule[] | undefined): Promise<void> {
  for (const [i, r] of (rules ?? []).entries())
    await validateRuleSpec(ctx, r.kind, r.params).catch((err: unknown) => {
      if (err instanceof AppError) throw new AppError(err.status, err.code, `rules/${i}: ${err.message}`, err.extras);
      throw err;
    });
}

export async function createDataElement(ctx: AppContext, actor: Actor, input: DataElementInput): Promise<DataElement> {
  authorize(actor, { action: 'data_element.manage' }, 'Only platform admins edit the data element dictionary');
  const db = ctx.store.db;
  if (await governanceRepo.elementByCode(db, input.code))
    throw conflict('duplicate_code', `A data element with code ${input.code} exists`, { field: 'code' });
  await validateRules(ctx, input.rules);
  const row = toRow(input, nowIso());
  await governanceRepo.insertElement(db, row);
  return present(row);
}

export async function updateDataElement(
  ctx: AppContext,
  actor: Actor,
  code: string,
  patch: Partial<Omit<DataElementInput, 'code'>>,
): Promise<DataElement> {
  authorize(actor, { action: 'data_element.manage' }, 'Only platform admins edit the data element dictionary');
  const db = ctx.store.db;
  const e = await governanceRepo.elementByCode(db, code);
  if (!e) throw notFound('data element', code);
  await validateRules(ctx, patch.rules);
  const next: Partial<DataElementTable> = { updated_at: nowIso() };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.dataType !== undefined) next.data_type = patch.dataType;
  if (patch.format !== undefined) next.format = patch.format;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.rules !== undefined) next.rules = JSON.stringify(patch.rules);
  if (patch.sensitivity !== undefined) next.sensitivity = patch.sensitivity;
  if (patch.grade !== undefined) next.grade = patch.grade;
  await governanceRepo.updateElement(db, code, next);
  // Bound fields follow the element at their next run (syncElementRules), no bulk rewrite here.
  return present({ ...e, ...next });
}

/** Binds (or with null unbinds) a catalogue field to a data element; answers the field's rules afterwards. */
export async function bindFieldToElement(
  ctx: AppContext,
  actor: Actor,
  resourceId: string,
  fieldName: string,
  code: string | null,
): Promise<{ field: string; dataElementCode: string | null; rules: QualityRuleView[]; fieldChanges: object }> {
  requireUser(actor);
  const db = ctx.store.db;
  const r = await getResourceRow(db, actor, resourceId);
  authorize(
    actor,
    { action: 'quality.manage', resource: resourceRef(r) },
    "Only the provider's stewards and the data bureau bind fields",
  );
  const field = (await governanceRepo.fieldsOf(db, r.id)).find((f) => f.name === fieldName);
  if (!field) throw notFound('field', `${fieldName} of ${r.code}`);
  const element = code === null ? null : await governanceRepo.elementByCode(db, code);
  if (code !== null && !element)
    throw new AppError(422, 'unknown_data_element', `No data element with code ${code}`, { field: 'code' });
  await governanceRepo.setFieldBinding(db, field.id, { data_element_code: code });
  const fieldChanges = element
    ? await tightenFieldGrading(
        db,
        r,
        fieldName,
        { sensitivity: element.sensitivity, grade: element.grade },
        actor.userId,
        `bound to data element ${element.code} ${element.name}`,
      )
    : {};
  await syncElementRules(db, r.id);
  for (const h of ctx.events.onResourceChanged) await h(r.id);
  const rules = (await governanceRepo.rulesOf(db, r.id)).filter((x) => x.field === fieldName).map(presentRule);
  return { field: fieldName, dataElementCode: code, rules, fieldChanges };
}

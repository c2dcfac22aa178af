import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { ResourceFieldTable, ResourceTable } from '../../platform/db/schema.ts';
import { AppError, conflict, notFound, validationFailed } from '../../platform/http/errors.ts';
import { authorize, canSeeResource, requireUser, type Actor, type ResourceRef } from '../access/index.ts';
import { catalogueRepo, type ResourceListFilter } from './repository.ts';
import {
  DATA_TYPES,
  FORMATS,
  GRADES,
  METHODS_FOR_FORMAT,
  OPEN_TYPES,
  Problems,
  SENSITIVITIES,
  SHARING_METHODS,
  SHARING_TYPES,
  UPDATE_CYCLES,
  isIsoDate,
  maxGrade,
  normaliseName,
} from './validation.ts';

export interface FieldInput {
  name: string;
  nameEn?: string | null;
  dataType: string;
  length?: number | null;
  description?: string | null;
  sensitivity?: string;
  grade?: string;
  dataElementCode?: string | null;
}

/** Every element of the national catalogue metadata (STANDARDS.md §1) plus grading and portal metadata. */
export interface ResourceInput {
  name: string;
  nameEn?: string | null;
  providerId: string;
  abstract: string;
  classCategory: string;
  classItem: string;
  classCatalog: string;
  classDetail?: string | null;
  format: string;
  sharingType: string;
  sharingConditions?: string | null;
  sharingBasis?: string | null;
  sharingMethod: string;
  openType: string;
  openConditions?: string | null;
  updateCycle: string;
  publishDate?: string | null;
  relatedCodes?: string[];
  grade?: string;
  domain?: string | null;
  topics?: string[];
  tags?: string[];
  licence?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  spatialCoverage?: string | null;
  divisionCode?: string | null;
  temporalStart?: string | null;
  temporalEnd?: string | null;
  hasApi?: boolean;
  fields?: FieldInput[];
}
export type ResourcePatch = Partial<Omit<ResourceInput, 'providerId'>> & { revision?: number };

export interface Field {
  id: string;
  position: number;
  name: string;
  nameEn: string | null;
  dataType: string;
  length: number | null;
  description: string | null;
  sensitivity: string;
  grade: string;
  dataElementCode: string | null;
}

export interface Resource {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  providerId: string;
  providerName?: string;
  abstract: string;
  classCategory: string;
  classItem: string;
  classCatalog: string;
  classDetail: string | null;
  classificationCode: string;
  format: string;
  sharingType: string;
  sharingConditions: string | null;
  sharingBasis: string | null;
  sharingMethod: string;
  openType: string;
  openConditions: string | null;
  updateCycle: string;
  publishDate: string | null;
  relatedCodes: string[];
  grade: string;
  domain: string | null;
  topics: string[];
  tags: string[];
  licence: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  spatialCoverage: string | null;
  divisionCode: string | null;
  temporalStart: string | null;
  temporalEnd: string | null;
  status: string;
  pendingAction: string | null;
  returnReason: string | null;
  hasApi: boolean;
  hasGeometry: boolean;
  popularity: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  revision: number;
  fields: Field[];
}

const json = (s: string): string[] => {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};

export function presentField(f: ResourceFieldTable): Field {
  return {
    id: f.id,
    position: f.position,
    name: f.name,
    nameEn: f.name_en,
    dataType: f.data_type,
    length: f.length,
    description: f.description,
    sensitivity: f.sensitivity,
    grade: f.grade,
    dataElementCode: f.data_element_code,
  };
}

export function presentResource(r: ResourceTable & { provider_name?: string }, fields: ResourceFieldTable[]): Resource {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    providerId: r.provider_id,
    ...(r.provider_name !== undefined ? { providerName: r.provider_name } : {}),
    abstract: r.abstract,
    classCategory: r.class_category,
    classItem: r.class_item,
    classCatalog: r.class_catalog,
    classDetail: r.class_detail,
    classificationCode: `${r.class_category}${r.class_item}${r.class_catalog}${r.class_detail ?? ''}`,
    format: r.format,
    sharingType: r.sharing_type,
    sharingConditions: r.sharing_conditions,
    sharingBasis: r.sharing_basis,
    sharingMethod: r.sharing_method,
    openType: r.open_type,
    openConditions: r.open_conditions,
    updateCycle: r.update_cycle,
    publishDate: r.publish_date,
    relatedCodes: json(r.related_codes),
    grade: r.grade,
    domain: r.domain,
    topics: json(r.topics),
    tags: json(r.tags),
    licence: r.licence,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    contactEmail: r.contact_email,
    spatialCoverage: r.spatial_coverage,
    divisionCode: r.division_code,
    temporalStart: r.temporal_start,
    temporalEnd: r.temporal_end,
    status: r.status,
    pendingAction: r.pending_action,
    returnReason: r.return_reason,
    hasApi: r.has_api === 1,
    hasGeometry: r.has_geometry === 1,
    popularity: r.popularity,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    revision: r.revision,
    fields: fields.map(presentField),
  };
}

export function resourceRef(r: ResourceTable): ResourceRef {
  return { providerId: r.provider_id, status: r.status, openType: r.open_type, sharingType: r.sharing_type };
}

const CODE_RE = /^[123]\d{5}\d{0,6}\/\d{6}$/;

async function activeCodes(db: Db, kind: string): Promise<Set<string>> {
  return new Set((await catalogueRepo.vocabulary(db, kind)).filter((v) => v.active === 1).map((v) => v.code));
}

/** Validates a complete resource (after a patch is applied): every problem listed at once. */
async function validateResource(
  db: Db,
  r: Required<Omit<ResourceInput, 'fields' | 'hasApi'>> & { fields: FieldInput[] },
): Promise<string> {
  const p = new Problems();
  const text = (field: string, v: string | null | undefined, max: number, required = false) => {
    if (v === null || v === undefined || v.trim() === '') {
      if (required) p.add(field, 'is required');
      return;
    }
    if (v.length > max) p.add(field, `must be at most ${max} characters`);
  };
  text('name', r.name, 200, true);
  text('abstract', r.abstract, 4000, true);
  text('nameEn', r.nameEn, 300);
  if (!/^[123]$/.test(r.classCategory)) p.add('classCategory', 'must be 1 (基础), 2 (主题) or 3 (部门)');
  if (!/^\d{2}$/.test(r.classItem)) p.add('classItem', 'must be 2 digits (项)');
  if (!/^\d{3}$/.test(r.classCatalog)) p.add('classCatalog', 'must be 3 digits (目)');
  if (r.classDetail && !/^\d{1,6}$/.test(r.classDetail)) p.add('classDetail', 'must be 1–6 digits (细目)');
  const oneOf = (field: string, v: string, allowed: readonly string[]) => {
    if (!allowed.includes(v)) p.add(field, `must be one of ${allowed.join(', ')}`);
  };
  oneOf('format', r.format, FORMATS);
  oneOf('sharingType', r.sharingType, SHARING_TYPES);
  oneOf('sharingMethod', r.sharingMethod, SHARING_METHODS);
  oneOf('openType', r.openType, OPEN_TYPES);
  oneOf('updateCycle', r.updateCycle, UPDATE_CYCLES);
  oneOf('grade', r.grade, GRADES);
  const methods = METHODS_FOR_FORMAT[r.format];
  if (methods && !methods.includes(r.sharingMethod))
    p.add('sharingMethod', `a ${r.format} resource is shared by ${methods.join(' or ')}, not ${r.sharingMethod}`);
  if (r.sharingType !== 'unconditional' && !r.sharingConditions?.trim())
    p.add('sharingConditions', 'is required unless the resource is shared unconditionally (共享条件)');
  if (r.sharingType !== 'unconditional' && !r.sharingBasis?.trim())
    p.add('sharingBasis', 'a legal or policy basis (依据) is required for 有条件共享 and 不予共享');
  if (r.openType === 'conditional' && !r.openConditions?.trim()) p.add('openConditions', 'is required for 有条件开放');
  text('sharingConditions', r.sharingConditions, 2000);
  text('sharingBasis', r.sharingBasis, 2000);
  text('openConditions', r.openConditions, 2000);
  for (const [field, v] of [
    ['publishDate', r.publishDate],
    ['temporalStart', r.temporalStart],
    ['temporalEnd', r.temporalEnd],
  ] as const) {
    if (v && !isIsoDate(v)) p.add(field, 'must be a date YYYY-MM-DD');
  }
  if (r.temporalStart && r.temporalEnd && r.temporalStart > r.temporalEnd)
    p.add('temporalEnd', 'must not be before temporalStart');
  r.relatedCodes.forEach((c, i) => {
    if (!CODE_RE.test(c)) p.add(`relatedCodes/${i}`, `"${c}" is not a resource code like 301001/000001`);
  });
  if (r.divisionCode && !/^\d{6}$/.test(r.divisionCode))
    p.add('divisionCode', 'must be a 6-digit division code (GB/T 2260)');
  if (r.contactEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r.contactEmail))
    p.add('contactEmail', 'is not an email address');
  if (r.contactPhone && !/^[0-9+\-() ]{5,30}$/.test(r.contactPhone)) p.add('contactPhone', 'is not a phone number');
  text('contactName', r.contactName, 100);
  text('spatialCoverage', r.spatialCoverage, 500);
  text('licence', r.licence, 200);
  if (r.tags.length > 50) p.add('tags', 'at most 50 tags');
  r.tags.forEach((t, i) => {
    if (!t.trim() || t.length > 50) p.add(`tags/${i}`, 'a tag is 1–50 characters');
  });
  if (r.domain) {
    const domains = await activeCodes(db, 'domain');
    if (!domains.has(r.domain)) p.add('domain', `unknown domain ${r.domain}`);
  }
  if (r.topics.length > 0) {
    const topics = await activeCodes(db, 'topic');
    r.topics.forEach((t, i) => {
      if (!topics.has(t)) p.add(`topics/${i}`, `unknown topic ${t}`);
    });
  }
  if (r.fields.length > 2000) p.add('fields', 'at most 2000 fields');
  const seen = new Set<string>();
  r.fields.forEach((f, i) => {
    const at = `fields/${i}`;
    if (!f.name?.trim()) p.add(`${at}/name`, 'is required');
    else if (f.name.length > 100) p.add(`${at}/name`, 'must be at most 100 characters');
    else if (seen.has(f.name.trim())) p.add(`${at}/name`, `duplicate field name ${f.name}`);
    seen.add(f.name?.trim());
    if (!DATA_TYPES.includes(f.dataType as never)) p.add(`${at}/dataType`, `must be one of ${DATA_TYPES.join(', ')}`);
    if (
      f.length !== undefined &&
      f.length !== null &&
      (!Number.isInteger(f.length) || f.length < 1 || f.length > 1_000_000)
    )
      p.add(`${at}/length`, 'must be an integer from 1 to 1000000');
    if (f.sensitivity && !SENSITIVITIES.includes(f.sensitivity as never))
      p.add(`${at}/sensitivity`, `must be one of ${SENSITIVITIES.join(', ')}`);
    if (f.grade && !GRADES.includes(f.grade as never)) p.add(`${at}/grade`, `must be one of ${GRADES.join(', ')}`);
    if (f.description && f.description.length > 1000) p.add(`${at}/description`, 'must be at most 1000 characters');
  });
  // 就高从严: the dataset takes the highest grade of its fields.
  const grade = maxGrade([r.grade, ...r.fields.map((f) => f.grade ?? 'L1')]);
  if (grade === 'L4' && r.openType !== 'none')
    p.add('openType', 'an L4 (敏感) resource is never opened: open type must be 不予开放 (none)');
  p.throwIfAny();
  return grade;
}

function toFieldRows(resourceId: string, fields: FieldInput[]): ResourceFieldTable[] {
  return fields.map((f, i) => ({
    id: randomUUID(),
    resource_id: resourceId,
    position: i + 1,
    name: f.name.trim(),
    name_en: f.nameEn ?? null,
    data_type: f.dataType,
    length: f.length ?? null,
    description: f.description ?? null,
    sensitivity: f.sensitivity ?? 'none',
    grade: f.grade ?? 'L1',
    data_element_code: f.dataElementCode ?? null,
  }));
}

function inputFromRow(r: Resource): Required<Omit<ResourceInput, 'fields' | 'hasApi'>> & { fields: FieldInput[] } {
  return {
    name: r.name,
    nameEn: r.nameEn,
    providerId: r.providerId,
    abstract: r.abstract,
    classCategory: r.classCategory,
    classItem: r.classItem,
    classCatalog: r.classCatalog,
    classDetail: r.classDetail,
    format: r.format,
    sharingType: r.sharingType,
    sharingConditions: r.sharingConditions,
    sharingBasis: r.sharingBasis,
    sharingMethod: r.sharingMethod,
    openType: r.openType,
    openConditions: r.openConditions,
    updateCycle: r.updateCycle,
    publishDate: r.publishDate,
    relatedCodes: r.relatedCodes,
    grade: r.grade,
    domain: r.domain,
    topics: r.topics,
    tags: r.tags,
    licence: r.licence,
    contactName: r.contactName,
    contactPhone: r.contactPhone,
    contactEmail: r.contactEmail,
    spatialCoverage: r.spatialCoverage,
    divisionCode: r.divisionCode,
    temporalStart: r.temporalStart,
    temporalEnd: r.temporalEnd,
    fields: r.fields,
  };
}

function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (['updatedAt', 'revision', 'createdAt'].includes(k)) continue;
    const a = JSON.stringify(before[k] ?? null);
    const b = JSON.stringify(after[k] ?? null);
    if (a !== b) out[k] = { from: before[k] ?? null, to: after[k] ?? null };
  }
  return out;
}

function comparable(r: Resource): Record<string, unknown> {
  return { ...r, fields: r.fields.map(({ id: _id, ...f }) => f) };
}

async function load(db: Db, id: string): Promise<Resource | null> {
  const row = await catalogueRepo.resourceById(db, id);
  if (!row) return null;
  return presentResource(row, await catalogueRepo.fieldsOf(db, id));
}

/** Reads a resource the actor may see; an invisible resource is reported as missing, not forbidden. */
export async function getResource(db: Db, actor: Actor, idOrCode: string): Promise<Resource> {
  const row = (await catalogueRepo.resourceById(db, idOrCode)) ?? (await catalogueRepo.resourceByCode(db, idOrCode));
  if (!row || !canSeeResource(actor, resourceRef(row))) throw notFound('resource', idOrCode);
  const dept = await catalogueRepo.departmentById(db, row.provider_id);
  return presentResource({ ...row, provider_name: dept?.name ?? '' }, await catalogueRepo.fieldsOf(db, row.id));
}

/** The raw row for other modules (datastore, exchange): visibility checked the same way. */
export async function getResourceRow(db: Db, actor: Actor, id: string): Promise<ResourceTable> {
  const row = await catalogueRepo.resourceById(db, id);
  if (!row || !canSeeResource(actor, resourceRef(row))) throw notFound('resource', id);
  return row;
}

export async function listResources(
  db: Db,
  actor: Actor,
  f: ResourceListFilter,
): Promise<{ items: Resource[]; total: number }> {
  const [rows, total] = await catalogueRepo.listResources(db, actor, f);
  const fields = await catalogueRepo.fieldsOfMany(
    db,
    rows.map((r) => r.id),
  );
  const byResource = new Map<string, ResourceFieldTable[]>();
  for (const fr of fields) byResource.set(fr.resource_id, [...(byResource.get(fr.resource_id) ?? []), fr]);
  return { items: rows.map((r) => presentResource(r, byResource.get(r.id) ?? [])), total };
}

async function assertNoNearDuplicate(db: Db, providerId: string, name: string, exceptId?: string): Promise<void> {
  const dup = await catalogueRepo.sameNameInProvider(db, providerId, normaliseName(name), exceptId);
  if (dup)
    throw conflict(
      'duplicate_name',
      `A resource named like "${name}" already exists in this department: ${dup.name} (${dup.code})`,
      {
        field: 'name',
        existing: dup.code,
      },
    );
}

export async function createResource(db: Db, actor: Actor, input: ResourceInput): Promise<Resource> {
  requireUser(actor);
  const dept = await catalogueRepo.departmentById(db, input.providerId);
  if (!dept) throw validationFailed(`providerId ${input.providerId} is not a department`, { field: 'providerId' });
  authorize(actor, { action: 'resource.create', providerId: input.providerId });
  const full = {
    nameEn: null,
    classDetail: null,
    sharingConditions: null,
    sharingBasis: null,
    openConditions: null,
    publishDate: null,
    relatedCodes: [],
    grade: 'L1',
    domain: null,
    topics: [],
    tags: [],
    licence: null,
    contactName: null,
    contactPhone: null,
    contactEmail: null,
    spatialCoverage: null,
    divisionCode: null,
    temporalStart: null,
    temporalEnd: null,
    ...input,
    fields: input.fields ?? [],
  };
  const grade = await validateResource(db, full);
  await assertNoNearDuplicate(db, input.providerId, input.name);
  const prefix = `${input.classCategory}${input.classItem}${input.classCatalog}${input.classDetail ?? ''}`;
  const id = randomUUID();
  const now = nowIso();
  for (let attempt = 0; ; attempt++) {
    const last = await catalogueRepo.maxCodeWithPrefix(db, prefix);
    const seq = last ? Number(last.split('/')[1]) + 1 : 1;
    const code = `${prefix}/${String(seq).padStart(6, '0')}`;
    try {
      await db.transaction().execute(async (trx) => {
        await catalogueRepo.insertResource(trx, {
          id,
          code,
          name: full.name.trim(),
          name_norm: normaliseName(full.name),
          name_en: full.nameEn,
          provider_id: full.providerId,
          abstract: full.abstract.trim(),
          class_category: full.classCategory,
          class_item: full.classItem,
          class_catalog: full.classCatalog,
          class_detail: full.classDetail || null,
          format: full.format,
          sharing_type: full.sharingType,
          sharing_conditions: full.sharingConditions,
          sharing_basis: full.sharingBasis,
          sharing_method: full.sharingMethod,
          open_type: full.openType,
          open_conditions: full.openConditions,
          update_cycle: full.updateCycle,
          publish_date: full.publishDate,
          related_codes: JSON.stringify(full.relatedCodes),
          grade,
          domain: full.domain,
          topics: JSON.stringify(full.topics),
          tags: JSON.stringify(full.tags.map((t) => t.trim())),
          licence: full.licence,
          contact_name: full.contactName,
          contact_phone: full.contactPhone,
          contact_email: full.contactEmail,
          spatial_coverage: full.spatialCoverage,
          division_code: full.divisionCode,
          temporal_start: full.temporalStart,
          temporal_end: full.temporalEnd,
          status: 'draft',
          pending_action: null,
          return_reason: null,
          has_api: input.hasApi || full.sharingMethod === 'api' ? 1 : 0,
          has_geometry: 0,
          popularity: 0,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
          published_at: null,
          revision: 1,
        });
        await catalogueRepo.replaceFields(trx, id, toFieldRows(id, full.fields));
        await catalogueRepo.insertHistory(trx, {
          resource_id: id,
          actor_id: actor.userId,
          action: 'create',
          reason: null,
          changes: JSON.stringify({ code: { from: null, to: code }, name: { from: null, to: full.name } }),
          at: now,
        });
      });
      break;
    } catch (err) {
      // Two creations raced for the same sequence number: take the next one.
      if (
        attempt < 5 &&
        /unique|duplicate/i.test(String((err as Error).message)) &&
        /code/i.test(String((err as Error).message))
      )
        continue;
      throw err;
    }
  }
  return (await load(db, id))!;
}

export async function updateResource(db: Db, actor: Actor, id: string, patch: ResourcePatch): Promise<Resource> {
  const before = await getResource(db, actor, id);
  authorize(
    actor,
    { action: 'resource.edit', resource: before },
    `Only the provider's stewards may edit a ${before.status} resource`,
  );
  requireUser(actor);
  if (patch.revision !== undefined && patch.revision !== before.revision)
    throw conflict(
      'stale_revision',
      `The resource changed since revision ${patch.revision} (now ${before.revision}); reload and retry`,
      {
        field: 'revision',
      },
    );
  const { revision: _r, ...rest } = patch;
  const merged = { ...inputFromRow(before), ...rest, fields: rest.fields ?? before.fields };
  const grade = await validateResource(db, merged);
  if (rest.name !== undefined) await assertNoNearDuplicate(db, before.providerId, merged.name, id);
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    const res = await catalogueRepo.updateResource(trx, id, before.revision, {
      name: merged.name.trim(),
      name_norm: normaliseName(merged.name),
      name_en: merged.nameEn,
      abstract: merged.abstract.trim(),
      class_category: merged.classCategory,
      class_item: merged.classItem,
      class_catalog: merged.classCatalog,
      class_detail: merged.classDetail || null,
      format: merged.format,
      sharing_type: merged.sharingType,
      sharing_conditions: merged.sharingConditions,
      sharing_basis: merged.sharingBasis,
      sharing_method: merged.sharingMethod,
      open_type: merged.openType,
      open_conditions: merged.openConditions,
      update_cycle: merged.updateCycle,
      publish_date: merged.publishDate,
      related_codes: JSON.stringify(merged.relatedCodes),
      grade,
      domain: merged.domain,
      topics: JSON.stringify(merged.topics),
      tags: JSON.stringify(merged.tags.map((t) => t.trim())),
      licence: merged.licence,
      contact_name: merged.contactName,
      contact_phone: merged.contactPhone,
      contact_email: merged.contactEmail,
      spatial_coverage: merged.spatialCoverage,
      division_code: merged.divisionCode,
      temporal_start: merged.temporalStart,
      temporal_end: merged.temporalEnd,
      ...(patch.hasApi !== undefined ? { has_api: patch.hasApi ? 1 : 0 } : {}),
      updated_at: now,
    });
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict('stale_revision', 'The resource was changed by someone else meanwhile; reload and retry');
    if (rest.fields) await catalogueRepo.replaceFields(trx, id, toFieldRows(id, rest.fields));
    const after = await load(trx, id);
    await catalogueRepo.insertHistory(trx, {
      resource_id: id,
      actor_id: actor.userId,
      action: 'update',
      reason: null,
      changes: JSON.stringify(diff(comparable(before), comparable(after!))),
      at: now,
    });
  });
  return getResource(db, actor, id);
}

async function transition(
  db: Db,
  actor: Actor,
  r: Resource,
  action: string,
  patch: Partial<ResourceTable>,
  reason: string | null,
): Promise<Resource> {
  requireUser(actor);
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    const res = await catalogueRepo.updateResource(trx, r.id, r.revision, { ...patch, updated_at: now });
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict('stale_revision', 'The resource changed meanwhile; reload and retry');
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (patch.status && patch.status !== r.status) changes.status = { from: r.status, to: patch.status };
    await catalogueRepo.insertHistory(trx, {
      resource_id: r.id,
      actor_id: actor.userId,
      action,
      reason,
      changes: JSON.stringify(changes),
      at: now,
    });
  });
  return getResource(db, actor, r.id);
}

export async function submitResource(db: Db, actor: Actor, id: string): Promise<Resource> {
  const r = await getResource(db, actor, id);
  authorize(actor, { action: 'resource.submit', resource: r }, `A ${r.status} resource cannot be submitted by you`);
  if (r.fields.length === 0)
    throw validationFailed('A resource needs at least one field (信息项) before it is submitted for review', {
      field: 'fields',
    });
  return transition(
    db,
    actor,
    r,
    'submit',
    { status: 'pending_review', pending_action: 'publish', return_reason: null },
    null,
  );
}

export async function requestWithdrawal(db: Db, actor: Actor, id: string, reason: string): Promise<Resource> {
  const r = await getResource(db, actor, id);
  authorize(
    actor,
    { action: 'resource.request_withdraw', resource: r },
    'Only a published resource of your department can be withdrawn',
  );
  return transition(db, actor, r, 'request_withdraw', { status: 'pending_review', pending_action: 'withdraw' }, reason);
}

export async function reviewResource(
  db: Db,
  actor: Actor,
  id: string,
  decision: { decision: 'approve' | 'return'; reason?: string | null },
): Promise<Resource> {
  const r = await getResource(db, actor, id);
  if (r.status !== 'pending_review')
    throw new AppError(409, 'invalid_state', `Only a resource pending review can be reviewed; this one is ${r.status}`);
  authorize(actor, { action: 'resource.review', resource: r }, 'Only reviewers of the bureau may review');
  const reason = decision.reason?.trim() || null;
  if (decision.decision === 'return' && !reason) throw validationFailed('A return needs a reason', { field: 'reason' });
  if (r.pendingAction === 'withdraw') {
    return decision.decision === 'approve'
      ? transition(db, actor, r, 'withdraw', { status: 'withdrawn', pending_action: null }, reason)
      : transition(db, actor, r, 'reject_withdraw', { status: 'published', pending_action: null }, reason);
  }
  if (decision.decision === 'approve') {
    const today = nowIso().slice(0, 10);
    return transition(
      db,
      actor,
      r,
      'publish',
      {
        status: 'published',
        pending_action: null,
        return_reason: null,
        published_at: nowIso(),
        publish_date: r.publishDate ?? today,
      },
      reason,
    );
  }
  return transition(
    db,
    actor,
    r,
    'return',
    { status: 'returned', pending_action: null, return_reason: reason },
    reason,
  );
}

export async function deleteResource(db: Db, actor: Actor, id: string): Promise<void> {
  const r = await getResource(db, actor, id);
  authorize(actor, { action: 'resource.delete', resource: r }, 'Only drafts and returned resources can be deleted');
  if (r.publishedAt)
    throw new AppError(409, 'invalid_state', 'A resource that has been published is withdrawn, not deleted');
  await catalogueRepo.deleteResource(db, id);
}

export async function resourceHistory(db: Db, actor: Actor, id: string) {
  const r = await getResource(db, actor, id);
  return (await catalogueRepo.historyOf(db, r.id)).map((h) => ({
    id: Number(h.id),
    action: h.action,
    reason: h.reason,
    changes: JSON.parse(h.changes) as Record<string, { from: unknown; to: unknown }>,
    at: h.at,
    actor: h.actor_id ? { id: h.actor_id, username: h.actor_username } : null,
  }));
}

/** Set by the datastore after a load (geometry found, API available): not a metadata edit, not in history. */
export async function setDataFlags(
  db: Db,
  id: string,
  flags: { hasGeometry?: boolean; hasApi?: boolean },
): Promise<void> {
  await db
    .updateTable('resources')
    .set({
      ...(flags.hasGeometry !== undefined ? { has_geometry: flags.hasGeometry ? 1 : 0 } : {}),
      ...(flags.hasApi !== undefined ? { has_api: flags.hasApi ? 1 : 0 } : {}),
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .execute();
}

/** Fills the field list (信息项) of a resource that had none from its first data load; kept in history. */
export async function updateFieldsFromData(db: Db, id: string, actorId: string, fields: FieldInput[]): Promise<void> {
  await catalogueRepo.replaceFields(db, id, toFieldRows(id, fields));
  await catalogueRepo.insertHistory(db, {
    resource_id: id,
    actor_id: actorId,
    action: 'fields_from_data',
    reason: null,
    changes: JSON.stringify({ fields: { from: [], to: fields.map((f) => f.name) } }),
    at: nowIso(),
  });
}

export type { ResourceListFilter };

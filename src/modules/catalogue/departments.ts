import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import type { DepartmentTable } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import { authorize, type Actor } from '../access/index.ts';
import { catalogueRepo } from './repository.ts';
import { Problems } from './validation.ts';

export const DEPARTMENT_KINDS = ['city', 'district', 'department', 'office'] as const;
/** Which kinds may sit under which: city → district → department → office (departments may also hang off the city). */
const ALLOWED_PARENTS: Record<string, (string | null)[]> = {
  city: [null],
  district: ['city'],
  department: ['city', 'district'],
  office: ['department'],
};

export interface Department {
  id: string;
  parentId: string | null;
  code: string;
  name: string;
  nameEn: string | null;
  kind: string;
  description: string | null;
}
export interface DepartmentNode extends Department {
  children: DepartmentNode[];
}
export interface DepartmentInput {
  code: string;
  name: string;
  nameEn?: string | null;
  kind: string;
  parentId?: string | null;
  description?: string | null;
}

const present = (d: DepartmentTable): Department => ({
  id: d.id,
  parentId: d.parent_id,
  code: d.code,
  name: d.name,
  nameEn: d.name_en,
  kind: d.kind,
  description: d.description,
});

export async function listDepartments(db: Db): Promise<Department[]> {
  return (await catalogueRepo.listDepartments(db)).map(present);
}

export function toTree(list: Department[]): DepartmentNode[] {
  const nodes = new Map(list.map((d) => [d.id, { ...d, children: [] as DepartmentNode[] }]));
  const roots: DepartmentNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId ? nodes.get(n.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

export async function getDepartment(db: Db, idOrCode: string): Promise<Department> {
  const d = (await catalogueRepo.departmentById(db, idOrCode)) ?? (await catalogueRepo.departmentByCode(db, idOrCode));
  if (!d) throw notFound('department', idOrCode);
  return present(d);
}

async function validate(db: Db, input: DepartmentInput, selfId?: string): Promise<void> {
  const p = new Problems();
  if (!/^[A-Za-z0-9_-]{2,32}$/.test(input.code)) p.add('code', 'must be 2–32 letters, digits, _ or -');
  if (!input.name?.trim() || input.name.length > 100) p.add('name', 'is required, at most 100 characters');
  if (!DEPARTMENT_KINDS.includes(input.kind as never)) p.add('kind', `must be one of ${DEPARTMENT_KINDS.join(', ')}`);
  const parent = input.parentId ? await catalogueRepo.departmentById(db, input.parentId) : undefined;
  if (input.parentId && !parent) p.add('parentId', `department ${input.parentId} does not exist`);
  const allowed = ALLOWED_PARENTS[input.kind];
  if (allowed && (input.parentId ? parent && !allowed.includes(parent.kind) : !allowed.includes(null)))
    p.add('parentId', `a ${input.kind} must sit under ${allowed.map((k) => k ?? 'nothing').join(' or ')}`);
  if (selfId && input.parentId) {
    // Moving a department under its own descendant would make a cycle.
    let cursor: string | null | undefined = input.parentId;
    for (let i = 0; cursor && i < 100; i++) {
      if (cursor === selfId) {
        p.add('parentId', 'a department cannot sit under itself or its own offices');
        break;
      }
      cursor = (await catalogueRepo.departmentById(db, cursor))?.parent_id;
    }
  }
  p.throwIfAny();
  const same = await catalogueRepo.departmentByCode(db, input.code);
  if (same && same.id !== selfId)
    throw conflict('duplicate_code', `department code ${input.code} is taken`, { field: 'code' });
}

export async function createDepartmentUnchecked(db: Db, input: DepartmentInput): Promise<Department> {
  await validate(db, input);
  const now = nowIso();
  const row: DepartmentTable = {
    id: randomUUID(),
    parent_id: input.parentId ?? null,
    code: input.code,
    name: input.name.trim(),
    name_en: input.nameEn ?? null,
    kind: input.kind,
    description: input.description ?? null,
    created_at: now,
    updated_at: now,
  };
  await catalogueRepo.insertDepartment(db, row);
  return present(row);
}

export async function createDepartment(db: Db, actor: Actor, input: DepartmentInput): Promise<Department> {
  authorize(actor, { action: 'department.manage' });
  return createDepartmentUnchecked(db, input);
}

export async function updateDepartment(
  db: Db,
  actor: Actor,
  id: string,
  patch: Partial<DepartmentInput>,
): Promise<Department> {
  authorize(actor, { action: 'department.manage' });
  const d = await catalogueRepo.departmentById(db, id);
  if (!d) throw notFound('department', id);
  const merged: DepartmentInput = {
    code: patch.code ?? d.code,
    name: patch.name ?? d.name,
    nameEn: patch.nameEn !== undefined ? patch.nameEn : d.name_en,
    kind: patch.kind ?? d.kind,
    parentId: patch.parentId !== undefined ? patch.parentId : d.parent_id,
    description: patch.description !== undefined ? patch.description : d.description,
  };
  await validate(db, merged, id);
  await catalogueRepo.updateDepartment(db, id, {
    code: merged.code,
    name: merged.name.trim(),
    name_en: merged.nameEn ?? null,
    kind: merged.kind,
    parent_id: merged.parentId ?? null,
    description: merged.description ?? null,
    updated_at: nowIso(),
  });
  return getDepartment(db, id);
}

export async function deleteDepartment(db: Db, actor: Actor, id: string): Promise<void> {
  authorize(actor, { action: 'department.manage' });
  if (!(await catalogueRepo.departmentById(db, id))) throw notFound('department', id);
  const usage = await catalogueRepo.departmentUsage(db, id);
  if (usage.children || usage.users || usage.resources)
    throw conflict(
      'department_in_use',
      `The department still has ${usage.children} sub-departments, ${usage.users} users and ${usage.resources} resources`,
    );
  await catalogueRepo.deleteDepartment(db, id);
}

/** Ids of the resources a department provides (their search entries carry its name and code). */
export function resourceIdsOf(db: Db, departmentId: string): Promise<string[]> {
  return catalogueRepo.resourceIdsOfProvider(db, departmentId);
}

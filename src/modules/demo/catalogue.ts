import { buildDepartments, buildUsers, DEPARTMENT_DEFS } from './departments.ts';
import { landline } from './identity.ts';
import { DISTRICT, DISTRICT_FULL_NAME, EMAIL_DOMAIN } from './place.ts';
import { Rng } from './random.ts';
import { ALL_SPECS } from './resources/index.ts';
import type { ResourceSpec } from './resources/spec.ts';
import type { DemoCity, DemoGrade, DemoResource } from './types.ts';

export const DEFAULT_SEED = 2026;

/** 基础信息资源 items (类 1) and 主题信息资源 items (类 2), in the order of STANDARDS.md §1. */
const BASIC_TOPICS = ['population', 'legal_entity', 'geo', 'social_credit', 'e_licence'];
const THEME_TOPICS = [
  'public_service',
  'health_security',
  'food_drug',
  'work_safety',
  'price',
  'energy',
  'credit',
  'urban_rural',
  'community',
  'eco',
  'emergency',
];
const GRADE_ORDER: readonly DemoGrade[] = ['L1', 'L2', 'L3', 'L4'];

function classItem(spec: ResourceSpec): string {
  const list = spec.classCategory === '1' ? BASIC_TOPICS : spec.classCategory === '2' ? THEME_TOPICS : null;
  let idx: number;
  if (list) {
    idx = list.findIndex((t) => spec.topics.includes(t));
    if (idx < 0)
      throw new Error(`demo resource ${spec.key}: class ${spec.classCategory} needs a topic among ${list.join(', ')}`);
  } else {
    // 部门信息资源 are itemised by the providing department.
    idx = DEPARTMENT_DEFS.findIndex((d) => d.code === spec.providerCode);
  }
  return String(idx + 1).padStart(2, '0');
}

export function findSpec(key: string): ResourceSpec | undefined {
  return ALL_SPECS.find((s) => s.key === key);
}

/** Pure: the same seed always gives the same departments, users and catalogue. */
export function buildDemoCity(seed: number = DEFAULT_SEED): DemoCity {
  const rng = new Rng(`${seed}:city`);
  const departments = buildDepartments();
  const users = buildUsers(rng.fork('users'));
  const contactRng = rng.fork('contacts');
  const phones = new Map(DEPARTMENT_DEFS.map((d) => [d.code, landline(contactRng)] as const));
  const catalogSeq = new Map<string, number>();
  const resources = ALL_SPECS.map((spec): DemoResource => {
    const { big: _big, generate: _generate, countRows, ...meta } = spec;
    const item = classItem(spec);
    const seqKey = `${spec.classCategory}${item}`;
    const seq = (catalogSeq.get(seqKey) ?? 0) + 1;
    catalogSeq.set(seqKey, seq);
    const grade = GRADE_ORDER[Math.max(...spec.fields.map((f) => GRADE_ORDER.indexOf(f.grade ?? 'L1')))] ?? 'L1';
    const steward = users.find((u) => u.role === 'steward' && u.departmentCode === spec.providerCode);
    return {
      ...meta,
      classItem: item,
      classCatalog: String(seq).padStart(3, '0'),
      grade,
      rows: countRows ? countRows(seed) : spec.rows,
      contactName: steward?.displayName ?? '',
      contactPhone: phones.get(spec.providerCode) ?? '',
      contactEmail: `${spec.providerCode.toLowerCase()}@${EMAIL_DOMAIN}`,
      spatialCoverage: DISTRICT_FULL_NAME,
      divisionCode: DISTRICT.code,
      topics: [...spec.topics],
      tags: [...spec.tags],
      fields: spec.fields.map((f) => ({ ...f })),
      ...(spec.relatedKeys ? { relatedKeys: [...spec.relatedKeys] } : {}),
    };
  });
  return { seed, departments, users, resources };
}

/** Rows of a resource at a scale: big tables follow the scale, reference lists keep their size. */
export function resourceRowCount(resource: Pick<DemoResource, 'key' | 'rows'>, scale: number): number {
  if (resource.rows === 0) return 0;
  const spec = findSpec(resource.key);
  if (!spec?.big) return resource.rows;
  return Math.max(1, Math.round(resource.rows * scale));
}

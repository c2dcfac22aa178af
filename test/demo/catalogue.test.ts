import { describe, expect, it } from 'vitest';
import {
  buildDemoCity,
  BUREAU_CODE,
  DEMO_PASSWORD,
  resourceRowCount,
  type DemoResource,
} from '../../src/modules/demo/index.ts';

const DOMAINS = [
  'economy',
  'urban',
  'transport',
  'education',
  'livelihood',
  'enterprise',
  'environment',
  'finance',
  'labour',
  'health',
  'culture',
  'safety',
  'social_security',
  'organisations',
];
const TOPICS = [
  'population',
  'legal_entity',
  'geo',
  'social_credit',
  'e_licence',
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
const GRADES = ['L1', 'L2', 'L3', 'L4'];
const METHODS_FOR_FORMAT: Record<string, string[]> = {
  table: ['table', 'api'],
  file: ['file'],
  api: ['api'],
  image: ['file'],
  video: ['file'],
  other: ['api', 'table', 'file'],
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const city = buildDemoCity();

function normalise(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Every rule a catalogue reviewer would check, as a list of problems (empty = fine). */
function problems(r: DemoResource, keys: Set<string>, departmentCodes: Set<string>): string[] {
  const p: string[] = [];
  const need = (cond: unknown, what: string) => {
    if (!cond) p.push(`${r.key}: ${what}`);
  };
  need(departmentCodes.has(r.providerCode), 'provider is a department');
  need(r.name.trim().length >= 4, 'name');
  const sentences = r.abstract.split('。').filter((s) => s.trim()).length;
  need(sentences >= 1 && sentences <= 3, `abstract has 1–3 sentences (got ${sentences})`);
  need(
    /^[123]$/.test(r.classCategory) && /^\d{2}$/.test(r.classItem) && /^\d{3}$/.test(r.classCatalog),
    'classification code 1+2+3 digits',
  );
  need(DOMAINS.includes(r.domain), 'domain in vocabulary');
  need(r.topics.length > 0 && r.topics.every((t) => TOPICS.includes(t)), 'topics in vocabulary');
  need(r.tags.length >= 2, 'tags');
  need(r.contactName && r.contactPhone && r.contactEmail?.includes('@'), 'contact');
  need(r.spatialCoverage && /^\d{6}$/.test(r.divisionCode ?? ''), 'spatial coverage and division code');
  need(
    ISO_DATE.test(r.temporalStart ?? '') &&
      ISO_DATE.test(r.temporalEnd ?? '') &&
      (r.temporalStart ?? '') <= (r.temporalEnd ?? ''),
    'temporal coverage',
  );
  need(METHODS_FOR_FORMAT[r.format]?.includes(r.sharingMethod), `format ${r.format} fits method ${r.sharingMethod}`);
  if (r.sharingType !== 'unconditional') need(r.sharingConditions && r.sharingBasis, 'sharing conditions and basis');
  if (r.openType === 'conditional') need(r.openConditions, 'open conditions');
  if (r.openType !== 'none') need(r.licence, 'licence of open data');
  need(r.fields.length >= 3, 'fields');
  const names = r.fields.map((f) => f.name);
  need(new Set(names).size === names.length, 'field names unique');
  for (const f of r.fields) {
    need(f.description && f.nameEn && f.sensitivity && f.grade && GRADES.includes(f.grade), `field ${f.name} complete`);
    if (f.dataType === 'string') need(f.length && f.length > 0, `field ${f.name} length`);
    if (f.sensitivity !== 'none') need(f.grade !== undefined, `sensitive field ${f.name} graded`);
  }
  const highest = GRADES[Math.max(...r.fields.map((f) => GRADES.indexOf(f.grade ?? 'L1')))];
  need(r.grade === highest, `dataset grade ${r.grade} = highest field grade ${highest}`);
  if (r.grade === 'L4') need(r.openType === 'none', 'L4 never open');
  if (r.grade === 'L3') need(r.openType !== 'unconditional', 'L3 not unconditionally open');
  if (r.openType === 'unconditional')
    need(r.grade === 'L1' || r.grade === 'L2', 'unconditionally open data is L1/L2 (masked)');
  for (const k of r.relatedKeys ?? []) need(keys.has(k), `related ${k} exists`);
  if (r.geo) need(names.includes('几何'), 'geo resources carry a geometry field');
  need(r.rows >= 0 && Number.isInteger(r.rows), 'rows');
  return p;
}

describe('demo city catalogue', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(buildDemoCity()).toEqual(city);
    expect(buildDemoCity(city.seed)).toEqual(city);
    const other = buildDemoCity(7);
    expect(other.seed).toBe(7);
    expect(other.users.map((u) => u.displayName)).not.toEqual(city.users.map((u) => u.displayName));
    expect(other.resources.map((r) => r.key)).toEqual(city.resources.map((r) => r.key));
  });

  it('has a city → district → departments → offices tree with the named bureaus', () => {
    const byCode = new Map(city.departments.map((d) => [d.code, d]));
    expect(byCode.size).toBe(city.departments.length);
    const kinds = new Set(city.departments.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['city', 'department', 'district', 'office']);
    const departments = city.departments.filter((d) => d.kind === 'department');
    expect(departments.length).toBeGreaterThanOrEqual(12);
    for (const name of [
      '生态环境局',
      '交通运输局',
      '市场监督管理局',
      '公安',
      '卫生健康委员会',
      '教育局',
      '水务局',
      '气象局',
      '城市管理和综合执法局',
      '人力资源和社会保障局',
      '住房和城乡建设局',
      '政务服务数据管理局',
    ]) {
      expect(
        departments.some((d) => d.name.includes(name)),
        name,
      ).toBe(true);
    }
    for (const d of city.departments) {
      if (d.kind === 'city') expect(d.parentCode).toBeNull();
      else expect(byCode.has(d.parentCode ?? ''), d.code).toBe(true);
      expect(d.nameEn.length).toBeGreaterThan(3);
    }
    for (const d of departments)
      expect(
        city.departments.filter((o) => o.parentCode === d.code && o.kind === 'office').length,
        d.code,
      ).toBeGreaterThanOrEqual(2);
    expect(byCode.get(BUREAU_CODE)?.name).toContain('政务服务数据管理局');
  });

  it('has the demo users per department, two reviewers, two public users and no admin', () => {
    const names = city.users.map((u) => u.username);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('admin');
    for (const d of city.departments.filter((x) => x.kind === 'department')) {
      for (const role of ['dept_admin', 'steward', 'member'] as const) {
        expect(
          city.users.some((u) => u.role === role && u.departmentCode === d.code),
          `${d.code} ${role}`,
        ).toBe(true);
      }
    }
    expect(city.users.filter((u) => u.role === 'reviewer' && u.departmentCode === BUREAU_CODE)).toHaveLength(2);
    expect(city.users.filter((u) => u.role === 'public' && u.departmentCode === null)).toHaveLength(2);
    expect(city.users.every((u) => u.password === DEMO_PASSWORD)).toBe(true);
  });

  it('has 40+ resources over all 14 domains and a lifecycle mix', () => {
    expect(city.resources.length).toBeGreaterThanOrEqual(40);
    expect(new Set(city.resources.map((r) => r.domain))).toEqual(new Set(DOMAINS));
    const keys = city.resources.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(city.resources.map((r) => normalise(r.name))).size).toBe(keys.length);
    const codes = city.resources.map((r) => `${r.classCategory}${r.classItem}${r.classCatalog}`);
    expect(new Set(codes).size).toBe(codes.length);
    const statuses = new Map<string, number>();
    for (const r of city.resources) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    for (const s of ['draft', 'pending_review', 'published', 'returned', 'withdrawn'])
      expect(statuses.get(s), s).toBeGreaterThan(0);
    expect(statuses.get('published') ?? 0).toBeGreaterThan(city.resources.length * 0.8);
    expect(new Set(city.resources.flatMap((r) => r.topics)).size).toBeGreaterThanOrEqual(14);
    expect(city.resources.filter((r) => r.geo).map((r) => r.geo)).toEqual(
      expect.arrayContaining(['point', 'line', 'polygon']),
    );
    expect(city.resources.filter((r) => r.rows === 0).length).toBeGreaterThan(0);
  });

  it('every resource satisfies the catalogue metadata rules', () => {
    const keys = new Set(city.resources.map((r) => r.key));
    const deps = new Set(city.departments.filter((d) => d.kind === 'department').map((d) => d.code));
    expect(city.resources.flatMap((r) => problems(r, keys, deps))).toEqual([]);
    // The checker itself catches a broken resource.
    const broken = {
      ...(city.resources.find((r) => r.key === 'population-sample') as DemoResource),
      openType: 'unconditional' as const,
      sharingBasis: undefined,
      grade: 'L2' as const,
    };
    expect(problems(broken, keys, deps)).toEqual([
      'population-sample: sharing conditions and basis',
      'population-sample: licence of open data',
      'population-sample: dataset grade L2 = highest field grade L4',
    ]);
    // The sensitive datasets the demo is meant to show.
    const grade = (k: string) => city.resources.find((r) => r.key === k);
    expect(grade('population-sample')).toMatchObject({ grade: 'L4', sharingType: 'conditional', openType: 'none' });
    expect(grade('admin-licence-disclosure')?.openType).toBe('unconditional');
    expect(grade('admin-licence-disclosure')?.fields.find((f) => f.name === '法定代表人证件号码')?.sensitivity).toBe(
      'id_card',
    );
  });

  it('keeps around 200k–400k rows at scale 1 and multiplies the big tables by the scale', () => {
    const total = city.resources.reduce((s, r) => s + resourceRowCount(r, 1), 0);
    expect(total).toBeGreaterThan(200_000);
    expect(total).toBeLessThan(400_000);
    const air = city.resources.find((r) => r.key === 'air-quality-hourly') as DemoResource;
    expect(city.resources.every((r) => r.rows <= air.rows)).toBe(true);
    expect(resourceRowCount(air, 100)).toBe(air.rows * 100);
    expect(resourceRowCount(air, 1000)).toBeGreaterThan(100_000_000);
    const schools = city.resources.find((r) => r.key === 'schools') as DemoResource;
    expect(resourceRowCount(schools, 100)).toBe(schools.rows);
  });
});

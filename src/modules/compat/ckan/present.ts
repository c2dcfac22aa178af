import type { AppContext } from '../../../context.ts';
import { listDepartments, listVocabulary, type Department, type Resource } from '../../catalogue/index.ts';
import { datastoreRepo } from '../../datastore/index.ts';
import { formatsFor, links, organizationName, packageName, type Links } from '../mapping.ts';

/** Lookups every presenter needs, read once per request. */
export interface Lookups {
  links: Links;
  departments: Map<string, Department>;
  domains: Map<string, string>;
  licences: Map<string, string>;
  /** Current data version per resource id (only resources with data). */
  data: Map<string, { versionId: string; version: number; rows: number; createdAt: string }>;
}

export async function loadLookups(ctx: AppContext, resourceIds: string[]): Promise<Lookups> {
  const [departments, domains, licences, versions] = await Promise.all([
    listDepartments(ctx.store.db),
    listVocabulary(ctx.store.db, 'domain'),
    listVocabulary(ctx.store.db, 'licence'),
    datastoreRepo.currentMany(ctx.store.db, resourceIds),
  ]);
  return {
    links: links(ctx.config.publicUrl),
    departments: new Map(departments.map((d) => [d.id, d])),
    domains: new Map(domains.map((d) => [d.code, d.labelZh])),
    licences: new Map(licences.map((l) => [l.code, l.labelZh])),
    data: new Map(
      versions.map((v) => [
        v.resource_id,
        { versionId: v.id, version: Number(v.version), rows: Number(v.row_count), createdAt: v.created_at },
      ]),
    ),
  };
}

export function presentOrganization(d: Department, l: Lookups, packageCount?: number) {
  return {
    id: d.id,
    name: organizationName(d),
    title: d.name,
    display_name: d.name,
    description: d.description ?? '',
    type: 'organization',
    is_organization: true,
    state: 'active',
    approval_status: 'approved',
    image_url: '',
    image_display_url: '',
    created: null,
    url: l.links.department(d.id),
    extras: [
      { key: 'code', value: d.code },
      { key: 'kind', value: d.kind },
      ...(d.nameEn ? [{ key: 'name_en', value: d.nameEn }] : []),
      ...(d.parentId ? [{ key: 'parent_id', value: d.parentId }] : []),
    ],
    ...(packageCount !== undefined ? { package_count: packageCount } : {}),
  };
}

export function presentGroup(code: string, label: string, packageCount?: number) {
  return {
    id: code,
    name: code,
    title: label,
    display_name: label,
    description: '',
    type: 'group',
    is_organization: false,
    state: 'active',
    approval_status: 'approved',
    image_url: '',
    image_display_url: '',
    ...(packageCount !== undefined ? { package_count: packageCount } : {}),
  };
}

export function presentTag(name: string) {
  return { id: name, name, display_name: name, state: 'active', vocabulary_id: null };
}

const toIso = (s: string | null) => (s ? s.replace(/Z$/, '').replace(/\+00:00$/, '') : null);

/** The CKAN resources of a package: its current data table (datastore_active) and one resource per download format. */
export function presentResources(r: Resource, l: Lookups) {
  const data = l.data.get(r.id);
  if (!data) return [];
  const common = {
    package_id: r.id,
    created: toIso(data.createdAt),
    last_modified: toIso(data.createdAt),
    metadata_modified: toIso(r.updatedAt),
    state: 'active',
    cache_url: null,
    hash: '',
    size: null,
    resource_type: null,
    url_type: null,
  };
  const table = {
    ...common,
    id: r.id,
    name: `${r.name}（数据表）`,
    description: `${r.name}的当前数据表（第 ${data.version} 版，${data.rows} 行），可通过 datastore_search 查询。`,
    format: 'API',
    mimetype: 'application/json',
    url: l.links.datastoreSearch(r.id),
    url_type: 'datastore',
    datastore_active: true,
    position: 0,
  };
  const downloads = formatsFor(r).map((f, i) => ({
    ...common,
    id: `${r.id}-${f.key}`,
    name: `${r.name}（${f.ckan}）`,
    description: `${r.name}的当前数据，${f.ckan} 格式下载。`,
    format: f.ckan,
    mimetype: f.mime,
    url: l.links.download(r.id, f.key),
    datastore_active: false,
    position: i + 1,
  }));
  return [table, ...downloads];
}

/** An information resource as a CKAN package (docs/API.md has the field-by-field mapping). */
export function presentPackage(r: Resource, l: Lookups) {
  const dept = l.departments.get(r.providerId);
  const resources = presentResources(r, l);
  const tags = r.tags.map(presentTag);
  const groups = r.domain ? [presentGroup(r.domain, l.domains.get(r.domain) ?? r.domain)] : [];
  const extras: { key: string; value: string }[] = [];
  const extra = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') extras.push({ key, value });
  };
  extra('code', r.code);
  extra('classification_code', r.classificationCode);
  extra('format', r.format);
  extra('sharing_type', r.sharingType);
  extra('sharing_method', r.sharingMethod);
  extra('open_type', r.openType);
  extra('open_conditions', r.openConditions);
  extra('update_cycle', r.updateCycle);
  extra('grade', r.grade);
  extra('publish_date', r.publishDate);
  extra('spatial_coverage', r.spatialCoverage);
  extra('division_code', r.divisionCode);
  extra('temporal_start', r.temporalStart);
  extra('temporal_end', r.temporalEnd);
  extra('topics', r.topics.join(','));
  extra('name_en', r.nameEn);
  return {
    id: r.id,
    name: packageName(r),
    title: r.name,
    notes: r.abstract,
    url: l.links.dataset(r.id),
    type: 'dataset',
    state: r.status === 'published' ? 'active' : 'draft',
    private: !(r.status === 'published' && r.openType !== 'none'),
    author: dept?.name ?? r.providerName ?? null,
    author_email: null,
    maintainer: r.contactName,
    maintainer_email: r.contactEmail,
    license_id: r.licence,
    license_title: r.licence ? (l.licences.get(r.licence) ?? r.licence) : null,
    license_url: r.licence ? l.links.licence(r.licence) : null,
    version: null,
    metadata_created: toIso(r.createdAt),
    metadata_modified: toIso(r.updatedAt),
    creator_user_id: null,
    owner_org: r.providerId,
    organization: dept ? presentOrganization(dept, l) : null,
    groups,
    tags,
    num_tags: tags.length,
    resources,
    num_resources: resources.length,
    extras,
    relationships_as_object: [],
    relationships_as_subject: [],
    isopen: r.openType === 'unconditional' && r.licence === 'CC-BY-4.0',
  };
}

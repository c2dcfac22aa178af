import type { Resource } from '../catalogue/index.ts';

/**
 * The one mapping between CityData's catalogue and the outside vocabularies (CKAN, DCAT, schema.org), so every
 * interface names things the same way. docs/API.md documents it.
 */

/** Download formats of a loaded table, in the order CKAN lists them (after the datastore resource). */
export const DOWNLOAD_FORMATS = [
  { key: 'csv', ckan: 'CSV', mime: 'text/csv', euFileType: 'CSV', needsGeometry: false },
  {
    key: 'xlsx',
    ckan: 'XLSX',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    euFileType: 'XLSX',
    needsGeometry: false,
  },
  { key: 'json', ckan: 'JSON', mime: 'application/json', euFileType: 'JSON', needsGeometry: false },
  { key: 'geojson', ckan: 'GeoJSON', mime: 'application/geo+json', euFileType: 'GEOJSON', needsGeometry: true },
  {
    key: 'parquet',
    ckan: 'Parquet',
    mime: 'application/vnd.apache.parquet',
    euFileType: 'PARQUET',
    needsGeometry: false,
  },
] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export function formatsFor(r: Pick<Resource, 'hasGeometry'>): DownloadFormat[] {
  return DOWNLOAD_FORMATS.filter((f) => !f.needsGeometry || r.hasGeometry);
}

/** CKAN package names are URL slugs; a resource code like 212001/000001 becomes 212001-000001. */
export function packageName(r: Pick<Resource, 'code'>): string {
  return r.code.replace(/\//g, '-').toLowerCase();
}
/** The reverse of packageName: the code it was made from (codes are digits and one slash). */
export function codeFromPackageName(name: string): string | null {
  const m = /^(\d{6,12})-(\d{6})$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : null;
}

/** CKAN organisation names: the department code in lower case. */
export function organizationName(d: { code: string }): string {
  return d.code.toLowerCase();
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RESOURCE_ID_RE = new RegExp(`^(${UUID})(?:-(${DOWNLOAD_FORMATS.map((f) => f.key).join('|')}))?$`, 'i');

/**
 * CKAN resource ids: the data table is the information resource's own id (so datastore_search and
 * datastore_search_sql name it like our own API does); each download is that id plus `-<format>`.
 */
export function parseCkanResourceId(id: string): { resourceId: string; format: DownloadFormat | null } | null {
  const m = RESOURCE_ID_RE.exec(id.trim());
  if (!m?.[1]) return null;
  const format = m[2] ? (DOWNLOAD_FORMATS.find((f) => f.key === m[2]!.toLowerCase()) ?? null) : null;
  return { resourceId: m[1].toLowerCase(), format };
}

/** Whether the anonymous public may download the data (the rule of `resource.read_data` for anonymous callers). */
export function openlyDownloadable(r: Pick<Resource, 'status' | 'openType'>): boolean {
  return r.status === 'published' && r.openType === 'unconditional';
}

export interface Links {
  portal(path: string): string;
  dataset(id: string): string;
  department(id: string): string;
  theme(code: string): string;
  download(id: string, format: string): string;
  datastoreSearch(id: string): string;
  catalog(): string;
  licence(code: string): string;
}

/** Licence codes that have a canonical URI; others get one under the portal. */
const LICENCE_URIS: Record<string, string> = {
  'CC-BY-4.0': 'https://creativecommons.org/licenses/by/4.0/',
  'CC-BY-SA-4.0': 'https://creativecommons.org/licenses/by-sa/4.0/',
  'CC0-1.0': 'https://creativecommons.org/publicdomain/zero/1.0/',
  'ODC-BY-1.0': 'https://opendatacommons.org/licenses/by/1-0/',
};

export function links(publicUrl: string): Links {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    portal: (p) => `${base}${p}`,
    dataset: (id) => `${base}/datasets/${id}`,
    department: (id) => `${base}/departments/${id}`,
    theme: (code) => `${base}/themes/${encodeURIComponent(code)}`,
    download: (id, format) => `${base}/api/v1/resources/${id}/export?format=${format}`,
    datastoreSearch: (id) => `${base}/api/3/action/datastore_search?resource_id=${id}`,
    catalog: () => `${base}/catalog`,
    licence: (code) => LICENCE_URIS[code] ?? `${base}/licences/${encodeURIComponent(code)}`,
  };
}

/** EU frequency authority table (DCAT-AP) for our update cycles. */
export const EU_FREQUENCY: Record<string, string> = {
  realtime: 'UPDATE_CONT',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  yearly: 'ANNUAL',
  irregular: 'IRREG',
};

/** EU access-right authority table (DCAT-AP) for our open types. */
export const EU_ACCESS_RIGHT: Record<string, string> = {
  unconditional: 'PUBLIC',
  conditional: 'RESTRICTED',
  none: 'NON_PUBLIC',
};

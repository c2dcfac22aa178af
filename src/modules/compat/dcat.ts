import { DataFactory, Writer, termToId, type Quad, type Quad_Object, type Quad_Subject } from 'n3';
import type { Resource } from '../catalogue/index.ts';
import type { Lookups } from './ckan/present.ts';
import { EU_ACCESS_RIGHT, EU_FREQUENCY, formatsFor, openlyDownloadable } from './mapping.ts';

const { namedNode, literal, blankNode, quad } = DataFactory;

export const PREFIXES = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  locn: 'http://www.w3.org/ns/locn#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  adms: 'http://www.w3.org/ns/adms#',
} as const;
const EU = 'http://publications.europa.eu/resource/authority/';
const IANA = 'https://www.iana.org/assignments/media-types/';

const p = (prefix: keyof typeof PREFIXES, local: string) => namedNode(PREFIXES[prefix] + local);
const RDF_TYPE = p('rdf', 'type');

/** Collects quads; small helpers keep the DCAT-AP mapping below readable. */
class Graph {
  readonly quads: Quad[] = [];
  // An RDF graph is a set: publishers, themes and licences shared by several datasets are stated once.
  private readonly seen = new Set<string>();
  add(s: Quad_Subject, pred: ReturnType<typeof p>, o: Quad_Object): void {
    const key = `${termToId(s)} ${pred.value} ${termToId(o)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.quads.push(quad(s, pred, o));
  }
  type(s: Quad_Subject, ...types: ReturnType<typeof p>[]): void {
    for (const t of types) this.add(s, RDF_TYPE, t);
  }
  text(s: Quad_Subject, pred: ReturnType<typeof p>, value: string | null | undefined, lang?: string): void {
    if (value !== null && value !== undefined && value.trim() !== '') this.add(s, pred, literal(value, lang));
  }
  date(s: Quad_Subject, pred: ReturnType<typeof p>, value: string | null | undefined): void {
    if (!value) return;
    const isDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
    this.add(s, pred, literal(value, p('xsd', isDate ? 'date' : 'dateTime')));
  }
}

export interface CatalogPage {
  /** 1-based. */
  page: number;
  perPage: number;
  total: number;
  /** URL of this serialisation without the page parameter, e.g. https://…/catalog.ttl */
  url: string;
}

function addDataset(g: Graph, r: Resource, l: Lookups): ReturnType<typeof namedNode> {
  const ds = namedNode(l.links.dataset(r.id));
  g.type(ds, p('dcat', 'Dataset'));
  g.text(ds, p('dct', 'identifier'), r.code);
  g.text(ds, p('dct', 'title'), r.name, 'zh');
  g.text(ds, p('dct', 'title'), r.nameEn, 'en');
  g.text(ds, p('dct', 'description'), r.abstract, 'zh');
  for (const t of r.tags) g.text(ds, p('dcat', 'keyword'), t, 'zh');
  if (r.domain) {
    const theme = namedNode(l.links.theme(r.domain));
    g.add(ds, p('dcat', 'theme'), theme);
    g.type(theme, p('skos', 'Concept'));
    g.text(theme, p('skos', 'prefLabel'), l.domains.get(r.domain) ?? r.domain, 'zh');
    g.add(theme, p('skos', 'inScheme'), namedNode(l.links.portal('/themes')));
  }
  g.date(ds, p('dct', 'issued'), r.publishDate ?? r.publishedAt);
  g.date(ds, p('dct', 'modified'), r.updatedAt);
  g.add(ds, p('dct', 'language'), namedNode(`${EU}language/ZHO`));
  g.add(ds, p('dcat', 'landingPage'), namedNode(l.links.dataset(r.id)));
  const freq = EU_FREQUENCY[r.updateCycle];
  if (freq) g.add(ds, p('dct', 'accrualPeriodicity'), namedNode(`${EU}frequency/${freq}`));
  const access = EU_ACCESS_RIGHT[r.openType];
  if (access) g.add(ds, p('dct', 'accessRights'), namedNode(`${EU}access-right/${access}`));

  const dept = l.departments.get(r.providerId);
  const publisher = namedNode(l.links.department(r.providerId));
  g.add(ds, p('dct', 'publisher'), publisher);
  g.type(publisher, p('foaf', 'Agent'), p('foaf', 'Organization'));
  g.text(publisher, p('foaf', 'name'), dept?.name ?? r.providerName ?? '', 'zh');
  g.text(publisher, p('dct', 'identifier'), dept?.code);

  const contact = blankNode();
  g.add(ds, p('dcat', 'contactPoint'), contact);
  g.type(contact, p('vcard', 'Organization'));
  g.text(contact, p('vcard', 'fn'), r.contactName ?? dept?.name ?? '', 'zh');
  if (r.contactEmail) g.add(contact, p('vcard', 'hasEmail'), namedNode(`mailto:${r.contactEmail}`));
  if (r.contactPhone)
    g.add(contact, p('vcard', 'hasTelephone'), namedNode(`tel:${r.contactPhone.replace(/[^\d+-]/g, '')}`));

  const licence = r.licence ? namedNode(l.links.licence(r.licence)) : null;
  if (licence) {
    g.add(ds, p('dct', 'license'), licence);
    g.type(licence, p('dct', 'LicenseDocument'));
    g.text(licence, p('dct', 'title'), l.licences.get(r.licence!) ?? r.licence, 'zh');
  }
  if (r.spatialCoverage || r.divisionCode) {
    const place = blankNode();
    g.add(ds, p('dct', 'spatial'), place);
    g.type(place, p('dct', 'Location'));
    g.text(place, p('skos', 'prefLabel'), r.spatialCoverage, 'zh');
    g.text(place, p('locn', 'geographicName'), r.spatialCoverage, 'zh');
    // GB/T 2260 division code of the area covered.
    g.text(place, p('dct', 'identifier'), r.divisionCode);
  }
  if (r.temporalStart || r.temporalEnd) {
    const period = blankNode();
    g.add(ds, p('dct', 'temporal'), period);
    g.type(period, p('dct', 'PeriodOfTime'));
    g.date(period, p('dcat', 'startDate'), r.temporalStart);
    g.date(period, p('dcat', 'endDate'), r.temporalEnd);
  }

  const data = l.data.get(r.id);
  if (data) {
    for (const f of formatsFor(r)) {
      const dist = namedNode(`${l.links.dataset(r.id)}#distribution-${f.key}`);
      g.add(ds, p('dcat', 'distribution'), dist);
      g.type(dist, p('dcat', 'Distribution'));
      g.text(dist, p('dct', 'title'), `${r.name}（${f.ckan}）`, 'zh');
      g.text(dist, p('dct', 'description'), `当前数据第 ${data.version} 版，共 ${data.rows} 行`, 'zh');
      // Conditionally open data is reached through its page (an application), not downloaded directly.
      g.add(dist, p('dcat', 'accessURL'), namedNode(l.links.dataset(r.id)));
      if (openlyDownloadable(r)) g.add(dist, p('dcat', 'downloadURL'), namedNode(l.links.download(r.id, f.key)));
      g.add(dist, p('dct', 'format'), namedNode(`${EU}file-type/${f.euFileType}`));
      g.add(dist, p('dcat', 'mediaType'), namedNode(IANA + f.mime));
      g.date(dist, p('dct', 'modified'), data.createdAt);
      if (licence) g.add(dist, p('dct', 'license'), licence);
      if (access) g.add(dist, p('dct', 'accessRights'), namedNode(`${EU}access-right/${access}`));
    }
  }
  return ds;
}

/** One dataset and everything it points to (publisher, contact, distributions). */
export function datasetQuads(r: Resource, l: Lookups): Quad[] {
  const g = new Graph();
  addDataset(g, r, l);
  return g.quads;
}

/** The catalogue (one page of its datasets) with hydra paging, as ckanext-dcat publishes it. */
export function catalogQuads(resources: Resource[], l: Lookups, page: CatalogPage): Quad[] {
  const g = new Graph();
  const cat = namedNode(l.links.catalog());
  g.type(cat, p('dcat', 'Catalog'));
  g.text(cat, p('dct', 'title'), 'CityData 城市数据平台', 'zh');
  g.text(cat, p('dct', 'description'), '城市公共数据开放目录：各部门开放的政务信息资源及其数据下载与接口。', 'zh');
  g.add(cat, p('foaf', 'homepage'), namedNode(l.links.portal('/')));
  g.add(cat, p('dct', 'language'), namedNode(`${EU}language/ZHO`));
  g.add(cat, p('dcat', 'themeTaxonomy'), namedNode(l.links.portal('/themes')));
  const publisher = namedNode(`${l.links.portal('/')}#publisher`);
  g.add(cat, p('dct', 'publisher'), publisher);
  g.type(publisher, p('foaf', 'Agent'), p('foaf', 'Organization'));
  g.text(publisher, p('foaf', 'name'), 'CityData 城市数据平台', 'zh');
  const modified = resources.reduce<string | null>((m, r) => (m === null || r.updatedAt > m ? r.updatedAt : m), null);
  g.date(cat, p('dct', 'modified'), modified);
  for (const r of resources) g.add(cat, p('dcat', 'dataset'), addDataset(g, r, l));

  const last = Math.max(1, Math.ceil(page.total / page.perPage));
  const pageUrl = (n: number) => namedNode(`${page.url}?page=${n}`);
  const view = pageUrl(page.page);
  g.type(view, p('hydra', 'PartialCollectionView'));
  g.add(view, p('hydra', 'totalItems'), literal(String(page.total), p('xsd', 'integer')));
  g.add(view, p('hydra', 'itemsPerPage'), literal(String(page.perPage), p('xsd', 'integer')));
  g.add(view, p('hydra', 'first'), pageUrl(1));
  g.add(view, p('hydra', 'last'), pageUrl(last));
  if (page.page < last) g.add(view, p('hydra', 'next'), pageUrl(page.page + 1));
  if (page.page > 1) g.add(view, p('hydra', 'previous'), pageUrl(page.page - 1));
  return g.quads;
}

export function toTurtle(quads: Quad[]): Promise<string> {
  const writer = new Writer({ prefixes: PREFIXES });
  writer.addQuads(quads);
  return new Promise((resolve, reject) => writer.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

type JsonLdValue = { '@id': string } | { '@value': string; '@language'?: string; '@type'?: string };

/**
 * Expanded JSON-LD (the form every JSON-LD processor reads without fetching a context), written from the same quads
 * as the Turtle. Written by hand because no JSON-LD library is installed; expanded form needs no compaction logic.
 */
export function toExpandedJsonLd(quads: Quad[]): Record<string, unknown>[] {
  const nodes = new Map<string, Record<string, unknown>>();
  const idOf = (t: Quad_Subject | Quad_Object) => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
  for (const q of quads) {
    const id = idOf(q.subject);
    let node = nodes.get(id);
    if (!node) nodes.set(id, (node = { '@id': id }));
    if (q.predicate.equals(RDF_TYPE)) {
      const types = (node['@type'] ??= []) as string[];
      if (!types.includes(q.object.value)) types.push(q.object.value);
      continue;
    }
    const o = q.object;
    let value: JsonLdValue;
    if (o.termType === 'Literal') {
      value = { '@value': o.value };
      if (o.language) value['@language'] = o.language;
      else if (o.datatype.value !== `${PREFIXES.xsd}string`) value['@type'] = o.datatype.value;
    } else value = { '@id': idOf(o) };
    ((node[q.predicate.value] ??= []) as JsonLdValue[]).push(value);
  }
  return [...nodes.values()];
}

export interface SearchDoc {
  id: string;
  code: string;
  name: string;
  nameEn?: string | null;
  abstract: string;
  fields: { name: string; description?: string | null }[];
  tags: string[];
  departmentId: string;
  departmentName: string;
  departmentCode: string;
  domain: string | null;
  topics: string[];
  format: string;
  sharingType: string;
  openType: string;
  grade: string;
  updateCycle: string;
  hasApi: boolean;
  hasGeometry: boolean;
  status: string;
  /** ISO 8601 timestamp. */
  updatedAt: string;
  popularity: number;
}

/**
 * Who is asking. Visibility:
 * - all (reviewers, platform admins): every doc;
 * - public (anonymous, public users): status 'published' and openType not 'none';
 * - department: its own docs in any status, plus published docs whose sharingType or openType is not 'none'.
 */
export type Viewer = { kind: 'all' } | { kind: 'public' } | { kind: 'department'; departmentId: string };

export type FacetName =
  | 'department'
  | 'domain'
  | 'topic'
  | 'format'
  | 'sharingType'
  | 'openType'
  | 'grade'
  | 'updateCycle'
  | 'hasApi'
  | 'hasGeometry'
  | 'tag';

export const FACET_NAMES: readonly FacetName[] = [
  'department',
  'domain',
  'topic',
  'format',
  'sharingType',
  'openType',
  'grade',
  'updateCycle',
  'hasApi',
  'hasGeometry',
  'tag',
];

export interface SearchQuery {
  /** Free text: Chinese, pinyin (full, joined or initials) or Latin. */
  q?: string;
  /** Matches field names and field descriptions only ("datasets with a field like 统一社会信用代码"). */
  fieldQuery?: string;
  /** AND across facets, OR within one facet. Values are the raw codes (department: departmentId; booleans: 'true'/'false'). */
  filters?: Partial<Record<FacetName, string[]>>;
  /** Facet counts wanted, over the visible filtered result set (at most 100 values each, most frequent first). */
  facets?: FacetName[];
  sort?: 'relevance' | 'updated' | 'popularity';
  offset?: number;
  limit?: number;
  viewer: Viewer;
}

export interface SearchHit {
  id: string;
  score: number;
  /** HTML-escaped snippets (name, matching field names, abstract excerpt) with matches in <em>…</em>. */
  highlights?: string[];
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  facets: Partial<Record<FacetName, { value: string; count: number }[]>>;
}

export interface SearchProvider {
  upsert(doc: SearchDoc): Promise<void>;
  remove(id: string): Promise<void>;
  replaceAll(docs: AsyncIterable<SearchDoc> | Iterable<SearchDoc>): Promise<void>;
  setSynonyms(groups: string[][]): Promise<void>;
  search(q: SearchQuery): Promise<SearchResult>;
  size(): number;
}

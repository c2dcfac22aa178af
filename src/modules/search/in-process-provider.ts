/**
 * In-process Chinese search: inverted indexes over Han characters/bigrams, pinyin syllables,
 * pinyin initials and Latin words, with BM25F-style scoring, facets and per-viewer visibility.
 *
 * Written by hand because no maintained npm search library combines Chinese segmentation,
 * pinyin and per-document visibility; the SearchProvider interface lets OpenSearch replace it
 * at scale.
 */
import { analyzeDoc, FIELD_SCOPE_MASK, MASK } from './analysis.ts';
import { LatinVocabulary } from './fuzzy.ts';
import { buildHighlights } from './highlight.ts';
import { compileQuery, emptyMarks, Synonyms, type Alternative, type Marks, type Unit } from './query.ts';
import { selectTop } from './top-k.ts';
import { compactKey } from './analysis.ts';
import { normalizeText } from './tokenizer.ts';
import {
  FACET_NAMES,
  type FacetName,
  type SearchDoc,
  type SearchHit,
  type SearchProvider,
  type SearchQuery,
  type SearchResult,
  type Viewer,
} from './types.ts';

const K1 = 1.2;
// A posting packs its weight (fixed point, 1/64) above the 8 bits of field mask, staying a small integer.
const WEIGHT_SCALE = 64;
const MAX_PACKED_WEIGHT = 2 ** 22 - 1;
const NAME_MATCH_BOOST = 1.5;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const MAX_FACET_VALUES = 100;
/** Distinct query texts whose expansion is kept (search-as-you-type repeats prefixes a lot). */
const COMPILED_CACHE_SIZE = 512;
/** Viewer class × filter set combinations whose browse facet counts are kept. */
const BROWSE_CACHE_SIZE = 64;

type FacetValue = { value: string; count: number };

interface CompiledQuery {
  units: Unit[];
  /** Shared by every search of the same text: read-only. */
  marks: Marks;
  /** The index generation and vocabulary size it was expanded against (numbers: no reference keeps an old index alive). */
  generation: number;
  vocabSize: number;
  synonyms: Synonyms;
}

interface BrowseFacets {
  generation: number;
  version: number;
  facets: Map<FacetName, FacetValue[]>;
}

interface DocRecord {
  no: number;
  doc: SearchDoc;
  text: string;
  fieldText: string;
  py: string;
  fieldPy: string;
  nameKey: string;
  codeKey: string;
  namePy: string;
  nameInitials: string;
  postingCount: number;
}

const MULTI_VALUED = new Set<FacetName>(['topic', 'tag']);
const DEPARTMENT_FACET = FACET_NAMES.indexOf('department');

function grow<T extends Uint8Array | Int32Array | Float64Array>(a: T, need: number, make: (n: number) => T): T {
  if (a.length >= need) return a;
  const b = make(Math.max(need, a.length * 2, 1024));
  b.set(a);
  return b;
}

function facetValues(doc: SearchDoc, facet: FacetName): string[] {
  switch (facet) {
    case 'department':
      return [doc.departmentId];
    case 'domain':
      return doc.domain ? [doc.domain] : [];
    case 'topic':
      return [...new Set(doc.topics)];
    case 'tag':
      return [...new Set(doc.tags)];
    case 'hasApi':
      return [String(doc.hasApi)];
    case 'hasGeometry':
      return [String(doc.hasGeometry)];
    default:
      return [doc[facet]];
  }
}

/**
 * Interleaved [doc number, packed weight] pairs in an off-heap Int32Array with spare capacity:
 * millions of postings in typed arrays cost the garbage collector nothing to trace, which
 * keeps pauses (and so tail latency) short.
 */
interface PostingList {
  data: Int32Array;
  /** Used length of data (two per posting). */
  size: number;
}

function appendPosting(list: PostingList, doc: number, packed: number): void {
  if (list.size + 2 > list.data.length) {
    const bigger = new Int32Array(Math.max(8, list.data.length * 2));
    bigger.set(list.data);
    list.data = bigger;
  }
  list.data[list.size++] = doc;
  list.data[list.size++] = packed;
}

let generations = 0;

/**
 * Live document numbers kept sorted by `cmp`, a total order (ties end on the document number).
 * Kept up to date on every upsert and remove (an insertion moves at most a few tens of
 * thousands of integers in a typed array), so a search reads an order instead of sorting.
 */
class DocOrder {
  private data = new Int32Array(16);
  size = 0;
  constructor(readonly cmp: (a: number, b: number) => number) {}

  /** The order (a view: valid until the next change). */
  get docs(): Int32Array {
    return this.data.subarray(0, this.size);
  }

  /** First position whose document does not come before `d`. */
  private lowerBound(d: number): number {
    const data = this.data;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(data[mid]!, d) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(d: number): void {
    if (this.size === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const at = this.lowerBound(d);
    this.data.copyWithin(at + 1, at, this.size);
    this.data[at] = d;
    this.size++;
  }

  /** `d` must compare as it did when inserted (a document's sort keys never change). */
  remove(d: number): void {
    const at = this.lowerBound(d);
    if (at >= this.size || this.data[at] !== d) return;
    this.data.copyWithin(at, at + 1, this.size);
    this.size--;
  }

  /** Replaces the whole order at once (bulk builds): one sort instead of one insertion per document. */
  reset(docs: number[]): void {
    docs.sort(this.cmp);
    this.data = new Int32Array(Math.max(16, docs.length * 2));
    this.data.set(docs);
    this.size = docs.length;
  }
}

/** Documents ordered by a string key, for "every document whose key starts with …" in O(log n + matches). */
class KeyOrder extends DocOrder {
  constructor(readonly keyOf: (d: number) => string) {
    super((a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }

  /** First position whose key is ≥ `key`; the documents with keys starting with `key` follow it contiguously. */
  from(key: string): number {
    const docs = this.docs;
    let lo = 0;
    let hi = docs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keyOf(docs[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Everything that replaceAll swaps at once. Documents get increasing numbers and are never
 * renumbered, so every postings list stays sorted by document number with appends only;
 * a removed document leaves dead postings that searches skip and compaction drops.
 */
class IndexState {
  readonly postings = new Map<string, PostingList>();
  readonly docs: (DocRecord | undefined)[] = [];
  readonly byId = new Map<string, number>();
  readonly vocab = new LatinVocabulary();
  readonly facetIntern = FACET_NAMES.map(() => new Map<string, number>());
  readonly facetLabels: string[][] = FACET_NAMES.map(() => []);
  /** Per facet and value id, the documents having it (dead ones included until compaction). */
  readonly facetDocs: number[][][] = FACET_NAMES.map(() => []);
  // Per-document columns indexed by document number: what every query reads for every candidate.
  alive = new Uint8Array(0);
  isPublic = new Uint8Array(0);
  isShared = new Uint8Array(0);
  popularity = new Float64Array(0);
  updatedMs = new Float64Array(0);
  /** Value id of each single-valued facet (-1: none), indexed like FACET_NAMES; unused for multi-valued ones. */
  facetColumns: Int32Array[] = FACET_NAMES.map(() => new Int32Array(0));
  /**
   * Multi-valued facets (topic, tag) in compressed rows: the value ids of document d are
   * multiValues[fi][multiStart[fi][d] .. multiStart[fi][d + 1]]. Flat arrays, because walking
   * per-document objects for 20,000 candidates costs milliseconds in cache misses.
   */
  multiStart: Int32Array[] = FACET_NAMES.map(() => new Int32Array(1));
  readonly multiValues: number[][] = FACET_NAMES.map(() => []);
  live = 0;
  totalPostings = 0;
  deadPostings = 0;
  /** Bumped on every change: results derived from the index (facet counts of a browse) are valid for one version. */
  version = 0;
  /** Tells this state from the ones before it (replaceAll builds a new one). */
  readonly generation = ++generations;

  private readonly compareIds = (x: number, y: number): number => {
    const a = this.docs[x]!.doc.id;
    const b = this.docs[y]!.doc.id;
    return a < b ? -1 : a > b ? 1 : x - y;
  };
  /** Live documents in the order of a browse (no text: every score is 0) sorted by popularity or relevance. */
  readonly byPopularity = new DocOrder(
    (x, y) =>
      this.popularity[y]! - this.popularity[x]! || this.updatedMs[y]! - this.updatedMs[x]! || this.compareIds(x, y),
  );
  /** … and sorted by update time. */
  readonly byUpdated = new DocOrder(
    (x, y) =>
      this.updatedMs[y]! - this.updatedMs[x]! || this.popularity[y]! - this.popularity[x]! || this.compareIds(x, y),
  );
  // Keys of the name boosts (exact or prefix match on the whole name, its pinyin, its initials, or the code).
  readonly byNameKey = new KeyOrder((d) => this.docs[d]!.nameKey);
  readonly byCodeKey = new KeyOrder((d) => this.docs[d]!.codeKey);
  readonly byNamePy = new KeyOrder((d) => this.docs[d]!.namePy);
  readonly byNameInitials = new KeyOrder((d) => this.docs[d]!.nameInitials);
  private readonly orders: DocOrder[] = [
    this.byPopularity,
    this.byUpdated,
    this.byNameKey,
    this.byCodeKey,
    this.byNamePy,
    this.byNameInitials,
  ];

  /**
   * @param bulk a state that replaceAll fills before anyone searches it: its orders are sorted
   *   once by finishBulk instead of being kept sorted document by document.
   */
  constructor(private bulk = false) {}

  finishBulk(): void {
    if (!this.bulk) return;
    this.bulk = false;
    const live: number[] = [];
    for (let d = 0; d < this.docs.length; d++) if (this.alive[d] === 1) live.push(d);
    for (const order of this.orders) order.reset(live.slice());
  }

  private intern(fi: number, value: string): number {
    const map = this.facetIntern[fi]!;
    let id = map.get(value);
    if (id === undefined) {
      id = map.size;
      map.set(value, id);
      this.facetLabels[fi]!.push(value);
      this.facetDocs[fi]!.push([]);
    }
    return id;
  }

  upsert(doc: SearchDoc): void {
    this.remove(doc.id);
    const a = analyzeDoc(doc);
    const no = this.docs.length;
    for (const [term, [w, mask]] of a.terms) {
      const packed = Math.min(MAX_PACKED_WEIGHT, Math.max(1, Math.round(w * WEIGHT_SCALE))) * 256 + mask;
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = { data: new Int32Array(4), size: 0 }));
      appendPosting(list, no, packed);
    }
    for (const w of a.latinWords) this.vocab.add(w);

    const need = no + 1;
    this.alive = grow(this.alive, need, (n) => new Uint8Array(n));
    this.isPublic = grow(this.isPublic, need, (n) => new Uint8Array(n));
    this.isShared = grow(this.isShared, need, (n) => new Uint8Array(n));
    this.popularity = grow(this.popularity, need, (n) => new Float64Array(n));
    this.updatedMs = grow(this.updatedMs, need, (n) => new Float64Array(n));
    FACET_NAMES.forEach((facet, fi) => {
      const ids = facetValues(doc, facet).map((v) => this.intern(fi, v));
      for (const id of ids) this.facetDocs[fi]![id]!.push(no);
      if (MULTI_VALUED.has(facet)) {
        const values = this.multiValues[fi]!;
        values.push(...ids);
        const start = grow(this.multiStart[fi]!, need + 1, (n) => new Int32Array(n));
        this.multiStart[fi] = start;
        start[no + 1] = values.length;
      } else {
        const col = grow(this.facetColumns[fi]!, need, (n) => new Int32Array(n).fill(-1));
        this.facetColumns[fi] = col;
        col[no] = ids[0] ?? -1;
      }
    });
    const updated = Date.parse(doc.updatedAt);
    this.alive[no] = 1;
    this.isPublic[no] = doc.status === 'published' && doc.openType !== 'none' ? 1 : 0;
    this.isShared[no] = doc.status === 'published' && (doc.sharingType !== 'none' || doc.openType !== 'none') ? 1 : 0;
    this.popularity[no] = doc.popularity;
    this.updatedMs[no] = Number.isFinite(updated) ? updated : 0;
    this.docs.push({
      no,
      doc,
      text: a.text,
      fieldText: a.fieldText,
      py: a.py,
      fieldPy: a.fieldPy,
      nameKey: a.nameKey,
      codeKey: a.codeKey,
      namePy: a.namePy,
      nameInitials: a.nameInitials,
      postingCount: a.terms.size,
    });
    this.byId.set(doc.id, no);
    this.live++;
    this.totalPostings += a.terms.size;
    if (!this.bulk) for (const order of this.orders) order.insert(no);
    this.version++;
  }

  remove(id: string): void {
    const no = this.byId.get(id);
    if (no === undefined) return;
    const rec = this.docs[no];
    // Before the record goes: the orders compare documents by its keys.
    if (!this.bulk) for (const order of this.orders) order.remove(no);
    this.version++;
    this.byId.delete(id);
    this.docs[no] = undefined;
    this.alive[no] = 0;
    this.isPublic[no] = 0;
    this.isShared[no] = 0;
    this.live--;
    if (rec) this.deadPostings += rec.postingCount;
    // Amortised clean-up: dead postings cost scan time, so drop them once they are a third of the index.
    if (this.deadPostings > 10_000 && this.deadPostings * 3 > this.totalPostings) this.compact();
  }

  private compact(): void {
    for (const [term, list] of this.postings) {
      const data = list.data;
      let w = 0;
      for (let r = 0; r < list.size; r += 2) {
        if (this.alive[data[r]!] !== 1) continue;
        data[w++] = data[r]!;
        data[w++] = data[r + 1]!;
      }
      if (w === 0) this.postings.delete(term);
      else list.size = w;
    }
    for (const lists of this.facetDocs) {
      for (let i = 0; i < lists.length; i++) lists[i] = lists[i]!.filter((d) => this.alive[d] === 1);
    }
    this.totalPostings -= this.deadPostings;
    this.deadPostings = 0;
  }
}

/** First pair index ≥ from whose doc number is ≥ target (galloping, then binary search). */
function seek(list: Int32Array, size: number, from: number, target: number): number {
  const pairs = size >> 1;
  let lo = from;
  if (lo >= pairs || list[lo * 2]! >= target) return lo;
  let step = 1;
  let hi = lo + step;
  while (hi < pairs && list[hi * 2]! < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > pairs) hi = pairs;
  // Invariant: list[lo] < target, and hi is past the end or list[hi] ≥ target.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (list[mid * 2]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

type Op = { kind: 'upsert'; doc: SearchDoc } | { kind: 'remove'; id: string };

export class InProcessSearchProvider implements SearchProvider {
  private state = new IndexState();
  private synonyms = new Synonyms();
  /** Edits made while replaceAll is building a new state; replayed onto it before the swap. */
  private pending: Op[] | null = null;
  private replaceQueue: Promise<void> = Promise.resolve();

  // Scratch arrays reused by every search (the search body is synchronous, so no overlap).
  private allowed = new Uint8Array(0);
  private scores = new Float64Array(0);
  private unitBest = new Float64Array(0);
  private matched = new Uint16Array(0);
  private mark = new Uint8Array(0);
  private touchedBuf = new Int32Array(0);
  private unitBuf = new Int32Array(0);
  private candidateBuf = new Int32Array(0);
  private boosted = new Uint8Array(0);
  private readonly compiled = new Map<string, CompiledQuery>();
  private readonly browseFacets = new Map<string, BrowseFacets>();

  async upsert(doc: SearchDoc): Promise<void> {
    this.state.upsert(doc);
    this.pending?.push({ kind: 'upsert', doc });
  }

  async remove(id: string): Promise<void> {
    this.state.remove(id);
    this.pending?.push({ kind: 'remove', id });
  }

  /** Builds a fresh index from `docs` while searches keep using the old one, then swaps. */
  replaceAll(docs: AsyncIterable<SearchDoc> | Iterable<SearchDoc>): Promise<void> {
    const run = async (): Promise<void> => {
      const next = new IndexState(true);
      this.pending = [];
      try {
        let n = 0;
        for await (const doc of docs) {
          next.upsert(doc);
          // Let requests in between batches: a full re-index of 20,000 docs takes seconds.
          if (++n % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        for (const op of this.pending) {
          if (op.kind === 'upsert') next.upsert(op.doc);
          else next.remove(op.id);
        }
        next.finishBulk();
        this.state = next;
        // What was derived from the old index would never be read again.
        this.compiled.clear();
        this.browseFacets.clear();
      } finally {
        this.pending = null;
      }
    };
    const result = this.replaceQueue.then(run);
    this.replaceQueue = result.catch(() => undefined);
    return result;
  }

  async setSynonyms(groups: string[][]): Promise<void> {
    this.synonyms = new Synonyms(groups);
  }

  size(): number {
    return this.state.live;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    return this.searchNow(query);
  }

  private ensureScratch(cap: number): void {
    if (this.allowed.length >= cap) return;
    const size = Math.max(cap, Math.ceil(this.allowed.length * 1.5), 1024);
    this.allowed = new Uint8Array(size);
    this.scores = new Float64Array(size);
    this.unitBest = new Float64Array(size);
    this.matched = new Uint16Array(size);
    this.mark = new Uint8Array(size);
    this.touchedBuf = new Int32Array(size);
    this.unitBuf = new Int32Array(size);
    this.candidateBuf = new Int32Array(size);
    this.boosted = new Uint8Array(size);
  }

  /**
   * Marks the documents this viewer may see that pass the filters. Runs before any text
   * matching, so hidden documents never reach scoring, facet counts or totals. Costs a few
   * typed-array passes, no per-document object access.
   */
  private computeAllowed(st: IndexState, viewer: Viewer, filters: SearchQuery['filters']): void {
    const cap = st.docs.length;
    const allowed = this.allowed;
    if (viewer.kind === 'all') allowed.set(st.alive.subarray(0, cap));
    else if (viewer.kind === 'public') allowed.set(st.isPublic.subarray(0, cap));
    else {
      allowed.set(st.isShared.subarray(0, cap));
      const own = st.facetIntern[DEPARTMENT_FACET]!.get(viewer.departmentId);
      if (own !== undefined) for (const d of st.facetDocs[DEPARTMENT_FACET]![own]!) allowed[d] = st.alive[d]!;
    }
    for (const [facet, values] of Object.entries(filters ?? {})) {
      if (!values || values.length === 0) continue;
      const fi = FACET_NAMES.indexOf(facet as FacetName);
      if (fi < 0) continue;
      const mark = this.mark;
      mark.fill(0, 0, cap);
      for (const v of new Set(values)) {
        const id = st.facetIntern[fi]!.get(v);
        if (id !== undefined) for (const d of st.facetDocs[fi]![id]!) mark[d] = 1;
      }
      andInto(allowed, mark, cap);
    }
  }

  /**
   * Adds the documents matching `alt` to the unit being matched: each document's best score
   * over the unit's alternatives goes to unitBest, documents new to the unit to unitBuf from
   * `unitCount` on. Returns the new unitCount. No callbacks: this loop runs for every posting.
   */
  private matchAlternative(
    st: IndexState,
    alt: Alternative,
    fieldScope: boolean,
    unitCount: number,
    minMatched: number,
  ): number {
    const lists: PostingList[] = [];
    for (const t of alt.terms) {
      const p = st.postings.get(t);
      if (!p) return unitCount;
      lists.push(p);
    }
    // Rarest list first: it drives the intersection, the others are only probed.
    lists.sort((a, b) => a.size - b.size);
    const n = Math.max(1, st.live);
    const idf: number[] = [];
    const cursors: number[] = [];
    for (const l of lists) {
      const df = l.size >> 1;
      idf.push(Math.log(1 + (n - df + 0.5) / (df + 0.5)));
      cursors.push(0);
    }
    const base = lists[0]!.data;
    const baseSize = lists[0]!.size;
    const required = fieldScope ? FIELD_SCOPE_MASK : 0;
    const { allowed, unitBest, matched } = this;
    const unitTouched = this.unitBuf;
    const weight = alt.weight;
    const needles = alt.needles;
    // Most alternatives are one term without needles: a plain scan of its postings.
    if (lists.length === 1 && !needles) {
      const nameBoost = fieldScope ? 1 : NAME_MATCH_BOOST;
      return scanPostings(
        base,
        baseSize,
        idf[0]!,
        weight,
        required,
        nameBoost,
        allowed,
        matched,
        minMatched,
        unitBest,
        unitTouched,
        unitCount,
      );
    }
    for (let i = 0; i < baseSize; i += 2) {
      const d = base[i]!;
      if (allowed[d] !== 1 || matched[d]! < minMatched) continue;
      let packed = base[i + 1]!;
      if (required !== 0 && (packed & required) === 0) continue;
      let x = (packed >>> 8) / WEIGHT_SCALE;
      let score = (idf[0]! * x * (K1 + 1)) / (x + K1);
      let inName = packed & MASK.name;
      let ok = true;
      for (let k = 1; k < lists.length; k++) {
        const { data, size } = lists[k]!;
        const at = seek(data, size, cursors[k]!, d);
        cursors[k] = at;
        if (at * 2 >= size || data[at * 2] !== d) {
          ok = false;
          break;
        }
        packed = data[at * 2 + 1]!;
        if (required !== 0 && (packed & required) === 0) {
          ok = false;
          break;
        }
        x = (packed >>> 8) / WEIGHT_SCALE;
        score += (idf[k]! * x * (K1 + 1)) / (x + K1);
        inName &= packed;
      }
      if (!ok) continue;
      if (needles) {
        const rec = st.docs[d]!;
        const hay =
          needles.kind === 'text' ? (fieldScope ? rec.fieldText : rec.text) : fieldScope ? rec.fieldPy : rec.py;
        let all = true;
        for (let v = 0; v < needles.values.length && all; v++) all = hay.includes(needles.values[v]!);
        if (!all) continue;
      }
      if (inName !== 0 && !fieldScope) score *= NAME_MATCH_BOOST;
      // Scores are positive (idf > 0, weights > 0), so 0 reliably means "not seen in this unit".
      const s = score * weight;
      if (unitBest[d] === 0) unitTouched[unitCount++] = d;
      if (s > unitBest[d]!) unitBest[d] = s;
    }
    return unitCount;
  }

  /** Documents matching every unit (each unit: its best alternative), scores summed into this.scores. */
  private matchUnits(st: IndexState, units: { unit: Unit; fieldScope: boolean }[], allowPartial: boolean): Int32Array {
    const { scores, unitBest, matched } = this;
    // Preallocated buffers instead of growing arrays: a broad query touches every document,
    // and the garbage from per-query arrays that size shows up as GC pauses in tail latency.
    const touched = this.touchedBuf;
    const unitTouched = this.unitBuf;
    let touchedCount = 0;
    // A document that missed more units than the result may miss (one, for a partial match) is out:
    // later units skip it instead of scoring it.
    const mayMiss = allowPartial && units.length >= 3 ? 1 : 0;
    for (let u = 0; u < units.length; u++) {
      const { unit, fieldScope } = units[u]!;
      const minMatched = u - mayMiss;
      let unitCount = 0;
      for (const alt of unit.alternatives)
        unitCount = this.matchAlternative(st, alt, fieldScope, unitCount, minMatched);
      touchedCount = closeUnit(unitTouched, unitCount, touched, touchedCount, matched, scores, unitBest);
    }
    let need = units.length;
    // Nothing has every word of a longer query: accept documents missing one of them, ranked lower.
    if (allowPartial && units.length >= 3 && !anyMatchedAll(touched, touchedCount, matched, units.length)) need--;
    const result = this.candidateBuf;
    const resultCount = keepMatched(touched, touchedCount, matched, scores, need, units.length, result);
    return result.subarray(0, resultCount);
  }

  /** Units of a query text, reused while the vocabulary and synonyms they were expanded with are unchanged. */
  private compile(text: string, st: IndexState): CompiledQuery {
    const cache = this.compiled;
    const hit = cache.get(text);
    if (hit && hit.generation === st.generation && hit.vocabSize === st.vocab.size && hit.synonyms === this.synonyms) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const marks = emptyMarks();
    const units = compileQuery(text, st.vocab, this.synonyms, marks);
    const entry: CompiledQuery = {
      units,
      marks,
      generation: st.generation,
      vocabSize: st.vocab.size,
      synonyms: this.synonyms,
    };
    cache.delete(text);
    cache.set(text, entry);
    if (cache.size > COMPILED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return entry;
  }

  private searchNow(query: SearchQuery): SearchResult {
    const st = this.state;
    this.ensureScratch(st.docs.length);
    const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(query.limit ?? DEFAULT_LIMIT)));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    this.computeAllowed(st, query.viewer, query.filters);

    const text = query.q ? this.compile(query.q, st) : null;
    const field = query.fieldQuery ? this.compile(query.fieldQuery, st) : null;
    const textUnits = text?.units ?? [];
    const fieldUnits = field?.units ?? [];
    if (textUnits.length === 0 && fieldUnits.length === 0) return this.browse(st, query, limit, offset);
    const marks = text?.marks ?? emptyMarks();
    const fieldMarks = field?.marks ?? emptyMarks();
    const units = [
      ...textUnits.map((unit) => ({ unit, fieldScope: false })),
      ...fieldUnits.map((unit) => ({ unit, fieldScope: true })),
    ];

    const scores = this.scores;
    const candidates = this.matchUnits(st, units, fieldUnits.length === 0);
    this.applyNameBoosts(st, candidates, query.q ?? '');
    roundScores(scores, candidates);

    const facets: SearchResult['facets'] = {};
    for (const facet of new Set(query.facets ?? [])) {
      const fi = FACET_NAMES.indexOf(facet);
      if (fi >= 0) facets[facet] = this.countFacet(st, fi, candidates);
    }

    const page =
      limit === 0 ? [] : selectTop(candidates, offset + limit, hitOrder(st, scores, query.sort)).slice(offset);
    const hits: SearchHit[] = [];
    for (const d of page) {
      const rec = st.docs[d]!;
      const hit: SearchHit = { id: rec.doc.id, score: scores[d]! };
      const highlights = buildHighlights(rec.doc, marks, fieldMarks);
      if (highlights.length > 0) hit.highlights = highlights;
      hits.push(hit);
    }
    clearAt(scores, candidates);
    return { total: candidates.length, hits, facets };
  }

  /** Value counts of one facet over `candidates`, most frequent first (ties by value), at most MAX_FACET_VALUES. */
  private countFacet(st: IndexState, fi: number, candidates: Int32Array): FacetValue[] {
    const labels = st.facetLabels[fi]!;
    const counts = new Int32Array(labels.length);
    if (MULTI_VALUED.has(FACET_NAMES[fi]!))
      countMultiValued(st.multiStart[fi]!, st.multiValues[fi]!, candidates, counts);
    else countColumn(st.facetColumns[fi]!, candidates, counts);
    const values: FacetValue[] = [];
    for (let id = 0; id < counts.length; id++)
      if (counts[id]! > 0) values.push({ value: labels[id]!, count: counts[id]! });
    values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return values.slice(0, MAX_FACET_VALUES);
  }

  /**
   * No text to match: every visible document (after filters) is a hit with score 0, so the page
   * is read off the index's standing browse order, and facet counts are kept per viewer class
   * and filter set until the index changes (the portal's landing page asks for them on every visit).
   */
  private browse(st: IndexState, query: SearchQuery, limit: number, offset: number): SearchResult {
    const allowed = this.allowed;
    const cap = st.docs.length;
    const total = countSet(allowed, cap);

    const facets: SearchResult['facets'] = {};
    const wanted = [...new Set(query.facets ?? [])].filter((f) => FACET_NAMES.includes(f));
    if (wanted.length > 0) {
      const key = browseKey(query.viewer, query.filters);
      let entry = this.browseFacets.get(key);
      if (!entry || entry.generation !== st.generation || entry.version !== st.version)
        entry = { generation: st.generation, version: st.version, facets: new Map() };
      this.browseFacets.delete(key);
      this.browseFacets.set(key, entry);
      if (this.browseFacets.size > BROWSE_CACHE_SIZE) this.browseFacets.delete(this.browseFacets.keys().next().value!);
      let candidates: Int32Array | null = null;
      for (const facet of wanted) {
        let values = entry.facets.get(facet);
        if (!values) {
          candidates ??= this.candidateBuf.subarray(0, listSet(allowed, cap, this.candidateBuf));
          values = this.countFacet(st, FACET_NAMES.indexOf(facet), candidates);
          entry.facets.set(facet, values);
        }
        facets[facet] = values.map((v) => ({ value: v.value, count: v.count }));
      }
    }

    const hits: SearchHit[] = [];
    if (limit > 0 && offset < total) {
      const order = (query.sort ?? 'relevance') === 'updated' ? st.byUpdated.docs : st.byPopularity.docs;
      for (const d of pageOf(order, allowed, offset, limit)) hits.push({ id: st.docs[d]!.doc.id, score: 0 });
    }
    return { total, hits, facets };
  }

  /**
   * Exact and prefix matches on the whole name (or its pinyin, or the code) outrank scattered ones.
   * Reads the documents whose key starts with the query off the index's sorted keys, so the cost
   * follows the few names that match, not the (possibly 10,000) candidates.
   */
  private applyNameBoosts(st: IndexState, candidates: Int32Array, q: string): void {
    const key = compactKey(q);
    if (key === '') return;
    const latinOnly = /^[a-z0-9]+$/.test(normalizeText(key));
    const { scores, boosted } = this;
    // 1: a candidate not boosted yet; 2: boosted (the first matching rule below wins).
    setAt(boosted, candidates, 1);
    const boost = (order: KeyOrder, exact: boolean, factor: number): void => {
      const docs = order.docs;
      for (let i = order.from(key); i < docs.length; i++) {
        const d = docs[i]!;
        const k = order.keyOf(d);
        if (exact ? k !== key : !k.startsWith(key)) break;
        if (boosted[d] === 1) {
          scores[d]! *= factor;
          boosted[d] = 2;
        }
      }
    };
    boost(st.byNameKey, true, 3);
    boost(st.byCodeKey, true, 3);
    boost(st.byNameKey, false, 1.8);
    if (latinOnly && key.length >= 2) {
      boost(st.byNamePy, true, 2.5);
      boost(st.byNameInitials, true, 2.5);
      boost(st.byNamePy, false, 1.5);
      boost(st.byNameInitials, false, 1.5);
    }
    clearAt(boosted, candidates);
  }
}

// Loops over every document or candidate live in small functions of typed arrays only: V8
// optimises them after a few calls, where the same loop inside a large method waits for that
// method's optimisation (the first few hundred searches after a start ran several times slower).

/**
 * One term's postings scored into unitBest (the best score of each document in the unit),
 * documents new to the unit appended to unitTouched. What matchAlternative does for a
 * single-term alternative without needles, with the same arithmetic. Returns the new unitCount.
 */
function scanPostings(
  base: Int32Array,
  baseSize: number,
  idf: number,
  weight: number,
  required: number,
  nameBoost: number,
  allowed: Uint8Array,
  matched: Uint16Array,
  minMatched: number,
  unitBest: Float64Array,
  unitTouched: Int32Array,
  unitCount: number,
): number {
  let count = unitCount;
  for (let i = 0; i < baseSize; i += 2) {
    const d = base[i]!;
    if (allowed[d] !== 1 || matched[d]! < minMatched) continue;
    const packed = base[i + 1]!;
    if (required !== 0 && (packed & required) === 0) continue;
    const x = (packed >>> 8) / WEIGHT_SCALE;
    let score = (idf * x * (K1 + 1)) / (x + K1);
    if ((packed & MASK.name) !== 0) score *= nameBoost;
    const s = score * weight;
    if (unitBest[d] === 0) unitTouched[count++] = d;
    if (s > unitBest[d]!) unitBest[d] = s;
  }
  return count;
}

/** Adds a finished unit's best scores to the documents' totals and counts the unit as matched. */
function closeUnit(
  unitTouched: Int32Array,
  unitCount: number,
  touched: Int32Array,
  touchedCount: number,
  matched: Uint16Array,
  scores: Float64Array,
  unitBest: Float64Array,
): number {
  let count = touchedCount;
  for (let i = 0; i < unitCount; i++) {
    const d = unitTouched[i]!;
    if (matched[d] === 0) touched[count++] = d;
    matched[d]!++;
    scores[d]! += unitBest[d]!;
    unitBest[d] = 0;
  }
  return count;
}

function anyMatchedAll(touched: Int32Array, touchedCount: number, matched: Uint16Array, units: number): boolean {
  for (let i = 0; i < touchedCount; i++) if (matched[touched[i]!] === units) return true;
  return false;
}

/**
 * Writes the touched documents that matched at least `need` units to result (halving their
 * score when that is fewer than all units) and cleans the scratch of the others. Returns how many.
 */
function keepMatched(
  touched: Int32Array,
  touchedCount: number,
  matched: Uint16Array,
  scores: Float64Array,
  need: number,
  units: number,
  result: Int32Array,
): number {
  let count = 0;
  for (let i = 0; i < touchedCount; i++) {
    const d = touched[i]!;
    if (matched[d]! >= need) {
      result[count++] = d;
      if (need < units) scores[d]! *= 0.5;
    } else scores[d] = 0; // scratch must be clean for the next search
    matched[d] = 0;
  }
  return count;
}

/** counts[v]++ for the value id v (≥ 0) of every candidate in a single-valued facet column. */
function countColumn(col: Int32Array, candidates: Int32Array, counts: Int32Array): void {
  for (let c = 0; c < candidates.length; c++) {
    const id = col[candidates[c]!]!;
    if (id >= 0) counts[id]!++;
  }
}

/** counts[v]++ for every value id v of every candidate in a multi-valued facet (compressed rows). */
function countMultiValued(start: Int32Array, values: number[], candidates: Int32Array, counts: Int32Array): void {
  for (let c = 0; c < candidates.length; c++) {
    const d = candidates[c]!;
    for (let i = start[d]!; i < start[d + 1]!; i++) counts[values[i]!]!++;
  }
}

/** How many of flags[0 .. n) are 1. */
function countSet(flags: Uint8Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += flags[i]!;
  return count;
}

/** Writes the positions i < n where flags[i] is 1 to out; returns how many. */
function listSet(flags: Uint8Array, n: number, out: Int32Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (flags[i] === 1) out[count++] = i;
  return count;
}

/** a[i] &= b[i] for i < n. */
function andInto(a: Uint8Array, b: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) a[i]! &= b[i]!;
}

/** The documents of `order` whose flag is 1, from the `offset`-th such document on, at most `limit`. */
function pageOf(order: Int32Array, flags: Uint8Array, offset: number, limit: number): number[] {
  const out: number[] = [];
  let skip = offset;
  for (let i = 0; i < order.length && out.length < limit; i++) {
    const d = order[i]!;
    if (flags[d] !== 1) continue;
    if (skip > 0) skip--;
    else out.push(d);
  }
  return out;
}

/** Rounds the candidates' scores to 1/1000 (what a hit shows, so ties on screen are ties in the order). */
function roundScores(scores: Float64Array, candidates: Int32Array): void {
  for (let i = 0; i < candidates.length; i++) {
    const d = candidates[i]!;
    scores[d] = Math.round(scores[d]! * 1000) / 1000;
  }
}

/** Sets the candidates' entries back to 0 (scratch arrays are clean between searches). */
function clearAt(a: Float64Array | Uint8Array, candidates: Int32Array): void {
  for (let i = 0; i < candidates.length; i++) a[candidates[i]!] = 0;
}

/** flags[d] = value for every candidate d. */
function setAt(flags: Uint8Array, candidates: Int32Array, value: number): void {
  for (let i = 0; i < candidates.length; i++) flags[candidates[i]!] = value;
}

/** The viewer class and filter set of a browse, canonical (value order and repeats do not matter). */
function browseKey(viewer: Viewer, filters: SearchQuery['filters']): string {
  const parts: unknown[] = [viewer.kind === 'department' ? `department:${viewer.departmentId}` : viewer.kind];
  for (const facet of FACET_NAMES) {
    const values = filters?.[facet];
    if (values && values.length > 0) parts.push(facet, [...new Set(values)].sort());
  }
  return JSON.stringify(parts);
}

/**
 * The order of hits: by score (relevance), update time or popularity first, then the others,
 * then the id. Returns -1/0/1 (small integers, no boxed doubles) since it runs for every candidate.
 */
function hitOrder(st: IndexState, scores: Float64Array, sort: SearchQuery['sort']): (x: number, y: number) => number {
  const { docs, popularity, updatedMs } = st;
  const byId = (x: number, y: number): number => {
    const a = docs[x]!.doc.id;
    const b = docs[y]!.doc.id;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const desc = (col: Float64Array, x: number, y: number): number =>
    col[y]! > col[x]! ? 1 : col[y]! < col[x]! ? -1 : 0;
  if (sort === 'updated')
    return (x, y) => desc(updatedMs, x, y) || desc(scores, x, y) || desc(popularity, x, y) || byId(x, y);
  if (sort === 'popularity')
    return (x, y) => desc(popularity, x, y) || desc(scores, x, y) || desc(updatedMs, x, y) || byId(x, y);
  return (x, y) => desc(scores, x, y) || desc(popularity, x, y) || desc(updatedMs, x, y) || byId(x, y);
}

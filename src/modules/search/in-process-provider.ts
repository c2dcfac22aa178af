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
import { compileQuery, emptyMarks, Synonyms, type Alternative, type Unit } from './query.ts';
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
  }

  remove(id: string): void {
    const no = this.byId.get(id);
    if (no === undefined) return;
    const rec = this.docs[no];
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
      const next = new IndexState();
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
        this.state = next;
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
      for (let d = 0; d < cap; d++) allowed[d]! &= mark[d]!;
    }
  }

  private matchAlternative(
    st: IndexState,
    alt: Alternative,
    fieldScope: boolean,
    emit: (doc: number, score: number) => void,
  ): void {
    const lists: PostingList[] = [];
    for (const t of alt.terms) {
      const p = st.postings.get(t);
      if (!p) return;
      lists.push(p);
    }
    lists.sort((a, b) => a.size - b.size);
    const n = Math.max(1, st.live);
    const idf = lists.map((l) => {
      const df = l.size >> 1;
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    });
    const cursors = new Array<number>(lists.length).fill(0);
    const base = lists[0]!.data;
    const baseSize = lists[0]!.size;
    const required = fieldScope ? FIELD_SCOPE_MASK : 0;
    const allowed = this.allowed;
    for (let i = 0; i < baseSize; i += 2) {
      const d = base[i]!;
      if (allowed[d] !== 1) continue;
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
      if (alt.needles) {
        const rec = st.docs[d]!;
        const hay =
          alt.needles.kind === 'text' ? (fieldScope ? rec.fieldText : rec.text) : fieldScope ? rec.fieldPy : rec.py;
        if (!alt.needles.values.every((v) => hay.includes(v))) continue;
      }
      if (inName !== 0 && !fieldScope) score *= NAME_MATCH_BOOST;
      emit(d, score * alt.weight);
    }
  }

  /** Documents matching every unit (each unit: its best alternative), scores summed into this.scores. */
  private matchUnits(st: IndexState, units: { unit: Unit; fieldScope: boolean }[], allowPartial: boolean): Int32Array {
    const { scores, unitBest, matched } = this;
    // Preallocated buffers instead of growing arrays: a broad query touches every document,
    // and the garbage from per-query arrays that size shows up as GC pauses in tail latency.
    const touched = this.touchedBuf;
    const unitTouched = this.unitBuf;
    let touchedCount = 0;
    for (const { unit, fieldScope } of units) {
      let unitCount = 0;
      // Scores are positive (idf > 0, weights > 0), so 0 reliably means "not seen in this unit".
      const emit = (d: number, s: number): void => {
        if (unitBest[d] === 0) unitTouched[unitCount++] = d;
        if (s > unitBest[d]!) unitBest[d] = s;
      };
      for (const alt of unit.alternatives) this.matchAlternative(st, alt, fieldScope, emit);
      for (let i = 0; i < unitCount; i++) {
        const d = unitTouched[i]!;
        if (matched[d] === 0) touched[touchedCount++] = d;
        matched[d]!++;
        scores[d]! += unitBest[d]!;
        unitBest[d] = 0;
      }
    }
    let need = units.length;
    // Nothing has every word of a longer query: accept documents missing one of them, ranked lower.
    if (allowPartial && units.length >= 3) {
      let complete = false;
      for (let i = 0; i < touchedCount && !complete; i++) complete = matched[touched[i]!] === units.length;
      if (!complete) need--;
    }
    const result = this.candidateBuf;
    let resultCount = 0;
    for (let i = 0; i < touchedCount; i++) {
      const d = touched[i]!;
      if (matched[d]! >= need) {
        result[resultCount++] = d;
        if (need < units.length) scores[d]! *= 0.5;
      } else scores[d] = 0; // scratch must be clean for the next search
      matched[d] = 0;
    }
    return result.subarray(0, resultCount);
  }

  private searchNow(query: SearchQuery): SearchResult {
    const st = this.state;
    this.ensureScratch(st.docs.length);
    const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(query.limit ?? DEFAULT_LIMIT)));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    this.computeAllowed(st, query.viewer, query.filters);

    const marks = emptyMarks();
    const fieldMarks = emptyMarks();
    const textUnits = query.q ? compileQuery(query.q, st.vocab, this.synonyms, marks) : [];
    const fieldUnits = query.fieldQuery ? compileQuery(query.fieldQuery, st.vocab, this.synonyms, fieldMarks) : [];
    const units = [
      ...textUnits.map((unit) => ({ unit, fieldScope: false })),
      ...fieldUnits.map((unit) => ({ unit, fieldScope: true })),
    ];

    const scores = this.scores;
    let candidates: Int32Array;
    if (units.length === 0) {
      const allowed = this.allowed;
      const buf = this.candidateBuf;
      let n = 0;
      for (let d = 0; d < st.docs.length; d++) if (allowed[d] === 1) buf[n++] = d;
      candidates = buf.subarray(0, n);
    } else {
      candidates = this.matchUnits(st, units, fieldUnits.length === 0);
      this.applyNameBoosts(st, candidates, query.q ?? '');
    }
    for (const d of candidates) scores[d] = Math.round(scores[d]! * 1000) / 1000;

    const facets: SearchResult['facets'] = {};
    for (const facet of new Set(query.facets ?? [])) {
      const fi = FACET_NAMES.indexOf(facet);
      if (fi < 0) continue;
      const counts = new Int32Array(st.facetLabels[fi]!.length);
      if (MULTI_VALUED.has(facet)) {
        const start = st.multiStart[fi]!;
        const values = st.multiValues[fi]!;
        for (const d of candidates) for (let i = start[d]!; i < start[d + 1]!; i++) counts[values[i]!]!++;
      } else {
        const col = st.facetColumns[fi]!;
        for (const d of candidates) {
          const id = col[d]!;
          if (id >= 0) counts[id]!++;
        }
      }
      const labels = st.facetLabels[fi]!;
      const values: { value: string; count: number }[] = [];
      counts.forEach((count, id) => {
        if (count > 0) values.push({ value: labels[id]!, count });
      });
      values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      facets[facet] = values.slice(0, MAX_FACET_VALUES);
    }

    const docs = st.docs;
    const { popularity, updatedMs } = st;
    const byId = (x: number, y: number): number => {
      const a = docs[x]!.doc.id;
      const b = docs[y]!.doc.id;
      return a < b ? -1 : a > b ? 1 : 0;
    };
    const sort = query.sort ?? 'relevance';
    const cmp = (x: number, y: number): number => {
      const byScore = scores[y]! - scores[x]!;
      const byPopularity = popularity[y]! - popularity[x]!;
      const byUpdated = updatedMs[y]! - updatedMs[x]!;
      if (sort === 'updated') return byUpdated || byScore || byPopularity || byId(x, y);
      if (sort === 'popularity') return byPopularity || byScore || byUpdated || byId(x, y);
      return byScore || byPopularity || byUpdated || byId(x, y);
    };
    const page = limit === 0 ? [] : selectTop(candidates, offset + limit, cmp).slice(offset);
    const hits: SearchHit[] = page.map((d) => {
      const rec = docs[d]!;
      const hit: SearchHit = { id: rec.doc.id, score: scores[d]! };
      if (units.length > 0) {
        const highlights = buildHighlights(rec.doc, marks, fieldMarks);
        if (highlights.length > 0) hit.highlights = highlights;
      }
      return hit;
    });
    for (const d of candidates) scores[d] = 0;
    return { total: candidates.length, hits, facets };
  }

  /** Exact and prefix matches on the whole name (or its pinyin, or the code) outrank scattered ones. */
  private applyNameBoosts(st: IndexState, candidates: Int32Array, q: string): void {
    const key = compactKey(q);
    if (key === '') return;
    const latinOnly = /^[a-z0-9]+$/.test(normalizeText(key));
    for (const d of candidates) {
      const rec = st.docs[d]!;
      let boost = 1;
      if (rec.nameKey === key || rec.codeKey === key) boost = 3;
      else if (rec.nameKey.startsWith(key)) boost = 1.8;
      else if (latinOnly && key.length >= 2) {
        if (rec.namePy === key || rec.nameInitials === key) boost = 2.5;
        else if (rec.namePy.startsWith(key) || rec.nameInitials.startsWith(key)) boost = 1.5;
      }
      this.scores[d]! *= boost;
    }
  }
}

/** Turns a SearchDoc into weighted index terms plus the strings used to verify phrase matches. */
import type { SearchDoc } from './types.ts';
import { hanGrams, normalizeText, pieces, segmentWords } from './tokenizer.ts';
import { runSyllables } from './pinyin.ts';

// Which part of a doc a posting came from; a posting keeps the OR of them in its low 8 bits.
export const MASK = {
  name: 1,
  nameEn: 2,
  tags: 4,
  fieldName: 8,
  fieldDesc: 16,
  abstract: 32,
  department: 64,
  code: 128,
} as const;
export const FIELD_SCOPE_MASK = MASK.fieldName | MASK.fieldDesc;

/** Prefixes keep pinyin terms apart from Latin words (the tokenizer never emits ':'). */
export const PY = 'p:';
export const INI = 'i:';

interface FieldSpec {
  mask: number;
  /** Field weight in the BM25F-style sum: name ≫ tags/field names > abstract > department. */
  weight: number;
  /**
   * A typical length for this field. Length normalisation uses this constant rather than the
   * live average so that a posting's weight never changes after indexing: that is what makes
   * upsert/remove incremental.
   */
  typicalLength: number;
  /** chars: initials of every 2–8 character window (short, title-like text); words: of 1–4 word windows. */
  pinyin: 'chars' | 'words' | 'none';
  /** Include in the pinyin verification string used by field-only queries. */
  fieldScope: boolean;
}

const B = 0.6;

const SPECS = {
  name: { mask: MASK.name, weight: 8, typicalLength: 10, pinyin: 'chars', fieldScope: false },
  nameEn: { mask: MASK.nameEn, weight: 4, typicalLength: 5, pinyin: 'none', fieldScope: false },
  code: { mask: MASK.code, weight: 5, typicalLength: 3, pinyin: 'none', fieldScope: false },
  tags: { mask: MASK.tags, weight: 3, typicalLength: 8, pinyin: 'chars', fieldScope: false },
  fieldName: { mask: MASK.fieldName, weight: 2.5, typicalLength: 40, pinyin: 'words', fieldScope: true },
  fieldDesc: { mask: MASK.fieldDesc, weight: 1, typicalLength: 80, pinyin: 'none', fieldScope: false },
  abstract: { mask: MASK.abstract, weight: 1, typicalLength: 80, pinyin: 'none', fieldScope: false },
  department: { mask: MASK.department, weight: 0.8, typicalLength: 8, pinyin: 'words', fieldScope: false },
} satisfies Record<string, FieldSpec>;

export interface DocAnalysis {
  /** term → [weighted, length-normalised term frequency, OR of field masks]. */
  terms: Map<string, [number, number]>;
  /** Every normalised text field joined by newlines: phrase matches are verified against it. */
  text: string;
  /** Field names and descriptions only. */
  fieldText: string;
  /** Syllables of every pinyin-indexed Han run, as "| kong qi zhi liang | …". */
  py: string;
  fieldPy: string;
  /** Name without spaces/punctuation, its joined pinyin and its initials: for exact/prefix boosts. */
  nameKey: string;
  codeKey: string;
  namePy: string;
  nameInitials: string;
  /** Latin words seen (for the typo/prefix vocabulary). */
  latinWords: string[];
}

const STRIP_RE = /[\s\p{P}\p{S}]+/gu;

export function compactKey(text: string): string {
  return normalizeText(text).replace(STRIP_RE, '');
}

function wordInitialWindows(run: string, syllables: string[], out: string[]): void {
  const words = segmentWords(run);
  const initials: string[] = [];
  let at = 0;
  for (const w of words) {
    const len = Array.from(w).length;
    initials.push(
      syllables
        .slice(at, at + len)
        .map((s) => s[0])
        .join(''),
    );
    at += len;
  }
  for (let i = 0; i < initials.length; i++) {
    let acc = '';
    for (let j = i; j < initials.length && j < i + 4; j++) {
      acc += initials[j];
      if (acc.length >= 2) out.push(INI + acc);
    }
  }
}

interface RunTerms {
  terms: string[];
  length: number;
  /** " kong qi zhi liang " or null when the run has no pinyin. */
  py: string | null;
}

// Field names, department names and tags repeat across thousands of datasets: caching the
// terms of each Han run makes a full re-index several times faster. Bounded for long-running servers.
const runCache = new Map<string, RunTerms>();
const RUN_CACHE_LIMIT = 100_000;

function hanRunTerms(run: string, mode: FieldSpec['pinyin']): RunTerms {
  const key = mode + run;
  const cached = runCache.get(key);
  if (cached) return cached;
  const { unigrams, bigrams } = hanGrams(run);
  const terms = [...unigrams, ...bigrams];
  let py: string | null = null;
  const syl = mode === 'none' ? null : runSyllables(run);
  if (syl) {
    for (let i = 0; i < syl.length; i++) {
      terms.push(PY + syl[i]!);
      if (i + 1 < syl.length) terms.push(`${PY}${syl[i]!} ${syl[i + 1]!}`);
    }
    py = ` ${syl.join(' ')} `;
    if (mode === 'chars') {
      const letters = syl.map((s) => s[0]).join('');
      for (let i = 0; i < letters.length; i++) {
        for (let len = 2; len <= 8 && i + len <= letters.length; len++) terms.push(INI + letters.slice(i, i + len));
      }
    } else {
      wordInitialWindows(run, syl, terms);
    }
  }
  const result = { terms, length: unigrams.length, py };
  if (runCache.size >= RUN_CACHE_LIMIT) runCache.clear();
  runCache.set(key, result);
  return result;
}

export function analyzeDoc(doc: SearchDoc): DocAnalysis {
  const terms = new Map<string, [number, number]>();
  const textParts: string[] = [];
  const fieldTextParts: string[] = [];
  const pyParts: string[] = [];
  const fieldPyParts: string[] = [];
  const latin = new Set<string>();

  const indexField = (spec: FieldSpec, items: readonly string[], fieldText = false): void => {
    const tf = new Map<string, number>();
    const add = (t: string): void => {
      tf.set(t, (tf.get(t) ?? 0) + 1);
    };
    let length = 0;
    for (const item of items) {
      const norm = normalizeText(item);
      if (norm.trim() === '') continue;
      textParts.push(norm);
      if (fieldText) fieldTextParts.push(norm);
      for (const p of pieces(norm)) {
        if (p.kind === 'latin') {
          add(p.text);
          latin.add(p.text);
          length++;
          continue;
        }
        const run = hanRunTerms(p.text, spec.pinyin);
        for (const t of run.terms) add(t);
        length += run.length;
        if (run.py !== null) {
          pyParts.push(run.py);
          if (spec.fieldScope) fieldPyParts.push(run.py);
        }
      }
    }
    const norm = 1 - B + (B * length) / spec.typicalLength;
    for (const [t, n] of tf) {
      const entry = terms.get(t);
      const w = (spec.weight * n) / norm;
      if (entry) {
        entry[0] += w;
        entry[1] |= spec.mask;
      } else terms.set(t, [w, spec.mask]);
    }
  };

  indexField(SPECS.name, [doc.name]);
  if (doc.nameEn) indexField(SPECS.nameEn, [doc.nameEn]);
  indexField(SPECS.code, [doc.code]);
  indexField(SPECS.tags, [...doc.tags, ...doc.topics]);
  indexField(
    SPECS.fieldName,
    doc.fields.map((f) => f.name),
    true,
  );
  indexField(
    SPECS.fieldDesc,
    doc.fields.map((f) => f.description ?? '').filter((d) => d !== ''),
    true,
  );
  indexField(SPECS.abstract, [doc.abstract]);
  indexField(SPECS.department, [doc.departmentName, doc.departmentCode]);

  let namePy = '';
  let nameInitials = '';
  for (const p of pieces(normalizeText(doc.name))) {
    const syl = p.kind === 'han' ? runSyllables(p.text) : null;
    namePy += syl ? syl.join('') : p.text;
    nameInitials += syl ? syl.map((s) => s[0]).join('') : p.text;
  }

  return {
    terms,
    text: textParts.join('\n'),
    fieldText: fieldTextParts.join('\n'),
    py: `|${pyParts.join('|')}|`,
    fieldPy: `|${fieldPyParts.join('|')}|`,
    nameKey: compactKey(doc.name),
    codeKey: compactKey(doc.code),
    namePy,
    nameInitials,
    latinWords: [...latin],
  };
}

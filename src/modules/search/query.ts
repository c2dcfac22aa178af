/** Compiles query text into units of alternatives that the index can evaluate. */
import { INI, PY } from './analysis.ts';
import type { LatinVocabulary } from './fuzzy.ts';
import { splitSyllables, splitWithPartialTail } from './pinyin.ts';
import { hanGrams, normalizeText, pieces, segmentWords } from './tokenizer.ts';

/**
 * One way to satisfy a unit: every term must be in the doc's postings, and when `needles` is
 * set each needle must also occur in the doc's verification string (text or pinyin), which
 * turns a bag of bigrams into a real substring match.
 */
export interface Alternative {
  terms: string[];
  needles?: { kind: 'text' | 'py'; values: string[] };
  weight: number;
}

/** A query word: the doc must satisfy at least one alternative (units are ANDed). */
export interface Unit {
  alternatives: Alternative[];
}

/** What to mark in highlights. */
export interface Marks {
  texts: Set<string>;
  syllables: string[][];
  initials: Set<string>;
}

export function emptyMarks(): Marks {
  return { texts: new Set(), syllables: [], initials: new Set() };
}

// Function words that would otherwise be required terms of a Chinese query.
const HAN_STOPWORDS = new Set(['的', '了', '和', '与', '及', '或', '在', '等', '之', '其', '中']);
const MAX_UNITS = 16;
const MAX_QUERY_CHARS = 256;

export class Synonyms {
  private readonly groups = new Map<string, string[]>();
  /** Han members, longest first, for finding them inside an unsegmented query run. */
  private hanMembers: string[] = [];

  constructor(groups: string[][] = []) {
    for (const group of groups) {
      const members = [...new Set(group.map((m) => normalizeText(m).trim()).filter((m) => m !== ''))];
      for (const m of members) {
        const existing = this.groups.get(m) ?? [];
        this.groups.set(m, [...new Set([...existing, ...members.filter((x) => x !== m)])]);
      }
    }
    this.hanMembers = [...this.groups.keys()]
      .filter((m) => /^\p{Script=Han}+$/u.test(m))
      .sort((a, b) => b.length - a.length);
  }

  of(term: string): string[] {
    return this.groups.get(term) ?? [];
  }

  /** Splits a Han run into words, keeping synonym members whole even where the segmenter would cut them. */
  splitHan(run: string): string[] {
    for (const m of this.hanMembers) {
      const at = run.indexOf(m);
      if (at < 0 || m === run) continue;
      return [...this.splitHan(run.slice(0, at)), m, ...this.splitHan(run.slice(at + m.length))].filter(
        (w) => w !== '',
      );
    }
    if (this.groups.has(run)) return [run];
    return run === '' ? [] : segmentWords(run);
  }
}

function hanAlternative(word: string, weight: number, marks: Marks): Alternative {
  marks.texts.add(word);
  const { unigrams, bigrams } = hanGrams(word);
  if (unigrams.length === 1) return { terms: unigrams, weight };
  const alt: Alternative = { terms: [...new Set(bigrams)], weight };
  if (unigrams.length > 2) alt.needles = { kind: 'text', values: [word] };
  return alt;
}

/** A synonym may be a phrase mixing Han and Latin: all its parts are required. */
function phraseAlternative(phrase: string, weight: number, marks: Marks): Alternative | null {
  const terms: string[] = [];
  const needles: string[] = [];
  for (const p of pieces(phrase)) {
    if (p.kind === 'latin') {
      terms.push(p.text);
      marks.texts.add(p.text);
    } else {
      const alt = hanAlternative(p.text, weight, marks);
      terms.push(...alt.terms);
      if (alt.needles) needles.push(...alt.needles.values);
    }
  }
  if (terms.length === 0) return null;
  const alt: Alternative = { terms: [...new Set(terms)], weight };
  if (needles.length > 0) alt.needles = { kind: 'text', values: needles };
  return alt;
}

function latinAlternatives(
  word: string,
  isLast: boolean,
  vocab: LatinVocabulary,
  synonyms: Synonyms,
  marks: Marks,
): Alternative[] {
  const alts: Alternative[] = [{ terms: [word], weight: 1 }];
  marks.texts.add(word);
  for (const syn of synonyms.of(word)) {
    const alt = phraseAlternative(syn, 0.9, marks);
    if (alt) alts.push(alt);
  }
  if (!/^[a-z]+$/.test(word)) return alts;
  for (const { word: w, distance } of vocab.similar(word).slice(0, 8)) {
    alts.push({ terms: [w], weight: distance === 1 ? 0.6 : 0.45 });
    marks.texts.add(w);
  }
  // Search-as-you-type: the last word may be unfinished.
  if (isLast && word.length >= 3) {
    for (const w of vocab.completions(word, 20)) {
      alts.push({ terms: [w], weight: 0.5 });
      marks.texts.add(w);
    }
  }
  for (const syl of splitSyllables(word)) {
    marks.syllables.push(syl);
    if (syl.length === 1) {
      alts.push({ terms: [PY + syl[0]!], weight: 0.85 });
      continue;
    }
    const terms: string[] = [];
    for (let i = 0; i + 1 < syl.length; i++) terms.push(`${PY}${syl[i]!} ${syl[i + 1]!}`);
    const alt: Alternative = { terms: [...new Set(terms)], weight: 0.85 };
    if (syl.length > 2) alt.needles = { kind: 'py', values: [` ${syl.join(' ')} `] };
    alts.push(alt);
  }
  const partial = isLast ? splitWithPartialTail(word) : null;
  if (partial) {
    const syl = partial.syllables;
    const terms = syl.length === 1 ? [PY + syl[0]!] : syl.slice(0, -1).map((s, i) => `${PY}${s} ${syl[i + 1]!}`);
    alts.push({
      terms: [...new Set(terms)],
      needles: { kind: 'py', values: [` ${syl.join(' ')} ${partial.tail}`] },
      weight: 0.75,
    });
    marks.syllables.push(syl);
  }
  if (word.length >= 2 && word.length <= 8) {
    alts.push({ terms: [INI + word], weight: 0.7 });
    marks.initials.add(word);
  }
  return alts;
}

/**
 * ICU's dictionary lacks many administrative abbreviations (公交 comes out as 公|交); as
 * separate required characters they would match almost anything, so runs of single
 * characters are searched as one substring instead.
 */
function mergeSingles(words: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const w of words) {
    if (Array.from(w).length === 1 && !HAN_STOPWORDS.has(w)) {
      pending += w;
      continue;
    }
    if (pending) out.push(pending);
    pending = '';
    out.push(w);
  }
  if (pending) out.push(pending);
  return out;
}

export function compileQuery(text: string, vocab: LatinVocabulary, synonyms: Synonyms, marks: Marks): Unit[] {
  const ps = pieces(normalizeText(text.slice(0, MAX_QUERY_CHARS)));
  const units: Unit[] = [];
  const stopUnits: Unit[] = [];
  ps.forEach((p, index) => {
    if (p.kind === 'latin') {
      units.push({ alternatives: latinAlternatives(p.text, index === ps.length - 1, vocab, synonyms, marks) });
      return;
    }
    for (const word of mergeSingles(synonyms.splitHan(p.text))) {
      const alternatives = [hanAlternative(word, 1, marks)];
      for (const syn of synonyms.of(word)) {
        const alt = phraseAlternative(syn, 0.9, marks);
        if (alt) alternatives.push(alt);
      }
      (HAN_STOPWORDS.has(word) ? stopUnits : units).push({ alternatives });
    }
  });
  // A query made only of function words still searches for them.
  return (units.length > 0 ? units : stopUnits).slice(0, MAX_UNITS);
}

/** HTML-escaped highlight snippets for the hits of one page. */
import type { Marks } from './query.ts';
import { runSyllables } from './pinyin.ts';
import type { SearchDoc } from './types.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
const HAN_RUN = /\p{Script=Han}+/gu;
const SNIPPET_BEFORE = 30;
const SNIPPET_AFTER = 60;

function hasMarks(m: Marks): boolean {
  return m.texts.size > 0 || m.syllables.length > 0 || m.initials.size > 0;
}

/**
 * Per Han run: its syllables, their initials, and where each character starts (relative to the
 * run; a character outside the BMP takes two code units). Runs repeat across a page of hits.
 */
interface RunInfo {
  syl: string[];
  letters: string;
  starts: number[];
}
const runInfoCache = new Map<string, RunInfo | null>();
const RUN_INFO_CACHE_LIMIT = 20_000;

function runInfo(run: string): RunInfo | null {
  const cached = runInfoCache.get(run);
  if (cached !== undefined) return cached;
  const syl = runSyllables(run);
  let info: RunInfo | null = null;
  if (syl) {
    const starts: number[] = [];
    let pos = 0;
    for (const ch of run) {
      starts.push(pos);
      pos += ch.length;
    }
    starts.push(pos);
    info = { syl, letters: syl.map((s) => s[0]).join(''), starts };
  }
  if (runInfoCache.size >= RUN_INFO_CACHE_LIMIT) runInfoCache.clear();
  runInfoCache.set(run, info);
  return info;
}

// Scratch flags reused by every markText call (it is synchronous): one per code unit of the text.
let flags = new Uint8Array(256);

function flag(from: number, to: number): void {
  for (let i = from; i < to; i++) flags[i] = 1;
}

// Names and field names repeat across datasets and pages (a field query looks at every field of
// every hit): their NFKC and lower-case forms are kept. Bounded; abstracts are too long to be worth it.
const normalizedCache = new Map<string, [text: string, lower: string]>();
const NORMALIZED_CACHE_LIMIT = 20_000;
const NORMALIZED_CACHE_MAX_LENGTH = 64;

/** The text with matched parts in <em>, or null when nothing in it matched. */
export function markText(original: string, marks: Marks): string | null {
  if (original.length > NORMALIZED_CACHE_MAX_LENGTH) {
    const text = original.normalize('NFKC');
    return markNormalized(text, text.toLowerCase(), marks);
  }
  let forms = normalizedCache.get(original);
  if (!forms) {
    const text = original.normalize('NFKC');
    forms = [text, text.toLowerCase()];
    if (normalizedCache.size >= NORMALIZED_CACHE_LIMIT) normalizedCache.clear();
    normalizedCache.set(original, forms);
  }
  return markNormalized(forms[0], forms[1], marks);
}

function markNormalized(text: string, lower: string, marks: Marks): string | null {
  // Lower-casing that changes length (rare scripts) would misalign the marks: show no highlight.
  if (lower.length !== text.length || !hasMarks(marks)) return null;
  if (flags.length < text.length) flags = new Uint8Array(Math.max(text.length, flags.length * 2));
  else flags.fill(0, 0, text.length);
  let any = false;
  for (const needle of marks.texts) {
    if (needle === '') continue;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
      flag(at, at + needle.length);
      any = true;
    }
  }
  if (marks.syllables.length > 0 || marks.initials.size > 0) {
    HAN_RUN.lastIndex = 0;
    for (let m = HAN_RUN.exec(lower); m !== null; m = HAN_RUN.exec(lower)) {
      const info = runInfo(m[0]);
      if (!info) continue;
      const { syl, letters, starts } = info;
      const base = m.index;
      for (const seq of marks.syllables) {
        for (let i = 0; i + seq.length <= syl.length; i++) {
          let same = true;
          for (let j = 0; j < seq.length && same; j++) same = syl[i + j] === seq[j];
          if (same) {
            flag(base + starts[i]!, base + starts[i + seq.length]!);
            any = true;
          }
        }
      }
      for (const ini of marks.initials) {
        for (let at = letters.indexOf(ini); at >= 0; at = letters.indexOf(ini, at + 1)) {
          flag(base + starts[at]!, base + starts[at + ini.length]!);
          any = true;
        }
      }
    }
  }
  if (!any) return null;
  let out = '';
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && flags[j] === flags[i]) j++;
    const part = escapeHtml(text.slice(i, j));
    out += flags[i] === 1 ? `<em>${part}</em>` : part;
    i = j;
  }
  return out;
}

/** The marks an abstract excerpt shows: its words only (pinyin is marked in names). */
const textOnlyMarks = new WeakMap<Marks, Marks>();

function textOnly(marks: Marks): Marks {
  let m = textOnlyMarks.get(marks);
  if (!m) textOnlyMarks.set(marks, (m = { ...marks, syllables: [], initials: new Set() }));
  return m;
}

/** A window of the abstract around its first textual match. */
function abstractSnippet(abstract: string, marks: Marks): string | null {
  const text = abstract.normalize('NFKC');
  const lower = text.toLowerCase();
  let first = -1;
  for (const needle of marks.texts) {
    const at = needle === '' ? -1 : lower.indexOf(needle);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  if (first < 0 || lower.length !== text.length) return null;
  const start = Math.max(0, first - SNIPPET_BEFORE);
  const end = Math.min(lower.length, first + SNIPPET_AFTER);
  const marked = markText(text.slice(start, end), textOnly(marks));
  if (!marked) return null;
  return `${start > 0 ? '…' : ''}${marked}${end < lower.length ? '…' : ''}`;
}

export function buildHighlights(doc: SearchDoc, marks: Marks, fieldMarks: Marks): string[] {
  const out: string[] = [];
  if (hasMarks(marks)) {
    const name = markText(doc.name, marks);
    if (name) out.push(name);
    const nameEn = doc.nameEn ? markText(doc.nameEn, marks) : null;
    if (nameEn) out.push(nameEn);
    const snippet = abstractSnippet(doc.abstract, marks);
    if (snippet) out.push(snippet);
  }
  if (hasMarks(fieldMarks)) {
    let n = 0;
    for (const f of doc.fields) {
      const marked = markText(f.name, fieldMarks) ?? (f.description ? markText(f.description, fieldMarks) : null);
      if (marked) {
        out.push(marked);
        if (++n >= 3) break;
      }
    }
  }
  return out;
}

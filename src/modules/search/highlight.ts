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

/** The text with matched parts in <em>, or null when nothing in it matched. */
export function markText(original: string, marks: Marks): string | null {
  const text = original.normalize('NFKC');
  const lower = text.toLowerCase();
  // Lower-casing that changes length (rare scripts) would misalign the marks: show no highlight.
  if (lower.length !== text.length || !hasMarks(marks)) return null;
  const flags = new Uint8Array(text.length);
  let any = false;
  const flag = (from: number, to: number): void => {
    for (let i = from; i < to; i++) flags[i] = 1;
    any = true;
  };
  for (const needle of marks.texts) {
    if (needle === '') continue;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) flag(at, at + needle.length);
  }
  if (marks.syllables.length > 0 || marks.initials.size > 0) {
    for (const m of lower.matchAll(HAN_RUN)) {
      const syl = runSyllables(m[0]);
      if (!syl) continue;
      const starts: number[] = [];
      let pos = m.index;
      for (const ch of m[0]) {
        starts.push(pos);
        pos += ch.length;
      }
      starts.push(pos);
      const markChars = (from: number, count: number): void => flag(starts[from]!, starts[from + count]!);
      for (const seq of marks.syllables) {
        for (let i = 0; i + seq.length <= syl.length; i++) {
          if (seq.every((s, j) => syl[i + j] === s)) markChars(i, seq.length);
        }
      }
      const letters = syl.map((s) => s[0]).join('');
      for (const ini of marks.initials) {
        for (let at = letters.indexOf(ini); at >= 0; at = letters.indexOf(ini, at + 1)) markChars(at, ini.length);
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

/** A window of the abstract around its first textual match. */
function abstractSnippet(abstract: string, marks: Marks): string | null {
  const lower = abstract.normalize('NFKC').toLowerCase();
  let first = -1;
  for (const needle of marks.texts) {
    const at = needle === '' ? -1 : lower.indexOf(needle);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  if (first < 0 || lower.length !== abstract.normalize('NFKC').length) return null;
  const start = Math.max(0, first - SNIPPET_BEFORE);
  const end = Math.min(lower.length, first + SNIPPET_AFTER);
  const marked = markText(abstract.normalize('NFKC').slice(start, end), {
    ...marks,
    syllables: [],
    initials: new Set(),
  });
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

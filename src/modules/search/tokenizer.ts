/** Text normalisation and Chinese/Latin tokenisation shared by indexing and querying. */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** NFKC (full-width → half-width, compatibility forms) then lower case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export type Piece = { kind: 'han'; text: string } | { kind: 'latin'; text: string };

// A Han run, or a run of letters/digits that are not Han (Latin, digits, kana …).
const PIECE_RE = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;

/** Splits already-normalised text into Han runs and Latin/digit words, in order. */
export function pieces(normalized: string): Piece[] {
  const out: Piece[] = [];
  for (const m of normalized.matchAll(PIECE_RE)) {
    if (m[1] !== undefined) out.push({ kind: 'han', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'latin', text: m[2] });
  }
  return out;
}

/** Dictionary words of a Han run as Intl.Segmenter sees them (punctuation dropped). */
export function segmentWords(run: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(run)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** Single characters and character bigrams of a Han run: the fallback that lets part of a word match. */
export function hanGrams(run: string): { unigrams: string[]; bigrams: string[] } {
  const chars = Array.from(run);
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) bigrams.push(chars[i]! + chars[i + 1]!);
  return { unigrams: chars, bigrams };
}

/**
 * The search terms of a text: for Chinese, the segmenter's words followed by every single
 * character and character bigram (so 空气 and 质量 both match 空气质量监测); Latin words
 * lower-cased after NFKC. Deduplicated, in first-seen order.
 */
export function tokenize(text: string): string[] {
  const seen = new Set<string>();
  for (const p of pieces(normalizeText(text))) {
    if (p.kind === 'latin') {
      seen.add(p.text);
      continue;
    }
    for (const w of segmentWords(p.text)) seen.add(w);
    const { unigrams, bigrams } = hanGrams(p.text);
    for (const g of unigrams) seen.add(g);
    for (const g of bigrams) seen.add(g);
  }
  return [...seen];
}

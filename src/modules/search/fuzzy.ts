/**
 * Typo tolerance and prefix completion for Latin words.
 *
 * Written by hand: no maintained npm package does symmetric-delete (SymSpell) lookup over a
 * vocabulary that grows word by word, and the vocabulary here is small (Latin words of
 * catalogue metadata), so a few dozen lines beat a dependency. Lookup costs O(deletes of the
 * query word), never a scan of the vocabulary.
 */

const MAX_PREFIX = 12;

export function maxTypos(length: number): number {
  if (length >= 8) return 2;
  if (length >= 4) return 1;
  return 0;
}

function deletes(word: string, depth: number, out: Set<string>): void {
  if (depth === 0 || word.length <= 1) return;
  for (let i = 0; i < word.length; i++) {
    const d = word.slice(0, i) + word.slice(i + 1);
    if (!out.has(d)) {
      out.add(d);
      deletes(d, depth - 1, out);
    }
  }
}

/** Optimal-string-alignment distance (a transposition counts as one edit), or max+1 when larger. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

export class LatinVocabulary {
  private readonly words = new Set<string>();
  private readonly byDelete = new Map<string, Set<string>>();
  private readonly byPrefix = new Map<string, Set<string>>();

  /** Words only ever get added, so the count tells whether an expansion computed earlier is still current. */
  get size(): number {
    return this.words.size;
  }

  add(word: string): void {
    if (this.words.has(word) || !/^[a-z]{3,}$/.test(word)) return;
    this.words.add(word);
    // Deletes of depth 2 only for words long enough to be matched with two typos.
    const keys = new Set<string>([word]);
    deletes(word, word.length >= 6 ? 2 : 1, keys);
    for (const k of keys) {
      let set = this.byDelete.get(k);
      if (!set) this.byDelete.set(k, (set = new Set()));
      set.add(word);
    }
    for (let len = 2; len < word.length && len <= MAX_PREFIX; len++) {
      const p = word.slice(0, len);
      let set = this.byPrefix.get(p);
      if (!set) this.byPrefix.set(p, (set = new Set()));
      set.add(word);
    }
  }

  /** Vocabulary words within the typo budget of `word` (excluding the word itself). */
  similar(word: string): { word: string; distance: number }[] {
    const max = maxTypos(word.length);
    if (max === 0 || !/^[a-z]+$/.test(word)) return [];
    const keys = new Set<string>([word]);
    deletes(word, max, keys);
    const found = new Map<string, number>();
    for (const k of keys) {
      const set = this.byDelete.get(k);
      if (!set) continue;
      for (const cand of set) {
        if (cand === word || found.has(cand)) continue;
        const d = editDistance(word, cand, max);
        if (d <= max) found.set(cand, d);
      }
    }
    return [...found].map(([w, distance]) => ({ word: w, distance })).sort((a, b) => a.distance - b.distance);
  }

  /** Vocabulary words that start with `prefix` and are longer than it. */
  completions(prefix: string, limit: number): string[] {
    if (prefix.length > MAX_PREFIX) return [];
    const set = this.byPrefix.get(prefix);
    if (!set) return [];
    const out: string[] = [];
    for (const w of set) {
      out.push(w);
      if (out.length >= limit) break;
    }
    return out;
  }
}

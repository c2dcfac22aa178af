import { describe, expect, it } from 'vitest';
import { loadRelevanceSet, measureRelevance } from '../../bench/relevance.ts';

describe('search relevance set', () => {
  it('has at least 50 Chinese queries of every kind, each naming demo resources the public can see', async () => {
    const set = await loadRelevanceSet();
    expect(set.length).toBeGreaterThanOrEqual(50);
    expect(new Set(set.map((q) => q.kind))).toEqual(
      new Set(['word', 'mixed', 'pinyin', 'initials', 'synonym', 'field']),
    );
    expect(set.filter((q) => q.q && /[\u4e00-\u9fff]/.test(q.q)).length).toBeGreaterThanOrEqual(40);
    for (const q of set) expect(q.expected.length, q.q ?? q.fieldQuery).toBeGreaterThan(0);
  });

  it('measures recall@5 and nDCG@10 over the demo catalogue (unknown or hidden keys would throw)', async () => {
    const r = await measureRelevance();
    expect(r.queries).toBeGreaterThanOrEqual(50);
    for (const v of [r.recallAt5, r.ndcgAt10]) {
      expect(v).toBeGreaterThan(0.5);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(r.byKind.initials!.queries).toBeGreaterThan(0);
  });
});

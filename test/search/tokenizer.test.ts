import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize } from '../../src/modules/search/index.ts';

describe('tokenize', () => {
  it('segments Chinese into words and adds single characters and bigrams as a fallback', () => {
    const terms = tokenize('空气质量监测');
    expect(terms.slice(0, 3)).toEqual(['空气', '质量', '监测']);
    // Fallback grams, including one that spans a word boundary.
    for (const t of ['空', '气', '监', '测', '空气', '气质', '量监']) expect(terms).toContain(t);
    expect(new Set(terms).size).toBe(terms.length);
  });

  it('lower-cases Latin words and folds full-width forms (NFKC)', () => {
    expect(tokenize('ＡＱＩ　Station２０２４')).toEqual(['aqi', 'station2024']);
    expect(normalizeText('ＰＭ２．５')).toBe('pm2.5');
  });

  it('splits mixed text into Chinese and Latin parts and drops punctuation', () => {
    const terms = tokenize('PM2.5浓度（μg/m³）');
    expect(terms).toContain('pm2');
    expect(terms).toContain('5');
    expect(terms).toContain('浓度');
    expect(terms.some((t) => /[（）/]/.test(t))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { NOTICE_CODES, REJECTION_CODES, rejectionsToCsv, type Rejection } from '../../src/modules/ingest/index.ts';
import { en } from '../../web/src/i18n/en.ts';
import { zh } from '../../web/src/i18n/zh.ts';

/**
 * The portal words a load's notices and rejections by their codes (web/src/i18n), and the server words the CSV report
 * (ingest/report.ts): every code has its words in both languages, and the two say the same.
 */
describe('the words of a load report', () => {
  const dictionaries = { zh: zh as Record<string, string>, en: en as Record<string, string> };

  it('has every notice and rejection code worded in Chinese and English in the portal', () => {
    for (const [lang, words] of Object.entries(dictionaries)) {
      const missing = [
        ...NOTICE_CODES.map((c) => `notice.${c}`),
        ...REJECTION_CODES.map((c) => `reject.${c}`),
        'reject.bad_value_nulled',
      ].filter((k) => !words[k]);
      expect(missing, lang).toEqual([]);
    }
  });

  it('words each rejection in the CSV report as the portal does', () => {
    for (const [lang, words] of Object.entries(dictionaries) as [keyof typeof dictionaries, Record<string, string>][]) {
      const rejections: Rejection[] = REJECTION_CODES.map((code, i) => ({
        row: i + 1,
        column: null,
        value: null,
        code,
        ...(code === 'bad_value' ? { params: { type: 'datetime', nulled: 0 } } : {}),
        reason: `reason ${i}`,
      }));
      rejections.push({ ...rejections[REJECTION_CODES.indexOf('bad_value')]!, params: { type: 'date', nulled: 1 } });
      const problems = rejectionsToCsv(rejections, lang)
        .split('\r\n')
        .slice(1, -1)
        .map((line) => line.split(',')[3]);
      const expected = rejections.map((r) => {
        const key = r.code === 'bad_value' && r.params?.nulled ? 'reject.bad_value_nulled' : `reject.${r.code}`;
        return words[key]!.replace('{type}', words[`coltype.${String(r.params?.type)}`] ?? '');
      });
      expect(problems, lang).toEqual(expected);
    }
  });
});

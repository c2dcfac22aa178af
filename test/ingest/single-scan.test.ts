import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestOptions } from '../../src/modules/ingest/index.ts';
import { harness, leftovers, type Harness } from './helpers.ts';

/*
 * A CSV is loaded in one scan: types chosen from the first rows, every later value checked while the
 * Parquet file is written, and a fallback to whole-file counts when a value does not fit. Whatever
 * the sample size, the result must be the one inference over the whole file gives: these files are
 * loaded with the default sample (they are shorter, so it is the whole file) and with samples of one
 * and a few rows, and everything a user sees must be the same.
 */

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const lines = (header: string, rows: string[]) => [header, ...rows].join('\n') + '\n';
const many = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i + 1));

const FILES: [string, string | Buffer, Partial<IngestOptions>?][] = [
  [
    'clean typed columns',
    lines(
      'n,amount,when,day,flag,name',
      many(
        50,
        (i) =>
          `${i},${i}.5,2023-01-02 0${i % 10}:00:00,2023-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? '是' : '否'},站${i}`,
      ),
    ),
  ],
  [
    'a late decimal in an integer column',
    lines(
      'n,v',
      many(40, (i) => `${i},${i === 37 ? '12.5' : String(i * 10)}`),
    ),
  ],
  [
    'one more decimal place late',
    lines(
      'v',
      many(40, (i) => (i === 30 ? '1.125' : `${i}.5`)),
    ),
  ],
  [
    'a late exponent',
    lines(
      'v',
      many(40, (i) => (i === 30 ? '1.5e3' : `${i}.5`)),
    ),
  ],
  [
    'a late leading zero makes codes',
    lines(
      'v',
      many(40, (i) => (i === 33 ? '0042' : String(i + 100))),
    ),
  ],
  [
    'a late 16-digit number',
    lines(
      'v',
      many(40, (i) => (i === 33 ? '1234567890123456' : String(i + 100))),
    ),
  ],
  [
    'a late huge decimal',
    lines(
      'v',
      many(40, (i) => (i === 33 ? '123456789012345678.5' : `${i}.5`)),
    ),
  ],
  [
    'a late non-date',
    lines(
      'd',
      many(40, (i) => (i === 39 ? '2023-02-30' : `2023-01-${String((i % 28) + 1).padStart(2, '0')}`)),
    ),
  ],
  [
    'a late time in a date column',
    lines(
      'd',
      many(40, (i) => (i === 39 ? '2023-01-05 10:00' : '2023-01-05')),
    ),
  ],
  [
    'dates in several forms',
    lines(
      'd,t',
      many(40, (i) =>
        i % 3 === 0
          ? '2023年1月5日,2023/1/5 9:05'
          : i % 3 === 1
            ? '2023.01.05,2023-01-05T09:05:00'
            : '2023/1/5,2023-01-05 09:05:00.25',
      ),
    ),
  ],
  [
    'a sparse column that fills in late',
    lines(
      'a,b',
      many(40, (i) => `${i},${i > 35 ? String(i) : ''}`),
    ),
  ],
  [
    'a sparse column with text late',
    lines(
      'a,b',
      many(40, (i) => `${i},${i > 35 ? '备注' : ''}`),
    ),
  ],
  [
    'padded and quoted values',
    lines(
      'a,b',
      many(40, (i) => (i === 20 ? ` ${i} ,"  7 "` : i === 30 ? `${i},""` : `${i},${i}`)),
    ),
  ],
  [
    'thousand separators late',
    lines(
      'a,b',
      many(40, (i) => (i > 30 ? `${i},"1,234.5"` : `${i},${i}.25`)),
    ),
  ],
  [
    'thousand separators everywhere',
    lines(
      'a',
      many(40, (i) => `"${i},000"`),
    ),
  ],
  [
    'signs and bare points',
    lines(
      'a,b',
      many(40, (i) => (i === 25 ? '+5,.5' : i === 26 ? '-0,-.25' : `${i},${i}.75`)),
    ),
  ],
  // Each a value that DuckDB's DECIMAL(18, 1) cast accepts, some changing it: only the first row of each column is in
  // a small sample, so each is checked on its own.
  [
    'decimal forms late: trailing point or zero, whole number, negative, rounded, underscore, leading zero',
    lines(
      'point,whole,negative,zero,rounded,underscore,leading',
      many(40, (i) =>
        i === 30 ? '12.,3,-0.5,12.50,1.25,1_0,007.5' : `${i}.5,${i}.5,${i}.5,${i}.5,${i}.5,${i}.5,${i}.5`,
      ),
    ),
  ],
  [
    'a late boolean misfit',
    lines(
      'ok',
      many(40, (i) => (i === 38 ? 'maybe' : i % 2 ? 'yes' : 'no')),
    ),
  ],
  [
    'mobile numbers then something else',
    lines(
      'contact',
      many(40, (i) => (i === 35 ? '020-12345678' : `1380013${String(8000 + i)}`)),
    ),
  ],
  [
    'same-length codes then one longer',
    lines(
      'k',
      many(40, (i) => (i === 35 ? '4401110010' : `44011100${i % 10}`)),
    ),
  ],
  [
    'a code column by name that gets a sign',
    lines(
      '编号',
      many(40, (i) => (i === 35 ? '-5' : String(i))),
    ),
  ],
  [
    'text that is 95% numbers',
    lines(
      'v',
      many(60, (i) => (i === 50 ? 'n/a' : String(i))),
    ),
  ],
  [
    'text that is 95% numbers, reject_row',
    lines(
      'v',
      many(60, (i) => (i === 50 ? 'n/a' : String(i))),
    ),
    { badValuePolicy: 'reject_row' },
  ],
  [
    // The first rows are text, so the sample says text; the whole file is 96% dates, which chooseType mentions.
    'text first, then 96% dates',
    lines(
      'a,v',
      many(50, (i) => `站${i},${i <= 2 ? '待定' : `2023-01-${String((i % 28) + 1).padStart(2, '0')}`}`),
    ),
  ],
  [
    'text first, then 96% booleans, reject_row',
    lines(
      'v',
      many(50, (i) => (i <= 2 ? '未知' : i % 2 ? '是' : '否')),
    ),
    { badValuePolicy: 'reject_row' },
  ],
  [
    'text first, then only numbers',
    lines(
      'v,w',
      many(50, (i) => (i <= 2 ? `,名${i}` : `${i},名${i}`)),
    ),
  ],
  [
    'numbers first, text later',
    lines(
      'v',
      many(40, (i) => (i > 30 ? '暂无' : String(i))),
    ),
  ],
  [
    'an override and a late misfit',
    lines(
      'a,b',
      many(40, (i) => `${i},${i === 33 ? 'x' : i}`),
    ),
    { typeOverrides: { b: 'integer' } },
  ],
  [
    'an override to decimal with leading zeros',
    lines(
      'a,b',
      many(40, (i) => `${i},0${i}.5`),
    ),
    { typeOverrides: { b: 'decimal' } },
  ],
  [
    'an override to text',
    lines(
      'a,b',
      many(40, (i) => `${i},${i}`),
    ),
    { typeOverrides: { b: 'text' } },
  ],
  [
    'ragged rows and a late misfit',
    lines(
      'a,b',
      many(40, (i) => (i === 10 ? '1,2,3' : i === 36 ? `${i},x` : `${i},${i}`)),
    ),
  ],
  [
    'Excel serial dates',
    lines(
      '统计日期,件数',
      many(40, (i) => `${44186 + i},${i}`),
    ),
  ],
  [
    'Excel serial dates and a late six-digit number',
    lines(
      '统计日期,件数',
      many(40, (i) => `${i === 35 ? 123456 : 44186 + i},${i}`),
    ),
  ],
  [
    'NUL bytes in numbers',
    lines(
      'a,b',
      many(40, (i) => (i === 30 ? `${i},4\u00002` : `${i},${i}`)),
    ),
  ],
  [
    // DuckDB refuses the file; it is loaded again with every line ending in LF (see csv.test.ts).
    'a CR LF line late in an LF file',
    lines(
      'n,v',
      many(40, (i) => `${i},${i * 10}${i === 35 ? '\r' : ''}`),
    ),
  ],
  [
    'GB18030 text and numbers',
    iconv.encode(
      lines(
        '名称,数量',
        many(40, (i) => `站点${i},${i === 39 ? '1.5' : i}`),
      ),
      'gb18030',
    ),
  ],
];

async function load(content: string | Buffer, opts: Partial<IngestOptions>) {
  const r = await h.ingest(content, 'f.csv', opts);
  const { out, ...result } = r;
  return { result, rows: await h.rows(out), schema: await h.schema(out) };
}

describe('single-scan load gives the whole-file result', () => {
  // With the fast path (fastCheckMinBytes 0) too: the WebAssembly check of the raw bytes beside a COPY from the typed
  // reader, falling back to the checked COPY on what it does not vouch for (csv-check.ts).
  const fastUsed = new Map<string, boolean[]>();
  it.each(FILES)('%s', async (name, content, opts = {}) => {
    const whole = await load(content, opts);
    for (const sample of [1, 3, 25]) {
      const part = await load(content, { ...opts, inferenceSampleRows: sample });
      expect(part, `sample of ${sample} row(s)`).toEqual(whole);
      const outcomes: boolean[] = [];
      const fast = await load(content, {
        ...opts,
        inferenceSampleRows: sample,
        fastCheckMinBytes: 0,
        onFastCheck: (o) => outcomes.push(o.used),
      });
      expect(fast, `sample of ${sample} row(s), fast path`).toEqual(whole);
      fastUsed.set(name, [...(fastUsed.get(name) ?? []), ...outcomes]);
    }
    expect(leftovers(h)).toEqual([]);
  });

  it('takes the fast path for canonical files and leaves it for the others', () => {
    // Every value in a canonical form: vouched for with each sample size.
    expect(fastUsed.get('clean typed columns')).toEqual([true, true, true]);
    // A value the check does not vouch for: the checked COPY wrote the file.
    for (const name of [
      'padded and quoted values',
      'thousand separators late',
      'signs and bare points',
      'GB18030 text and numbers',
    ]) {
      expect(fastUsed.get(name), name).toEqual([false, false, false]);
    }
    // NUL bytes: never tried.
    expect(fastUsed.get('NUL bytes in numbers')).toEqual([]);
    // Refused by DuckDB for its line ends, then loaded from the copy with one kind: through the fast path.
    expect(fastUsed.get('a CR LF line late in an LF file')).toEqual([true, true, true]);
  });

  it('loads the file with a late CR LF line from its copy, typed, and says so', async () => {
    const mixed = FILES.find(([name]) => name === 'a CR LF line late in an LF file')![1];
    const { result } = await load(mixed, { fastCheckMinBytes: 0 });
    expect(result.columns.map((c) => c.type)).toEqual(['integer', 'integer']);
    expect(result.notices.map((n) => [n.code, n.params.line, n.params.changed])).toEqual([
      ['line_ends_normalized', 36, 1],
    ]);
  });

  it('still infers over the whole file: a late value changes the type', async () => {
    const r = await h.ingest(
      lines(
        'v',
        many(40, (i) => (i === 33 ? '12.5' : String(i))),
      ),
      'late.csv',
      {
        inferenceSampleRows: 5,
      },
    );
    expect(r.columns[0]).toMatchObject({ name: 'v', type: 'decimal' });
    expect((await h.rows(r.out))[32]?.v).toBe('12.5');
  });
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCsv, type FastColumn } from '../../src/modules/ingest/csv-check.ts';
import { mayFitExpr } from '../../src/modules/ingest/infer.ts';
import type { FastCheckOutcome } from '../../src/modules/ingest/index.ts';
import { harness, leftovers, type Harness } from './helpers.ts';

/*
 * The fast path's WebAssembly check of raw CSV bytes (csv-check.ts): it must vouch only for values whose typed value
 * from DuckDB's reader is what the checked COPY would give, and only for layouts it reads as DuckDB does; and a load
 * through it must give what the checked COPY gives.
 */

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const TEXT: FastColumn = { kind: 'text' };
const INT: FastColumn = { kind: 'integer' };
const DEC2: FastColumn = { kind: 'decimal', scale: 2, maxIntDigits: 16 };
const DATE: FastColumn = { kind: 'date' };
const WHEN: FastColumn = { kind: 'datetime' };

const check = (content: string | Buffer, columns: FastColumn[], opts: { bom?: boolean; delimiter?: string } = {}) =>
  checkCsv(h.file('c.csv', content), {
    delimiter: opts.delimiter ?? ',',
    headerRecords: 1,
    bom: opts.bom ?? false,
    columns,
  });

describe('the check of one value', () => {
  const CASES: [FastColumn, string[], string[]][] = [
    [
      INT,
      ['0', '7', '-12', '123456789012345', '-12345678901234'],
      ['-0', '007', '+5', '1,234', ' 5', '5 ', '1e3', '1234567890123456', '12.0', '1_0', '５'],
    ],
    [
      DEC2,
      // Up to 16 bytes the bytes are tested at once (SIMD), longer ones one by one: both lengths on both sides.
      [
        '0',
        '0.5',
        '-0.5',
        '12.25',
        '3',
        '-3',
        '0.00',
        '-0.01',
        '-1234567890123.5',
        '1234567890123456',
        '1234567890123456.5',
        '0.05',
      ],
      [
        ...['-0', '-0.0', '-0.00', '.5', '12.', '12.255', '007.5', '00', '1_0', '+1', '1e1', '1.5 ', '1,5'],
        ...['-', '.', '-.5', '1.2.3', '--1', '1-2', '123456789012.345', '12345678901234567', '-12345678901234567.5'],
      ],
    ],
    [
      DATE,
      ['2024-02-29', '1999-12-31', '2000-02-29', '9999-01-01'],
      ['2023-02-29', '1900-02-29', '2023-13-01', '2023-00-10', '2023-01-00', '2023-04-31', '2023-1-05', '0999-01-01'],
    ],
    [
      WHEN,
      ['2023-01-05 23:59:59', '2023-01-05 00:00:00'],
      ['2023-01-05 24:00:00', '2023-01-05T10:00:00', '2023-01-05 10:00', '2023-01-05 10:00:60', '2023-02-30 10:00:00'],
    ],
    [
      TEXT,
      ['a', '站 名', 'x\ty', '"', '0042'],
      [' a', 'a ', '\u3000a', 'a\u3000', '\u00a0a', 'a\u00a0', '\ta', 'a\r', ' '],
    ],
  ];
  const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;

  it.each(CASES)('%o: vouches for the canonical forms only', async (column, good, bad) => {
    for (const v of good) {
      expect(await check(`h,k\n,1\n${quoted(v)},2\n,3\n`, [column, INT]), v).toMatchObject({ ok: true, records: 3 });
    }
    for (const v of bad) {
      const content = `h,k\n,1\n${quoted(v)},2\n,3\n`;
      expect(await check(content, [column, INT]), v).toEqual({
        ok: false,
        reason: 'value',
        offset: Buffer.from(content).indexOf(`\n${quoted(v)},`) + 1,
        column: 0,
      });
    }
  });

  it("counts a text column's values and those that could fit another type, as the SQL bound does", async () => {
    const values = ['12a', 'Yes', '是', 'FALSE', '.5x', '-', '+1', 'N', '是的', 'abc', 'falsey', '"quoted"', '错'];
    const content = `t,n\n${values.map((v, i) => `"${v.replace(/"/g, '""')}",${i}`).join('\n')}\n,99\n`;
    const r = await check(content, [TEXT, INT]);
    expect(r).toMatchObject({ ok: true, records: values.length + 1 });
    // The same counts from DuckDB over the values, with the expression the load's bound uses.
    const expected = await h.engine.withConnection(async (c) => {
      const list = values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
      const row = (
        await c.runAndReadAll(`SELECT count(x), count_if(${mayFitExpr('x')}) FROM unnest([${list}, NULL]) t(x)`)
      ).getRows()[0];
      return { nonNull: Number(row?.[0]), mayFit: Number(row?.[1]) };
    });
    expect(expected).toEqual({ nonNull: 13, mayFit: 9 });
    expect(r.ok && r.counts[0]).toEqual(expected);
  });

  it('an empty field is NULL in every type; a column of kind none is not looked at', async () => {
    const none: FastColumn = { kind: 'none' };
    const content = 'a,b,c,d,e,f\n,,,"",,\n1,1.5,2023-01-01,x,2023-01-01 00:00:00, anything \n';
    expect(await check(content, [INT, DEC2, DATE, TEXT, WHEN, none])).toMatchObject({ ok: true, records: 2 });
  });
});

describe('the layout', () => {
  it('reads quotes, escaped quotes, line breaks in quotes, CRLF, a BOM and a last line without a line end', async () => {
    const content = '\ufeff名称,数量\r\n"a,b",1\r\n"say ""hi""",2\r\n"two\nlines",3\r\n站,4';
    expect(await check(content, [TEXT, INT], { bom: true })).toMatchObject({ ok: true, records: 4 });
    expect(await check('a\tb\nx y\t1\n', [TEXT, INT], { delimiter: '\t' })).toMatchObject({ ok: true, records: 1 });
  });

  it.each([
    ['LF', 'a,b\nx,1\ny,2\n\n'],
    ['CRLF', 'a,b\r\nx,1\r\ny,2\r\n\r\n\r\n'],
    ['mixed, several', 'a,b\nx,1\ny,2\n\r\n\n\n'],
  ])(
    'passes empty lines at the end of the file (%s), which are not records, as DuckDB skips them',
    async (_, content) => {
      expect(await check(content, [TEXT, INT])).toMatchObject({ ok: true, records: 2 });
    },
  );

  it.each([
    ['a quote inside a field', 'a,b\nx"y,1\n', 5],
    ['text after a closing quote', 'a,b\n"x"y,1\n', 7],
    ['a short record', 'a,b\nx,1\ny\n', 8],
    ['a long record', 'a,b\nx,1,2\n', 4],
    ['an empty line', 'a,b\nx,1\n\ny,2\n', 8],
    ['empty lines before a record', 'a,b\nx,1\n\r\n\ny,2\n', 8],
    ['an empty line before a lone CR at the end', 'a,b\nx,1\n\n\r', 8],
    ['a lone CR', 'a,b\nx,1\ry,2\n', 7],
    ['a quote never closed', 'a,b\n"x,1\n', 4],
  ])('%s is left to the checked COPY', async (_name, content, offset) => {
    expect(await check(content, [TEXT, INT])).toMatchObject({ ok: false, reason: 'layout', offset });
  });
});

describe('records cut by the end of a 4 MiB read', () => {
  // ~12 MiB of records of varying length (multi-byte text, quoted fields with delimiters and line breaks) so that
  // records straddle each chunk's end at different places.
  const ROWS = 150_000;
  const row = (i: number) =>
    `${i},"站点${'名'.repeat(i % 23)},${i % 7}\n号",${(i % 1000) + 0.25},2023-01-${String((i % 28) + 1).padStart(2, '0')} 0${i % 10}:00:00\n`;
  const body = () => 'n,name,v,t\n' + Array.from({ length: ROWS }, (_, i) => row(i + 1)).join('');
  const columns = [INT, TEXT, DEC2, WHEN];

  it('are checked whole, and the first bad value is found where it is', async () => {
    const content = body();
    expect(Buffer.byteLength(content)).toBeGreaterThan(2 * (4 << 20));
    // Each text value counted once, also in records read again after a cut.
    expect(await check(content, columns)).toMatchObject({
      ok: true,
      records: ROWS,
      counts: [{}, { nonNull: ROWS, mayFit: 0 }, {}, {}],
    });
    // A bad value in the first record that ends after each chunk boundary, and in the last record.
    const bytes = Buffer.from(content);
    // The start of the record around `at`: after a line end that is followed by a digit (the others are quoted).
    const recordStart = (at: number): number => {
      const nl = bytes.lastIndexOf('\n', at);
      const next = bytes[nl + 1] ?? 0;
      return next >= 0x30 && next <= 0x39 ? nl + 1 : recordStart(nl - 1);
    };
    for (const boundary of [4 << 20, 8 << 20, bytes.length - 2]) {
      const start = recordStart(boundary - 1); // the record the boundary cuts
      const bad = Buffer.concat([bytes.subarray(0, start), Buffer.from('0'), bytes.subarray(start)]);
      expect(await check(bad, columns), `record at ${start}`).toEqual({
        ok: false,
        reason: 'value',
        offset: start,
        column: 0,
      });
    }
  });

  it('keeps empty lines cut by a read for the next: they pass at the end of the file, and are found before data', async () => {
    // Records up to 2 bytes before the end of the first 4 MiB read, then empty lines across it.
    const line = '123456,站点名称\n'; // 20 bytes
    const full = Math.floor(((4 << 20) - 2 - 4) / Buffer.byteLength(line));
    const records = 'a,b\n' + line.repeat(full);
    const pad = (4 << 20) - 2 - Buffer.byteLength(records);
    expect(pad).toBeGreaterThanOrEqual(4);
    const content = records + `${'9'.repeat(pad - 3)},x\n` + '\n'.repeat(6);
    const blankAt = Buffer.byteLength(content) - 6;
    expect(blankAt).toBeLessThan(4 << 20);
    expect(blankAt + 6).toBeGreaterThan(4 << 20);
    expect(await check(content, [TEXT, TEXT])).toMatchObject({ ok: true, records: full + 1 });
    expect(await check(`${content}1,y\n`, [TEXT, TEXT])).toMatchObject({
      ok: false,
      reason: 'layout',
      offset: blankAt,
    });
  });

  it('a record longer than the room kept for a cut record leaves the fast path', async () => {
    // It starts 2.4 MB into the file: at the end of the first 4 MiB read, 1.8 MB of it is not yet complete.
    const before = Array.from({ length: 125_000 }, (_, i) => `${i},站点名称\n`).join('');
    expect(Buffer.byteLength(before)).toBeGreaterThan(2_000_000);
    expect(Buffer.byteLength(before)).toBeLessThan(3_000_000);
    const content = `a,b\n${before}2,"${'长'.repeat(800_000)}"\n3,y\n`;
    expect(await check(content, [INT, TEXT])).toMatchObject({ ok: false, reason: 'layout' });
  });
});

describe('a load through the fast path', () => {
  const ROWS = 120_000;
  // ~9 MiB: over the 8 MiB from which loads take the fast path by default.
  const row = (i: number) =>
    `G${i % 500},"${i % 3 ? '云溪站' : '白石, 区域站'}",113.${String(i % 1000).padStart(3, '0')},${(i % 40) - 5}.${i % 10},${i % 100},2023-01-${String((i % 28) + 1).padStart(2, '0')} 0${i % 10}:00:00,${i % 2 ? '是' : '否'},备注${'x'.repeat(i % 20)}\n`;
  const header = '站号,站名,经度,气温,湿度,观测时间,有效,备注\n';
  const content = (late?: string) =>
    header + Array.from({ length: ROWS }, (_, i) => (late && i === ROWS - 10 ? late : row(i + 1))).join('');

  async function load(body: string | Buffer, fastCheckMinBytes?: number) {
    const outcomes: FastCheckOutcome[] = [];
    const r = await h.ingest(body, 'big.csv', { fastCheckMinBytes, onFastCheck: (o) => outcomes.push(o) });
    const { out, ...result } = r;
    return { outcomes, result, rows: await h.rows(out), schema: await h.schema(out) };
  }

  it('gives what the checked COPY gives, for a canonical file (UTF-8 and GB18030)', async () => {
    const body = content();
    expect(Buffer.byteLength(body)).toBeGreaterThan(8 << 20);
    const fast = await load(body);
    expect(fast.outcomes).toEqual([{ used: true }]);
    const checked = await load(body, Infinity);
    expect(checked.outcomes).toEqual([]);
    expect(fast.result).toEqual(checked.result);
    expect(fast.schema).toEqual(checked.schema);
    expect(fast.rows).toEqual(checked.rows);
    expect(fast.result.columns.map((c) => c.type)).toEqual([
      'text',
      'text',
      'decimal',
      'decimal',
      'integer',
      'datetime',
      'boolean',
      'text',
    ]);
    const gb = await load(iconv.encode(body, 'gb18030'), 0);
    expect(gb.outcomes).toEqual([{ used: true }]);
    expect(gb.rows).toEqual(checked.rows);
    expect(leftovers(h)).toEqual([]);
  });

  it('takes a file that ends with empty lines, as the checked COPY does', async () => {
    const body = `${content()}\n\n\n`;
    const fast = await load(body);
    expect(fast.outcomes).toEqual([{ used: true }]);
    const checked = await load(body, Infinity);
    expect(fast.result).toEqual(checked.result);
    expect(fast.result.rowsLoaded).toBe(ROWS);
    expect(fast.rows).toEqual(checked.rows);
    expect(leftovers(h)).toEqual([]);
  });

  it.each([
    ['a padded number', 'G1,站,113.5, 7.5,1,2023-01-01 00:00:00,是,x\n', 'value', ' 7.5'],
    ['a number with a leading zero', 'G1,站,113.5,7.5,01,2023-01-01 00:00:00,是,x\n', 'value', '01'],
    ['a ragged row', 'G1,站,113.5,7.5,1,2023-01-01 00:00:00,是\n', 'layout', 'G1'],
  ])('leaves it for the checked COPY at %s near the end, with the same result', async (_name, late, reason, at) => {
    const body = content(late);
    const fast = await load(body);
    // Where: the value's first byte, or the start of a record whose layout it does not vouch for.
    const offset = Buffer.from(body).indexOf(late) + Buffer.byteLength(late.slice(0, late.indexOf(at)));
    expect(fast.outcomes).toEqual([
      { used: false, reason, offset, column: reason === 'value' ? late.split(',').indexOf(at) : expect.anything() },
    ]);
    const checked = await load(body, Infinity);
    expect(fast.result).toEqual(checked.result);
    expect(fast.rows).toEqual(checked.rows);
    expect(leftovers(h)).toEqual([]);
  });

  it('a late boolean misfit (a column the check leaves to the COPY) still changes the type', async () => {
    const body = content('G1,站,113.5,7.5,1,2023-01-01 00:00:00,也许,x\n');
    const fast = await load(body);
    const checked = await load(body, Infinity);
    expect(fast.result.columns[6]).toMatchObject({ name: '有效', type: 'text' });
    expect(fast.result).toEqual(checked.result);
    expect(fast.rows).toEqual(checked.rows);
  });
});

describe('a file taken for UTF-8 from its start', () => {
  // Only the first 64 MiB of a file for the fast path are checked before the load; the check reads the rest. Past
  // them, these files are not UTF-8 without NUL: the load starts again, and ends as a load checked first would.
  const ROWS = 3_300_000;
  const body = (late: Buffer) => {
    const rows = Array.from({ length: ROWS }, (_, i) => `${i + 1},name${i % 100},${i % 1000}.5\n`).join('');
    return Buffer.concat([Buffer.from(`n,name,v\n${rows}`), late, Buffer.from(`${ROWS + 2},end,1.5\n`)]);
  };
  async function load(content: Buffer, fastCheckMinBytes?: number) {
    const outcomes: FastCheckOutcome[] = [];
    const r = await h.ingest(content, 'late.csv', { fastCheckMinBytes, onFastCheck: (o) => outcomes.push(o) });
    const { out, ...result } = r;
    return { outcomes, result, tail: await h.rows(out, '_id', `_id > ${ROWS - 2}`) };
  }

  it.each([
    ['GB18030 bytes', iconv.encode(`${ROWS + 1},气象站,2.5\n`, 'gb18030'), '气象站'],
    ['a NUL byte', Buffer.from(`${ROWS + 1},na\u0000me,2.5\n`), 'name'],
  ])('%s past the first 64 MiB', async (_name, late, value) => {
    const content = body(late);
    expect(content.indexOf(late)).toBeGreaterThan(64 << 20);
    const fast = await load(content);
    const checked = await load(content, Infinity);
    expect(checked.outcomes).toEqual([]);
    expect(fast.outcomes[0]).toMatchObject({ used: false, reason: 'encoding' });
    expect(fast.result).toEqual(checked.result);
    expect(fast.tail).toEqual(checked.tail);
    expect(fast.tail.map((r) => r.name)).toEqual(['name98', 'name99', value, 'end']);
    expect(leftovers(h)).toEqual([]);
  });

  it('declared UTF-8, with GB18030 bytes past the first 64 MiB: the same error as when checked first', async () => {
    const content = body(iconv.encode(`${ROWS + 1},气象站,2.5\n`, 'gb18030'));
    const error = (fastCheckMinBytes: number | undefined) =>
      h.ingest(content, 'late.csv', { encoding: 'utf-8', fastCheckMinBytes }).then(
        () => null,
        (err: unknown) => err,
      );
    const checked = await error(Infinity);
    expect(checked).toMatchObject({ code: 'encoding_mismatch' });
    expect(await error(undefined)).toEqual(checked);
    expect(leftovers(h)).toEqual([]);
  });
});

describe('the WebAssembly modules', () => {
  it('are what their sources build to', async () => {
    // `npm run build:wasm`, each build writing elsewhere.
    const root = path.resolve(import.meta.dirname, '../..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const builds = (pkg.scripts['build:wasm'] ?? '').split(' && ');
    expect(builds.map((b) => b.split(' ')[1])).toEqual(['wasm/csv-check.ts', 'wasm/gb18030.ts']);
    for (const build of builds) {
      const [command, ...args] = build.split(' ');
      expect(command).toBe('asc');
      const committed = args[args.indexOf('-o') + 1] as string;
      const out = path.join(h.dir, path.basename(committed));
      args[args.indexOf('-o') + 1] = out;
      await promisify(execFile)(process.execPath, ['node_modules/assemblyscript/bin/asc.js', ...args], { cwd: root });
      expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(root, committed))), committed).toBe(true);
    }
  });
});

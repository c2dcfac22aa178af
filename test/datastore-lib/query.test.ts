import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/http/errors.ts';
import {
  buildRowsQuery,
  parseRowsRequest,
  runRowsQuery,
  type RowsRequest,
  type TableSource,
} from '../../src/modules/datastore/query/index.ts';
import { makeFixture, makeGenerated, type Fixture } from './fixtures.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(() => fx.cleanup());

const req = (q: Record<string, unknown>): RowsRequest => parseRowsRequest(q);
const ids = (records: Record<string, unknown>[]) => records.map((r) => r._id);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
  return undefined;
}

describe('parseRowsRequest', () => {
  it('reads the query-string form', () => {
    const r = req({
      fields: '站点, 区',
      filters: '{"and":[{"field":"站点","op":"eq","value":"东湖站"}]}',
      sort: '站点 asc, 时间 desc',
      limit: '20',
      offset: '40',
    });
    expect(r.fields).toEqual(['站点', '区']);
    expect(r.sort).toEqual([
      { field: '站点', dir: 'asc' },
      { field: '时间', dir: 'desc' },
    ]);
    expect(r.limit).toBe(20);
    expect(r.offset).toBe(40);
    expect(r.filters).toEqual({ and: [{ field: '站点', op: 'eq', value: '东湖站' }] });
  });

  it('rejects bad limits, operators and JSON', () => {
    expect(codeOf(() => req({ limit: 10_001 }))).toBe('400 limit_too_large');
    expect(codeOf(() => req({ limit: '-1' }))).toBe('400 invalid_limit');
    expect(codeOf(() => req({ filters: '{nope' }))).toBe('400 invalid_filters');
    expect(codeOf(() => req({ filters: { field: 'a', op: 'like', value: 'x' } }))).toBe('400 invalid_filters');
    expect(codeOf(() => req({ filters: { field: 'a', op: 'between', value: [1] } }))).toBe('400 invalid_filter_value');
    expect(codeOf(() => req({ filters: { field: 'a', op: 'is_null', value: 'yes' } }))).toBe(
      '400 invalid_filter_value',
    );
  });

  it('defaults the limit to 100', () => {
    expect(req({}).limit).toBe(100);
  });
});

describe('buildRowsQuery', () => {
  it('binds values as parameters and never splices them', () => {
    const hostile = `x'); DROP TABLE t; --`;
    const built = buildRowsQuery(fx.small, req({ filters: { field: '站点', op: 'eq', value: hostile } }));
    expect(built.sql).not.toContain('DROP');
    expect(built.params).toContain(hostile);
  });

  it('names an unknown field', () => {
    let err: unknown;
    try {
      buildRowsQuery(fx.small, req({ fields: '站点,密码' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('unknown_field');
    expect((err as AppError).message).toContain('密码');
    expect(codeOf(() => buildRowsQuery(fx.small, req({ sort: '"_id"; DROP' })))).toBe('400 unknown_field');
  });
});

describe('runRowsQuery', () => {
  it('returns typed JSON-safe values with the file row count as total', async () => {
    const r = await runRowsQuery(fx.engine, fx.small, req({ limit: 3 }));
    expect(r.total).toBe(10);
    expect(r.totalExact).toBe(true);
    expect(r.fields.map((f) => f.id)).toEqual(['_id', '站点', '区', '数值', '计数', '有效', '日期', '时间', '姓名']);
    expect(r.records[0]).toEqual({
      _id: 1,
      站点: '东湖站',
      区: '武昌区',
      数值: 1.5,
      计数: 10,
      有效: true,
      日期: '2024-01-01',
      时间: '2024-01-01T08:00:00.123456',
      姓名: '张**',
    });
    const big = await runRowsQuery(fx.engine, fx.small, req({ filters: { field: '_id', op: 'eq', value: 4 } }));
    // 9007199254740993 is not a safe JS number: it stays exact as a string.
    expect(big.records[0]?.计数).toBe('9007199254740993');
    expect(JSON.parse(JSON.stringify(r.records))).toEqual(r.records);
  });

  it('filters with every operator, nested and/or', async () => {
    const run = async (filters: unknown) =>
      ids((await runRowsQuery(fx.engine, fx.small, req({ filters, fields: '_id' }))).records);
    expect(await run({ field: '站点', op: 'eq', value: '东湖站' })).toEqual([1, 6, 7]);
    expect(await run({ field: '站点', op: 'ne', value: '东湖站' })).toEqual([2, 3, 4, 5, 8, 9, 10]);
    expect(await run({ field: '数值', op: 'lt', value: 2.5 })).toEqual([1]);
    expect(await run({ field: '数值', op: 'lte', value: '2.5' })).toEqual([1, 2]);
    expect(await run({ field: '计数', op: 'gt', value: 90 })).toEqual([4, 10]);
    expect(await run({ field: '日期', op: 'gte', value: '2024-01-09' })).toEqual([9, 10]);
    expect(await run({ field: '区', op: 'in', value: ['汉阳区', '洪山区'] })).toEqual([2, 4, 6, 7]);
    expect(await run({ field: '站点', op: 'contains', value: 'brien' })).toEqual([8]);
    expect(await run({ field: '有效', op: 'is_null', value: true })).toEqual([4]);
    expect(await run({ field: '时间', op: 'between', value: ['2024-01-02', '2024-01-03 23:59'] })).toEqual([2, 3]);
    expect(await run({ field: '有效', op: 'eq', value: false })).toEqual([2, 6, 9]);
    expect(
      await run({
        and: [
          { field: '区', op: 'eq', value: '武昌区' },
          {
            or: [
              { field: '站点', op: 'eq', value: '南湖站' },
              { field: '站点', op: 'is_null', value: true },
            ],
          },
        ],
      }),
    ).toEqual([3, 5, 10]);
    // CKAN-style shorthand
    expect(await run('{"站点":"西湖站","区":["汉阳区"]}')).toEqual([2]);
  });

  it('filters and sorts on the masked value, never the raw one', async () => {
    const run = async (q: Record<string, unknown>) => (await runRowsQuery(fx.engine, fx.small, req(q))).records;
    expect(await run({ filters: { field: '姓名', op: 'eq', value: '张三丰' } })).toEqual([]);
    expect(await run({ filters: { field: '姓名', op: 'contains', value: '三' } })).toEqual([]);
    expect(ids(await run({ filters: { field: '姓名', op: 'eq', value: '张**' } }))).toEqual([1]);
    const grouped = await runRowsQuery(fx.engine, fx.small, req({ groupBy: '姓名', sort: '姓名' }));
    expect(grouped.records.every((r) => String(r.姓名).endsWith('**'))).toBe(true);
  });

  it('rejects values of the wrong type with the field named', async () => {
    await expect(
      runRowsQuery(fx.engine, fx.small, req({ filters: { field: '计数', op: 'eq', value: 'abc' } })),
    ).rejects.toMatchObject({ code: 'invalid_filter_value', extras: { field: '计数' } });
    await expect(
      runRowsQuery(fx.engine, fx.small, req({ filters: { field: '日期', op: 'eq', value: '2024-02-31' } })),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_filter_value' });
  });

  it('sorts on several keys with nulls last, and pages by offset', async () => {
    const r = await runRowsQuery(fx.engine, fx.small, req({ sort: '站点 asc, 时间 desc', fields: '_id,站点' }));
    expect(ids(r.records)).toEqual([8, 7, 6, 1, 4, 10, 3, 9, 2, 5]);
    const p2 = await runRowsQuery(fx.engine, fx.small, req({ sort: '站点 asc, 时间 desc', limit: 3, offset: 3 }));
    expect(ids(p2.records)).toEqual([1, 4, 10]);
    expect(p2.total).toBe(10);
  });

  it('pages by keyset cursor through every row exactly once, with null sort values', async () => {
    for (const sort of ['站点 asc, 时间 desc', '数值 desc', '有效 asc, 计数 desc', '']) {
      const seen: unknown[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await runRowsQuery(fx.engine, fx.small, req({ sort, limit: 3, cursor }));
        seen.push(...ids(page.records));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      const all = await runRowsQuery(fx.engine, fx.small, req({ sort }));
      expect(seen).toEqual(ids(all.records));
      expect(new Set(seen).size).toBe(10);
    }
  });

  it('rejects a tampered cursor or one from another sort', async () => {
    const page = await runRowsQuery(fx.engine, fx.small, req({ sort: '站点', limit: 2 }));
    const cursor = page.nextCursor as string;
    expect(cursor).toBeTruthy();
    const [body, sum] = cursor.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { id: number };
    payload.id = 999;
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sum}`;
    for (const bad of [forged, 'garbage', `${body}.AAAA`, `${cursor}x`]) {
      await expect(runRowsQuery(fx.engine, fx.small, req({ sort: '站点', cursor: bad }))).rejects.toMatchObject({
        code: 'invalid_cursor',
      });
    }
    await expect(runRowsQuery(fx.engine, fx.small, req({ sort: '区', cursor }))).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });

  it('aggregates by group, with numeric checks', async () => {
    const r = await runRowsQuery(
      fx.engine,
      fx.small,
      req({
        groupBy: ['区'],
        aggregates: JSON.stringify([
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: '计数' },
          { fn: 'avg', field: '数值', as: '平均' },
          { fn: 'count_distinct', field: '站点' },
          { fn: 'max', field: '日期' },
          { fn: 'min', field: '数值' },
        ]),
        sort: 'n desc',
      }),
    );
    expect(r.fields).toEqual([
      { id: '区', type: 'text' },
      { id: 'n', type: 'integer' },
      { id: 'sum_计数', type: 'integer' },
      { id: '平均', type: 'decimal' },
      { id: 'count_distinct_站点', type: 'integer' },
      { id: 'max_日期', type: 'date' },
      { id: 'min_数值', type: 'decimal' },
    ]);
    expect(r.records[0]).toEqual({
      区: '武昌区',
      n: 5,
      sum_计数: 270,
      平均: 6.5,
      count_distinct_站点: 3,
      max_日期: '2024-01-10',
      // NULL is left out, as SQL's min does.
      min_数值: 1.5,
    });
    expect(r.total).toBe(4);
    await expect(
      runRowsQuery(fx.engine, fx.small, req({ aggregates: [{ fn: 'sum', field: '站点' }] })),
    ).rejects.toMatchObject({ code: 'invalid_aggregate' });
  });

  it('gives the same rows and totals when the file row count comes from the version record', async () => {
    const known: TableSource = { ...fx.small, rowCount: 10 };
    const requests: Record<string, unknown>[] = [
      { limit: 3 },
      { limit: 2, filters: { field: '区', op: 'eq', value: '武昌区' } },
      { limit: 2, offset: 2, filters: { field: '区', op: 'eq', value: '武昌区' } },
      { limit: 2, offset: 8, filters: { field: '区', op: 'eq', value: '武昌区' } },
      { limit: 2, sort: '数值 desc', filters: { field: '有效', op: 'eq', value: true } },
      { limit: 2, filters: { field: '站点', op: 'eq', value: '没有这个站' } },
      { limit: 2, offset: 4, filters: { field: '站点', op: 'eq', value: '没有这个站' } },
      { limit: 2, filters: { field: '姓名', op: 'eq', value: '张**' } },
      { limit: 1, groupBy: '区' },
    ];
    for (const q of requests) {
      const a = await runRowsQuery(fx.engine, known, req(q));
      const b = await runRowsQuery(fx.engine, fx.small, req(q));
      expect(a, JSON.stringify(q)).toEqual(b);
    }
    const wuchang = { field: '区', op: 'eq', value: '武昌区' };
    const first = await runRowsQuery(fx.engine, known, req({ limit: 2, filters: wuchang }));
    expect([ids(first.records), first.total, first.totalExact]).toEqual([[1, 3], 5, true]);
    const beyond = await runRowsQuery(fx.engine, known, req({ limit: 2, offset: 8, filters: wuchang }));
    expect([beyond.records, beyond.total]).toEqual([[], 5]);
    // A cursor page still reports the total of the whole filtered set, not of the rows after the cursor.
    const next = await runRowsQuery(fx.engine, known, req({ limit: 2, filters: wuchang, cursor: first.nextCursor }));
    expect([ids(next.records), next.total]).toEqual([[5, 8], 5]);
    const last = await runRowsQuery(fx.engine, known, req({ limit: 2, filters: wuchang, cursor: next.nextCursor }));
    expect([ids(last.records), last.total, last.nextCursor]).toEqual([[10], 5, undefined]);
    // A grant's row filter counts too.
    const scoped: TableSource = { ...known, rowFilterSql: `"区" = '武昌区'` };
    const viaGrant = await runRowsQuery(
      fx.engine,
      scoped,
      req({ limit: 1, filters: { field: '数值', op: 'gt', value: 5 } }),
    );
    expect([ids(viaGrant.records), viaGrant.total]).toEqual([[5], 3]);
  });

  it('answers each value of a repeated query shape with its own rows', async () => {
    const run = async (value: string) =>
      ids(
        (await runRowsQuery(fx.engine, fx.small, req({ fields: '_id', filters: { field: '站点', op: 'eq', value } })))
          .records,
      );
    for (let i = 0; i < 3; i++) {
      expect(await run('东湖站')).toEqual([1, 6, 7]);
      expect(await run('西湖站')).toEqual([2, 9]);
      expect(await run('无')).toEqual([]);
    }
  });

  describe.each([
    { idStored: true, what: 'storing _id' },
    { idStored: false, what: 'numbering rows by position (as a load writes it)' },
  ])('on a file over 1M rows $what', ({ idStored }) => {
    let big: TableSource;
    beforeAll(async () => {
      big = await makeGenerated(fx, `big-${idStored}.parquet`, 1_250_000, { idStored });
      // The platform tells the two kinds of file apart by their footers.
      expect(await fx.engine.idStored(big.parquetPath)).toBe(idStored);
    });

    it('reads a page without counting, and estimates a filtered total', async () => {
      const page = await runRowsQuery(fx.engine, big, req({ limit: 20 }));
      expect(page.total).toBe(1_250_000);
      expect(page.totalExact).toBe(true);
      expect(ids(page.records)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

      const filtered = await runRowsQuery(
        fx.engine,
        big,
        req({ limit: 20, filters: { field: '区', op: 'eq', value: '武昌区' } }),
      );
      expect(filtered.totalExact).toBe(false);
      // True count is 250,000; a sample of row groups gets close.
      expect(Math.abs(filtered.total - 250_000)).toBeLessThan(5_000);

      // Keyset on _id jumps straight to the end of the file.
      const next = await runRowsQuery(fx.engine, big, req({ limit: 2, offset: 1_249_997 }));
      const tail = await runRowsQuery(fx.engine, big, req({ limit: 5, cursor: next.nextCursor }));
      expect(ids(tail.records)).toEqual([1_250_000]);
    });

    it('pages from the newest row back (sort=_id desc) by offset and by cursor, to the first row', async () => {
      const n = 1_250_000;
      const down = (from: number, count: number) => Array.from({ length: count }, (_, i) => from - i);
      // With the row count from the version record (as the rows API reads it), and without.
      for (const src of [{ ...big, rowCount: n }, big]) {
        const page = (q: Record<string, unknown>) => runRowsQuery(fx.engine, src, req({ sort: '_id desc', ...q }));
        const first = await page({ limit: 4 });
        expect([ids(first.records), first.total]).toEqual([down(n, 4), n]);
        expect(ids((await page({ limit: 3, offset: 10 })).records)).toEqual(down(n - 10, 3));
        // Cursor pages follow on without a gap or a repeat.
        let cursor = first.nextCursor;
        const seen: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          const p = await page({ limit: 4, cursor });
          seen.push(...ids(p.records));
          cursor = p.nextCursor;
        }
        expect(seen).toEqual(down(n - 4, 12));
        expect(ids((await page({ limit: 2, cursor })).records)).toEqual(down(n - 16, 2));
        // The first rows: a short last page, and no cursor after it.
        const near = await page({ limit: 2, offset: n - 5 });
        expect(ids(near.records)).toEqual([5, 4]);
        const next = await page({ limit: 2, cursor: near.nextCursor });
        expect([ids(next.records), next.nextCursor === undefined]).toEqual([[3, 2], false]);
        const end = await page({ limit: 2, cursor: next.nextCursor });
        expect([ids(end.records), end.nextCursor]).toEqual([[1], undefined]);
        expect((await page({ limit: 2, offset: n })).records).toEqual([]);
        // A filter or a masked _id reads the usual way, with the same answers.
        const filtered = await page({ limit: 2, fields: '_id', filters: { field: '值', op: 'lt', value: 1 } });
        expect(ids(filtered.records)).toEqual([1_249_001, 1_248_001]);
      }
    });

    it('applies an expression given for _id (a mask) over the file as stored', async () => {
      const masked: TableSource = {
        ...big,
        columns: big.columns.map((c) => (c.name === '_id' ? { ...c, type: 'text', expr: `'#' || "_id"` } : c)),
      };
      const r = await runRowsQuery(fx.engine, masked, req({ limit: 3, fields: '_id,说明' }));
      expect(r.records).toEqual([
        { _id: '#1', 说明: 'row 0' },
        { _id: '#2', 说明: 'row 1' },
        { _id: '#3', 说明: 'row 2' },
      ]);
    });

    it('gives each row the same _id in filters, sorts, pages and groups', async () => {
      // Row k was written k-th: 说明 'row k-1', 值 (k-1) % 1000.
      const between = await runRowsQuery(
        fx.engine,
        big,
        req({ filters: { field: '_id', op: 'between', value: [999_999, 1_000_001] }, fields: '_id,说明,值' }),
      );
      expect(between.records).toEqual([
        { _id: 999_999, 说明: 'row 999998', 值: 998 },
        { _id: 1_000_000, 说明: 'row 999999', 值: 999 },
        { _id: 1_000_001, 说明: 'row 1000000', 值: 0 },
      ]);
      const last = await runRowsQuery(fx.engine, big, req({ sort: '_id desc', limit: 2, fields: '_id,说明' }));
      expect(last.records).toEqual([
        { _id: 1_250_000, 说明: 'row 1249999' },
        { _id: 1_249_999, 说明: 'row 1249998' },
      ]);
      const byText = await runRowsQuery(
        fx.engine,
        big,
        req({ filters: { field: '说明', op: 'eq', value: 'row 777' }, fields: '_id' }),
      );
      expect(ids(byText.records)).toEqual([778]);
      const groups = await runRowsQuery(
        fx.engine,
        big,
        req({
          groupBy: ['区'],
          aggregates: JSON.stringify([
            { fn: 'min', field: '_id', as: 'first' },
            { fn: 'max', field: '_id', as: 'last' },
            { fn: 'count', as: 'n' },
          ]),
          sort: 'first asc',
        }),
      );
      expect(groups.records.slice(0, 2)).toEqual([
        { 区: '武昌区', first: 1, last: 1_249_996, n: 250_000 },
        { 区: '汉阳区', first: 2, last: 1_249_997, n: 250_000 },
      ]);
    });
  });
});

import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFileSql } from '../../src/platform/duckdb/index.ts';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** 200,000 rows spread over several CSV reader buffers and threads. */
const ROWS = 200_000;
const bigCsv = (late: (i: number) => string | null) => {
  const lines = ['seq,数量,日期,名称'];
  for (let i = 1; i <= ROWS; i++) {
    lines.push(`${i},${late(i) ?? String(i % 977)},2020-${(i % 12) + 1}-${(i % 28) + 1},站点${i % 50}`);
  }
  return lines.join('\n') + '\n';
};

async function scalar(file: string, sql: string): Promise<unknown> {
  const from = dataFileSql(file, await h.engine.idStored(file));
  return h.engine.withConnection(async (c) => {
    const r = await c.runAndReadAll(sql.replace('$F', from));
    return r.getRowsJson()[0]?.[0];
  });
}

describe('large files (two scans of the CSV, nothing materialised)', () => {
  it('widens a column when the next-to-last row breaks it, keeping _id in load order', async () => {
    const r = await h.ingest(
      bigCsv((i) => (i === ROWS - 1 ? '12.5' : null)),
      'late.csv',
    );
    expect(r.rowsLoaded).toBe(ROWS);
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({
      seq: 'integer',
      数量: 'decimal',
      日期: 'date',
      名称: 'text',
    });
    // _id is the file order for every row, not just the first few.
    expect(await scalar(r.out, 'SELECT count(*) FROM $F WHERE _id <> seq')).toBe('0');
    expect(await scalar(r.out, `SELECT "数量"::VARCHAR FROM $F WHERE _id = ${ROWS - 1}`)).toBe('12.5');
    expect(leftovers(h)).toEqual([]);
  });

  it('rejects the late rows with reject_row and reports their source rows after ragged rows', async () => {
    const text = bigCsv((i) => (i === ROWS - 10 || i === ROWS ? 'n/a' : null)).replace('\n7,', '\n7,x,y,z,w\n7,');
    const r = await h.ingest(text, 'late-reject.csv', { badValuePolicy: 'reject_row' });
    expect(r.columns[1]).toMatchObject({ name: '数量', type: 'integer' });
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([ROWS + 1, ROWS - 2, 3]);
    // Data row 7 is the ragged one, so every later source row is one further down.
    expect(r.rejections.map((x) => [x.row, x.column, x.value])).toEqual([
      [7, null, '7,x,y,z,w'],
      [ROWS - 10 + 1, '数量', 'n/a'],
      [ROWS + 1, '数量', 'n/a'],
    ]);
    expect(await scalar(r.out, 'SELECT count(*) FROM $F WHERE _id <> seq - (seq > 200000 - 10)::INT')).toBe('0');
    expect(await scalar(r.out, 'SELECT max(_id) FROM $F')).toBe(String(ROWS - 2));
  });

  it('counts nulls from the Parquet statistics, also for a column forced to a type', async () => {
    const r = await h.ingest(
      bigCsv((i) => (i % 1000 === 0 ? '' : i === 5 ? 'bad' : null)),
      'nulls.csv',
      { typeOverrides: { 数量: 'integer' } },
    );
    expect(r.columns[1]).toMatchObject({ name: '数量', type: 'integer', nullCount: ROWS / 1000 + 1 });
    expect(r.rejections).toEqual([
      {
        row: 5,
        column: '数量',
        value: 'bad',
        code: 'bad_value',
        params: { type: 'integer', nulled: 1 },
        reason: 'not a valid integer; stored as NULL',
      },
    ]);
  });

  it('transcodes a large GB18030 file in a stream', async () => {
    const r = await h.ingest(
      iconv.encode(
        bigCsv(() => null),
        'gb18030',
      ),
      'gb.csv',
    );
    expect(r.encoding).toBe('gb18030');
    expect(r.rowsLoaded).toBe(ROWS);
    expect(await scalar(r.out, `SELECT "名称" FROM $F WHERE _id = ${ROWS}`)).toBe('站点0');
  });

  it('refuses a multi-row header whose rows have different widths', async () => {
    const err = await appError(() => h.ingest('a,b,c\nx,y\n1,2,3\n', 'hdr.csv', { headerRows: 2 }));
    expect(err.code).toBe('bad_header');
    expect(err.extras.row).toBe(2);
  });

  it('skips a header record that spans two lines', async () => {
    const r = await h.ingest('"名\n称",b\n1,2\n3,4\n', 'ml.csv');
    expect(r.columns.map((c) => c.name)).toEqual(['名 称', 'b']);
    expect((await h.rows(r.out)).map((x) => x.b)).toEqual(['2', '4']);
  });
});

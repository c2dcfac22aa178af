import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/http/errors.ts';
import { runUserSql } from '../../src/modules/datastore/sql/index.ts';
import type { TableSource } from '../../src/modules/datastore/query/index.ts';
import { makeFixture, makeGenerated, type Fixture } from './fixtures.ts';

let fx: Fixture;
let gen: TableSource;
const T = 'b2c3d4e5-0000-4000-8000-000000000001';
const OTHER = 'b2c3d4e5-0000-4000-8000-000000000002';

beforeAll(async () => {
  fx = await makeFixture();
  gen = await makeGenerated(fx, 'gen.parquet', 5000);
});
afterAll(() => fx.cleanup());

function run(sql: string, extra: Partial<Parameters<typeof runUserSql>[0]> = {}) {
  return runUserSql({
    sql,
    tables: new Map([
      [T, fx.small],
      ['gen', gen],
    ]),
    rowCap: 1000,
    timeoutMs: 10_000,
    dataDir: fx.dir,
    ...extra,
  });
}

async function failure(sql: string): Promise<AppError> {
  try {
    const r = await run(sql);
    throw new Error(`expected ${sql} to fail, got ${JSON.stringify(r.records).slice(0, 200)}`);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err;
  }
}

describe('runUserSql', () => {
  it('runs a SELECT over the named tables with typed fields', async () => {
    const r = await run(
      `SELECT "区", count(*) AS n, sum("计数") AS s FROM "${T}" GROUP BY 1 ORDER BY n DESC, 1 LIMIT 2`,
    );
    expect(r.fields).toEqual([
      { id: '区', type: 'text' },
      { id: 'n', type: 'integer' },
      { id: 's', type: 'integer' },
    ]);
    expect(r.records[0]).toEqual({ 区: '武昌区', n: 5, s: 270 });
    expect(r.truncated).toBe(false);
    const w = await run(
      `WITH x AS (SELECT "_id" FROM "${T}" WHERE "有效") SELECT count(*) AS n FROM x JOIN gen USING ("_id")`,
    );
    expect(w.records).toEqual([{ n: 6 }]);
  });

  const forbidden: string[] = [
    `SELECT * FROM '/etc/passwd'`,
    `SELECT * FROM read_csv('/etc/passwd')`,
    `SELECT * FROM read_csv_auto('/etc/passwd')`,
    `SELECT * FROM read_json('/etc/passwd')`,
    `SELECT * FROM read_text('/etc/passwd')`,
    `SELECT * FROM read_blob('/etc/passwd')`,
    `SELECT * FROM glob('/etc/*')`,
    `SELECT * FROM sqlite_scan('/tmp/x.db', 't')`,
    `SELECT * FROM postgres_scan('host=x', 'public', 't')`,
    `SELECT * FROM 'https://example.com/data.csv'`,
    `SELECT * FROM read_parquet('https://example.com/data.parquet')`,
    `SELECT * FROM query('SELECT 1')`,
    `SELECT * FROM duckdb_settings()`,
    `SELECT * FROM duckdb_views`,
    `SELECT * FROM duckdb_tables()`,
    `SELECT * FROM pragma_table_info('${T}')`,
    `SELECT * FROM information_schema.tables`,
    `SELECT * FROM sqlite_master`,
    `SELECT * FROM memory.main."${T}"`,
    `SELECT * FROM main."${T}"`,
    `SELECT * FROM "${OTHER}"`,
    `SELECT getenv('HOME')`,
    `SELECT current_setting('allowed_paths')`,
    `SELECT system.main.current_setting('temp_directory')`,
    `SELECT pg_get_viewdef(1)`,
    `SELECT json_serialize_plan('SELECT 1')`,
    `COPY "${T}" TO '/tmp/citydata-leak.csv'`,
    `COPY (SELECT 1) TO '/tmp/citydata-leak.csv'`,
    `ATTACH '/tmp/citydata-x.db' AS x`,
    `DETACH memory`,
    `INSTALL httpfs`,
    `LOAD httpfs`,
    `PRAGMA version`,
    `SET threads = 8`,
    `SET enable_external_access = true`,
    `CALL pragma_version()`,
    `EXPORT DATABASE '/tmp/citydata-export'`,
    `IMPORT DATABASE '/tmp/citydata-export'`,
    `CREATE TABLE x AS SELECT 1`,
    `INSERT INTO "${T}" VALUES (1)`,
    `UPDATE "${T}" SET "站点" = 'x'`,
    `DELETE FROM "${T}"`,
    `DROP VIEW "${T}"`,
    `ALTER VIEW "${T}" RENAME TO y`,
    `SUMMARIZE "${T}"`,
    `DESCRIBE "${T}"`,
    `SELECT * FROM (DESCRIBE "${T}")`,
    `SELECT 1; DROP VIEW "${T}"`,
    `SELECT 1; SELECT * FROM read_csv('/etc/passwd')`,
    `SELECT 1 /* ; */; COPY (SELECT 1) TO '/tmp/citydata-leak.csv'`,
    `SELECT 1 -- harmless\n; ATTACH '/tmp/citydata-x.db'`,
    `SELECT * FROM "${T}"；DROP VIEW "${T}"`,
    `SEL\u200bECT 1`,
    `WITH "/etc/passwd" AS (SELECT 1) SELECT * FROM "/etc/passwd"`,
    `WITH duckdb_tables AS (SELECT 1) SELECT * FROM duckdb_tables`,
    `SELECT (SELECT count(*) FROM read_csv('/etc/passwd'))`,
    `SELECT * FROM "${T}" WHERE "_id" IN (SELECT 1 FROM glob('/*'))`,
    `SELECT * FROM "${T}" AT (VERSION => 1)`,
    '',
  ];

  it.each(forbidden)('refuses %s', async (sql) => {
    const err = await failure(sql);
    expect(err.status).toBe(400);
    expect(['sql_forbidden', 'sql_not_select', 'sql_unknown_table', 'sql_error']).toContain(err.code);
    expect(err.message).not.toContain(fx.dir);
    if (process.env.SHOW_SQL_ERRORS) console.log(`${sql}\n  → ${err.code}: ${err.message}`);
  });

  it('refuses to read the raw Parquet file even when its path is known', async () => {
    for (const sql of [
      `SELECT * FROM '${fx.small.parquetPath}'`,
      `SELECT * FROM read_parquet('${fx.small.parquetPath}')`,
      `SELECT * FROM parquet_scan('${fx.small.parquetPath}')`,
      `WITH a AS (SELECT 1) SELECT * FROM '${fx.small.parquetPath}'`,
    ]) {
      const err = await failure(sql);
      expect(err.status).toBe(400);
      expect(err.message).not.toContain(fx.dir);
    }
  });

  it('never returns the raw value of a masked column', async () => {
    const tails = ['三丰', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
    const attempts = [
      `SELECT "姓名" FROM "${T}"`,
      `SELECT substr("姓名", 2) AS s, length("姓名") AS l FROM "${T}"`,
      `SELECT "姓名", count(*) FROM "${T}" GROUP BY "姓名"`,
      `SELECT a."姓名", b."姓名" FROM "${T}" a JOIN "${T}" b ON a."_id" = b."_id"`,
      `SELECT count(*) AS n FROM "${T}" WHERE "姓名" = '张三丰' OR "姓名" LIKE '%三%' OR "姓名" > '张三'`,
      `SELECT string_agg("姓名", ',') FROM "${T}"`,
      `SELECT * FROM "${T}" WHERE "姓名" IN (SELECT "姓名" FROM "${T}")`,
      `SELECT max("姓名"), min(reverse("姓名")) FROM "${T}"`,
      `SELECT COLUMNS('.*') FROM "${T}"`,
    ];
    for (const sql of attempts) {
      const r = await run(sql);
      const text = JSON.stringify(r.records);
      for (const t of tails) expect(text, sql).not.toContain(t);
    }
    const cmp = await run(`SELECT count(*) AS n FROM "${T}" WHERE "姓名" = '张三丰' OR "姓名" LIKE '%三%'`);
    expect(cmp.records).toEqual([{ n: 0 }]);
  });

  it('applies the grant row filter inside the view', async () => {
    const r = await runUserSql({
      sql: `SELECT count(*) AS n, count(DISTINCT "区") AS d FROM "${T}" WHERE true OR "区" <> '武昌区'`,
      tables: new Map([[T, { ...fx.small, rowFilterSql: `"区" = '武昌区'` }]]),
      rowCap: 10,
      timeoutMs: 10_000,
      dataDir: fx.dir,
    });
    expect(r.records).toEqual([{ n: 5, d: 1 }]);
  });

  it('stops an expensive query at the timeout', async () => {
    await expect(
      run(`SELECT count(*) FROM gen a, gen b, gen c WHERE a."值" + b."值" + c."值" = -1`, { timeoutMs: 300 }),
    ).rejects.toMatchObject({ status: 400, code: 'statement_timeout' });
  });

  it('caps the rows and says so', async () => {
    const capped = await run(`SELECT * FROM gen`, { rowCap: 100 });
    expect(capped.records).toHaveLength(100);
    expect(capped.truncated).toBe(true);
    const all = await run(`SELECT "_id" FROM gen`, { rowCap: 5000 });
    expect(all.records).toHaveLength(5000);
    expect(all.truncated).toBe(false);
  });

  it('numbers the rows of a file without _id by their position, as the rows API does', async () => {
    const loaded = await makeGenerated(fx, 'gen-positions.parquet', 5000, { idStored: false });
    const r = await run(`SELECT "_id", "说明" FROM loaded WHERE "_id" IN (1, 4321, 5000) ORDER BY 1`, {
      tables: new Map([['loaded', loaded]]),
    });
    expect(r.records).toEqual([
      { _id: 1, 说明: 'row 0' },
      { _id: 4321, 说明: 'row 4320' },
      { _id: 5000, 说明: 'row 4999' },
    ]);
    // The view shows _id first and nothing of how the file numbers its rows.
    const cols = await run(`SELECT * FROM loaded LIMIT 1`, { tables: new Map([['loaded', loaded]]) });
    expect(cols.fields.map((f) => f.id)).toEqual(['_id', '区', '值', '说明', '日期']);
  });

  it('reports DuckDB errors without file paths', async () => {
    const err = await failure(`SELECT nosuchcolumn FROM "${T}"`);
    expect(err.code).toBe('sql_error');
    expect(err.message).toMatch(/nosuchcolumn/);
    expect(err.message).not.toContain(fx.dir);
  });
});

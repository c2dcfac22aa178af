import fsp from 'node:fs/promises';
import path from 'node:path';
import { runRowsQuery, type RowsRequest, type TableSource } from '../../src/modules/datastore/query/index.ts';
import { DATA_FILE_FORMAT, DataEngine, dataFileSql, quoteLiteral } from '../../src/platform/duckdb/index.ts';
import type { BenchContext } from '../lib/context.ts';
import { errorMessage, figure, latencyStats, timed, type SectionResult } from '../lib/figures.ts';
import type { PgPeer } from '../lib/pg.ts';

const STATIONS = 200;
const DISTRICTS = 11;
const WARM_UP = 3;

/** The query table: hourly air-quality readings of 200 stations in 11 districts, 12 columns + _id. */
const COLUMNS: { name: string; type: TableSource['columns'][number]['type']; pg: string; sql: string }[] = [
  { name: '_id', type: 'integer', pg: 'bigint', sql: 'i + 1' },
  { name: 'station_code', type: 'text', pg: 'text', sql: `'S' || lpad(CAST(i % ${STATIONS} AS VARCHAR), 4, '0')` },
  {
    name: 'district_code',
    type: 'text',
    pg: 'text',
    sql: `'4401' || lpad(CAST((i % ${STATIONS}) % ${DISTRICTS} + 1 AS VARCHAR), 2, '0')`,
  },
  {
    name: 'observed_at',
    type: 'datetime',
    pg: 'timestamp',
    sql: `TIMESTAMP '2015-01-01 00:00:00' + to_hours(CAST(i // ${STATIONS} AS BIGINT))`,
  },
  { name: 'aqi', type: 'integer', pg: 'bigint', sql: 'CAST(hash(i, 1) % 300 AS BIGINT) + 10' },
  { name: 'pm25', type: 'decimal', pg: 'double precision', sql: 'CAST(hash(i, 2) % 2500 AS DOUBLE) / 10' },
  { name: 'pm10', type: 'decimal', pg: 'double precision', sql: 'CAST(hash(i, 3) % 4000 AS DOUBLE) / 10' },
  { name: 'no2', type: 'integer', pg: 'bigint', sql: 'CAST(hash(i, 4) % 200 AS BIGINT)' },
  { name: 'o3', type: 'integer', pg: 'bigint', sql: 'CAST(hash(i, 5) % 300 AS BIGINT)' },
  { name: 'co', type: 'decimal', pg: 'double precision', sql: 'CAST(hash(i, 6) % 40 AS DOUBLE) / 10' },
  {
    name: 'primary_pollutant',
    type: 'text',
    pg: 'text',
    sql: `['PM2.5', 'PM10', 'O3', 'NO2', '—'][CAST(hash(i, 7) % 5 AS INTEGER) + 1]`,
  },
  {
    name: 'level',
    type: 'text',
    pg: 'text',
    sql: `CASE WHEN hash(i, 1) % 300 + 10 <= 50 THEN '优' WHEN hash(i, 1) % 300 + 10 <= 100 THEN '良' WHEN hash(i, 1) % 300 + 10 <= 150 THEN '轻度污染' WHEN hash(i, 1) % 300 + 10 <= 200 THEN '中度污染' ELSE '重度污染' END`,
  },
  {
    name: 'temperature',
    type: 'decimal',
    pg: 'double precision',
    sql: 'CAST(hash(i, 8) % 450 AS DOUBLE) / 10 - 5',
  },
];

/**
 * Writes the query table as a load writes a version: Parquet in load order without _id (each row's position is its
 * _id, dataFileSql); and, for PostgreSQL, as CSV with _id.
 */
async function buildTable(engine: DataEngine, rows: number, parquet: string, csv: string | null): Promise<void> {
  const stored = COLUMNS.filter((c) => c.name !== '_id');
  const select = `SELECT ${stored.map((c) => `${c.sql} AS "${c.name}"`).join(', ')} FROM range(${rows}) r(i)`;
  await engine.withConnection(async (conn) => {
    await conn.run(`COPY (${select}) TO ${quoteLiteral(parquet)} (${DATA_FILE_FORMAT})`);
    if (csv) await conn.run(`COPY (SELECT * FROM ${dataFileSql(parquet, false)}) TO ${quoteLiteral(csv)} (HEADER)`);
  });
}

async function loadPostgres(pg: PgPeer, csv: string): Promise<number> {
  const t = pg.qualified('query_table');
  const { ms } = await timed(async () => {
    await pg.client.query(`DROP TABLE IF EXISTS ${t}`);
    await pg.client.query(`CREATE TABLE ${t} (${COLUMNS.map((c) => `"${c.name}" ${c.pg}`).join(', ')})`);
    await pg.copyFromFile('query_table', csv);
    // CKAN's datastore keeps _id as the primary key; the filter column gets the same index as the page filter uses.
    await pg.client.query(`ALTER TABLE ${t} ADD PRIMARY KEY ("_id")`);
    await pg.client.query(`CREATE INDEX ON ${t} ("station_code")`);
    await pg.client.query(`VACUUM ANALYZE ${t}`);
  });
  return ms;
}

/** The station filtered on in run k: a fixed pseudo-random sequence, the same for both engines. */
const stationFor = (k: number) => `S${String((k * 73 + 11) % STATIONS).padStart(4, '0')}`;

export async function querySection(ctx: BenchContext, out: SectionResult): Promise<void> {
  const rows = ctx.sizes.queryRows;
  const dir = path.join(ctx.tmpDir, 'queries');
  await fsp.mkdir(dir, { recursive: true });
  const parquet = path.join(dir, 'air.parquet');
  const lookup = await ctx.postgres();
  const csv = lookup.peer ? path.join(dir, 'air.csv') : null;
  const engine = await DataEngine.open({ tempDir: path.join(dir, 'duckdb-tmp') });
  try {
    ctx.log(`queries: building a ${rows.toLocaleString()}-row table`);
    const build = await timed(() => buildTable(engine, rows, parquet, csv));
    const parquetBytes = (await fsp.stat(parquet)).size;
    out.notes.push(
      `Query table: ${rows.toLocaleString()} rows × 12 columns + _id (hourly air quality, ${STATIONS} stations, ` +
        `${DISTRICTS} districts), Parquet (${DATA_FILE_FORMAT}) ${(parquetBytes / 1e6).toFixed(0)} MB, built in ${(build.ms / 1000).toFixed(1)} s.`,
    );
    let pg: PgPeer | null = null;
    let pgNote = lookup.missing ?? '';
    if (lookup.peer && csv) {
      try {
        ctx.log('queries: loading the same table into PostgreSQL');
        const ms = await loadPostgres(lookup.peer, csv);
        pg = lookup.peer;
        out.notes.push(
          `PostgreSQL ${pg.version}: same rows via COPY, primary key on _id, B-tree index on station_code, VACUUM ANALYZE (${(ms / 1000).toFixed(1)} s). Server settings as found (shared_buffers etc. untouched).`,
        );
      } catch (err) {
        pgNote = `PostgreSQL load failed: ${errorMessage(err)}`;
      }
      await fsp.rm(csv, { force: true });
    }

    // As the server reads it: the row count comes from the version record (table_versions), not the file footer.
    const src: TableSource = {
      parquetPath: parquet,
      idFromPosition: true,
      columns: COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      rowCount: rows,
    };
    const pageReq = (k: number): RowsRequest => ({
      filters: { field: 'station_code', op: 'eq', value: stationFor(k) },
      sort: [],
      limit: 20,
      offset: 0,
    });
    const groupReq: RowsRequest = {
      groupBy: ['district_code'],
      aggregates: [{ fn: 'count' }, { fn: 'avg', field: 'aqi' }, { fn: 'max', field: 'pm25' }],
      sort: [],
      limit: 20,
      offset: 0,
    };
    // The newest rows first, no filter: a different page each run (offsets 0, 20, ... 180).
    const newestReq = (k: number): RowsRequest => ({
      sort: [{ field: '_id', dir: 'desc' }],
      limit: 20,
      offset: (k % 10) * 20,
    });
    const t = pg?.qualified('query_table') ?? '';
    const pgPageSql = `SELECT * FROM ${t} WHERE station_code = $1 ORDER BY _id LIMIT 21`;
    const pgGroupSql = `SELECT district_code, count(*), avg(aqi), max(pm25) FROM ${t} GROUP BY 1 ORDER BY 1 LIMIT 21`;
    const pgNewestSql = `SELECT * FROM ${t} ORDER BY _id DESC LIMIT 21 OFFSET $1`;

    // Same answer on both sides, or the comparison means nothing.
    const check: string[] = [];
    const ourPage = await runRowsQuery(engine, src, pageReq(0));
    const ourIds = ourPage.records.map((r) => Number(r._id));
    if (pg) {
      const pgIds = (await pg.client.query<{ _id: string }>(pgPageSql, [stationFor(0)])).rows
        .slice(0, 20)
        .map((r) => Number(r._id));
      if (JSON.stringify(pgIds) !== JSON.stringify(ourIds)) check.push('page results differ between engines');
      const plan = await pg.client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${pgPageSql}`, [stationFor(0)]);
      out.notes.push(`PostgreSQL plan of the page: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ')}`);
    }

    type Runner = (k: number) => Promise<unknown>;
    const measure = async (runs: number, a: Runner, b: Runner | null) => {
      const ta: number[] = [];
      const tb: number[] = [];
      for (let k = 0; k < WARM_UP; k++) {
        await a(k);
        if (b) await b(k);
      }
      // Interleaved, so background load on a shared machine hits both engines alike.
      for (let k = 0; k < runs; k++) {
        ta.push((await timed(() => a(k + WARM_UP))).ms);
        if (b) tb.push((await timed(() => b(k + WARM_UP))).ms);
      }
      return { ours: latencyStats(ta), peer: b ? latencyStats(tb) : null };
    };

    ctx.log(`queries: filtered page × ${ctx.sizes.pageRuns}`);
    const page = await measure(
      ctx.sizes.pageRuns,
      (k) => runRowsQuery(engine, src, pageReq(k), { reuse: false }),
      pg ? (k) => pg.client.query(pgPageSql, [stationFor(k)]) : null,
    );
    ctx.log(`queries: group-by × ${ctx.sizes.groupRuns}`);
    const group = await measure(
      ctx.sizes.groupRuns,
      () => runRowsQuery(engine, src, groupReq, { reuse: false }),
      pg ? () => pg.client.query(pgGroupSql) : null,
    );
    ctx.log(`queries: newest rows × ${ctx.sizes.pageRuns}`);
    const newest = await measure(
      ctx.sizes.pageRuns,
      (k) => runRowsQuery(engine, src, newestReq(k), { reuse: false }),
      pg ? (k) => pg.client.query(pgNewestSql, [(k % 10) * 20]) : null,
    );
    const lastIds = (await runRowsQuery(engine, src, newestReq(0))).records.map((r) => Number(r._id));
    if (JSON.stringify(lastIds) !== JSON.stringify(Array.from({ length: 20 }, (_, i) => rows - i)))
      check.push('the newest page is not the last 20 rows');
    const rowsText = rows.toLocaleString();
    for (const [kind, m, what] of [
      ['page', page, `filtered 20-row page (station_code = ?) on ${rowsText} rows`],
      ['groupby', group, `group-by district (count, avg, max) on ${rowsText} rows`],
      ['newest', newest, `newest 20 rows (sort=_id desc, offset 0-180, no filter) on ${rowsText} rows`],
    ] as const) {
      for (const p of ['p50', 'p99'] as const) {
        out.figures.push(
          figure({
            section: 'queries',
            id: `queries.${kind}.${p}`,
            label: `${what}, ${p}`,
            unit: 'ms',
            ours: m.ours[p],
            peer: m.peer ? m.peer[p] : null,
            peerName: 'PostgreSQL',
            ratioDefinition: 'our latency ÷ PostgreSQL latency',
            goal: null,
            note: [pg ? '' : pgNote, ...check].filter(Boolean).join('; ') || undefined,
            details: { runs: m.ours.n, ours: m.ours, peer: m.peer },
          }),
        );
      }
    }
    out.notes.push(
      'Ours = runRowsQuery (the rows API service: filter → 20 rows + total, estimated above 1M rows) on a DataEngine ' +
        'with the server settings (2 threads, 1 GB), its small-result cache off (every run executes). PostgreSQL = the ' +
        'page query alone (ORDER BY _id LIMIT 21), no count; for the newest rows ORDER BY _id DESC LIMIT 21 OFFSET ' +
        'over its primary key.',
    );
    out.notes.push(
      `Each figure over ${ctx.sizes.pageRuns} (page) / ${ctx.sizes.groupRuns} (group-by) timed runs after ${WARM_UP} warm-up runs, ` +
        `alternating engines; ours first-run page total: ${ourPage.total} (${ourPage.totalExact ? 'exact' : 'estimate'}).`,
    );
  } finally {
    engine.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  ingestFile,
  type ColumnType,
  type FastCheckOutcome,
  type IngestResult,
} from '../../src/modules/ingest/index.ts';
import { DataEngine, quoteLiteral } from '../../src/platform/duckdb/index.ts';
import type { BenchContext } from '../lib/context.ts';
import { INGEST_TABLE, writeDemoCsv } from '../lib/data.ts';
import { errorMessage, figure, round, timed, type Figure, type SectionResult } from '../lib/figures.ts';
import { pgIdent, type PgPeer } from '../lib/pg.ts';

/** The typed table CKAN's loader would create: the types our inference chose, one PostgreSQL type each. */
const PG_TYPES: Record<ColumnType, string> = {
  integer: 'bigint',
  decimal: 'double precision',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  text: 'text',
};

async function oursIngest(
  ctx: BenchContext,
  file: string,
  name: string,
): Promise<{ ms: number; result: IngestResult; fastPath: FastCheckOutcome | null }> {
  // A fresh engine with the server's own settings (DataEngine defaults), so no cache is shared between runs.
  const work = path.join(ctx.tmpDir, 'ours');
  const engine = await DataEngine.open({ tempDir: path.join(work, 'duckdb-tmp') });
  try {
    const outFile = path.join(work, `${path.basename(file)}.parquet`);
    let fastPath: FastCheckOutcome | null = null;
    const { ms, value } = await timed(() =>
      ingestFile({
        filePath: file,
        originalName: name,
        outFile,
        tmpDir: path.join(work, 'ingest-tmp'),
        // As the server does: a GB18030 load writes its UTF-8 copy over the one the previous run left.
        scratchPool: path.join(work, 'scratch-pool'),
        engine,
        onFastCheck: (o) => (fastPath = o),
      }),
    );
    await fsp.rm(outFile, { force: true });
    return { ms, result: value, fastPath };
  } finally {
    engine.close();
  }
}

async function duckdbRawRead(file: string): Promise<{ ms: number; rows: number }> {
  // DuckDB's own read_csv with its sniffer, in a fresh in-memory instance using every core (its default).
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const { ms } = await timed(() => conn.run(`CREATE TABLE t AS SELECT * FROM read_csv(${quoteLiteral(file)})`));
    const r = await conn.runAndReadAll('SELECT count(*) FROM t');
    return { ms, rows: Number(r.getRows()[0]?.[0] ?? 0) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function pgCopy(
  pg: PgPeer,
  table: string,
  columns: IngestResult['columns'],
  file: string,
  encoding: 'UTF8' | 'GB18030',
): Promise<{ ms: number; rows: number }> {
  const ordered = [...columns].sort((a, b) => a.sourceIndex - b.sourceIndex);
  await pg.client.query(`DROP TABLE IF EXISTS ${pg.qualified(table)}`);
  await pg.client.query(
    `CREATE TABLE ${pg.qualified(table)} (${ordered.map((c) => `${pgIdent(c.name)} ${PG_TYPES[c.type]}`).join(', ')})`,
  );
  try {
    settle();
    const { ms } = await timed(() => pg.copyFromFile(table, file, encoding));
    const r = await pg.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${pg.qualified(table)}`);
    return { ms, rows: Number(r.rows[0]?.n ?? 0) };
  } finally {
    await pg.client.query(`DROP TABLE IF EXISTS ${pg.qualified(table)}`);
    // PostgreSQL's own write-back (the table's pages, the WAL) happens here, not in the next engine's run.
    await pg.client.query('CHECKPOINT').catch(() => undefined);
    settle();
  }
}

const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

/**
 * Runs of each engine per file: the machine this runs on is shared, so each engine runs three times, in rounds of
 * one run each (DuckDB, ours, PostgreSQL), and the median counts (every time is in the details).
 */
const RUNS = 3;

/**
 * Writes everything the machine still has to write to disk (the input just generated, the previous run's output, a
 * PostgreSQL checkpoint) before a timed run starts, so that no run pays for the write-back of another.
 */
function settle(): void {
  execFileSync('sync');
}

function medianOf<T extends { ms: number }>(results: T[]): T & { allMs: number[] } {
  const sorted = [...results].sort((a, b) => a.ms - b.ms);
  return { ...(sorted[Math.floor(sorted.length / 2)] as T), allMs: results.map((r) => round(r.ms / 1000, 2)) };
}

export async function ingestSection(ctx: BenchContext, out: SectionResult): Promise<void> {
  const rows = ctx.sizes.ingestRows;
  const dir = path.join(ctx.tmpDir, 'ingest');
  await fsp.mkdir(dir, { recursive: true });
  const utf8 = path.join(dir, 'weather.csv');
  const gb = path.join(dir, 'weather-gb18030.csv');
  ctx.log(`ingest: writing ${rows.toLocaleString()} rows of ${INGEST_TABLE} as UTF-8 and GB18030 CSV`);
  const u = await writeDemoCsv(INGEST_TABLE, rows, 'csv', utf8);
  const g = await writeDemoCsv(INGEST_TABLE, rows, 'csv-gb18030', gb);
  out.notes.push(
    `Input: demo table ${INGEST_TABLE} (12 columns: station code and Chinese name, coordinates, timestamp, ` +
      `7 measurements incl. Chinese wind direction), ${u.rows.toLocaleString()} rows, ` +
      `${(u.bytes / 1e6).toFixed(1)} MB UTF-8 / ${(g.bytes / 1e6).toFixed(1)} MB GB18030.`,
  );

  const lookup = await ctx.postgres();
  for (const enc of ['utf8', 'gb18030'] as const) {
    const file = enc === 'utf8' ? utf8 : gb;
    const label = enc === 'utf8' ? 'UTF-8' : 'GB18030';
    ctx.log(`ingest ${label}: DuckDB read_csv`);
    const runs = RUNS;
    const duckMs: number[] = [];
    let duckRows = 0;
    let duckError: string | undefined;
    let first: { ms: number; result: IngestResult } | null = null;
    const oursMs: number[] = [];
    const fastPaths: (FastCheckOutcome | null)[] = [];
    const pgPeer = lookup.peer;
    const pgRuns: { ms: number; rows: number }[] = [];
    let pgError: string | undefined;
    // In rounds, so that load from other processes hits the three engines alike.
    for (let i = 0; i < runs; i++) {
      try {
        // DuckDB cannot read GB18030 (the encodings extension is not bundled): its peer reads the UTF-8 file.
        settle();
        const d = await duckdbRawRead(utf8);
        duckMs.push(d.ms);
        duckRows = d.rows;
      } catch (err) {
        duckError = errorMessage(err);
      }
      ctx.log(`ingest ${label}: ours (ingestFile), run ${i + 1} of ${runs}`);
      settle();
      const o = await oursIngest(ctx, file, enc === 'utf8' ? 'weather.csv' : '气象观测.csv');
      oursMs.push(o.ms);
      fastPaths.push(o.fastPath);
      first ??= o;
      if (pgPeer && pgError === undefined) {
        ctx.log(`ingest ${label}: PostgreSQL COPY, run ${i + 1} of ${runs}`);
        try {
          // Into a typed table of the types our first run inferred.
          pgRuns.push(
            await pgCopy(pgPeer, `ingest_${enc}`, first.result.columns, file, enc === 'utf8' ? 'UTF8' : 'GB18030'),
          );
        } catch (err) {
          pgError = errorMessage(err);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    if (!first) throw new Error('no ingest run');
    const ours = { ...first, ms: median(oursMs) };
    const duck =
      duckMs.length > 0 ? { ms: median(duckMs), rows: duckRows, allMs: duckMs.map((x) => round(x / 1000, 2)) } : null;
    const oursRows = ours.result.rowsLoaded;
    const details = {
      rows: oursRows,
      rowsRejected: ours.result.rowsRejected,
      encodingDetected: ours.result.encoding,
      oursRowsPerSec: rate(oursRows, ours.ms),
      oursSeconds: round(ours.ms / 1000, 2),
      runs,
      oursAllSeconds: oursMs.map((x) => round(x / 1000, 2)),
      // Per run: whether the WebAssembly check vouched for the COPY from the typed reader (null: not tried).
      fastPath: fastPaths,
      types: Object.fromEntries(ours.result.columns.map((c) => [c.name, c.type])),
    };
    out.figures.push(
      figure({
        section: 'ingest',
        id: `ingest.${enc}.duckdb`,
        label: `ingest ${oursRows.toLocaleString()} rows, ${label} CSV → typed Parquet`,
        unit: 's',
        ours: round(ours.ms / 1000, 2),
        peer: duck ? round(duck.ms / 1000, 2) : null,
        peerName: 'DuckDB read_csv',
        ratioDefinition: 'our time ÷ DuckDB read_csv time',
        goal: { text: '≤ 1.5', op: '<=', value: 1.5 },
        note:
          (enc === 'gb18030' ? 'DuckDB reads the UTF-8 file (it cannot read GB18030). ' : '') +
          (duckError ? `DuckDB failed: ${duckError}` : ''),
        details: {
          ...details,
          peerRowsPerSec: duck ? rate(duck.rows, duck.ms) : null,
          peerRows: duck?.rows ?? null,
          peerAllSeconds: duck?.allMs ?? null,
        },
      }),
    );

    let pgFig: Figure;
    if (!pgPeer) {
      pgFig = figure({
        section: 'ingest',
        id: `ingest.${enc}.postgres`,
        label: `ingest ${oursRows.toLocaleString()} rows, ${label} CSV`,
        unit: 's',
        ours: round(ours.ms / 1000, 2),
        peer: null,
        peerName: 'PostgreSQL COPY',
        ratio: null,
        ratioDefinition: 'PostgreSQL COPY time ÷ our time (speed-up)',
        goal: { text: '≥ 3', op: '>=', value: 3 },
        note: lookup.missing ?? 'PostgreSQL not found',
      });
    } else {
      try {
        if (pgError !== undefined) throw new Error(pgError);
        const p = medianOf(pgRuns);
        pgFig = figure({
          section: 'ingest',
          id: `ingest.${enc}.postgres`,
          label: `ingest ${oursRows.toLocaleString()} rows, ${label} CSV`,
          unit: 's',
          ours: round(ours.ms / 1000, 2),
          peer: round(p.ms / 1000, 2),
          peerName: 'PostgreSQL COPY',
          ratio: p.ms / ours.ms,
          ratioDefinition: 'PostgreSQL COPY time ÷ our time (speed-up)',
          goal: { text: '≥ 3', op: '>=', value: 3 },
          note: `COPY into a typed table (our inferred types), PostgreSQL ${pgPeer.version}, via psql \\copy${enc === 'gb18030' ? " with ENCODING 'GB18030'" : ''}.`,
          details: { ...details, peerRowsPerSec: rate(p.rows, p.ms), peerRows: p.rows, peerAllSeconds: p.allMs },
        });
      } catch (err) {
        pgFig = figure({
          section: 'ingest',
          id: `ingest.${enc}.postgres`,
          label: `ingest ${oursRows.toLocaleString()} rows, ${label} CSV`,
          unit: 's',
          ours: round(ours.ms / 1000, 2),
          peer: null,
          peerName: 'PostgreSQL COPY',
          ratio: null,
          ratioDefinition: 'PostgreSQL COPY time ÷ our time (speed-up)',
          goal: { text: '≥ 3', op: '>=', value: 3 },
          note: `PostgreSQL COPY failed: ${errorMessage(err)}`,
        });
      }
    }
    out.figures.push(pgFig);
  }
  await fsp.rm(dir, { recursive: true, force: true });
}

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { DataEngine, quoteLiteral } from '../../src/platform/duckdb/index.ts';
import { ensureDivisionTable } from '../../src/modules/governance/sql.ts';
import { idCardCheckChar, usccCheckChar } from '../../src/modules/governance/checksums.ts';

export async function openEngine(): Promise<{ engine: DataEngine; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-test-'));
  const engine = await DataEngine.open({ tempDir: path.join(dir, 'tmp'), threads: 1 });
  return { engine, dir };
}

const sqlValue = (v: string | null) => (v === null ? 'NULL' : quoteLiteral(v));

/** Evaluates expr(column) over the values in one vectorised query; results in input order. */
export async function evalSql(
  engine: DataEngine,
  expr: (col: string) => string,
  values: readonly (string | null)[],
): Promise<unknown[]> {
  return engine.withConnection(async (conn) => {
    await ensureDivisionTable(conn);
    const list = `[${values.map(sqlValue).join(', ')}]::VARCHAR[]`;
    const res = await conn.runAndReadAll(
      `SELECT CAST(${expr('v')} AS VARCHAR) AS r FROM unnest(${list}) WITH ORDINALITY AS t(v, i) ORDER BY i`,
    );
    return res
      .getRowObjectsJson()
      .map((r) => (r.r === null ? null : r.r === 'true' ? true : r.r === 'false' ? false : r.r));
  });
}

/** Deterministic PRNG (mulberry32) so generated fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const AREAS = ['110105', '440111', '310104', '330106', '510107', '420106'];

export function makeIdCard(r: () => number): string {
  const area = AREAS[Math.floor(r() * AREAS.length)]!;
  const y = 1950 + Math.floor(r() * 55);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const first17 = `${area}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${digits(r, 3)}`;
  return first17 + idCardCheckChar(first17);
}

/** A value that looks like an ID but whose check character is wrong. */
export function breakCheck(code: string, alphabet: string): string {
  const last = code[code.length - 1]!;
  const i = alphabet.indexOf(last);
  return code.slice(0, -1) + alphabet[(i + 1) % alphabet.length]!;
}

const USCC_BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export function makeUscc(r: () => number): string {
  const area = AREAS[Math.floor(r() * AREAS.length)]!;
  const org = Array.from({ length: 9 }, () => USCC_BODY[Math.floor(r() * USCC_BODY.length)]!).join('');
  const first17 = `91${area}${org}`;
  return first17 + usccCheckChar(first17);
}

export function makeMobile(r: () => number): string {
  return `1${3 + Math.floor(r() * 7)}${digits(r, 9)}`;
}

/** Writes rows to a Parquet file with DuckDB (all columns VARCHAR unless typed in the select). */
export async function writeParquet(
  engine: DataEngine,
  file: string,
  columns: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
  select = '*',
): Promise<void> {
  const values = rows
    .map(
      (row) =>
        `(${row.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : quoteLiteral(v))).join(', ')})`,
    )
    .join(',\n');
  const cols = columns.map((c) => `"${c}"`).join(', ');
  await engine.withConnection(async (conn) => {
    await conn.run(
      `COPY (SELECT ${select} FROM (VALUES ${values}) AS t(${cols})) TO ${quoteLiteral(file)} (FORMAT parquet)`,
    );
  });
}

import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DATA_FILE_FORMAT,
  dataFileSql,
  quoteIdent,
  quoteLiteral,
  type DataEngine,
} from '../../platform/duckdb/index.ts';
import { badRequest } from '../../platform/http/errors.ts';
import { notice } from './errors.ts';
import type { ColumnType, Notice } from './types.ts';

export interface MergeOptions {
  engine: DataEngine;
  /** The current version's Parquet file, or null for a first load. */
  previous: string | null;
  incoming: string;
  mode: 'replace' | 'append' | 'upsert';
  /** Key columns for 'upsert'. */
  key?: string[];
  outFile: string;
}

async function describe(conn: DuckDBConnection, from: string): Promise<{ name: string; type: string }[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
  return r.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

/** The column type a DuckDB type stands for in a table version. */
export function columnTypeOf(duck: string): ColumnType {
  if (/INT/.test(duck)) return 'integer';
  if (/DOUBLE|DECIMAL|FLOAT/.test(duck)) return 'decimal';
  if (duck === 'BOOLEAN') return 'boolean';
  if (duck === 'DATE') return 'date';
  if (/TIMESTAMP/.test(duck)) return 'datetime';
  return 'text';
}

const listed = (names: string[]) => names.join(', ');

/**
 * Combines the previous version with an incoming load into a new Parquet file, all in DuckDB.
 * Columns are unioned by name (previous order first; a column missing on one side is NULL) and
 * `_id` is renumbered 1..n in the result's order and stored. Either input may store `_id` or leave it to its rows'
 * positions (dataFileSql). `notices`: what the merge did that the load's report must say (a column made text, columns
 * one side lacks, repeated or empty keys of an upsert).
 */
export async function mergeVersions(opts: MergeOptions): Promise<{ rows: number; notices: Notice[] }> {
  const partial = path.join(
    path.dirname(opts.outFile),
    `.${path.basename(opts.outFile)}.${crypto.randomBytes(6).toString('hex')}.partial`,
  );
  try {
    let inc = dataFileSql(opts.incoming, await opts.engine.idStored(opts.incoming));
    let prev = opts.previous === null ? null : dataFileSql(opts.previous, await opts.engine.idStored(opts.previous));
    const notices: Notice[] = [];
    const rows = await opts.engine.withConnection(async (conn) => {
      let query: string;
      if (opts.mode === 'replace' || prev === null) {
        query = `SELECT * FROM ${inc}`;
        if (opts.mode === 'upsert') validateKey(opts.key, await describe(conn, inc), []);
      } else {
        const prevCols = await describe(conn, prev);
        const incCols = await describe(conn, inc);
        const names = [...prevCols.map((c) => c.name)];
        for (const c of incCols) if (!names.includes(c.name)) names.push(c.name);
        const cols = names.filter((c) => c !== '_id').map(quoteIdent);
        // A column both sides have with types of different kinds (a date now, integers before) becomes text on both,
        // as a late value that breaks a type widens a column within one file.
        const asText = new Set(
          prevCols
            .filter((p) => {
              const t = incCols.find((c) => c.name === p.name)?.type;
              return p.name !== '_id' && t !== undefined && typeFamily(t) !== typeFamily(p.type);
            })
            .map((c) => c.name),
        );
        const widened = (from: string, have: { name: string }[]) =>
          asText.size === 0
            ? from
            : `(SELECT ${have
                .map((c) =>
                  asText.has(c.name)
                    ? `CAST(${quoteIdent(c.name)} AS VARCHAR) AS ${quoteIdent(c.name)}`
                    : quoteIdent(c.name),
                )
                .join(', ')} FROM ${from})`;
        // A column that was text already stays text: nothing to say.
        for (const c of prevCols.filter((p) => asText.has(p.name) && columnTypeOf(p.type) !== 'text')) {
          const from = columnTypeOf(c.type);
          notices.push(
            notice(
              'merge_widened',
              { column: c.name, from },
              `column ${c.name}: the current version holds ${from} values but the file's are not all ${from}, so the column is text from this version on`,
            ),
          );
        }
        const has = (cols: { name: string }[], name: string) => cols.some((c) => c.name === name);
        const missing = prevCols.filter((c) => c.name !== '_id' && !has(incCols, c.name)).map((c) => c.name);
        const added = incCols.filter((c) => c.name !== '_id' && !has(prevCols, c.name)).map((c) => c.name);
        if (missing.length > 0)
          notices.push(
            notice(
              'merge_missing_columns',
              { columns: listed(missing), count: missing.length },
              `the file has no column ${listed(missing)} of the current version: the new rows leave it empty`,
            ),
          );
        if (added.length > 0)
          notices.push(
            notice(
              'merge_new_columns',
              { columns: listed(added), count: added.length },
              `the file adds column ${listed(added)}: the rows loaded before leave it empty`,
            ),
          );
        prev = widened(prev, prevCols);
        inc = widened(inc, incCols);
        const out = `row_number() OVER (ORDER BY __g, __o) AS _id${cols.length > 0 ? ', ' + cols.join(', ') : ''}`;
        if (opts.mode === 'append') {
          query = `SELECT ${out} FROM (
              SELECT 0 AS __g, _id AS __o, * EXCLUDE (_id) FROM ${prev}
              UNION ALL BY NAME
              SELECT 1 AS __g, _id AS __o, * EXCLUDE (_id) FROM ${inc})`;
        } else {
          const key = validateKey(opts.key, incCols, prevCols);
          const same = (a: string, b: string) =>
            key
              .map((k) => {
                const differ = prevCols.find((c) => c.name === k)?.type !== incCols.find((c) => c.name === k)?.type;
                const ref = (t: string) =>
                  differ ? `CAST(${t}.${quoteIdent(k)} AS VARCHAR)` : `${t}.${quoteIdent(k)}`;
                return `${ref(a)} IS NOT DISTINCT FROM ${ref(b)}`;
              })
              .join(' AND ');
          const keyList = key.map(quoteIdent).join(', ');
          const [repeated, empty] = (
            (
              await conn.runAndReadAll(
                `SELECT count(*) - count(DISTINCT row(${keyList})), count_if(${key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}) FROM ${inc}`,
              )
            ).getRows()[0] ?? []
          ).map(Number);
          if (repeated)
            notices.push(
              notice(
                'upsert_repeated_keys',
                { count: repeated },
                `${repeated} rows of the file repeat the key of a row before them in the file: of each key, the last row is kept`,
              ),
            );
          if (empty)
            notices.push(
              notice(
                'upsert_empty_keys',
                { count: empty, key: listed(key) },
                `${empty} rows of the file have an empty key (${listed(key)}): an empty key counts as one value, so the last of them replaces every row with an empty key`,
              ),
            );
          // Incoming duplicates of a key: the last one wins. Replaced rows keep the first position of
          // their key in the previous version; new keys follow in incoming order.
          query = `WITH p AS (SELECT * FROM ${prev}),
            i AS (SELECT * FROM ${inc} QUALIFY row_number() OVER (PARTITION BY ${keyList} ORDER BY _id DESC) = 1),
            pk AS (SELECT ${keyList}, min(_id) AS __pos FROM p GROUP BY ALL)
            SELECT ${out} FROM (
              SELECT 0 AS __g, p._id AS __o, p.* EXCLUDE (_id) FROM p WHERE NOT EXISTS (SELECT 1 FROM i WHERE ${same('i', 'p')})
              UNION ALL BY NAME
              SELECT 0 AS __g, pk.__pos AS __o, i.* EXCLUDE (_id) FROM i JOIN pk ON ${same('i', 'pk')}
              UNION ALL BY NAME
              SELECT 1 AS __g, i._id AS __o, i.* EXCLUDE (_id) FROM i WHERE NOT EXISTS (SELECT 1 FROM pk WHERE ${same('i', 'pk')}))`;
        }
      }
      await conn.run(`COPY (${query}) TO ${quoteLiteral(partial)} (${DATA_FILE_FORMAT})`);
      const r = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(partial)})`);
      return Number(r.getRows()[0]?.[0] ?? 0);
    });
    await fsp.rename(partial, opts.outFile);
    return { rows, notices };
  } catch (err) {
    await fsp.rm(partial, { force: true });
    throw err;
  }
}

/** Types that combine into one column without loss of kind: numbers with numbers, dates with timestamps. */
function typeFamily(duck: string): string {
  const t = columnTypeOf(duck);
  return t === 'integer' || t === 'decimal' ? 'number' : t === 'date' || t === 'datetime' ? 'time' : t;
}

function validateKey(key: string[] | undefined, incCols: { name: string }[], prevCols: { name: string }[]): string[] {
  if (!key || key.length === 0)
    throw badRequest('key_required', 'Upsert needs at least one key column', { field: 'key' });
  for (const k of key) {
    const missing = [
      ...(incCols.some((c) => c.name === k) ? [] : ['the incoming file']),
      ...(prevCols.length === 0 || prevCols.some((c) => c.name === k) ? [] : ['the previous version']),
    ];
    if (k === '_id' || missing.length > 0) {
      throw badRequest(
        'invalid_key',
        `Key column ${k} is ${k === '_id' ? 'the row number, not a key' : `missing from ${missing.join(' and ')}`}`,
        {
          field: 'key',
          column: k,
        },
      );
    }
  }
  return key;
}

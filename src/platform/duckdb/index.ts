import fs from 'node:fs';
import path from 'node:path';
import {
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';

/**
 * The data engine. One in-process DuckDB instance (in-memory catalogue; all data lives in Parquet
 * files under the data directory, so several processes, or other engines, can read them at once).
 * Only the datastore and ingest modules use it.
 */
export interface DataEngineOptions {
  /** Scratch directory for DuckDB spilling to disk. */
  tempDir: string;
  threads?: number;
  memoryLimit?: string;
  /** Connections kept for reuse. */
  poolSize?: number;
}

/**
 * The Parquet options of every table version's data file. Snappy (DuckDB's, Spark's and Arrow's default) rather
 * than zstd: files are about 1.6x bigger, but writing one costs about half the CPU (a 10M-row load spends ~2 s less
 * in its final write) and reads decompress faster. Exports for download stay zstd (smaller to send).
 */
export const DATA_FILE_FORMAT = 'FORMAT parquet, COMPRESSION snappy';

/**
 * How to read a table version's data file. A file either stores `_id` (a merge's output, a very wide load, files
 * written by earlier releases) or leaves it out, and then `_id` is the row's 1-based position in the file: the load
 * order, which read_parquet gives as file_row_number (no numbering pass after a load). `from` is the scan and `id` the
 * expression of `_id` over it: kept as an expression on the scan itself (not a column of a subquery), so that DuckDB
 * pushes `_id` ranges into the Parquet scan and skips row groups, as the statistics of a stored column let it. Any
 * engine can read either file; a reader of a file without `_id` numbers its rows in file order.
 */
export function dataFileScan(file: string, idStored: boolean): { from: string; id: string } {
  const f = quoteLiteral(file);
  return idStored
    ? { from: `read_parquet(${f})`, id: '"_id"' }
    : { from: `read_parquet(${f}, file_row_number = true)`, id: '(file_row_number + 1)' };
}

/**
 * The scan for a read whose columns are given by expressions: `_id` as the row's position where it can be, else (the
 * file stores `_id`, or an expression such as a mask refers to the column `_id`) a relation with an `_id` column.
 */
export function dataFileRead(file: string, idStored: boolean, idExprGiven: boolean): { from: string; id: string } {
  if (idStored || !idExprGiven) return dataFileScan(file, idStored);
  return { from: dataFileSql(file, false), id: '"_id"' };
}

/** A data file as a relation whose first column is `_id`, for statements that read every column (merges). */
export function dataFileSql(file: string, idStored: boolean): string {
  if (idStored) return dataFileScan(file, true).from;
  const scan = dataFileScan(file, false);
  return `(SELECT ${scan.id} AS _id, * EXCLUDE (file_row_number) FROM ${scan.from})`;
}

/** Whether data files store `_id`, by path, size and modification time: a file's schema is read once. */
const ID_STORED = new Map<string, boolean>();
const ID_STORED_KEPT = 4096;

/** Prepared statements kept per pooled connection (least recently used dropped first). */
const STATEMENTS_PER_CONNECTION = 64;

export class DataEngine {
  private idle: DuckDBConnection[] = [];
  private closed = false;
  // Statements prepared on each pooled connection, keyed by SQL text (a Map keeps insertion order: oldest first).
  private readonly statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly poolSize: number,
  ) {}

  static async open(opts: DataEngineOptions): Promise<DataEngine> {
    fs.mkdirSync(opts.tempDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '1GB',
      temp_directory: opts.tempDir,
      // No extension may be installed or loaded at run time (user SQL must never reach the network).
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    // Data files are immutable (a load writes a new file), so their footers can be cached across queries; DuckDB
    // still checks each file's modification time.
    const setup = await instance.connect();
    try {
      await setup.run('SET GLOBAL parquet_metadata_cache = true');
    } finally {
      setup.closeSync();
    }
    // Enough idle connections for a burst of concurrent reads: each keeps its prepared statements.
    return new DataEngine(instance, opts.poolSize ?? 16);
  }

  /**
   * Whether a data file stores `_id` (see dataFileSql), from its footer the first time a process asks about the file
   * as it is now (a data file never changes, but a scratch path may be written again, so the key has its size and
   * modification time).
   */
  async idStored(file: string): Promise<boolean> {
    const st = await fs.promises.stat(file);
    const key = `${file}\0${st.size}\0${st.mtimeMs}`;
    const known = ID_STORED.get(key);
    if (known !== undefined) return known;
    const r = await this.withConnection((c) =>
      c.runAndReadAll(`SELECT count(*) FROM parquet_schema(${quoteLiteral(file)}) WHERE name = '_id'`),
    );
    const stored = Number(r.getRows()[0]?.[0] ?? 0) > 0;
    if (ID_STORED.size >= ID_STORED_KEPT) ID_STORED.delete(ID_STORED.keys().next().value as string);
    ID_STORED.set(key, stored);
    return stored;
  }

  /** Runs fn with a connection of its own; the connection returns to the pool afterwards. */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('data engine is closed');
    const conn = this.idle.pop() ?? (await this.instance.connect());
    let healthy = true;
    try {
      return await fn(conn);
    } catch (err) {
      healthy = false;
      throw err;
    } finally {
      if (healthy && !this.closed && this.idle.length < this.poolSize) this.idle.push(conn);
      else conn.closeSync();
    }
  }

  /**
   * Runs one statement with bound parameters on a pooled connection and returns every row, converted. The statement
   * stays prepared on that connection for the next identical SQL text: the SQL of a read names an immutable Parquet
   * file and carries every request value as a parameter, so repeated reads skip parsing and planning. Results are
   * materialized (pages and counts are small), so rows are read without a further round trip per chunk.
   */
  async query<T>(
    sql: string,
    params: readonly DuckDBValue[],
    convert: DuckDBValueConverter<T>,
  ): Promise<(T | null)[][]> {
    return this.withConnection(async (conn) => {
      let cache = this.statements.get(conn);
      if (!cache) this.statements.set(conn, (cache = new Map()));
      let stmt = cache.get(sql);
      if (stmt) cache.delete(sql);
      else {
        stmt = await conn.prepare(sql);
        if (cache.size >= STATEMENTS_PER_CONNECTION) {
          const [oldest, old] = cache.entries().next().value as [string, DuckDBPreparedStatement];
          cache.delete(oldest);
          old.destroySync();
        }
      }
      cache.set(sql, stmt);
      stmt.bind(params as DuckDBValue[]);
      const result = await stmt.run();
      const rows: (T | null)[][] = [];
      for (let i = 0, n = result.chunkCount; i < n; i++)
        for (const row of result.getChunk(i).convertRows(convert)) rows.push(row);
      return rows;
    });
  }

  async health(): Promise<{ ok: boolean; version?: string; error?: string }> {
    try {
      const version = await this.withConnection(async (c) => {
        const r = await c.runAndReadAll('SELECT version() AS v');
        return String(r.getRowObjects()[0]?.v ?? '');
      });
      return { ok: true, version };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle) c.closeSync();
    this.idle = [];
    this.instance.closeSync();
  }
}

/** Quotes an SQL identifier for DuckDB (double quotes doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for DuckDB; use only for paths we build ourselves, bind user values as parameters. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    tables: path.join(dataDir, 'tables'),
    uploads: path.join(dataDir, 'uploads'),
    tmp: path.join(dataDir, 'tmp'),
    /** Large scratch copies kept between loads to be written over (ingest/scratch-pool.ts). */
    scratchPool: path.join(dataDir, 'tmp', 'scratch-pool'),
    exports: path.join(dataDir, 'exports'),
  };
}

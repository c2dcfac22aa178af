import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataEngine, dataFileSql } from '../../src/platform/duckdb/index.ts';
import { ingestFile, type IngestOptions, type IngestResult } from '../../src/modules/ingest/index.ts';
import { AppError } from '../../src/platform/http/errors.ts';

export interface Harness {
  dir: string;
  engine: DataEngine;
  /** Writes a source file, ingests it, returns the result and the Parquet path. */
  ingest: (
    content: string | Buffer,
    name: string,
    opts?: Partial<IngestOptions>,
  ) => Promise<IngestResult & { out: string }>;
  /**
   * The data file read back through DuckDB as every reader sees it (`_id` first), as JSON-friendly row objects; only
   * the rows `where` (SQL) selects, when given.
   */
  rows: (file: string, orderBy?: string, where?: string) => Promise<Record<string, unknown>[]>;
  /** Column name → DuckDB type of a data file as every reader sees it (`_id` first). */
  schema: (file: string) => Promise<Record<string, string>>;
  file: (name: string, content: string | Buffer) => string;
  close: () => void;
}

export async function harness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-ingest-test-'));
  const engine = await DataEngine.open({ tempDir: path.join(dir, 'duckdb-tmp'), threads: 2, memoryLimit: '512MB' });
  let n = 0;
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, `${++n}-${name}`);
    fs.writeFileSync(p, content);
    return p;
  };
  return {
    dir,
    engine,
    file,
    ingest: async (content, name, opts = {}) => {
      const filePath = file(name, content);
      const out = path.join(dir, `${n}-out.parquet`);
      const result = await ingestFile({
        filePath,
        originalName: name,
        outFile: out,
        tmpDir: path.join(dir, 'scratch'),
        engine,
        ...opts,
      });
      return { ...result, out };
    },
    rows: async (f, orderBy = '_id', where = 'true') => {
      const from = dataFileSql(f, await engine.idStored(f));
      return engine.withConnection(async (c) => {
        const r = await c.runAndReadAll(`SELECT * FROM ${from} WHERE ${where} ORDER BY ${orderBy}`);
        return r.getRowObjectsJson() as Record<string, unknown>[];
      });
    },
    schema: async (f) => {
      const from = dataFileSql(f, await engine.idStored(f));
      return engine.withConnection(async (c) => {
        const r = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
        return Object.fromEntries(r.getRows().map((row) => [String(row[0]), String(row[1])]));
      });
    },
    close: () => {
      engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs fn and returns the AppError it throws (fails if it resolves or throws something else). */
export async function appError(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** Scratch directory left empty and no stray files next to the output. */
export function leftovers(h: Harness): string[] {
  const scratch = path.join(h.dir, 'scratch');
  const inScratch = fs.existsSync(scratch) ? fs.readdirSync(scratch) : [];
  const partials = fs.readdirSync(h.dir).filter((f) => f.includes('.partial'));
  return [...inScratch, ...partials];
}

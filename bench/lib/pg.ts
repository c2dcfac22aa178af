import { spawn } from 'node:child_process';
import pg from 'pg';
import { errorMessage } from './figures.ts';

/**
 * The PostgreSQL peer: found through CITYDATA_BENCH_PG_URL, then DATABASE_URL, then the local server. Everything
 * the bench creates lives in a schema of its own that is dropped at the end.
 */
export interface PgPeer {
  url: string;
  schema: string;
  client: pg.Client;
  version: string;
  /** Runs `\copy` through psql (what an operator would type; pg has no COPY FROM STDIN stream without a plugin). */
  copyFromFile(table: string, file: string, encoding?: 'UTF8' | 'GB18030'): Promise<void>;
  qualified(table: string): string;
  close(): Promise<void>;
}

export type PgLookup = { peer: PgPeer; missing?: undefined } | { peer?: undefined; missing: string };

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function runPsql(url: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited with ${code}: ${stderr.trim().slice(0, 400)}`)),
    );
  });
}

async function hasPsql(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('psql', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

export async function findPostgres(): Promise<PgLookup> {
  const url = process.env.CITYDATA_BENCH_PG_URL || process.env.DATABASE_URL || LOCAL_URL;
  if (!/^postgres(ql)?:\/\//i.test(url))
    return { missing: 'PostgreSQL not configured (DATABASE_URL is not a postgres:// URL)' };
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    return {
      missing: `PostgreSQL not reachable at ${url.replace(/\/\/[^@/]*@/, '//***@')} (${errorMessage(err)}); set DATABASE_URL or CITYDATA_BENCH_PG_URL`,
    };
  }
  if (!(await hasPsql())) {
    await client.end();
    return { missing: 'psql is not installed (the PostgreSQL COPY peer runs \\copy through psql)' };
  }
  const version = String(
    (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '',
  );
  const schema = `citydata_bench_${process.pid}`;
  await client.query(`DROP SCHEMA IF EXISTS ${pgIdent(schema)} CASCADE`);
  await client.query(`CREATE SCHEMA ${pgIdent(schema)}`);
  const qualified = (table: string) => `${pgIdent(schema)}.${pgIdent(table)}`;
  return {
    peer: {
      url,
      schema,
      client,
      version,
      qualified,
      copyFromFile: (table, file, encoding = 'UTF8') => {
        if (/['\n]/.test(file)) throw new Error(`unsupported file path for psql: ${file}`);
        return runPsql(
          url,
          `\\copy ${qualified(table)} FROM '${file}' WITH (FORMAT csv, HEADER true, ENCODING '${encoding}')`,
        );
      },
      close: async () => {
        await client.query(`DROP SCHEMA IF EXISTS ${pgIdent(schema)} CASCADE`).catch(() => undefined);
        await client.end();
      },
    },
  };
}

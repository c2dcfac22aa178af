import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { startChildServer } from '../helpers/child-server.ts';
import { tempDir } from '../helpers/db.ts';
import { seedOverHttp } from './http.ts';

export interface ExchangeLoadResult {
  calls: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  callsPerSecond: number;
  /** New exchange-log rows of the resource: must equal `ok`. */
  logged: number;
}

interface CannonJson {
  '2xx': number;
  non2xx: number;
  errors: number;
  duration: number;
  requests: { average: number; total: number };
}

/**
 * Log completeness under load: a real server process, `calls` rows-API reads by an API key (open data, so every read
 * passes the grant lookup too) fired by autocannon in a child process at 127.0.0.1, then the exchange log is counted
 * through its API. Usable from a bench: `await runExchangeLoad({ calls: 20_000, connections: 32 })`.
 */
export async function runExchangeLoad(opts: { calls: number; connections?: number }): Promise<ExchangeLoadResult> {
  const dataDir = tempDir('citydata-exload-');
  const server = await startChildServer(dataDir, { LOG_LEVEL: 'silent' });
  try {
    const { resourceId, key, logged } = await seedOverHttp(server);
    const before = (await logged()).length;
    const url = `${server.url}/api/v1/resources/${resourceId}/rows?limit=5`;
    const cannon = await autocannon(url, opts.calls, opts.connections ?? 16, `authorization=Bearer ${key}`);
    const after = (await logged()).length;
    const seconds = cannon.duration;
    return {
      calls: cannon.requests.total,
      ok: cannon['2xx'],
      non2xx: cannon.non2xx,
      errors: cannon.errors,
      seconds,
      callsPerSecond: Math.round(cannon.requests.total / seconds),
      logged: after - before,
    };
  } finally {
    await server.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function autocannon(url: string, amount: number, connections: number, header: string): Promise<CannonJson> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('load runs against 127.0.0.1 only');
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, '-j', '-c', String(connections), '-a', String(amount), '-H', header, url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${stderr.slice(0, 300)}`));
      try {
        resolve(JSON.parse(stdout) as CannonJson);
      } catch {
        reject(new Error(`autocannon printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** A real server process (`citydata serve`), for crash and CLI tests. */
export interface ChildServer {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startChildServer(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, [path.resolve('bin/citydata.mjs'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CITYDATA_DATA_DIR: dataDir,
      CITYDATA_DEMO: '0',
      CITYDATA_ADMIN_PASSWORD: 'Admin#2026pw',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

/** Signs in over HTTP and returns headers for cookie-authenticated calls (with the CSRF token). */
export async function httpLogin(url: string, username: string, password: string): Promise<Record<string, string>> {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { csrfToken: string };
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  return { cookie, 'x-csrf-token': body.csrfToken };
}

/** Uploads a CSV as a new version of a resource over HTTP and waits for its load job to succeed. */
export async function loadCsvOverHttp(
  url: string,
  headers: Record<string, string>,
  resourceId: string,
  csv: string,
  fileName: string,
  /** Load options as a query string, e.g. `?mode=append`. */
  query = '',
): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([csv]), fileName);
  const load = (await (
    await fetch(`${url}/api/v1/resources/${resourceId}/loads${query}`, { method: 'POST', headers, body: form })
  ).json()) as { job: { id: string } };
  for (let i = 0; ; i++) {
    const j = (await (await fetch(`${url}/api/v1/jobs/${load.job.id}`, { headers })).json()) as { state: string };
    if (j.state === 'succeeded') return;
    if (j.state === 'failed' || i > 600) throw new Error(`load: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

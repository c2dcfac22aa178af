import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../lib/context.ts';
import { INGEST_TABLE, bytesPerRow, writeDemoCsv } from '../lib/data.ts';
import { BENCH_ADMIN_PASSWORD, field, publishedResource, sessionHeaders, waitForJob, type Call } from '../lib/api.ts';
import { figure, formatBytes, round, timed, type SectionResult } from '../lib/figures.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUDGET_BYTES = 1.5 * 1024 ** 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc (Linux). */
function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Resets VmHWM of a process to its current RSS (writing 5 to clear_refs, Linux 4.0+); false if not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function waitHealthy(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const r = await fetch(`${base}/api/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('server did not become healthy in time');
}

/** Streams file as a multipart upload (content-length known, so nothing is buffered on either side). */
function streamUpload(
  url: string,
  headers: Record<string, string>,
  file: string,
  name: string,
): Promise<{ status: number; body: string }> {
  const boundary = `----citydatabench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(file).size;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(head);
    const rs = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    rs.on('error', reject);
    rs.on('end', () => req.end(tail));
    rs.pipe(req, { end: false });
  });
}

/**
 * Peak resident memory of the real server (a child process) while it receives and loads a big CSV through the
 * API: upload streamed, load job (ingest to Parquet, version switch), sampled from /proc every 100 ms.
 */
export async function memorySection(ctx: BenchContext, out: SectionResult): Promise<void> {
  const target = ctx.sizes.memoryBytes;
  const perRow = await bytesPerRow(INGEST_TABLE);
  const rows = Math.max(1000, Math.round(target / perRow));
  const file = path.join(ctx.tmpDir, 'memory.csv');
  ctx.log(`memory: writing ${formatBytes(target)} of CSV (${rows.toLocaleString()} rows)`);
  const written = await writeDemoCsv(INGEST_TABLE, rows, 'csv', file);

  const port = await freePort();
  const dataDir = path.join(ctx.tmpDir, 'memory-data');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CITYDATA_DATA_DIR: dataDir,
    CITYDATA_DEMO: '0',
    CITYDATA_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL; // metadata in SQLite: the figure is the server's own memory, not a database client's
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'lib', 'server-child.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const pid = child.pid;
  if (!pid) throw new Error('could not start the server');
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base, child, 60_000);
    let headers: Record<string, string> = {};
    const call: Call = async (method, url, body) => {
      const r = await fetch(`${base}${url}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      const h: Record<string, string | string[]> = Object.fromEntries(r.headers.entries());
      const setCookie = r.headers.getSetCookie();
      if (setCookie.length) h['set-cookie'] = setCookie;
      return { status: r.status, json, headers: h };
    };
    const login = await call('POST', '/api/v1/auth/login', { username: 'admin', password: BENCH_ADMIN_PASSWORD });
    if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
    headers = sessionHeaders(login);
    const id = await publishedResource(call, INGEST_TABLE, 'BENCHMEM');

    const idle = procMemory(pid);
    // Reset the kernel's high-water mark (VmHWM) so that it covers exactly the upload and the load job:
    // unlike sampling it cannot miss a short peak between two samples.
    const hwmReset = resetPeakRss(pid);
    let peakRss = idle?.rss ?? 0;
    let samples = 0;
    const sampler = setInterval(() => {
      const m = procMemory(pid);
      if (!m) return;
      samples++;
      peakRss = Math.max(peakRss, m.rss);
    }, 100);
    let job: unknown;
    let loadMs: number;
    let uploadMs = 0;
    const t0 = performance.now();
    try {
      ctx.log('memory: uploading and loading through the API');
      ({ ms: loadMs, value: job } = await timed(async () => {
        const up = await streamUpload(`${base}/api/v1/resources/${id}/loads`, headers, file, '气象观测.csv');
        uploadMs = performance.now() - t0;
        if (up.status !== 202) throw new Error(`upload answered ${up.status}: ${up.body.slice(0, 300)}`);
        const jobId = field<string>(JSON.parse(up.body), 'job', 'id');
        // Generous: ~1 minute per 100 MB, at least 10 minutes.
        return waitForJob(call, jobId, Math.max(600_000, (target / 1e8) * 60_000), 250);
      }));
    } finally {
      clearInterval(sampler);
    }
    const final = procMemory(pid);
    if (field<string>(job, 'state') !== 'succeeded')
      throw new Error(
        `load job ended ${field<string>(job, 'state')}: ${JSON.stringify(field(job, 'error')).slice(0, 300)}`,
      );
    // VmHWM (reset before the upload) is the exact peak of the upload and the load job; without the reset
    // it would also count start-up, so then the sampled peak is the figure.
    const peak = hwmReset ? Math.max(peakRss, final?.hwm ?? 0) : peakRss;
    const loadedRows = field<number>(job, 'result', 'rows');
    out.figures.push(
      figure({
        section: 'memory',
        id: 'memory.peak_rss',
        label: `peak resident memory of the server during a ${formatBytes(written.bytes)} CSV load via the API`,
        unit: 'MiB',
        ours: round(peak / 1024 ** 2, 0),
        peer: null,
        peerName: null,
        ratio: peak / BUDGET_BYTES,
        ratioDefinition: 'peak ÷ 1.5 GiB budget',
        goal: { text: '< 1.5 GiB at 10 GB (ratio ≤ 1)', op: '<=', value: 1 },
        note:
          (hwmReset
            ? `peak resident memory (VmHWM, reset just before the upload) of the server process from upload start to job end; ` +
              `highest of ${samples} VmRSS samples (every 100 ms): ${formatBytes(peakRss)}; `
            : `highest VmRSS of the server process over ${samples} samples (every 100 ms) from upload start to job end ` +
              `(VmHWM could not be reset; since start it is ${formatBytes(final?.hwm ?? 0)}); `) +
          `idle before the upload: ${formatBytes(idle?.rss ?? 0)}` +
          (target < 10 * 1024 ** 3
            ? `; scaled-down load (${formatBytes(written.bytes)}), the goal is set for 10 GB`
            : ''),
        details: {
          fileBytes: written.bytes,
          rows: written.rows,
          loadedRows,
          idleRssBytes: idle?.rss ?? null,
          peakRssSampledBytes: peakRss,
          vmHwmBytes: final?.hwm ?? null,
          vmHwmResetBeforeUpload: hwmReset,
          job: {
            createdAt: field<string>(job, 'createdAt'),
            startedAt: field<string>(job, 'startedAt'),
            finishedAt: field<string>(job, 'finishedAt'),
            result: field<unknown>(job, 'result'),
          },
        },
      }),
    );
    out.figures.push(
      figure({
        section: 'memory',
        id: 'memory.load_throughput',
        label: `upload + load job through the API, ${written.rows.toLocaleString()} rows`,
        unit: 'MB/s',
        ours: round(written.bytes / 1e6 / (loadMs / 1000), 1),
        peer: null,
        peerName: null,
        ratio: null,
        goal: null,
        note:
          `${round(loadMs / 1000, 1)} s end to end (${Math.round(written.rows / (loadMs / 1000)).toLocaleString()} rows/s): ` +
          `upload ${round(uploadMs / 1000, 1)} s, then the load job (ingest, version switch, quality checks) ${round((loadMs - uploadMs) / 1000, 1)} s`,
      }),
    );
  } catch (err) {
    if (stderr.trim()) out.notes.push(`server stderr (tail): ${stderr.trim().slice(-500)}`);
    throw err;
  } finally {
    child.kill('SIGTERM');
    await new Promise<void>((res) => {
      if (child.exitCode !== null) return res();
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        res();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        res();
      });
    });
    await fsp.rm(file, { force: true });
  }
}

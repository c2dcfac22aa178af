import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/platform/db/index.ts';
import type { BenchContext } from '../lib/context.ts';
import { writeDemoCsv } from '../lib/data.ts';
import { BENCH_ADMIN_PASSWORD, field, publishedResource, sessionHeaders, waitForJob, type Call } from '../lib/api.ts';
import { errorMessage, figure, round, type SectionResult } from '../lib/figures.ts';

const TABLE = 'air-quality-hourly';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
  /** Seconds from the first request to the last response. */
  duration: number;
}

/** The data-call rate issue 5 asks the exchange log to keep up with. */
const DATA_CALLS_GOAL = 1000;

/**
 * Runs autocannon in a child process (so it takes neither the server's event loop nor its core), against
 * 127.0.0.1 only, for a bounded duration.
 */
function autocannon(
  url: string,
  seconds: number,
  connections: number,
  opts: { amount?: number; uniqueIds?: boolean } = {},
): Promise<CannonResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('the bench only loads 127.0.0.1');
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  // A fixed amount waits for every response (so each can be found in the exchange log); -I puts a fresh id in place
  // of each [<id>] of the URL, so no two requests are alike.
  const load = opts.amount ? ['-a', String(opts.amount)] : ['-d', String(seconds)];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, '-j', '-c', String(connections), ...load, ...(opts.uniqueIds ? ['-I'] : []), url],
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
        resolve(JSON.parse(stdout) as CannonResult);
      } catch {
        reject(new Error(`autocannon printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

function multipartBody(name: string, content: Buffer): { payload: Buffer; contentType: string } {
  const boundary = `----citydatabench${randomBytes(8).toString('hex')}`;
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export async function httpSection(ctx: BenchContext, out: SectionResult): Promise<void> {
  const { httpSeconds: seconds, httpConnections: connections, httpRows } = ctx.sizes;
  const dataDir = path.join(ctx.tmpDir, 'http-data');
  const config = loadConfig({
    CITYDATA_DATA_DIR: dataDir,
    CITYDATA_DEMO: '0',
    CITYDATA_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
  });
  // The peer: a bare Fastify hello-world in this same process, measured the same way.
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  const built = await buildApp({ config, logger: false });
  try {
    const app = built.app;
    let headers: Record<string, string> = {};
    const call: Call = async (method, url, body) => {
      const r = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      let json: unknown;
      try {
        json = r.json();
      } catch {
        json = r.body;
      }
      return { status: r.statusCode, json, headers: r.headers };
    };
    const login = await call('POST', '/api/v1/auth/login', { username: 'admin', password: BENCH_ADMIN_PASSWORD });
    if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
    headers = sessionHeaders(login);
    const id = await publishedResource(call, TABLE, 'BENCHHTTP');
    const csvPath = path.join(ctx.tmpDir, 'http.csv');
    const written = await writeDemoCsv(TABLE, httpRows, 'csv', csvPath);
    const mp = multipartBody('air.csv', await fsp.readFile(csvPath));
    const up = await app.inject({
      method: 'POST',
      url: `/api/v1/resources/${id}/loads`,
      headers: { ...headers, 'content-type': mp.contentType },
      payload: mp.payload,
    });
    if (up.statusCode !== 202) throw new Error(`upload answered ${up.statusCode}: ${up.body.slice(0, 300)}`);
    const job = await waitForJob(call, field<string>(up.json(), 'job', 'id'), 600_000);
    if (field<string>(job, 'state') !== 'succeeded')
      throw new Error(`load failed: ${JSON.stringify(field(job, 'error')).slice(0, 300)}`);
    await fsp.rm(csvPath, { force: true });
    headers = {}; // everything below is read anonymously, as the public reads open data

    const routes = new Set(built.routes.map((r) => `${r.method} ${r.url}`));
    // CKAN actions may be registered one by one or behind one `/api/3/action/:action` route.
    const exists = (route: string) =>
      routes.has(route) || (route.startsWith('GET /api/3/action/') && routes.has('GET /api/3/action/:action'));
    const q = encodeURIComponent('空气质量');
    const targets: { id: string; label: string; path: string; route: string }[] = [
      {
        id: 'resource_show',
        label: 'GET /api/v1/resources/:id (package_show-like)',
        path: `/api/v1/resources/${id}`,
        route: 'GET /api/v1/resources/:id',
      },
      {
        id: 'search',
        label: 'GET /api/v1/search?q=空气质量',
        path: `/api/v1/search?q=${q}`,
        route: 'GET /api/v1/search',
      },
      {
        id: 'rows',
        label: 'GET /api/v1/resources/:id/rows?limit=20 (rows API)',
        path: `/api/v1/resources/${id}/rows?limit=20`,
        route: 'GET /api/v1/resources/:id/rows',
      },
      {
        id: 'rows_filtered',
        label: 'GET rows?limit=20 with a filter (站点编码 = …)',
        path: `/api/v1/resources/${id}/rows?limit=20&filters=${encodeURIComponent(JSON.stringify({ field: '站点编码', op: 'eq', value: '4499003A' }))}`,
        route: 'GET /api/v1/resources/:id/rows',
      },
      {
        id: 'ckan_package_show',
        label: 'GET /api/3/action/package_show',
        path: `/api/3/action/package_show?id=${id}`,
        route: 'GET /api/3/action/package_show',
      },
      {
        id: 'ckan_package_search',
        label: 'GET /api/3/action/package_search?q=空气质量',
        path: `/api/3/action/package_search?q=${q}`,
        route: 'GET /api/3/action/package_search',
      },
      {
        id: 'ckan_datastore_search',
        label: 'GET /api/3/action/datastore_search?limit=20',
        path: `/api/3/action/datastore_search?resource_id=${id}&limit=20`,
        route: 'GET /api/3/action/datastore_search',
      },
    ];

    const helloAddr = await hello.listen({ port: 0, host: '127.0.0.1' });
    const ourAddr = await app.listen({ port: 0, host: '127.0.0.1' });
    ctx.log(`http: hello-world peer, ${seconds} s × ${connections} connections`);
    const peer = await autocannon(`${helloAddr}/`, seconds, connections);
    out.notes.push(
      `Peer: bare Fastify hello-world in the same process: ${Math.round(peer.requests.average)} req/s, ` +
        `p50 ${peer.latency.p50} ms, p99 ${peer.latency.p99} ms. autocannon runs in a child process, ` +
        `${connections} connections, ${seconds} s per endpoint; request logging off on both.`,
    );
    out.notes.push(
      `Data: resource with ${written.rows.toLocaleString()} rows of ${TABLE} (14 columns), read anonymously (open data).`,
    );
    for (const t of targets) {
      if (!exists(t.route)) {
        out.figures.push(
          figure({
            section: 'http',
            id: `http.${t.id}`,
            label: t.label,
            unit: 'req/s',
            ours: null,
            peer: Math.round(peer.requests.average),
            peerName: 'Fastify hello-world',
            ratio: null,
            goal: null,
            note: `route ${t.route} does not exist yet: not measured`,
          }),
        );
        continue;
      }
      const probe = await app.inject({ method: 'GET', url: t.path });
      if (probe.statusCode !== 200) {
        out.figures.push(
          figure({
            section: 'http',
            id: `http.${t.id}`,
            label: t.label,
            unit: 'req/s',
            ours: null,
            peer: Math.round(peer.requests.average),
            peerName: 'Fastify hello-world',
            ratio: null,
            goal: null,
            note: `answered ${probe.statusCode} before the run: ${probe.body.slice(0, 150)}`,
          }),
        );
        continue;
      }
      ctx.log(`http: ${t.label}`);
      try {
        const r = await autocannon(`${ourAddr}${t.path}`, seconds, connections);
        const bad = r.non2xx + r.errors + r.timeouts;
        out.figures.push(
          figure({
            section: 'http',
            id: `http.${t.id}`,
            label: t.label,
            unit: 'req/s',
            ours: Math.round(r.requests.average),
            peer: Math.round(peer.requests.average),
            peerName: 'Fastify hello-world',
            ratioDefinition: 'our req/s ÷ hello-world req/s',
            goal: null,
            note:
              `latency p50 ${r.latency.p50} ms / p99 ${r.latency.p99} ms (hello-world ${peer.latency.p50} / ${peer.latency.p99} ms)` +
              (bad ? `; ${bad} non-2xx/errors/timeouts of ${r.requests.total}` : ''),
            details: {
              requests: r.requests.total,
              latencyP50Ms: r.latency.p50,
              latencyP99Ms: r.latency.p99,
              peerLatencyP50Ms: peer.latency.p50,
              peerLatencyP99Ms: peer.latency.p99,
              latencyRatioP50: round(r.latency.p50 / Math.max(peer.latency.p50, 0.001), 2),
              non2xx: r.non2xx,
              errors: r.errors,
            },
          }),
        );
      } catch (err) {
        out.figures.push(
          figure({
            section: 'http',
            id: `http.${t.id}`,
            label: t.label,
            unit: 'req/s',
            ours: null,
            peer: Math.round(peer.requests.average),
            peerName: 'Fastify hello-world',
            ratio: null,
            goal: null,
            note: `autocannon failed: ${errorMessage(err)}`,
          }),
        );
      }
    }

    await dataCallFigures(ctx, out, ourAddr, id, built.ctx.store.db);
  } finally {
    await hello.close();
    await built.close();
  }
}

/**
 * Issue 5: data calls per second through the real server with the exchange log on, and whether the log holds every
 * completed call. A fixed number of rows-API calls (1,000 × --http-seconds) is fired by autocannon; every 2xx answer
 * must have its line in exchange_log (counted in the metadata store before and after). Two runs: the same page
 * again and again, and every call with a filter value of its own (so no two reads are alike).
 */
async function dataCallFigures(ctx: BenchContext, out: SectionResult, addr: string, id: string, db: Db) {
  const { httpSeconds, httpConnections: connections } = ctx.sizes;
  const amount = DATA_CALLS_GOAL * httpSeconds;
  const logged = async () =>
    Number(
      (
        await db
          .selectFrom('exchange_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('resource_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const unique = `${encodeURIComponent('{"field":"站点编码","op":"ne","value":"')}[%3Cid%3E]${encodeURIComponent('"}')}`;
  const runs = [
    {
      key: 'same',
      label: 'same page (rows?limit=20)',
      path: `/api/v1/resources/${id}/rows?limit=20`,
      uniqueIds: false,
    },
    {
      key: 'distinct',
      label: 'a filter value of its own per call (rows?limit=20&filters=站点编码 ≠ <id>)',
      path: `/api/v1/resources/${id}/rows?limit=20&filters=${unique}`,
      uniqueIds: true,
    },
  ];
  for (const r of runs) {
    ctx.log(`http: data calls, ${r.key}: ${amount} calls × ${connections} connections`);
    const row = {
      section: 'http',
      id: `http.data_calls_${r.key}`,
      label: `data calls/s with the exchange log on, ${r.label}`,
      unit: 'calls/s',
      peer: DATA_CALLS_GOAL,
      peerName: 'goal',
    };
    try {
      const before = await logged();
      const cpu = process.cpuUsage();
      const c = await autocannon(`${addr}${r.path}`, httpSeconds, connections, { amount, uniqueIds: r.uniqueIds });
      const used = process.cpuUsage(cpu);
      const lines = (await logged()) - before;
      const ok = c['2xx'];
      const rate = Math.round(c.requests.total / Math.max(c.duration, 0.001));
      const complete = lines >= ok;
      const f = figure({
        ...row,
        ours: rate,
        ratioDefinition: 'calls/s ÷ 1,000 (and every completed call logged)',
        goal: { text: '≥ 1,000 data calls/s, no completed call missing from the log', op: '>=', value: 1 },
        note:
          `${ok} of ${c.requests.total} calls answered 2xx, ${lines} exchange-log lines written` +
          (complete ? ' (log complete)' : ` — ${ok - lines} completed calls MISSING from the log`) +
          `; p50 ${c.latency.p50} ms / p99 ${c.latency.p99} ms; server CPU ${((used.user + used.system) / 1000 / Math.max(c.requests.total, 1)).toFixed(2)} ms per call`,
        details: {
          calls: c.requests.total,
          ok,
          logged: lines,
          non2xx: c.non2xx,
          errors: c.errors,
          seconds: c.duration,
          latencyP50Ms: c.latency.p50,
          latencyP99Ms: c.latency.p99,
          serverCpuMsPerCall: round((used.user + used.system) / 1000 / Math.max(c.requests.total, 1), 3),
        },
      });
      if (!complete || c.non2xx + c.errors > 0) f.met = false;
      out.figures.push(f);
    } catch (err) {
      out.figures.push(
        figure({
          ...row,
          ours: null,
          ratio: null,
          goal: null,
          note: `failed: ${errorMessage(err)}`,
        }),
      );
    }
  }
  out.notes.push(
    `Data calls (issue 5): ${amount} rows-API calls per run (1,000 × --http-seconds), ${connections} connections, ` +
      'anonymous reads of the open resource through the real server (exchange log on, group-committed). A call ' +
      'counts as logged when its exchange_log line exists after the run; "server CPU" is the whole bench process ' +
      '(server and its DuckDB threads) divided by the calls.',
  );
}

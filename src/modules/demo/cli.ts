import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import { DEFAULT_SEED } from './catalogue.ts';
import { writeDemoFiles } from './files.ts';

/**
 * The command-line halves of the demo and of uploads: `citydata demo` writes big benchmark files, `citydata
 * ingest` streams a file to a running server's load API and follows the load job. Both print to the terminal;
 * they return an exit code instead of exiting, so tests can call them.
 */

export interface CliOutput {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress bar draws (stderr by default); bars are only drawn on a terminal. */
  stream?: NodeJS.WriteStream;
}

const CONSOLE: CliOutput = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
};

function bar(stream: NodeJS.WriteStream, format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
}

// ------------------------------------------------------------------------------------------ citydata demo

export interface DemoCommandOptions {
  scale: number;
  out: string;
  seed?: number;
}

export async function runDemoCommand(o: DemoCommandOptions, io: CliOutput = CONSOLE): Promise<number> {
  if (!(o.scale > 0) || !Number.isFinite(o.scale)) {
    io.err(`Error: --scale must be a positive number, got ${o.scale}`);
    return 2;
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) {
    io.err(`Error: --seed must be an integer, got ${o.seed}`);
    return 2;
  }
  const stream = io.stream ?? process.stderr;
  const progress = bar(stream, '{bar} {percentage}% | {value}/{total} rows | ETA {eta_formatted} | {file}');
  let started = false;
  try {
    await writeDemoFiles({
      scale: o.scale,
      outDir: path.resolve(o.out),
      seed: o.seed ?? DEFAULT_SEED,
      onRows: (done, total) => {
        if (!started) {
          started = true;
          progress.start(total, 0, { file: '' });
        }
        progress.update(done);
      },
      onProgress: (msg) => {
        // Per-file lines (not the in-file row counts) go to the log, the rest to the bar.
        if (/^\[\d+\/\d+\] [^:]+: /.test(msg) || msg.startsWith('demo files')) {
          if (stream.isTTY) progress.update({ file: msg.split(':')[0] ?? '' });
          if (!stream.isTTY || msg.startsWith('demo files')) {
            if (msg.startsWith('demo files')) progress.stop();
            io.out(msg);
          }
        } else if (started) progress.update({ file: msg.replace(/^\[\d+\/\d+\] /, '').slice(0, 60) });
      },
    });
    return 0;
  } catch (err) {
    progress.stop();
    io.err(`Error: ${(err as Error).message}`);
    return 1;
  }
}

// ------------------------------------------------------------------------------------------ citydata ingest

export interface IngestCommandOptions {
  resource: string;
  mode?: 'replace' | 'append' | 'upsert';
  key?: string;
  encoding?: 'utf-8' | 'gb18030' | 'gbk';
  sheet?: string;
  headerRows?: number;
  delimiter?: string;
  policy?: 'widen' | 'reject_row';
  server?: string;
  apiKey?: string;
}

interface Problem {
  code?: string;
  detail?: string;
  message?: string;
  field?: string;
  row?: number;
  column?: string;
}

interface JobEvent {
  id: string;
  state: string;
  progress: { phase?: string; bytesRead?: number; bytesTotal?: number; rowsRead?: number };
  result: {
    version?: number;
    rows?: number;
    ingest?: { rowsRead?: number; rowsLoaded?: number; rowsRejected?: number; warnings?: string[] };
    fieldSync?: { newColumns?: string[]; missingFields?: string[] };
  } | null;
  error: Problem | null;
}

function problemText(p: Problem | null | undefined, fallback: string): string {
  if (!p) return fallback;
  const where = [p.field && `field ${p.field}`, p.row !== undefined && `row ${p.row}`, p.column && `column ${p.column}`]
    .filter(Boolean)
    .join(', ');
  const text = p.detail ?? p.message ?? fallback;
  return `${text}${p.code ? ` (${p.code})` : ''}${where ? ` [${where}]` : ''}`;
}

/** multipart/form-data framing around one file; the file itself is streamed between the two. */
function multipartFraming(fileName: string): { boundary: string; head: Buffer; tail: Buffer } {
  const boundary = `----citydata-cli-${randomBytes(12).toString('hex')}`;
  // RFC 7578: the filename parameter is a quoted string; quotes and line breaks are escaped (percent-encoded).
  const safe = fileName.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safe}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  return { boundary, head, tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/**
 * POSTs the file as multipart, streamed from disk with a known Content-Length (node:http rather than fetch, so the
 * body is never buffered and bytes sent can be counted for the bar).
 */
function upload(
  url: URL,
  apiKey: string,
  filePath: string,
  size: number,
  onBytes: (sent: number) => void,
): Promise<{ status: number; body: string }> {
  const { boundary, head, tail } = multipartFraming(path.basename(filePath));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
        accept: 'application/json',
      },
    });
    let settled = false;
    const answer = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        settled = true;
        // An early answer (e.g. 401 before the body was read) leaves the request unfinished: drop it.
        if (!req.writableEnded) req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    };
    req.on('response', answer);
    req.on('error', (err) => {
      if (!settled) reject(err);
    });
    req.write(head);
    let sent = 0;
    const file = fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 });
    file.on('data', (chunk) => {
      sent += chunk.length;
      onBytes(sent);
    });
    file.on('error', (err) => {
      req.destroy(err);
      reject(err);
    });
    file.on('end', () => req.end(tail));
    // The server may answer early (e.g. 403 before reading the body): stop sending then.
    req.on('response', () => file.destroy());
    file.pipe(req, { end: false });
  });
}

/**
 * Follows the job's Server-Sent Events until `end`. Hand-written parser: the stream is simple (event + one data
 * line per message) and no EventSource client is installed for Node 20.
 */
async function followJob(
  server: URL,
  apiKey: string,
  jobId: string,
  onProgress: (job: JobEvent) => void,
): Promise<JobEvent> {
  const res = await fetch(new URL(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, server), {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
  });
  if (!res.ok || !res.body) {
    const p = (await res.json().catch(() => null)) as Problem | null;
    throw new Error(problemText(p, `following job ${jobId} failed with HTTP ${res.status}`));
  }
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
      const message = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of message.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      const job = JSON.parse(data.join('\n')) as JobEvent;
      // The last state too, so a load that ends before its first progress event still shows where it got.
      onProgress(job);
      if (event === 'end') return job;
    }
  }
  // The stream closed without an end event (server restarted?): ask for the job's state once.
  const last = await fetch(new URL(`/api/v1/jobs/${encodeURIComponent(jobId)}`, server), {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const job = (await last.json()) as JobEvent;
  onProgress(job);
  return job;
}

export async function runIngestCommand(
  file: string,
  o: IngestCommandOptions,
  io: CliOutput = CONSOLE,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const apiKey = o.apiKey ?? env.CITYDATA_API_KEY;
  if (!apiKey) {
    io.err(
      'Error: an API key is needed: pass --api-key KEY or set CITYDATA_API_KEY (create one under 个人中心 → API 密钥)',
    );
    return 2;
  }
  let server: URL;
  try {
    server = new URL(o.server ?? env.CITYDATA_SERVER ?? 'http://localhost:8080');
  } catch {
    io.err(`Error: --server must be a URL like http://localhost:8080, got ${o.server}`);
    return 2;
  }
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    io.err(`Error: ${file} is not a readable file`);
    return 2;
  }
  if (o.mode === 'upsert' && !o.key) {
    io.err('Error: --mode upsert needs --key: the column(s) that identify a row, e.g. --key 站点编码,监测时间');
    return 2;
  }
  const query = new URLSearchParams();
  if (o.mode) query.set('mode', o.mode);
  if (o.key) query.set('key', o.key);
  if (o.encoding) query.set('encoding', o.encoding);
  if (o.sheet !== undefined) query.set('sheet', o.sheet);
  if (o.headerRows !== undefined) query.set('headerRows', String(o.headerRows));
  if (o.delimiter !== undefined) query.set('delimiter', o.delimiter);
  if (o.policy) query.set('policy', o.policy);
  const url = new URL(`/api/v1/resources/${encodeURIComponent(o.resource)}/loads`, server);
  url.search = query.toString();

  const stream = io.stream ?? process.stderr;
  const mb = (n: number) => (n / 1_048_576).toFixed(1);
  const sending = bar(stream, 'upload  {bar} {percentage}% | {sent}/{size} MB | ETA {eta_formatted}');
  sending.start(size, 0, { sent: '0.0', size: mb(size) });
  let res: { status: number; body: string };
  try {
    res = await upload(url, apiKey, file, size, (sent) => sending.update(sent, { sent: mb(sent) }));
  } catch (err) {
    sending.stop();
    io.err(`Error: could not upload to ${server.origin}: ${(err as Error).message}`);
    return 1;
  } finally {
    sending.stop();
  }
  let body: { job?: { id: string } } & Problem;
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    body = {};
  }
  if (res.status !== 202 || !body.job) {
    io.err(`Error: ${problemText(body, `the server answered HTTP ${res.status}`)}`);
    return 1;
  }
  const jobId = body.job.id;
  io.out(`Uploaded ${path.basename(file)} (${mb(size)} MB); load job ${jobId}`);

  const loading = bar(stream, 'load    {bar} {percentage}% | {phase} | {rows} rows | ETA {eta_formatted}');
  let barStarted = false;
  let job: JobEvent;
  try {
    job = await followJob(server, apiKey, jobId, (j) => {
      const p = j.progress;
      if (!p.bytesTotal) return;
      if (!barStarted) {
        barStarted = true;
        loading.start(p.bytesTotal, 0, { phase: p.phase ?? '', rows: 0 });
      }
      loading.update(p.bytesRead ?? 0, { phase: p.phase ?? '', rows: (p.rowsRead ?? 0).toLocaleString('en') });
    });
  } catch (err) {
    loading.stop();
    io.err(`Error: ${(err as Error).message}`);
    return 1;
  }
  loading.stop();
  if (job.state !== 'succeeded' || !job.result) {
    io.err(`Error: the load ${job.state}: ${problemText(job.error, 'no reason given')}`);
    return 1;
  }
  const r = job.result;
  const rejected = r.ingest?.rowsRejected ?? 0;
  io.out(
    `Loaded version ${r.version} of ${o.resource}: ${(r.rows ?? 0).toLocaleString('en')} rows` +
      ` (${(r.ingest?.rowsRead ?? 0).toLocaleString('en')} read, ${rejected.toLocaleString('en')} rejected)`,
  );
  for (const w of r.ingest?.warnings ?? []) io.out(`  warning: ${w}`);
  if (r.fieldSync?.newColumns?.length) io.out(`  columns not in the field list: ${r.fieldSync.newColumns.join(', ')}`);
  if (r.fieldSync?.missingFields?.length) io.out(`  fields without a column: ${r.fieldSync.missingFields.join(', ')}`);
  if (rejected > 0) io.out(`  rejected rows: ${new URL(`/api/v1/jobs/${jobId}/report?format=csv`, server).toString()}`);
  return 0;
}

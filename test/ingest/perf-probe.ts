/**
 * Ingest speed and memory probe (not a vitest file: run it by hand).
 *
 *   npx tsx test/ingest/perf-probe.ts [rows=1000000] [utf8|gb18030|both] [ingest|duckdb|both]
 *
 * Generates a realistic 12-column CSV (cached under $TMPDIR/citydata-perf), then runs each
 * measurement in a child process of its own so that each RSS peak belongs to one run:
 *  - ingest: ingestFile() → Parquet, with the engine defaults (2 threads, memory_limit 1GB);
 *  - duckdb: a fresh DuckDB instance with the same settings running
 *    CREATE TABLE t AS SELECT * FROM read_csv(file). DuckDB cannot read GB18030 here (no encodings
 *    extension), so the GB18030 row is compared with read_csv of the same data in UTF-8.
 * RSS peak: VmHWM of the child (reset through /proc/self/clear_refs), checked against sampling.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { DuckDBInstance } from '@duckdb/node-api';
import { DataEngine, quoteLiteral } from '../../src/platform/duckdb/index.ts';
import { ingestFile } from '../../src/modules/ingest/index.ts';

const CACHE = path.join(os.tmpdir(), 'citydata-perf');
const HEADER = [
  '记录编号',
  '站点名称',
  '采集时间',
  'PM2.5浓度',
  '客流量',
  '站点代码',
  '联系电话',
  '建成日期',
  '金额',
  '行政区划',
  '备注',
  '是否开放',
];
const DISTRICTS = ['天河', '越秀', '海珠', '荔湾', '白云', '黄埔', '番禺', '花都', '南沙', '从化', '增城'];
const PLACES = ['体育中心', '公园前', '火车站', '大学城', '市民广场', '江南西', '客村', '珠江新城', '机场南', '鹭江'];
const NOTES = ['', '', '', '设备检修', '数据补录', '临时关闭, 已恢复', '客流高峰'];
const DIVISIONS = ['440106', '440104', '440105', '440103', '440111', '440112', '440113', '440114', '440115'];

/** Deterministic PRNG (mulberry32) so every run measures the same file. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const p2 = (n: number) => (n < 10 ? '0' : '') + n;

async function generate(rows: number, file: string): Promise<void> {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
  const empty = (v: string, p = 0.03) => (r() < p ? '' : v);
  const out = fs.createWriteStream(file);
  out.write(HEADER.join(',') + '\n');
  let buf: string[] = [];
  const base = Date.UTC(2020, 0, 1) / 1000;
  for (let i = 1; i <= rows; i++) {
    const t = new Date((base + Math.floor(r() * 5 * 365 * 86400)) * 1000);
    const ts = `${t.getUTCFullYear()}-${p2(t.getUTCMonth() + 1)}-${p2(t.getUTCDate())} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())}`;
    const built = `${2000 + Math.floor(r() * 21)}年${1 + Math.floor(r() * 12)}月${1 + Math.floor(r() * 28)}日`;
    const amount = (r() * 2_000_000).toFixed(2);
    const amountText = r() < 0.5 ? Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2 }) : amount;
    const note = pick(NOTES);
    buf.push(
      [
        String(i),
        `${pick(DISTRICTS)}区${pick(PLACES)}站${1 + Math.floor(r() * 9)}号`,
        ts,
        empty((r() * 150).toFixed(1)),
        empty(String(Math.floor(r() * 100_000))),
        String(Math.floor(r() * 100_000)).padStart(6, '0'),
        empty(`1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`),
        empty(built, 0.05),
        amountText.includes(',') ? `"${amountText}"` : amountText,
        pick(DIVISIONS),
        note.includes(',') ? `"${note}"` : note,
        empty(r() < 0.7 ? '是' : '否'),
      ].join(','),
    );
    if (buf.length === 20_000 || i === rows) {
      if (!out.write(buf.join('\n') + '\n')) await once(out, 'drain');
      buf = [];
    }
  }
  out.end();
  await once(out, 'close');
}

async function transcodeToGb18030(src: string, dst: string): Promise<void> {
  const out = fs.createWriteStream(dst);
  const enc = iconv.encodeStream('gb18030');
  fs.createReadStream(src).pipe(iconv.decodeStream('utf8')).pipe(enc).pipe(out);
  await once(out, 'close');
}

async function fixture(rows: number, encoding: 'utf8' | 'gb18030'): Promise<string> {
  fs.mkdirSync(CACHE, { recursive: true });
  const utf8 = path.join(CACHE, `stations-${rows}.utf8.csv`);
  if (!fs.existsSync(utf8)) await generate(rows, utf8 + '.tmp').then(() => fs.renameSync(utf8 + '.tmp', utf8));
  if (encoding === 'utf8') return utf8;
  const gb = path.join(CACHE, `stations-${rows}.gb18030.csv`);
  if (!fs.existsSync(gb)) await transcodeToGb18030(utf8, gb + '.tmp').then(() => fs.renameSync(gb + '.tmp', gb));
  return gb;
}

// ---- child side -------------------------------------------------------------------------

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function child(kind: 'ingest' | 'duckdb', file: string): Promise<void> {
  let sampled = 0;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss() / 2 ** 20)), 50);
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  } catch {
    // not permitted: VmHWM then includes start-up, which is small
  }
  const rssStart = process.memoryUsage.rss() / 2 ** 20;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-perf-run-'));
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let rows: number;
  try {
    if (kind === 'ingest') {
      const engine = await DataEngine.open({ tempDir: path.join(scratch, 'duckdb-tmp') });
      let last = 'start';
      let lastAt = t0;
      const r = await ingestFile({
        filePath: file,
        originalName: path.basename(file),
        outFile: path.join(scratch, 'out.parquet'),
        tmpDir: path.join(scratch, 'work'),
        engine,
        onProgress: (p) => {
          if (p.phase !== last) {
            const now = performance.now();
            phases[last] = (now - lastAt) / 1000;
            last = p.phase;
            lastAt = now;
          }
        },
      });
      phases[last] = (performance.now() - lastAt) / 1000;
      rows = r.rowsLoaded;
      engine.close();
    } else {
      const inst = await DuckDBInstance.create(':memory:', {
        threads: '2',
        memory_limit: '1GB',
        temp_directory: path.join(scratch, 'duckdb-tmp'),
      });
      const conn = await inst.connect();
      await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv(${quoteLiteral(file)})`);
      rows = Number((await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0]?.[0]);
      conn.closeSync();
      inst.closeSync();
    }
  } finally {
    clearInterval(timer);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  process.send?.({ seconds, rows, rssStart, peakRss: Math.max(vmHwmMb(), sampled), phases });
}

// ---- parent side ------------------------------------------------------------------------

interface Measure {
  seconds: number;
  rows: number;
  rssStart: number;
  peakRss: number;
  phases: Record<string, number>;
}

function runChild(kind: string, file: string): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', kind, file], { stdio: 'inherit' });
    let got: Measure | null = null;
    c.on('message', (m) => (got = m as Measure));
    c.on('error', reject);
    c.on('exit', (code) => (got ? resolve(got) : reject(new Error(`${kind} child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const [a0, a1, a2] = process.argv.slice(2);
  if (a0 === '--child') return child(a1 as 'ingest' | 'duckdb', a2 as string);
  const rows = Number(a0 ?? 1_000_000);
  const encs: ('utf8' | 'gb18030')[] = a1 === 'utf8' || a1 === 'gb18030' ? [a1] : ['utf8', 'gb18030'];
  const kinds = a2 === 'ingest' || a2 === 'duckdb' ? [a2] : ['duckdb', 'ingest'];
  for (const enc of encs) {
    const file = await fixture(rows, enc);
    const utf8 = await fixture(rows, 'utf8');
    const mb = fs.statSync(file).size / 2 ** 20;
    const res: Record<string, Measure> = {};
    for (const kind of kinds) res[kind] = await runChild(kind, kind === 'duckdb' ? utf8 : file);
    for (const [kind, m] of Object.entries(res)) {
      const ph = Object.entries(m.phases)
        .map(([k, v]) => `${k} ${v.toFixed(1)}s`)
        .join(', ');
      console.log(
        `${rows} rows ${enc} (${mb.toFixed(0)} MB) ${kind.padEnd(6)} ${m.seconds.toFixed(1)} s, ` +
          `${(mb / m.seconds).toFixed(0)} MB/s, peak RSS ${m.peakRss.toFixed(0)} MB (start ${m.rssStart.toFixed(0)})` +
          `, rows ${m.rows}${ph ? ` [${ph}]` : ''}`,
      );
    }
    if (res.ingest && res.duckdb)
      console.log(`  ratio ingest/duckdb: ${(res.ingest.seconds / res.duckdb.seconds).toFixed(2)}×`);
  }
}

await main();

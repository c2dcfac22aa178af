/**
 * CityData benchmark suite: `npm run bench` (full sizes) or `npm run bench -- --quick` (< 3 minutes).
 * Every figure is measured beside its peer in the same run; see docs/PERFORMANCE.md.
 * Writes bench/results/latest.json and bench/results/latest.md.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_SIZES, QUICK_SIZES, type BenchContext, type BenchSizes } from './lib/context.ts';
import { errorMessage, type SectionResult } from './lib/figures.ts';
import { renderMarkdown, type BenchReport } from './lib/report.ts';
import { findPostgres, type PgLookup } from './lib/pg.ts';
import { bundleSection } from './sections/bundles.ts';
import { httpSection } from './sections/http.ts';
import { ingestSection } from './sections/ingest.ts';
import { memorySection } from './sections/memory.ts';
import { querySection } from './sections/queries.ts';
import { searchSection } from './sections/search.ts';

const SECTIONS: Record<string, (ctx: BenchContext, out: SectionResult) => Promise<void>> = {
  ingest: ingestSection,
  queries: querySection,
  http: httpSection,
  memory: memorySection,
  search: searchSection,
  bundles: bundleSection,
};

const SIZE_FLAGS: Record<string, keyof BenchSizes> = {
  'ingest-rows': 'ingestRows',
  'query-rows': 'queryRows',
  'page-runs': 'pageRuns',
  'group-runs': 'groupRuns',
  'http-rows': 'httpRows',
  'http-seconds': 'httpSeconds',
  'http-connections': 'httpConnections',
  'memory-bytes': 'memoryBytes',
  'search-docs': 'searchDocs',
  'search-queries': 'searchQueries',
};

const HELP = `Usage: npm run bench -- [--quick] [--only ingest,queries,http,memory,search,bundles] [--out DIR]
  sizes (defaults: the issue's full sizes; --quick scales them down):
${Object.entries(SIZE_FLAGS)
  .map(([flag, key]) => `    --${flag.padEnd(18)} full ${FULL_SIZES[key]}, quick ${QUICK_SIZES[key]}`)
  .join('\n')}
  --memory-bytes also accepts 300MB / 10GB.`;

/** "10GB", "300MB", "2M", "200k" or a plain number. */
function parseSize(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g|kb|mb|gb)?$/i.exec(raw.trim());
  if (!m) throw new Error(`--${flag} must be a number (e.g. 200000, 2M, 300MB), got "${raw}"`);
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = flag === 'memory-bytes';
  const mult: Record<string, number> = bytes
    ? { '': 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 }
    : { '': 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 };
  const value = Math.round(Number(m[1]) * (mult[unit] ?? 1));
  if (!(value > 0)) throw new Error(`--${flag} must be positive`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(SIZE_FLAGS).map((f) => [f, { type: 'string' as const }])),
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const quick = values.quick === true;
  const sizes: BenchSizes = { ...(quick ? QUICK_SIZES : FULL_SIZES) };
  let custom = false;
  for (const [flag, key] of Object.entries(SIZE_FLAGS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw === 'string') {
      sizes[key] = parseSize(flag, raw);
      custom = true;
    }
  }
  const only = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()) : Object.keys(SECTIONS);
  for (const name of only) if (!SECTIONS[name]) throw new Error(`unknown section "${name}" in --only`);

  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  const outDir = path.resolve(typeof values.out === 'string' ? values.out : path.join(benchDir, 'results'));
  const tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'citydata-bench-'));
  const started = Date.now();
  // The machine may be shared: the load average says how much else was running.
  const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 10) / 10);
  const log = (m: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
  let pgLookup: Promise<PgLookup> | null = null;
  const ctx: BenchContext = {
    sizes,
    quick,
    tmpDir,
    postgres: () => (pgLookup ??= findPostgres()),
    log,
  };

  const sections: SectionResult[] = [];
  try {
    for (const name of only) {
      const section = SECTIONS[name];
      if (!section) continue;
      const out: SectionResult = { name, ok: true, ms: 0, figures: [], notes: [] };
      const t0 = performance.now();
      log(`section ${name}`);
      try {
        await section(ctx, out);
      } catch (err) {
        // A failing section says so in its row; the others still run.
        out.ok = false;
        out.error = errorMessage(err);
        log(`section ${name} failed: ${out.error}`);
      }
      out.ms = Math.round(performance.now() - t0);
      sections.push(out);
    }
  } finally {
    if (pgLookup) {
      const l = await (pgLookup as Promise<PgLookup>).catch(() => null);
      await l?.peer?.close().catch(() => undefined);
    }
    await fsp.rm(tmpDir, { recursive: true, force: true });
  }

  const report: BenchReport = {
    measuredAt: new Date().toISOString(),
    mode: custom ? 'custom' : quick ? 'quick' : 'full',
    sizes,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      loadAverageAtStart,
    },
    sections,
  };
  await fsp.mkdir(outDir, { recursive: true });
  await fsp.writeFile(path.join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = renderMarkdown(report);
  await fsp.writeFile(path.join(outDir, 'latest.md'), md);
  console.log(md);
  log(`wrote ${path.join(outDir, 'latest.json')} and latest.md`);
}

await main();

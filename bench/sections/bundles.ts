import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../lib/context.ts';
import type { SectionResult } from '../lib/figures.ts';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

// Vite/rolldown output, minified: static `import … from"./x.js"` / `import"./x.js"` and lazy `import(`./x.js`)`.
const STATIC_IMPORT = /import\s*(?:[\w${},\s*]*?from\s*)?["'`]\.\/([\w.-]+\.js)["'`]/g;
const DYNAMIC_IMPORT = /import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g;

interface Chunk {
  file: string;
  bytes: number;
  gzip: number;
  imports: string[];
  lazy: string[];
}

const kib = (n: number) => Math.round((n / 1024) * 10) / 10;
/** "Home-CTodqDfu.js" → "Home" (Vite appends an 8-character content hash). */
const chunkName = (file: string) => file.replace(/-[\w-]{8}\.js$/, '').replace(/\.js$/, '');

/**
 * Per-route JS of the portal: what the browser downloads for the entry (every page) and, for each lazily loaded
 * route, what it adds on top (its chunk and the shared chunks it imports that the entry does not). Hand-written
 * because Vite writes no manifest here; the import graph is read from the chunks themselves.
 */
export async function bundleSection(ctx: BenchContext, out: SectionResult): Promise<void> {
  const assets = path.join(DIST, 'assets');
  if (!fs.existsSync(path.join(DIST, 'index.html')) || !fs.existsSync(assets)) {
    out.notes.push('web/dist does not exist: build the portal (npm start builds it) to get per-route bundle sizes.');
    return;
  }
  const chunks = new Map<string, Chunk>();
  for (const file of fs.readdirSync(assets).filter((f) => f.endsWith('.js'))) {
    const code = fs.readFileSync(path.join(assets, file));
    const text = code.toString('utf8');
    chunks.set(file, {
      file,
      bytes: code.length,
      gzip: zlib.gzipSync(code, { level: 9 }).length,
      imports: [...text.matchAll(STATIC_IMPORT)].map((m) => m[1] ?? '').filter((f) => f && f !== file),
      lazy: [...text.matchAll(DYNAMIC_IMPORT)].map((m) => m[1] ?? '').filter(Boolean),
    });
  }
  const closure = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f) || !chunks.has(f)) continue;
      seen.add(f);
      stack.push(...(chunks.get(f)?.imports ?? []));
    }
    return seen;
  };
  const sum = (files: Iterable<string>) => {
    let bytes = 0;
    let gzip = 0;
    for (const f of files) {
      bytes += chunks.get(f)?.bytes ?? 0;
      gzip += chunks.get(f)?.gzip ?? 0;
    }
    return { bytes, gzip };
  };
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="\/assets\/([\w.-]+\.js)"/g)].map((m) => m[1] ?? '');
  const entrySet = new Set<string>();
  for (const e of entries) for (const f of closure(e)) entrySet.add(f);
  const entryTotal = sum(entrySet);

  const rows: (string | number)[][] = [
    ['entry (every page)', entrySet.size, kib(entryTotal.bytes), kib(entryTotal.gzip)],
  ];
  const lazyTargets = new Set<string>();
  for (const c of chunks.values()) for (const l of c.lazy) if (chunks.has(l)) lazyTargets.add(l);
  for (const target of [...lazyTargets].sort((a, b) => chunkName(a).localeCompare(chunkName(b)))) {
    const extra = [...closure(target)].filter((f) => !entrySet.has(f));
    const s = sum(extra);
    rows.push([`route ${chunkName(target)} (adds)`, extra.length, kib(s.bytes), kib(s.gzip)]);
  }
  const all = sum(chunks.keys());
  rows.push(['all JS chunks', chunks.size, kib(all.bytes), kib(all.gzip)]);
  out.tables = [
    {
      title: 'Portal JavaScript per route (KiB; gzip -9)',
      columns: ['what', 'chunks', 'KiB', 'gzip KiB'],
      rows,
    },
    {
      title: 'Every JS chunk (KiB)',
      columns: ['chunk', 'KiB', 'gzip KiB'],
      rows: [...chunks.values()].sort((a, b) => b.bytes - a.bytes).map((c) => [c.file, kib(c.bytes), kib(c.gzip)]),
    },
  ];
  out.notes.push(
    `web/dist built ${fs.statSync(path.join(DIST, 'index.html')).mtime.toISOString()}; a route's row counts only what it adds to the entry.`,
  );
  ctx.log(`bundles: ${chunks.size} chunks, entry ${kib(entryTotal.gzip)} KiB gzip`);
}

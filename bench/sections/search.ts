import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSearchLatencyBench } from '../search.ts';
import type { BenchContext } from '../lib/context.ts';
import { errorMessage, figure, type SectionResult } from '../lib/figures.ts';

const RELEVANCE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'relevance.ts');

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Search latency (bench/search.ts) and relevance (bench/relevance.ts), both owned by the search work. */
export async function searchSection(ctx: BenchContext, out: SectionResult): Promise<void> {
  ctx.log(`search: latency over ${ctx.sizes.searchDocs} docs, ${ctx.sizes.searchQueries} queries`);
  const lat = await runSearchLatencyBench({ docs: ctx.sizes.searchDocs, queries: ctx.sizes.searchQueries });
  for (const [id, label, v] of [
    ['search.latency.p50', 'search latency p50', lat.p50Ms],
    ['search.latency.p99', 'search latency p99', lat.p99Ms],
    ['search.latency.cpu_p99', 'search CPU time per query p99', lat.cpuP99Ms],
  ] as const) {
    out.figures.push(
      figure({
        section: 'search',
        id,
        label: `${label} (${lat.docs.toLocaleString()} catalogue entries)`,
        unit: 'ms',
        ours: v,
        peer: null,
        peerName: null,
        goal: null,
        note: 'in-process provider; no peer engine runs here (the search issue sets absolute figures)',
        details: id === 'search.latency.p50' ? { ...lat } : undefined,
      }),
    );
  }
  out.notes.push(`Search index of ${lat.docs} entries built in ${lat.indexMs} ms (heap +${lat.heapMb} MB).`);

  if (!fs.existsSync(RELEVANCE_FILE)) {
    out.figures.push(
      figure({
        section: 'search',
        id: 'search.relevance',
        label: 'search relevance',
        unit: '',
        ours: null,
        peer: null,
        peerName: null,
        goal: null,
        note: 'bench/relevance.ts does not exist yet: relevance not measured',
      }),
    );
    return;
  }
  try {
    const mod: unknown = await import(pathToFileURL(RELEVANCE_FILE).href);
    const run = isRecord(mod) ? mod.runRelevanceBench : undefined;
    if (typeof run !== 'function') throw new Error('bench/relevance.ts does not export runRelevanceBench');
    ctx.log('search: relevance');
    const result: unknown = await (run as (opts: Record<string, unknown>) => Promise<unknown>)({ quick: ctx.quick });
    // The relevance bench owns its figures: every top-level number it returns becomes a row.
    const numbers = isRecord(result)
      ? Object.entries(result).filter((e): e is [string, number] => typeof e[1] === 'number')
      : [];
    if (!numbers.length) throw new Error('runRelevanceBench returned no numeric figures');
    for (const [k, v] of numbers) {
      out.figures.push(
        figure({
          section: 'search',
          id: `search.relevance.${k}`,
          label: `search relevance: ${k}`,
          unit: '',
          ours: v,
          peer: null,
          peerName: null,
          goal: null,
        }),
      );
    }
    out.notes.push(`Relevance: ${JSON.stringify(result).slice(0, 2000)}`);
  } catch (err) {
    out.figures.push(
      figure({
        section: 'search',
        id: 'search.relevance',
        label: 'search relevance',
        unit: '',
        ours: null,
        peer: null,
        peerName: null,
        goal: null,
        note: `relevance bench failed: ${errorMessage(err)}`,
      }),
    );
  }
}

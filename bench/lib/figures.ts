/** What every bench section reports: figures measured beside their peer in the same run. */

export interface Goal {
  /** e.g. "ours ≤ 1.5× DuckDB's time". */
  text: string;
  /** The ratio must be ≤ (or ≥) this value. */
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  section: string;
  /** Stable key for comparisons between runs, e.g. "ingest.utf8.duckdb". */
  id: string;
  label: string;
  unit: string;
  ours: number | null;
  peer: number | null;
  peerName: string | null;
  /** ours ÷ peer unless ratioDefinition says otherwise. */
  ratio: number | null;
  ratioDefinition: string | null;
  goal: Goal | null;
  met: boolean | null;
  /** Why a value is missing, or what to keep in mind when reading it. */
  note?: string;
  details?: Record<string, unknown>;
}

export interface SectionResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  figures: Figure[];
  notes: string[];
  /** Extra tables (e.g. bundle sizes) kept whole in the JSON and rendered as their own Markdown table. */
  tables?: { title: string; columns: string[]; rows: (string | number)[][] }[];
}

export function figure(
  f: Omit<Figure, 'ratio' | 'met' | 'ratioDefinition'> & { ratio?: number | null; ratioDefinition?: string | null },
): Figure {
  const ratio =
    f.ratio !== undefined ? f.ratio : f.ours !== null && f.peer !== null && f.peer !== 0 ? f.ours / f.peer : null;
  const met =
    f.goal && ratio !== null && Number.isFinite(ratio)
      ? f.goal.op === '<='
        ? ratio <= f.goal.value
        : ratio >= f.goal.value
      : null;
  return {
    ...f,
    ratio: ratio === null ? null : round(ratio, 3),
    ratioDefinition: f.ratioDefinition ?? (f.peerName ? `ours ÷ ${f.peerName}` : null),
    met,
  };
}

export function round(x: number, digits = 2): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

export function latencyStats(samples: number[]): { p50: number; p99: number; min: number; max: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: round(percentile(s, 50), 3),
    p99: round(percentile(s, 99), 3),
    min: round(s[0] ?? 0, 3),
    max: round(s[s.length - 1] ?? 0, 3),
    n: s.length,
  };
}

/** Wall time of fn in milliseconds, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function formatNumber(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${round(x / 1e6, 2)}M`;
  if (abs >= 1e4) return `${round(x / 1e3, 1)}k`;
  if (abs >= 100) return String(Math.round(x));
  if (abs >= 1) return String(round(x, 2));
  return String(round(x, 3));
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${round(n / (1 << 30), 2)} GiB`;
  if (n >= 1 << 20) return `${round(n / (1 << 20), 1)} MiB`;
  if (n >= 1 << 10) return `${round(n / (1 << 10), 1)} KiB`;
  return `${n} B`;
}

export function errorMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n').slice(0, 3).join(' ').slice(0, 500);
}

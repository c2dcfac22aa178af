import type { BenchSizes } from './context.ts';
import { formatBytes, formatNumber, type Figure, type SectionResult } from './figures.ts';

export interface BenchReport {
  measuredAt: string;
  mode: 'quick' | 'full' | 'custom';
  sizes: BenchSizes;
  durationSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    platform: string;
    node: string;
    loadAverageAtStart: number[];
  };
  sections: SectionResult[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function value(f: Figure, v: number | null): string {
  if (v === null) return '—';
  return `${formatNumber(v)} ${f.unit}`.trim();
}

function ratio(f: Figure): string {
  if (f.ratio === null) return '—';
  return `${formatNumber(f.ratio)}×`;
}

function met(f: Figure): string {
  if (!f.goal) return '';
  if (f.met === null) return 'n/a';
  return f.met ? 'yes' : '**no**';
}

/** The Markdown table of a run: figure, ours, peer, ratio, goal, met?. Notes follow each section. */
export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [
    `# CityData benchmark (${r.mode}) — ${r.measuredAt}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, ${r.machine.platform}, Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(' / ')}. ` +
      `Run took ${r.durationSeconds} s.`,
    '',
    `Sizes: ${Object.entries(r.sizes)
      .map(([k, v]) => `${k}=${k === 'memoryBytes' ? formatBytes(v) : formatNumber(v)}`)
      .join(', ')}`,
    '',
  ];
  for (const s of r.sections) {
    lines.push(`## ${s.name}${s.ok ? '' : ' — FAILED'}`, '');
    if (!s.ok) lines.push(`Section failed: ${cell(s.error ?? 'unknown error')}`, '');
    if (s.figures.length) {
      lines.push(
        '| figure | ours | peer | ratio | goal | met? | note |',
        '| --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const f of s.figures) {
        const peer = f.peerName ? `${value(f, f.peer)} (${f.peerName})` : '—';
        const ratioText = f.ratio === null ? '—' : `${ratio(f)} (${f.ratioDefinition ?? ''})`;
        lines.push(
          `| ${cell(f.label)} | ${value(f, f.ours)} | ${cell(peer)} | ${cell(ratioText)} | ${cell(f.goal?.text ?? '')} | ${met(f)} | ${cell(f.note ?? '')} |`,
        );
      }
      lines.push('');
    }
    for (const t of s.tables ?? []) {
      lines.push(`### ${t.title}`, '', `| ${t.columns.join(' | ')} |`, `| ${t.columns.map(() => '---').join(' | ')} |`);
      for (const row of t.rows) lines.push(`| ${row.map((c) => cell(String(c))).join(' | ')} |`);
      lines.push('');
    }
    for (const n of s.notes) lines.push(`- ${n}`);
    if (s.notes.length) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

import type { Rejection } from './types.ts';

function field(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  // Spreadsheet formula injection: the report is opened in Excel by the people who uploaded.
  if (/^[=+@\t\r]/.test(s) || /^-[^\d.]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The downloadable rejection report: UTF-8 with a BOM so Excel shows Chinese text correctly. */
export function rejectionsToCsv(r: Rejection[]): string {
  const lines = ['row,column,value,reason', ...r.map((x) => [x.row, x.column, x.value, x.reason].map(field).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

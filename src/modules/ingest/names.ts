/** Column naming: header text trimmed, empty → column_N, duplicates made unique; never transliterated. */

import { notice } from './errors.ts';
import type { Notice } from './types.ts';

const MAX_NAME_LENGTH = 255;

/**
 * Builds final column names from header texts. `reserved` names (e.g. `_id`) are never produced,
 * and uniqueness is case-insensitive because DuckDB identifiers are.
 */
export function makeColumnNames(
  headers: (string | null | undefined)[],
  reserved: string[],
): { names: string[]; warnings: Notice[] } {
  const reservedSet = new Set(reserved.map((r) => r.toLowerCase()));
  const used = new Set(reservedSet);
  const taken: string[] = [];
  const names: string[] = [];
  const warnings: Notice[] = [];
  const empties: number[] = [];
  const dups: string[] = [];
  headers.forEach((h, i) => {
    let base = (h ?? '').replace(/\s+/g, ' ').trim();
    if (base.length > MAX_NAME_LENGTH) base = base.slice(0, MAX_NAME_LENGTH);
    if (base === '') {
      base = `column_${i + 1}`;
      empties.push(i + 1);
    }
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    if (name !== base) (reservedSet.has(base.toLowerCase()) ? taken : dups).push(`${base} → ${name}`);
    used.add(name.toLowerCase());
    names.push(name);
  });
  if (empties.length > 0) {
    const columns = empties.join(', ');
    warnings.push(notice('empty_headers', { columns }, `empty header at column(s) ${columns}: named column_N`));
  }
  if (dups.length > 0) {
    const renamed = dups.join('; ');
    warnings.push(notice('duplicate_headers', { renamed }, `duplicate header(s) renamed: ${renamed}`));
  }
  if (taken.length > 0) {
    const renamed = taken.join('; ');
    warnings.push(notice('reserved_headers', { renamed }, `header(s) the platform reserves renamed: ${renamed}`));
  }
  return { names, warnings };
}

/**
 * Joins a multi-row header into one name per column. Upper rows are filled forward across empty
 * cells (a merged cell keeps its value only in the top-left cell), parts are joined with '/', and a
 * part repeated from the row above (vertical merge exported as repeated text) is dropped.
 */
export function joinHeaderRows(rows: (string | null)[][], width: number): string[] {
  const filled = rows.map((row, r) => {
    const out: string[] = [];
    let carry = '';
    for (let c = 0; c < width; c++) {
      const v = (row[c] ?? '').trim();
      if (v !== '') carry = v;
      // Only upper rows are filled forward; the last header row names single columns.
      out.push(v !== '' ? v : r < rows.length - 1 ? carry : '');
    }
    return out;
  });
  const names: string[] = [];
  for (let c = 0; c < width; c++) {
    const parts: string[] = [];
    for (const row of filled) {
      const v = row[c] ?? '';
      if (v !== '' && parts[parts.length - 1] !== v) parts.push(v);
    }
    names.push(parts.join('/'));
  }
  return names;
}

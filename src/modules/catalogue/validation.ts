import { validationFailed, type ProblemExtras } from '../../platform/http/errors.ts';

export const SHARING_TYPES = ['unconditional', 'conditional', 'none'] as const;
export const OPEN_TYPES = ['unconditional', 'conditional', 'none'] as const;
export const SHARING_METHODS = ['api', 'table', 'file'] as const;
export const FORMATS = ['table', 'file', 'api', 'image', 'video', 'other'] as const;
export const UPDATE_CYCLES = [
  'realtime',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'semiannual',
  'yearly',
  'irregular',
] as const;
export const GRADES = ['L1', 'L2', 'L3', 'L4'] as const;
export const DATA_TYPES = ['string', 'number', 'date', 'datetime', 'boolean', 'binary'] as const;
export const SENSITIVITIES = [
  'none',
  'name',
  'id_card',
  'mobile',
  'landline',
  'address',
  'bank_card',
  'plate',
  'email',
  'other',
] as const;
export type Grade = (typeof GRADES)[number];

/** A format must fit the sharing method: a file is shared as a file, a table as a table or an interface. */
export const METHODS_FOR_FORMAT: Record<string, readonly string[]> = {
  table: ['table', 'api'],
  file: ['file'],
  api: ['api'],
  image: ['file'],
  video: ['file'],
  other: ['api', 'table', 'file'],
};

/** Name normalisation for near-duplicate detection: NFKC, case-folded, whitespace and punctuation removed. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

export function maxGrade(grades: readonly string[]): Grade {
  let best = 0;
  for (const g of grades) best = Math.max(best, GRADES.indexOf(g as Grade));
  return GRADES[best] ?? 'L1';
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export function isIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Collects every problem of an input, then throws once with all of them (field-addressed). */
export class Problems {
  readonly list: { field: string; message: string }[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const extras: ProblemExtras = { field: first.field, errors: this.list };
    throw validationFailed(
      this.list.length === 1
        ? `${first.field}: ${first.message}`
        : `${this.list.length} problems, first ${first.field}: ${first.message}`,
      extras,
    );
  }
}

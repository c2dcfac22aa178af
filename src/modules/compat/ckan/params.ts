import { badRequest } from '../../../platform/http/errors.ts';

/**
 * Action parameters arrive as a query string (every value text, repeated keys as arrays) or as a JSON body (typed
 * values). These readers accept both forms, as CKAN does, and name the parameter in every error.
 */
export type Params = Record<string, unknown>;

/** Rejects parameters an action does not know (keys starting with `_`, e.g. cache busters, are ignored). */
export function onlyKnown(action: string, p: Params, known: readonly string[]): void {
  const unknown = Object.keys(p).filter((k) => !k.startsWith('_') && !known.includes(k));
  if (unknown.length)
    throw badRequest(
      'unknown_parameter',
      `${action} does not take ${unknown.map((u) => `"${u}"`).join(', ')}; it takes ${known.join(', ') || 'no parameters'}`,
      { field: unknown[0] },
    );
}

export function str(p: Params, name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw badRequest('missing_parameter', `Missing value: ${name} is required`, { field: name });
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number')
    throw badRequest('invalid_parameter', `${name} must be a single text value`, { field: name });
  const s = String(v);
  const max = opts.max ?? 1000;
  if (s.length > max)
    throw badRequest('invalid_parameter', `${name} is longer than ${max} characters`, { field: name });
  return s;
}

export function int(p: Params, name: string, opts: { min: number; max: number; dflt?: number }): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return opts.dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d{1,16}\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest('invalid_parameter', `${name} must be an integer`, { field: name });
  if (n < opts.min || n > opts.max)
    throw badRequest('invalid_parameter', `${name} must be between ${opts.min} and ${opts.max}, not ${n}`, {
      field: name,
      max: opts.max,
    });
  return n;
}

export function bool(p: Params, name: string, dflt: boolean): boolean {
  const v = p[name];
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string' && /^(true|false|1|0|yes|no|on|off)$/i.test(v.trim()))
    return /^(true|1|yes|on)$/i.test(v.trim());
  throw badRequest('invalid_parameter', `${name} must be true or false`, { field: name });
}

/** A JSON parameter: parsed from text in a query string, taken as is from a JSON body. */
export function json(p: Params, name: string): unknown {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw badRequest('invalid_json', `${name} is not valid JSON`, { field: name });
  }
}

/** A list of names: a JSON list, a comma list, or repeated query keys. */
export function nameList(p: Params, name: string, max = 50): string[] | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      const parsed = json(p, name);
      if (!Array.isArray(parsed)) throw badRequest('invalid_parameter', `${name} must be a list`, { field: name });
      items = parsed;
    } else items = t.split(',');
  } else throw badRequest('invalid_parameter', `${name} must be a list of names`, { field: name });
  if (items.length > max) throw badRequest('invalid_parameter', `${name} takes at most ${max} names`, { field: name });
  return items.map((i) => {
    if (typeof i !== 'string' || !i.trim())
      throw badRequest('invalid_parameter', `${name} must be a list of non-empty names`, { field: name });
    return i.trim();
  });
}

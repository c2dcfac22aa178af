import { badRequest } from '../../../platform/http/errors.ts';

/**
 * The part of CKAN's Solr query language that CityData supports, parsed by hand because the search engine behind it
 * is not Solr: `q` is free text (Chinese, pinyin, Latin words; `*:*` for everything), and `q`/`fq` may hold clauses
 * `field:value`, `field:"quoted value"` or `field:(a OR "b")` on the facet fields below, joined by spaces, `+` or
 * `AND`. Anything else Solr would accept (boosts, ranges, wildcards, fuzzy, OR/NOT between clauses, other fields) is
 * answered with a validation error that says what is supported, never silently misread.
 */
export const FILTER_FIELDS = ['organization', 'owner_org', 'groups', 'tags', 'res_format'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
/** Accepted and ignored: every CityData package is of type dataset. */
const IGNORED_FIELDS: Record<string, string[]> = { dataset_type: ['dataset'], type: ['dataset'] };

export interface ParsedQuery {
  words: string[];
  filters: Partial<Record<FilterField, string[]>>;
}

const SOLR_SPECIAL = /[\^~[\]{}()*?\\!]/;

function unsupported(where: string, what: string): never {
  throw badRequest(
    'unsupported_query_syntax',
    `${where}: ${what} is not supported. Use words for full-text search and ${FILTER_FIELDS.map((f) => `${f}:value`).join(', ')} (several values as field:(a OR b)) to filter`,
    { field: where },
  );
}

/** Parses q or fq into free-text words and facet filters. */
export function parseSearchSyntax(input: string, where: 'q' | 'fq'): ParsedQuery {
  const out: ParsedQuery = { words: [], filters: {} };
  const s = input.trim();
  if (s === '' || s === '*:*' || s === '*') return out;
  let i = 0;
  const seen = new Set<string>();
  const readQuoted = (): string => {
    const end = s.indexOf('"', i + 1);
    if (end < 0) unsupported(where, 'an unclosed double quote');
    const v = s.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  const readBare = (): string => {
    const start = i;
    while (i < s.length && !/\s/.test(s[i]!) && s[i] !== ')') i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    if (s[i] === '+') {
      i++;
      continue;
    }
    if (s[i] === '-' && /[A-Za-z_]/.test(s[i + 1] ?? '')) unsupported(where, 'negation (-field:value)');
    const rest = s.slice(i);
    if (rest === '*:*' || rest.startsWith('*:* ')) {
      i += 3;
      continue;
    }
    const field = /^([A-Za-z_][\w.]*):/.exec(rest);
    if (field) {
      const name = field[1]!;
      i += field[0].length;
      let values: string[];
      if (s[i] === '"') values = [readQuoted()];
      else if (s[i] === '(') {
        const close = s.indexOf(')', i);
        if (close < 0) unsupported(where, 'an unclosed parenthesis');
        const inner = s.slice(i + 1, close);
        i = close + 1;
        values = [];
        const parts = inner.match(/"[^"]*"|\S+/g) ?? [];
        parts.forEach((part, k) => {
          if (k % 2 === 1) {
            if (part !== 'OR') unsupported(where, `"${part}" inside field:( … ) (only OR between values)`);
            return;
          }
          const v = part.startsWith('"') ? part.slice(1, -1) : part;
          if (!part.startsWith('"') && SOLR_SPECIAL.test(v)) unsupported(where, `the value "${v}"`);
          values.push(v);
        });
        if (!values.length || parts.length % 2 === 0) unsupported(where, `an empty or dangling OR in ${name}:( … )`);
      } else {
        const v = readBare();
        if (!v) unsupported(where, `an empty value for ${name}:`);
        if (SOLR_SPECIAL.test(v) || v.includes(':')) unsupported(where, `the value "${v}" (wildcards, boosts, ranges)`);
        values = [v];
      }
      if (IGNORED_FIELDS[name]) {
        if (!values.every((v) => IGNORED_FIELDS[name]!.includes(v))) unsupported(where, `${name}:${values.join(',')}`);
        continue;
      }
      if (name === 'text' && where === 'q') {
        out.words.push(...values);
        continue;
      }
      if (!(FILTER_FIELDS as readonly string[]).includes(name)) unsupported(where, `the field "${name}"`);
      if (seen.has(name))
        unsupported(where, `two separate clauses on ${name} (write one clause ${name}:(a OR b) instead)`);
      seen.add(name);
      out.filters[name as FilterField] = values;
      continue;
    }
    if (s[i] === '"') {
      if (where === 'fq') unsupported(where, 'free text (fq takes field:value clauses)');
      out.words.push(readQuoted());
      continue;
    }
    const word = readBare();
    if (word === 'AND' || word === '&&') continue;
    if (word === 'OR' || word === 'NOT' || word === '||')
      unsupported(where, `the operator ${word} between clauses (all words and clauses must match)`);
    if (SOLR_SPECIAL.test(word) || word.includes(':') || word === ')')
      unsupported(where, `"${word}" (Solr syntax such as boosts ^, fuzzy ~, ranges [a TO b], wildcards * ?)`);
    if (where === 'fq') unsupported(where, `free text "${word}" (fq takes field:value clauses)`);
    out.words.push(word);
  }
  return out;
}

/** CKAN sort strings CityData can honour, and the search order each maps to. */
const SORTS: Record<string, 'relevance' | 'updated' | 'popularity'> = {
  'score desc': 'relevance',
  'score desc, metadata_modified desc': 'relevance',
  'metadata_modified desc': 'updated',
  'views_recent desc': 'popularity',
  'views_total desc': 'popularity',
  'popularity desc': 'popularity',
};

export function parseSort(sort: string | undefined, hasText: boolean): 'relevance' | 'updated' | 'popularity' {
  if (sort === undefined || sort.trim() === '') return hasText ? 'relevance' : 'updated';
  const key = sort
    .trim()
    .toLowerCase()
    .replace(/\s*,\s*/g, ', ')
    .replace(/\s+/g, ' ');
  const mapped = SORTS[key];
  if (!mapped)
    throw badRequest(
      'unsupported_sort',
      `sort "${sort}" is not supported; use one of: ${Object.keys(SORTS).join(' | ')}`,
      {
        field: 'sort',
      },
    );
  return mapped;
}

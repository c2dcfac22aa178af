import fs from 'node:fs';
import { badFile, throwIfAborted } from './errors.ts';
import { scratchWriter } from './scratch-writer.ts';

/*
 * Splits a GeoJSON FeatureCollection into its features, one JSON value per line of a scratch file,
 * in a single streaming pass. DuckDB's read_json_objects holds a whole JSON document in memory, and
 * a FeatureCollection is one document, so a 2 GB file would need 2 GB+ of DuckDB memory; split into
 * features, DuckDB reads it like NDJSON with bounded buffers.
 *
 * Written by hand because no streaming JSON parser is among the project's dependencies, and only
 * the outermost structure matters here: the scanner tracks nesting depth and string state (skipping
 * string bodies with indexOf), copies the bytes of each element of the top-level "features" array
 * verbatim, and keeps the other top-level members (type, crs) as raw text. It does not validate the
 * features themselves: DuckDB parses each one and reports malformed JSON by record (= feature).
 */

const CHUNK = 1 << 20;
/** Top-level members other than "features" (type, crs, bbox, name...) are kept up to this size. */
const MAX_MEMBER_BYTES = 1 << 20;

export interface FeatureSplit {
  /** Raw JSON text of the top-level members other than "features", by key. */
  members: Map<string, string>;
  features: number;
  /** Bytes of the largest feature (sizes DuckDB's maximum_object_size). */
  maxFeatureBytes: number;
  /** Whether a top-level "features" member was an array. */
  hasFeatureArray: boolean;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const invalid = (message: string, offset: number) =>
  badFile('invalid_geojson', `The file is not a valid GeoJSON FeatureCollection: ${message} (near byte ${offset})`, {
    offset,
  });

interface Capture {
  kind: 'key' | 'value' | 'feature';
  /** Start of the captured bytes in the current chunk. */
  start: number;
  parts: Buffer[];
  size: number;
}

export async function splitFeatureCollection(
  file: string,
  out: string,
  hooks: { signal?: AbortSignal; onBytes?: (n: number) => void },
): Promise<FeatureSplit> {
  const input = fs.createReadStream(file, { highWaterMark: CHUNK });
  const output = scratchWriter(out, { highWaterMark: CHUNK });
  const members = new Map<string, string>();
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pos = 0; // file offset of the current chunk
  let started = false;
  let finished = false;
  /** What comes next between the top-level members. */
  let top: 'key' | 'colon' | 'value' | 'comma' = 'key';
  let key = '';
  let inFeatures = false;
  let element: 'value' | 'comma' = 'value';
  let hasFeatureArray = false;
  let cap: Capture | null = null;
  let features = 0;
  let maxFeatureBytes = 0;
  let pending: Buffer[] = [];

  // Feature bytes go straight to the output (a feature may be larger than a chunk); other captures
  // are small and kept.
  const take = (c: Capture, chunk: Buffer, end: number, copy: boolean) => {
    const part = chunk.subarray(c.start, end);
    c.size += part.length;
    if (c.kind === 'feature') pending.push(copy ? Buffer.from(part) : part);
    else if (c.size <= MAX_MEMBER_BYTES) c.parts.push(copy ? Buffer.from(part) : part);
  };

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      throwIfAborted(hooks.signal);
      const n = chunk.length;
      if (cap) cap.start = 0;
      let i = 0;
      while (i < n) {
        if (inString) {
          if (escaped) {
            escaped = false;
            i++;
            continue;
          }
          const q = chunk.indexOf(QUOTE, i);
          const b = q === -1 ? chunk.indexOf(BACKSLASH, i) : chunk.subarray(i, q).indexOf(BACKSLASH);
          if (b !== -1) {
            escaped = true;
            i = (q === -1 ? b : i + b) + 1;
            continue;
          }
          if (q === -1) {
            i = n;
            continue;
          }
          inString = false;
          i = q + 1;
          if (cap?.kind === 'key') {
            take(cap, chunk, q, false);
            const raw = Buffer.concat(cap.parts).toString('utf8');
            try {
              key = JSON.parse(`"${raw}"`) as string;
            } catch {
              throw invalid('a member name is not a valid JSON string', pos + q);
            }
            cap = null;
            top = 'colon';
          }
          continue;
        }
        const c = chunk[i] as number;
        if (WS.has(c)) {
          // Line breaks between the tokens of a feature become spaces: one feature per output line.
          if (cap?.kind === 'feature' && (c === 0x0a || c === 0x0d)) chunk[i] = 0x20;
          i++;
          continue;
        }
        if (!started) {
          if (pos + i === 0 && c === 0xef && chunk[i + 1] === 0xbb && chunk[i + 2] === 0xbf) {
            i += 3;
            continue;
          }
          if (c !== 0x7b) throw invalid('the top level is not a JSON object', pos + i);
          started = true;
          depth = 1;
          i++;
          continue;
        }
        if (finished) throw invalid('content after the end of the top-level object', pos + i);
        // A captured member value or feature ends at the next ',' or closing bracket of its level.
        if (cap?.kind === 'value' && depth === 1 && (c === 0x2c || c === 0x7d)) {
          take(cap, chunk, i, false);
          if (cap.size <= MAX_MEMBER_BYTES) members.set(key, Buffer.concat(cap.parts).toString('utf8').trim());
          cap = null;
          top = 'comma';
          continue; // the delimiter is handled below
        }
        if (cap?.kind === 'feature' && depth === 2 && (c === 0x2c || c === 0x5d)) {
          take(cap, chunk, i, false);
          pending.push(Buffer.from('\n'));
          maxFeatureBytes = Math.max(maxFeatureBytes, cap.size);
          features++;
          cap = null;
          element = 'comma';
          continue;
        }
        if (cap === null && depth === 1) {
          if (top === 'key') {
            if (c === 0x7d && members.size === 0 && !hasFeatureArray) {
              finished = true;
              depth = 0;
              i++;
              continue;
            }
            if (c !== QUOTE) throw invalid('expected a member name', pos + i);
            cap = { kind: 'key', start: i + 1, parts: [], size: 0 };
            inString = true;
            i++;
            continue;
          }
          if (top === 'colon') {
            if (c !== 0x3a) throw invalid('expected ":" after a member name', pos + i);
            top = 'value';
            i++;
            continue;
          }
          if (top === 'comma') {
            if (c === 0x2c) top = 'key';
            else if (c === 0x7d) {
              finished = true;
              depth = 0;
            } else throw invalid('expected "," or "}" after a member', pos + i);
            i++;
            continue;
          }
          // top === 'value'
          if (key === 'features' && c === 0x5b) {
            hasFeatureArray = true;
            inFeatures = true;
            element = 'value';
            depth = 2;
            top = 'comma';
            i++;
            continue;
          }
          cap = { kind: 'value', start: i, parts: [], size: 0 };
        } else if (cap === null && inFeatures && depth === 2) {
          if (c === 0x5d) {
            inFeatures = false;
            depth = 1;
            i++;
            continue;
          }
          if (element === 'comma') {
            if (c !== 0x2c) throw invalid('expected "," or "]" between features', pos + i);
            element = 'value';
            i++;
            continue;
          }
          cap = { kind: 'feature', start: i, parts: [], size: 0 };
        }
        if (c === QUOTE) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          depth--;
          if (depth < 1) throw invalid('unbalanced brackets', pos + i);
        }
        i++;
      }
      if (cap) take(cap, chunk, n, true);
      pos += n;
      if (pending.length > 0) {
        const data = Buffer.concat(pending);
        pending = [];
        await output.write(data);
      }
      hooks.onBytes?.(pos);
    }
    if (!finished) throw invalid('the file ends before the top-level object is closed', pos);
  } finally {
    input.destroy();
    await output.close();
  }
  return { members, features, maxFeatureBytes, hasFeatureArray };
}

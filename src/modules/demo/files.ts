import fs from 'node:fs';
import path from 'node:path';
import { buildDemoCity, DEFAULT_SEED, resourceRowCount } from './catalogue.ts';
import { writeResourceData, type DemoFileFormat } from './writer.ts';

/** Above this many rows a table gets no XLSX copy (Excel's sheet limit is 1,048,576 rows). */
export const XLSX_MAX_ROWS = 1_000_000;

export interface WriteDemoFilesOptions {
  scale: number;
  outDir: string;
  seed?: number;
  onProgress?: (msg: string) => void;
  /** Rows written so far over every file of the plan (see planDemoFiles), for a progress bar. */
  onRows?: (done: number, total: number) => void;
}

export interface DemoFilePlan {
  key: string;
  rows: number;
  formats: DemoFileFormat[];
}

/** Which files `writeDemoFiles` writes for a scale: every resource with data, in CSV (two encodings), XLSX, GeoJSON. */
export function planDemoFiles(scale: number, seed: number = DEFAULT_SEED): DemoFilePlan[] {
  return buildDemoCity(seed)
    .resources.filter((r) => r.rows > 0)
    .map((r) => {
      const rows = resourceRowCount(r, scale);
      const formats: DemoFileFormat[] = ['csv', 'csv-gb18030'];
      if (rows <= XLSX_MAX_ROWS) formats.push('xlsx');
      if (r.geo) formats.push('geojson');
      return { key: r.key, rows, formats };
    });
}

export interface DemoManifestFile {
  format: DemoFileFormat;
  encoding?: 'utf-8' | 'gb18030';
  /** relative to the manifest */
  path: string;
  bytes: number;
}

export interface DemoManifest {
  generator: 'citydata-demo';
  version: 1;
  seed: number;
  scale: number;
  resources: {
    key: string;
    name: string;
    providerCode: string;
    status: string;
    rows: number;
    geo?: string;
    files: DemoManifestFile[];
  }[];
}

const DIRS: Record<DemoFileFormat, string> = {
  csv: 'csv',
  'csv-gb18030': 'csv-gb18030',
  xlsx: 'xlsx',
  geojson: 'geojson',
};
const EXT: Record<DemoFileFormat, string> = { csv: 'csv', 'csv-gb18030': 'csv', xlsx: 'xlsx', geojson: 'geojson' };

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/**
 * `citydata demo --scale N --out DIR`: every resource with data as UTF-8 CSV, a GB18030 CSV and
 * (≤ 1,000,000 rows) an XLSX copy, GeoJSON for geo resources, and manifest.json listing them.
 * The manifest is written last, so its presence means the set is complete.
 */
export async function writeDemoFiles(opts: WriteDemoFilesOptions): Promise<void> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const city = buildDemoCity(seed);
  const say = opts.onProgress ?? (() => undefined);
  for (const dir of Object.values(DIRS)) fs.mkdirSync(path.join(opts.outDir, dir), { recursive: true });
  const manifestPath = path.join(opts.outDir, 'manifest.json');
  fs.rmSync(manifestPath, { force: true });

  const plan = planDemoFiles(opts.scale, seed);
  const withData = plan.map((p) => ({ ...city.resources.find((r) => r.key === p.key)!, plan: p }));
  const manifest: DemoManifest = { generator: 'citydata-demo', version: 1, seed, scale: opts.scale, resources: [] };
  const started = Date.now();
  const totalRows = plan.reduce((s, p) => s + p.rows * p.formats.length, 0);
  let rowsBefore = 0;
  let n = 0;
  for (const r of withData) {
    n++;
    const { rows, formats } = r.plan;
    const files: DemoManifestFile[] = [];
    for (const format of formats) {
      const rel = `${DIRS[format]}/${r.key}.${EXT[format]}`;
      const { bytes } = await writeResourceData(city, r.key, {
        scale: opts.scale,
        format,
        out: path.join(opts.outDir, rel),
        onRows: (done) => {
          opts.onRows?.(rowsBefore + done, totalRows);
          if (done < rows)
            say(
              `[${n}/${withData.length}] ${r.key} ${format}: ${done.toLocaleString('en')}/${rows.toLocaleString('en')} rows`,
            );
        },
      });
      rowsBefore += rows;
      files.push({
        format,
        ...(format.startsWith('csv') ? { encoding: format === 'csv' ? ('utf-8' as const) : ('gb18030' as const) } : {}),
        path: rel,
        bytes,
      });
    }
    manifest.resources.push({
      key: r.key,
      name: r.name,
      providerCode: r.providerCode,
      status: r.status,
      rows,
      ...(r.geo ? { geo: r.geo } : {}),
      files,
    });
    say(
      `[${n}/${withData.length}] ${r.key}: ${rows.toLocaleString('en')} rows, ${files.map((f) => `${f.format} ${mb(f.bytes)}`).join(', ')}`,
    );
  }
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const total = manifest.resources.reduce((s, r) => s + r.rows, 0);
  say(
    `demo files for seed ${seed}, scale ${opts.scale}: ${manifest.resources.length} resources, ${total.toLocaleString('en')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s → ${opts.outDir}`,
  );
}

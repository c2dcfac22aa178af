import { Writable } from 'node:stream';
import { buildDemoCity, writeResourceData, type DemoCity, type DemoFileFormat } from '../../src/modules/demo/index.ts';

/** The 12-column demo table the ingest and memory figures load (hourly weather observations, Chinese text). */
export const INGEST_TABLE = 'weather-observations-hourly';

let city: DemoCity | null = null;
export function demoCity(): DemoCity {
  city ??= buildDemoCity();
  return city;
}

/** Scale at which the demo generator writes about `rows` rows of `key` (exact up to rounding). */
export function scaleForRows(key: string, rows: number): number {
  const r = demoCity().resources.find((x) => x.key === key);
  if (!r || !r.rows) throw new Error(`demo resource ${key} has no data`);
  return rows / r.rows;
}

/** Writes about `rows` rows of a demo table as CSV (UTF-8 or GB18030). */
export async function writeDemoCsv(
  key: string,
  rows: number,
  format: Extract<DemoFileFormat, 'csv' | 'csv-gb18030'>,
  out: string,
): Promise<{ rows: number; bytes: number }> {
  return writeResourceData(demoCity(), key, { scale: scaleForRows(key, rows), format, out });
}

/** Average UTF-8 CSV bytes per row of a demo table, measured on a sample written to nowhere. */
export async function bytesPerRow(key: string, sampleRows = 20_000): Promise<number> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const r = await writeResourceData(demoCity(), key, {
    scale: scaleForRows(key, sampleRows),
    format: 'csv',
    out: sink,
  });
  return r.bytes / Math.max(1, r.rows);
}

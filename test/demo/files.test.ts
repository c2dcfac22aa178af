import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIdCard, isValidUscc } from '../../src/modules/governance/checksums.ts';
import {
  buildDemoCity,
  resourceRowCount,
  writeDemoFiles,
  writeResourceData,
  type DemoCity,
  type DemoManifest,
} from '../../src/modules/demo/index.ts';

/** Collects what is written, slowly, to exercise the writer's backpressure. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    setImmediate(cb);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function csvOf(city: DemoCity, key: string, scale: number): Promise<string> {
  const sink = new Sink();
  await writeResourceData(city, key, { scale, format: 'csv', out: sink });
  return sink.text();
}

async function hashOf(city: DemoCity, key: string, scale: number, format: 'csv' | 'geojson' = 'csv'): Promise<string> {
  const h = crypto.createHash('sha256');
  await writeResourceData(city, key, { scale, format, out: h });
  return h.digest('hex');
}

const city = buildDemoCity();
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-demo-'));
  await writeDemoFiles({ scale: 0.01, outDir: dir, onProgress: () => undefined });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo data files', () => {
  it('are byte-identical for the same seed and scale, and differ for another seed', async () => {
    for (const key of ['air-quality-hourly', 'enterprise-registry', 'hotline-12345-tickets']) {
      const a = await hashOf(city, key, 0.02);
      expect(await hashOf(buildDemoCity(), key, 0.02), key).toBe(a);
      expect(await hashOf(buildDemoCity(99), key, 0.02), key).not.toBe(a);
    }
    expect(await hashOf(city, 'bus-lines', 1, 'geojson')).toBe(
      await hashOf(buildDemoCity(), 'bus-lines', 1, 'geojson'),
    );
  });

  it('writes credit codes that are mostly valid with a few wrong check characters', async () => {
    const lines = (await csvOf(city, 'enterprise-registry', 1)).trimEnd().split('\n');
    expect(lines[0]?.split(',')[0]).toBe('统一社会信用代码');
    const codes = lines.slice(1).map((l) => l.slice(0, l.indexOf(',')));
    expect(codes).toHaveLength(20_000);
    const invalid = codes.filter((c) => !isValidUscc(c));
    expect(invalid.length / codes.length).toBeGreaterThan(0.015);
    expect(invalid.length / codes.length).toBeLessThan(0.05);
    // The wrong ones are typos in the check character only, not malformed codes.
    expect(invalid.every((c) => /^91\d{6}[0-9A-Z]{10}$/.test(c))).toBe(true);
  });

  it('writes checksum-valid ID numbers', async () => {
    const pop = (await csvOf(city, 'population-sample', 0.1)).trimEnd().split('\n');
    expect(pop[0]).toMatch(/^姓名,公民身份号码,/);
    const ids = pop.slice(1).map((l) => l.split(',')[1] ?? '');
    expect(ids.length).toBe(2_000);
    expect(ids.filter((id) => !isValidIdCard(id))).toEqual([]);
    const lic = (await csvOf(city, 'admin-licence-disclosure', 0.1)).trimEnd().split('\n');
    const col = lic[0]?.split(',').indexOf('法定代表人证件号码') ?? -1;
    expect(col).toBeGreaterThan(0);
    expect(lic.slice(1).filter((l) => !isValidIdCard(l.split(',')[col] ?? ''))).toEqual([]);
  });

  it('keeps identifiers as text with their leading zeros', async () => {
    const text = await csvOf(city, 'schools', 1);
    const phones = text
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[5]);
    expect(phones.every((p) => /^0766-\d{7}$/.test(p ?? ''))).toBe(true);
  });

  it('writes a manifest listing every resource with data, and the files it names', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DemoManifest;
    expect(manifest).toMatchObject({ generator: 'citydata-demo', seed: city.seed, scale: 0.01 });
    const withData = city.resources.filter((r) => r.rows > 0);
    expect(manifest.resources.map((r) => r.key)).toEqual(withData.map((r) => r.key));
    for (const m of manifest.resources) {
      const r = withData.find((x) => x.key === m.key);
      expect(m.rows).toBe(resourceRowCount(r as (typeof withData)[number], 0.01));
      const formats = m.files.map((f) => f.format);
      expect(formats).toEqual(expect.arrayContaining(['csv', 'csv-gb18030', 'xlsx']));
      if (r?.geo) expect(formats).toContain('geojson');
      for (const f of m.files) expect(fs.statSync(path.join(dir, f.path)).size, f.path).toBe(f.bytes);
    }
  });

  it('CSV headers are the field names, and the GB18030 copy decodes to the same text', () => {
    for (const r of city.resources.filter((x) => x.rows > 0)) {
      const utf8 = fs.readFileSync(path.join(dir, 'csv', `${r.key}.csv`), 'utf8');
      expect(utf8.slice(0, utf8.indexOf('\n')).split(','), r.key).toEqual(r.fields.map((f) => f.name));
      const gb = fs.readFileSync(path.join(dir, 'csv-gb18030', `${r.key}.csv`));
      expect(new TextDecoder('gb18030').decode(gb), r.key).toBe(utf8);
      expect(gb.equals(Buffer.from(utf8, 'utf8')), r.key).toBe(false);
    }
  });

  it('XLSX opens with exceljs, with the header, every row and text identifiers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'xlsx', 'enterprise-registry.xlsx'));
    const ws = wb.worksheets[0];
    expect(ws).toBeDefined();
    const r = city.resources.find((x) => x.key === 'enterprise-registry');
    const header = (ws?.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(r?.fields.map((f) => f.name));
    expect(ws?.actualRowCount).toBe(resourceRowCount(r as NonNullable<typeof r>, 0.01) + 1);
    const divisionCol = header.indexOf('行政区划代码') + 1;
    expect(ws?.getRow(2).getCell(divisionCol).value).toBe('449902');
  });

  it('GeoJSON has one feature per row with geometry and the other fields as properties', () => {
    const gj = JSON.parse(fs.readFileSync(path.join(dir, 'geojson', 'bus-lines.geojson'), 'utf8')) as {
      type: string;
      features: { geometry: { type: string; coordinates: number[][] }; properties: Record<string, unknown> }[];
    };
    const r = city.resources.find((x) => x.key === 'bus-lines');
    expect(gj.type).toBe('FeatureCollection');
    expect(gj.features).toHaveLength(r?.rows ?? -1);
    expect(gj.features.every((f) => f.geometry.type === 'LineString' && f.geometry.coordinates.length >= 2)).toBe(true);
    expect(Object.keys(gj.features[0]?.properties ?? {})).toEqual(
      r?.fields.map((f) => f.name).filter((n) => n !== '几何'),
    );
    const poly = JSON.parse(fs.readFileSync(path.join(dir, 'geojson', 'street-boundaries.geojson'), 'utf8')) as {
      features: { geometry: { type: string } }[];
    };
    expect(poly.features.every((f) => f.geometry.type === 'Polygon')).toBe(true);
  });

  it('streams with backpressure into a slow writer and reports rows and bytes', async () => {
    const sink = new Sink();
    const progress: number[] = [];
    const res = await writeResourceData(city, 'air-quality-hourly', {
      scale: 1,
      format: 'csv',
      out: sink,
      onRows: (n) => progress.push(n),
    });
    expect(res.rows).toBe(105_120);
    expect(res.bytes).toBe(Buffer.concat(sink.chunks).length);
    expect(sink.text().trimEnd().split('\n')).toHaveLength(105_121);
    expect(progress).toEqual([100_000, 105_120]);
    expect(sink.writableEnded).toBe(false);
  });

  it('refuses unknown keys, metadata-only resources, GeoJSON of tables and bad scales', async () => {
    const sink = new Sink();
    await expect(
      writeResourceData(city, 'no-such-thing', { scale: 1, format: 'csv', out: sink }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      writeResourceData(city, 'bus-realtime-api', { scale: 1, format: 'csv', out: sink }),
    ).rejects.toMatchObject({ code: 'demo_no_data' });
    await expect(
      writeResourceData(city, 'enterprise-registry', { scale: 1, format: 'geojson', out: sink }),
    ).rejects.toMatchObject({ code: 'demo_not_geo' });
    await expect(
      writeResourceData(city, 'enterprise-registry', { scale: 0, format: 'csv', out: sink }),
    ).rejects.toMatchObject({ code: 'demo_bad_scale' });
  });
});

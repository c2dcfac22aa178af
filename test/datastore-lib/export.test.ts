import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/platform/duckdb/index.ts';
import { parseRowsRequest, runRowsQuery, type TableSource } from '../../src/modules/datastore/query/index.ts';
import {
  contentDisposition,
  contentTypeFor,
  exportRows,
  type ExportFormat,
  type ExportOptions,
} from '../../src/modules/datastore/export/index.ts';
import { makeFixture, makeGenerated, type Fixture } from './fixtures.ts';

let fx: Fixture;
let geo: TableSource;

beforeAll(async () => {
  fx = await makeFixture();
  const p = path.join(fx.dir, 'geo.parquet');
  await fx.engine.withConnection(async (conn) => {
    await conn.run(`COPY (SELECT * FROM (VALUES
      (1::BIGINT, '黄鹤楼', '{"type":"Point","coordinates":[114.302,30.544]}'),
      (2, '东湖', '{"type":"Point","coordinates":[114.4,30.55]}'),
      (3, '无坐标', NULL)) t("_id", "名称", "_geometry")) TO ${quoteLiteral(p)} (FORMAT parquet)`);
  });
  geo = {
    parquetPath: p,
    idFromPosition: false,
    columns: [
      { name: '_id', type: 'integer' },
      { name: '名称', type: 'text' },
      { name: '_geometry', type: 'text' },
    ],
  };
});
afterAll(() => fx.cleanup());

async function exportToBuffer(
  src: TableSource,
  q: Record<string, unknown>,
  format: ExportFormat,
  opts: ExportOptions = {},
): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  await exportRows(fx.engine, src, parseRowsRequest(q), format, out, opts);
  await done;
  return Buffer.concat(parts);
}

const SORTED = { sort: '_id', filters: { field: '区', op: 'eq', value: '武昌区' } };

describe('exportRows', () => {
  it('writes CSV in UTF-8 with quoting, and a BOM on request', async () => {
    const buf = await exportToBuffer(fx.small, { sort: '_id', fields: '_id,站点,数值,日期,姓名' }, 'csv');
    const text = buf.toString('utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('_id,站点,数值,日期,姓名');
    expect(lines[1]).toBe('1,东湖站,1.5,2024-01-01,张**');
    expect(lines[8]).toBe(`8,"O'Brien ""站""",8.5,2024-01-08,吴**`);
    expect(lines).toHaveLength(11);
    expect(text).not.toContain('张三丰');
    // Date-times as Excel and WPS read them: a space between date and time, not ISO's T.
    const times = (await exportToBuffer(fx.small, { sort: '_id', fields: '时间' }, 'csv')).toString('utf8');
    expect(times.split('\r\n').slice(0, 3)).toEqual(['时间', '2024-01-01 08:00:00.123456', '2024-01-02 09:00:00']);
    const bom = await exportToBuffer(fx.small, SORTED, 'csv', { encoding: 'utf8-bom' });
    expect([...bom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('writes CSV in GB18030 that decodes to the same text', async () => {
    const utf8 = (await exportToBuffer(fx.small, SORTED, 'csv')).toString('utf8');
    const gb = await exportToBuffer(fx.small, SORTED, 'csv', { encoding: 'gb18030' });
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gb)).toThrow();
    expect(new TextDecoder('gb18030').decode(gb)).toBe(utf8);
    expect(utf8).toContain('武昌区');
  });

  it('writes JSON and NDJSON equal to the rows API', async () => {
    const api = await runRowsQuery(fx.engine, fx.small, parseRowsRequest(SORTED));
    const json = JSON.parse((await exportToBuffer(fx.small, SORTED, 'json')).toString('utf8')) as unknown[];
    expect(json).toEqual(api.records);
    const nd = (await exportToBuffer(fx.small, SORTED, 'ndjson')).toString('utf8');
    expect(
      nd
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(api.records);
    const none = await exportToBuffer(fx.small, { filters: { field: '站点', op: 'eq', value: '无' } }, 'json');
    expect(JSON.parse(none.toString())).toEqual([]);
  });

  it('writes XLSX with typed cells', async () => {
    const buf = await exportToBuffer(fx.small, SORTED, 'xlsx', { sheetName: '监测站点' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('监测站点');
    expect(ws).toBeDefined();
    expect(ws?.rowCount).toBe(6);
    const header = (ws?.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['_id', '站点', '区', '数值', '计数', '有效', '日期', '时间', '姓名']);
    const row = (ws?.getRow(2).values as unknown[]).slice(1);
    expect(row[0]).toBe(1);
    expect(row[1]).toBe('东湖站');
    expect(row[3]).toBe(1.5);
    expect(row[5]).toBe(true);
    expect((row[6] as Date).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect((row[7] as Date).toISOString()).toBe('2024-01-01T08:00:00.123Z');
    expect(row[8]).toBe('张**');
  });

  it('writes GeoJSON features with the other columns as properties', async () => {
    const fc = JSON.parse((await exportToBuffer(geo, { sort: '_id', fields: '名称' }, 'geojson')).toString()) as {
      type: string;
      features: { geometry: unknown; properties: Record<string, unknown> }[];
    };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(3);
    expect(fc.features[0]).toEqual({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [114.302, 30.544] },
      properties: { 名称: '黄鹤楼' },
    });
    expect(fc.features[2]?.geometry).toBeNull();
    await expect(exportToBuffer(fx.small, {}, 'geojson')).rejects.toMatchObject({ code: 'geojson_unavailable' });
  });

  it('writes Parquet that DuckDB reads back, and removes the temp file', async () => {
    const tempDir = fs.mkdtempSync(path.join(fx.dir, 'exp-'));
    const buf = await exportToBuffer(fx.small, SORTED, 'parquet', { tempDir });
    expect(fs.readdirSync(tempDir)).toEqual([]);
    const file = path.join(fx.dir, 'back.parquet');
    fs.writeFileSync(file, buf);
    const rows = await fx.engine.withConnection(async (conn) =>
      (
        await conn.runAndReadAll(`SELECT "_id", "姓名", "日期" FROM read_parquet(${quoteLiteral(file)}) ORDER BY 1`)
      ).getRowObjectsJson(),
    );
    expect(rows.map((r) => r._id)).toEqual(['1', '3', '5', '8', '10']);
    expect(rows[0]).toEqual({ _id: '1', 姓名: '张**', 日期: '2024-01-01' });
  });

  it('streams a 200k-row export in chunks with backpressure', async () => {
    const big = await makeGenerated(fx, 'export-big.parquet', 200_000);
    let bytes = 0;
    let lines = 0;
    let writes = 0;
    let largestWrite = 0;
    let mostListeners = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        mostListeners = Math.max(mostListeners, sink.listenerCount('close'), sink.listenerCount('error'));
        writes++;
        bytes += chunk.length;
        largestWrite = Math.max(largestWrite, chunk.length);
        for (const b of chunk) if (b === 0x0a) lines++;
        setImmediate(cb);
      },
    });
    const finished = new Promise<void>((resolve) => sink.on('finish', resolve));
    const r = await exportRows(fx.engine, big, parseRowsRequest({}), 'csv', sink);
    await finished;
    expect(r.rows).toBe(200_000);
    expect(lines).toBe(200_001);
    // Many writes of at most a few DuckDB chunks each: the result never sat in memory as one piece.
    expect(bytes).toBeGreaterThan(5_000_000);
    expect(writes).toBeGreaterThan(50);
    expect(largestWrite).toBeLessThan(1_000_000);
    // Waiting for 'drain' again and again leaves no listener behind (no more than one wait's at any time).
    expect(mostListeners).toBeLessThanOrEqual(1);
  });
});

describe('headers', () => {
  it('keeps a Chinese file name in Content-Disposition', () => {
    const name = '武汉市空气质量(2024).csv';
    const h = contentDisposition(name);
    expect(h).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
    const star = /filename\*=UTF-8''(.+)$/.exec(h)?.[1] ?? '';
    expect(decodeURIComponent(star)).toBe(name);
    expect(h).toContain('filename="(2024).csv"');
    expect(contentDisposition('空气质量.xlsx')).toContain('filename="download.xlsx"');
    expect(contentDisposition('a"b\r\n/c.csv')).not.toMatch(/[\r\n]/);
  });

  it('gives content types', () => {
    expect(contentTypeFor('csv', 'gb18030')).toBe('text/csv; charset=GB18030');
    expect(contentTypeFor('xlsx')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(contentTypeFor('geojson')).toBe('application/geo+json; charset=utf-8');
  });
});

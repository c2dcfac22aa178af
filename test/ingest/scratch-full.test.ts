import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { splitFeatureCollection } from '../../src/modules/ingest/geojson.ts';
import { stageXlsx } from '../../src/modules/ingest/xlsx.ts';

/*
 * The scratch files readers write (an XLSX sheet as CSV, a GeoJSON collection as one feature a line) on a disk that
 * refuses writes: /dev/full answers every write with ENOSPC, as a full scratch disk does. The disk's error is the
 * answer, not a crash of the server (an 'error' event no one listens to ends the process) nor a verdict on the file.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-scratch-full-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readers on a full scratch disk', () => {
  it('XLSX: fails with ENOSPC, not as a corrupt workbook', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['区县', '人口']);
    for (let i = 0; i < 50_000; i++) ws.addRow([`区${i}`, i]);
    const file = path.join(dir, 'big.xlsx');
    fs.writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()));
    await expect(stageXlsx({ filePath: file, csvPath: '/dev/full' })).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('GeoJSON: fails with ENOSPC', async () => {
    const features = Array.from({ length: 50_000 }, (_, i) => ({
      type: 'Feature',
      properties: { 名称: `点${i}` },
      geometry: { type: 'Point', coordinates: [113 + i / 1e6, 23] },
    }));
    const file = path.join(dir, 'big.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    await expect(splitFeatureCollection(file, '/dev/full', {})).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});

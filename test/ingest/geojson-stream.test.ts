import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const pt = (props: Record<string, unknown>, coords: [number, number]) => ({
  type: 'Feature',
  properties: props,
  geometry: { type: 'Point', coordinates: coords },
});

describe('GeoJSON read feature by feature', () => {
  it('handles pretty-printing, tricky strings, crs after the features and a BOM', async () => {
    const doc = {
      type: 'FeatureCollection',
      name: 'poi "list" ] },',
      features: [
        pt({ 名称: '广州塔 "小蛮腰"', note: 'a ] b } c, [d {e', 'k"ey': 'x\\y' }, [113.3245, 23.1064]),
        pt({ 名称: '换行\n和\t制表', note: '\u2028', 'k"ey': null }, [113.2644, 23.1331]),
      ],
      crs: { type: 'name', properties: { name: 'EPSG:4490' } },
    };
    const r = await h.ingest('\uFEFF' + JSON.stringify(doc, null, 2), 'pretty.geojson');
    expect(r.geometry).toEqual({ column: '_geometry', crs: 'EPSG:4490', geometryTypes: ['Point'] });
    expect(r.columns.map((c) => c.name)).toEqual(['名称', 'note', 'k"ey']);
    const rows = await h.rows(r.out);
    expect(rows.map((x) => x.名称)).toEqual(['广州塔 "小蛮腰"', '换行\n和\t制表']);
    expect(rows[0]).toMatchObject({ note: 'a ] b } c, [d {e', 'k"ey': 'x\\y', _lon: 113.3245 });
    expect(leftovers(h)).toEqual([]);
  });

  it('keeps features larger than the read chunk, in order', async () => {
    const big = '长"\\'.repeat(600_000); // ~3 MB once escaped, spans several 1 MB chunks
    const features = Array.from({ length: 5 }, (_, i) => pt({ i, text: i === 2 ? big : `f${i}` }, [113, 23]));
    const r = await h.ingest(JSON.stringify({ type: 'FeatureCollection', features }), 'big.geojson');
    expect(r.rowsLoaded).toBe(5);
    const rows = await h.rows(r.out);
    expect(rows.map((x) => x.i)).toEqual(['0', '1', '2', '3', '4']);
    expect(String(rows[2]?.text).length).toBe(big.length);
    expect(rows[2]?.text).toBe(big);
  });

  it('loads an empty FeatureCollection as zero rows', async () => {
    const r = await h.ingest('{"type":"FeatureCollection","features":[]}', 'empty.geojson');
    expect(r.rowsLoaded).toBe(0);
  });

  it('refuses a truncated file and names a broken feature', async () => {
    const whole = JSON.stringify({ type: 'FeatureCollection', features: [pt({ a: 1 }, [1, 2]), pt({ a: 2 }, [1, 2])] });
    const cut = await appError(() => h.ingest(whole.slice(0, -20), 'cut.geojson'));
    expect(cut.code).toBe('invalid_geojson');
    const broken = await appError(() => h.ingest(whole.replace('{"a":2}', '{"a" 2}'), 'broken.geojson'));
    expect(broken.code).toBe('invalid_json');
    expect(broken.message).toMatch(/broken\.geojson at feature 2 /);
    expect(broken.extras.feature).toBe(2);
    expect(leftovers(h)).toEqual([]);
  });
});

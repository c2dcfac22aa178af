import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appError, harness, leftovers, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('JSON and NDJSON', () => {
  it('flattens top-level keys of a JSON array; nested values stay JSON text', async () => {
    const data = [
      { 名称: '甲', 数量: 1, 标签: ['a', 'b'], 地址: { 区: '越秀' } },
      { 名称: '乙', 数量: 2.5, 公开: true },
      { 名称: '丙', 数量: null, 代码: '007' },
    ];
    const r = await h.ingest(JSON.stringify(data), 'a.json');
    expect(r.format).toBe('json');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['名称', 'text'],
      ['数量', 'decimal'],
      ['标签', 'text'],
      ['地址', 'text'],
      ['公开', 'boolean'],
      ['代码', 'text'],
    ]);
    const rows = await h.rows(r.out);
    expect(rows[0]).toMatchObject({ _id: '1', 名称: '甲', 标签: '["a","b"]', 地址: '{"区":"越秀"}', 公开: null });
    expect(rows[2]).toMatchObject({ 代码: '007', 数量: null });
  });

  it('reads NDJSON and rejects records that are not objects', async () => {
    const r = await h.ingest('{"a":1,"b":"x"}\n{"a":2}\n[1,2]\n{"a":3,"c":"2020-01-02"}\n', 'b.ndjson');
    expect(r.format).toBe('ndjson');
    expect(r.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([4, 3, 1]);
    expect(r.rejections).toEqual([
      { row: 3, column: null, value: null, code: 'not_json_object', reason: 'record is not a JSON object' },
    ]);
    expect((await h.rows(r.out)).map((x) => x.a)).toEqual(['1', '2', '3']);
  });

  it('reads the records of a JSON object that wraps them in one array, as API dumps do, and says so', async () => {
    const dump = {
      code: 200,
      msg: '成功',
      total: 2,
      data: [
        { 站点: '甲站', AQI: 50 },
        { 站点: '乙站', AQI: 61 },
      ],
    };
    const r = await h.ingest(JSON.stringify(dump), 'dump.json');
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['站点', 'text'],
      ['AQI', 'integer'],
    ]);
    expect((await h.rows(r.out)).map((x) => [x.站点, x.AQI])).toEqual([
      ['甲站', '50'],
      ['乙站', '61'],
    ]);
    expect(r.notices).toEqual([
      {
        code: 'json_records_from_member',
        params: { member: 'data' },
        message:
          'the file is one JSON object: its records were read from its "data" array, and its other members left out',
      },
    ]);
    // One object with no such array, or with two, or under an empty name, is one record as before; so is an array
    // holding one record with an array of objects in it.
    for (const one of [
      { 站点: '甲站', AQI: 50 },
      { a: [{ x: 1 }], b: [{ x: 2 }] },
      { '': [{ x: 1 }] },
      [{ id: 1, 名称: '站', items: [{ x: 1 }, { x: 2 }] }],
    ]) {
      const single = await h.ingest(JSON.stringify(one), 'one.json');
      expect([single.rowsLoaded, single.notices.filter((n) => n.code === 'json_records_from_member')]).toEqual([1, []]);
    }
  });

  it('names the line of invalid NDJSON', async () => {
    const text = '{"a":1}\n{"a":2}\n{"a":3 "b":1}\n{"a":4}\n';
    const err = await appError(() => h.ingest(text, 'c.ndjson'));
    expect(err.code).toBe('invalid_json');
    // The byte where the record stops being JSON: the quote that should have been a comma.
    expect(err.extras).toEqual({ line: 3, offset: text.indexOf('"b"') });
    expect(err.message).toMatch(/c\.ndjson at line 3 \(byte offset 23\)/);
    expect(leftovers(h)).toEqual([]);
  });

  it.each([
    ['UTF-8', (t: string) => Buffer.from(t)],
    ['GB18030', (t: string) => iconv.encode(t, 'gb18030')],
  ])('names the line and byte of invalid %s NDJSON as in the file, blank lines and CR LF included', async (_, enc) => {
    // DuckDB counts the lines that are not blank (the broken record is its third); the file's line 5.
    const file = enc('{"站":"甲"}\r\n\r\n  \f\r\n{"站":"乙"}\r\n{"站":"丙" "值":1}\r\n');
    const err = await appError(() => h.ingest(file, 'blank.ndjson'));
    const offset = file.indexOf(enc('"值"'));
    expect(err.extras).toEqual({ line: 5, offset });
    expect(err.message).toContain(`at line 5 (byte offset ${offset})`);
  });

  it('names the record of invalid JSON mid-array', async () => {
    const err = await appError(() => h.ingest('[{"a":1},\n{"a":2},\n{"a":3 "b":4}]', 'd.json'));
    expect(err.code).toBe('invalid_json');
    expect(err.message).toMatch(/d\.json at record 3 /);
    // The byte counts within the record (there is no line to name in an array).
    // (1-based: the quote that should have been a comma is the 8th byte of {"a":3 "b":4}.)
    expect(err.extras).toEqual({ record: 3, offsetInRecord: '{"a":3 "b":4}'.indexOf('"b"') + 1 });
  });
});

describe('GeoJSON', () => {
  const fc = (features: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'FeatureCollection', ...extra, features });
  const pt = (props: Record<string, unknown>, coords: unknown) => ({
    type: 'Feature',
    properties: props,
    geometry: { type: 'Point', coordinates: coords },
  });

  it('turns properties into columns, keeps geometry as GeoJSON text with _lon/_lat for points', async () => {
    const r = await h.ingest(
      fc([
        pt({ 名称: '广州塔', 高度: 600 }, [113.3245, 23.1064]),
        pt({ 名称: '中山纪念堂', 高度: 57 }, [113.2644, 23.1331]),
        {
          type: 'Feature',
          properties: { 名称: '海心沙' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [113.31, 23.11],
                [113.32, 23.11],
                [113.32, 23.12],
                [113.31, 23.11],
              ],
            ],
          },
        },
      ]),
      'poi.geojson',
    );
    expect(r.format).toBe('geojson');
    expect(r.geometry).toEqual({ column: '_geometry', crs: 'EPSG:4326', geometryTypes: ['Point', 'Polygon'] });
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['名称', 'text'],
      ['高度', 'integer'],
    ]);
    const schema = await h.schema(r.out);
    expect(Object.keys(schema)).toEqual(['_id', '名称', '高度', '_geometry', '_lon', '_lat']);
    expect(schema._lon).toBe('DOUBLE');
    const rows = await h.rows(r.out);
    expect(rows[0]).toMatchObject({ 名称: '广州塔', _lon: 113.3245, _lat: 23.1064 });
    expect(JSON.parse(String(rows[0]?._geometry))).toEqual({ type: 'Point', coordinates: [113.3245, 23.1064] });
    expect(rows[2]).toMatchObject({ _lon: null, _lat: null });
  });

  it('records the crs member', async () => {
    const r = await h.ingest(
      fc([pt({ a: 1 }, [113.3, 23.1])], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } } }),
      'c.json',
    );
    expect(r.format).toBe('geojson');
    expect(r.geometry?.crs).toBe('EPSG:4490');
  });

  it('rejects features with invalid geometry, with the reason', async () => {
    const r = await h.ingest(
      fc([
        pt({ n: 1 }, [113.3, 23.1]),
        { type: 'Feature', properties: { n: 2 }, geometry: { type: 'Pointy', coordinates: [1, 2] } },
        pt({ n: 3 }, ['a', 'b']),
        { type: 'Feature', properties: { n: 4 }, geometry: { type: 'LineString' } },
        pt({ n: 5 }, [500, 23]),
        { type: 'Feature', properties: { n: 6 }, geometry: null },
        { type: 'Place', properties: { n: 7 }, geometry: null },
      ]),
      'bad.geojson',
    );
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([7, 2, 5]);
    expect(r.rejections.map((x) => [x.row, x.code, x.reason])).toEqual([
      [2, 'invalid_geometry', 'invalid geometry type Pointy'],
      [3, 'invalid_geometry', 'Point coordinates must be numbers [x, y]'],
      [4, 'invalid_geometry', 'geometry has no coordinates array'],
      [5, 'invalid_geometry', 'Point coordinates out of range for EPSG:4326'],
      [7, 'invalid_feature', 'feature "type" is not "Feature"'],
    ]);
    expect((await h.rows(r.out)).map((x) => [x.n, x._geometry])).toEqual([
      ['1', '{"type":"Point","coordinates":[113.3,23.1]}'],
      ['6', null],
    ]);
  });

  it('rejects lines and polygons whose shape RFC 7946 does not allow, and loads the valid ones', async () => {
    const geom = (n: number, geometry: unknown) => ({ type: 'Feature', properties: { n }, geometry });
    const ring = [
      [113.1, 23.1],
      [113.2, 23.1],
      [113.2, 23.2],
      [113.1, 23.1],
    ];
    const r = await h.ingest(
      fc([
        geom(1, { type: 'Polygon', coordinates: [ring] }),
        geom(2, { type: 'Polygon', coordinates: [ring.slice(0, 2)] }),
        geom(3, { type: 'Polygon', coordinates: [ring.slice(0, 3).concat([[113.3, 23.3]])] }),
        geom(4, { type: 'MultiPolygon', coordinates: [[ring], [ring.slice(0, 3)]] }),
        geom(5, { type: 'LineString', coordinates: [[113.1, 23.1]] }),
        geom(6, { type: 'MultiLineString', coordinates: [ring.slice(0, 2), [[113.1, 23.1]]] }),
        geom(7, { type: 'LineString', coordinates: ring.slice(0, 2) }),
        geom(8, { type: 'MultiPolygon', coordinates: [[ring], [ring]] }),
        // Closed, the last position to be written as decimals where the first has integers (below).
        geom(9, {
          type: 'Polygon',
          coordinates: [
            [
              [113, 23],
              [113.2, 23.1],
              [113.2, 23.2],
              [113, 23],
            ],
          ],
        }),
      ]).replace('[113,23]]]', '[113.0,23.00]]]'),
      'shapes.geojson',
    );
    expect(r.rejections.map((x) => [x.row, x.code, x.reason])).toEqual([
      [2, 'invalid_geometry', 'Polygon ring not closed or of fewer than four positions'],
      [3, 'invalid_geometry', 'Polygon ring not closed or of fewer than four positions'],
      [4, 'invalid_geometry', 'MultiPolygon ring not closed or of fewer than four positions'],
      [5, 'invalid_geometry', 'LineString needs at least two positions'],
      [6, 'invalid_geometry', 'MultiLineString has a line of fewer than two positions'],
    ]);
    expect((await h.rows(r.out)).map((x) => x.n)).toEqual(['1', '7', '8', '9']);
  });

  it('refuses a GeoJSON that is not a FeatureCollection', async () => {
    const err = await appError(() => h.ingest('{"type":"Topology","objects":{}}', 't.geojson'));
    expect(err.code).toBe('invalid_geojson');
  });
});

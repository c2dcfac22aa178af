import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import {
  ANON,
  publishResource,
  resourceInput,
  seedOrg,
  startTestServer,
  type Caller,
  type TestServer,
} from '../helpers/server.ts';
import { multipart } from '../helpers/upload.ts';

const CSV = ['监测站,AQI,负责人', '云溪站,56,张三丰', '白云站,120,李四', '江南站,88,王五'].join('\n');

/** Uploads a file to a resource and waits for its load job; returns the finished job. */
async function loadFile(server: TestServer, caller: Caller, id: string, name: string, content: string, query = '') {
  const mp = multipart({ name, content });
  const r = await server.request(caller, {
    method: 'POST',
    url: `/api/v1/resources/${id}/loads${query}`,
    payload: mp.payload,
    headers: mp.headers,
  });
  return server.built.ctx.jobs.waitFor(r.json().job.id);
}

describe.each(DIALECTS)('exports and the SQL endpoint on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let steward: Caller, transMember: Caller;
  let openId: string, sharedId: string;

  const publishWithData = async (overrides: Record<string, unknown>) => {
    const fields = [
      { name: '监测站', dataType: 'string' },
      { name: 'AQI', dataType: 'number' },
      { name: '负责人', dataType: 'string', sensitivity: 'name', grade: 'L2' },
    ];
    const id = await publishResource(s, steward, resourceInput(org.departments.env, { fields, ...overrides }));
    await loadFile(s, steward, id, 'd.csv', CSV);
    return id;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    steward = await s.login('env_steward');
    transMember = await s.login('trans_member');
    openId = await publishWithData({ name: '空气质量日报' });
    sharedId = await publishWithData({ name: '内部共享空气数据', openType: 'none' });
  });
  afterAll(async () => s?.close());

  it('downloads a filtered CSV with a Chinese file name, masked for the public', async () => {
    const filters = encodeURIComponent(JSON.stringify({ field: 'AQI', op: 'gt', value: 60 }));
    const r = await s.request(ANON, {
      method: 'GET',
      url: `/api/v1/resources/${openId}/export?format=csv&filters=${filters}&sort=AQI`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toContain("filename*=UTF-8''%E7%A9%BA%E6%B0%94");
    const lines = r.body.trim().split(/\r?\n/);
    expect(lines[0]).toContain('监测站');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['江南站', '白云站']);
    expect(r.body).toContain('王*');
    expect(r.body).not.toContain('王五');
    const log = await s.ts.store.db.selectFrom('exchange_log').selectAll().where('channel', '=', 'export').execute();
    expect(log.at(-1)).toMatchObject({ resource_id: openId, row_count: 2 });
    expect(Number(log.at(-1)!.byte_count)).toBe(Buffer.byteLength(r.body));
  });

  it('downloads GB18030 CSV and XLSX that open with Chinese intact', async () => {
    const gb = await s.request(steward, {
      method: 'GET',
      url: `/api/v1/resources/${openId}/export?format=csv&encoding=gb18030`,
    });
    const text = new TextDecoder('gb18030').decode(gb.rawPayload);
    expect(text).toContain('云溪站');
    expect(text).toContain('张三丰');
    const x = await s.request(steward, { method: 'GET', url: `/api/v1/resources/${openId}/export?format=xlsx` });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect(String(ws.getRow(2).getCell(2).value)).toBe('云溪站');
    const bad = await s.request(steward, { method: 'GET', url: `/api/v1/resources/${openId}/export?format=exe` });
    expect(bad.json().code).toBe('unknown_format');
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${openId}/export?format=geojson` })).json()
        .code,
    ).toBe('geojson_unavailable');
  });

  it('downloads JSON, NDJSON, Parquet and CSV with a BOM: the rows the rows API serves, _id included', async () => {
    const api = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${openId}/rows?sort=_id` })).json()
      .records as Record<string, unknown>[];
    expect(api.length).toBeGreaterThan(0);
    const get = (q: string) => s.request(steward, { method: 'GET', url: `/api/v1/resources/${openId}/export?${q}` });

    const json = await get('format=json');
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.headers['content-disposition']).toContain("filename*=UTF-8''");
    expect(JSON.parse(json.body)).toEqual(api);

    const nd = await get('format=ndjson');
    expect(
      nd.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(api);

    const bom = await get('format=csv&encoding=utf8-bom');
    expect([...bom.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bom.body.replace(/^\uFEFF/, '')).toMatch(/^_id,监测站,AQI,负责人\r?\n/);

    // The Parquet download is a file of its own, with _id as a column, read back here by a separate DuckDB.
    const pq = await get('format=parquet');
    expect(pq.statusCode).toBe(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-pq-')), 'download.parquet');
    fs.writeFileSync(file, pq.rawPayload);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const read = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY _id`);
      const back = read.getRowObjectsJson().map((r) => ({ ...r, _id: Number(r._id) }) as Record<string, unknown>);
      expect(back.map((r) => r._id)).toEqual(api.map((r) => r._id));
      expect(back.map((r) => r['监测站'])).toEqual(api.map((r) => r['监测站']));
    } finally {
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('masks a column the catalogue does not list yet for everyone but the provider, on every read path', async () => {
    const id = await publishWithData({ name: '带未登记列的空气数据' });
    // A later load brings a column the field list (信息项) does not have: nothing says how sensitive it is.
    const csv2 = [
      '监测站,AQI,负责人,身份证号',
      '云溪站,56,张三丰,11010519491231002X',
      '白云站,120,李四,440524188001010014',
    ];
    const job = await loadFile(s, steward, id, 'd2.csv', csv2.join('\n'));
    expect(job.state).toBe('succeeded');
    expect((job.result as { fieldSync: { newColumns: string[] } }).fieldSync.newColumns).toEqual(['身份证号']);
    const rows = await s.request(ANON, { method: 'GET', url: `/api/v1/resources/${id}/rows` });
    expect(rows.statusCode).toBe(200);
    expect(rows.json().masked).toContain('身份证号');
    const ids = rows.json().records.map((r: Record<string, string>) => r['身份证号']);
    expect(ids).toHaveLength(2);
    for (const v of ids) expect(v).not.toMatch(/\d{6}/);
    const sql = await s.request(transMember, {
      method: 'POST',
      url: '/api/v1/sql',
      payload: { sql: `SELECT count(*) AS n FROM "${id}" WHERE "身份证号" LIKE '1101%'` },
    });
    expect(sql.json().records[0].n).toBe(0);
    const csv = await s.request(ANON, { method: 'GET', url: `/api/v1/resources/${id}/export?format=csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('11010519491231002X');
    const ckan = await s.request(ANON, {
      method: 'GET',
      url: `/api/3/action/datastore_search?resource_id=${id}`,
    });
    expect(ckan.json().result.records.map((r: Record<string, string>) => r['身份证号'])).toEqual(['****', '****']);
    // The provider's own steward sees the raw values.
    const own = await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/rows` });
    expect(own.json().records.map((r: Record<string, string>) => r['身份证号'])).toEqual([
      '11010519491231002X',
      '440524188001010014',
    ]);
  });

  it('applies the platform masking rules from the configuration', async () => {
    // A bureau that shows 身份证号 as first 6 + last 4 and names as the surname with a fixed-length run.
    const custom = await startTestServer(dialect, {
      // The rule of kind `other` is loosened too: it must not reach columns the field list does not have.
      masking: {
        rules: {
          id_card: { keepStart: 6, keepEnd: 4 },
          name: { fixedMaskLength: 4 },
          other: { keepStart: 6, keepEnd: 4 },
        },
      },
    });
    try {
      const o = await seedOrg(custom);
      const st = await custom.login('env_steward');
      const id = await publishResource(
        custom,
        st,
        resourceInput(o.departments.env, {
          name: '身份证脱敏规则',
          fields: [
            { name: '姓名', dataType: 'string', sensitivity: 'name', grade: 'L3' },
            { name: '身份证号', dataType: 'string', sensitivity: 'id_card', grade: 'L3' },
          ],
        }),
      );
      const job = await loadFile(
        custom,
        st,
        id,
        'p.csv',
        '姓名,身份证号,未登记证件号\n张三丰,11010519491231002X,440524188001010014\n',
      );
      expect(job.state).toBe('succeeded');
      const rows = await custom.request(ANON, { method: 'GET', url: `/api/v1/resources/${id}/rows` });
      expect(
        rows.json().records.map((r: Record<string, unknown>) => [r['姓名'], r['身份证号'], r['未登记证件号']]),
      ).toEqual([['张****', '110105********002X', '****']]);
    } finally {
      await custom.close();
    }
  });

  it('serves and exports the geometry of GeoJSON loads (replace, then append) to the public', async () => {
    const id = await publishResource(
      s,
      steward,
      resourceInput(org.departments.env, { name: '空气监测站点位', fields: [{ name: '站点', dataType: 'string' }] }),
    );
    const fc = (points: [string, number, number][]) =>
      JSON.stringify({
        type: 'FeatureCollection',
        features: points.map(([name, lon, lat]) => ({
          type: 'Feature',
          properties: { 站点: name },
          geometry: { type: 'Point', coordinates: [lon, lat] },
        })),
      });
    const load = async (content: string, query = '') => {
      const job = await loadFile(s, steward, id, 'stations.geojson', content, query);
      expect(job.state).toBe('succeeded');
      // The geometry columns are the platform's own: not reported as columns missing from the field list.
      expect((job.result as { fieldSync: { newColumns: string[] } }).fieldSync.newColumns).toEqual([]);
    };
    const exported = async () => {
      const r = await s.request(ANON, { method: 'GET', url: `/api/v1/resources/${id}/export?format=geojson` });
      expect(r.statusCode).toBe(200);
      return (
        r.json() as { features: { properties: { 站点: string }; geometry: { coordinates: number[] } }[] }
      ).features.map((f) => [f.properties.站点, ...f.geometry.coordinates]);
    };
    await load(
      fc([
        ['云溪站', 113.27, 23.13],
        ['白云站', 113.29, 23.16],
      ]),
    );
    const rows = await s.request(ANON, { method: 'GET', url: `/api/v1/resources/${id}/rows` });
    expect(rows.json().masked).toEqual([]);
    expect(rows.json().records.map((r: Record<string, unknown>) => [r['站点'], r['_lon'], r['_lat']])).toEqual([
      ['云溪站', 113.27, 23.13],
      ['白云站', 113.29, 23.16],
    ]);
    expect(await exported()).toEqual([
      ['云溪站', 113.27, 23.13],
      ['白云站', 113.29, 23.16],
    ]);
    await load(fc([['江南站', 113.31, 23.1]]), '?mode=append');
    expect(await exported()).toEqual([
      ['云溪站', 113.27, 23.13],
      ['白云站', 113.29, 23.16],
      ['江南站', 113.31, 23.1],
    ]);
  });

  it('answers read-only SQL over readable tables, masked, and refuses everything else', async () => {
    const sql = `SELECT "监测站", "负责人" FROM "${openId}" WHERE AQI > 60 ORDER BY AQI`;
    const other = await s.request(transMember, { method: 'POST', url: '/api/v1/sql', payload: { sql } });
    expect(other.statusCode).toBe(200);
    expect(other.json().records).toEqual([
      { 监测站: '江南站', 负责人: '王*' },
      { 监测站: '白云站', 负责人: '李*' },
    ]);
    // Comparisons on the raw value find nothing: only the masked value exists for this caller.
    const probe = await s.request(transMember, {
      method: 'POST',
      url: '/api/v1/sql',
      payload: { sql: `SELECT count(*) AS n FROM "${openId}" WHERE "负责人" = '王五'` },
    });
    expect(probe.json().records[0].n).toBe(0);
    const own = await s.request(steward, { method: 'POST', url: '/api/v1/sql', payload: { sql } });
    expect(own.json().records[0]['负责人']).toBe('王五');
    // A table the public may not read is an unknown table to them; hostile SQL is refused.
    const hidden = await s.request(ANON, {
      method: 'POST',
      url: '/api/v1/sql',
      payload: { sql: `SELECT * FROM "${sharedId}"` },
    });
    expect(hidden.statusCode).toBe(400);
    expect(hidden.json().code).toBe('sql_unknown_table');
    for (const bad of [
      `SELECT * FROM read_csv('/etc/passwd')`,
      `COPY (SELECT 1) TO '/tmp/x.csv'`,
      `SELECT 1; DROP TABLE x`,
      `ATTACH '/tmp/x.db'`,
    ]) {
      const r = await s.request(steward, { method: 'POST', url: '/api/v1/sql', payload: { sql: bad } });
      expect(r.statusCode, bad).toBe(400);
      expect(r.body).not.toContain('/work');
    }
    const logged = await s.ts.store.db.selectFrom('exchange_log').selectAll().where('channel', '=', 'sql').execute();
    expect(logged.length).toBeGreaterThanOrEqual(3);
    // The first read's line: who, which version, the fields and bytes delivered, the statement, the client address.
    const first = logged.find((l) => l.actor_id === transMember.userId && Number(l.row_count) === 2);
    const current = await s.ts.store.db
      .selectFrom('datasets')
      .select('current_version_id')
      .where('resource_id', '=', openId)
      .executeTakeFirstOrThrow();
    expect(first).toMatchObject({ resource_id: openId, version_id: current.current_version_id, filter: sql });
    expect(JSON.parse(first?.fields ?? '[]')).toEqual(['监测站', '负责人']);
    expect(Number(first?.byte_count)).toBe(Buffer.byteLength(JSON.stringify(other.json().records)));
    expect(first?.client_ip).toBe('127.0.0.1');
  });
});

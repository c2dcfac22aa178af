import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { datastoreRepo } from '../../src/modules/datastore/repository.ts';
import { DIALECTS } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  ANON,
  resourceInput,
  seedOrg,
  startTestServer,
  type Caller,
  type TestServer,
} from '../helpers/server.ts';
import { multipart } from '../helpers/upload.ts';

const CSV = [
  '站点名称,监测时间,AQI,负责人,联系电话',
  '云溪监测站,2026-11-01 08:00:00,56,张三丰,13800138000',
  '白云山站,2026-11-01 08:00:00,"1,203",李四,13912345678',
  '江南站,2026-11-01 09:00:00,88,王五,13700001111',
].join('\n');

/** A CSV document as a user's spreadsheet reads it: quoted fields, doubled quotes, CRLF or LF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A job as GET /api/v1/jobs/{id} and its events show it. */
interface JobData {
  id: string;
  state: string;
  etaSeconds: number | null;
  progress: { phase?: string; bytesRead?: number; bytesTotal?: number; rowsRead?: number; fraction?: number };
  result: { rows: number } | null;
  [k: string]: unknown;
}

/** Server-Sent Events of a finished stream: event name and parsed data. */
function parseSse(body: string): { event: string; data: JobData }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) as JobData };
    });
}

const BIG_ROWS = 1_000_000;
const bigDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-loads-api-'));
/** A CSV big enough that its load is still running while a test follows or cancels it, written to a temp file. */
const bigCsv = path.join(bigDir, 'big.csv');
{
  const lines = ['站点名称,监测时间,AQI,负责人,联系电话'];
  for (let i = 0; i < BIG_ROWS; i++)
    lines.push(`站${i},2026-11-01 08:00:00,${i % 300},某人,138${String(i).padStart(8, '0')}`);
  fs.writeFileSync(bigCsv, lines.join('\n') + '\n');
}
afterAll(() => fs.rmSync(bigDir, { recursive: true, force: true }));

describe.each(DIALECTS)('loading and reading data through the API on %s', (dialect) => {
  let s: TestServer;
  let org: Awaited<ReturnType<typeof seedOrg>>;
  let steward: Caller, transMember: Caller, reviewer: Caller;
  let resourceId: string;

  const upload = async (
    caller: Caller,
    content: Buffer | string,
    name = 'air.csv',
    query = '',
    resource = resourceId,
    fields: Record<string, string> = {},
  ) => {
    const mp = multipart({ name, content }, fields);
    return s.request(caller, {
      method: 'POST',
      url: `/api/v1/resources/${resource}/loads${query}`,
      payload: mp.payload,
      headers: mp.headers,
    });
  };
  const waitJob = async (caller: Caller, id: string) => {
    for (let i = 0; i < 300; i++) {
      const j = (await s.request(caller, { method: 'GET', url: `/api/v1/jobs/${id}` })).json();
      if (!['queued', 'running'].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job did not finish');
  };

  /** Uploads the big CSV from its file, streamed (the multipart body is never built in memory). */
  const uploadBig = async () => {
    const boundary = `----citydata-big-${Date.now()}`;
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      );
      yield* fs.createReadStream(bigCsv);
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const res = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/loads`,
      payload: Readable.from(body()),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(202);
    return res.json().job.id as string;
  };
  /** Polls until the job runs (never sleeping long enough for a big load to finish meanwhile). */
  const waitRunning = async (id: string) => {
    for (let i = 0; i < 10_000; i++) {
      const j = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${id}` })).json();
      if (j.state === 'running') return j;
      if (j.state !== 'queued') throw new Error(`job ${id} is ${j.state} before it was seen running`);
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('job did not start');
  };
  /** A resource of the environment bureau registered without fields: its first load gives them. */
  const newResource = async (name: string) => {
    const created = await s.request(steward, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.env, { name, fields: [], openType: 'none' }),
    });
    expect(created.statusCode).toBe(201);
    return created.json().id as string;
  };
  const currentVersion = async () => {
    const versions = (
      await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/versions` })
    ).json() as { id: string; version: number; rows: number; current: boolean }[];
    return versions.find((v) => v.current);
  };
  const servedRows = async () =>
    (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?sort=_id&limit=5` })).json();

  beforeAll(async () => {
    s = await startTestServer(dialect);
    org = await seedOrg(s);
    steward = await s.login('env_steward');
    transMember = await s.login('trans_member');
    reviewer = await s.login('reviewer');
    const fields = [
      { name: '站点名称', dataType: 'string' },
      { name: '监测时间', dataType: 'datetime' },
      { name: 'AQI', dataType: 'number' },
      { name: '负责人', dataType: 'string', sensitivity: 'name', grade: 'L2' },
      { name: '联系电话', dataType: 'string', sensitivity: 'mobile', grade: 'L2' },
    ];
    const r = await s.request(steward, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.env, { fields, openType: 'none' }),
    });
    resourceId = r.json().id;
    await s.request(steward, { method: 'POST', url: `/api/v1/resources/${resourceId}/submit` });
    await s.request(reviewer, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/review`,
      payload: { decision: 'approve' },
    });
  });
  afterAll(async () => s?.close());

  it('loads a GB18030 CSV as a typed version and serves its rows', async () => {
    const res = await upload(steward, iconv.encode(CSV, 'gb18030'), '空气质量.csv');
    expect(res.statusCode).toBe(202);
    const job = await waitJob(steward, res.json().job.id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({
      version: 1,
      rows: 3,
      ingest: { encoding: expect.stringMatching(/gb/i), rowsRejected: 0 },
    });
    const rows = await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?sort=AQI desc` });
    expect(rows.statusCode).toBe(200);
    const body = rows.json();
    expect(body.fields[0].id).toBe('_id');
    expect(body.records.map((r: Record<string, unknown>) => r.AQI)).toEqual([1203, 88, 56]);
    expect(body.records[0]['站点名称']).toBe('白云山站');
    expect(body.total).toBe(3);
  });

  it('filters on the server and masks personal fields for other departments, even in filters', async () => {
    const filters = encodeURIComponent(JSON.stringify({ field: 'AQI', op: 'gte', value: 60 }));
    const own = (
      await s.request(steward, {
        method: 'GET',
        url: `/api/v1/resources/${resourceId}/rows?filters=${filters}&sort=AQI`,
      })
    ).json();
    expect(own.records.map((r: Record<string, unknown>) => r['负责人'])).toEqual(['王五', '李四']);
    const other = (
      await s.request(transMember, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?sort=AQI` })
    ).json();
    expect(other.masked).toEqual(['负责人', '联系电话']);
    expect(other.records.map((r: Record<string, unknown>) => r['负责人'])).toEqual(['张**', '王*', '李*']);
    expect(other.records[0]['联系电话']).toBe('138****8000');
    const probe = encodeURIComponent(JSON.stringify({ field: '联系电话', op: 'eq', value: '13800138000' }));
    const leaked = (
      await s.request(transMember, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?filters=${probe}` })
    ).json();
    expect(leaked.records).toEqual([]);
    // The public may not read a resource that is not open.
    expect((await s.request(ANON, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` })).statusCode).toBe(
      404,
    );
  });

  it('logs every read in the exchange log, with the bytes delivered, the version, the fields and the client', async () => {
    const before = await s.ts.store.db
      .selectFrom('exchange_log')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .execute();
    const fields = encodeURIComponent('站点名称,负责人');
    const res = await s.request(transMember, {
      method: 'GET',
      url: `/api/v1/resources/${resourceId}/rows?limit=2&fields=${fields}&sort=_id`,
      remoteAddress: '203.0.113.7',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json().records).toEqual([
      { 站点名称: '云溪监测站', 负责人: '张**' },
      { 站点名称: '白云山站', 负责人: '李*' },
    ]);
    const after = await s.ts.store.db
      .selectFrom('exchange_log')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('id')
      .execute();
    expect(after.length).toBe(before.length + 1);
    const line = after.at(-1)!;
    expect(line).toMatchObject({
      actor_name: 'trans_member',
      channel: 'rows',
      row_count: 2,
      provider_id: org.departments.env,
      version_id: (await currentVersion())!.id,
      client_ip: '203.0.113.7',
    });
    expect(JSON.parse(line.fields!)).toEqual(['站点名称', '负责人']);
    // The bytes of the body the caller received (Chinese text: more bytes than characters).
    expect(Number(line.byte_count)).toBe(res.rawPayload.length);
    expect(res.rawPayload.length).toBeGreaterThan(res.body.length);
  });

  it('records the coordinate reference system of a GeoJSON load in its version', async () => {
    const created = await s.request(steward, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.env, { name: '监测站点位', fields: [] }),
    });
    const geoId = created.json().id as string;
    const geojson = JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } },
      features: [
        { type: 'Feature', properties: { 站点: '云溪站' }, geometry: { type: 'Point', coordinates: [113.27, 23.13] } },
        { type: 'Feature', properties: { 站点: '白云站' }, geometry: { type: 'Point', coordinates: [113.29, 23.16] } },
      ],
    });
    const job = await waitJob(steward, (await upload(steward, geojson, '站点.geojson', '', geoId)).json().job.id);
    expect(job.state).toBe('succeeded');
    const versions = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${geoId}/versions` })).json();
    expect(versions[0]).toMatchObject({
      version: 1,
      sourceName: '站点.geojson',
      geometry: { column: '_geometry', crs: 'EPSG:4490', geometryTypes: ['Point'] },
    });
  });

  it('keeps the previous version when a load fails, and appends, lists and rolls back versions', async () => {
    const bad = await upload(steward, '\u0000\u0001garbage', 'broken.xlsx');
    const badJob = await waitJob(steward, bad.json().job.id);
    expect(badJob.state).toBe('failed');
    expect(badJob.error.code).toBeTruthy();
    expect(badJob.error.message.length).toBeGreaterThan(5);
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` })).json().total,
    ).toBe(3);

    const more = ['站点名称,监测时间,AQI,负责人,联系电话', '新区站,2026-11-02 08:00:00,40,赵六,13600002222'].join('\n');
    const appended = await waitJob(steward, (await upload(steward, more, 'more.csv', '?mode=append')).json().job.id);
    expect(appended.state).toBe('succeeded');
    // Neither load leaves its scratch directory behind.
    for (const job of [badJob, appended]) expect(fs.existsSync(path.join(s.ts.dataDir, 'tmp', job.id))).toBe(false);
    const rows = (
      await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?sort=_id` })
    ).json();
    expect(rows.total).toBe(4);
    expect(rows.records.map((r: Record<string, unknown>) => r._id)).toEqual([1, 2, 3, 4]);

    const versions = (
      await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/versions` })
    ).json();
    expect(
      versions.map((v: { version: number; current: boolean; rows: number }) => [v.version, v.current, v.rows]),
    ).toEqual([
      [2, true, 4],
      [1, false, 3],
    ]);
    expect(
      (
        await s.request(transMember, {
          method: 'POST',
          url: `/api/v1/resources/${resourceId}/versions/${versions[1].id}/rollback`,
        })
      ).statusCode,
    ).toBe(403);
    // Chosen from a list where another version was current (a load landed since): refused, nothing changes.
    const stale = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/versions/${versions[1].id}/rollback?expectedCurrent=${versions[1].id}`,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', current: versions[0].id });
    expect(stale.json().detail).toMatch(/current version is v2 by now/);
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` })).json().total,
    ).toBe(4);
    const rb = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/versions/${versions[1].id}/rollback?expectedCurrent=${versions[0].id}`,
    });
    expect(rb.json()).toMatchObject({ version: 1, rows: 3 });
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` })).json().total,
    ).toBe(3);
    // A version that is not current any more is still read by its number or its id.
    const rowsOf = (version: string) =>
      s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows?version=${version}&sort=_id` });
    for (const ref of ['2', versions[0].id]) {
      const older = (await rowsOf(ref)).json();
      expect([older.version, older.total, older.records.at(-1)['站点名称']]).toEqual([2, 4, '新区站']);
    }
    for (const ref of ['3', '0', randomUUID()]) {
      const none = await rowsOf(ref);
      expect([none.statusCode, none.json().code]).toEqual([404, 'no_data']);
    }
    // The resource's history names the version the rollback replaced.
    const history = (
      await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/history` })
    ).json() as { action: string; changes: Record<string, unknown>; actor: { username: string } | null }[];
    expect(history.filter((e) => e.action === 'rollback')).toMatchObject([
      { changes: { version: { from: 2, to: 1 } }, actor: { username: expect.any(String) } },
    ]);

    // A current version whose data file went missing on disk: a clear error naming the version, not a bare 500.
    const tableDir = path.join(s.ts.dataDir, 'tables', resourceId);
    const v1 = fs.readdirSync(tableDir).find((f) => f.startsWith('v1-') && f.endsWith('.parquet'));
    expect(v1).toBeDefined();
    fs.renameSync(path.join(tableDir, v1!), path.join(tableDir, `${v1}.away`));
    try {
      const missing = await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` });
      expect(missing.statusCode).toBe(500);
      expect(missing.json()).toMatchObject({ code: 'data_file_missing' });
      expect(missing.json().detail).toMatch(/version 1 of .* is missing on the server/);
    } finally {
      fs.renameSync(path.join(tableDir, `${v1}.away`), path.join(tableDir, v1!));
    }
    expect(
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/rows` })).json().total,
    ).toBe(3);
  });

  it('reports rejected rows and offers them as CSV', async () => {
    const ragged = [
      '站点名称,监测时间,AQI,负责人,联系电话',
      'A站,2026-11-01 08:00:00,50,甲,13800000001',
      'B站,2026-11-01,60',
      'C站,2026-11-01 08:00:00,70,丙,13800000003',
    ].join('\n');
    const job = await waitJob(steward, (await upload(steward, ragged, 'ragged.csv')).json().job.id);
    expect(job.state).toBe('succeeded');
    expect(job.result.ingest.rowsRejected).toBeGreaterThan(0);
    const report = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job.id}/report` })).json();
    expect(report.rejections[0]).toMatchObject({ row: 2 });
    const csv = await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job.id}/report?format=csv` });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="load-report-${job.id}.csv"`);
    // Exactly one byte order mark (for Excel), then the header row.
    const bytes = csv.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3, 6).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const text = bytes.subarray(3).toString('utf8');
    // Worded in Chinese unless asked otherwise: the reader's own reason is kept beside the problem.
    expect(text.startsWith('行号,列,值,问题,原文\r\n')).toBe(true);
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual(['行号', '列', '值', '问题', '原文']);
    // One line per rejection, as the JSON report has them.
    type Rej = { row: number; column: string | null; value: string | null; code: string; reason: string };
    const rejections = report.rejections as Rej[];
    expect(rejections.map((r) => r.code)).toEqual(['missing_columns']);
    expect(lines).toEqual(
      rejections.map((r) => [String(r.row), r.column ?? '', r.value ?? '', '字段数少于表头', r.reason]),
    );
    expect(lines.length).toBe(job.result.ingest.rowsRejected);
    expect(lines.map((l) => l[0])).toContain('2');
    const en = await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job.id}/report?format=csv&lang=en` });
    const [enHeader, ...enLines] = parseCsv(en.rawPayload.subarray(3).toString('utf8'));
    expect(enHeader).toEqual(['row', 'column', 'value', 'problem', 'reason']);
    expect(enLines.map((l) => l[3])).toEqual(['Fewer fields than the header']);
    const bad = await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job.id}/report?format=csv&lang=fr` });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses loads from callers who are not the provider, and bad load options', async () => {
    expect((await upload(transMember, CSV)).statusCode).toBe(403);
    expect((await upload(ANON, CSV)).statusCode).toBe(401);
    expect((await upload(steward, CSV, 'a.csv', '?mode=upsert')).json().code).toBe('validation_failed');
    // A value outside a list: the answer names the list, in the query string and in a form field alike.
    expect((await upload(steward, CSV, 'a.csv', '?mode=merge')).json()).toMatchObject({
      code: 'invalid_request',
      field: 'querystring/mode',
      detail: 'querystring/mode: must be one of: replace, append, upsert',
    });
    expect((await upload(steward, CSV, 'a.csv', '', resourceId, { encoding: 'latin1' })).json().detail).toBe(
      'body/encoding: must be one of: utf-8, gb18030, gbk',
    );
    expect((await upload(steward, CSV, 'a.csv', '?types=notjson')).json().code).toBe('invalid_types');
    // The same options as form fields (as the portal sends them) get the same checks, before anything is uploaded.
    const withFields = (fields: Record<string, string>) => upload(steward, CSV, 'a.csv', '', resourceId, fields);
    for (const [fields, field] of [
      [{ mode: 'merge' }, 'body/mode'],
      [{ headerRows: 'two' }, 'body/headerRows'],
      [{ headerRows: '0' }, 'body/headerRows'],
      [{ policy: 'ignore' }, 'body/policy'],
      [{ encoding: 'latin1' }, 'body/encoding'],
      [{ table: 'x' }, 'body/table'],
    ] as const) {
      const res = await withFields(fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_request', field });
    }
    expect((await withFields({ mode: 'upsert' })).json().code).toBe('validation_failed');
    const ok = await withFields({ mode: 'replace', headerRows: '1', policy: 'reject_row', encoding: 'utf-8' });
    expect(ok.statusCode).toBe(202);
    expect((await waitJob(steward, ok.json().job.id)).state).toBe('succeeded');
    const noFile = await s.request(steward, {
      method: 'POST',
      url: `/api/v1/resources/${resourceId}/loads`,
      payload: { a: 1 },
    });
    expect(noFile.statusCode).toBe(415);
  });

  it('never uses the client file name as a path', async () => {
    const job = await waitJob(steward, (await upload(steward, CSV, '../../../etc/evil.csv')).json().job.id);
    expect(job.state).toBe('succeeded');
    expect(fs.existsSync(path.join(s.ts.dataDir, '..', 'etc', 'evil.csv'))).toBe(false);
    const versions = (
      await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/versions` })
    ).json();
    expect(versions[0].sourceName).toBe('evil.csv');
  });

  it('refuses a file declared GBK that is really UTF-8, and keeps serving the previous version', async () => {
    const before = await currentVersion();
    const rowsBefore = await servedRows();
    const utf8 = ['站点名称,监测时间,AQI,负责人,联系电话', '新城站,2026-11-03 08:00:00,45,钱七,13500001111'].join('\n');
    const res = await upload(steward, Buffer.from(utf8, 'utf8'), 'utf8.csv', '?encoding=gbk');
    expect(res.statusCode).toBe(202);
    const job = await waitJob(steward, res.json().job.id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'encoding_mismatch', declared: 'gbk', detected: 'utf-8' });
    expect(job.error.message).toMatch(/^The file was declared GBK but looks like UTF-8/);
    expect(await currentVersion()).toEqual(before);
    expect(await servedRows()).toEqual(rowsBefore);
    expect(rowsBefore.records.map((r: Record<string, unknown>) => r['站点名称'])).not.toContain('新城站');
  });

  it('fails bad files with a clear error naming the problem, and keeps serving the current version', async () => {
    const before = await currentVersion();
    const rowsBefore = await servedRows();
    const wide = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    const bad: [string, string | Buffer, string][] = [
      ['引号.csv', '站点名称,AQI\n"云溪站,50\n白云站,60\n', 'unbalanced_quote'],
      ['wide.csv', `${wide}\n${wide}\n`, 'too_many_columns'],
      ['空.csv', '', 'empty_file'],
      ['半截.json', '[{"站点名称":"云溪站","AQI":50},{"站点名称":', 'invalid_json'],
    ];
    for (const [name, content, code] of bad) {
      const res = await upload(steward, content, name);
      expect(res.statusCode).toBe(202);
      const job = await waitJob(steward, res.json().job.id);
      expect([name, job.state, job.error?.code]).toEqual([name, 'failed', code]);
      expect(job.error.message.length).toBeGreaterThan(10);
      // The downloadable report of a failed load says it failed, where and why.
      const csv = await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job.id}/report?format=csv` });
      const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
      expect(lines[0]).toBe('行号,列,值,问题,原文');
      expect(lines[1]).toContain(',导入失败，当前版本未变,');
      if (code === 'unbalanced_quote')
        expect(lines[1]).toMatch(
          /^1,,,导入失败，当前版本未变,"Unbalanced quote at data row 1 \(line 2, byte offset 17\)/,
        );
      expect(await currentVersion()).toEqual(before);
      expect(await servedRows()).toEqual(rowsBefore);
    }
  });

  it('reports what it could not take from messy files, and keeps the current version when a file has no data', async () => {
    const id = await newResource('监测站点原始记录');
    const load = async (content: string | Buffer, name: string) => {
      const res = await upload(steward, content, name, '', id);
      expect(res.statusCode).toBe(202);
      return waitJob(steward, res.json().job.id);
    };
    const rows = async (query = '') =>
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/rows?sort=_id${query}` })).json();
    const versions = async () =>
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/versions` })).json() as {
        id: string;
        current: boolean;
      }[];

    // NUL bytes, an empty and a duplicate header, a ragged row: loaded, each named in the warnings or the report.
    const messy = Buffer.from('站点,,站点,数值\n甲站,x,甲\u0000一,1\n乙站,y,乙二\n丙站,z,丙三,3\n', 'utf8');
    const first = await load(messy, '杂乱.csv');
    expect(first.state).toBe('succeeded');
    const warnings = (first.result.ingest.warnings as string[]).join(' ');
    expect(warnings).toMatch(/NUL bytes \(first at byte offset \d+, line 2\)/);
    expect(warnings).toMatch(/empty header/);
    expect(warnings).toMatch(/duplicate header/);
    // The same warnings by code and parameters, for the portal to word in the user's language.
    const notices = first.result.ingest.notices as { code: string; params: Record<string, unknown>; message: string }[];
    expect(notices.map((n) => n.message)).toEqual(first.result.ingest.warnings);
    expect(notices.map((n) => n.code)).toEqual(['nul_bytes_removed', 'empty_headers', 'duplicate_headers']);
    expect(notices[0]?.params).toMatchObject({ line: 2 });
    expect(first.result.ingest.rowsRejected).toBe(1);
    const report = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${first.id}/report` })).json();
    // Rows are counted from the first data row: the second one lacks its last field.
    expect(report.rejections).toEqual([
      expect.objectContaining({ row: 2, value: '乙站,y,乙二', reason: expect.stringMatching(/missing columns/) }),
    ]);
    expect(
      (await rows()).records.map((r: Record<string, unknown>) => [r['站点'], r['column_2'], r['站点_2'], r['数值']]),
    ).toEqual([
      ['甲站', 'x', '甲一', 1],
      ['丙站', 'z', '丙三', 3],
    ]);

    // A 10 MB field is kept whole and served (编号, a code by its name, stays text).
    const long = '长'.repeat(4 * 1024 * 1024);
    const second = await load(`编号,内容\n1,"${long}"\n2,短\n`, '长字段.csv');
    expect(second.state).toBe('succeeded');
    const served = (await rows()).records as Record<string, unknown>[];
    expect(served.map((r) => [r['编号'], (r['内容'] as string).length])).toEqual([
      ['1', long.length],
      ['2', 1],
    ]);
    expect(served[0]!['内容']).toBe(long);

    // An Excel file with no data fails with its code; the 10 MB version stays current.
    const before = await versions();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('空表');
    const empty = await load(Buffer.from(await wb.xlsx.writeBuffer()), '空.xlsx');
    expect([empty.state, empty.error.code]).toEqual(['failed', 'no_data']);
    expect(await versions()).toEqual(before);
    expect(((await rows()).records as Record<string, unknown>[]).map((r) => r['编号'])).toEqual(['1', '2']);
    // A file whose every row is rejected (here, a semicolon file read with a comma: one field where the header has
    // three) fails too, naming the first rejected row, instead of becoming an empty current version.
    const rejectedAll = await load('编号,内容,备注\n3;长;无\n4;短;无\n', '分号.csv');
    expect([rejectedAll.state, rejectedAll.error.code]).toEqual(['failed', 'all_rows_rejected']);
    expect(rejectedAll.error).toMatchObject({ rejected: 2, row: 1, value: '3;长;无' });
    expect(rejectedAll.error.message).toMatch(/^Every one of the 2 data rows was rejected.* The first: row 1/);
    // The job says why; its report lists the rejected rows, once.
    expect(rejectedAll.error).not.toHaveProperty('rejections');
    const failedReport = (
      await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${rejectedAll.id}/report` })
    ).json() as { error: Record<string, unknown>; rejections: { row: number }[] };
    expect(failedReport.rejections.map((r) => r.row)).toEqual([1, 2]);
    expect(failedReport.error).toMatchObject({ code: 'all_rows_rejected', rejected: 2 });
    expect(failedReport.error).not.toHaveProperty('rejections');
    // Nor does the admin's list of recent jobs.
    const admin = await s.login('admin', ADMIN_PASSWORD);
    const status = (await s.request(admin, { method: 'GET', url: '/api/v1/system/status' })).json() as {
      recentJobs: { id: string; error: Record<string, unknown> | null }[];
    };
    const listed = status.recentJobs.find((j) => j.id === rejectedAll.id);
    expect(listed?.error).toMatchObject({ code: 'all_rows_rejected', rejected: 2, row: 1 });
    expect(listed?.error).not.toHaveProperty('rejections');
    // Its report lists the rejected rows, then the failure.
    const failedCsv = (
      await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${rejectedAll.id}/report?format=csv` })
    ).body.split('\r\n');
    expect(failedCsv.slice(1, 3).map((l) => l.split(',')[0])).toEqual(['1', '2']);
    expect(failedCsv[3]).toContain(',导入失败，当前版本未变,');
    expect(await versions()).toEqual(before);
    // A header with no rows still loads, with a warning: a table can be empty for a period.
    const headerOnly = await load('编号,内容\n', '只有表头.csv');
    expect([headerOnly.state, headerOnly.result.rows]).toEqual(['succeeded', 0]);
    expect(headerOnly.result.ingest.notices.map((n: { code: string }) => n.code)).toEqual(['no_data_rows']);

    // GeoJSON features with invalid geometry are reported with their reason; the others load.
    const feature = (n: number, geometry: unknown) => ({ type: 'Feature', properties: { 编号: n }, geometry });
    const geo = await load(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          feature(1, { type: 'Point', coordinates: [113.3, 23.1] }),
          feature(2, { type: 'Pointy', coordinates: [1, 2] }),
          feature(3, { type: 'Point', coordinates: [500, 23] }),
          feature(4, { type: 'Point', coordinates: [113.4, 23.2] }),
        ],
      }),
      '站点.geojson',
    );
    expect(geo.state).toBe('succeeded');
    expect([geo.result.ingest.rowsLoaded, geo.result.ingest.rowsRejected]).toEqual([2, 2]);
    const geoReport = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${geo.id}/report` })).json();
    expect(geoReport.rejections.map((r: { row: number; reason: string }) => [r.row, r.reason])).toEqual([
      [2, 'invalid geometry type Pointy'],
      [3, 'Point coordinates out of range for EPSG:4326'],
    ]);
    expect(((await rows()).records as Record<string, unknown>[]).map((r) => [r['编号'], r['_lon'], r['_lat']])).toEqual(
      [
        ['1', 113.3, 23.1],
        ['4', 113.4, 23.2],
      ],
    );
  });

  it('builds an append again on the newer version when another load switched the table meanwhile', async () => {
    const id = await newResource('站点巡检记录');
    const load = async (csv: string, query = '') => {
      const job = await waitJob(steward, (await upload(steward, csv, '巡检.csv', query, id)).json().job.id);
      expect(job.state).toBe('succeeded');
      return job;
    };
    await load('站点,次数\n甲,1\n');
    await load('站点,次数\n乙,2\n', '?mode=append');
    // The next append is first handed version 1 as the current one, as a process would be that read it just before
    // another process committed version 2: its switch must fail and the append be built again on version 2.
    const v1 = await s.ts.store.db
      .selectFrom('table_versions')
      .selectAll()
      .where('resource_id', '=', id)
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    const real = datastoreRepo.current;
    let handedStale = 0;
    const spy = vi.spyOn(datastoreRepo, 'current').mockImplementation(async (db, resourceId) => {
      if (resourceId === id && handedStale === 0) {
        handedStale++;
        return v1;
      }
      return real(db, resourceId);
    });
    try {
      const job = await load('站点,次数\n丙,3\n', '?mode=append');
      expect(handedStale).toBe(1);
      expect(job.result).toMatchObject({ version: 3, rows: 3 });
    } finally {
      spy.mockRestore();
    }
    const rows = (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/rows?sort=_id` })).json();
    expect(rows.records.map((r: Record<string, unknown>) => [r._id, r['站点'], r['次数']])).toEqual([
      [1, '甲', 1],
      [2, '乙', 2],
      [3, '丙', 3],
    ]);
    // Nothing of the failed try is left beside the versions' files.
    const listed = new Set(
      (await s.ts.store.db.selectFrom('table_versions').select('file').where('resource_id', '=', id).execute()).map(
        (v) => path.basename(v.file),
      ),
    );
    expect(fs.readdirSync(path.join(s.ts.dataDir, 'tables', id)).filter((f) => !listed.has(f))).toEqual([]);
  });

  it('queues a load behind a running one, and cancels a queued load before it starts', async () => {
    const big = await uploadBig();
    await waitRunning(big);
    const queued = async () => {
      const res = await upload(steward, CSV, 'queued.csv');
      expect(res.statusCode).toBe(202);
      return res.json().job.id as string;
    };
    const next = await queued();
    const dropped = await queued();
    const job = async (id: string) => (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${id}` })).json();
    // One load at a time: both wait while the big one runs.
    for (const id of [next, dropped])
      expect(await job(id)).toMatchObject({ state: 'queued', startedAt: null, result: null });
    const cancel = await s.request(steward, { method: 'POST', url: `/api/v1/jobs/${dropped}/cancel` });
    expect(cancel.json()).toMatchObject({
      state: 'cancelled',
      startedAt: null,
      error: { code: 'cancelled', message: 'Cancelled before it started' },
    });
    // The big load ends, then the queued one runs after it; the cancelled one never does.
    const bigDone = await waitJob(steward, big);
    expect(bigDone.state).toBe('succeeded');
    const nextDone = await waitJob(steward, next);
    expect(nextDone.state).toBe('succeeded');
    expect(Date.parse(nextDone.startedAt)).toBeGreaterThanOrEqual(Date.parse(bigDone.finishedAt));
    expect(await job(dropped)).toMatchObject({ state: 'cancelled', startedAt: null });
    expect((await currentVersion())!.rows).toBe(CSV.split('\n').length - 1);
  });

  it('cancels a running load and keeps serving the previous version', async () => {
    const before = await currentVersion();
    const rowsBefore = await servedRows();
    const id = await uploadBig();
    await waitRunning(id);
    const cancel = await s.request(steward, { method: 'POST', url: `/api/v1/jobs/${id}/cancel` });
    expect(cancel.statusCode).toBe(200);
    const job = await waitJob(steward, id);
    expect(job.state).toBe('cancelled');
    expect(job.error).toMatchObject({ code: 'cancelled' });
    expect(job.result).toBeNull();
    expect(await currentVersion()).toEqual(before);
    expect(await servedRows()).toEqual(rowsBefore);
    // No temporary file is left, and a finished job cannot be cancelled again.
    const tableDir = path.join(s.ts.dataDir, 'tables', resourceId);
    expect(fs.readdirSync(tableDir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect((await s.request(steward, { method: 'POST', url: `/api/v1/jobs/${id}/cancel` })).statusCode).toBe(409);
  });

  it('streams the progress of a running load as Server-Sent Events, ending with the result', async () => {
    const id = await uploadBig();
    await waitRunning(id);
    // Opened while the load runs; the response completes when the job ends.
    const sse = await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${id}/events` });
    expect(sse.statusCode).toBe(200);
    expect(sse.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(sse.body);
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(events.map((e) => e.event)).toEqual([...progress.map(() => 'progress'), 'end']);
    expect(progress.length).toBeGreaterThan(0);
    const size = fs.statSync(bigCsv).size;
    for (const p of progress) {
      // The same job object GET /jobs/{id} answers with, ETA included.
      expect(p).toMatchObject({ id, state: 'running', resourceId, result: null });
      expect(p).toHaveProperty('etaSeconds');
      expect(p.etaSeconds === null || (Number.isInteger(p.etaSeconds) && p.etaSeconds >= 0)).toBe(true);
      if (p.progress.bytesTotal !== undefined) expect(p.progress.bytesTotal).toBe(size);
    }
    const polled = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${id}` })).json();
    expect(Object.keys(progress[0]!).sort()).toEqual(Object.keys(polled).sort());
    // Progress only moves forward: phase by phase (reading, inferring, writing), bytes growing within each.
    const phases = ['reading', 'inferring', 'writing'];
    const steps = progress.map((p) => [phases.indexOf(p.progress.phase ?? ''), p.progress.bytesRead ?? 0]);
    for (let i = 1; i < steps.length; i++) {
      const [phase, bytes] = steps[i]!;
      const [prevPhase, prevBytes] = steps[i - 1]!;
      expect(phase! > prevPhase! || (phase === prevPhase && bytes! >= prevBytes!)).toBe(true);
    }
    expect(progress.some((p) => (p.progress.bytesRead ?? 0) > 0)).toBe(true);
    // Rows too: the rows read so far, never more than the file has.
    const rowsRead = progress.map((p) => p.progress.rowsRead ?? 0);
    expect(Math.max(...rowsRead)).toBeGreaterThan(0);
    expect(Math.max(...rowsRead)).toBeLessThanOrEqual(BIG_ROWS);
    // The share of the whole load done (what the ETA rests on) only grows, from 0 to at most 1.
    const fractions = progress.map((p) => p.progress.fraction ?? 0);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(Math.max(...fractions)).toBeGreaterThan(0);
    expect(Math.max(...fractions)).toBeLessThanOrEqual(1);
    // The last event carries the result.
    const end = events.at(-1)!.data;
    expect(end).toMatchObject({
      id,
      state: 'succeeded',
      etaSeconds: null,
      result: { rows: BIG_ROWS, ingest: { rowsLoaded: BIG_ROWS, rowsRejected: 0 } },
    });
    expect(end.result).toEqual(polled.result);
    expect((await currentVersion())!.rows).toBe(BIG_ROWS);
    // A finished job's stream is its last state and the end.
    const again = parseSse((await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${id}/events` })).body);
    expect(again.map((e) => e.event)).toEqual(['progress', 'end']);
    expect(again[1]!.data.result).toEqual(polled.result);
  });

  it('applies the load options given through the API: header rows, delimiter, types, policy and upsert key', async () => {
    const id = await newResource('区域降水季度统计');
    const load = async (csv: string, query: string) => {
      const res = await upload(steward, csv, '降水.csv', query, id);
      expect(res.statusCode).toBe(202);
      const job = await waitJob(steward, res.json().job.id);
      expect(job.state).toBe('succeeded');
      return { ...job.result, jobId: job.id as string };
    };
    const rows = async () =>
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}/rows?sort=_id` })).json().records;

    // Two header rows joined, ';' as the delimiter, 编号 forced to text (its digits would be an integer).
    const first = await load(
      ['编号;2020年;2020年', ';第一季度;第二季度', '001;12.5;30', '002;8;41.5'].join('\n'),
      `?headerRows=2&delimiter=${encodeURIComponent(';')}&types=${encodeURIComponent('{"编号":"text"}')}`,
    );
    expect(first.ingest.delimiter).toBe(';');
    expect(first.ingest.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['编号', 'text'],
      ['2020年/第一季度', 'decimal'],
      ['2020年/第二季度', 'decimal'],
    ]);
    // Upsert on 编号: 002 replaced in place, 003 added after it (its second row is the one kept, and the report says so).
    const upserted = await load(
      ['编号;2020年;2020年', ';第一季度;第二季度', '002;9;40', '003;7;7', '003;1;2'].join('\n'),
      `?headerRows=2&delimiter=%3B&types=${encodeURIComponent('{"编号":"text"}')}&mode=upsert&key=${encodeURIComponent('编号')}`,
    );
    expect((await rows()).map((r: Record<string, unknown>) => [r._id, r['编号'], r['2020年/第一季度']])).toEqual([
      [1, '001', 12.5],
      [2, '002', 9],
      [3, '003', 1],
    ]);
    expect(upserted.ingest.notices).toEqual([
      expect.objectContaining({ code: 'upsert_repeated_keys', params: { count: 1 } }),
    ]);
    expect(upserted.ingest.warnings).toEqual([upserted.ingest.notices[0].message]);
    // reject_row: the row whose value is not a number is reported, not loaded, and the column stays decimal.
    const lines = ['站点,降水量'];
    for (let i = 0; i < 40; i++) lines.push(`站${i},${i}.5`);
    lines.push('站40,缺测');
    const third = await load(lines.join('\n'), '?policy=reject_row');
    expect(third.ingest.rowsRejected).toBe(1);
    const report = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${third.jobId}/report` })).json();
    expect(report.rejections).toEqual([expect.objectContaining({ row: 41, column: '降水量', value: '缺测' })]);
    expect(third.ingest.columns.find((c: { name: string }) => c.name === '降水量').type).toBe('decimal');
    expect(await rows()).toHaveLength(40);
  });

  it('keeps the catalogue field list in step: fields from a first load, then new and missing columns reported', async () => {
    const id = await newResource('区域环境噪声监测数据');
    const fieldsOf = async () =>
      (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${id}` }))
        .json()
        .fields.map((f: { name: string; dataType: string }) => [f.name, f.dataType]);
    expect(await fieldsOf()).toEqual([]);

    const first = ['点位,噪声值,监测日期', '甲,55.2,2026-11-01', '乙,60.1,2026-11-02'].join('\n');
    const job1 = await waitJob(steward, (await upload(steward, first, 'noise.csv', '', id)).json().job.id);
    expect(job1.state).toBe('succeeded');
    expect(job1.result.fieldSync).toEqual({
      newColumns: ['点位', '噪声值', '监测日期'],
      missingFields: [],
      fieldsCreated: true,
    });
    expect(await fieldsOf()).toEqual([
      ['点位', 'string'],
      ['噪声值', 'number'],
      ['监测日期', 'date'],
    ]);

    // The next file has lost 噪声值 and gained 风速: proposed and reported, the field list itself is left as it is.
    const second = ['点位,监测日期,风速', '甲,2026-11-03,3.2'].join('\n');
    const job2 = await waitJob(steward, (await upload(steward, second, 'noise2.csv', '', id)).json().job.id);
    expect(job2.state).toBe('succeeded');
    expect(job2.result.fieldSync).toEqual({ newColumns: ['风速'], missingFields: ['噪声值'], fieldsCreated: false });
    const report = (await s.request(steward, { method: 'GET', url: `/api/v1/jobs/${job2.id}/report` })).json();
    expect(report.fieldSync).toEqual(job2.result.fieldSync);
    expect(await fieldsOf()).toEqual([
      ['点位', 'string'],
      ['噪声值', 'number'],
      ['监测日期', 'date'],
    ]);
  });

  it('gives the admin every job, others only their own', async () => {
    const admin = await s.login('admin', ADMIN_PASSWORD);
    const id = (await upload(steward, CSV)).json().job.id;
    await waitJob(steward, id);
    expect((await s.request(admin, { method: 'GET', url: `/api/v1/jobs/${id}` })).statusCode).toBe(200);
    expect((await s.request(transMember, { method: 'GET', url: `/api/v1/jobs/${id}` })).statusCode).toBe(404);
  });
});

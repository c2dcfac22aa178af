import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsvOverHttp, startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { DIALECTS, PG_URL, tempDir } from '../helpers/db.ts';
import { seedOverHttp } from '../exchange/http.ts';
import { resourceInput } from '../helpers/server.ts';

/**
 * Two server processes over one data directory (one metadata store, one set of Parquet files): both serve the same
 * table, a load through one is served by the other at once, and every read through either is in the one exchange log.
 */
describe('several server processes over the same data', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = tempDir('citydata-multi-');
  });
  const servers: ChildServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGTERM');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves one table from two processes, follows a new version and logs every read', async () => {
    const a = await startChildServer(dataDir);
    servers.push(a);
    const { admin, resourceId, key, logged } = await seedOverHttp(a);
    const b = await startChildServer(dataDir);
    servers.push(b);
    const read = async (s: ChildServer) => {
      const r = await fetch(`${s.url}/api/v1/resources/${resourceId}/rows?sort=AQI`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { version: number; records: { 站点: string; AQI: number }[] };
      return { version: body.version, rows: body.records.map((x) => `${x.站点}:${x.AQI}`) };
    };
    // Both at once, several times over.
    const first = await Promise.all([a, b, a, b, a, b].map(read));
    for (const r of first)
      expect(r).toEqual({ version: 1, rows: ['甲站:50', '乙站:60', '丙站:70', '丁站:80', '戊站:90'] });

    // A new version loaded through the second process is what the first one serves next.
    await loadCsvOverHttp(b.url, admin, resourceId, '站点,AQI\n己站,30\n庚站,40\n', 'aqi2.csv');
    for (const s of [a, b]) expect(await read(s)).toEqual({ version: 2, rows: ['己站:30', '庚站:40'] });

    // Eight reads through two processes: eight lines in the one exchange log.
    const rowsReads = (await logged()).filter((e) => e.channel === 'rows');
    expect(rowsReads).toHaveLength(8);

    // The catalogue search of each process follows changes made through the other: a new resource registered
    // through the first is found by the second, and gone from it once deleted.
    const json = { ...admin, 'content-type': 'application/json' };
    const found = async (s: ChildServer, q: string) => {
      const r = await fetch(`${s.url}/api/v1/search?q=${encodeURIComponent(q)}`, { headers: admin });
      return ((await r.json()) as { hits: { resource: { id: string } }[] }).hits.map((h) => h.resource.id);
    };
    /** Polls until `check` holds (the follower looks once a second); a generous bound for a busy machine. */
    const eventually = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 150; i++) {
        if (await check()) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    };
    const dept = (await (await fetch(`${a.url}/api/v1/departments`, { headers: admin })).json()) as { id: string }[];
    const created = (await (
      await fetch(`${a.url}/api/v1/resources`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(resourceInput(dept[0]!.id, { name: '噪声自动监测站点' })),
      })
    ).json()) as { id: string };
    // The second process built its index from the store at start: the resource seeded before it started is there.
    const browse = (await (await fetch(`${b.url}/api/v1/search?limit=100`, { headers: admin })).json()) as {
      hits: { resource: { id: string } }[];
    };
    expect(browse.hits.map((h) => h.resource.id)).toContain(resourceId);
    expect(await found(a, '噪声自动监测')).toContain(created.id);
    expect(await eventually(async () => (await found(b, '噪声自动监测')).includes(created.id))).toBe(true);
    const del = await fetch(`${a.url}/api/v1/resources/${created.id}`, { method: 'DELETE', headers: admin });
    expect(del.status).toBeLessThan(300);
    expect(await eventually(async () => !(await found(b, '噪声自动监测')).includes(created.id))).toBe(true);
    // Two processes, a load and a handful of reads: a budget for a busy machine, not a speed check.
  }, 240_000);
});

/**
 * Loads of one table through two processes at once, on each metadata store: every append is kept and every version
 * numbered once (each process runs its own loads one at a time; the two run side by side).
 */
describe.each(DIALECTS)('concurrent loads through two server processes (%s)', (dialect) => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = tempDir('citydata-multi-');
  });
  const servers: ChildServer[] = [];
  let schema: string | null = null;
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGTERM');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (schema) {
      const c = new pg.Client({ connectionString: PG_URL! });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  });

  it('loses no append when both processes load the same table at once', async () => {
    const env: Record<string, string> = {};
    if (dialect === 'postgres') {
      schema = `t_${randomBytes(6).toString('hex')}`;
      const c = new pg.Client({ connectionString: PG_URL! });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.end();
      const url = new URL(PG_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = url.toString();
    }
    // One after the other: the first creates the store.
    const a = await startChildServer(dataDir, env);
    servers.push(a);
    const b = await startChildServer(dataDir, env);
    servers.push(b);
    // A department (and a first table) to register the resource under.
    const { admin } = await seedOverHttp(a);
    const dept = (await (await fetch(`${a.url}/api/v1/departments`, { headers: admin })).json()) as { id: string }[];
    const created = (await (
      await fetch(`${a.url}/api/v1/resources`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify(resourceInput(dept[0]!.id, { name: '并发追加测试', fields: [], openType: 'none' })),
      })
    ).json()) as { id: string };
    // Three appends through each process, all sent at once: each process runs its own one at a time, the two
    // processes side by side, so appends of the same table overlap.
    const batches = Array.from({ length: 6 }, (_, i) => i);
    await Promise.all(
      batches.map((i) =>
        loadCsvOverHttp(
          (i % 2 ? b : a).url,
          admin,
          created.id,
          `批次,序号\n${i},1\n${i},2\n`,
          `batch${i}.csv`,
          '?mode=append',
        ),
      ),
    );
    const rows = (await (
      await fetch(`${b.url}/api/v1/resources/${created.id}/rows?limit=100`, { headers: admin })
    ).json()) as { records: { 批次: number; 序号: number }[] };
    expect(rows.records.map((r) => `${r.批次}-${r.序号}`).sort()).toEqual(
      batches.flatMap((i) => [`${i}-1`, `${i}-2`]).sort(),
    );
    const versions = (await (
      await fetch(`${a.url}/api/v1/resources/${created.id}/versions`, { headers: admin })
    ).json()) as { version: number; rows: number; current: boolean }[];
    expect(versions.map((v) => v.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions.find((v) => v.current)).toMatchObject({ version: 6, rows: 12 });
  }, 240_000);
});

import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvOverHttp, startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { tempDir } from '../helpers/db.ts';
import { seedOverHttp } from '../exchange/http.ts';
import { resourceInput } from '../helpers/server.ts';

/**
 * Two server processes over one data directory (one metadata store, one set of Parquet files): both serve the same
 * table, a load through one is served by the other at once, and every read through either is in the one exchange log.
 */
describe('several server processes over the same data', () => {
  const dataDir = tempDir('citydata-multi-');
  const servers: ChildServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
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
